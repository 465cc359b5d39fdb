"""MkDocs hook: the code itself, downloadable from the site, and its version in the footer.

A reader who finds the course online needs the code the pages import, without knowing
where the repository lives. When the site is built, this hook adds two archives to it,
made from the project the site is built from:

- ``downloads/rnn-<version>.tar.gz``: the package alone, as a source distribution that
  ``pip install`` accepts (``rnn/``, ``pyproject.toml``, ``README.md``, ``LICENSE``);
- ``downloads/rnn-course-<version>.zip``: the whole project (pages, tests, hooks, tools,
  ``Makefile``), the files git tracks, so that ``make serve`` and ``make test`` work in
  it as in a clone.

The version is read from ``pyproject.toml``, and the footer says it with the licence.
The archives are written with fixed timestamps, so the same tree gives the same bytes.
"""

from __future__ import annotations

import gzip
import io
import logging
import re
import subprocess
import tarfile
import zipfile
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.downloads")

ROOT = Path(__file__).resolve().parents[1]
DOWNLOADS = "downloads"
# 1 January 2020, 00:00 UTC: any fixed time will do, the archives must not depend on when
# they were built.
FIXED_TIME = 1577836800
PACKAGE_FILES = ("pyproject.toml", "README.md", "LICENSE")


def project_version(root: Path = ROOT) -> str:
    """The ``version`` of ``[project]`` in ``pyproject.toml``."""
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)
    if match is None:
        raise ValueError(f"{root / 'pyproject.toml'} has no version")
    return match[1]


def tracked_files(root: Path = ROOT) -> list[str]:
    """The files git tracks in ``root``, sorted; the archives hold nothing else."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return sorted(name for name in listed.split("\0") if name and (root / name).is_file())


def package_files(files: list[str]) -> list[str]:
    """Of the tracked ``files``, those of the package's source distribution."""
    return [name for name in files if name.startswith("rnn/") or name in PACKAGE_FILES]


def sdist(root: Path, files: list[str], version: str) -> bytes:
    """A ``.tar.gz`` of ``files`` under ``rnn-<version>/``, as ``pip install`` reads it."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=FIXED_TIME) as zipped:
        with tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name in files:
                data = (root / name).read_bytes()
                info = tarfile.TarInfo(f"rnn-{version}/{name}")
                info.size, info.mtime, info.mode = len(data), FIXED_TIME, 0o644
                tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def course_zip(root: Path, files: list[str], version: str) -> bytes:
    """A ``.zip`` of ``files`` under ``rnn-course-<version>/``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in files:
            info = zipfile.ZipInfo(f"rnn-course-{version}/{name}", date_time=(2020, 1, 1, 0, 0, 0))
            executable = (root / name).stat().st_mode & 0o111
            info.external_attr = (0o755 if executable else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (root / name).read_bytes())
    return buffer.getvalue()


def on_config(config: Any) -> Any:
    version = project_version()
    config["copyright"] = f"rnn {version} · MIT License · every example on this site is tested"
    config["extra"]["rnn_version"] = version
    return config


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    version = project_version()
    tracked = tracked_files()
    archives = {
        f"{DOWNLOADS}/rnn-{version}.tar.gz": sdist(ROOT, package_files(tracked), version),
        f"{DOWNLOADS}/rnn-course-{version}.zip": course_zip(ROOT, tracked, version),
    }
    for path, content in archives.items():
        files.append(File.generated(config, path, content=content))
    log.info(
        "Added %s",
        ", ".join(f"{path} ({len(data) / 1e6:.1f} MB)" for path, data in archives.items()),
    )
    return files

"""How fast the docs build keeps up with editing: ``make docs-times`` prints the times.

In a copy of the project (its files as they are now, tracked or not ignored; the project
itself is never edited), with one BLAS thread:

1. **a cold strict build,** ``mkdocs build --strict`` with the build's cache empty, and
   the warnings it printed (a clean build prints none);
2. **``mkdocs serve``,** its first build (which reuses what the cold build stored);
3. **a one-line prose edit** of a page with a figure (``why-lstm.md``, whose code is the
   slowest to run), and the time until the served HTML shows it;
4. **an edit of ``rnn/``** (a comment added to ``rnn/__init__.py``), which must run every
   page with a figure and every notebook again: the time of that rebuild and what it ran
   and reused.

The targets (issue 14): a prose edit shows within 5 s, a cold build takes 45 s at most.
Times depend on the machine and on what else runs on it: they are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROSE_PAGE = "why-lstm.md"
PACKAGE_FILE = "rnn/__init__.py"
PROSE_TARGET, COLD_TARGET = 5.0, 45.0


def copy_project(destination: Path) -> Path:
    """Copy the project's files (tracked, or untracked and not ignored) into
    ``destination``, a new git repository that tracks them all; return it."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    # a repository of its own: the site offers the files git tracks (hooks/downloads.py)
    git = ["git", "-c", "user.name=docs-times", "-c", "user.email=docs-times@localhost"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "copy"]):
        subprocess.run([*git, *command], cwd=destination, check=True, capture_output=True)
    return destination


def environment(project: Path) -> dict[str, str]:
    """The environment of the builds: the copy's ``rnn`` first on the path (for MkDocs
    and the notebooks' kernels), one BLAS thread, no MkDocs 2 banner, no cache override."""
    env = {k: v for k, v in os.environ.items() if k != "RNN_DOCS_CACHE"}
    env.update(
        PYTHONPATH=os.pathsep.join([str(project), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        NO_MKDOCS_2_WARNING="1",
    )
    return env


def warnings_in(log: str) -> list[str]:
    """The lines of a build's log that warn (MkDocs' ``WARNING`` or a library's)."""
    return [line for line in log.splitlines() if re.search(r"\bWARNING\b|Warning:", line)]


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``mkdocs serve`` in the copy, its log read line by line as it comes."""

    def __init__(self, project: Path, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/"
        self.lines: list[tuple[float, str]] = []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mkdocs",
                "serve",
                "--strict",
                "--dev-addr",
                f"127.0.0.1:{port}",
            ],
            cwd=project,
            env=environment(project),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append((time.perf_counter(), line.rstrip("\n")))

    def wait_for(self, pattern: str, after: float, timeout: float) -> tuple[float, str]:
        """The time and text of the first log line after ``after`` that matches."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            for when, line in list(self.lines):
                if when >= after and re.search(pattern, line):
                    return when, line
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        tail = "\n".join(line for _, line in self.lines[-30:])
        raise RuntimeError(f"mkdocs serve: no {pattern!r} within {timeout:.0f} s:\n{tail}")

    def log_between(self, start: float, end: float) -> list[str]:
        return [line for when, line in self.lines if start <= when <= end]

    def shows(self, path: str, text: str, timeout: float) -> float:
        """Poll the served ``path`` until its HTML contains ``text``; return when it did."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            try:
                with urllib.request.urlopen(self.url + path, timeout=5) as response:
                    if text in response.read().decode("utf-8"):
                        return time.perf_counter()
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.url + path} did not show {text!r} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)  # its own session: serve and kernels
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def summary(lines: list[str]) -> str:
    """What a build of the log ``lines`` ran afresh and what it reused."""
    ran = [m[1] for line in lines if (m := re.search(r"Ran the code of (\S+)", line))]
    executed = [m[1] for line in lines if (m := re.search(r"Executed (\S+)", line))]
    reused = [
        f"{m[2]} ({m[1]})" for line in lines if (m := re.search(r"Reused the (\S+) of (\S+)", line))
    ]
    return (
        f"ran the code of {len(ran)} pages ({', '.join(ran) or 'none'}), "
        f"executed {len(executed)} notebooks ({', '.join(executed) or 'none'}); "
        f"reused {', '.join(reused) or 'nothing'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the copy of the project")
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed per step")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="rnn-docs-times-"))
    project = copy_project(folder / "project")
    rows: list[tuple[str, str, str]] = []
    print(f"In a copy of the project, {project}; one BLAS thread.", flush=True)
    server = None
    try:
        # 1. a cold strict build
        started = time.perf_counter()
        build = subprocess.run(
            [
                sys.executable,
                "-m",
                "mkdocs",
                "build",
                "--strict",
                "--site-dir",
                str(folder / "site"),
            ],
            cwd=project,
            env=environment(project),
            capture_output=True,
            text=True,
            timeout=args.timeout,
        )
        cold = time.perf_counter() - started
        log = build.stdout + build.stderr
        if build.returncode != 0:
            print(log)
            raise RuntimeError("the cold strict build failed")
        warned = warnings_in(log)
        rows.append(("cold strict build, empty cache", f"{cold:.1f} s", f"<= {COLD_TARGET:.0f} s"))
        rows.append(("  its warnings", str(len(warned)), "0"))
        for line in warned:
            print(f"  warning: {line}")
        print(f"cold build: {cold:.1f} s, {len(warned)} warnings", flush=True)

        # 2. mkdocs serve
        started = time.perf_counter()
        server = Server(project, free_port())
        served, _ = server.wait_for(r"Serving on", started, args.timeout)
        first = server.log_between(started, served)
        rows.append(("mkdocs serve, first build", f"{served - started:.1f} s", ""))
        print(f"serve's first build: {served - started:.1f} s; {summary(first)}", flush=True)

        # 3. a one-line prose edit
        probe = f"Timing probe {uuid.uuid4().hex[:12]}."
        page = project / "docs" / PROSE_PAGE
        text = page.read_text(encoding="utf-8")
        title_end = text.index("\n", text.index("# ")) + 1
        time.sleep(1)  # a change within the first second of serving may go unnoticed
        edited = time.perf_counter()
        page.write_text(text[:title_end] + f"\n{probe}\n" + text[title_end:], encoding="utf-8")
        shown = server.shows(PROSE_PAGE.removesuffix(".md") + "/", probe, args.timeout)
        built, _ = server.wait_for(r"Documentation built in", edited, args.timeout)
        rows.append(
            (
                f"prose edit of {PROSE_PAGE}, until served",
                f"{shown - edited:.1f} s",
                f"<= {PROSE_TARGET:.0f} s",
            )
        )
        ran = summary(server.log_between(edited, built))
        print(f"prose edit shown after {shown - edited:.1f} s; {ran}", flush=True)

        # 4. an edit of the package
        time.sleep(1)
        source = project / PACKAGE_FILE
        edited = time.perf_counter()
        source.write_text(source.read_text(encoding="utf-8") + f"\n# {probe}\n", encoding="utf-8")
        server.wait_for(r"Building documentation", edited, args.timeout)
        built, _ = server.wait_for(r"Documentation built in", edited, args.timeout)
        rebuilt = server.log_between(edited, built)
        ran = summary(rebuilt)
        rows.append((f"edit of {PACKAGE_FILE}, rebuilt", f"{built - edited:.1f} s", "reruns all"))
        print(f"package edit rebuilt in {built - edited:.1f} s; {ran}", flush=True)
        if any("Reused the" in line for line in rebuilt):
            raise RuntimeError(f"an edit of rnn/ reused a stale result: {ran}")
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)

    width = max(len(name) for name, _, _ in rows)
    print(f"\n{'step':<{width}}  {'time':>8}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>8}  {target}")
    print("(timings on a shared machine vary with its load; judge them by repeated runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

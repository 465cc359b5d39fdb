"""Run the documentation examples and the training tests as other machines would.

What changes the last bits of a result on a reader's machine is the order in which
floating-point numbers are added: another BLAS library or kernel, another number of
threads, another NumPy. This script never touches the machine's BLAS settings
(``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` stay as they are: on some CPUs they keep
an old OpenBLAS from crashing). It simulates those differences instead, and runs the
tests that print or compare numbers again, once per configuration:

- ``2 BLAS threads``: OpenBLAS splits its work between two threads;
- ``nudged``: every random initial weight is multiplied by ``1 + 1e-12 * noise`` (by the
  test harness, ``conftest.py``, not by the package), as if another machine had rounded
  differently; a training run that amplifies such a difference into a printed digit
  fails here;
- ``oldest NumPy``: the lowest NumPy that ``pyproject.toml`` allows, in a venv of its own
  (``make robust`` creates it; pass its Python with ``--oldest-python``).

The default configuration (1 thread, the venv's NumPy, no nudge) is what ``make test``
runs. The script prints a line per configuration, with its NumPy, BLAS and time, and
exits non-zero if any of them failed.

Usage: ``python tools/robustness.py [--oldest-python PATH] [--only NAME ...]``
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: What can differ between machines: every page and docstring example, and the tests that
#: train or compare trained numbers. (The other tests compare shapes, texts, errors, or
#: results within tolerances; ``make test`` runs them.)
TESTS = [
    "docs",
    "README.md",
    "rnn",
    "tests/test_training.py",
    "tests/test_learning_claims.py",
    "tests/test_cells.py",
    "tests/test_carrying_state_claims.py",
    "tests/test_dropout_claims.py",
]


@dataclass
class Configuration:
    name: str
    python: str
    env: dict[str, str] = field(default_factory=dict)


def numpy_floor() -> str:
    """The lowest NumPy that ``pyproject.toml`` declares, e.g. ``'1.26.0'``."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(r'dependencies\s*=\s*\[[^\]]*"numpy\s*>=\s*([0-9.]+)', text)
    if found is None:
        raise SystemExit("pyproject.toml declares no 'numpy>=' floor")
    return found[1]


def configurations(oldest_python: str | None) -> list[Configuration]:
    one = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    two = {"OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"}
    nudged = {**one, "RNN_TEST_NUDGE": "1e-12", "RNN_TEST_NUDGE_SEED": "1"}
    found = [
        Configuration("2 BLAS threads", sys.executable, two),
        Configuration("nudged 1e-12", sys.executable, nudged),
    ]
    if oldest_python:
        found.append(Configuration(f"oldest NumPy ({numpy_floor()})", oldest_python, one))
    return found


def describe(python: str, env: dict[str, str]) -> str:
    """NumPy's version and the BLAS it runs, as that Python sees them."""
    code = (
        "import numpy, threadpoolctl\n"
        "blas = [f\"{p['internal_api']} {p['version']} {p.get('architecture') or ''}\"\n"
        "        f\", {p['num_threads']} thread(s)\"\n"
        "        for p in threadpoolctl.threadpool_info() if p['user_api'] == 'blas']\n"
        "print(f\"numpy {numpy.__version__}, {'; '.join(blas)}\")\n"
    )
    result = subprocess.run(
        [python, "-c", code], env={**os.environ, **env}, capture_output=True, text=True
    )
    return result.stdout.strip() or result.stderr.strip().splitlines()[-1]


def run(configuration: Configuration) -> tuple[bool, str, float]:
    env = {**os.environ, **configuration.env}
    started = time.perf_counter()
    result = subprocess.run(
        [configuration.python, "-m", "pytest", "-q", "-p", "no:randomly", *TESTS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    lines = result.stdout.strip().splitlines()
    summary = lines[-1] if lines else result.stderr.strip()
    if result.returncode != 0:
        print(result.stdout[-20000:], result.stderr[-5000:], sep="\n", flush=True)
    return result.returncode == 0, summary.strip("= "), seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--oldest-python", help="a Python whose NumPy is the declared floor")
    parser.add_argument("--only", nargs="*", help="run only the configurations named so")
    args = parser.parse_args(argv)
    if os.environ.get("CI", "").lower() == "true" and not args.oldest_python:
        parser.error("under CI=true the oldest-NumPy configuration is required")
    chosen = configurations(args.oldest_python)
    if args.only:
        chosen = [c for c in chosen if any(name in c.name for name in args.only)]
    report = []
    for configuration in chosen:
        about = describe(configuration.python, configuration.env)
        print(f"-- {configuration.name}: {about}", flush=True)
        ok, summary, seconds = run(configuration)
        report.append((configuration.name, about, ok, summary, seconds))
        print(f"   {'passed' if ok else 'FAILED'}: {summary} ({seconds:.0f} s)", flush=True)
    print("\nRobustness check: the documentation examples and the training tests")
    for name, about, ok, summary, seconds in report:
        print(f"  {'ok  ' if ok else 'FAIL'} {name:<24} {about}; {summary}; {seconds:.0f} s")
    return 0 if report and all(ok for _, _, ok, _, _ in report) else 1


if __name__ == "__main__":
    sys.exit(main())

"""One BLAS thread for the whole run, and a report of the BLAS NumPy uses.

Most BLAS libraries read their thread count once, when NumPy loads them, so
`ensure_one_thread` may start the command again with the ``*_NUM_THREADS``
variables set to 1.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import numpy as np

THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
REEXEC_MARK = "RNN_BENCH_SINGLE_THREAD"
_LIMITS: Any = None

__all__ = ["REEXEC_MARK", "THREAD_VARIABLES", "blas_report", "ensure_one_thread"]


def _single_threaded_env() -> bool:
    return all(os.environ.get(name) == "1" for name in THREAD_VARIABLES)


def ensure_one_thread() -> str:
    """Make BLAS single-threaded; return how. May re-execute this command (see below).

    ``python -m rnn.bench`` imports ``rnn``, hence NumPy and its BLAS, before this module
    runs, and most BLAS libraries read their thread count once, at load time. So unless
    ``threadpoolctl`` can change it at run time, the command starts itself again with the
    ``*_NUM_THREADS`` variables set to 1.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    if threadpool_limits is not None:
        global _LIMITS
        _LIMITS = threadpool_limits(limits=1)  # kept, so the limit lasts the whole run
        return "threadpoolctl.threadpool_limits(1)"
    if _single_threaded_env():
        how = "re-executed with" if os.environ.get(REEXEC_MARK) else "environment:"
        return f"{how} {', '.join(THREAD_VARIABLES)} = 1"
    if os.environ.get(REEXEC_MARK):
        return "could not force one thread (re-execution did not take)"
    env = dict(os.environ, **dict.fromkeys(THREAD_VARIABLES, "1"), **{REEXEC_MARK: "1"})
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, "-m", "rnn.bench", *sys.argv[1:]], env)
    raise AssertionError("unreachable")  # pragma: no cover


def _openblas_info() -> dict[str, Any]:
    """Core name, config and thread count of a loaded OpenBLAS, read through ctypes."""
    import ctypes

    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return {}
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        info: dict[str, Any] = {"library": os.path.basename(path)}
        for key, names in {
            "corename": ("scipy_openblas_get_corename64_", "openblas_get_corename"),
            "config": ("scipy_openblas_get_config64_", "openblas_get_config"),
            "threads": ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads"),
        }.items():
            for name in names:
                fn = getattr(lib, name, None)
                if fn is None:
                    continue
                fn.restype = ctypes.c_int if key == "threads" else ctypes.c_char_p
                value = fn()
                info[key] = value.decode() if isinstance(value, bytes) else value
                break
        return info
    return {}


def blas_report() -> dict[str, Any]:
    """Report which BLAS NumPy uses, with which kernel and how many threads."""
    report: dict[str, Any] = {}
    try:
        deps = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        report["numpy_blas"] = f"{deps.get('name')} {deps.get('version')}"
    except Exception:  # older NumPy: no dict mode
        report["numpy_blas"] = "unknown"
    try:
        from threadpoolctl import threadpool_info

        report["threadpools"] = [
            {k: pool.get(k) for k in ("internal_api", "version", "num_threads", "architecture")}
            for pool in threadpool_info()
        ]
    except ImportError:
        report["openblas"] = _openblas_info()
    report["env"] = {
        name: os.environ[name]
        for name in (*THREAD_VARIABLES, "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
        if name in os.environ
    }
    return report

"""Count the NumPy calls a function of ``rnn`` makes, by tracing its bytecode.

At batch 1 a step of a recurrent loop does little arithmetic, and each NumPy call costs
about a microsecond whatever its size: the number of calls per step is the loop's floor.
`calls_per_step` counts them without touching the code it counts:

- ``sys.settrace`` follows every instruction (``f_trace_opcodes``) of the frames whose
  code lies in the ``rnn`` package (outside ``rnn.bench``);
- an instruction that calls something is a **NumPy call** when the callee is C code (a
  ufunc, a NumPy function, an array's method: no Python frame opens before the caller's
  next instruction) that ``sys.setprofile`` does not report as one of Python's builtins
  (``len``, ``isinstance``...), or when the Python frame it opens belongs to NumPy;
  a call of ``rnn``'s own Python code is not counted, the NumPy calls inside it are;
- **operators and indexing** (``a * b``, ``a[t]``, ``a[t] = b``, ``a > 0``) are counted
  apart: they call NumPy when their operands are arrays, but the trace cannot see the
  operands, so Python arithmetic on integers counts there too;
- running the same function over ``T`` and ``2 T`` steps and dividing the difference
  by ``T`` leaves only what each step does: the set-up before the loop and the work
  after it cancel out. (Calling a type, ``zip(...)``, ``list(...)``, counts as a NumPy
  call too, as does NumPy's indexing inside a ``for`` over an array not at all.)
"""

from __future__ import annotations

import dis
import os
import sys
from collections.abc import Callable
from types import CodeType, FrameType
from typing import Any

import numpy as np

import rnn

__all__ = ["calls_per_step", "count_numpy_calls"]

_CALLS = {
    "CALL",
    "CALL_KW",
    "CALL_FUNCTION",
    "CALL_FUNCTION_KW",
    "CALL_FUNCTION_EX",
    "CALL_METHOD",
}
_OPERATORS = {"BINARY_OP", "BINARY_SUBSCR", "STORE_SUBSCR", "COMPARE_OP", "UNARY_NEGATIVE"}
_RNN_DIR = os.path.dirname(os.path.abspath(rnn.__file__)) + os.sep
_BENCH_DIR = os.path.join(_RNN_DIR, "bench") + os.sep
_NUMPY_DIR = os.path.dirname(os.path.abspath(np.__file__)) + os.sep


class _Counter:
    """The trace and profile hooks, and what they counted."""

    def __init__(self) -> None:
        self.calls = 0
        self.operators = 0
        self._pending: FrameType | None = None  # a frame whose call is not resolved yet
        self._builtin = False  # the pending call is one of Python's builtins
        self._names: dict[CodeType, dict[int, str]] = {}

    def _opnames(self, code: CodeType) -> dict[int, str]:
        names = self._names.get(code)
        if names is None:
            names = {i.offset: i.opname for i in dis.get_instructions(code)}
            self._names[code] = names
        return names

    def _resolve(self) -> None:
        """Count the pending call if it returned without opening a Python frame: C code."""
        if self._pending is not None and not self._builtin:
            self.calls += 1
        self._pending, self._builtin = None, False

    def trace(self, frame: FrameType, event: str, arg: Any) -> Any:
        """``sys.settrace``'s hook: a new frame opens."""
        if event != "call":
            return None
        filename = os.path.abspath(frame.f_code.co_filename)
        if self._pending is not None:  # the pending call opened this Python frame
            if filename.startswith(_NUMPY_DIR):
                self.calls += 1  # a NumPy function written in Python
            self._pending, self._builtin = None, False
        if filename.startswith(_RNN_DIR) and not filename.startswith(_BENCH_DIR):
            frame.f_trace_opcodes = True
            return self._local
        return None

    def _local(self, frame: FrameType, event: str, arg: Any) -> Any:
        """Follow ``rnn``'s frames: one event per instruction."""
        if event == "opcode":
            self._resolve()
            name = self._opnames(frame.f_code).get(frame.f_lasti, "")
            if name in _CALLS:
                self._pending = frame
            elif name in _OPERATORS:
                self.operators += 1
        elif event == "return":
            self._resolve()
        return self._local

    def profile(self, frame: FrameType, event: str, arg: Any) -> None:
        """``sys.setprofile``'s hook: tells Python's builtins from NumPy's C functions."""
        if event == "c_call" and self._pending is not None:
            owner = getattr(arg, "__self__", None)
            module = getattr(arg, "__module__", None)
            from_numpy = isinstance(owner, np.ndarray) or (module or "").startswith("numpy")
            self._builtin = not from_numpy and (
                module == "builtins" or type(owner).__module__ == "builtins"
            )


def count_numpy_calls(fn: Callable[[], Any]) -> tuple[int, int]:
    """Run ``fn()`` once and count ``rnn``'s NumPy calls and its operators and indexing.

    Returns
    -------
    tuple of int
        ``(calls, operators)``, as the module's docstring defines them.
    """
    counter = _Counter()
    old_trace, old_profile = sys.gettrace(), sys.getprofile()
    sys.settrace(counter.trace)
    sys.setprofile(counter.profile)
    try:
        fn()
    finally:
        sys.settrace(old_trace)
        sys.setprofile(old_profile)
    return counter.calls, counter.operators


def calls_per_step(make: Callable[[int], Callable[[], Any]], timesteps: int) -> tuple[float, float]:
    """NumPy calls, and operators and indexing, per step of a loop over time.

    Parameters
    ----------
    make : callable
        ``make(T)`` returns a function of no argument that runs over ``T`` steps.
    timesteps : int
        ``T``: the counts of ``2 T`` steps minus those of ``T``, divided by ``T``.

    Returns
    -------
    tuple of float
        ``(calls, operators)`` per step.
    """
    once = count_numpy_calls(make(timesteps))
    twice = count_numpy_calls(make(2 * timesteps))
    return (twice[0] - once[0]) / timesteps, (twice[1] - once[1]) / timesteps

"""The benchmark's cases: problem sizes, the baselines, and what ``rnn`` computes.

Each case gives two functions of no argument, ``rnn``'s and the baseline's, that
compute the same arrays (checked equal before timing, see :mod:`rnn.bench.timing`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnn.functional import simple_rnn_backward, simple_rnn_forward

__all__ = [
    "BASELINE_NAMES",
    "CASES",
    "Case",
    "baseline_fn",
    "notebook_loop",
    "problem",
    "rnn_fn",
    "shrink",
]


@dataclass(frozen=True)
class Case:
    """One timed comparison: a problem size, a baseline and the target ratio."""

    batch: int
    timesteps: int
    features: int
    units: int
    baseline: str  # "notebook", "torch" or "torch_backward" (forward + backward)
    target: float

    @property
    def label(self) -> str:
        """The case's sizes in words, as the report's first column shows them."""
        return (
            f"batch {self.batch}, T={self.timesteps:,}, "
            f"{self.features} features, {self.units} units"
        )


CASES = (
    Case(1, 100, 32, 64, "notebook", 0.5),
    Case(32, 100, 32, 64, "notebook", 0.15),
    Case(1, 100, 32, 64, "torch", 0.45),
    Case(32, 100, 32, 64, "torch", 0.8),
    Case(64, 500, 128, 256, "torch", 0.9),
    Case(1, 10_000, 8, 32, "torch", 0.4),
    Case(1, 100, 32, 64, "torch_backward", 0.2),
    Case(32, 100, 32, 64, "torch_backward", 0.65),
    Case(64, 500, 128, 256, "torch_backward", 1.0),
)
BASELINE_NAMES = {
    "notebook": "notebook loop",
    "torch": "torch.nn.RNN",
    "torch_backward": "torch fwd+bwd",
}


def notebook_loop(inputs: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Run the notebook's loop over one sequence ``inputs (timesteps, input_features)``."""
    state_t = np.zeros((W.shape[0],))
    successive_outputs = []
    for input_t in inputs:
        output_t = np.tanh(np.dot(W, input_t) + np.dot(U, state_t) + b)
        successive_outputs.append(output_t)
        state_t = output_t
    return np.stack(successive_outputs, axis=0)


def problem(case: Case, seed: int = 0) -> tuple[np.ndarray, ...]:
    """Draw inputs and Keras-layout weights that keep tanh out of saturation."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((case.batch, case.timesteps, case.features))
    limit = np.sqrt(6 / (case.features + case.units))
    kernel = rng.uniform(-limit, limit, (case.features, case.units))
    recurrent_kernel = np.linalg.qr(rng.standard_normal((case.units, case.units)))[0]
    bias = rng.uniform(-0.1, 0.1, case.units)
    return x, kernel, recurrent_kernel, bias


def baseline_fn(
    case: Case, x: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray
) -> Callable[[], Any]:
    """Return a no-argument function computing the baseline's states (batch, T, units)."""
    if case.baseline == "notebook":
        W = np.ascontiguousarray(kernel.T)
        U = np.ascontiguousarray(recurrent_kernel.T)
        return lambda: [notebook_loop(seq, W, U, bias) for seq in x]
    torch: Any = importlib.import_module("torch")
    module = torch.nn.RNN(case.features, case.units, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.from_numpy(np.ascontiguousarray(kernel.T)))
        module.weight_hh_l0.copy_(torch.from_numpy(np.ascontiguousarray(recurrent_kernel.T)))
        module.bias_ih_l0.copy_(torch.from_numpy(bias))
        module.bias_hh_l0.zero_()
    xt = torch.from_numpy(x)
    if case.baseline == "torch_backward":
        return _torch_backward(torch, module, xt, _grad_states(case))

    def run() -> Any:
        with torch.no_grad():
            return module(xt)[0]

    return run


def _grad_states(case: Case) -> np.ndarray:
    """Draw the gradient of a loss with respect to every state, (batch, timesteps, units)."""
    rng = np.random.default_rng(1)
    return rng.standard_normal((case.batch, case.timesteps, case.units))


def _torch_backward(torch: Any, module: Any, xt: Any, grad: np.ndarray) -> Callable[[], Any]:
    """torch.nn.RNN forward, then autograd's backward: the gradients rnn computes."""
    xt.requires_grad_(True)
    gt = torch.from_numpy(grad)

    def run() -> list[np.ndarray]:
        module.zero_grad(set_to_none=True)
        xt.grad = None
        module(xt)[0].backward(gt)
        return [
            xt.grad.numpy(),
            module.weight_ih_l0.grad.numpy().T,
            module.weight_hh_l0.grad.numpy().T,
            module.bias_ih_l0.grad.numpy(),
        ]

    return run


def rnn_fn(
    case: Case, x: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray
) -> Callable[[], Any]:
    """Return a no-argument function computing what ``rnn`` computes for this case."""
    if case.baseline != "torch_backward":
        return lambda: simple_rnn_forward(x, kernel, recurrent_kernel, bias)
    grad = _grad_states(case)

    def run() -> list[np.ndarray]:
        states = simple_rnn_forward(x, kernel, recurrent_kernel, bias)
        grad_x, grads = simple_rnn_backward(grad, x, states, kernel, recurrent_kernel)
        return [grad_x, grads["kernel"], grads["recurrent_kernel"], grads["bias"]]

    return run


def shrink(case: Case) -> Case:
    """Return a small version of a case, for ``--quick``."""
    return Case(
        min(case.batch, 4),
        min(case.timesteps, 50),
        min(case.features, 16),
        min(case.units, 32),
        case.baseline,
        case.target,
    )

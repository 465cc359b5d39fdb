"""Plumbing of regularizers and constraints in layers and in training.

A layer with weights tells which regularizer and constraint each weight has with
``_weight_rules()``: one ``(regularizer, constraint)`` pair per weight, in the order of
``weights`` (None for none). `ActivityRegularization`, mixed in before `Layer`, adds
Keras's ``activity_regularizer``: the penalty of the layer's output (of each output, with
``return_state``), divided by the batch size, recorded at each call as ``losses`` and
its gradient added to the output's in `Layer.backward`.

`training_terms` gives ``fit`` what one step needs: the penalties of a model's layers
after the forward pass, their gradients with respect to the weights, and the
constraints to apply after the update.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnn import regularizers

Rule = tuple[Any, Any]  # (regularizer or None, constraint or None)


def weight_rules(layer: Any) -> list[Rule]:
    """Return the ``(regularizer, constraint)`` of each of ``layer``'s weights (none: yours)."""
    rules = getattr(layer, "_weight_rules", None)
    if rules is None:
        return [(None, None)] * len(layer.weights)
    found: list[Rule] = rules()
    return found


def _flat(outputs: Any) -> list[np.ndarray]:
    if isinstance(outputs, (list, tuple)):
        return [a for part in outputs for a in _flat(part)]
    return [] if outputs is None else [np.asarray(outputs)]


def activity_penalties(regularizer: Any, outputs: Any) -> list[float]:
    """Keras's activity losses: ``regularizer(output) / batch`` for each output array."""
    losses = []
    for out in _flat(outputs):
        loss = float(regularizer(out))
        if out.ndim > 0:
            loss = loss / out.shape[0] if out.shape[0] else 0.0
        losses.append(loss)
    return losses


def with_activity_gradient(regularizer: Any, outputs: Any, grad: Any) -> Any:
    """``grad`` (shaped like ``outputs``; None or a shorter list: zeros) plus the penalty's."""
    if isinstance(outputs, (list, tuple)):
        parts = list(grad) if isinstance(grad, (list, tuple)) else [grad]
        parts += [None] * (len(outputs) - len(parts))
        return [
            with_activity_gradient(regularizer, o, g) for o, g in zip(outputs, parts, strict=True)
        ]
    out = np.asarray(outputs)
    extra = regularizers._gradient_of(regularizer, out, "activity_regularizer")
    if out.ndim > 0:
        extra = extra / out.shape[0] if out.shape[0] else np.zeros_like(extra)
    extra = np.asarray(extra, dtype=out.dtype)
    return extra if grad is None else np.asarray(grad) + extra


class ActivityRegularization:
    """Mixin (before `Layer`): ``activity_regularizer``, ``losses``, and their gradient.

    The layer sets ``self.activity_regularizer`` (via `regularizers.get`) in ``__init__``.
    """

    activity_regularizer: Any = None
    _activity_losses: list[float] = []  # noqa: RUF012 (replaced, never changed in place)
    _activity_outputs: Any = None

    def __call__(self, inputs: Any, **kwargs: Any) -> Any:
        """Call the layer; with an activity regularizer, record its penalty in ``losses``."""
        out = super().__call__(inputs, **kwargs)  # type: ignore[misc]
        if self.activity_regularizer is not None:
            self._activity_losses = activity_penalties(self.activity_regularizer, out)
        return out

    def forward(self, inputs: Any, **kwargs: Any) -> Any:
        """`Layer.forward`; with an activity regularizer, keep the output for its gradient."""
        out = super().forward(inputs, **kwargs)  # type: ignore[misc]
        if self.activity_regularizer is not None:
            self._activity_losses = activity_penalties(self.activity_regularizer, out)
            self._activity_outputs = out
        return out

    def backward(self, grad_output: Any) -> Any:
        """`Layer.backward`, the activity penalty's gradient added to ``grad_output``."""
        if self.activity_regularizer is not None and self._activity_outputs is not None:
            grad_output = with_activity_gradient(
                self.activity_regularizer, self._activity_outputs, grad_output
            )
        return super().backward(grad_output)  # type: ignore[misc]

    def _sublayers(self) -> list[Any]:
        return []

    def _own_losses(self, nested: bool = False) -> list[float]:
        """Return the activity penalties of the last call: the layer's, then its sublayers'.

        In Keras's order: a layer lists its sublayers' in order, but a model lists the
        sublayers of its layers last first (``nested``; Keras walks them with a
        ``deque.extendleft``).
        """
        own = list(self._activity_losses)
        subs = self._sublayers()
        for sub in reversed(subs) if nested else subs:
            own += sub._own_losses(nested=True)
        return own

    @property
    def losses(self) -> list[float]:
        """Keras's ``layer.losses``, as floats.

        The activity penalties of the last call, then each trainable weight's penalty
        (its regularizer's value now).
        """
        own = self._own_losses()
        if not getattr(self, "trainable", True) or not getattr(self, "built", False):
            return own
        weights = self.weights  # type: ignore[attr-defined]
        rules = weight_rules(self)
        return own + [float(reg(w)) for w, (reg, _) in zip(weights, rules, strict=True) if reg]


def _layers(model: Any) -> list[Any]:
    return list(getattr(model, "layers", None) or [])


def model_losses(model: Any) -> list[float]:
    """Keras's ``model.losses``: every layer's activity penalties, then the weights'."""
    layers = _layers(model)
    own = [
        loss
        for layer in layers
        if hasattr(layer, "_own_losses")
        for loss in layer._own_losses(nested=True)
    ]
    if not getattr(model, "trainable", True):
        return own
    return own + [
        float(reg(w))
        for layer in layers
        if layer.trainable
        for w, (reg, _) in zip(layer.weights, weight_rules(layer), strict=True)
        if reg
    ]


def training_terms(
    model: Any, weights: list[np.ndarray], trainable: list[bool]
) -> tuple[float, dict[int, np.ndarray], list[tuple[int, Any]]]:
    """Return what a training step adds, after the model's forward pass.

    Returns the total penalty (activity, then weights), the gradient of the weights'
    penalties by index into ``weights``, and the ``(index, constraint)`` pairs to apply
    after the update; only trainable weights count.
    """
    layers = _layers(model)
    total = 0.0
    for layer in layers:
        own = getattr(layer, "_own_losses", None)
        if own is not None:
            total += sum(own())
    grads: dict[int, np.ndarray] = {}
    constrained: list[tuple[int, Any]] = []
    rules: list[Rule] = [rule for layer in layers for rule in weight_rules(layer)]
    if len(rules) != len(weights):  # a model of another kind: no rules known
        return total, grads, constrained
    for i, (reg, con) in enumerate(rules):
        if (reg is None and con is None) or not trainable[i]:
            continue
        if reg is not None:
            total += float(reg(weights[i]))
            grads[i] = regularizers._gradient_of(reg, weights[i])
        if con is not None:
            constrained.append((i, con))
    return total, grads, constrained

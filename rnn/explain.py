"""Where every parameter count comes from: formulas with the numbers filled in.

:func:`explain_params` takes a built layer or model and writes, for each layer,
the count as a formula of its sizes, e.g. ``SimpleRNN: 10*10 + 1*10 + 10 = 120``
(recurrent kernel + input kernel + bias), the same formula in words, and, for a
recurrent layer, what PyTorch's ``nn.RNN``/``nn.LSTM``/``nn.GRU`` of the same size
would count: PyTorch keeps two bias vectors per gate (``b_ih`` and ``b_hh``),
so it reports ``gates*h*(h + f + 2)`` where Keras reports ``gates*h*(h + f + 1)``
(except GRU with ``reset_after=True``, which has both biases in Keras too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rnn.layers.core import Dense
from rnn.layers.embedding import Embedding
from rnn.layers.gru import GRU
from rnn.layers.layer import Layer
from rnn.layers.rnn import RNN
from rnn.layers.wrappers import Bidirectional, TimeDistributed

_TORCH_CLASS = {"SimpleRNN": "RNN", "LSTM": "LSTM", "GRU": "GRU"}


@dataclass(frozen=True)
class LayerParams:
    """The parameter count of one layer, explained.

    Attributes
    ----------
    name : str
        The layer's name, e.g. ``"simple_rnn"``.
    class_name : str
        The layer's class, e.g. ``"SimpleRNN"``.
    numbers : str
        The formula with sizes filled in, e.g. ``"10*10 + 1*10 + 10"``.
    words : str
        The same formula in words, e.g. ``"units*units + features*units + units"``.
    count : int
        Its value, equal to ``layer.count_params()``.
    torch : str or None
        For recurrent layers, PyTorch's count for the same sizes, as a formula.
    """

    name: str
    class_name: str
    numbers: str
    words: str
    count: int
    torch: str | None = None

    def __str__(self) -> str:
        lines = [f"{self.name} ({self.class_name}): {self.numbers} = {self.count:,}"]
        lines.append(f"    {self.words}")
        if self.torch:
            lines.append(f"    PyTorch {self.torch}")
        return "\n".join(lines)


@dataclass(frozen=True)
class ParamExplanation:
    """Explanations of every layer of a model (or of one layer) and their total."""

    layers: list[LayerParams] = field(default_factory=list)

    @property
    def total(self) -> int:
        """The sum of the layers' counts."""
        return sum(item.count for item in self.layers)

    def __str__(self) -> str:
        lines = [str(item) for item in self.layers]
        if len(self.layers) > 1:
            terms = " + ".join(f"{item.count:,}" for item in self.layers)
            lines.append(f"Total: {terms} = {self.total:,}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def _recurrent(layer: RNN, features: int, directions: int = 1) -> tuple[str, str, str]:
    """(numbers, words, torch) for a recurrent layer read ``directions`` ways."""
    u, f, g = layer.units, features, layer.gates
    numbers = [f"{u}*{u}", f"{f}*{u}"]
    words = ["units*units", "features*units"]
    if layer.use_bias:
        two = isinstance(layer, GRU) and layer.reset_after
        numbers.append(f"2*{u}" if two else f"{u}")
        words.append("2*units" if two else "units")
    inner_n, inner_w = " + ".join(numbers), " + ".join(words)
    if g > 1:
        inner_n, inner_w = f"{g}*({inner_n})", f"{g}*({inner_w})"
    if directions == 2:
        if g == 1:
            inner_n, inner_w = f"({inner_n})", f"({inner_w})"
        inner_n, inner_w = f"2*{inner_n}", f"2 directions*{inner_w}"
    torch_sum = f"{u} + {f} + 2" if layer.use_bias else f"{u} + {f}"
    torch_count = directions * g * u * (u + f + (2 if layer.use_bias else 0))
    prefix = "2*" if directions == 2 else ""
    gates = f"{g}*" if g > 1 else ""
    args = [str(f), str(u)]
    if not layer.use_bias:
        args.append("bias=False")
    if directions == 2:
        args.append("bidirectional=True")
    torch = (
        f"nn.{_TORCH_CLASS[type(layer).__name__]}({', '.join(args)}): "
        f"{prefix}{gates}{u}*({torch_sum}) = {torch_count:,}"
    )
    return inner_n, inner_w, torch


def _explain_layer(layer: Layer) -> LayerParams:
    if not layer.built:
        layer.count_params()  # raises Keras's "isn't built" error
    name, cls = layer.name, type(layer).__name__
    if isinstance(layer, TimeDistributed):  # the wrapped layer's weights, shared by the steps
        wrapped = _explain_layer(layer.layer)
        words = f"{wrapped.words} (the wrapped {wrapped.class_name}'s, shared by every step)"
        return LayerParams(name, cls, wrapped.numbers, words, wrapped.count, wrapped.torch)
    count = layer.count_params()
    torch = None
    if isinstance(layer, Dense):
        f, u = layer.kernel.shape
        numbers, words = f"{f}*{u}", "features*units"
        if layer.use_bias:
            numbers, words = f"{numbers} + {u}", f"{words} + units"
    elif isinstance(layer, Embedding):
        numbers = f"{layer.input_dim}*{layer.output_dim}"
        words = "input_dim*output_dim"
    elif isinstance(layer, Bidirectional):
        inner = layer.forward_layer
        numbers, words, torch = _recurrent(inner, inner.kernel.shape[0], directions=2)
    elif isinstance(layer, RNN):
        numbers, words, torch = _recurrent(layer, layer.kernel.shape[0])
    else:
        shapes = [w.shape for w in layer.weights]
        numbers = " + ".join("*".join(map(str, s)) or "1" for s in shapes) or "0"
        words = "sum of the weight sizes" if shapes else "no weights"
    return LayerParams(name, cls, numbers, words, count, torch)


def explain_params(layer_or_model: Any) -> ParamExplanation:
    """Explain the parameter count of a built layer or model, formula by formula.

    Parameters
    ----------
    layer_or_model : Layer or Sequential
        Must be built (have its weights).

    Returns
    -------
    ParamExplanation
        Prints as one block per layer: the formula with numbers, the formula
        in words, and for recurrent layers PyTorch's count; then the total.

    Raises
    ------
    ValueError
        If a layer is not built, with Keras's ``count_params`` message.

    Examples
    --------
    >>> import rnn
    >>> from rnn.models import Sequential
    >>> from rnn.layers import SimpleRNN, LSTM, GRU, Dense
    >>> rnn.clear_session()
    >>> model = Sequential([SimpleRNN(10, input_shape=(3, 1)), Dense(1)])
    >>> rnn.explain_params(model)
    simple_rnn (SimpleRNN): 10*10 + 1*10 + 10 = 120
        units*units + features*units + units
        PyTorch nn.RNN(1, 10): 10*(10 + 1 + 2) = 130
    dense (Dense): 10*1 + 1 = 11
        features*units + units
    Total: 120 + 11 = 131

    Gated layers repeat the SimpleRNN sum once per gate:

    >>> print(rnn.explain_params(Sequential([LSTM(32, input_shape=(7, 4))])))
    lstm (LSTM): 4*(32*32 + 4*32 + 32) = 4,736
        4*(units*units + features*units + units)
        PyTorch nn.LSTM(4, 32): 4*32*(32 + 4 + 2) = 4,864
    >>> print(rnn.explain_params(Sequential([GRU(32, input_shape=(7, 4))])))
    gru (GRU): 3*(32*32 + 4*32 + 2*32) = 3,648
        3*(units*units + features*units + 2*units)
        PyTorch nn.GRU(4, 32): 3*32*(32 + 4 + 2) = 3,648

    A `TimeDistributed` layer counts the weights of the layer it wraps, once: every
    step shares them.

    >>> from rnn.layers import TimeDistributed
    >>> print(rnn.explain_params(Sequential([TimeDistributed(Dense(3), input_shape=(4, 5))])))
    time_distributed (TimeDistributed): 5*3 + 3 = 18
        features*units + units (the wrapped Dense's, shared by every step)
    """
    if isinstance(layer_or_model, Layer) and hasattr(layer_or_model, "layers"):
        if not layer_or_model.built:
            layer_or_model.count_params()
        return ParamExplanation([_explain_layer(layer) for layer in layer_or_model.layers])
    return ParamExplanation([_explain_layer(layer_or_model)])

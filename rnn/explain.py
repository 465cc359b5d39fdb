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
from rnn.layers.gru import GRUCell
from rnn.layers.layer import Layer
from rnn.layers.rnn import RNN, RecurrentCell, StackedRNNCells
from rnn.layers.wrappers import Bidirectional, TimeDistributed

_TORCH_CLASS = {"SimpleRNNCell": "RNN", "LSTMCell": "LSTM", "GRUCell": "GRU"}


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


def _recurrent(layer: RNN, directions: int = 1) -> tuple[str, str, str | None]:
    """(numbers, words, torch) for a recurrent layer read ``directions`` ways."""
    features = int(layer.input_shape[-1] or 0)  # built: the size is known
    if isinstance(layer.cell, RecurrentCell):
        return _built_in_cell(layer.cell, features, directions)
    cells = layer.cell.cells if isinstance(layer.cell, StackedRNNCells) else [layer.cell]
    numbers, words = [], []
    for cell in cells:  # each cell reads the output of the one before
        if isinstance(cell, RecurrentCell):
            n, w, _ = _built_in_cell(cell, features, 1)
            features = cell.units
        else:
            n, w = _weight_sizes(cell)
            features = int(getattr(cell, "output_size", None) or _first_size(cell))
        numbers.append(n if len(cells) == 1 else f"({n})")
        words.append(w if len(cells) == 1 else f"{cell.name}: ({w})")
    joined_n, joined_w = " + ".join(numbers), " + ".join(words)
    if directions == 2:
        joined_n, joined_w = f"2*({joined_n})", f"2 directions*({joined_w})"
    return joined_n, joined_w, None


def _twins(forward: RNN, backward: RNN) -> bool:
    """Whether the two directions have the same weights' shapes (the usual copy)."""
    same_shapes = [w.shape for w in forward.weights] == [w.shape for w in backward.weights]
    return type(forward) is type(backward) and same_shapes


def _first_size(cell: Layer) -> int:
    size = getattr(cell, "state_size", 0)
    return int(size[0] if isinstance(size, (list, tuple)) else size)


def _weight_sizes(layer: Layer) -> tuple[str, str]:
    """(numbers, words) for weights without a formula of their own: their sizes, summed."""
    shapes = [w.shape for w in layer.weights]
    numbers = " + ".join("*".join(map(str, s)) or "1" for s in shapes) or "0"
    return numbers, "sum of the weight sizes" if shapes else "no weights"


def _built_in_cell(
    layer: RecurrentCell, features: int, directions: int = 1
) -> tuple[str, str, str]:
    """(numbers, words, torch) for a built-in cell read ``directions`` ways."""
    u, f, g = layer.units, features, layer.gates
    numbers = [f"{u}*{u}", f"{f}*{u}"]
    words = ["units*units", "features*units"]
    if layer.use_bias:
        two = isinstance(layer, GRUCell) and layer.reset_after
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
    elif isinstance(layer, Bidirectional) and _twins(layer.forward_layer, layer.backward_layer):
        numbers, words, torch = _recurrent(layer.forward_layer, directions=2)
    elif isinstance(layer, Bidirectional):  # a backward layer of its own: one sum each
        (fn, fw, _), (bn, bw, _) = _recurrent(layer.forward_layer), _recurrent(layer.backward_layer)
        numbers, words = f"({fn}) + ({bn})", f"forward: ({fw}) + backward: ({bw})"
    elif isinstance(layer, RNN):
        numbers, words, torch = _recurrent(layer)
    else:
        numbers, words = _weight_sizes(layer)
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
    TypeError
        If ``layer_or_model`` is not a layer or model (a layer class gets a hint:
        write ``Dense(...)``).
    ValueError
        If the layer or model (or a layer of it) is not built yet, with Keras's
        ``count_params`` message.

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
    if not isinstance(layer_or_model, Layer):
        what = (
            f"the class {layer_or_model.__name__} itself: write {layer_or_model.__name__}(...)"
            if isinstance(layer_or_model, type)
            else f"{layer_or_model!r} (of type {type(layer_or_model).__name__})"
        )
        raise TypeError(f"explain_params explains a layer or a model. Received: {what}")
    if hasattr(layer_or_model, "layers"):
        if not layer_or_model.built:
            layer_or_model.count_params()
        return ParamExplanation([_explain_layer(layer) for layer in layer_or_model.layers])
    return ParamExplanation([_explain_layer(layer_or_model)])

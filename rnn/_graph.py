"""The graph behind the functional API: symbolic tensors and the calls that made them.

``Input(shape=(3, 1))`` returns a `KerasTensor`: no data, only the shape and dtype of
the data a model will be called on. Calling a layer on KerasTensors builds the layer
(its weights need only the shapes), records the call as a `Node` of the layer, and
returns new KerasTensors for the outputs, each of which remembers the node that made
it (its ``_keras_history``). `rnn.Model(inputs, outputs)` then walks these records
back from the outputs (`map_graph`) to know which layers to run, in which order.

Nothing here computes: the model replays each node on arrays when it is called.

Examples
--------
>>> import rnn
>>> from rnn.layers import Dense, Input
>>> rnn.clear_session()
>>> x = Input(shape=(3,))
>>> y = Dense(2)(x)
>>> y
<KerasTensor shape=(None, 2), dtype=float32, sparse=False, ragged=False, name=keras_tensor_1>
>>> layer, node_index, tensor_index = y._keras_history
>>> layer.name, node_index, tensor_index
('dense', 0, 0)
"""

from __future__ import annotations

import collections
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from rnn._naming import auto_name

if TYPE_CHECKING:
    from rnn.layers.layer import Layer

__all__ = ["KerasHistory", "KerasTensor", "Node", "call_symbolic", "flatten", "is_symbolic"]


class KerasHistory(NamedTuple):
    """Where a `KerasTensor` comes from: the layer, which of its calls, which output."""

    operation: Layer
    node_index: int
    tensor_index: int


class KerasTensor:
    """The symbolic stand-in for an array: a shape, a dtype, and the call that made it.

    You get them from `rnn.layers.Input` and from calling layers on them; you do
    not make them yourself. A KerasTensor holds no values: a model built from them
    (`rnn.Model`) is called on arrays.

    Attributes
    ----------
    shape : tuple of int or None
        With the batch axis first; ``None`` for an axis of any size.
    dtype : str
    name : str
        ``keras_tensor``, ``keras_tensor_1``, ... as in Keras 3.
    """

    def __init__(
        self,
        shape: Sequence[int | None],
        dtype: str,
        history: KerasHistory | None = None,
        name: str | None = None,
    ) -> None:
        self.shape = tuple(shape)
        self.dtype = dtype
        self.name = name if name is not None else auto_name("KerasTensor")
        self._keras_history = history
        #: the mask of this tensor's steps, itself a KerasTensor (None: no mask)
        self._keras_mask: KerasTensor | None = None

    @property
    def ndim(self) -> int:
        """The number of axes, the batch axis included."""
        return len(self.shape)

    def __repr__(self) -> str:
        return (
            f"<KerasTensor shape={self.shape}, dtype={self.dtype}, sparse=False, "
            f"ragged=False, name={self.name}>"
        )

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            f"{self!r} is symbolic: it holds no values, only the shape of the data a model "
            "will get. Use it to call layers and to make a model, `rnn.Model(inputs, "
            "outputs)`, then call the model on NumPy arrays."
        )

    def __bool__(self) -> bool:
        raise TypeError(
            f"{self!r} is symbolic and has no truth value: rnn's functional API builds a "
            "graph of layer calls only (no Python `if` on tensors)."
        )

    def _no_maths(self, *args: Any) -> Any:
        raise TypeError(
            f"rnn's KerasTensors support layer calls only, not arithmetic ({self!r}). "
            "Keras turns `a + b` into an operation of its own; in rnn, compute with layers "
            "(e.g. `rnn.layers.Add()([a, b])`) or on the arrays a model returns."
        )

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _no_maths
    __truediv__ = __rtruediv__ = __matmul__ = __rmatmul__ = __neg__ = __pow__ = _no_maths
    __getitem__ = _no_maths


def flatten(structure: Any) -> list[Any]:
    """Return the leaves of nested lists, tuples and dicts (values in insertion order)."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for item in structure.values() for leaf in flatten(item)]
    return [structure]


def pack_like(structure: Any, leaves: Iterator[Any]) -> Any:
    """``structure`` with its leaves replaced, in order, by the items of ``leaves``."""
    if isinstance(structure, (list, tuple)):
        return type(structure)(pack_like(item, leaves) for item in structure)
    if isinstance(structure, dict):
        return {key: pack_like(item, leaves) for key, item in structure.items()}
    return next(leaves)


def is_symbolic(inputs: Any, kwargs: dict[str, Any]) -> bool:
    """Whether a layer call has a `KerasTensor` among its inputs or keyword arguments."""
    leaves = flatten(inputs) + flatten(kwargs)
    return any(isinstance(leaf, KerasTensor) for leaf in leaves)


class Node:
    """One call of a layer on KerasTensors: what it was given and what it returned.

    Attributes
    ----------
    layer : Layer
    args : tuple
        The positional arguments of the call (the inputs), KerasTensors in place.
    kwargs : dict
        The keyword arguments (``initial_state=[h, c]``, ``training=False``...).
    outputs : list of KerasTensor
    """

    def __init__(
        self, layer: Layer, args: tuple[Any, ...], kwargs: dict[str, Any], outputs: list[Any]
    ) -> None:
        self.layer = layer
        self.args = args
        self.kwargs = kwargs
        self.outputs = outputs

    @property
    def input_tensors(self) -> list[KerasTensor]:
        """Every KerasTensor the call read: the inputs, then those of the keyword arguments."""
        leaves = flatten(self.args) + flatten(self.kwargs)
        return [leaf for leaf in leaves if isinstance(leaf, KerasTensor)]

    @property
    def gradient_tensors(self) -> list[KerasTensor]:
        """The input tensors a gradient flows back to: all but the ``mask``."""
        given = {key: value for key, value in self.kwargs.items() if key != "mask"}
        leaves = flatten(self.args) + flatten(given)
        return [leaf for leaf in leaves if isinstance(leaf, KerasTensor)]

    @property
    def is_input(self) -> bool:
        """Whether this is the node of an `InputLayer` (it reads nothing)."""
        return not self.input_tensors

    @property
    def parent_nodes(self) -> list[Node]:
        """The nodes that made this node's input tensors."""
        parents = []
        for tensor in self.input_tensors:
            history = tensor._keras_history
            if history is not None:
                parents.append(inbound_nodes(history.operation)[history.node_index])
        return parents

    def __repr__(self) -> str:
        return f"<Node of {self.layer.name!r}: {len(self.outputs)} output(s)>"


def inbound_nodes(layer: Any) -> list[Node]:
    """Return the calls of ``layer`` on KerasTensors so far (a list that grows)."""
    nodes: list[Node] | None = layer.__dict__.get("_inbound_nodes")
    if nodes is None:
        nodes = layer.__dict__["_inbound_nodes"] = []
    return nodes


def _shape_of(inputs: Any) -> Any:
    if isinstance(inputs, KerasTensor):
        return inputs.shape
    return [_shape_of(item) for item in inputs]


def _check_inputs(layer: Layer, inputs: Any) -> None:
    for leaf in flatten(inputs):
        if not isinstance(leaf, KerasTensor):
            raise ValueError(
                f"Layer '{layer.name}' was called on a mix of KerasTensors (from `Input`) "
                f"and other values; in a functional model every input of a layer must come "
                f"from `Input` or from another layer. Received: {leaf!r} of type "
                f"{type(leaf)}"
            )


def call_symbolic(layer: Layer, inputs: Any, kwargs: dict[str, Any]) -> Any:
    """Record ``layer(inputs, **kwargs)`` on KerasTensors; return the output KerasTensor(s).

    The layer is built for the inputs' shapes (so a wrong shape fails here, with the
    layer's own message), and the outputs' shapes come from its
    ``compute_output_shape``. A layer with several outputs (``return_state=True``)
    returns a tuple, as in Keras 3. An input's mask goes to a layer whose ``call``
    takes ``mask`` as a keyword argument of the call, as Keras 3 records it.
    """
    _check_inputs(layer, inputs)
    kwargs = dict(kwargs)
    layer.call_arguments("call", {k: v for k, v in kwargs.items() if k != "mask"})
    input_mask = inputs._keras_mask if isinstance(inputs, KerasTensor) else None
    takes_mask = "mask" in _call_keywords(layer)
    if input_mask is not None and kwargs.get("mask") is None and takes_mask:
        kwargs["mask"] = input_mask
    shape = _shape_of(inputs)
    layer.maybe_build(shape)
    out_shape = layer.compute_output_shape(shape)
    several = isinstance(out_shape, list)
    shapes = out_shape if several else [out_shape]
    nodes = inbound_nodes(layer)
    outputs = [
        KerasTensor(s, _output_dtype(layer), KerasHistory(layer, len(nodes), i))
        for i, s in enumerate(shapes)
    ]
    nodes.append(Node(layer, (inputs,), kwargs, outputs))
    masks = _output_masks(layer, inputs, input_mask)
    masks = masks if isinstance(masks, list) else [masks]
    for tensor, mask in zip(outputs, masks, strict=False):
        tensor._keras_mask = mask if isinstance(mask, KerasTensor) else None
    return tuple(outputs) if several else outputs[0]


def _call_keywords(layer: Any) -> frozenset[str]:
    from rnn.layers.layer import _keywords

    return _keywords(type(layer), "call")


def _output_dtype(layer: Layer) -> str:
    return str(getattr(layer, "dtype", "float32"))


class MaskOperation:
    """An operation Keras 3 adds to a functional graph to compute a mask.

    ``Embedding(mask_zero=True)`` and `Masking` compute their output's mask from their
    input with operations of their own, which Keras's summary lists as rows
    (``not_equal (NotEqual)``, ``any (Any)``). They have no weights and no gradient.
    """

    trainable = True
    built = True
    weights: list[Any] = []  # noqa: RUF012 (none, ever)

    def __init__(self, value: float = 0.0) -> None:
        self.name = auto_name(type(self).__name__)
        self.value = value

    def count_params(self) -> int:
        """Return 0: an operation has no weights."""
        return 0

    @property
    def output_shape(self) -> tuple[int | None, ...]:
        """The shape of the operation's output."""
        return inbound_nodes(self)[0].outputs[0].shape

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> None:
        """Return None: a mask has no mask."""
        return None

    def get_config(self) -> dict[str, Any]:
        """Return the operation's name."""
        return {"name": self.name}

    def arguments(self, tensor: KerasTensor) -> tuple[Any, ...]:
        """Return the positional arguments of the call, as Keras records them."""
        return (tensor,)

    def apply(self, tensor: KerasTensor, shape: tuple[int | None, ...]) -> KerasTensor:
        """Record the operation on ``tensor``; return its boolean output."""
        nodes = inbound_nodes(self)
        me: Any = self  # stands where a layer stands in the graph
        out = KerasTensor(shape, "bool", KerasHistory(me, len(nodes), 0))
        nodes.append(Node(me, self.arguments(tensor), {}, [out]))
        return out


class NotEqual(MaskOperation):
    """``x != value``, elementwise: the mask of an `Embedding` with ``mask_zero``."""

    def arguments(self, tensor: KerasTensor) -> tuple[Any, ...]:
        """``(x, value)``, as Keras records the call."""
        return (tensor, self.value)

    def __call__(self, x: Any, **kwargs: Any) -> Any:
        """Compare each entry with the padding value."""
        import numpy as np

        return np.not_equal(x, self.value)


class Any_(MaskOperation):
    """Whether any feature of a step is True: the mask of a `Masking` layer."""

    def get_config(self) -> dict[str, Any]:
        """Return the name and the reduced axis, as Keras's config holds them."""
        return {"name": self.name, "axis": -1, "keepdims": False}

    def __call__(self, x: Any, **kwargs: Any) -> Any:
        """Reduce the last axis with ``any``."""
        import numpy as np

        return np.any(x, axis=-1)


Any_.__name__ = Any_.__qualname__ = "Any"  # Keras's class name, which the summary prints


def _output_masks(layer: Any, inputs: Any, input_mask: KerasTensor | None) -> Any:
    """Return the mask tensor(s) of a call's outputs, as Keras 3 computes them in its graph."""
    if not isinstance(inputs, KerasTensor):
        return None  # merging layers: rnn merges masks when the model runs
    if getattr(layer, "mask_zero", False):  # an Embedding
        return NotEqual(0).apply(inputs, inputs.shape)
    if type(layer).__name__ == "Masking" and hasattr(layer, "mask_value"):
        different = NotEqual(layer.mask_value).apply(inputs, inputs.shape)
        return Any_().apply(different, inputs.shape[:-1])
    if input_mask is None or not getattr(layer, "supports_masking", False):
        return None
    return layer.compute_mask(None, input_mask)


# ------------------------------------------------------------------ walking the graph
class Graph(NamedTuple):
    """What `map_graph` finds: the nodes to run and the layers, in Keras's orders."""

    nodes: list[Node]  # in an order that computes each input before it is read
    layers: list[Any]  # by depth (inputs first), then by first visit, as Keras lists them
    depth: dict[int, int]  # id(node) -> depth (0 for the nodes of the outputs)


def map_graph(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> Graph:
    """Find the nodes between ``inputs`` and ``outputs``, and order them.

    Layers are listed as Keras 3 lists them: deepest first (the inputs), and at equal
    depth in the order a depth-first walk back from the outputs first meets them.

    Raises
    ------
    ValueError
        If an output depends on a tensor that is not computed from ``inputs`` (the
        graph is disconnected), if the graph has a cycle, or if two layers share a name.
    """
    ordered: list[Node] = []  # from the inputs to the outputs
    finished: set[int] = set()
    in_progress: set[int] = set()
    first_visit: dict[int, int] = {}  # id(layer) -> order of first visit
    input_ids = {id(t) for t in inputs}

    def visit(tensor: KerasTensor) -> None:
        history = tensor._keras_history
        if history is None:
            return
        node = inbound_nodes(history.operation)[history.node_index]
        if id(node) in finished:
            return
        if not node.is_input and id(tensor) in input_ids:  # a given input: stop here
            finished.add(id(node))
            return
        if id(node) in in_progress:
            raise ValueError(
                f"Tensor {tensor!r} from layer '{node.layer.name}' is part of a cycle."
            )
        first_visit.setdefault(id(node.layer), len(first_visit))
        in_progress.add(id(node))
        for parent in node.input_tensors:
            visit(parent)
        finished.add(id(node))
        in_progress.discard(id(node))
        ordered.append(node)

    for output in outputs:
        visit(output)

    in_graph = {id(node) for node in ordered}
    depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    layers: dict[int, Any] = {}
    for node in reversed(ordered):
        d = max(depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth[id(node)] = d
        layers[id(node.layer)] = node.layer
        for parent in node.parent_nodes:
            if id(parent) in in_graph:
                depth[id(parent)] = max(d + 1, depth.get(id(parent), 0))
    for tensor in inputs:  # inputs no output depends on are listed too
        history = tensor._keras_history
        if history is not None and id(history.operation) not in layer_depth:
            node = inbound_nodes(history.operation)[history.node_index]
            if node.is_input:
                layer_depth[id(node.layer)] = depth[id(node)] = 0
                layers[id(node.layer)] = node.layer
                first_visit[id(node.layer)] = -1
                ordered.insert(0, node)

    by_depth: dict[int, list[Any]] = collections.defaultdict(list)
    for key, d in layer_depth.items():
        by_depth[d].append(layers[key])
    listed = [
        layer
        for d in sorted(by_depth, reverse=True)
        for layer in sorted(by_depth[d], key=lambda layer: first_visit[id(layer)])
    ]
    _check_computable(inputs, ordered)
    names = [layer.name for layer in listed]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(
                f'The name "{name}" is used {names.count(name)} times in the model. All '
                "layer names should be unique."
            )
    run_order = sorted(ordered, key=lambda node: -depth[id(node)])
    return Graph(run_order, listed, depth)


def _check_computable(inputs: list[KerasTensor], ordered: list[Node]) -> None:
    """Raise if a node reads a tensor that the model's inputs do not lead to."""
    known = {id(t) for t in inputs}
    for node in ordered:
        if node.is_input and not any(id(t) in known for t in node.outputs):
            continue
        for tensor in node.input_tensors:
            if id(tensor) not in known:
                given = ", ".join(repr(t.name) for t in inputs)
                origin = tensor._keras_history
                where = "" if origin is None else f" (made by layer '{origin.operation.name}')"
                raise ValueError(
                    f"Graph disconnected: cannot find parent for tensor {tensor!r}{where} "
                    f"at layer '{node.layer.name}'. The model's inputs are [{given}]: "
                    "pass every `Input` the outputs depend on in `inputs`."
                )
        known.update(id(t) for t in node.outputs)

"""`Functional`: a model of layer calls, Keras's functional API.

``rnn.Model(inputs, outputs)`` makes one: layers called on the `KerasTensor` of `Input`
(see :mod:`rnn._graph`), for models with several inputs or outputs, branches, shared
layers, or states passed from one recurrent layer to another. Several outputs train with
a loss each, as in Keras.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple, cast

import numpy as np

from rnn import _data_adapter, _graph
from rnn import losses as losses_module
from rnn import metrics as metrics_module
from rnn._data_adapter import ArrayList
from rnn._graph import KerasTensor, MaskOperation
from rnn._naming import auto_name
from rnn.callbacks import Callback, resolve_verbose
from rnn.layers._penalties import (
    ActivityRegularization,
    activity_penalties,
    with_activity_gradient,
)
from rnn.layers.layer import Layer, format_shape, shape_of
from rnn.models.model import Model, predict_batches

__all__ = ["Functional"]

_HELD = object()  # a node whose layer keeps its own cache (a nested model)


class _Activity(NamedTuple):
    """A node's cache with its output, for the gradient of an activity penalty."""

    outputs: Any
    cache: Any


def _tensors(structure: Any, what: str) -> list[KerasTensor]:
    """Return the KerasTensors of a model's ``inputs`` or ``outputs`` (one, a list or a dict)."""
    leaves = _graph.flatten(structure)
    for leaf in leaves:
        if not isinstance(leaf, KerasTensor):
            raise ValueError(
                f"All `{what}` values must be KerasTensors. Received: {what}={structure!r} "
                f"including invalid value {leaf!r} of type {type(leaf)}"
            )
    if not leaves:
        raise ValueError(f"A model needs at least one tensor in `{what}`. Received: {what}=[]")
    return leaves


class Functional(Model):
    """A model of layer calls, what ``rnn.Model(inputs, outputs)`` returns (see `Model`).

    It finds the layers between ``inputs`` and ``outputs`` (`rnn._graph.map_graph`),
    lists them in Keras's order, replays their calls on arrays, and backpropagates
    through them, a layer called twice getting the sum of its gradients.

    Parameters
    ----------
    inputs : KerasTensor or list of KerasTensor
        The model's inputs, from `Input`.
    outputs : KerasTensor or list of KerasTensor
        Tensors computed from ``inputs`` by layer calls.
    name : str, optional
        Default ``functional``, ``functional_1``, ...

    Raises
    ------
    ValueError
        If an input or output is not a KerasTensor, or an output depends on an
        `Input` that is not among ``inputs`` (Keras's "Graph disconnected").
    TypeError
        Without ``inputs`` and ``outputs``: rnn has no subclassed models (a ``call``
        written by you), because it cannot differentiate your code.
    """

    def __init__(
        self,
        inputs: Any = None,
        outputs: Any = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if inputs is None or outputs is None:
            raise TypeError(
                "rnn.Model makes functional models only: `Model(inputs, outputs)`, with "
                "`inputs` from `rnn.layers.Input` and `outputs` from layer calls. Keras's "
                "subclassed models (a `call` method of your own) are not supported: rnn "
                "cannot differentiate your code. Write the model with the functional API "
                "or `Sequential`, or write a layer of your own (see `rnn.layers.Layer`)."
            )
        trainable = kwargs.pop("trainable", True)
        Model.__init__(
            self,
            name=name if name is not None else auto_name("Functional"),
            trainable=trainable,
            **kwargs,
        )
        self._inputs_structure = inputs
        self._outputs_structure = outputs
        self.inputs = _tensors(inputs, "inputs")
        self.outputs = _tensors(outputs, "outputs")
        graph = _graph.map_graph(self.inputs, self.outputs)
        self._layers_in_order = graph.layers
        self._nodes = [node for node in graph.nodes if not node.is_input]
        self._all_nodes = graph.nodes
        self._trace: list[tuple[_graph.Node, Any]] | None = None
        #: the mask of the (first) output of the last call or `forward` (None without masking)
        self.output_mask: np.ndarray | None = None
        self.built = True

    # ------------------------------------------------------------------ layers
    @property
    def layers(self) -> list[Layer]:
        """Every layer, the `InputLayer`s first, in Keras 3's order."""
        return [op for op in self._layers_in_order if not isinstance(op, MaskOperation)]

    @layers.setter
    def layers(self, value: Any) -> None:
        raise AttributeError(
            "`Model.layers` attribute is reserved and should not be used. Make a new "
            "model from the layers' calls instead."
        )

    @property
    def operations(self) -> list[Any]:
        """The layers and the mask operations Keras 3 adds to the graph (its summary's rows).

        ``Embedding(mask_zero=True)`` and `Masking` compute their masks with operations
        of their own (``not_equal``, ``any``), which Keras 3 lists here and prints.
        """
        return list(self._layers_in_order)

    # ------------------------------------------------------------------ shapes
    @property
    def input_shape(self) -> Any:
        """The input shape, or a list of them for several inputs (batch axis first)."""
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self) -> Any:
        """The output shape, or a list of them for several outputs."""
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def compute_output_shape(self, input_shape: Any) -> Any:
        """Return the output shape(s) of the model (its graph fixes them)."""
        return self.output_shape

    @property
    def input_names(self) -> list[str]:
        """The names of the input layers, in the order of ``inputs``."""
        names = []
        for tensor in self.inputs:
            history = tensor._keras_history
            names.append(tensor.name if history is None else history.operation.name)
        return names

    # ------------------------------------------------------------------ running
    def _input_expectation(self) -> tuple[str | None, int | None]:
        """Return what ``x`` should be: one array of the input's shape, or one per input."""
        if len(self.inputs) == 1:
            shape = self.inputs[0].shape
            return _data_adapter.describe_shape(shape), len(shape)
        return (
            f"a list of {len(self.inputs)} arrays, one per input, or a dict by input name "
            f"(keys {self.input_names})"
        ), None

    def _arrays(self, inputs: Any, name: str = "inputs") -> list[np.ndarray]:
        """Return the model's inputs as arrays, one per `Input`, with their shapes checked."""
        n = len(self.inputs)
        if isinstance(inputs, ArrayList):
            inputs = inputs.arrays
        if inputs is None or isinstance(inputs, Iterator):
            _data_adapter.as_array(inputs, name, self._input_expectation()[0])
        if isinstance(inputs, dict):
            missing = [name for name in self.input_names if name not in inputs]
            if missing:
                raise ValueError(
                    f"Layer '{self.name}' expects inputs with keys {self.input_names}; "
                    f"missing: {missing}. Received keys: {list(inputs)}"
                )
            given = [inputs[name] for name in self.input_names]
        elif isinstance(inputs, (list, tuple)) and (n > 1 or len(inputs) == 1):
            given = list(inputs)
        else:
            given = [inputs]
        if len(given) != n:
            keys = ", ".join(f"'{name}': ..." for name in self.input_names)
            raise ValueError(
                f'Layer "{self.name}" expects {n} named input(s) with keys '
                f"{self.input_names}, but it received {len(given)} input tensors. Pass "
                f"inputs as a dict, e.g. `layer({{{keys}}})`."
            )
        arrays = []
        for i, (tensor, value) in enumerate(zip(self.inputs, given, strict=True)):
            label = name if n == 1 else f"{name}[{i}]"
            wanted = _data_adapter.describe_shape(tensor.shape)
            array = _data_adapter.as_array(value, label, wanted)
            expected = tensor.shape
            fits = array.ndim == len(expected) and all(
                e is None or e == a for e, a in zip(expected, array.shape, strict=True)
            )
            if not fits:
                raise ValueError(
                    f"Input {i} with name '{self.input_names[i]}' of layer '{self.name}' is "
                    f"incompatible with the layer: expected shape={format_shape(expected)}, "
                    f"found shape={format_shape(array.shape)}"
                )
            arrays.append(array)
        return arrays

    def __call__(
        self, inputs: Any, training: bool | None = None, mask: Any = None, **kwargs: Any
    ) -> Any:
        """Run the model on arrays (one per input: a list, or a dict by input name).

        Called on KerasTensors, it is a layer of a bigger functional model.
        """
        if _graph.is_symbolic(inputs, kwargs):
            return _graph.call_symbolic(self, inputs, {"training": training, **kwargs})
        if kwargs:
            raise TypeError(
                f"Model.__call__() got an unexpected keyword argument '{next(iter(kwargs))}'"
            )
        return self._run(inputs, training, mask, keep=False)

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        """Run the model on ``inputs``: the same as calling it."""
        return self(inputs, training=training, mask=mask)

    def maybe_build(self, input_shape: Any) -> None:
        """Check that ``input_shape`` fits the inputs (a model is built when it is made)."""
        shapes = input_shape if len(self.inputs) > 1 else [input_shape]

        def fits(shape: Any, tensor: KerasTensor) -> bool:
            if len(shape) != len(tensor.shape):
                return False
            pairs = zip(tensor.shape, shape, strict=True)
            return all(e is None or g is None or e == g for e, g in pairs)

        if len(shapes) != len(self.inputs) or not all(
            fits(s, t) for s, t in zip(shapes, self.inputs, strict=True)
        ):
            raise ValueError(
                f"Model '{self.name}' expects inputs of shape {self.input_shape}, got {input_shape}"
            )

    def _run(self, inputs: Any, training: bool | None, mask: Any, keep: bool) -> Any:
        """Replay every node on arrays, passing masks on; ``keep`` the caches for backward."""
        arrays = self._arrays(inputs)
        values: dict[int, Any] = {id(t): a for t, a in zip(self.inputs, arrays, strict=True)}
        masks: dict[int, Any] = {}
        if mask is not None:
            given = mask if len(self.inputs) > 1 else [mask]
            masks.update({id(t): m for t, m in zip(self.inputs, given, strict=True)})
        trace: list[tuple[_graph.Node, Any]] = []
        for node in self._nodes:
            layer = node.layer
            leaves = iter(values[id(t)] for t in _graph.flatten(node.args[0]))
            x = _graph.pack_like(node.args[0], leaves)
            kwargs = {key: self._resolve(value, values) for key, value in node.kwargs.items()}
            kwargs.setdefault("training", training)
            previous = self._resolve(node.args[0], masks, missing=None)
            if all(m is None for m in _graph.flatten(previous)):
                previous = None
            if previous is not None:
                kwargs.setdefault("mask", previous)
            if keep:
                out, cache = self._forward_node(layer, x, kwargs)
                trace.append((node, cache))
            else:
                out = layer(x, **kwargs)
            out_mask = layer.compute_mask(x, previous)
            outs = list(out) if len(node.outputs) > 1 else [out]
            out_masks = out_mask if isinstance(out_mask, list) else [out_mask]
            out_masks += [None] * (len(outs) - len(out_masks))
            for tensor, value, m in zip(node.outputs, outs, out_masks, strict=True):
                values[id(tensor)] = value
                masks[id(tensor)] = m
        if keep:
            self._trace = trace
        self.output_mask = masks.get(id(self.outputs[0]))
        self.output_masks = [masks.get(id(t)) for t in self.outputs]
        results = [values[id(t)] for t in self.outputs]
        return _graph.pack_like(self._outputs_structure, iter(results))

    @staticmethod
    def _resolve(structure: Any, values: dict[int, Any], missing: Any = KeyError) -> Any:
        """``structure`` with each KerasTensor replaced by its entry in ``values``."""
        leaves = _graph.flatten(structure)
        found = (
            (values[id(leaf)] if missing is KeyError else values.get(id(leaf), missing))
            if isinstance(leaf, KerasTensor)
            else leaf
            for leaf in leaves
        )
        return _graph.pack_like(structure, iter(found))

    def _forward_node(self, layer: Layer, x: Any, kwargs: dict[str, Any]) -> tuple[Any, Any]:
        """Run one node keeping its own cache, so a layer called twice trains right."""
        if isinstance(layer, MaskOperation):
            return layer(x), None
        if type(layer).forward not in (Layer.forward, ActivityRegularization.forward):
            # a model inside the model, or a layer with a forward pass of its own
            if sum(node.layer is layer for node in self._nodes) > 1:
                raise NotImplementedError(
                    f"Layer '{layer.name}' is called more than once in model '{self.name}' "
                    "and keeps a single cache: rnn can run it but not train it."
                )
            return layer.forward(x, **kwargs), _HELD
        array = layer.convert_input(x)
        layer.maybe_build(shape_of(array))
        arguments = layer.call_arguments("forward_with_cache", kwargs)
        out, cache = layer.forward_with_cache(array, **arguments)
        rule = getattr(layer, "activity_regularizer", None)
        if rule is not None:  # the penalty on this call's output, and its gradient later
            layer._activity_losses = activity_penalties(rule, out)  # type: ignore[attr-defined]
            cache = _Activity(out, cache)
        return out, cache

    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: Any = "auto",
        steps: int | None = None,
        callbacks: Sequence[Callback] | None = None,
    ) -> Any:
        """Run the model on ``x`` in batches of ``batch_size`` (default 32).

        ``x`` is an array, or a list (or a dict by input name) of arrays for several
        inputs; the result has one array per output. ``callbacks``, ``verbose`` and
        ``steps`` as in `Sequential.predict`, which also says what it refuses (and here an
        ``x`` that does not fit the inputs' shapes).
        """
        arrays = self._arrays(x, "x")
        size = _data_adapter.check_batch_size(batch_size)
        resolve_verbose(verbose)
        if steps is not None:
            _data_adapter.check_int(steps, "steps", 1, type_error=ValueError)
        samples = _data_adapter.check_cardinality(**{f"x[{i}]": a for i, a in enumerate(arrays)})
        if samples == 0:
            raise ValueError("Expected input data to be non-empty.")
        batches = [[a[i : i + size] for a in arrays] for i in range(0, samples, size)]
        parts = predict_batches(self, batches, callbacks)
        if len(parts) == 1:
            return parts[0]
        if len(self.outputs) == 1 and not isinstance(self._outputs_structure, (list, tuple)):
            return np.concatenate(parts, axis=0)
        flat = [_graph.flatten(p) for p in parts]
        joined = [np.concatenate(column, axis=0) for column in zip(*flat, strict=True)]
        return _graph.pack_like(self._outputs_structure, iter(joined))

    # ------------------------------------------------------------------ training
    def _data(self, x: Any) -> Any:
        """``x`` as `fit` and `evaluate` slice it: several inputs become one `ArrayList`."""
        if x is None or isinstance(x, ArrayList):
            return x
        if len(self.inputs) == 1:
            return self._arrays(x, "x")[0] if isinstance(x, Mapping) else x
        return ArrayList(self._arrays(x, "x"))

    @property
    def output_names(self) -> list[str]:
        """The names of the layers that make the outputs, as Keras names them in logs."""
        return [
            t._keras_history.operation.name if t._keras_history else t.name for t in self.outputs
        ]

    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: Any = None,
        loss_weights: Any = None,
    ) -> None:
        """Choose the optimizer, the loss and the metrics, as `Sequential.compile`.

        For several outputs, as in Keras: ``loss`` is one loss for every output, a list
        (one per output) or a dict by output name; ``loss_weights`` (a list or dict) scale
        each output's loss in the total; ``metrics`` is a list of lists or a dict by
        output name. The logs then hold ``loss`` (the weighted total), each output's
        ``<name>_loss`` and its metrics as ``<name>_<metric>``.

        Raises
        ------
        ValueError
            For losses or metrics that do not match the outputs (Keras's wording).
        """
        names = self.output_names
        if len(names) == 1:
            if loss_weights is not None:
                raise NotImplementedError(
                    "`loss_weights` scales the losses of a model with several outputs; "
                    f"model '{self.name}' has one: scale the learning rate instead."
                )
            super().compile(optimizer=optimizer, loss=loss, metrics=metrics)
            return
        super().compile(optimizer=optimizer, loss=None, metrics=None)
        per_output = _per_output(loss, names, "loss", single_allowed=True)
        weights = _per_output(loss_weights, names, "loss_weights", single_allowed=False)
        ids = _per_output(metrics, names, "metrics", single_allowed=False)
        self.loss = _OutputLosses(  # type: ignore[assignment]
            self,
            [None if item is None else losses_module.get(item) for item in per_output],
            [1.0 if w is None else float(w) for w in weights],
        )
        self._output_metric_ids = [
            metrics_module._check_ids(None if item is None else list(item)) for item in ids
        ]

    def _tracker(self, y: Any, y_pred: Any) -> Any:
        if isinstance(self.loss, _OutputLosses):
            return _OutputsTracker(self, y, y_pred)
        return super()._tracker(y, y_pred)

    def _targets(self, y: Any) -> Any:
        """``y`` as `fit` slices it: one array per output become one `ArrayList`."""
        if y is None or isinstance(y, ArrayList):
            return y
        if isinstance(y, Mapping):
            missing = [name for name in self.output_names if name not in y]
            if missing:
                raise ValueError(
                    f"`y` is a dict by output name, but has no {missing}: model "
                    f"'{self.name}' has the outputs {self.output_names}. Received keys: "
                    f"{list(y)}"
                )
            y = [y[name] for name in self.output_names]
            return y[0] if len(self.outputs) == 1 else ArrayList(y)
        if len(self.outputs) == 1:
            return y
        return ArrayList(list(y))

    def fit(self, x: Any = None, y: Any = None, *args: Any, **kwargs: Any) -> Any:
        """Train as `Sequential.fit`; ``x`` (and ``validation_data``'s) holds one array per input.

        For several inputs, ``x`` is a list of arrays (or a dict by input name) with the
        same number of samples.
        """
        validation = kwargs.get("validation_data")
        if validation is not None and len(validation) >= 2:
            x_val, y_val, *rest = validation
            kwargs["validation_data"] = (self._data(x_val), self._targets(y_val), *rest)
        return super().fit(self._data(x), self._targets(y), *args, **kwargs)

    def evaluate(self, x: Any = None, y: Any = None, *args: Any, **kwargs: Any) -> Any:
        """Return the loss (and metrics) as `Sequential.evaluate`; one array per input."""
        return super().evaluate(self._data(x), self._targets(y), *args, **kwargs)

    def train_on_batch(self, x: Any, y: Any = None, *args: Any, **kwargs: Any) -> Any:
        """One optimizer step, as `Sequential.train_on_batch`; one array per input."""
        return super().train_on_batch(self._data(x), self._targets(y), *args, **kwargs)

    def test_on_batch(self, x: Any, y: Any = None, *args: Any, **kwargs: Any) -> Any:
        """Loss (and metrics) on one batch, as `Sequential.test_on_batch`."""
        return super().test_on_batch(self._data(x), self._targets(y), *args, **kwargs)

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        """Return the mask of the model's (first) output for ``inputs``."""
        self._run(inputs, False, previous_mask, keep=False)
        return self.output_mask

    # ------------------------------------------------------------------ gradients
    def forward(
        self, inputs: Any, training: bool | None = None, mask: Any = None, **kwargs: Any
    ) -> Any:
        """Run every node's forward pass, keeping what `backward` needs.

        The values are those of calling the model.
        """
        if kwargs:
            raise TypeError(
                f"Model.forward() got an unexpected keyword argument '{next(iter(kwargs))}'"
            )
        return self._run(inputs, training, mask, keep=True)

    def backward(self, grad_output: Any) -> Any:
        """Backpropagate through the last `forward`, last node first; fill `grads`.

        Parameters
        ----------
        grad_output : ndarray, or a list with one entry per output (None: no gradient)
            The gradient of the loss with respect to the model's output(s).

        Returns
        -------
        ndarray, list or None
            The gradient with respect to the input(s) (None for integer inputs).
        """
        if self._trace is None:
            raise RuntimeError(
                f"Model '{self.name}' has nothing to backpropagate: call "
                "`model.forward(inputs)` before `model.backward(grad_output)`."
            )
        given = [grad_output] if len(self.outputs) == 1 else list(grad_output)
        if len(given) != len(self.outputs):
            raise ValueError(
                f"Model '{self.name}' has {len(self.outputs)} outputs, but "
                f"{len(given)} gradients were given."
            )
        grads: dict[int, Any] = {}
        for tensor, g in zip(self.outputs, given, strict=True):
            if g is not None:
                _accumulate(grads, tensor, g)
        weight_grads: dict[int, list[np.ndarray]] = {}
        for node, cache in reversed(self._trace):
            layer = node.layer
            parts = [grads.pop(id(t), None) for t in node.outputs]
            if all(p is None for p in parts):
                continue
            g = parts[0] if len(parts) == 1 else parts
            if cache is _HELD:
                grad_in = layer.backward(g)
                wg = layer.grads
            else:
                if isinstance(cache, _Activity):
                    rule = layer.activity_regularizer
                    g = with_activity_gradient(rule, cache.outputs, g)
                    cache = cache.cache
                grad_in, wg = layer.backward_with_cache(g, cache)
            summed = weight_grads.get(id(layer))
            wg = [np.asarray(a, dtype=w.dtype) for a, w in zip(wg, layer.weights, strict=True)]
            if summed is not None:  # a layer called twice: its gradients add up
                wg = [a + b for a, b in zip(summed, wg, strict=True)]
            weight_grads[id(layer)] = wg
            tensors = node.gradient_tensors
            pieces = [grad_in] if len(tensors) == 1 else _graph.flatten(grad_in)
            for tensor, piece in zip(tensors, pieces, strict=False):
                if piece is not None:
                    _accumulate(grads, tensor, piece)
        for layer in self.layers:
            found = weight_grads.get(id(layer))
            layer._grads = found if found is not None else [np.zeros_like(w) for w in layer.weights]
        result = [grads.get(id(t)) for t in self.inputs]
        return result[0] if len(result) == 1 else result

    # ------------------------------------------------------------------ summary
    def summary_connections(self) -> list[str] | None:
        """Return the "Connected to" column of Keras 3's summary (None if it has none).

        Keras prints it unless the model is a plain chain: one node at each depth, each
        reading one tensor, and no layer called twice.
        """
        depth_count: dict[int, int] = {}
        graph = _graph.map_graph(self.inputs, self.outputs)
        for node in self._all_nodes:
            d = graph.depth[id(node)]
            depth_count[d] = depth_count.get(d, 0) + 1
        chain = all(count == 1 for count in depth_count.values()) and all(
            len(node.input_tensors) <= 1 for node in self._all_nodes
        )
        calls = [node.layer for node in self._all_nodes]
        if chain and all(calls.count(layer) == 1 for layer in calls):
            return None
        column = []
        for layer in self._layers_in_order:
            links = [
                f"{t._keras_history.operation.name}[{t._keras_history.node_index}]"
                f"[{t._keras_history.tensor_index}]"
                for node in self._all_nodes
                if node.layer is layer
                for t in node.input_tensors
                if t._keras_history is not None
            ]
            column.append(", ".join(links) or "-")
        return column

    # ------------------------------------------------------------------ config
    def _node_index(self, node: _graph.Node) -> int:
        """Return the index of ``node`` among the calls of its layer that are in this model."""
        mine = [n for n in self._all_nodes if n.layer is node.layer]
        return next(i for i, n in enumerate(mine) if n is node)

    def _serialize(self, value: Any) -> Any:
        if isinstance(value, KerasTensor):
            history = value._keras_history
            assert history is not None
            node = _graph.inbound_nodes(history.operation)[history.node_index]
            return {
                "class_name": "__keras_tensor__",
                "config": {
                    "shape": list(value.shape),
                    "dtype": value.dtype,
                    "keras_history": [
                        history.operation.name,
                        self._node_index(node),
                        history.tensor_index,
                    ],
                },
            }
        if isinstance(value, (list, tuple)):
            return [self._serialize(v) for v in value]
        if isinstance(value, dict):
            return {k: self._serialize(v) for k, v in value.items()}
        return value

    def get_config(self) -> dict[str, Any]:
        """Return the layers, each with its config and calls, and the inputs and outputs.

        The structure is Keras 3's: ``layers`` (``class_name``, ``config``, ``name``,
        ``inbound_nodes`` with ``args`` and ``kwargs``), ``input_layers``,
        ``output_layers``, each tensor named by ``[layer name, node index, tensor index]``.
        """
        layers = []
        for layer in self._layers_in_order:
            nodes = [n for n in self._nodes if n.layer is layer]
            layers.append(
                {
                    "module": "keras.src.ops.numpy"
                    if isinstance(layer, MaskOperation)
                    else "keras.layers",
                    "class_name": type(layer).__name__,
                    "config": layer.get_config(),
                    "registered_name": type(layer).__name__
                    if isinstance(layer, MaskOperation)
                    else None,
                    "name": layer.name,
                    "inbound_nodes": [
                        {"args": self._serialize(list(n.args)), "kwargs": self._serialize(n.kwargs)}
                        for n in nodes
                    ],
                }
            )

        def ends(structure: Any) -> Any:
            if isinstance(structure, KerasTensor):
                return self._serialize(structure)["config"]["keras_history"]
            return [ends(item) for item in _graph.flatten(structure)]

        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": layers,
            "input_layers": ends(self._inputs_structure),
            "output_layers": ends(self._outputs_structure),
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, type] | None = None
    ) -> Functional:
        """Rebuild a model from :meth:`get_config`, rnn's or a Keras 3 model's.

        New layers, called as the config says.

        Raises
        ------
        TypeError
            For a layer class found neither in ``custom_objects`` nor in `rnn.layers`.
        ValueError
            For a config that is not a dict with ``layers``, ``input_layers`` and
            ``output_layers``, whose calls refer to layers or tensors it does not define,
            or with a Keras argument rnn does not have set to anything but its default.
        """
        from rnn.layers.layer import deserialize_layer
        from rnn.saving import _model_config_from_keras

        keras_made = _model_config_from_keras(cls, config, custom_objects)
        if keras_made is not None:
            return cast(Functional, keras_made)
        made: dict[str, Layer] = {}
        pending: list[tuple[Layer, dict[str, Any]]] = []
        operations = {"NotEqual", "Any"}  # remade by the calls of the layers that mask
        op_items = [item for item in config["layers"] if item["class_name"] in operations]
        for item in config["layers"]:
            if item["class_name"] in operations:
                continue
            layer = deserialize_layer(item, custom_objects)
            made[item.get("name", layer.name)] = layer
            pending += [(layer, node) for node in item.get("inbound_nodes", [])]

        def tensor(ref: Any) -> KerasTensor:
            name, node_index, tensor_index = ref
            nodes = _graph.inbound_nodes(made[name])
            return nodes[node_index].outputs[tensor_index]

        def rebuild(value: Any) -> Any:
            if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
                return tensor(value["config"]["keras_history"])
            if isinstance(value, list):
                return [rebuild(v) for v in value]
            if isinstance(value, dict):
                return {k: rebuild(v) for k, v in value.items()}
            return value

        while pending:  # a call can be made once the calls it reads are made
            left = []
            for layer, node in pending:
                given = dict(node.get("kwargs", {}))
                mask = given.get("mask")
                if isinstance(mask, dict) and mask.get("class_name") == "__keras_tensor__":
                    given.pop("mask")  # the layer's input carries it
                try:
                    args, kwargs = rebuild(node["args"]), rebuild(given)
                except (IndexError, KeyError):
                    left.append((layer, node))
                    continue
                layer(*args, **kwargs)
            if len(left) == len(pending):
                raise ValueError(
                    f"The config of model '{config.get('name')}' calls layers on tensors it "
                    f"never makes: {[layer.name for layer, _ in left]}"
                )
            pending = left

        def ends(refs: Any) -> Any:
            if refs and not isinstance(refs[0], list):
                return tensor(refs)
            return [tensor(ref) for ref in refs]

        _rename_mask_operations(op_items, made, tensor)
        inputs, outputs = ends(config["input_layers"]), ends(config["output_layers"])
        return cls(inputs, outputs, name=config.get("name"))


def _rename_mask_operations(items: list[Any], made: dict[str, Any], tensor: Any) -> None:
    """Give the mask operations remade by the layers' calls the names the config has.

    They were named anew when remade (``not_equal_1``); Keras keeps the saved names.
    """
    remade = []  # (operation, its input tensor)
    for layer in made.values():
        for node in _graph.inbound_nodes(layer):
            mask = node.outputs[0]._keras_mask if node.outputs else None
            while mask is not None and isinstance(mask._keras_history.operation, MaskOperation):
                op_node = _graph.inbound_nodes(mask._keras_history.operation)[0]
                remade.append((op_node.layer, op_node.args[0]))
                mask = op_node.args[0]
    named: dict[str, Any] = {}
    for item in items:
        calls = item.get("inbound_nodes") or [{}]
        refs = [
            arg["config"]["keras_history"]
            for arg in calls[0].get("args", [])
            if isinstance(arg, dict) and arg.get("class_name") == "__keras_tensor__"
        ]
        if not refs:
            continue
        source_name = refs[0][0]
        source = (
            _graph.inbound_nodes(named[source_name])[0].outputs[0]
            if source_name in named
            else tensor(refs[0])
            if source_name in made
            else None
        )
        for op, given in remade:
            if (
                type(op).__name__ == item["class_name"]
                and given is source
                and op not in named.values()
            ):
                op.name = item.get("name", op.name)
                named[op.name] = op
                break


def _per_output(given: Any, names: list[str], what: str, single_allowed: bool) -> list[Any]:
    """``given`` (one item, a list or a dict by output name) as one entry per output."""
    n = len(names)
    if given is None:
        return [None] * n
    if isinstance(given, dict):
        unknown = [key for key in given if key not in names]
        if unknown:
            raise ValueError(
                f"Invalid `{what}`: keys {unknown} are not output names of the model "
                f"{names}. Received: {what}={given}"
            )
        return [given.get(name) for name in names]
    if isinstance(given, (list, tuple)):
        if len(given) != n:
            raise ValueError(
                f"Invalid `{what}`: it should be a dict or a list matching the output "
                f"names of the functional model {names}. Received: {what}={given}"
            )
        return list(given)
    if single_allowed:
        return [given] * n
    raise ValueError(
        f"Invalid `{what}`: for a model with several outputs it should be a dict or a list "
        f"matching the output names of the functional model {names}. "
        f"Received: {what}={given!r}"
    )


class _OutputLosses:
    """The loss of a model with several outputs: each output's loss, weighted, summed.

    ``values`` keeps each output's loss of the last batch, unweighted, for the logs.
    """

    name = "loss"

    def __init__(self, model: Functional, losses: list[Any], weights: list[float]) -> None:
        self.model = model
        self.losses = losses
        self.weights = weights
        self.values = [0.0] * len(losses)

    def _parts(self, y: Any, y_pred: Any) -> list[tuple[int, Any, Any, Any]]:
        masks = getattr(self.model, "output_masks", None) or [None] * len(self.losses)
        targets = y.arrays if isinstance(y, ArrayList) else list(y)
        return [
            (i, t, p, m)
            for i, (t, p, m) in enumerate(zip(targets, y_pred, masks, strict=True))
            if self.losses[i] is not None
        ]

    def __call__(self, y: Any, y_pred: Any, sample_weight: Any = None, mask: Any = None) -> float:
        """Return the weighted sum of the outputs' losses."""
        total = 0.0
        for i, t, p, m in self._parts(y, y_pred):
            self.values[i] = float(self.losses[i](t, p, sample_weight=sample_weight, mask=m))
            total += self.weights[i] * self.values[i]  # loss = sum of w_i loss_i
        return total

    def value_and_gradient(
        self, y: Any, y_pred: Any, sample_weight: Any = None, mask: Any = None
    ) -> tuple[float, list[Any]]:
        """Return the weighted sum, and each output's gradient (None: an output without loss)."""
        total, grads = 0.0, [None] * len(self.losses)
        for i, t, p, m in self._parts(y, y_pred):
            value, grad = self.losses[i].value_and_gradient(
                t, p, sample_weight=sample_weight, mask=m
            )
            self.values[i] = float(value)
            total += self.weights[i] * self.values[i]  # loss = sum of w_i loss_i
            grads[i] = self.weights[i] * grad  # d loss / d output_i = w_i d loss_i
        return total, grads


class _OutputsTracker:
    """The running logs of a model with several outputs, named as Keras 3 names them."""

    def __init__(self, model: Functional, y: Any, y_pred: Any) -> None:
        self.model = model
        self.loss = metrics_module.Mean(name="loss")
        targets = y.arrays if isinstance(y, ArrayList) else list(y)
        losses = model.loss.losses  # type: ignore[union-attr]
        self.output_losses = [
            metrics_module.Mean(name=f"{name}_loss") if losses[i] is not None else None
            for i, name in enumerate(model.output_names)
        ]
        self.metrics: list[tuple[int, Any]] = []  # (output, metric)
        for i, (name, ids) in enumerate(
            zip(model.output_names, model._output_metric_ids, strict=True)
        ):
            for item in ids:
                metric = metrics_module.get(item, targets[i], y_pred[i])
                metric.name = f"{name}_{metric.name}"  # Keras's "<output>_<metric>"
                metric.reset_state()
                self.metrics.append((i, metric))
        taken = ["loss", *(t.name for t in self.output_losses if t is not None)]
        #: the metrics' keys in the logs (a repeated name gets ``_1``, ... as Keras)
        self.names = metrics_module.unique_names([m.name for _, m in self.metrics], taken)

    def update(self, loss: float, y: Any, y_pred: Any, mask: Any = None) -> None:
        """Add one batch: the total and each output's loss (by batch size), and metrics."""
        batch = len(y_pred[0])
        self.loss.update_state(loss, sample_weight=batch)
        values = self.model.loss.values  # type: ignore[union-attr]
        for i, tracker in enumerate(self.output_losses):
            if tracker is not None:
                tracker.update_state(values[i], sample_weight=batch)
        targets = y.arrays if isinstance(y, ArrayList) else list(y)
        masks = getattr(self.model, "output_masks", None) or [None] * len(targets)
        for i, metric in self.metrics:
            metric.update_state(targets[i], y_pred[i], sample_weight=masks[i])

    def logs(self) -> dict[str, float]:
        """Keras 3's logs: the keys in sorted order."""
        losses = [self.loss, *(t for t in self.output_losses if t is not None)]
        results = {m.name: m.result() for m in losses}
        results.update({n: m.result() for n, (_, m) in zip(self.names, self.metrics, strict=True)})
        return {key: results[key] for key in sorted(results)}

    def ordered(self) -> list[float]:
        """``[loss, each output's loss, the metrics by name]``, as Keras's evaluate."""
        losses = [t.result() for t in self.output_losses if t is not None]
        named = sorted((n, m.result()) for n, (_, m) in zip(self.names, self.metrics, strict=True))
        return [self.loss.result(), *losses, *(value for _, value in named)]


def _accumulate(grads: dict[int, Any], tensor: KerasTensor, g: Any) -> None:
    """Add ``g`` to the gradient of ``tensor`` (a tensor read twice gets both)."""
    found = grads.get(id(tensor))
    grads[id(tensor)] = g if found is None else found + g

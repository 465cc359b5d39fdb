"""`Sequential`: a plain stack of layers, each feeding the next, as in Keras 3."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

import numpy as np

from rnn import _data_adapter
from rnn._graph import KerasTensor
from rnn.callbacks import Callback, resolve_verbose
from rnn.layers.core import InputLayer
from rnn.layers.layer import Layer, Shape, _standardize_shape, format_shape
from rnn.models.model import Model, predict_batches

__all__ = ["Sequential"]


def _sublayers(model: Model) -> list[Layer]:
    """Every layer inside ``model``, the layers of the models it holds included."""
    found: list[Layer] = []
    for layer in model.layers:
        found.append(layer)
        if isinstance(layer, Model):
            found += _sublayers(layer)
    return found


class Sequential(Model):
    """A linear stack of layers, each feeding the next.

    The model builds itself (creates every weight) as soon as it knows its
    input shape: from an `Input` first element, from ``input_shape=`` on the
    first layer, from :meth:`build`, or from the first array it is called on.

    Parameters
    ----------
    layers : list of Layer, optional
        Layers to `add`, in order; the first may be an `Input`.
    name : str, optional
        Default ``sequential``, ``sequential_1``, ...

    Raises
    ------
    TypeError
        For a single layer instead of a list of them (Keras fails with "not iterable").
    ValueError
        For an item of ``layers`` that `add` refuses.

    Examples
    --------
    The notebook's model, with ``keras`` replaced by ``rnn`` in the imports:

    >>> import numpy as np
    >>> import rnn
    >>> from rnn.models import Sequential
    >>> from rnn.layers import SimpleRNN, Dense
    >>> rnn.clear_session()
    >>> model = Sequential()
    >>> model.add(SimpleRNN(10, input_shape=(3, 1)))
    >>> model.add(Dense(1))
    >>> model.summary()
    Model: "sequential"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
    ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
    │ simple_rnn (SimpleRNN)          │ (None, 10)             │           120 │
    ├─────────────────────────────────┼────────────────────────┼───────────────┤
    │ dense (Dense)                   │ (None, 1)              │            11 │
    └─────────────────────────────────┴────────────────────────┴───────────────┘
     Total params: 131 (524.00 B)
     Trainable params: 131 (524.00 B)
     Non-trainable params: 0 (0.00 B)
    >>> model.predict(np.zeros((5, 3, 1))).shape
    (5, 1)
    """

    def __init__(
        self, layers: Iterable[Layer] | None = None, name: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(name=name, **kwargs)
        self._layers: list[Layer] = []
        self._input: InputLayer | None = None
        #: the mask of the output of the last call or `forward` (None without masking)
        self.output_mask: np.ndarray | None = None
        if isinstance(layers, (Layer, KerasTensor)) or (
            isinstance(layers, type) and issubclass(layers, Layer)
        ):
            shown = layers.__name__ if isinstance(layers, type) else type(layers).__name__
            raise TypeError(
                "Sequential takes a list of layers, e.g. Sequential([Input((5, 3)), "
                f"SimpleRNN(4)]). Received a single {shown}: put it in a list."
            )
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------------ layers
    @property
    def layers(self) -> list[Layer]:
        """The layers, without the input layer (as in Keras 3)."""
        return list(self._layers)

    @layers.setter
    def layers(self, value: Any) -> None:
        raise AttributeError(
            "`Sequential.layers` attribute is reserved and should not be used. Use `add()` "
            "and `pop()` to change the layers in this model."
        )

    def add(self, layer: Layer | KerasTensor) -> None:
        """Append a layer; build the model if the input shape is known.

        Parameters
        ----------
        layer : Layer or KerasTensor
            A layer, or the output of `Input` (only as the first element).

        Raises
        ------
        ValueError
            If ``layer`` is not a layer (a layer class gets a hint: write ``Dense(...)``),
            is the model itself (or a model that holds it), its name is taken, it is a
            second input, or it does not fit the output of the previous layer (Keras's
            message; the layer is then not added).
        """
        if isinstance(layer, KerasTensor) and layer._keras_history is not None:
            if isinstance(layer._keras_history.operation, InputLayer):
                layer = layer._keras_history.operation
        if not isinstance(layer, Layer):
            hint = (
                f": the class itself, not a layer; write {layer.__name__}(...)"
                if isinstance(layer, type) and issubclass(layer, Layer)
                else ""
            )
            raise ValueError(
                "Only instances of `keras.Layer` can be added to a Sequential model. "
                f"Received: {layer} (of type {type(layer)}){hint}"
            )
        if layer is self or (isinstance(layer, Model) and self in _sublayers(layer)):
            raise ValueError(
                f"Cannot add the model '{self.name}' to itself: a model cannot be one of "
                "its own layers."
                if layer is self
                else f"Cannot add the model '{layer.name}' to '{self.name}': it holds "
                f"'{self.name}', and a model cannot be one of its own layers."
            )
        if isinstance(layer, InputLayer):
            if self._input is not None:
                raise ValueError(
                    f"Sequential model '{self.name}' has already been configured to use "
                    f"input shape {format_shape(self._input.batch_shape)}. You cannot add a "
                    "different Input layer to it."
                )
            if self._layers:
                raise ValueError(
                    f"Sequential model '{self.name}' already has layers: an Input must come first."
                )
            self._input = layer
            return
        if not self._layers and self._input is None and layer.input_shape_arg is not None:
            self._input = InputLayer(shape=layer.input_shape_arg)
        if any(other.name == layer.name for other in self._layers):
            raise ValueError(
                "All layers added to a Sequential model should have unique names. "
                f"Name '{layer.name}' is already the name of a layer in this model. "
                "Update the `name` argument to pass a unique name."
            )
        self._layers.append(layer)
        if self._input is not None:
            try:
                self._build_layers(self._input.batch_shape)
            except Exception:
                self._layers.pop()
                raise

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove the last layer and return it, as Keras's ``Sequential.pop``.

        Parameters
        ----------
        rebuild : bool
            Accepted for Keras's signature: the remaining layers keep their weights.

        Raises
        ------
        IndexError
            If the model has no layer to remove.

        Examples
        --------
        >>> import rnn
        >>> from rnn.models import Sequential
        >>> from rnn.layers import Dense, Input
        >>> rnn.clear_session()
        >>> model = Sequential([Input(shape=(2,)), Dense(4), Dense(1)])
        >>> model.pop().name, model.output_shape
        ('dense_1', (None, 4))
        """
        if not self._layers:
            raise IndexError(f"Sequential model '{self.name}' has no layers to pop.")
        return self._layers.pop()

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Build every layer for inputs of ``input_shape`` (batch axis included).

        Raises
        ------
        ValueError
            If ``input_shape`` is not a shape (a tuple of ints or None with the batch
            axis first, such as ``(None, 5, 3)``: not a bare int, a string, negative or
            float dimensions), differs from the shape of the model's `Input`, the model
            has no layers, or a layer does not fit it.

        Examples
        --------
        >>> import rnn
        >>> from rnn.models import Sequential
        >>> from rnn.layers import LSTM
        >>> rnn.clear_session()
        >>> model = Sequential([LSTM(8)])
        >>> model.build((None, 20, 4))
        >>> model.output_shape, model.count_params()
        ((None, 8), 416)
        """
        input_shape = _standardize_shape(input_shape, "input_shape", batch_axis=True)
        if not input_shape:
            raise ValueError(
                f"Sequential model '{self.name}' needs an `input_shape` with the batch axis "
                "first, such as (None, 3). Received: input_shape=()"
            )
        if self._input is not None and tuple(self._input.batch_shape) != input_shape:
            raise ValueError(
                f"Sequential model '{self.name}' has already been configured to use input "
                f"shape {format_shape(self._input.batch_shape)}. You cannot build it with "
                f"input_shape {format_shape(input_shape)}"
            )
        if not self._layers:
            raise ValueError(
                f"Sequential model {self.name} cannot be built because it has no layers. "
                "Call `model.add(layer)`."
            )
        if self._input is None:
            self._input = InputLayer(shape=input_shape[1:], batch_size=input_shape[0])
        self._build_layers(self._input.batch_shape)

    def _build_layers(self, input_shape: Shape) -> None:
        """Build each layer in turn for the output shape of the one before."""
        shape: Any = input_shape
        for layer in self._layers:
            if isinstance(shape, list):
                raise ValueError(
                    f'Layer "{layer.name}" expects 1 input, but it received {len(shape)} '
                    "input tensors (the previous layer returns a list)."
                )
            layer.maybe_build(shape)
            shape = layer.compute_output_shape(shape)
        self._build_shape = input_shape
        self.built = True

    # ------------------------------------------------------------------ shapes
    @property
    def input_shape(self) -> Shape:
        """Input shape with the batch axis, e.g. ``(None, 3, 1)``."""
        if self._input is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined input yet.")
        return self._input.batch_shape

    @property
    def output_shape(self) -> Any:
        """Output shape of the last layer, e.g. ``(None, 1)``."""
        return self.compute_output_shape(self.input_shape)

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Any:
        """Chain the layers' output shapes."""
        shape: Any = tuple(input_shape)
        for layer in self._layers:
            shape = layer.compute_output_shape(shape)
        return shape

    # ------------------------------------------------------------------ running
    def __call__(
        self, inputs: Any, training: bool | None = None, mask: Any = None, **kwargs: Any
    ) -> Any:
        """Run the layers on a NumPy array, building the model on first use.

        Each layer gets the mask the layer before it made (`Layer.compute_mask`): an
        ``Embedding(mask_zero=True)`` or a `Masking` layer marks the padding, and the
        recurrent layers skip it. The mask of the output is then `output_mask`.
        """
        self._no_more(kwargs, "__call__")
        return self._run(inputs, "__call__", training, mask)

    def _no_more(self, kwargs: dict[str, Any], method: str) -> None:
        if kwargs:
            raise TypeError(
                f"Sequential.{method}() got an unexpected keyword argument '{next(iter(kwargs))}'"
            )

    def call(self, inputs: np.ndarray, training: bool | None = None, mask: Any = None) -> Any:
        """Run the model on ``inputs``: the same as calling it."""
        return self(inputs, training=training, mask=mask)

    def _input_expectation(self) -> tuple[str | None, int | None]:
        """``x`` as the input shape says (nothing known before the model is built)."""
        if self._input is None:
            return None, None
        shape = self._input.batch_shape
        return _data_adapter.describe_shape(shape), len(shape)

    def _run(self, inputs: Any, method: str, training: bool | None, mask: Any) -> Any:
        """Run each layer's ``method`` (``__call__`` or ``forward``), passing masks on."""
        x = _data_adapter.as_array(inputs, "inputs", self._input_expectation()[0])
        if not self.built:
            self.build(x.shape)
        for layer in self._layers:
            y = getattr(layer, method)(x, training=training, mask=mask)
            mask = layer.compute_mask(x, mask)
            x = y
        self.output_mask = mask
        return x

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        """Return the mask of the model's output for ``inputs`` (None without masking)."""
        self._run(inputs, "__call__", False, previous_mask)
        return self.output_mask

    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: Any = "auto",
        steps: int | None = None,
        callbacks: Sequence[Callback] | None = None,
    ) -> Any:
        """Run the model on ``x`` in batches of ``batch_size`` (default 32).

        ``callbacks`` get Keras's ``on_predict_*`` calls (``on_predict_batch_end`` with
        ``{"outputs": ...}``). ``verbose`` and ``steps`` are accepted for Keras
        compatibility; nothing is printed, and every batch is predicted.

        NaN or infinite values in ``x`` are accepted, as Keras does: the samples are
        independent, so only the outputs of a sample that holds one are NaN.

        Raises
        ------
        ValueError
            If ``x`` is None, a single value, empty, or holds sequences of different
            lengths (pad them: `rnn.utils.pad_sequences`); if ``batch_size`` (or
            ``steps``) is not a positive integer; for ``verbose`` other than "auto", 0,
            1 or 2.
        TypeError
            If ``x`` is a dict or a generator.
        """
        expected = self._input_expectation()[0]
        x = _data_adapter.as_array(x, "x", expected)
        size = _data_adapter.check_batch_size(batch_size)
        resolve_verbose(verbose)
        if steps is not None:
            _data_adapter.check_int(steps, "steps", 1, type_error=ValueError)
        if len(x) == 0:
            raise ValueError(
                f"Expected input data to be non-empty. Received: x of shape {x.shape}."
            )
        parts = predict_batches(self, [x[i : i + size] for i in range(0, len(x), size)], callbacks)
        if len(parts) == 1:
            return parts[0]
        if isinstance(parts[0], (list, tuple)):
            return [np.concatenate(p, axis=0) for p in zip(*parts, strict=True)]
        return np.concatenate(parts, axis=0)

    # ------------------------------------------------------------------ gradients
    def forward(
        self, inputs: Any, training: bool | None = None, mask: Any = None, **kwargs: Any
    ) -> Any:
        """Run every layer's `forward`, keeping what `backward` needs.

        The values are those of calling the model. Builds the model on first use.

        Examples
        --------
        >>> import numpy as np
        >>> import rnn
        >>> from rnn.models import Sequential
        >>> from rnn.layers import SimpleRNN, Dense
        >>> rnn.clear_session()
        >>> model = Sequential([SimpleRNN(4), Dense(1)])
        >>> x = np.ones((2, 3, 1))
        >>> y = model.forward(x)
        >>> bool(np.array_equal(y, model(x)))
        True
        >>> grad_x = model.backward(np.ones_like(y))    # dL/dy for L = sum(y)
        >>> grad_x.shape, [g.shape for g in model.grads] == [w.shape for w in model.weights]
        ((2, 3, 1), True)
        """
        self._no_more(kwargs, "forward")
        return self._run(inputs, "forward", training, mask)

    def backward(self, grad_output: Any) -> Any:
        """Run every layer's `backward`, last layer first, after `forward`.

        Parameters
        ----------
        grad_output : ndarray, shaped like the model's output
            The gradient of the loss with respect to the model's output.

        Returns
        -------
        ndarray or None
            The gradient with respect to the model's input (None when the model starts
            with an `Embedding`, whose inputs are integer ids). The weights' gradients
            are in `grads`.
        """
        grad = grad_output
        for layer in reversed(self._layers):
            if grad is None:
                raise ValueError(
                    f"Layer '{layer.name}' gets no gradient: the layer after it has integer "
                    "inputs (an Embedding must come first)."
                )
            grad = layer.backward(grad)
        return grad

    def get_config(self) -> dict[str, Any]:
        """Name and the layers' class names and configs."""
        return {
            "name": self.name,
            "layers": [
                {"class_name": type(layer).__name__, "config": layer.get_config()}
                for layer in ([self._input] if self._input else []) + self._layers
            ],
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, type] | None = None
    ) -> Sequential:
        """Rebuild from :meth:`get_config`, rnn's or a Keras 3 model's.

        Each layer's class is looked up by its name in ``custom_objects`` (your own
        layers, as in Keras: ``{"TanhRNN": TanhRNN}``), then in `rnn.layers`. A Keras 3
        ``model.get_config()`` is read as `rnn.saving.load_model` reads a ``.keras``
        file's: the model is built when Keras's was.

        Raises
        ------
        TypeError
            For a class found in neither, in Keras's wording.
        ValueError
            For a config that is not a dict with a list of ``layers``, a layer entry
            without ``class_name`` and ``config`` (both in Keras's wording), or a Keras
            argument rnn does not have set to anything but its default.
        """
        from rnn.layers.layer import deserialize_layer
        from rnn.saving import _model_config_from_keras

        keras_made = _model_config_from_keras(cls, config, custom_objects)
        if keras_made is not None:
            return cast(Sequential, keras_made)
        built = [deserialize_layer(item, custom_objects) for item in config["layers"]]
        return cls(built, name=config.get("name"))

"""`Dense`, `Masking` and the input placeholder `Input` / `InputLayer`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rnn import _graph, activations, constraints, initializers, regularizers
from rnn.config import floatx
from rnn.layers._penalties import ActivityRegularization
from rnn.layers.layer import (
    Layer,
    Shape,
    _check_flag,
    _is_int,
    _received,
    _standardize_shape,
    positive_int,
)


def activation_backward(
    activation: activations.Activation,
    outputs: np.ndarray,
    grad: np.ndarray,
    inputs: np.ndarray | None = None,
) -> np.ndarray:
    """``dL/dz`` from ``dL/dy`` through ``y = activation(z)``, read from the outputs ``y``.

    Softmax (over the last axis) included: ``dz = y (dy - sum(dy y))``. The derivatives
    of ``gelu`` and ``silu`` are read from the pre-activation ``z`` instead, which the
    caller passes as ``inputs`` (`rnn.activations.needs_input` says when).

    Parameters
    ----------
    activation : callable
        The activation, as `rnn.activations.get` returns it.
    outputs : ndarray
        ``y = activation(z)``.
    grad : ndarray
        ``dL/dy``, of the shape of ``outputs``.
    inputs : ndarray, optional
        ``z``; needed for an activation whose derivative is not a function of ``y``.

    Raises
    ------
    ValueError
        For an activation whose derivative is unknown (a custom callable), or one that
        needs ``inputs`` when none came.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import activations
    >>> from rnn.layers.core import activation_backward
    >>> y = activations.tanh(np.array([0.0, 1.0]))
    >>> activation_backward(activations.tanh, y, np.ones(2)).round(4).tolist()
    [1.0, 0.42]
    >>> z = np.array([-1.0, 1.0])
    >>> y = activations.gelu(z)
    >>> activation_backward(activations.gelu, y, np.ones(2), inputs=z).round(4).tolist()
    [-0.0833, 1.0833]
    """
    if activation is activations.softmax:
        return outputs * (grad - np.sum(grad * outputs, axis=-1, keepdims=True))
    if activations.needs_input(activation):
        if inputs is None:
            raise ValueError(
                f"the derivative of activation={activations.name_of(activation)!r} is "
                "read from its input: activation_backward needs inputs= (the "
                "pre-activation z), not the outputs alone"
            )
        return grad * activations.slope(activations.input_derivative(activation), inputs)
    return grad * activations.slope(activations.derivative(activation), outputs)


class InputLayer(Layer):
    """The entry point of a model: declares the shape and dtype of one sample.

    It has no weights. A `Sequential` does not list it in ``layers``; a functional
    `rnn.Model` does (both as in Keras 3). You usually make it with `Input`, which
    returns its output, a `KerasTensor`.

    Parameters
    ----------
    shape : tuple of int or None
        Shape of one sample, without the batch axis; ``None`` for an unknown axis.
    batch_size : int, optional
        Fixed batch size, ``None`` (the default) for any.
    dtype : str, optional
        The dtype of the data: `floatx` by default; ``"int32"`` for token ids.
    sparse, ragged : None or False
        Keras's sparse and ragged inputs, which rnn does not have.
    batch_shape : tuple of int or None, optional
        The batch size and the shape of one sample at once, instead of ``shape`` and
        ``batch_size``: ``(32, 3, 1)``.
    name : str, optional
        Default ``input_layer``, ``input_layer_1``, ...
    optional : False
        Keras's optional inputs, which rnn does not have.

    Raises
    ------
    ValueError
        If ``shape`` (or ``batch_shape``) is missing or is not a shape: a tuple of ints
        or None, not a bare int (write ``shape=(3,)``), a string, or a negative, float
        or bool dimension ("Cannot convert ... to a shape", Keras's words); if
        ``batch_size`` is neither None nor a non-negative integer; or if both ``shape``
        and ``batch_shape`` are given.

    Attributes
    ----------
    output : KerasTensor
        What `Input` returns, to call layers on.
    """

    def __init__(
        self,
        shape: Sequence[int | None] | None = None,
        batch_size: int | None = None,
        dtype: Any = None,
        sparse: bool | None = None,
        ragged: bool | None = None,
        batch_shape: Sequence[int | None] | None = None,
        name: str | None = None,
        optional: bool = False,
        **kwargs: Any,
    ) -> None:
        shape_name = "shape"
        if shape is None and "input_shape" in kwargs:
            shape, shape_name = kwargs.pop("input_shape"), "input_shape"
        for flag, value in (("sparse", sparse), ("ragged", ragged), ("optional", optional)):
            if value:
                raise ValueError(
                    f"rnn has no {flag} inputs: `{flag}` must be False or None. "
                    f"Received: {flag}={value!r}"
                )
        if batch_shape is not None:
            if shape is not None:
                raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
            if batch_size is not None:
                raise ValueError(
                    "You cannot pass both `batch_size` and `batch_shape` at the same time."
                )
            full = _standardize_shape(batch_shape, "batch_shape", batch_axis=True)
            if not full:
                raise ValueError(
                    "`batch_shape` must start with the batch size (None for any), then the "
                    "shape of one sample: batch_shape=(None, 3). Received: batch_shape=()"
                )
            batch_size, *rest = full
            shape = tuple(rest)
        if shape is None:
            raise ValueError("You must pass a `shape` argument.")
        shape = _standardize_shape(shape, shape_name)
        if batch_size is not None and not (_is_int(batch_size) and batch_size >= 0):
            raise ValueError(
                "Received an invalid value for `batch_size`, expected None (any batch size) "
                f"or a non-negative integer. Received: batch_size={_received(batch_size)}"
            )
        super().__init__(name=name, **kwargs)
        self.dtype = _data_dtype(dtype)
        self.shape: Shape = shape
        self.batch_shape: Shape = (batch_size, *self.shape)
        self.build(self.batch_shape)
        self.output = _graph.KerasTensor(self.batch_shape, self.dtype)
        history = _graph.KerasHistory(self, 0, 0)
        self.output._keras_history = history
        _graph.inbound_nodes(self).append(_graph.Node(self, (), {}, [self.output]))

    def get_config(self) -> dict[str, Any]:
        """Return Keras 3's keys: ``batch_shape``, ``dtype``, ``sparse``, ``ragged``, ``name``..."""
        return {
            "batch_shape": self.batch_shape,
            "dtype": self.dtype,
            "sparse": False,
            "ragged": False,
            "name": self.name,
            "optional": False,
        }


def _data_dtype(dtype: Any) -> str:
    """Return the dtype of an input's data: any NumPy number or bool dtype (`floatx` if None)."""
    if dtype is None:
        return floatx()
    try:
        found = np.dtype(dtype)
    except TypeError as error:
        raise ValueError(f"Invalid dtype: {dtype!r} of type {type(dtype)}") from error
    if found.kind not in "biuf":
        raise ValueError(
            f"An input's dtype must be a number or bool dtype, such as 'float32' or "
            f"'int32'. Received: dtype={dtype!r}"
        )
    return found.name


def Input(
    shape: Sequence[int | None] | None = None,
    batch_size: int | None = None,
    dtype: Any = None,
    sparse: bool | None = None,
    ragged: bool | None = None,
    batch_shape: Sequence[int | None] | None = None,
    name: str | None = None,
    optional: bool = False,
) -> _graph.KerasTensor:
    """Declare the input of a model, like ``keras.Input``: returns a `KerasTensor`.

    Use it as the first element of a `Sequential`, or call layers on it and make a
    functional model with ``rnn.Model(inputs, outputs)``.

    Parameters
    ----------
    shape : tuple of int or None
        Shape of one sample (no batch axis), e.g. ``(3, 1)`` for 3 timesteps of
        1 feature; ``(None, 1)`` for sequences of any length.
    batch_size : int, optional
        Fixed batch size; ``None`` for any.
    dtype : str, optional
        The dtype of the data; default `floatx`. ``"int32"`` for the token ids an
        `Embedding` reads.
    sparse, ragged : None or False
        Accepted for Keras's signature; rnn has neither.
    batch_shape : tuple of int or None, optional
        ``(batch_size, *shape)`` in one tuple, as a stateful RNN needs a fixed batch size.
    name : str, optional
        Name of the input layer (and of the input in error messages).
    optional : False
        Accepted for Keras's signature.

    Returns
    -------
    KerasTensor
        A symbolic tensor of shape ``(batch_size, *shape)``.

    Raises
    ------
    ValueError
        If ``shape`` (or ``batch_shape``) is missing or is not a shape: a tuple of ints
        or None, not a bare int (write ``shape=(3,)``), a string, or a negative, float
        or bool dimension ("Cannot convert ... to a shape", Keras's words); if
        ``batch_size`` is neither None nor a non-negative integer; or if both ``shape``
        and ``batch_shape`` are given.

    Examples
    --------
    >>> import rnn
    >>> from rnn.models import Sequential
    >>> from rnn.layers import Input, SimpleRNN
    >>> rnn.clear_session()
    >>> model = Sequential([Input(shape=(3, 1)), SimpleRNN(10)])
    >>> model.input_shape, model.output_shape
    ((None, 3, 1), (None, 10))
    >>> x = Input(shape=(None, 8), dtype="float64", name="sequences")
    >>> x.shape, x.dtype
    ((None, None, 8), 'float64')
    """
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        ragged=ragged,
        batch_shape=batch_shape,
        name=name,
        optional=optional,
    )
    return layer.output


class Dense(ActivityRegularization, Layer):
    """A fully connected layer: ``activation(inputs @ kernel + bias)``.

    Applied to the last axis, so a ``(batch, timesteps, features)`` input gives
    ``(batch, timesteps, units)``.

    Parameters
    ----------
    units : int
        Size of the output (positive).
    activation : str, callable or None
        ``None`` (default) means linear.
    use_bias : bool
        Whether to add a bias vector.
    kernel_initializer : str or callable
        How the kernel is drawn (``"glorot_uniform"``).
    bias_initializer : str or callable
        How the bias is drawn (``"zeros"``).
    kernel_regularizer : str, Regularizer or None
        Penalty on the kernel added to the training loss (see :mod:`rnn.regularizers`).
    bias_regularizer : str, Regularizer or None
        Penalty on the bias.
    activity_regularizer : str, Regularizer or None
        Penalty on the output, divided by the batch size (Keras 3's).
    kernel_constraint : str, Constraint or None
        Applied to the kernel after each update (see :mod:`rnn.constraints`).
    bias_constraint : str, Constraint or None
        Applied to the bias after each update.
    **kwargs
        ``name``, ``input_shape``, ``seed``... see `Layer`.

    Raises
    ------
    ValueError
        If ``units`` is not a positive integer (Keras's message, with the value's repr
        and type), ``use_bias`` is not a bool, or an activation, initializer,
        regularizer or constraint is unknown; when built, if the input shape is not a
        shape of at least 2 axes whose last is known.
    MemoryError
        When built, if the kernel does not fit in memory, with the size asked for.

    Attributes
    ----------
    kernel : numpy.ndarray, shape (input_dim, units)
    bias : numpy.ndarray, shape (units,)
    losses : list of float
        The activity penalty of the last call, then the weights' penalties (Keras's).

    Examples
    --------
    >>> import numpy as np
    >>> import rnn
    >>> from rnn.layers import Dense
    >>> rnn.clear_session()
    >>> layer = Dense(4)
    >>> y = layer(np.ones((2, 3, 10)))
    >>> layer.name, y.shape, y.dtype.name, layer.count_params()
    ('dense', (2, 3, 4), 'float32', 44)
    >>> [w.shape for w in layer.get_weights()]
    [(10, 4), (4,)]

    With penalties, ``losses`` lists them (``fit`` adds them to the loss):

    >>> layer = Dense(2, kernel_initializer="ones", kernel_regularizer="l2",
    ...               activity_regularizer=rnn.regularizers.L1(0.5))
    >>> _ = layer(np.ones((4, 3)))   # outputs 3.0, batch of 4: 0.5 * 24 / 4
    >>> [round(loss, 6) for loss in layer.losses]
    [3.0, 0.06]
    """

    min_ndim = 2
    supports_masking = True  # applied at every step, it passes a sequence's mask on

    def __init__(
        self,
        units: int,
        activation: str | activations.Activation | None = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        self.units = positive_int(
            units,
            "units",
            "Received an invalid value for `units`, expected a positive integer. "
            f"Received: units={_received(units)}",
        )
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.use_bias = _check_flag(use_bias, "use_bias")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def _weight_rules(self) -> list[tuple[Any, Any]]:
        rules = [(self.kernel_regularizer, self.kernel_constraint)]
        if self.use_bias:
            rules.append((self.bias_regularizer, self.bias_constraint))
        return rules

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Create ``kernel`` (input_dim, units) and ``bias`` (units,).

        Raises
        ------
        ValueError
            If ``input_shape`` is not a shape of at least 2 axes whose last is known.
        MemoryError
            If the weights do not fit in memory, with the size asked for.
        """
        input_shape = self._checked_shape(input_shape)
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                "The last dimension of the inputs to a Dense layer should be defined. Found None."
            )
        self.kernel = self.add_weight("kernel", (input_dim, self.units), self.kernel_initializer)
        self.bias = (  # None without a bias, as Keras's
            self.add_weight("bias", (self.units,), self.bias_initializer) if self.use_bias else None
        )
        super().build(input_shape)

    @property
    def activation(self) -> activations.Activation:
        """The activation; set it to a name, a function or None (linear), as at construction."""
        return self._activation

    @activation.setter
    def activation(self, value: str | activations.Activation | None) -> None:
        self._activation = activations.get(value)

    def expected_last_dim(self) -> int | None:
        """Once built, the input must keep the feature size it was built with."""
        return self.kernel.shape[0] if self.built else None

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        """``(..., units)``."""
        return (*tuple(input_shape)[:-1], self.units)

    def call(self, inputs: np.ndarray) -> np.ndarray:
        """``activation(inputs @ kernel + bias)``."""
        return self.forward_with_cache(inputs)[0]

    def forward_with_cache(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        """Return ``call(x)`` and the cache ``(x, y)`` that `backward_with_cache` reads.

        An activation whose derivative needs the pre-activation ``z`` (``gelu``,
        ``silu``) keeps it too: ``(x, y, z)``. The others read theirs from ``y``.
        """
        z = x @ self.kernel  # z = x K (+ b)
        if self.bias is not None:
            z = z + self.bias
        y = np.asarray(self.activation(z), dtype=self.dtype)  # y = act(z)
        return y, ((x, y, z) if activations.needs_input(self.activation) else (x, y))

    def backward_with_cache(
        self, grad_output: Any, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """``dz = dy act'``; ``dL/dkernel = x^T dz``, ``dL/dbias = sum dz``, ``dL/dx = dz K^T``."""
        x, y, *z = cache
        g = self.grad_output_array(grad_output, y.shape)
        dz = activation_backward(self.activation, y, g, inputs=z[0] if z else None)
        dz_rows = dz.reshape(-1, self.units)  # every leading axis is a batch axis
        grads = [x.reshape(-1, x.shape[-1]).T @ dz_rows]  # dL/dkernel = sum x^T dz
        if self.use_bias:
            grads.append(dz_rows.sum(axis=0))  # dL/dbias = sum dz
        return dz @ self.kernel.T, grads  # dL/dx = dz K^T

    def get_config(self) -> dict[str, Any]:
        """Keras's config keys for Dense (``activity_regularizer`` only when set, as Keras)."""
        activity = self.activity_regularizer
        return {
            **super().get_config(),
            **(
                {}
                if activity is None
                else {"activity_regularizer": regularizers.serialize(activity)}
            ),
            "units": self.units,
            "activation": activations.name_of(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.name_of(self.kernel_initializer),
            "bias_initializer": initializers.name_of(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


class Masking(Layer):
    """Mark the steps whose features all equal ``mask_value`` as padding.

    The output is the input with those steps set to zero; the next layers get a mask
    (`compute_mask`), False at those steps, and the recurrent layers skip them.

    Parameters
    ----------
    mask_value : float
        The value of every feature of a padding step (default 0.0).
    **kwargs
        ``name``, ``input_shape``... see `Layer`.

    Raises
    ------
    TypeError
        If ``mask_value`` is not a number.
    ValueError
        If ``mask_value`` is NaN, which equals nothing: no step would be masked.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn.layers import Masking
    >>> x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]])   # (batch, timesteps, features)
    >>> layer = Masking(mask_value=0.0)
    >>> layer.compute_mask(x).tolist()
    [[True, False, True]]
    >>> layer(x).tolist()
    [[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]]
    """

    min_ndim = 2
    supports_masking = True

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        try:
            self.mask_value = float(mask_value)
        except (TypeError, ValueError):
            raise TypeError(
                f"Masking expects a number for `mask_value`, got {mask_value!r}"
            ) from None
        if np.isnan(self.mask_value):
            raise ValueError(
                "Masking cannot mask NaN: NaN equals nothing, not even NaN, so no step "
                "would ever be masked. Replace the NaN in your data with a number (e.g. "
                "`np.nan_to_num(x, nan=0.0)`) and mask that. Received: mask_value=nan"
            )

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> np.ndarray:
        """Return True where a feature differs from ``mask_value``: ``inputs.shape[:-1]``."""
        return np.any(np.not_equal(np.asarray(inputs), self.mask_value), axis=-1)

    def call(self, inputs: np.ndarray) -> np.ndarray:
        """Return the inputs, zero at the padding steps."""
        return self.forward_with_cache(inputs)[0]

    def forward_with_cache(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        """Return the masked inputs and the cache: which steps are kept, ``(..., 1)``."""
        keep = self.compute_mask(x)[..., None]
        return np.asarray(x * keep, dtype=self.dtype), keep

    def backward_with_cache(self, grad_output: Any, cache: Any) -> tuple[np.ndarray, list[Any]]:
        """Pass the gradient where a step is kept; zero at the padding."""
        keep = cache
        g = self.grad_output_array(grad_output, (*keep.shape[:-1], np.shape(grad_output)[-1]))
        return np.asarray(g * keep, dtype=self.dtype), []

    def get_config(self) -> dict[str, Any]:
        """Keras's config keys for Masking."""
        return {**super().get_config(), "mask_value": self.mask_value}

"""Check that a layer keeps the contract every layer of `rnn` keeps.

`check_layer` is this package's idea of Keras's ``run_layer_test``: one call builds a
layer and checks what a model, a summary, a saved config and a gradient check will rely
on. The package's own layers all go through it (``tests/test_testing.py``), and so can
yours (see *Writing your own layer* in the course).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from rnn.layers.layer import Layer

FLOAT_DTYPES = ("float32", "float64")


def check_layer(
    layer_cls: type[Layer],
    init_kwargs: Mapping[str, Any] | None = None,
    *,
    input_shape: Sequence[int] | None = None,
    input_data: Any = None,
    expected_output_shape: Any = None,
    expected_num_params: int | None = None,
    check_gradients: bool = True,
    tolerance: float = 1e-6,
    seed: int = 0,
) -> None:
    """Build a layer and check its contract; raise AssertionError naming what fails.

    For float32 and float64 (the layer's ``dtype=``) the layer is built and called on
    the same batch, and then:

    1. a layer of the package is exported from `rnn.layers` under its own name, where
       `Sequential.from_config` looks for it (your own layers are passed to it in
       ``custom_objects``);
    2. the output's shape equals `compute_output_shape` (and ``expected_output_shape``);
    3. the output, the weights and the gradients are in the layer's dtype;
    4. `count_params` equals the size of the weights (and ``expected_num_params``);
    5. ``from_config(get_config())`` gives the same config, and with the same weights
       the same output, as a layer and inside a `Sequential`;
    6. `backward` returns one gradient per weight, each of its weight's shape, and a
       gradient of the input's shape (unless the input holds integer ids).

    Finally `rnn.gradcheck.check_gradients` compares `backward` with central
    differences, in float64.

    Parameters
    ----------
    layer_cls : type
        The layer's class, a subclass of `rnn.layers.Layer`.
    init_kwargs : mapping, optional
        The arguments of the constructor (copied for each layer made), without
        ``dtype``.
    input_shape : sequence of int, optional
        The shape of a random batch drawn from a standard normal, e.g. ``(2, 5, 3)``.
    input_data : array_like, optional
        The batch itself, instead of ``input_shape`` (integer ids for an `Embedding`).
    expected_output_shape : tuple or list of tuples, optional
        The output's shape, as a tuple, or a list of them for a list of outputs.
    expected_num_params : int, optional
        The number of parameters `model.summary()` should show for the layer.
    check_gradients : bool
        Whether to run the gradient check.
    tolerance : float
        The largest relative error the gradient check accepts (an absolute error within
        the rounding of the differences is accepted too: `rnn.gradcheck.ROUNDING_FACTOR`).
    seed : int
        The seed of the random batch and of the gradient check.

    Raises
    ------
    AssertionError
        With a message that names the check that failed, what was expected and what
        came.

    Examples
    --------
    >>> from rnn.layers import LSTM
    >>> from rnn.testing import check_layer
    >>> check_layer(
    ...     LSTM,
    ...     {"units": 4, "return_sequences": True},
    ...     input_shape=(2, 5, 3),
    ...     expected_output_shape=(2, 5, 4),
    ...     expected_num_params=4 * (4 * 4 + 3 * 4 + 4),
    ... )
    """
    name = layer_cls.__name__
    _check_exported(layer_cls)
    _expect(
        input_shape is not None or input_data is not None,
        "check_layer needs input_shape= or input_data=",
    )
    kwargs = dict(init_kwargs or {})
    _expect("dtype" not in kwargs, "pass init_kwargs without dtype: both are checked")
    x = _input_batch(input_shape, input_data, seed)

    for dtype in FLOAT_DTYPES:
        layer = layer_cls(**copy.deepcopy(kwargs), dtype=dtype)
        where = f"{name} ({dtype})"
        out = layer.forward(x)
        outputs = _as_list(out)
        _check_output_shape(layer, x, outputs, expected_output_shape, where)
        _check_dtypes(layer, outputs, dtype, where)
        _check_num_params(layer, expected_num_params, where)
        _check_config(layer, layer_cls, x, outputs, where)
        _check_backward(layer, x, out, dtype, where)

    if check_gradients:
        _check_gradients(layer_cls, kwargs, x, seed, tolerance)


def _check_exported(layer_cls: type[Layer]) -> None:
    """Check that a layer of the package is exported from `rnn.layers` under its name.

    `Sequential.from_config` looks for it there; layers of other packages are passed to
    it in ``custom_objects`` instead, and are not checked.
    """
    from rnn import layers

    name = layer_cls.__name__
    if layer_cls.__module__.split(".")[0] == "rnn":  # the package's own layers
        _expect(
            getattr(layers, name, None) is layer_cls,
            f"{name} is not exported from rnn.layers under its own name, where "
            f"Sequential.from_config looks for it: add it to rnn/layers/__init__.py",
        )


def _input_batch(input_shape: Sequence[int] | None, input_data: Any, seed: int) -> np.ndarray:
    """Return ``input_data`` as an array, or a standard normal batch of ``input_shape``."""
    if input_data is None:
        assert input_shape is not None
        return np.random.default_rng(seed).standard_normal(tuple(input_shape))
    return np.asarray(input_data)


def _check_output_shape(
    layer: Layer, x: np.ndarray, outputs: list[np.ndarray], expected: Any, where: str
) -> None:
    """Check the outputs' shapes against `compute_output_shape` and ``expected``.

    Parameters
    ----------
    layer : Layer
        The layer, called on ``x``.
    x : ndarray
        The batch it was called on.
    outputs : list of ndarray
        Its output, as a list (of one array unless the layer returns several).
    expected : tuple, list of tuples, or None
        ``expected_output_shape`` of `check_layer`; None: not checked.
    where : str
        The layer's name and dtype, for the messages.
    """
    shapes = [tuple(o.shape) for o in outputs]
    computed = layer.compute_output_shape(x.shape)
    _expect(
        shapes == _as_shape_list(computed),
        f"{where}: the output's shape is {_shown(shapes)}, but compute_output_shape "
        f"says {_shown(_as_shape_list(computed))}",
    )
    if expected is not None:
        _expect(
            shapes == _as_shape_list(expected),
            f"{where}: expected an output of shape "
            f"{_shown(_as_shape_list(expected))}, got {_shown(shapes)}",
        )


def _check_dtypes(layer: Layer, outputs: list[np.ndarray], dtype: str, where: str) -> None:
    """Check that the outputs and the weights are in the layer's ``dtype``."""
    wrong = [str(o.dtype) for o in outputs if o.dtype != np.dtype(dtype)]
    wrong += [str(w.dtype) for w in layer.weights if w.dtype != np.dtype(dtype)]
    _expect(not wrong, f"{where}: outputs and weights must be {dtype}, got {wrong}")


def _check_num_params(layer: Layer, expected: int | None, where: str) -> None:
    """Check `count_params` against the weights' sizes, and those against ``expected``."""
    sizes = sum(int(w.size) for w in layer.weights)
    _expect(
        layer.count_params() == sizes,
        f"{where}: count_params() is {layer.count_params()}, but the weights hold {sizes} numbers",
    )
    if expected is not None:
        _expect(sizes == expected, f"{where}: expected {expected} parameters, got {sizes}")


def _check_backward(layer: Layer, x: np.ndarray, out: Any, dtype: str, where: str) -> None:
    """Check what `backward` returns for a gradient of ones on the last forward's output.

    One gradient per weight, of its weight's shape and of the layer's ``dtype``, and a
    gradient of the input's shape, unless the input holds integer ids (which have none).

    Parameters
    ----------
    layer : Layer
        The layer, after ``layer.forward(x)``.
    x : ndarray
        The batch of that forward pass.
    out : ndarray or list of ndarray
        What that forward pass returned.
    dtype : str
        The layer's dtype.
    where : str
        The layer's name and dtype, for the messages.
    """
    ones = [np.ones_like(o) for o in _as_list(out)]
    grad_x = layer.backward(ones if isinstance(out, (list, tuple)) else ones[0])
    grads = layer.grads
    _expect(
        [g.shape for g in grads] == [w.shape for w in layer.weights],
        f"{where}: backward gave gradients of shapes {[g.shape for g in grads]} for "
        f"weights of shapes {[w.shape for w in layer.weights]}",
    )
    wrong = [str(g.dtype) for g in grads if g.dtype != np.dtype(dtype)]
    _expect(not wrong, f"{where}: gradients must be {dtype}, got {wrong}")
    if x.dtype.kind not in "biu":  # integer ids have no gradient
        _expect(
            np.shape(grad_x) == x.shape,
            f"{where}: the input's gradient has shape {np.shape(grad_x)}, the input {x.shape}",
        )


def _check_gradients(
    layer_cls: type[Layer], kwargs: dict[str, Any], x: np.ndarray, seed: int, tolerance: float
) -> None:
    """Check `backward` against central differences (`rnn.gradcheck.check_gradients`)."""
    from rnn.gradcheck import check_gradients as gradient_check

    report = gradient_check(layer_cls(**copy.deepcopy(kwargs)), x, seed=seed, tolerance=tolerance)
    _expect(
        report.ok,
        f"{layer_cls.__name__}: backward disagrees with central differences\n{report}",
    )


def _check_config(
    layer: Layer, layer_cls: type[Layer], x: np.ndarray, outputs: list[np.ndarray], where: str
) -> None:
    """Check that ``from_config(get_config())`` rebuilds the layer.

    The same config and, with the same weights, the same output, on its own and inside a
    Sequential.
    """
    from rnn.models import Sequential

    config = layer.get_config()
    clone = layer_cls.from_config(copy.deepcopy(config))
    _expect(
        clone.get_config() == config,
        f"{where}: from_config(get_config()) gives another config:\n  {config}\n  "
        f"{clone.get_config()}",
    )
    clone.forward(x)
    try:
        clone.set_weights(layer.get_weights())
    except ValueError as error:
        raise AssertionError(
            f"{where}: the layer rebuilt from its config does not take its weights "
            f"(does get_config return every argument?): {error}"
        ) from error
    again = _as_list(clone.forward(x))
    _expect(
        all(np.array_equal(a, b) for a, b in zip(outputs, again, strict=True)),
        f"{where}: the layer rebuilt from its config computes another output with the same weights",
    )
    model = Sequential.from_config(
        Sequential([layer_cls.from_config(config)]).get_config(),
        custom_objects={layer_cls.__name__: layer_cls},
    )
    _expect(
        type(model.layers[-1]) is layer_cls,
        f"{where}: Sequential.from_config rebuilt a {type(model.layers[-1]).__name__}",
    )


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def _as_list(out: Any) -> list[np.ndarray]:
    return [np.asarray(o) for o in out] if isinstance(out, (list, tuple)) else [np.asarray(out)]


def _as_shape_list(shape: Any) -> list[tuple[Any, ...]]:
    """Return a shape, or a list of shapes, as a list of tuples."""
    if isinstance(shape, list) or (
        isinstance(shape, tuple) and shape and isinstance(shape[0], (tuple, list))
    ):
        return [tuple(s) for s in shape]
    return [tuple(shape)]


def _shown(shapes: list[tuple[Any, ...]]) -> str:
    return str(shapes[0]) if len(shapes) == 1 else str(shapes)

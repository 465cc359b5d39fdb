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
        The largest relative error the gradient check accepts.
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
    from rnn import layers
    from rnn.gradcheck import check_gradients as gradient_check

    name = layer_cls.__name__
    if layer_cls.__module__.split(".")[0] == "rnn":  # the package's own layers
        _expect(
            getattr(layers, name, None) is layer_cls,
            f"{name} is not exported from rnn.layers under its own name, where "
            f"Sequential.from_config looks for it: add it to rnn/layers/__init__.py",
        )
    _expect(
        input_shape is not None or input_data is not None,
        "check_layer needs input_shape= or input_data=",
    )
    kwargs = dict(init_kwargs or {})
    _expect("dtype" not in kwargs, "pass init_kwargs without dtype: both are checked")
    if input_data is None:
        assert input_shape is not None
        x = np.random.default_rng(seed).standard_normal(tuple(input_shape))
    else:
        x = np.asarray(input_data)
    ids = x.dtype.kind in "biu"

    for dtype in FLOAT_DTYPES:
        layer = layer_cls(**copy.deepcopy(kwargs), dtype=dtype)
        where = f"{name} ({dtype})"
        out = layer.forward(x)
        outputs = _as_list(out)
        shapes = [tuple(o.shape) for o in outputs]

        computed = layer.compute_output_shape(x.shape)
        _expect(
            shapes == _as_shape_list(computed),
            f"{where}: the output's shape is {_shown(shapes)}, but compute_output_shape "
            f"says {_shown(_as_shape_list(computed))}",
        )
        if expected_output_shape is not None:
            _expect(
                shapes == _as_shape_list(expected_output_shape),
                f"{where}: expected an output of shape "
                f"{_shown(_as_shape_list(expected_output_shape))}, got {_shown(shapes)}",
            )

        wrong = [str(o.dtype) for o in outputs if o.dtype != np.dtype(dtype)]
        wrong += [str(w.dtype) for w in layer.weights if w.dtype != np.dtype(dtype)]
        _expect(not wrong, f"{where}: outputs and weights must be {dtype}, got {wrong}")

        sizes = sum(int(w.size) for w in layer.weights)
        _expect(
            layer.count_params() == sizes,
            f"{where}: count_params() is {layer.count_params()}, but the weights hold "
            f"{sizes} numbers",
        )
        if expected_num_params is not None:
            _expect(
                sizes == expected_num_params,
                f"{where}: expected {expected_num_params} parameters, got {sizes}",
            )

        _check_config(layer, layer_cls, x, outputs, where)

        ones = [np.ones_like(o) for o in outputs]
        grad_x = layer.backward(ones if isinstance(out, (list, tuple)) else ones[0])
        grads = layer.grads
        _expect(
            [g.shape for g in grads] == [w.shape for w in layer.weights],
            f"{where}: backward gave gradients of shapes {[g.shape for g in grads]} for "
            f"weights of shapes {[w.shape for w in layer.weights]}",
        )
        wrong = [str(g.dtype) for g in grads if g.dtype != np.dtype(dtype)]
        _expect(not wrong, f"{where}: gradients must be {dtype}, got {wrong}")
        if not ids:
            _expect(
                np.shape(grad_x) == x.shape,
                f"{where}: the input's gradient has shape {np.shape(grad_x)}, the input {x.shape}",
            )

    if check_gradients:
        report = gradient_check(
            layer_cls(**copy.deepcopy(kwargs)), x, seed=seed, tolerance=tolerance
        )
        _expect(report.ok, f"{name}: backward disagrees with central differences\n{report}")


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

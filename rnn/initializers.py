"""Weight initializers with the names and defaults of Keras, in pure NumPy.

Every initializer is a callable ``init(shape, rng) -> np.ndarray`` (float32).
The random ones draw from a :class:`numpy.random.Generator`; by default the
session's generator (:mod:`rnn.config`), which :func:`set_random_seed` reseeds, so examples are
reproducible. The values follow the same *distributions* as Keras, not the same
random numbers: to reproduce a Keras model exactly, copy its weights with
``set_weights``.

Two forms, as in Keras 3:

- functions under Keras's names, ``he_normal(shape, rng)``, which `get` returns for
  ``"he_normal"``; the ones with settings are made by a call, ``random_uniform(-1, 1)``,
  ``random_normal(stddev=0.1)``, ``truncated_normal()``, ``constant(2.5)``;
- classes with Keras's arguments, defaults and ``get_config``: `HeNormal`,
  `RandomNormal`, `VarianceScaling`, ... A class given a ``seed`` draws the same
  values at every call (as Keras's do with an integer seed); without one it draws from
  the generator it is handed, like the functions.

`get` accepts a name, a class or an instance of one, a callable of your own, and
Keras 3's serialized form ``{"module": "keras.initializers", "class_name":
"HeNormal", "config": {...}, "registered_name": None}``, which `serialize` writes.

The variance-scaling family (Glorot, He, LeCun) draws with the standard deviation
``sqrt(scale / n)``, ``n`` the fan in, the fan out or their mean: from a normal
distribution cut at two standard deviations (the cut shrinks the standard deviation
by 0.87962566103423978, which the draw makes up for, as Keras's does), or uniformly
on ``[-limit, limit]`` with ``limit = sqrt(3 scale / n)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from rnn import _registry
from rnn._arguments import check_number, received

# set_random_seed and global_rng live in rnn.config; initializers offers them too
from rnn.config import global_rng as global_rng
from rnn.config import set_random_seed as set_random_seed

InitializerLike = Callable[..., np.ndarray]

# The standard deviation of a standard normal cut at -2 and 2 (Keras's constant)
_TRUNCATED_STDDEV = 0.87962566103423978


def _fans(shape: Sequence[int]) -> tuple[int, int]:
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = int(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


def _fans_on(
    shape: Sequence[int], input_axes: Sequence[int] | None, output_axes: Sequence[int] | None
) -> tuple[int, int]:
    """Keras's fans: the products over ``input_axes`` and ``output_axes`` when both given."""
    if input_axes is not None and output_axes is not None:
        fan_in = int(np.prod([shape[a] for a in input_axes]))
        fan_out = int(np.prod([shape[a] for a in output_axes]))
        return fan_in, fan_out
    return _fans(shape)


def zeros(shape: Sequence[int], rng: np.random.Generator | None = None) -> np.ndarray:
    """All zeros (Keras ``"zeros"``).

    Examples
    --------
    >>> from rnn import initializers
    >>> initializers.zeros((2,)).tolist()
    [0.0, 0.0]
    """
    return np.zeros(tuple(shape), dtype=np.float32)


def ones(shape: Sequence[int], rng: np.random.Generator | None = None) -> np.ndarray:
    """All ones (Keras ``"ones"``).

    Examples
    --------
    >>> from rnn import initializers
    >>> initializers.ones((2,)).tolist()
    [1.0, 1.0]
    """
    return np.ones(tuple(shape), dtype=np.float32)


def glorot_uniform(shape: Sequence[int], rng: np.random.Generator | None = None) -> np.ndarray:
    """Uniform on ``[-limit, limit]`` with ``limit = sqrt(6 / (fan_in + fan_out))``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> w = initializers.glorot_uniform((10, 1), np.random.default_rng(0))
    >>> w.shape, w.dtype.name, bool(abs(w).max() <= (6 / 11) ** 0.5)
    ((10, 1), 'float32', True)
    """
    fan_in, fan_out = _fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return (rng or global_rng()).uniform(-limit, limit, size=tuple(shape)).astype(np.float32)


def orthogonal(shape: Sequence[int], rng: np.random.Generator | None = None) -> np.ndarray:
    """Draw a (semi-)orthogonal matrix from the QR decomposition of a Gaussian one.

    The signs of ``diag(R)`` are folded into ``Q`` so the result is uniformly
    distributed over orthogonal matrices. For a non-square ``(rows, cols)``
    shape, the rows (if fewer) or columns are orthonormal.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> q = initializers.orthogonal((4, 4), np.random.default_rng(0))
    >>> bool(np.allclose(q @ q.T, np.eye(4), atol=1e-6))
    True
    >>> w = initializers.orthogonal((3, 12), np.random.default_rng(0))
    >>> bool(np.allclose(w @ w.T, np.eye(3), atol=1e-6))
    True
    """
    shape = tuple(shape)
    rows = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
    cols = shape[-1]
    a = (rng or global_rng()).standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return q.reshape(shape).astype(np.float32)


def _truncated(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Draw standard normal values cut at -2 and 2: the ones outside are drawn again."""
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2
    return values


# ------------------------------------------------------------------------ classes


class Initializer:
    """The base of the initializer classes: ``init(shape, rng=None, dtype=None)``.

    A subclass draws in `_draw`; the base class picks the generator (a new one from
    ``seed`` at every call when the initializer has a seed, else ``rng``, else the
    session's), casts to ``dtype`` (float32 by default), and gives ``get_config`` and
    ``from_config`` in Keras's form. Keras's call ``init(shape, dtype)`` works too: a
    dtype in the place of ``rng`` is taken as the dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> class Twos(initializers.Initializer):
    ...     def _draw(self, shape, rng):
    ...         return np.full(shape, 2.0)
    >>> Twos()((2,)).tolist(), Twos()((1,), dtype="float64").dtype.name
    ([2.0, 2.0], 'float64')
    """

    seed: int | None = None

    def __call__(
        self,
        shape: Sequence[int],
        rng: np.random.Generator | None = None,
        dtype: Any = None,
    ) -> np.ndarray:
        """Return the values for ``shape``, in ``dtype`` (default float32)."""
        if rng is not None and not isinstance(rng, np.random.Generator):
            rng, dtype = None, rng  # Keras's init(shape, dtype)
        shape = tuple(int(n) for n in shape)
        if self.seed is not None:
            rng = np.random.default_rng(self.seed)
        values = self._draw(shape, rng or global_rng())
        return np.asarray(values).astype(np.float32 if dtype is None else dtype, copy=False)

    def _draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must define _draw(shape, rng)")

    def get_config(self) -> dict[str, Any]:
        """Return the arguments of the constructor, as Keras's ``get_config``."""
        return {}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Initializer:
        """Build the initializer from `get_config`'s dict."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, type(self))
            and type(other) is type(self)
            and other.get_config() == self.get_config()
        )

    def __hash__(self) -> int:
        return hash(type(self))


def _check_seed(seed: Any) -> int | None:
    if seed is None or (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)):
        return None if seed is None else int(seed)
    raise ValueError(
        "`seed` argument should be an instance of `keras.random.SeedGenerator()` or an "
        f"integer. Received: seed={seed}"
    )


class Zeros(Initializer):
    """All zeros, as `zeros`.

    Examples
    --------
    >>> from rnn import initializers
    >>> initializers.Zeros()((2,)).tolist()
    [0.0, 0.0]
    """

    def _draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return zeros(shape)


class Ones(Initializer):
    """All ones, as `ones`.

    Examples
    --------
    >>> from rnn import initializers
    >>> initializers.Ones()((2,)).tolist()
    [1.0, 1.0]
    """

    def _draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return ones(shape)


class Constant(Initializer):
    """Every value ``value`` (a number, or an array broadcast to the shape).

    Parameters
    ----------
    value : float or array_like
        Default 0.0, as Keras's.

    Examples
    --------
    >>> from rnn import initializers
    >>> initializers.Constant(2.5)((2, 2)).tolist()
    [[2.5, 2.5], [2.5, 2.5]]
    >>> initializers.Constant(2.5).get_config()
    {'value': 2.5}
    """

    def __init__(self, value: Any = 0.0) -> None:
        try:
            finite = bool(np.isfinite(np.asarray(value, np.float64)).all())
        except (TypeError, ValueError):
            finite = False
        if not finite:
            raise ValueError(
                "Constant needs a finite number (or an array of them) as its `value`. "
                f"{received('value', value)}"
            )
        self.value = value

    def _draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return np.broadcast_to(np.asarray(self.value, np.float64), shape).copy()

    def get_config(self) -> dict[str, Any]:
        """Return ``{"value": value}``."""
        value = self.value
        return {"value": value.tolist() if isinstance(value, np.ndarray) else value}


class RandomUniform(Initializer):
    """Uniform on ``[minval, maxval)``; Keras's ``"uniform"`` and ``"random_uniform"``.

    Parameters
    ----------
    minval : float
        The lowest value.
    maxval : float
        The bound the values stay below.
    seed : int, optional
        Draw the same values at every call.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> w = initializers.RandomUniform(-1.0, 1.0)((1000,), np.random.default_rng(0))
    >>> bool(w.min() >= -1 and w.max() < 1), initializers.RandomUniform().get_config()
    (True, {'seed': None, 'minval': -0.05, 'maxval': 0.05})
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        self.seed = _check_seed(seed)
        self.minval = check_number("minval", minval)
        self.maxval = check_number("maxval", maxval)
        if minval > maxval:
            raise ValueError(
                f"RandomUniform needs minval <= maxval. Received: minval={minval}, maxval={maxval}"
            )

    def _draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(self.minval, self.maxval, size=shape).astype(np.float32)

    def get_config(self) -> dict[str, Any]:
        """Return ``seed``, ``minval`` and ``maxval``."""
        return {"seed": self.seed, "minval": self.minval, "maxval": self.maxval}


class RandomNormal(Initializer):
    """Normal with mean ``mean`` and standard deviation ``stddev``.

    Parameters
    ----------
    mean : float
        The mean, as Keras's default.
    stddev : float
        The standard deviation, as Keras's default.
    seed : int, optional
        Draw the same values at every call.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> w = initializers.RandomNormal(mean=1.0, stddev=2.0)((10000,), np.random.default_rng(0))
    >>> round(float(w.mean()), 1), round(float(w.std()), 1)
    (1.0, 2.0)
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        self.seed = _check_seed(seed)
        self.mean = check_number("mean", mean)
        self.stddev = check_number("stddev", stddev, minimum=0)

    def _draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return rng.normal(self.mean, self.stddev, size=shape)

    def get_config(self) -> dict[str, Any]:
        """Return ``seed``, ``mean`` and ``stddev``."""
        return {"seed": self.seed, "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomNormal):
    """Normal with mean ``mean`` and ``stddev``, values beyond two ``stddev`` drawn again.

    Parameters
    ----------
    mean : float
        The mean before truncation.
    stddev : float
        The normal's standard deviation; that of the values is about 0.88 ``stddev``.
    seed : int, optional
        Draw the same values at every call.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> w = initializers.TruncatedNormal(stddev=1.0)((10000,), np.random.default_rng(0))
    >>> bool(np.abs(w).max() <= 2), round(float(w.std()), 2)
    (True, 0.88)
    """

    def _draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return self.mean + self.stddev * _truncated(rng, shape)


class VarianceScaling(Initializer):
    """Values whose variance is ``scale / n``, ``n`` from the shape (see the module).

    Parameters
    ----------
    scale : float
        Positive; default 1.0.
    mode : {"fan_in", "fan_out", "fan_avg"}
        What ``n`` is: the number of inputs, of outputs, or their mean.
    distribution : {"truncated_normal", "untruncated_normal", "uniform"}
        ``"normal"`` means ``"truncated_normal"``, as in Keras.
    seed : int, optional
        Draw the same values at every call.
    input_axes, output_axes : sequence of int, optional
        The axes whose sizes multiply to the fans (both, or neither: the usual fans).

    Raises
    ------
    ValueError
        For a scale that is not positive, or an unknown mode or distribution, in
        Keras's words.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> init = initializers.VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform")
    >>> w = init((100, 50), np.random.default_rng(0))
    >>> bool(np.abs(w).max() <= (3 * 2.0 / 100) ** 0.5)
    True
    >>> initializers.VarianceScaling(mode="fan")
    Traceback (most recent call last):
    ...
    ValueError: Invalid `mode` argument: fan. Please use one of {'fan_in', 'fan_out', 'fan_avg'}
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
        input_axes: Sequence[int] | None = None,
        output_axes: Sequence[int] | None = None,
    ) -> None:
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(
                f"Invalid `mode` argument: {mode}. "
                "Please use one of {'fan_in', 'fan_out', 'fan_avg'}"
            )
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(  # Keras's message lacks the space after the full stop
                f"Invalid `distribution` argument: {distribution}."
                "Please use one of {'uniform', 'truncated_normal', 'untruncated_normal'}"
            )
        self.seed = _check_seed(seed)
        self.scale, self.mode, self.distribution = scale, mode, distribution
        self.input_axes, self.output_axes = input_axes, output_axes

    def _n(self, shape: tuple[int, ...]) -> float:
        fan_in, fan_out = _fans_on(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        return max(1.0, n[self.mode])

    def _draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        variance = self.scale / self._n(shape)
        if self.distribution == "uniform":
            limit = np.sqrt(3.0 * variance)
            return rng.uniform(-limit, limit, size=shape)
        if self.distribution == "untruncated_normal":
            return np.sqrt(variance) * rng.standard_normal(shape)
        return np.sqrt(variance) / _TRUNCATED_STDDEV * _truncated(rng, shape)

    def get_config(self) -> dict[str, Any]:
        """Return Keras's keys: ``seed``, ``scale``, ``mode``, ``distribution``, the axes."""
        return {
            "seed": self.seed,
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _Fixed(VarianceScaling):
    """A `VarianceScaling` whose scale, mode and distribution are the class's own."""

    _settings: tuple[float, str, str] = (1.0, "fan_in", "truncated_normal")

    def __init__(
        self,
        seed: int | None = None,
        input_axes: Sequence[int] | None = None,
        output_axes: Sequence[int] | None = None,
    ) -> None:
        super().__init__(*self._settings, seed, input_axes, output_axes)

    def get_config(self) -> dict[str, Any]:
        """Return ``seed``, ``input_axes`` and ``output_axes``, as Keras's."""
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}


class GlorotUniform(_Fixed):
    """Glorot (Xavier) uniform: ``limit = sqrt(6 / (fan_in + fan_out))``, as `glorot_uniform`.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> a = initializers.GlorotUniform()((3, 4), np.random.default_rng(0))
    >>> b = initializers.glorot_uniform((3, 4), np.random.default_rng(0))
    >>> bool(np.array_equal(a, b))
    True
    """

    _settings = (1.0, "fan_avg", "uniform")

    def _draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        if self.input_axes is None or self.output_axes is None:
            return glorot_uniform(shape, rng)  # the same numbers as the function
        return super()._draw(shape, rng)


class GlorotNormal(_Fixed):
    """Glorot (Xavier) normal: truncated, standard deviation ``sqrt(2 / (fan_in + fan_out))``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> w = initializers.GlorotNormal()((300, 100), np.random.default_rng(0))
    >>> round(float(w.std() / (2 / 400) ** 0.5), 1)
    1.0
    """

    _settings = (1.0, "fan_avg", "truncated_normal")


class HeNormal(_Fixed):
    """He normal: truncated, standard deviation ``sqrt(2 / fan_in)``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> w = initializers.HeNormal(seed=1)((200, 100))
    >>> round(float(w.std() / (2 / 200) ** 0.5), 1), initializers.HeNormal().get_config()
    (1.0, {'seed': None, 'input_axes': None, 'output_axes': None})
    """

    _settings = (2.0, "fan_in", "truncated_normal")


class HeUniform(_Fixed):
    """He uniform: ``limit = sqrt(6 / fan_in)``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> w = initializers.HeUniform()((6, 4), np.random.default_rng(0))
    >>> bool(np.abs(w).max() <= 1.0)
    True
    """

    _settings = (2.0, "fan_in", "uniform")


class LecunNormal(_Fixed):
    """LeCun normal: truncated, standard deviation ``sqrt(1 / fan_in)``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> w = initializers.LecunNormal()((100, 200), np.random.default_rng(0))
    >>> round(float(w.std() / (1 / 100) ** 0.5), 1)
    1.0
    """

    _settings = (1.0, "fan_in", "truncated_normal")


class LecunUniform(_Fixed):
    """LeCun uniform: ``limit = sqrt(3 / fan_in)``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> w = initializers.LecunUniform()((3, 4), np.random.default_rng(0))
    >>> bool(np.abs(w).max() <= 1.0)
    True
    """

    _settings = (1.0, "fan_in", "uniform")


class Orthogonal(Initializer):
    """``gain`` times a (semi-)orthogonal matrix, as `orthogonal`.

    Parameters
    ----------
    gain : float
        Default 1.0.
    seed : int, optional
        Draw the same values at every call.

    Raises
    ------
    ValueError
        Called with a shape of fewer than two axes, in Keras's words.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> q = initializers.Orthogonal(gain=2.0)((3, 3), np.random.default_rng(0))
    >>> bool(np.allclose(q @ q.T, 4 * np.eye(3), atol=1e-5))
    True
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        self.seed = _check_seed(seed)
        self.gain = gain

    def _draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        q = orthogonal(shape, rng)
        return q if self.gain == 1.0 else self.gain * q

    def get_config(self) -> dict[str, Any]:
        """Return ``seed`` and ``gain``."""
        return {"seed": self.seed, "gain": self.gain}


class Identity(Initializer):
    """``gain`` times the identity matrix; a 2-D shape only, square or not (``eye(rows, cols)``).

    Keras 3's ``get_config`` leaves ``gain`` out; here it is there when it is not 1.0,
    so that the config gives the same initializer back.

    Raises
    ------
    ValueError
        Called with a shape that is not 2-D, in Keras's words.

    Examples
    --------
    >>> from rnn import initializers
    >>> initializers.Identity()((2, 3)).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    >>> initializers.Identity()((3,))
    Traceback (most recent call last):
    ...
    ValueError: Identity matrix initializer can only be used for 2D matrices. Received: ...
    """

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def _draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return self.gain * np.eye(*shape)

    def get_config(self) -> dict[str, Any]:
        """Return ``{}``, as Keras's, or ``{"gain": gain}`` for a gain other than 1.0."""
        return {} if self.gain == 1.0 else {"gain": self.gain}


# ------------------------------------------------------------- the named functions


def glorot_normal(shape: Sequence[int], rng: np.random.Generator | None = None) -> np.ndarray:
    """Draw a truncated normal, standard deviation ``sqrt(2 / (fan_in + fan_out))``.

    As `GlorotNormal`.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> initializers.glorot_normal((3, 4), np.random.default_rng(0)).shape
    (3, 4)
    """
    return GlorotNormal()(shape, rng)


def he_normal(shape: Sequence[int], rng: np.random.Generator | None = None) -> np.ndarray:
    """Draw a truncated normal, standard deviation ``sqrt(2 / fan_in)`` (`HeNormal`).

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> w = initializers.he_normal((400, 300), np.random.default_rng(0))
    >>> round(float(w.std()), 3), round((2 / 400) ** 0.5, 3)
    (0.071, 0.071)
    """
    return HeNormal()(shape, rng)


def he_uniform(shape: Sequence[int], rng: np.random.Generator | None = None) -> np.ndarray:
    """Uniform on ``[-limit, limit]``, ``limit = sqrt(6 / fan_in)`` (`HeUniform`).

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> w = initializers.he_uniform((6, 5), np.random.default_rng(0))
    >>> bool(np.abs(w).max() <= 1.0)
    True
    """
    return HeUniform()(shape, rng)


def lecun_normal(shape: Sequence[int], rng: np.random.Generator | None = None) -> np.ndarray:
    """Draw a truncated normal, standard deviation ``sqrt(1 / fan_in)`` (`LecunNormal`).

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> initializers.lecun_normal((3, 4), np.random.default_rng(0)).dtype.name
    'float32'
    """
    return LecunNormal()(shape, rng)


def lecun_uniform(shape: Sequence[int], rng: np.random.Generator | None = None) -> np.ndarray:
    """Uniform on ``[-limit, limit]``, ``limit = sqrt(3 / fan_in)`` (`LecunUniform`).

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> w = initializers.lecun_uniform((3, 5), np.random.default_rng(0))
    >>> bool(np.abs(w).max() <= 1.0)
    True
    """
    return LecunUniform()(shape, rng)


def identity(shape: Sequence[int], rng: np.random.Generator | None = None) -> np.ndarray:
    """Return the identity matrix ``eye(rows, cols)``; a 2-D shape only (`Identity`).

    Examples
    --------
    >>> from rnn import initializers
    >>> initializers.identity((2, 2)).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    return Identity()(shape, rng)


def random_uniform(
    minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
) -> RandomUniform:
    """Return an initializer drawing uniformly from ``[minval, maxval)``: `RandomUniform`.

    Keras's ``"uniform"`` (used by ``Embedding``) is ``random_uniform(-0.05, 0.05)``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnn import initializers
    >>> w = initializers.random_uniform(0.0, 1.0)((3,), np.random.default_rng(0))
    >>> bool(w.min() >= 0 and w.max() < 1)
    True
    """
    return RandomUniform(minval, maxval, seed)


def random_normal(mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> RandomNormal:
    """Return an initializer drawing from a normal distribution: `RandomNormal`.

    Examples
    --------
    >>> from rnn import initializers
    >>> initializers.random_normal(stddev=0.1)
    RandomNormal(seed=None, mean=0.0, stddev=0.1)
    """
    return RandomNormal(mean, stddev, seed)


def truncated_normal(
    mean: float = 0.0, stddev: float = 0.05, seed: int | None = None
) -> TruncatedNormal:
    """Return an initializer drawing from a normal cut at two ``stddev``: `TruncatedNormal`.

    Examples
    --------
    >>> from rnn import initializers
    >>> initializers.truncated_normal()
    TruncatedNormal(seed=None, mean=0.0, stddev=0.05)
    """
    return TruncatedNormal(mean, stddev, seed)


def constant(value: Any = 0.0) -> Constant:
    """Return an initializer filling with ``value``: `Constant`.

    ``get("constant")`` gives ``Constant(0.0)`` (Keras 3.15 raises ``KeyError`` for it).

    Examples
    --------
    >>> from rnn import initializers
    >>> initializers.constant(3.0)((2,)).tolist()
    [3.0, 3.0]
    """
    return Constant(value)


# ------------------------------------------------------------------- names, get


# Each class under its snake-case name, as Keras 3 names them
CLASSES: dict[str, type[Initializer]] = {
    "zeros": Zeros,
    "ones": Ones,
    "constant": Constant,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_normal": HeNormal,
    "he_uniform": HeUniform,
    "lecun_normal": LecunNormal,
    "lecun_uniform": LecunUniform,
    "random_normal": RandomNormal,
    "random_uniform": RandomUniform,
    "truncated_normal": TruncatedNormal,
    "identity": Identity,
    "orthogonal": Orthogonal,
    "variance_scaling": VarianceScaling,
}

_BY_NAME: dict[str, Callable[..., np.ndarray]] = {
    "zeros": zeros,
    "ones": ones,
    "glorot_uniform": glorot_uniform,
    "orthogonal": orthogonal,
    "uniform": random_uniform(),
    "random_uniform": random_uniform(),
    "glorot_normal": glorot_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "lecun_normal": lecun_normal,
    "lecun_uniform": lecun_uniform,
    "identity": identity,
    "random_normal": random_normal(),
    "normal": random_normal(),
    "truncated_normal": truncated_normal(),
    "constant": constant(),
    "variance_scaling": VarianceScaling(),
    "zero": zeros,
    "one": ones,
}

# The class of each function `get` gives for a name (for `serialize`)
_CLASS_OF: dict[int, type[Initializer]] = {
    id(zeros): Zeros,
    id(ones): Ones,
    id(glorot_uniform): GlorotUniform,
    id(orthogonal): Orthogonal,
    id(glorot_normal): GlorotNormal,
    id(he_normal): HeNormal,
    id(he_uniform): HeUniform,
    id(lecun_normal): LecunNormal,
    id(lecun_uniform): LecunUniform,
    id(identity): Identity,
}


def get(identifier: Any) -> Callable[..., np.ndarray]:
    """Return the initializer for a name, a class, an instance, a callable or a config.

    Parameters
    ----------
    identifier : str, dict, type, Initializer or callable
        A Keras name (``"he_normal"``) or class name (``"HeNormal"``); Keras 3's
        serialized dict (``{"class_name": "HeNormal", "config": {"seed": 1}, ...}``,
        as `serialize` writes it; the class may be given by its snake-case name); an
        initializer class (an instance of it is made); or any callable
        ``init(shape, rng)``, returned as it is.

    Returns
    -------
    callable
        ``init(shape, rng=None)``, float32 values.

    Raises
    ------
    ValueError
        For a Keras name that rnn does not implement (``"stft"``), saying so and listing
        rnn's names; for another unknown name or class in Keras's wording, with the
        closest of rnn's names when one is close.

    Examples
    --------
    >>> from rnn import initializers
    >>> initializers.get("zeros")((2,)).tolist()
    [0.0, 0.0]
    >>> initializers.get("he_normal") is initializers.he_normal
    True
    >>> initializers.get({"class_name": "RandomNormal", "config": {"stddev": 1.0}})
    RandomNormal(seed=None, mean=0.0, stddev=1.0)
    >>> initializers.get("glorot")
    Traceback (most recent call last):
    ...
    ValueError: Could not interpret initializer identifier: glorot. Did you mean 'glorot_normal'?
    """
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier not in _BY_NAME:
        cls = _class_named(identifier)
        if cls is not None:
            return cls()
    return _registry.lookup(identifier, _BY_NAME, "initializer")


def _class_named(name: str) -> type[Initializer] | None:
    """Return the class called ``name`` (``"HeNormal"``) or so by Keras (``"he_normal"``)."""
    by_class = {cls.__name__: cls for cls in CLASSES.values()}
    by_class["IdentityInitializer"] = Identity  # Keras 3's aliases
    by_class["OrthogonalInitializer"] = Orthogonal
    return by_class.get(name) or CLASSES.get(name)


def deserialize(config: Mapping[str, Any]) -> Initializer:
    """Return the initializer of Keras 3's serialized form (see `serialize`).

    Raises
    ------
    ValueError
        For a dict without ``class_name`` or with an unknown one, in Keras's words.

    Examples
    --------
    >>> from rnn import initializers
    >>> initializers.deserialize({"class_name": "Constant", "config": {"value": 3.0}})
    Constant(value=3.0)
    """
    if "class_name" not in config:
        raise ValueError(f"Unknown `config` as a `dict`, config={dict(config)}")
    cls = _class_named(config["class_name"])
    if cls is None:
        classes = [c.__name__ for c in CLASSES.values()]
        keras_only = _registry.keras_only(config["class_name"], classes, "initializer", classes)
        raise keras_only or ValueError(
            f"Could not interpret initializer identifier: {dict(config)}"
        )
    return cls.from_config(config.get("config") or {})


def _as_instance(init: Callable[..., np.ndarray]) -> Initializer | None:
    """Return the class instance a named function stands for, or the instance itself."""
    if isinstance(init, Initializer):
        return init
    cls = _CLASS_OF.get(id(init))
    return None if cls is None else cls()


def serialize(init: Callable[..., np.ndarray]) -> dict[str, Any] | str:
    """Return Keras 3's serialized form of an initializer (its ``__name__`` for your own).

    Examples
    --------
    >>> from rnn import initializers
    >>> initializers.serialize(initializers.HeNormal(seed=3))["config"]
    {'seed': 3, 'input_axes': None, 'output_axes': None}
    >>> initializers.serialize(initializers.get("uniform"))["class_name"]
    'RandomUniform'
    """
    instance = _as_instance(init)
    if instance is None:
        return str(name_of(init))
    return _registry.serialized(instance, "keras.initializers")


def name_of(init: Callable[..., np.ndarray]) -> Any:
    """Return the Keras name of an initializer (for ``get_config``).

    The name it was looked up by (``"uniform"``), the snake-case name of an instance
    with Keras's defaults (``HeNormal()`` -> ``"he_normal"``), `serialize`'s dict for
    one with settings of its own (which `get` turns back into the same initializer),
    else the callable's ``__name__``.

    Examples
    --------
    >>> from rnn import initializers
    >>> initializers.name_of(initializers.get("uniform"))
    'uniform'
    >>> initializers.name_of(initializers.HeNormal())
    'he_normal'
    >>> initializers.name_of(initializers.RandomNormal(stddev=1.0))["config"]
    {'seed': None, 'mean': 0.0, 'stddev': 1.0}
    """
    for name, entry in _BY_NAME.items():
        if entry is init:
            return name
    if isinstance(init, Initializer):
        known = next((n for n, cls in CLASSES.items() if cls is type(init)), None)
        if known is not None and init == type(init)():
            return known
        return serialize(init)
    return _registry.name_of(init, _BY_NAME)

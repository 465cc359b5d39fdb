"""Weight initializers with the names and defaults of Keras, in pure NumPy.

Every initializer is a callable ``init(shape, rng) -> np.ndarray`` (float32).
The random ones draw from a :class:`numpy.random.Generator`; by default the
session's generator (:mod:`rnn.config`), which :func:`set_random_seed` reseeds, so examples are
reproducible. The values follow the same *distributions* as Keras, not the same
random numbers: to reproduce a Keras model exactly, copy its weights with
``set_weights``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from rnn import _registry

# set_random_seed and global_rng live in rnn.config; initializers offers them too
from rnn.config import global_rng as global_rng
from rnn.config import set_random_seed as set_random_seed

Initializer = Callable[[Sequence[int], np.random.Generator], np.ndarray]


def _fans(shape: Sequence[int]) -> tuple[int, int]:
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = int(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


def zeros(shape: Sequence[int], rng: np.random.Generator | None = None) -> np.ndarray:
    """All zeros (Keras ``"zeros"``)."""
    return np.zeros(tuple(shape), dtype=np.float32)


def ones(shape: Sequence[int], rng: np.random.Generator | None = None) -> np.ndarray:
    """All ones (Keras ``"ones"``)."""
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


def random_uniform(
    minval: float = -0.05, maxval: float = 0.05
) -> Callable[[Sequence[int], np.random.Generator | None], np.ndarray]:
    """Return an initializer drawing uniformly from ``[minval, maxval)``.

    Keras's ``"uniform"`` (used by ``Embedding``) is ``random_uniform(-0.05, 0.05)``.
    """

    def init(shape: Sequence[int], rng: np.random.Generator | None = None) -> np.ndarray:
        return (rng or global_rng()).uniform(minval, maxval, size=tuple(shape)).astype(np.float32)

    init.__name__ = "random_uniform"
    return init


_BY_NAME: dict[str, Callable[..., np.ndarray]] = {
    "zeros": zeros,
    "ones": ones,
    "glorot_uniform": glorot_uniform,
    "orthogonal": orthogonal,
    "uniform": random_uniform(),
    "random_uniform": random_uniform(),
}


def get(identifier: str | Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """Return the initializer for a Keras-style name or a callable.

    Raises
    ------
    ValueError
        For an unknown name, in Keras's wording.

    Examples
    --------
    >>> from rnn import initializers
    >>> initializers.get("zeros")((2,)).tolist()
    [0.0, 0.0]
    >>> initializers.get("glorot")
    Traceback (most recent call last):
    ...
    ValueError: Could not interpret initializer identifier: 'glorot'
    """
    if callable(identifier):
        return identifier
    return _registry.lookup(identifier, _BY_NAME, "initializer", quote=True)


def name_of(init: Callable[..., np.ndarray]) -> str:
    """Return the Keras name of an initializer (for ``get_config``)."""
    return _registry.name_of(init, _BY_NAME)

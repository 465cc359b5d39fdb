"""`Embedding`: turn integer token ids into dense vectors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rnn import constraints, initializers, regularizers
from rnn._data_adapter import as_array
from rnn.layers._penalties import ActivityRegularization
from rnn.layers.layer import Layer, Shape, _check_flag, _standardize_shape


def _check_dim(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(
            f"`{name}` must be a positive integer. "
            f"Received: {name}={value!r} (of type {type(value).__name__})."
        )
    return int(value)


class Embedding(ActivityRegularization, Layer):
    """Look up a learned vector for every integer token id.

    Parameters
    ----------
    input_dim : int
        Size of the vocabulary: ids run from 0 to ``input_dim - 1``.
    output_dim : int
        Size of each vector.
    embeddings_initializer : str or callable
        Default ``"uniform"``: uniform on ``[-0.05, 0.05]`` as in Keras.
    embeddings_regularizer : str, Regularizer or None
        Penalty on the table added to the training loss (see :mod:`rnn.regularizers`).
    activity_regularizer : str, Regularizer or None
        Penalty on the output vectors, divided by the batch size (Keras 3's).
    embeddings_constraint : str, Constraint or None
        Applied to the table after each update (see :mod:`rnn.constraints`).
    mask_zero : bool
        Whether id 0 is padding: the layer then gives the next layers a mask (see
        `compute_mask`), False where the id is 0, and the recurrent layers skip those
        steps. The vocabulary keeps its size: id 0 still has a row, which padding reads.
    weights : numpy.ndarray or list of one, optional
        Pretrained vectors, shape (input_dim, output_dim): as Keras 3, the layer is built
        at once with them as its table (``weights=[matrix]``, or the matrix alone). Add
        ``trainable=False`` to keep them fixed while training. Not part of the config.
    **kwargs
        ``name``, ``input_shape``, ``seed``... see `Layer`.

    Raises
    ------
    ValueError
        If ``input_dim`` or ``output_dim`` is not a positive integer (Keras's message,
        with the value's repr and type), or ``mask_zero`` is not a bool.

    Attributes
    ----------
    embeddings : numpy.ndarray, shape (input_dim, output_dim)

    Examples
    --------
    >>> import numpy as np
    >>> import rnn
    >>> from rnn.layers import Embedding
    >>> rnn.clear_session()
    >>> layer = Embedding(1000, 32)
    >>> y = layer(np.array([[4, 2, 7]]))
    >>> layer.name, y.shape, layer.count_params()
    ('embedding', (1, 3, 32), 32000)

    Backward, each token's row gets the gradients of its outputs (ids get none):

    >>> layer = Embedding(5, 2)
    >>> _ = layer.forward(np.array([[1, 3, 1]]))
    >>> print(layer.backward(np.ones((1, 3, 2))))
    None
    >>> layer.grads[0].tolist()
    [[0.0, 0.0], [2.0, 2.0], [0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]

    With ``mask_zero=True``, id 0 marks padding:

    >>> padded = np.array([[4, 2, 0, 0], [7, 1, 3, 0]])
    >>> Embedding(10, 2, mask_zero=True).compute_mask(padded).tolist()
    [[True, True, False, False], [True, True, True, False]]

    Pretrained vectors, kept fixed:

    >>> vectors = np.arange(6.0).reshape(3, 2)
    >>> layer = Embedding(3, 2, weights=[vectors], trainable=False)
    >>> layer.built, layer(np.array([[2, 0]])).tolist(), len(layer.trainable_weights)
    (True, [[[4.0, 5.0], [0.0, 1.0]]], 0)
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool = False,
        weights: Any = None,
        activity_regularizer: Any = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("input_length", None)  # Keras 2 argument, ignored by Keras 3 too
        self.input_dim = _check_dim(input_dim, "input_dim")
        self.output_dim = _check_dim(output_dim, "output_dim")
        super().__init__(**kwargs)
        self.mask_zero = _check_flag(mask_zero, "mask_zero")
        self.supports_masking = self.mask_zero
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        if weights is not None:  # as Keras 3: built now, the vectors set as the table
            self.build()
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            self.set_weights(weights)

    def _weight_rules(self) -> list[tuple[Any, Any]]:
        return [(self.embeddings_regularizer, self.embeddings_constraint)]

    def build(self, input_shape: Sequence[int | None] | None = None) -> None:
        """Create ``embeddings`` (input_dim, output_dim); the input shape is not needed."""
        if self.built:
            return
        if input_shape is not None:
            input_shape = _standardize_shape(input_shape, "input_shape", batch_axis=True)
        self.embeddings = self.add_weight(
            "embeddings", (self.input_dim, self.output_dim), self.embeddings_initializer
        )
        if input_shape is None:
            self.built = True
        else:
            super().build(input_shape)

    def maybe_build(self, input_shape: Sequence[int | None]) -> None:
        """Check and build; a layer built without a shape takes the first one it sees."""
        super().maybe_build(input_shape)
        if self._build_shape is None:
            self._build_shape = tuple(input_shape)

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Shape:
        """``(*input_shape, output_dim)``."""
        return (*tuple(input_shape), self.output_dim)

    def convert_input(self, inputs: Any) -> np.ndarray:
        """Token ids as integers.

        Raises
        ------
        ValueError
            For sequences of different lengths (saying how to pad them), None, or ids
            that are not whole numbers.
        TypeError
            For a dict or a generator.
        """
        x = as_array(inputs, "inputs", f"token ids for layer {self.name!r}", scalar=True)
        if not np.issubdtype(x.dtype, np.integer):
            with np.errstate(invalid="ignore"):  # inf % 1 is NaN, and not whole
                whole = np.equal(np.mod(x, 1), 0)  # False for fractions, NaN and inf
            if not np.all(whole):
                bad = np.argwhere(~whole)
                at = tuple(int(i) for i in bad[0])
                raise ValueError(
                    f"Embedding {self.name!r} expects integer token ids. Received "
                    f"{len(bad)} of {x.size} ids (dtype {x.dtype}) that are not whole numbers, "
                    f"the first {x[at].item()!r} at index {at}."
                )
            x = x.astype(np.int64)
        return x

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> np.ndarray | None:
        """With ``mask_zero``, ``inputs != 0``: False at the padding; else None."""
        if not self.mask_zero:
            return None
        return np.not_equal(self.convert_input(inputs), 0)

    def call(self, inputs: np.ndarray) -> np.ndarray:
        """Gather rows of ``embeddings``; ids must lie in ``[0, input_dim)``."""
        if inputs.size and (inputs.min() < 0 or inputs.max() >= self.input_dim):
            raise IndexError(
                f"Embedding {self.name!r}: token ids must lie in [0, {self.input_dim}), "
                f"got values from {int(inputs.min())} to {int(inputs.max())}."
            )
        return self.embeddings[inputs]

    def forward_with_cache(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        """Return ``call(x)`` and the cache: the ids ``x``, whose rows get the gradient."""
        y = self.call(x)
        return y, x

    def backward_with_cache(self, grad_output: Any, cache: Any) -> tuple[None, list[np.ndarray]]:
        """Add each output row's gradient to its token's row; ids have no gradient (None)."""
        ids = cache
        g = self.grad_output_array(grad_output, (*ids.shape, self.output_dim))
        grad_table = np.zeros_like(self.embeddings)
        np.add.at(grad_table, ids.reshape(-1), g.reshape(-1, self.output_dim))  # scatter-add
        return None, [grad_table]

    def get_config(self) -> dict[str, Any]:
        """Keras's config keys for Embedding."""
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.name_of(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Embedding:
        """Create the layer from :meth:`get_config`'s output.

        Raises
        ------
        TypeError
            If the config does not make a layer (a float ``input_dim``...), as Keras
            words it: the config, then the error it caused.
        """
        from rnn.saving import _layer_config_from_keras

        config = _layer_config_from_keras(cls, config)
        try:
            return cls(**config)
        except Exception as error:
            raise TypeError(
                f"Error when deserializing class '{cls.__name__}' using config={config}."
                f"\n\nException encountered: {error}"
            ) from error

"""`Model`, what every model shares: its layers' weights, penalties, summary, predictions.

``Model(inputs, outputs)`` returns a functional model (`rnn.models.Functional`);
`rnn.models.Sequential` is a model too, as in Keras 3.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rnn.callbacks import CallbackList, _as_callback_list
from rnn.layers._penalties import model_losses
from rnn.layers.layer import Layer
from rnn.training import TrainingMixin

__all__ = ["Model"]


class Model(TrainingMixin, Layer):
    """A model: layers that `fit`, `evaluate`, `predict` and `summary` treat as one.

    ``Model(inputs, outputs)`` makes a model of layer calls: Keras's functional API.
    Call layers on the `KerasTensor` an `Input` returns, then give the model its
    inputs and outputs: ``Model(inputs, outputs)``. It may have several inputs and
    outputs, layers whose outputs feed several layers, and states passed between
    recurrent layers (``initial_state=``), as an encoder-decoder does. It trains,
    predicts and prints its summary as a `Sequential` does.

    ``Model(inputs, outputs, name=None)`` returns a `Functional` model, whose entry
    lists the arguments; `Sequential` is a `Model` too. A subclass of `Model` with a
    ``call`` of your own is refused with a ``TypeError``: rnn cannot differentiate your
    code.

    Examples
    --------
    The notebook's model, written with the functional API:

    >>> import numpy as np
    >>> import rnn
    >>> from rnn.layers import Dense, Input, SimpleRNN
    >>> rnn.clear_session()
    >>> inputs = Input(shape=(3, 1))
    >>> x = SimpleRNN(10)(inputs)
    >>> outputs = Dense(1)(x)
    >>> model = rnn.Model(inputs, outputs)
    >>> [layer.name for layer in model.layers]
    ['input_layer', 'simple_rnn', 'dense']
    >>> model.count_params(), model.predict(np.zeros((5, 3, 1))).shape
    (131, (5, 1))
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        """``Model(inputs, outputs)`` is a `Functional` model, as in Keras."""
        if cls is Model:
            from rnn.models.functional import Functional

            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from rnn.models.functional import Functional
        from rnn.models.sequential import Sequential

        if not isinstance(self, (Functional, Sequential)):
            raise TypeError(
                f"{type(self).__name__}: rnn has no subclassed models (a `call` method of "
                "your own, on a subclass of Model): rnn cannot differentiate your code. "
                "Write the model with the functional API or `Sequential`, or write a layer "
                "of your own (see `rnn.layers.Layer`)."
            )
        super().__init__(*args, **kwargs)

    @property
    def layers(self) -> list[Layer]:
        """The model's layers (each subclass says which)."""
        raise NotImplementedError

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, type] | None = None
    ) -> Any:
        """Rebuild a functional model from its ``get_config()`` (see `Functional.from_config`)."""
        from rnn.models.functional import Functional

        return Functional.from_config(config, custom_objects=custom_objects)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """Return a layer by ``name`` or by ``index`` in `layers`, as Keras does.

        Raises
        ------
        ValueError
            For an unknown name or an index out of range (Keras's wording).
        """
        layers = self.layers
        if index is not None and name is not None:
            raise ValueError(
                f"Provide only a layer name or a layer index. Received: index={index}, name={name}."
            )
        if index is not None:
            if not 0 <= index < len(layers):
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(layers)} layers."
                )
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f"No such layer: {name}. Existing layers are: {[layer.name for layer in layers]}."
        )

    @property
    def losses(self) -> list[float]:
        """Keras's ``model.losses``: the layers' regularization penalties, as floats.

        The activity penalties of the last call, then each weight's penalty (see
        :mod:`rnn.regularizers`); ``fit`` adds their sum to the loss it minimises.
        """
        return model_losses(self)

    # ------------------------------------------------------------------ weights
    @property
    def weights(self) -> list[np.ndarray]:
        """All weights, layer by layer in `layers` order (Keras's order)."""
        return [w for layer in self.layers for w in layer.weights]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Set all weights from a list in ``get_weights`` order (e.g. a Keras model's).

        Each array is copied into its weight, cast to the layer's dtype.

        Raises
        ------
        TypeError
            If ``weights`` is not a list (or tuple) of arrays.
        ValueError
            If the model is not built yet (it has no weights: call it on data, `build`
            it or start it with an `Input`), or the number of arrays or a shape does not
            match (Keras's wording).
        """
        self._check_weight_list(weights, self.weights)
        start = 0
        for layer in self.layers:
            n = len(layer.weights)
            layer.set_weights(list(weights[start : start + n]))
            start += n

    @property
    def grads(self) -> list[np.ndarray]:
        """The gradients of `weights` from the last `backward`, layer by layer."""
        return [g for layer in self.layers for g in layer.grads]

    def summary(
        self,
        line_length: int | None = None,
        positions: Sequence[float] | None = None,
        print_fn: Callable[..., Any] | None = None,
        style: str = "keras3",
        console_width: int | None = None,
    ) -> None:
        """Print the layer table, like ``model.summary()`` of the chosen Keras version.

        A functional model that is not a plain chain gets Keras 3's *Connected to*
        column, and prints only in Keras 3's style.

        Parameters
        ----------
        line_length : int, optional
            Width of the table; default as Keras (76 when stdout is not a terminal
            for Keras 3).
        positions : list of float or int, optional
            Column boundaries, relative (<= 1) or absolute.
        print_fn : callable, optional
            Called with the text instead of printing it (Keras 3 passes the whole
            table at once; the older styles call it line by line).
        style : {"keras3", "tf_keras", "keras2", "classic"}
            Which Keras version to imitate. See :mod:`rnn.summary`.
        console_width : int, optional
            ``"keras3"`` only: the console width Keras 3 crops to (80 in a piped
            script; by default wide enough for the table).
        """
        from rnn.summary import print_summary

        print_summary(
            self,
            line_length=line_length,
            positions=positions,
            print_fn=print_fn,
            style=style,
            console_width=console_width,
        )

    # ------------------------------------------------------------------ saving
    def save(self, filepath: Any, overwrite: bool = True) -> None:
        """Save the model as a Keras 3 ``.keras`` file: `rnn.saving.save_model`."""
        from rnn import saving

        saving.save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath: Any, overwrite: bool = True) -> None:
        """Save the weights to a ``.weights.h5`` file: `rnn.saving.save_weights`."""
        from rnn import saving

        saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: Any, skip_mismatch: bool = False) -> None:
        """Load weights from a ``.weights.h5`` or ``.keras`` file: `rnn.saving.load_weights`."""
        from rnn import saving

        saving.load_weights(self, filepath, skip_mismatch=skip_mismatch)


def predict_batches(model: Any, batches: list[Any], callbacks: Any) -> list[Any]:
    """Call ``model`` on each batch, with Keras's ``on_predict_*`` calls around them."""
    params = {"verbose": 0, "epochs": 1, "steps": len(batches)}
    hooks = CallbackList(_as_callback_list(callbacks), model=model, params=params)
    hooks.on_predict_begin()
    outputs = []
    for step, batch in enumerate(batches):
        hooks.on_predict_batch_begin(step)
        outputs.append(model(batch))
        hooks.on_predict_batch_end(step, {"outputs": outputs[-1]})
    hooks.on_predict_end()
    return outputs

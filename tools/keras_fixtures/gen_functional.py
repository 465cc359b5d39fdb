"""Record what Keras 3 does with functional models: tests/fixtures/keras/functional/*.json.

Run with the Keras 3 venv (see README.md):

    KERAS_BACKEND=torch /work/venvs/keras3/bin/python tools/keras_fixtures/gen_functional.py

For each case, the same ``code`` (names as in ``NAMES``) builds a model in Keras; the
fixture holds the layers in Keras's order, each layer's calls as Keras's ``get_config``
writes them, the summary text Keras prints to a piped stdout (80 columns), the
weights and inputs (rounded to 3 decimals, float64), Keras's outputs, and for
trainable cases the losses of three epochs of SGD (float64, ``shuffle=False``).
``errors`` holds the type and message of what Keras refuses, and ``trained`` the
summary of a Sequential model after ``compile`` and ``fit`` with several optimizers,
whose variables Keras 3 counts as "Optimizer params".
"""

import contextlib
import io
import json
import os
import sys
from pathlib import Path

import numpy as np
from common import graph_calls

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
from keras import layers

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "keras" / "functional"
NAMES = (
    "Input Model Dense SimpleRNN LSTM GRU Embedding Bidirectional Concatenate Add Masking "
    "Dropout TimeDistributed concatenate add"
).split()

CASES = [
    {
        "id": "chain",
        "description": "The notebook's model, functional: Keras prints no Connected to column.",
        "code": "inputs = Input(shape=(3, 1))\n"
        "x = SimpleRNN(10)(inputs)\n"
        "outputs = Dense(1)(x)\n"
        "model = Model(inputs, outputs)",
        "inputs": [[4, 3, 1]],
        "fit": {"loss": "mse", "targets": [[4, 1]]},
    },
    {
        "id": "encoder_decoder_lstm",
        "description": "Keras's seq2seq: the encoder's LSTM states start the decoder's LSTM.",
        "code": "encoder_inputs = Input(shape=(None, 5), name='encoder_inputs')\n"
        "_, state_h, state_c = LSTM(8, return_state=True)(encoder_inputs)\n"
        "decoder_inputs = Input(shape=(None, 6), name='decoder_inputs')\n"
        "x = LSTM(8, return_sequences=True)(decoder_inputs, initial_state=[state_h, state_c])\n"
        "outputs = Dense(6, activation='softmax')(x)\n"
        "model = Model([encoder_inputs, decoder_inputs], outputs)",
        "inputs": [[3, 7, 5], [3, 4, 6]],
        "fit": {"loss": "categorical_crossentropy", "targets": [[3, 4, 6]], "onehot": True},
    },
    {
        "id": "encoder_decoder_gru",
        "description": "A GRU encoder-decoder: one state, passed as initial_state=state.",
        "code": "enc = Input(shape=(None, 3))\n"
        "_, state = GRU(4, return_state=True)(enc)\n"
        "dec = Input(shape=(None, 2))\n"
        "x = GRU(4, return_sequences=True)(dec, initial_state=state)\n"
        "model = Model([enc, dec], Dense(2)(x))",
        "inputs": [[3, 5, 3], [3, 4, 2]],
        "fit": {"loss": "mse", "targets": [[3, 4, 2]]},
    },
    {
        "id": "guide_encoder_decoder",
        "description": "Keras's RNN guide's encoder-decoder (smaller sizes): embeddings, "
        "named LSTMs, the encoder's states as the decoder's initial_state.",
        "code": "encoder_input = Input(shape=(None,))\n"
        "encoder_embedded = Embedding(input_dim=20, output_dim=6)(encoder_input)\n"
        "output, state_h, state_c = LSTM(8, return_state=True, name='encoder')"
        "(encoder_embedded)\n"
        "encoder_state = [state_h, state_c]\n"
        "decoder_input = Input(shape=(None,))\n"
        "decoder_embedded = Embedding(input_dim=30, output_dim=6)(decoder_input)\n"
        "decoder_output = LSTM(8, name='decoder')(decoder_embedded, "
        "initial_state=encoder_state)\n"
        "output = Dense(10)(decoder_output)\n"
        "model = Model([encoder_input, decoder_input], output)",
        "inputs": [[3, 5], [3, 4]],
        "int_inputs": True,
        "fit": {"loss": "mse", "targets": [[3, 10]]},
    },
    {
        "id": "two_inputs_concatenate",
        "description": "Two inputs joined by Concatenate, as in Keras's guide.",
        "code": "title = Input(shape=(None, 4), name='title')\n"
        "body = Input(shape=(None, 3), name='body')\n"
        "a = LSTM(5)(title)\n"
        "b = SimpleRNN(3)(body)\n"
        "x = concatenate([a, b])\n"
        "model = Model(inputs=[title, body], outputs=Dense(1, activation='sigmoid')(x))",
        "inputs": [[4, 6, 4], [4, 3, 3]],
        "fit": {"loss": "binary_crossentropy", "targets": [[4, 1]], "binary": True},
    },
    {
        "id": "masked_embedding",
        "description": "Embedding(mask_zero=True): the mask reaches the LSTM through the graph.",
        "code": "tokens = Input(shape=(None,), dtype='int32')\n"
        "x = Embedding(10, 4, mask_zero=True)(tokens)\n"
        "x = LSTM(3)(x)\n"
        "model = Model(tokens, Dense(1)(x))",
        "inputs": [[3, 5]],
        "int_inputs": True,
        "fit": {"loss": "mse", "targets": [[3, 1]]},
    },
    {
        "id": "residual_add",
        "description": "A skip connection: Add joins a layer's input and output.",
        "code": "inputs = Input(shape=(4, 3))\n"
        "x = SimpleRNN(3, return_sequences=True)(inputs)\n"
        "x = Add()([inputs, x])\n"
        "model = Model(inputs, GRU(2)(x))",
        "inputs": [[2, 4, 3]],
        "fit": {"loss": "mse", "targets": [[2, 2]]},
    },
    {
        "id": "shared_layer",
        "description": "One Dense called on two inputs: two calls, one set of weights.",
        "code": "left = Input(shape=(3,), name='left')\n"
        "right = Input(shape=(3,), name='right')\n"
        "shared = Dense(2, name='shared')\n"
        "x = Concatenate()([shared(left), shared(right)])\n"
        "model = Model([left, right], Dense(1)(x))",
        "inputs": [[5, 3], [5, 3]],
        "fit": {"loss": "mse", "targets": [[5, 1]]},
    },
    {
        "id": "bidirectional",
        "description": "A Bidirectional LSTM and a TimeDistributed Dense, functional.",
        "code": "inputs = Input(shape=(5, 2))\n"
        "x = Bidirectional(LSTM(3, return_sequences=True))(inputs)\n"
        "model = Model(inputs, TimeDistributed(Dense(1))(x), name='tagger')",
        "inputs": [[2, 5, 2]],
    },
    {
        "id": "long_names",
        "description": "Cells that Keras cuts with an ellipsis in the Connected to column.",
        "code": "x = Input(shape=(3,))\n"
        "h = Dense(4, name='a_rather_long_hidden_layer_name')(x)\n"
        "model = Model(x, [Dense(1, name='first_head')(h), Dense(2, name='second_head')(h)])",
        "inputs": [[2, 3]],
    },
]

HEADS = {
    "id": "two_heads",
    "description": "Two outputs, each with its loss, weight and metric: Keras's logs.",
    "code": "x = Input(shape=(4, 2), name='x')\n"
    "h = LSTM(3)(x)\n"
    "model = Model(x, [Dense(1, name='level')(h), Dense(2, activation='softmax', "
    "name='kind')(h)])",
    "compile": "model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), "
    "loss=['mse', 'categorical_crossentropy'], loss_weights=[1.0, 0.5], "
    "metrics=[['mae'], ['accuracy']])",
}


def heads_fixture():
    """A model with two outputs trained with a loss and a metric per output."""
    keras.utils.clear_session()
    keras.config.set_floatx("float64")
    keras.utils.set_random_seed(0)
    names = scope()
    exec(HEADS["code"], names)
    model = names["model"]
    rng = np.random.default_rng(0)
    weights = [np.round(w + rng.normal(0, 0.1, w.shape), 3) for w in model.get_weights()]
    model.set_weights(weights)
    x = np.round(rng.normal(0, 1, (6, 4, 2)), 3)
    targets = [np.round(rng.normal(0, 1, (6, 1)), 3), np.eye(2)[rng.integers(0, 2, 6)]]
    exec(HEADS["compile"], names)
    history = model.fit(x, targets, epochs=3, batch_size=2, shuffle=False, verbose=0)
    return {
        **HEADS,
        "weights": [w.tolist() for w in weights],
        "inputs": [x.tolist()],
        "targets": [t.tolist() for t in targets],
        "history": history.history,
        "evaluate": model.evaluate(x, targets, verbose=0),
        "evaluate_dict": model.evaluate(x, targets, verbose=0, return_dict=True),
        "weights_after": [w.tolist() for w in model.get_weights()],
    }


ERRORS = [
    ("inputs not tensors", "a = Input((3,))\nModel([[0.0, 1.0, 2.0]], Dense(2)(a))"),
    ("second Input in Sequential", "keras.Sequential([Input((2,)), Input((3,)), Dense(2)])"),
    (
        "wrong number of inputs",
        "a = Input((3,), name='a')\nb = Input((4,), name='b')\n"
        "m = Model([a, b], Dense(2)(concatenate([a, b])))\nm.predict(np.zeros((2, 3)), verbose=0)",
    ),
    (
        "wrong input shape",
        "a = Input((3,), name='a')\nb = Input((4,), name='b')\n"
        "m = Model([a, b], Dense(2)(concatenate([a, b])))\n"
        "m.predict([np.zeros((2, 3)), np.zeros((2, 5))], verbose=0)",
    ),
    ("concatenate one tensor", "Concatenate()(Input((3,)))"),
    ("concatenate bad shapes", "Concatenate()([Input((2, 3)), Input((5, 3))])"),
    ("add bad shapes", "Add()([Input((3,)), Input((4,))])"),
    (
        "get_layer unknown",
        "a = Input((3,), name='a')\nModel(a, Dense(2, name='d')(a)).get_layer('zz')",
    ),
    (
        "get_layer index",
        "a = Input((3,), name='a')\nModel(a, Dense(2, name='d')(a)).get_layer(index=5)",
    ),
    ("Sequential.layers set", "m = keras.Sequential([Dense(2)])\nm.layers = [Dense(3)]"),
    (
        "Sequential build other shape",
        "m = keras.Sequential([Input(shape=(2,), batch_size=3), Dense(2)])\nm.build((3, 4))",
    ),
]


def scope():
    names = {name: getattr(layers, name, None) for name in NAMES}
    names["Input"] = keras.Input
    names["Model"] = keras.Model
    names.update(keras=keras, np=np)
    return names


def summary_text(model):
    captured = []
    model.summary(print_fn=lambda text, line_break=True: captured.append(text))
    return "".join(captured)


def calls(model):
    """Each layer's calls as Keras's get_config records them: the tensors they read."""
    return graph_calls(model.get_config())


def case_fixture(case):
    keras.utils.clear_session()
    keras.config.set_floatx("float64")
    keras.utils.set_random_seed(0)
    names = scope()
    exec(case["code"], names)
    model = names["model"]
    rng = np.random.default_rng(0)
    weights = [np.round(w + rng.normal(0, 0.1, w.shape), 3) for w in model.get_weights()]
    model.set_weights(weights)
    if case.get("int_inputs"):
        inputs = [rng.integers(0, 10, shape) for shape in case["inputs"]]
        inputs[0][0, -2:] = 0  # padding at the end of the first row
    else:
        inputs = [np.round(rng.normal(0, 1, shape), 3) for shape in case["inputs"]]
    outputs = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    fx = {
        "id": case["id"],
        "description": case["description"],
        "code": case["code"],
        "model_name": model.name,
        "layers": [layer.name for layer in model.layers],
        "classes": [type(layer).__name__ for layer in model.layers],
        "input_shape": model.input_shape,
        "output_shape": model.output_shape,
        "count_params": model.count_params(),
        "summary": summary_text(model),
        "graph": calls(model),
        "weights": [w.tolist() for w in weights],
        "inputs": [x.tolist() for x in inputs],
        "outputs": [y.tolist() for y in outputs],
    }
    if "fit" in case:
        fit = case["fit"]
        targets = []
        for shape in fit["targets"]:
            if fit.get("onehot"):
                targets.append(np.eye(shape[-1])[rng.integers(0, shape[-1], shape[:-1])])
            elif fit.get("binary"):
                targets.append(rng.integers(0, 2, shape).astype(float))
            else:
                targets.append(np.round(rng.normal(0, 1, shape), 3))
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss=fit["loss"])
        x = inputs if len(inputs) > 1 else inputs[0]
        history = model.fit(x, targets[0], epochs=3, batch_size=2, shuffle=False, verbose=0)
        fx["fit"] = {
            "loss": fit["loss"],
            "optimizer": "SGD(learning_rate=0.1)",
            "epochs": 3,
            "batch_size": 2,
            "targets": [t.tolist() for t in targets],
            "history": history.history["loss"],
            "evaluate": model.evaluate(x, targets[0], verbose=0),
            "weights_after": [w.tolist() for w in model.get_weights()],
        }
    return fx


def error_fixture(label, code):
    keras.utils.clear_session()
    keras.config.set_floatx("float32")
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(code, scope())
    except Exception as error:  # what Keras raises is the point
        return {"label": label, "code": code, "type": type(error).__name__, "message": str(error)}
    raise AssertionError(f"Keras accepted {label!r}")


TRAINED = [
    ("adam", "float32", "keras.optimizers.Adam()", True),
    ("sgd", "float32", "keras.optimizers.SGD()", True),
    ("sgd_momentum", "float32", "keras.optimizers.SGD(momentum=0.9)", True),
    ("rmsprop", "float32", "keras.optimizers.RMSprop()", True),
    ("adamw_float64", "float64", "keras.optimizers.AdamW()", True),
    ("compiled_only", "float32", "keras.optimizers.Adam()", False),
]
TRAINED_CODE = (
    "model = keras.Sequential([Input(shape=(3, 1)), SimpleRNN(4), Dense(1)])\n"
    "model.compile(optimizer=OPTIMIZER, loss='mse')"
)


def trained_fixture(label, floatx, optimizer, fit):
    """The summary Keras 3 prints after compile (and a fit): the optimizer's variables."""
    keras.utils.clear_session()
    keras.config.set_floatx(floatx)
    keras.utils.set_random_seed(0)
    code = TRAINED_CODE.replace("OPTIMIZER", optimizer)
    names = scope()
    exec(code, names)
    model = names["model"]
    if fit:
        model.fit(np.zeros((4, 3, 1)), np.zeros((4, 1)), epochs=1, verbose=0)
    return {
        "label": label,
        "floatx": floatx,
        "code": code,
        "fit": "model.fit(np.zeros((4, 3, 1)), np.zeros((4, 1)), epochs=1)" if fit else None,
        "summary": summary_text(model),
    }


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    cases = [case_fixture(case) for case in CASES]
    errors = [error_fixture(label, code) for label, code in ERRORS]
    trained = [trained_fixture(*case) for case in TRAINED]
    heads = [heads_fixture()]
    versions = {"keras": keras.__version__, "backend": keras.backend.backend()}
    outputs = (("models", cases), ("errors", errors), ("trained", trained), ("heads", heads))
    for name, data in outputs:
        text = json.dumps({"keras": versions, name: data}, indent=1, ensure_ascii=False)
        (OUT / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} models and {len(errors)} errors to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

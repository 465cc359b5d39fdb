"""Keras 3's regularizers, constraints and the layer arguments of issue 13, recorded.

Run with the Keras 3 venv:
    KERAS_BACKEND=torch /work/venvs/keras3/bin/python gen_regularizers.py
Writes tests/fixtures/keras/regularizers/*.json (described in that directory's README);
tests/test_regularizers.py and tests/test_constraints.py read them, without Keras.

Every model and layer is built from a ``code`` string that runs unchanged with `rnn`'s
classes, in float64 (``keras.config.set_floatx("float64")``), with fixed weights given
by ``set_weights``.
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common
import keras
import torch
from keras import constraints, layers, regularizers

OUT = common.OUT / "regularizers"

NAMES = {
    "Sequential": keras.Sequential,
    "Input": keras.Input,
    **{
        name: getattr(layers, name)
        for name in (
            "Dense",
            "Embedding",
            "SimpleRNN",
            "LSTM",
            "GRU",
            "RNN",
            "SimpleRNNCell",
            "LSTMCell",
            "GRUCell",
            "Bidirectional",
            "TimeDistributed",
        )
    },
    **{name: getattr(regularizers, name) for name in ("L1", "L2", "L1L2")},
    **{
        name: getattr(constraints, name) for name in ("MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm")
    },
    "regularizers": regularizers,
    "constraints": constraints,
    "np": np,
    "float": float,
}

# id: (model code, input shape of one sample, target shape of one sample, integer inputs)
TRAINING = {
    "dense_weights_and_activity": (
        "Sequential([Input((3,)), Dense(2, activation='tanh', kernel_regularizer=L2(0.1),"
        " bias_regularizer=L1(0.05)), Dense(1, activity_regularizer=L2(0.5))])",
        (3,),
        (1,),
        False,
    ),
    "simple_rnn_weights": (
        "Sequential([Input((4, 2)), SimpleRNN(3, kernel_regularizer=L1(0.01),"
        " recurrent_regularizer=L2(0.1), bias_regularizer=L1L2(l1=0.01, l2=0.02),"
        " activity_regularizer=L2(1.0)), Dense(1)])",
        (4, 2),
        (1,),
        False,
    ),
    "lstm_activity_on_sequences": (
        "Sequential([Input((4, 2)), LSTM(3, return_sequences=True,"
        " activity_regularizer=L1(0.1), kernel_regularizer=L2(0.05)), Dense(1)])",
        (4, 2),
        (4, 1),
        False,
    ),
    "gru_activity": (
        "Sequential([Input((4, 2)), GRU(3, activity_regularizer=L2(0.2),"
        " recurrent_regularizer=L1(0.01), bias_regularizer=L2(0.1)), Dense(1)])",
        (4, 2),
        (1,),
        False,
    ),
    "embedding": (
        "Sequential([Input((5,)), Embedding(6, 3, embeddings_regularizer=L2(0.1),"
        " activity_regularizer=L1(0.01)), GRU(2), Dense(1)])",
        (5,),
        (1,),
        True,
    ),
    "bidirectional_lstm": (
        "Sequential([Input((4, 2)), Bidirectional(LSTM(2, activity_regularizer=L2(0.1),"
        " kernel_regularizer=L2(0.1)), activity_regularizer=L1(0.01)), Dense(1)])",
        (4, 2),
        (1,),
        False,
    ),
    "time_distributed": (
        "Sequential([Input((4, 2)), TimeDistributed(Dense(2, activity_regularizer=L1(1.0),"
        " kernel_regularizer=L2(0.1))), LSTM(2), Dense(1)])",
        (4, 2),
        (1,),
        False,
    ),
    "frozen_layer": (
        "Sequential([Input((3,)), Dense(2, kernel_regularizer=L2(1.0),"
        " activity_regularizer=L2(0.5), trainable=False), Dense(1, kernel_regularizer=L2(0.1))])",
        (3,),
        (1,),
        False,
    ),
    "dense_constraints": (
        "Sequential([Input((3,)), Dense(3, kernel_constraint=MaxNorm(0.5),"
        " bias_constraint=NonNeg()), Dense(1, kernel_constraint=UnitNorm())])",
        (3,),
        (1,),
        False,
    ),
    "rnn_constraints": (
        "Sequential([Input((4, 2)), SimpleRNN(3, kernel_constraint=MinMaxNorm(0.2, 0.6, rate=0.5),"
        " recurrent_constraint=MaxNorm(1.0, axis=1), bias_constraint=NonNeg()),"
        " Dense(1, kernel_regularizer=L1(0.05), kernel_constraint='max_norm')])",
        (4, 2),
        (1,),
        False,
    ),
    "lstm_constraints_and_penalties": (
        "Sequential([Input((4, 2)), LSTM(2, kernel_constraint=UnitNorm(axis=1),"
        " recurrent_regularizer='l2', bias_constraint='non_neg', activity_regularizer='l1'),"
        " Dense(1)])",
        (4, 2),
        (1,),
        False,
    ),
}
SAMPLES, BATCH, EPOCHS, LEARNING_RATE = 10, 4, 3, 0.1  # the last batch has 2 samples

# Layers called once on a float64 batch: what `layer.losses` holds then.
LOSSES = {
    "dense": ("Dense(2, kernel_regularizer=L1(0.1), activity_regularizer=L2(0.5))", (3, 4)),
    "dense_3d": ("Dense(2, bias_regularizer=L2(1.0), activity_regularizer=L1(0.2))", (3, 5, 4)),
    "dense_frozen": (
        "Dense(2, kernel_regularizer=L1(0.1), activity_regularizer=L2(0.5), trainable=False)",
        (3, 4),
    ),
    "simple_rnn_activity_dropped": (
        "SimpleRNN(2, kernel_regularizer=L2(0.1), activity_regularizer=L1(1.0))",
        (3, 4, 2),
    ),
    "lstm_return_state": (
        "LSTM(2, return_sequences=True, return_state=True, activity_regularizer=L1(0.3),"
        " recurrent_regularizer=L2(0.2))",
        (3, 4, 2),
    ),
    "gru": ("GRU(2, activity_regularizer=L2(0.3), bias_regularizer=L1(0.1))", (3, 4, 2)),
    "rnn_of_cell": (
        "RNN(LSTMCell(2, kernel_regularizer=L2(0.1)), activity_regularizer=L1(0.2))",
        (3, 4, 2),
    ),
    "bidirectional": (
        "Bidirectional(GRU(2, activity_regularizer=L1(0.5), kernel_regularizer=L1(0.1)),"
        " merge_mode='sum', activity_regularizer=L2(0.2))",
        (3, 4, 2),
    ),
    "time_distributed": (
        "TimeDistributed(Dense(2, activity_regularizer=L1(1.0), kernel_regularizer=L2(0.1)))",
        (3, 4, 2),
    ),
}

# Layers whose get_config Keras gives (the keys of this issue are compared).
CONFIGS = [
    "Dense(3)",
    "Dense(3, kernel_regularizer='l2', bias_regularizer=L1(0.3), activity_regularizer='l1',"
    " kernel_constraint='max_norm', bias_constraint=NonNeg())",
    "Embedding(5, 2)",
    "Embedding(5, 2, embeddings_regularizer=L1L2(l1=0.1, l2=0.2), activity_regularizer=L2(0.3),"
    " embeddings_constraint=UnitNorm(axis=1))",
    "SimpleRNN(2)",
    "SimpleRNN(2, kernel_regularizer='l1', recurrent_regularizer='l2', bias_regularizer='l1l2',"
    " activity_regularizer='l2', kernel_constraint=MinMaxNorm(0.1, 2.0, rate=0.5),"
    " recurrent_constraint='unit_norm', bias_constraint='non_neg', unroll=True)",
    "LSTM(2)",
    "LSTM(2, kernel_regularizer=L2(0.2), activity_regularizer=L1(0.1), recurrent_constraint="
    "MaxNorm(3, axis=1), implementation=1, use_cudnn=False, unroll=True)",
    "GRU(2)",
    "GRU(2, recurrent_regularizer='l1', activity_regularizer='l2', bias_constraint='non_neg',"
    " use_cudnn=True)",
    "SimpleRNNCell(2, kernel_regularizer='l2', bias_constraint='non_neg')",
    "LSTMCell(2, recurrent_regularizer=L1(0.5), kernel_constraint='unit_norm')",
    "GRUCell(2, bias_regularizer=L1L2(l2=0.5), recurrent_constraint='max_norm')",
    "RNN(SimpleRNNCell(2), activity_regularizer='l1')",
    "RNN(SimpleRNNCell(2))",
    "Bidirectional(LSTM(2), activity_regularizer='l2')",
    "Bidirectional(LSTM(2), backward_layer=GRU(3, go_backwards=True))",
    "TimeDistributed(Dense(2), activity_regularizer='l1')",
]

# Code that raises in Keras: its error type and message.
ERRORS = [
    "L1(-1)",
    "L2('a')",
    "L1L2(l1=float('nan'))",
    "regularizers.get('l3')",
    "regularizers.get('l1_l2')",
    "regularizers.get(3)",
    "constraints.get('positive')",
    "Dense(2, kernel_regularizer='l3')",
    "LSTM(2, use_cudnn='x')",
    "GRU(2, use_cudnn='yes')",
    "SimpleRNN(2, use_cudnn='auto')",
    "Embedding.from_config({'input_dim': 10.0, 'output_dim': 3})",
    "Embedding.from_config({'input_dim': 10, 'output_dim': 3.0})",
    "Embedding(4, 2, weights=[np.zeros((3, 2))], name='emb')",
    "Bidirectional(LSTM(2), backward_layer=LSTM(2))",
    "Bidirectional(LSTM(2), backward_layer=LSTM(2, go_backwards=True, return_sequences=True))",
    "Bidirectional(LSTM(2, return_state=True), backward_layer=LSTM(2, go_backwards=True))",
    "Bidirectional(LSTM(2, stateful=True), backward_layer=LSTM(2, go_backwards=True))",
    "Bidirectional(LSTM(2), backward_layer='x')",
]

REGULARIZERS = [
    "L1(0.3)",
    "L1()",
    "L2(0.2)",
    "L2()",
    "L1L2(l1=0.1, l2=0.2)",
    "L1L2()",
    "regularizers.get('l1')",
    "regularizers.get('l2')",
    "regularizers.get('l1l2')",
    "regularizers.get('L1L2')",
]
CONSTRAINTS = [
    "MaxNorm(1.0)",
    "MaxNorm()",
    "MaxNorm(0.5, axis=1)",
    "MaxNorm(1.0, axis=[0, 1])",
    "NonNeg()",
    "UnitNorm()",
    "UnitNorm(axis=1)",
    "MinMaxNorm(0.5, 1.0, rate=0.7)",
    "MinMaxNorm()",
    "constraints.get('max_norm')",
    "constraints.get('non_neg')",
    "constraints.get('unit_norm')",
    "constraints.get('min_max_norm')",
]
MATRIX = [[0.5, -1.5, 0.0], [2.0, 0.25, -0.75], [0.0, 1.0, 0.3], [-0.2, 0.1, 0.05]]


def to_numpy(value):
    return keras.ops.convert_to_numpy(value)


def numbers(value):
    return np.asarray(value, dtype=np.float64).tolist()


def training_cases():
    cases = {}
    for case_id, (code, x_shape, y_shape, integer) in TRAINING.items():
        keras.utils.clear_session()
        keras.utils.set_random_seed(0)
        rng = np.random.default_rng(len(case_id))
        if integer:
            x = rng.integers(0, 6, (SAMPLES, *x_shape)).astype(np.float64)
        else:
            x = rng.standard_normal((SAMPLES, *x_shape)).round(3)
        y = rng.standard_normal((SAMPLES, *y_shape)).round(3)
        model = eval(code, dict(NAMES))
        weights = [(w + rng.normal(0, 0.3, w.shape)).round(3) for w in model.get_weights()]
        model.set_weights(weights)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=LEARNING_RATE), loss="mse")
        model(x)  # layer.losses after a call (training=False)
        losses_before = [float(to_numpy(v)) for v in model.losses]
        first_batch = float(model.train_on_batch(x[:BATCH], y[:BATCH]))
        model.set_weights(weights)
        history = model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0)
        evaluated = float(model.evaluate(x, y, batch_size=BATCH, verbose=0))
        cases[case_id] = {
            "code": code,
            "x": numbers(x),
            "y": numbers(y),
            "integer_inputs": integer,
            "weights": [numbers(w) for w in weights],
            "losses_after_call": losses_before,
            "train_on_batch_first": first_batch,
            "history_loss": [float(v) for v in history.history["loss"]],
            "final_weights": [numbers(w) for w in model.get_weights()],
            "evaluate": evaluated,
            "data_loss_after_fit": float(
                np.mean(np.square(to_numpy(model.predict(x, verbose=0)) - y))
            ),
        }
    return {
        "samples": SAMPLES,
        "batch_size": BATCH,
        "epochs": EPOCHS,
        "optimizer": {"class": "SGD", "learning_rate": LEARNING_RATE},
        "loss": "mse",
        "cases": cases,
    }


def layer_losses():
    cases = {}
    for case_id, (code, shape) in LOSSES.items():
        keras.utils.clear_session()
        keras.utils.set_random_seed(0)
        rng = np.random.default_rng(len(case_id) + 100)
        x = rng.standard_normal(shape).round(3)
        layer = eval(code, dict(NAMES))
        layer.build(x.shape)
        weights = [(w + rng.normal(0, 0.3, w.shape)).round(3) for w in layer.get_weights()]
        layer.set_weights(weights)
        layer(x)
        cases[case_id] = {
            "code": code,
            "x": numbers(x),
            "weights": [numbers(w) for w in weights],
            "losses": [float(to_numpy(v)) for v in layer.losses],
        }
    return cases


def configs():
    out = []
    for code in CONFIGS:
        keras.utils.clear_session()
        layer = eval(code, dict(NAMES))
        out.append({"code": code, "config": json.loads(json.dumps(layer.get_config()))})
    return out


def errors():
    out = []
    for code in ERRORS:
        keras.utils.clear_session()
        try:
            eval(code, dict(NAMES))
        except Exception as error:
            out.append({"code": code, "type": type(error).__name__, "message": str(error)})
        else:
            raise SystemExit(f"{code} did not raise")
    return out


def penalties():
    matrix = np.array(MATRIX, np.float64)
    regs = []
    for code in REGULARIZERS:
        reg = eval(code, dict(NAMES))
        x = torch.tensor(matrix, requires_grad=True)
        value = reg(x)
        if value.requires_grad:
            value.backward()
        grad = x.grad.numpy() if x.grad is not None else np.zeros_like(matrix)  # no penalty
        regs.append(
            {
                "code": code,
                "config": reg.get_config(),
                "serialized": json.loads(json.dumps(regularizers.serialize(reg))),
                "value": float(value.detach().numpy()),
                "gradient": numbers(grad),
            }
        )
    cons = []
    for code in CONSTRAINTS:
        con = eval(code, dict(NAMES))
        cons.append(
            {
                "code": code,
                "config": con.get_config(),
                "serialized": json.loads(json.dumps(constraints.serialize(con))),
                "output": numbers(to_numpy(con(keras.ops.convert_to_tensor(matrix)))),
            }
        )
    return {"matrix": MATRIX, "regularizers": regs, "constraints": cons}


def write(name, body):
    document = {
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "torch": torch.__version__.split("+")[0],
        "floatx": keras.config.floatx(),
        "epsilon": keras.config.epsilon(),
        **body,
    }
    path = OUT / name
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    shown = path.relative_to(common.REPO) if path.is_relative_to(common.REPO) else path
    print(f"wrote {shown}")


def main():
    keras.config.set_floatx("float64")
    OUT.mkdir(parents=True, exist_ok=True)
    write("penalties.json", penalties())
    write("configs.json", {"cases": configs()})
    write("errors.json", {"cases": errors()})
    write("layer_losses.json", {"cases": layer_losses()})
    write("training.json", training_cases())


if __name__ == "__main__":
    main()

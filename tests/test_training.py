"""compile / fit / evaluate: Keras's loop, logs, errors and progress output.

Most tests train `Linear`, a one-layer model written here with the same
forward/backward/weights/grads contract as the package's models, so the loop is
tested on its own; the end-to-end tests with real layers are at the bottom.
"""

from __future__ import annotations

import io
import re
from typing import Any

import numpy as np
import pytest

import rnn
from rnn import initializers
from rnn.callbacks import Callback, History, Progbar
from rnn.training import TrainingMixin


class Linear(TrainingMixin):
    """``activation(x @ kernel + bias)`` with ``activation`` None, "sigmoid" or "softmax"."""

    def __init__(self, n_in: int, n_out: int, activation: str | None = None) -> None:
        rng = initializers.global_rng()
        self.kernel = rng.uniform(-0.5, 0.5, (n_in, n_out)).astype(np.float32)
        self.bias = np.zeros(n_out, np.float32)
        self.activation = activation
        self.grads: list[np.ndarray] = []
        self.calls = {"forward": 0, "call": 0}

    @property
    def weights(self) -> list[np.ndarray]:
        return [self.kernel, self.bias]

    def _run(self, x: Any) -> np.ndarray:
        z = np.asarray(x, np.float32) @ self.kernel + self.bias
        if self.activation == "sigmoid":
            return 1 / (1 + np.exp(-z))
        if self.activation == "softmax":
            e = np.exp(z - z.max(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)
        return z

    def __call__(self, x: Any) -> np.ndarray:
        self.calls["call"] += 1
        return self._run(x)

    def forward(self, x: Any) -> np.ndarray:
        self.calls["forward"] += 1
        self._x = np.asarray(x, np.float32)
        self._y = self._run(x)
        return self._y

    def backward(self, grad: np.ndarray) -> np.ndarray:
        y = self._y
        if self.activation == "sigmoid":
            grad = grad * y * (1 - y)
        elif self.activation == "softmax":
            grad = y * (grad - (grad * y).sum(axis=-1, keepdims=True))
        self.grads = [self._x.T @ grad, grad.sum(axis=0)]
        return grad @ self.kernel.T


def regression_data(n: int = 100) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((n, 3)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.25
    return x, y


class Recorder(Callback):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, Any]] = []

    def on_train_begin(self, logs: Any = None) -> None:
        self.events.append(("train_begin", dict(self.params)))

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.events.append(("epoch_end", (epoch, sorted(logs))))

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        self.events.append(("batch_end", batch))


# ---------------------------------------------------------------------- the loop
def test_fit_learns_a_linear_map() -> None:
    rnn.set_random_seed(0)
    x, y = regression_data()
    model = Linear(3, 1)
    model.compile(optimizer=rnn.optimizers.Adam(0.02), loss="mse", metrics=["mae"])
    first = model.evaluate(x, y)
    history = model.fit(x, y, epochs=200, batch_size=16, verbose=0)
    assert isinstance(history, History) and model.history is history
    assert list(history.history) == ["loss", "mae"]
    assert history.epoch == list(range(200))
    assert history.history["loss"][-1] < 1e-3 < first[0]
    np.testing.assert_allclose(model.kernel.ravel(), [1.0, -2.0, 0.5], atol=0.02)


def test_epoch_logs_are_batch_size_weighted_means_of_the_steps() -> None:
    rnn.set_random_seed(0)
    x, y = regression_data(40)
    model = Linear(3, 1)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    reference = Linear(3, 1)
    reference.kernel[...] = model.kernel
    history = model.fit(x, y, batch_size=16, shuffle=False, verbose=0)
    losses, maes, sizes = [], [], []
    lr = np.float32(0.01)
    for start in (0, 16, 32):  # batches of 16, 16 and 8
        xb, yb = x[start : start + 16], y[start : start + 16]
        pred = reference.forward(xb)
        losses.append(float(((pred - yb) ** 2).mean()))
        maes.append(float(np.abs(pred - yb).mean()))
        sizes.append(len(xb))
        reference.backward(2 * (pred - yb) / pred.size)
        for w, g in zip(reference.weights, reference.grads, strict=True):
            w -= g * lr
    assert history.history["loss"][0] == pytest.approx(np.average(losses, weights=sizes))
    assert history.history["mae"][0] == pytest.approx(np.average(maes, weights=sizes))
    np.testing.assert_allclose(model.kernel, reference.kernel, rtol=1e-6)


def test_seeded_runs_repeat_to_the_last_digit() -> None:
    def run() -> tuple[list[np.ndarray], dict[str, list[float]]]:
        rnn.set_random_seed(7)
        x, y = regression_data(50)
        model = Linear(3, 1)
        model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
        history = model.fit(x, y, batch_size=8, epochs=3, validation_split=0.2, verbose=0)
        return model.weights, history.history

    (w1, h1), (w2, h2) = run(), run()
    assert h1 == h2
    for a, b in zip(w1, w2, strict=True):
        assert a.tobytes() == b.tobytes()


def test_shuffle_changes_the_batches_but_not_the_data() -> None:
    rnn.set_random_seed(3)
    x, y = regression_data(20)
    seen: list[np.ndarray] = []
    model = Linear(3, 1)
    original_forward = model.forward
    model.forward = lambda xb: (seen.append(xb.copy()), original_forward(xb))[1]  # type: ignore[method-assign]
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert [len(b) for b in seen] == [8, 8, 4, 8, 8, 4]
    first_epoch = np.concatenate(seen[:3])
    assert not np.array_equal(first_epoch, x)
    assert sorted(map(tuple, first_epoch)) == sorted(map(tuple, x))
    seen.clear()
    model.fit(x, y, batch_size=8, shuffle=False, verbose=0)
    np.testing.assert_array_equal(np.concatenate(seen), x)


def test_validation_split_takes_the_last_samples_before_shuffling() -> None:
    rnn.set_random_seed(0)
    x, y = regression_data(10)
    model = Linear(3, 1)
    model.compile(optimizer=rnn.optimizers.SGD(learning_rate=0.0), loss="mse", metrics=["mae"])
    history = model.fit(x, y, validation_split=0.3, verbose=0)
    assert list(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    expected = model.evaluate(x[7:], y[7:])  # 10 * (1 - 0.3) = 7 training samples
    assert history.history["val_loss"][0] == pytest.approx(expected[0])
    assert history.history["val_mae"][0] == pytest.approx(expected[1])
    assert history.history["loss"][0] == pytest.approx(model.evaluate(x[:7], y[:7])[0])
    with_data = model.fit(x[:7], y[:7], validation_data=(x[7:], y[7:]), verbose=0)
    # the two fits shuffle the 7 samples differently: float32 sums in another order
    assert list(with_data.history) == list(history.history)
    for key, values in history.history.items():
        assert with_data.history[key] == pytest.approx(values, rel=1e-6), key


def test_initial_epoch_and_callbacks() -> None:
    rnn.set_random_seed(0)
    x, y = regression_data(10)
    model = Linear(3, 1)
    model.compile(loss="mse")
    recorder = Recorder()
    history = model.fit(x, y, batch_size=4, epochs=3, initial_epoch=1, callbacks=[recorder])
    assert history.epoch == [1, 2]
    assert recorder.model is model
    assert recorder.events[0] == ("train_begin", {"verbose": 0, "epochs": 3, "steps": 3})
    assert [e for e in recorder.events if e[0] == "epoch_end"] == [
        ("epoch_end", (1, ["loss"])),
        ("epoch_end", (2, ["loss"])),
    ]
    assert [e[1] for e in recorder.events if e[0] == "batch_end"] == [0, 1, 2, 0, 1, 2]


def test_a_callback_can_stop_training() -> None:
    class StopAfterTwo(Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if epoch == 1:
                self.model.stop_training = True

    x, y = regression_data(10)
    model = Linear(3, 1)
    model.compile(loss="mse")
    assert model.fit(x, y, epochs=10, callbacks=[StopAfterTwo()]).epoch == [0, 1]


def test_binary_classification_and_logs_order_as_keras3() -> None:
    rnn.set_random_seed(0)
    x, _ = regression_data(64)
    y = (x[:, 1] > 0).astype(np.float32)  # (samples,) against outputs (samples, 1)
    model = Linear(3, 1, activation="sigmoid")
    model.compile(rnn.optimizers.Adam(0.05), "binary_crossentropy", metrics=["mae", "acc"])
    history = model.fit(x, y, epochs=100, validation_split=0.25, verbose=0)
    # Keras 3 sorts the training logs, then adds the sorted validation logs
    assert list(history.history) == ["acc", "loss", "mae", "val_acc", "val_loss", "val_mae"]
    assert history.history["acc"][-1] > 0.95
    loss, mae, acc = model.evaluate(x, y)  # compile's order
    assert model.metrics_names == ["loss", "mae", "acc"]
    assert model.evaluate(x, y, return_dict=True) == {"acc": acc, "loss": loss, "mae": mae}


@pytest.mark.parametrize("sparse", [True, False])
def test_categorical_classification_with_a_softmax(sparse: bool) -> None:
    rnn.set_random_seed(0)
    x, _ = regression_data(90)
    labels = (x @ np.array([[1.0, -1.0, 0.0], [0.0, 1.0, -1.0], [1.0, 0.0, 1.0]])).argmax(-1)
    model = Linear(3, 3, activation="softmax")
    loss = "sparse_categorical_crossentropy" if sparse else "categorical_crossentropy"
    model.compile(rnn.optimizers.Adam(0.05), loss, metrics=["accuracy"])
    y = labels if sparse else np.eye(3)[labels]
    history = model.fit(x, y, epochs=60, verbose=0)
    assert history.history["accuracy"][-1] > 0.9


def test_train_and_test_on_batch() -> None:
    rnn.set_random_seed(0)
    x, y = regression_data(16)
    model = Linear(3, 1)
    model.compile(optimizer="sgd", loss="mse")
    before = model.test_on_batch(x, y)
    assert isinstance(before, float)
    assert model.train_on_batch(x, y) == pytest.approx(before)  # measured before the update
    assert model.test_on_batch(x, y) < before
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    loss, mae = model.test_on_batch(x, y)
    assert model.train_on_batch(x, y, return_dict=True) == pytest.approx({"loss": loss, "mae": mae})
    assert model.optimizer is not None and model.optimizer.iterations == 1


def test_evaluate_uses_the_call_path_and_batches() -> None:
    x, y = regression_data(70)
    model = Linear(3, 1)
    model.compile(loss="mse")
    assert model.evaluate(x, y, batch_size=32) == pytest.approx(float(((model(x) - y) ** 2).mean()))
    assert model.calls["forward"] == 0 and model.calls["call"] == 3 + 1


def test_non_trainable_layers_are_left_alone() -> None:
    class Frozen(Linear):
        trainable = False

    x, y = regression_data(16)
    model = Frozen(3, 1)
    kernel = model.kernel.copy()
    model.compile(loss="mse")
    model.fit(x, y, verbose=0)
    np.testing.assert_array_equal(model.kernel, kernel)


# From Keras 3.15.1 (torch backend): Sequential([Input((3,)), Dense(units, activation)])
# with the kernel set to KERNELS[units] and a zero bias, compiled as below, then
# fit(X, y, batch_size=8, epochs=3, shuffle=False, validation_split=0.2, verbose=0);
# the history and the weights after training, rounded to 7 decimals.
N = 30
X = (np.arange(N * 3, dtype=np.float32).reshape(N, 3) % 7 - 3) / 3
KERNELS = {
    1: [[0.1], [0.2], [-0.3]],
    2: [[0.1, -0.2], [0.2, 0.0], [-0.3, 0.4]],
}
KERAS_FITS = {
    "adam_mse": (
        {
            "loss": [1.9499841, 1.8751599, 1.8044721],
            "mae": [0.9170153, 0.8910139, 0.8676333],
            "val_loss": [0.8519217, 0.8606406, 0.8701673],
            "val_mae": [0.5595816, 0.5495595, 0.5399908],
        },
        [[[0.1405007], [0.1108494], [-0.3430265]], [0.0844449]],
    ),
    "rmsprop_sparse_ce": (
        {
            "accuracy": [0.5, 0.7083333, 0.75],
            "loss": [0.7126321, 0.6513426, 0.6128752],
            "val_accuracy": [0.5, 0.6666667, 0.6666667],
            "val_loss": [0.7426725, 0.6997259, 0.6661115],
        },
        [
            [[-0.0416243, -0.0583757], [0.0448632, 0.1551368], [-0.4351905, 0.5351905]],
            [0.100894, -0.100894],
        ],
    ),
}


@pytest.mark.parametrize("case", list(KERAS_FITS))
def test_whole_fit_equals_keras(case: str) -> None:
    if case == "adam_mse":
        model = Linear(3, 1)
        model.compile(rnn.optimizers.Adam(0.01), "mse", metrics=["mae"])
        y = X @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.25
    else:
        model = Linear(3, 2, activation="softmax")
        model.compile(rnn.optimizers.RMSprop(0.01), "sparse_categorical_crossentropy", ["accuracy"])
        y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    model.kernel[...] = KERNELS[model.kernel.shape[1]]
    history = model.fit(X, y, batch_size=8, epochs=3, shuffle=False, validation_split=0.2)
    keras_history, keras_weights = KERAS_FITS[case]
    assert list(history.history) == list(keras_history)
    for key, values in keras_history.items():
        np.testing.assert_allclose(history.history[key], values, rtol=2e-6, atol=2e-7)
    for mine, theirs in zip(model.weights, keras_weights, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=2e-6, atol=2e-7)


# ---------------------------------------------------------------------- errors
def test_fit_or_evaluate_before_compile() -> None:
    x, y = regression_data(4)
    model = Linear(3, 1)
    for call in (model.fit, model.evaluate, model.train_on_batch, model.test_on_batch):
        with pytest.raises(
            ValueError, match=r"^You must call `compile\(\)` before using the model.$"
        ):
            call(x, y)
    model.compile(optimizer="adam")
    with pytest.raises(ValueError, match=r"^No loss to compute. Provide a `loss` argument"):
        model.fit(x, y)


def test_data_cardinality() -> None:
    x, y = regression_data(10)
    model = Linear(3, 1)
    model.compile(loss="mse")
    message = (
        "Data cardinality is ambiguous. Make sure all arrays contain the same number of "
        "samples.'x' sizes: 10\n'y' sizes: 7\n"
    )
    with pytest.raises(ValueError) as info:
        model.fit(x, y[:7])
    assert str(info.value) == message  # Keras 3.15.1's text, missing space included
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        model.fit(x, y, validation_data=(x, y[:3]))
    with pytest.raises(ValueError, match="must both be given"):
        model.fit(x)


def test_targets_that_do_not_fit_the_loss() -> None:
    x, _ = regression_data(8)
    model = Linear(3, 3, activation="softmax")
    model.compile(loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="same shape up until the last dimension"):
        model.fit(x, np.eye(3)[np.arange(8) % 3])  # one-hot targets for a sparse loss
    model = Linear(3, 1)
    model.compile(loss="mse")
    with pytest.raises(ValueError, match=r"target.shape=\(8, 2\), output.shape=\(8, 1\)"):
        model.fit(x, np.zeros((8, 2)))


def test_unknown_names_fail_at_compile() -> None:
    model = Linear(3, 1)
    with pytest.raises(
        ValueError,
        match=r"^Could not interpret optimizer identifier: adamx\. Did you mean 'adam'\?$",
    ):
        model.compile(optimizer="adamx", loss="mse")
    with pytest.raises(
        ValueError, match=r"^Could not interpret loss identifier: msex\. Did you mean 'mse'\?$"
    ):
        model.compile(loss="msex")
    with pytest.raises(
        ValueError, match=r"^Could not interpret metric identifier: maex\. Did you mean 'mae'\?$"
    ):
        model.compile(loss="mse", metrics=["maex"])
    with pytest.raises(ValueError, match="Expected `metrics` argument to be a list"):
        model.compile(loss="mse", metrics="mae")  # type: ignore[arg-type]
    assert not model.compiled


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"validation_split": 0.95}, "Training data contains 10 samples, which is not sufficient"),
        ({"validation_split": 1.5}, "`validation_split` must be between 0 and 1"),
        ({"batch_size": 0}, "`batch_size` must be a positive integer"),
        ({"verbose": 3}, "`verbose` must be 'auto', 0, 1 or 2"),
        # Keras 3 accepts (x_val, y_val, sample_weight_val), and says so for other tuples
        (
            {"validation_data": (1, 2, 3, 4)},
            r"^Data is expected to be in format `x`, `\(x,\)`, `\(x, y\)`, or "
            r"`\(x, y, sample_weight\)`, found: \(1, 2, 3, 4\)$",
        ),
    ],
)
def test_bad_fit_arguments(kwargs: dict[str, Any], message: str) -> None:
    x, y = regression_data(10)
    model = Linear(3, 1)
    model.compile(loss="mse")
    with pytest.raises(ValueError, match=message):
        model.fit(x, y, **kwargs)


# ---------------------------------------------------------------------- output
TIMING = re.compile(r"\d+s \d+(?:s|ms|us)/step|\d+s - \d+(?:s|ms|us)/step")


def fit_printed(capsys: pytest.CaptureFixture[str], **kwargs: Any) -> str:
    rnn.set_random_seed(0)
    x, y = regression_data(100)
    model = Linear(3, 1)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    history = model.fit(x, y, **kwargs)
    printed = capsys.readouterr().out
    loss = history.history["loss"][-1]
    assert f"loss: {loss:.4f}" in printed or kwargs.get("verbose", "auto") in ("auto", 0)
    return TIMING.sub("<time>", printed)


def test_auto_is_silent_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert fit_printed(capsys, epochs=2, validation_split=0.2) == ""
    assert fit_printed(capsys, epochs=2, verbose=0) == ""


def test_verbose_2_prints_one_line_per_epoch(capsys: pytest.CaptureFixture[str]) -> None:
    printed = fit_printed(capsys, epochs=2, verbose=2, validation_split=0.2)
    lines = printed.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert re.fullmatch(
        r"3/3 - <time> - loss: \d\.\d{4} - mae: \d\.\d{4}"
        r" - val_loss: \d\.\d{4} - val_mae: \d\.\d{4}",
        lines[1],
    )


def test_verbose_1_prints_the_finished_bar_when_not_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    printed = fit_printed(capsys, epochs=1, verbose=1, batch_size=10)
    # one epoch: no "Epoch 1/1" line, as Keras
    assert re.fullmatch(r"10/10 ━{20} <time> - loss: \d\.\d{4} - mae: \d\.\d{4}\n", printed)


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_bar_is_redrawn_in_place_with_colours() -> None:
    out = FakeTerminal()
    bar = Progbar(3, verbose=1, interval=0.0, stream=out)
    for step in (1, 2, 3):
        bar.update(step, {"loss": 1.0 / step})
    frames = out.getvalue().split("\r")[1:]
    assert len(frames) == 3 and frames[-1].endswith("\n") and "\n" not in "".join(frames[:-1])
    plain = [re.sub(r"\x1b\[\d+m", "", f) for f in frames]
    assert plain[0].startswith("1/3 ━━━━━━━━━━━━━━━━━━━━ ")  # 6 green, 14 grey
    assert "\x1b[32m" + "━" * 6 + "\x1b[0m\x1b[37m" + "━" * 14 in frames[0]
    # a frame shorter than the one before is padded with spaces, which clear the rest of
    # the old line (as Keras does): the last one may end with some
    assert plain[-1].endswith("\n") and plain[-1].rstrip(" \n").endswith(" - loss: 0.3333")
    # the time per step, in Keras's units (its value depends on the machine's load)
    assert re.search(r" \d+s \d+(us|ms|s)/step", plain[-1])


def test_auto_prints_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    out = FakeTerminal()
    monkeypatch.setattr("sys.stdout", out)
    rnn.set_random_seed(0)
    x, y = regression_data(10)
    model = Linear(3, 1)
    model.compile(loss="mse")
    model.fit(x, y, epochs=2)
    model.evaluate(x, y)
    printed = re.sub(r"\x1b\[\d+m", "", out.getvalue())
    assert printed.startswith("Epoch 1/2\n\r1/1 ━━━━━━━━━━━━━━━━━━━━ ")
    assert printed.count("\n") == 5  # two epochs, one evaluation


# ---------------------------------------------------------------------- real models
def det(shape: tuple[int, ...], k: int = 0) -> np.ndarray:
    """Deterministic small values in [-0.25, 0.25], shifted by ``k``."""
    n = int(np.prod(shape))
    return (((np.arange(n) * 7 + k) % 11 - 5) / 20).reshape(shape).astype(np.float32)


SEQ_X = det((12, 5, 2), 1) * 4
SEQ_LABELS = (np.arange(12) * 5 % 3).astype(np.int64)


def real_model(case: str) -> tuple[Any, Any, str, list[str], np.ndarray]:
    from rnn.layers import GRU, LSTM, Dense, Input, SimpleRNN
    from rnn.models import Sequential

    if case == "simple_rnn_adam_mse":
        model = Sequential([Input((5, 2)), SimpleRNN(4), Dense(1)])
        return model, rnn.optimizers.Adam(0.01), "mse", ["mae"], det((12, 1), 3) * 4
    if case == "lstm_rmsprop_sparse_ce":
        model = Sequential([Input((5, 2)), LSTM(3), Dense(3, activation="softmax")])
        optimizer = rnn.optimizers.RMSprop(0.01)
        return model, optimizer, "sparse_categorical_crossentropy", ["accuracy"], SEQ_LABELS
    model = Sequential(
        [Input((5, 2)), GRU(3, return_sequences=True), SimpleRNN(2), Dense(1, activation="sigmoid")]
    )
    optimizer = rnn.optimizers.SGD(0.1, momentum=0.9)
    return (
        model,
        optimizer,
        "binary_crossentropy",
        ["accuracy"],
        (SEQ_LABELS > 0).astype(np.float32),
    )


# From Keras 3.15.1 (torch backend): the same Sequential models, every weight set to
# det(shape, index), compiled as in real_model, then
# fit(SEQ_X, y, batch_size=4, epochs=2, shuffle=False, validation_split=0.25, verbose=0);
# the history (7 decimals) and, per weight after training, [sum, sum of |w|] (6 decimals).
KERAS_REAL_FITS = {
    "simple_rnn_adam_mse": (
        {
            "loss": [0.3570028, 0.3369689],
            "mae": [0.5054654, 0.4862527],
            "val_loss": [0.5160779, 0.5001019],
            "val_mae": [0.6111476, 0.5912551],
        },
        [
            [0.077453, 1.159456],
            [-0.255861, 2.088873],
            [-0.134453, 0.530285],
            [0.064331, 0.55149],
            [-0.04104, 0.04104],
        ],
    ),
    "lstm_rmsprop_sparse_ce": (
        {
            "accuracy": [0.3333333, 0.3333333],
            "loss": [1.1194875, 1.1083299],
            "val_accuracy": [0.3333333, 0.3333333],
            "val_loss": [1.1096083, 1.1059242],
        },
        [
            [-0.082738, 3.294325],
            [-0.078833, 4.675403],
            [-0.096046, 1.924366],
            [0.179022, 1.372766],
            [-0.289588, 0.364753],
        ],
    ),
    "gru_simple_rnn_sgd_momentum_bce": (
        {
            "accuracy": [0.6666667, 0.6666667],
            "loss": [0.6734185, 0.6527612],
            "val_accuracy": [0.6666667, 0.6666667],
            "val_loss": [0.6642047, 0.6446506],
        },
        [
            [0.099219, 2.597532],
            [-0.249507, 3.749713],
            [-0.305789, 2.503731],
            [0.254052, 0.76783],
            [-0.294434, 0.483912],
            [-0.217031, 0.261276],
            [-0.177906, 0.249142],
            [0.394887, 0.394887],
        ],
    ),
}


@pytest.mark.parametrize("case", list(KERAS_REAL_FITS))
def test_recurrent_models_train_as_in_keras(case: str) -> None:
    model, optimizer, loss, metrics, y = real_model(case)
    model.set_weights([det(w.shape, i) for i, w in enumerate(model.get_weights())])
    model.compile(optimizer, loss, metrics=metrics)
    history = model.fit(SEQ_X, y, batch_size=4, epochs=2, shuffle=False, validation_split=0.25)
    keras_history, keras_weights = KERAS_REAL_FITS[case]
    assert list(history.history) == list(keras_history)
    for key, values in keras_history.items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-6, atol=2e-7)
    sums = [[float(w.sum()), float(np.abs(w).sum())] for w in model.get_weights()]
    np.testing.assert_allclose(sums, keras_weights, rtol=1e-5, atol=2e-6)


def test_seeded_real_models_repeat_to_the_last_digit() -> None:
    from rnn.layers import LSTM, Dense, Input
    from rnn.models import Sequential

    def run() -> tuple[list[np.ndarray], dict[str, list[float]]]:
        rnn.set_random_seed(11)
        model = Sequential([Input((5, 2)), LSTM(4), Dense(3, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(SEQ_X, SEQ_LABELS, batch_size=5, epochs=3, validation_split=0.2)
        return model.get_weights(), history.history

    (w1, h1), (w2, h2) = run(), run()
    assert h1 == h2
    assert all(a.tobytes() == b.tobytes() for a, b in zip(w1, w2, strict=True))


def test_sequential_learns_to_sum_a_sequence() -> None:
    from rnn.layers import Dense, Input, SimpleRNN
    from rnn.models import Sequential

    rnn.set_random_seed(0)
    x = np.random.default_rng(0).uniform(-1, 1, (256, 6, 1)).astype(np.float32)
    y = x.sum(axis=1)
    model = Sequential([Input((6, 1)), SimpleRNN(8), Dense(1)])
    model.compile(rnn.optimizers.Adam(0.01), "mse", metrics=["mae"])
    before = model.evaluate(x, y)[0]
    history = model.fit(x, y, epochs=30, validation_split=0.25)
    assert history.history["val_loss"][-1] < before / 20
    assert model.predict(x).shape == (256, 1)


# ---------------------------------------------------------------------- sample and class weights
def _masked_model(lr: float = 1.0) -> Any:
    from rnn.layers import Dense, Input, Masking, SimpleRNN
    from rnn.models import Sequential

    rnn.set_floatx("float64")
    rnn.set_random_seed(3)
    model = Sequential([Input((4, 2)), Masking(0.0), SimpleRNN(2, return_sequences=True), Dense(1)])
    model.compile(rnn.optimizers.SGD(lr), "mse", metrics=["mae"])
    return model


def _masked_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    x = rng.uniform(-1, 1, (5, 4, 2))
    x[1, :2] = 0.0  # padding, masked
    x[3, :1] = 0.0
    return x, rng.uniform(-1, 1, (5, 4, 1)), rng.uniform(0, 2, 5)


@pytest.mark.parametrize("per_step", [False, True])
def test_a_weighted_step_follows_the_numerical_gradient_of_the_weighted_loss(
    per_step: bool,
) -> None:
    """SGD with learning rate 1 moves the weights by minus the gradient of the weighted,
    masked loss; central differences of `test_on_batch`'s loss give that gradient."""
    x, y, w = _masked_data()
    if per_step:
        w = np.random.default_rng(6).uniform(0, 2, (5, 4))
    model = _masked_model()
    model.build((None, *x.shape[1:]))  # its Input is (None, 4, 2): Keras refuses (5, 4, 2)
    start = [v.copy() for v in model.weights]
    numerical = []
    eps = 1e-6
    for weight in model.weights:
        grad = np.zeros_like(weight)
        for i in np.ndindex(weight.shape):
            keep = weight[i]
            weight[i] = keep + eps
            up = model.test_on_batch(x, y, sample_weight=w)[0]
            weight[i] = keep - eps
            down = model.test_on_batch(x, y, sample_weight=w)[0]
            weight[i] = keep
            grad[i] = (up - down) / (2 * eps)
        numerical.append(grad)
    model.train_on_batch(x, y, sample_weight=w)
    for before, after, grad in zip(start, model.weights, numerical, strict=True):
        np.testing.assert_allclose(before - after, grad, rtol=1e-6, atol=1e-9)


def test_class_weight_is_the_sample_weight_of_each_class() -> None:
    from rnn.layers import Dense, Input, SimpleRNN
    from rnn.models import Sequential

    def model() -> Any:
        rnn.set_random_seed(2)
        m = Sequential([Input((5, 2)), SimpleRNN(3), Dense(3, activation="softmax")])
        m.compile(rnn.optimizers.SGD(0.1), "sparse_categorical_crossentropy", ["accuracy"])
        return m

    labels = SEQ_LABELS
    weights = np.array([{0: 2.0, 2: 0.5}.get(int(k), 1.0) for k in labels])
    a, b = model(), model()
    ha = a.fit(SEQ_X, labels, class_weight={0: 2.0, 2: 0.5}, epochs=2, shuffle=False)
    hb = b.fit(SEQ_X, labels, sample_weight=weights, epochs=2, shuffle=False)
    assert ha.history == hb.history
    one_hot = np.eye(3)[labels]
    assert a.train_on_batch(SEQ_X, labels, class_weight={1: 3.0}) == pytest.approx(
        b.train_on_batch(SEQ_X, labels, sample_weight=np.where(labels == 1, 3.0, 1.0))
    )
    from rnn._data_adapter import class_weight_to_sample_weight

    assert class_weight_to_sample_weight(one_hot, {0: 2.0, 2: 0.5}).tolist() == weights.tolist()
    assert class_weight_to_sample_weight(labels[:, None], {0: 2.0, 2: 0.5}).tolist() == (
        weights.tolist()
    )


def test_weights_go_with_their_samples_into_the_validation_split() -> None:
    x, y, w = _masked_data()
    model = _masked_model(lr=0.0)  # no update: the validation values are those of evaluate
    history = model.fit(x, y, sample_weight=w, validation_split=0.4, batch_size=2, verbose=0)
    expected = model.evaluate(x[3:], y[3:], sample_weight=w[3:], return_dict=True)
    assert history.history["val_loss"] == [pytest.approx(expected["loss"], abs=1e-12)]
    again = model.fit(x[:3], y[:3], sample_weight=w[:3], validation_data=(x[3:], y[3:], w[3:]))
    assert again.history["val_loss"] == history.history["val_loss"]
    unweighted = model.evaluate(x[3:], y[3:], return_dict=True)
    assert unweighted["loss"] != pytest.approx(expected["loss"])
    assert unweighted["mae"] == expected["mae"]  # compile's metrics are not weighted


def test_zero_weights_leave_a_sample_out_of_the_loss_but_not_out_of_the_count() -> None:
    """Keras 3: the weighted sum is divided by the count of (unmasked) values, whatever
    their weights: here 8 steps weighted 1, and 17 unmasked steps in all."""
    x, y, _ = _masked_data()
    model = _masked_model()
    full = model.evaluate(x[[0, 2]], y[[0, 2]])[0]  # two samples without padding
    w = np.array([1.0, 0.0, 1.0, 0.0, 0.0])
    assert model.evaluate(x, y, sample_weight=w)[0] == pytest.approx(full * 8 / 17, abs=1e-12)


def test_evaluate_calls_the_test_hooks() -> None:
    seen: list[Any] = []

    class Hooks(Callback):
        def on_test_begin(self, logs: Any = None) -> None:
            seen.append(("begin", self.params["steps"]))

        def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
            seen.append(("batch", batch, sorted(logs)))

        def on_test_end(self, logs: Any = None) -> None:
            seen.append(("end", sorted(logs)))

    x, y = regression_data(10)
    model = Linear(3, 1)
    model.compile(loss="mse", metrics=["mae"])
    model.evaluate(x, y, batch_size=4, callbacks=[Hooks()])
    assert seen == [
        ("begin", 3),
        ("batch", 0, ["loss", "mae"]),
        ("batch", 1, ["loss", "mae"]),
        ("batch", 2, ["loss", "mae"]),
        ("end", ["loss", "mae"]),
    ]

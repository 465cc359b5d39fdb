"""The functional API: `Input` -> layer calls -> `rnn.Model`, against real Keras 3.

The fixtures (tests/fixtures/keras/functional/, made by
tools/keras_fixtures/gen_functional.py) hold, for each model built by the same code
in Keras: the layers in Keras's order, each layer's calls as Keras's ``get_config``
records them, the summary Keras prints, weights, inputs and Keras's outputs, and the
losses of three epochs of SGD. The errors Keras raises are matched word for word.
"""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rnn
from rnn import layers
from rnn.layers import LSTM, Add, Concatenate, Dense, Embedding, Input, SimpleRNN
from rnn.models import Model, Sequential
from rnn.summary import summary_text
from tools.keras_fixtures.common import graph_calls

HERE = Path(__file__).parent / "fixtures" / "keras" / "functional"
MODELS = json.loads((HERE / "models.json").read_text(encoding="utf-8"))["models"]
ERRORS = json.loads((HERE / "errors.json").read_text(encoding="utf-8"))["errors"]


def scope() -> dict[str, Any]:
    """The names the fixtures' code uses, from rnn instead of Keras."""
    names: dict[str, Any] = {name: getattr(layers, name) for name in layers.__all__}
    names.update(Input=Input, Model=Model, np=np)
    names["keras"] = types.SimpleNamespace(Sequential=Sequential)
    return names


def build(case: dict[str, Any]) -> Model:
    rnn.clear_session()
    names = scope()
    exec(case["code"], names)
    model: Model = names["model"]
    model.set_weights([np.asarray(w) for w in case["weights"]])
    return model


def inputs_of(case: dict[str, Any]) -> Any:
    arrays = [np.asarray(x) for x in case["inputs"]]
    return arrays if len(arrays) > 1 else arrays[0]


@pytest.fixture(autouse=True)
def _float64() -> Any:
    before = rnn.floatx()
    rnn.set_floatx("float64")
    yield
    rnn.set_floatx(before)


@pytest.mark.parametrize("case", MODELS, ids=[c["id"] for c in MODELS])
def test_layers_shapes_and_summary_equal_keras(case: dict[str, Any]) -> None:
    model = build(case)
    assert model.name == case["model_name"]
    assert [layer.name for layer in model.layers] == case["layers"]
    assert [type(layer).__name__ for layer in model.layers] == case["classes"]
    as_tuples = json.loads(json.dumps(case["input_shape"]))

    def shape(s: Any) -> Any:
        return [tuple(x) for x in s] if s and isinstance(s[0], list) else tuple(s)

    assert model.input_shape == shape(as_tuples)
    assert model.output_shape == shape(case["output_shape"])
    assert model.count_params() == case["count_params"]
    printed: list[str] = []
    model.summary(print_fn=printed.append)
    assert printed == [case["summary"]]


@pytest.mark.parametrize("case", MODELS, ids=[c["id"] for c in MODELS])
def test_config_records_the_calls_as_keras(case: dict[str, Any]) -> None:
    config = build(case).get_config()
    graph = graph_calls(json.loads(json.dumps(config)))
    assert graph == case["graph"]


@pytest.mark.parametrize("case", MODELS, ids=[c["id"] for c in MODELS])
def test_outputs_equal_keras(case: dict[str, Any]) -> None:
    model = build(case)
    got = model.predict(inputs_of(case))
    got = got if isinstance(got, list) else [got]
    for mine, theirs in zip(got, case["outputs"], strict=True):
        np.testing.assert_allclose(mine, np.asarray(theirs), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", MODELS, ids=[c["id"] for c in MODELS])
def test_config_round_trip(case: dict[str, Any]) -> None:
    model = build(case)
    twin = Model.from_config(json.loads(json.dumps(model.get_config())))
    twin.set_weights(model.get_weights())
    assert [layer.name for layer in twin.layers] == [layer.name for layer in model.layers]
    # the mask operations too, by the names the config gives them (as Keras)
    assert [op.name for op in twin.operations] == [op.name for op in model.operations]
    assert summary_text(twin) == summary_text(model)
    for a, b in zip(
        rnn._graph.flatten(twin.predict(inputs_of(case))),
        rnn._graph.flatten(model.predict(inputs_of(case))),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)


FITS = [c for c in MODELS if "fit" in c]


@pytest.mark.parametrize("case", FITS, ids=[c["id"] for c in FITS])
def test_fit_equals_keras(case: dict[str, Any]) -> None:
    model = build(case)
    fit = case["fit"]
    model.compile(optimizer=rnn.optimizers.SGD(learning_rate=0.1), loss=fit["loss"])
    y = np.asarray(fit["targets"][0])
    history = model.fit(
        inputs_of(case),
        y,
        epochs=fit["epochs"],
        batch_size=fit["batch_size"],
        shuffle=False,
        verbose=0,
    )
    # Even under float64, Keras keeps the learning rate and the loss tracker in float32
    # (0.1 is 0.10000000149 there): the 1e-5 is what both can promise.
    np.testing.assert_allclose(history.history["loss"], fit["history"], rtol=1e-5)
    evaluated = model.evaluate(inputs_of(case), y, verbose=0)
    np.testing.assert_allclose(evaluated, fit["evaluate"], rtol=1e-5)
    for mine, theirs in zip(model.get_weights(), fit["weights_after"], strict=True):
        np.testing.assert_allclose(mine, np.asarray(theirs), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", MODELS, ids=[c["id"] for c in MODELS])
def test_gradients_by_central_differences(case: dict[str, Any]) -> None:
    """The model's backward pass against central differences, for weights and inputs."""
    model = build(case)
    x = inputs_of(case)
    rng = np.random.default_rng(1)
    out = model.forward(x)
    outs = out if isinstance(out, list) else [out]
    probes = [rng.normal(size=np.shape(o)) for o in outs]  # loss = sum(probe * output)

    def loss() -> float:
        got = model(x)
        got = got if isinstance(got, list) else [got]
        return float(sum(np.sum(p * g) for p, g in zip(probes, got, strict=True)))

    grad_x = model.backward(probes if len(outs) > 1 else probes[0])
    eps = 1e-6
    for w, g in zip(model.weights, model.grads, strict=True):
        for _ in range(3):
            idx = tuple(int(rng.integers(0, n)) for n in w.shape)
            old = w[idx]
            w[idx] = old + eps
            up = loss()
            w[idx] = old - eps
            down = loss()
            w[idx] = old
            assert (up - down) / (2 * eps) == pytest.approx(g[idx], rel=1e-5, abs=1e-8)
    if np.asarray(case["inputs"][0]).dtype.kind == "i":  # token ids have no gradient
        assert grad_x is None or all(g is None for g in grad_x)
        return
    arrays = x if isinstance(x, list) else [x]
    grads = grad_x if isinstance(grad_x, list) else [grad_x]
    for a, g in zip(arrays, grads, strict=True):
        idx = tuple(int(rng.integers(0, n)) for n in a.shape)
        old = a[idx]
        a[idx] = old + eps
        up = loss()
        a[idx] = old - eps
        down = loss()
        a[idx] = old
        assert (up - down) / (2 * eps) == pytest.approx(g[idx], rel=1e-5, abs=1e-8)


@pytest.mark.parametrize("error", ERRORS, ids=[e["label"] for e in ERRORS])
def test_errors_in_keras_words(error: dict[str, Any]) -> None:
    rnn.clear_session()
    with pytest.raises(getattr(__builtins__, error["type"], None) or Exception) as info:
        exec(error["code"], scope())
    assert type(info.value).__name__ == error["type"]
    assert str(info.value) == error["message"]


def test_the_mask_flows_through_the_graph_as_in_sequential() -> None:
    """An Embedding's mask reaches the LSTM as it does in the same Sequential model."""
    rnn.clear_session()
    tokens = Input(shape=(None,), dtype="int32")
    x = Embedding(10, 4, mask_zero=True, seed=0)(tokens)
    model = Model(tokens, Dense(1, seed=2)(LSTM(3, seed=1)(x)))
    chain = Sequential([Embedding(10, 4, mask_zero=True), LSTM(3), Dense(1)])
    chain.build((None, 5))
    chain.set_weights(model.get_weights())
    ids = np.array([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0]])
    np.testing.assert_array_equal(model.predict(ids), chain.predict(ids))
    unmasked = np.array([[1, 2, 3, 9, 9], [4, 5, 9, 9, 9]])
    assert not np.allclose(model.predict(ids), model.predict(unmasked))


def test_a_shared_layer_sums_its_gradients() -> None:
    rnn.clear_session()
    a, b = Input(shape=(3,)), Input(shape=(3,))
    shared = Dense(2, seed=0)
    model = Model([a, b], Add()([shared(a), shared(b)]))
    xa, xb = np.ones((4, 3)), np.full((4, 3), 2.0)
    model.forward([xa, xb])
    model.backward(np.ones((4, 2)))
    kernel_grad, bias_grad = shared.grads
    np.testing.assert_allclose(kernel_grad, (xa + xb).T @ np.ones((4, 2)))
    np.testing.assert_allclose(bias_grad, np.full(2, 8.0))


def test_symbolic_tensors_refuse_what_they_cannot_do() -> None:
    rnn.clear_session()
    x = Input(shape=(3,))
    assert repr(x) == (
        "<KerasTensor shape=(None, 3), dtype=float64, sparse=False, ragged=False, "
        "name=keras_tensor>"
    )
    with pytest.raises(TypeError, match="is symbolic: it holds no values"):
        np.asarray(x)
    with pytest.raises(TypeError, match="support layer calls only, not arithmetic"):
        x + 1
    with pytest.raises(TypeError, match=r"rnn\.Model makes functional models only"):
        Model()
    with pytest.raises(ValueError, match="Graph disconnected: cannot find parent for tensor"):
        Model(x, Dense(2)(Input(shape=(3,))))
    with pytest.raises(ValueError, match="on a mix of KerasTensors"):
        Concatenate()([x, np.zeros((2, 3))])
    with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
        Dense(2)(x, foo=1)


def test_several_outputs_predict_in_batches() -> None:
    rnn.clear_session()
    x = Input(shape=(3,))
    h = Dense(4)(x)
    model = Model(x, [Dense(1)(h), Dense(2)(h)])
    first, second = model.predict(np.zeros((40, 3)), batch_size=16)
    assert (first.shape, second.shape) == ((40, 1), (40, 2))


HEADS = json.loads((HERE / "heads.json").read_text(encoding="utf-8"))["heads"]


@pytest.mark.parametrize("case", HEADS, ids=[c["id"] for c in HEADS])
def test_several_outputs_train_as_keras(case: dict[str, Any]) -> None:
    """A loss, a weight and a metric per output: Keras's logs, values and weights."""
    model = build(case)
    names = scope()
    names.update(model=model)
    names["keras"] = types.SimpleNamespace(optimizers=rnn.optimizers)
    exec(case["compile"], names)
    x = np.asarray(case["inputs"][0])
    targets = [np.asarray(t) for t in case["targets"]]
    history = model.fit(x, targets, epochs=3, batch_size=2, shuffle=False, verbose=0)
    assert sorted(history.history) == sorted(case["history"])
    for key, values in case["history"].items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-5, err_msg=key)
    np.testing.assert_allclose(model.evaluate(x, targets, verbose=0), case["evaluate"], rtol=1e-5)
    as_dict = model.evaluate(x, {"level": targets[0], "kind": targets[1]}, return_dict=True)
    assert list(as_dict) == sorted(case["evaluate_dict"])
    for mine, theirs in zip(model.get_weights(), case["weights_after"], strict=True):
        np.testing.assert_allclose(mine, np.asarray(theirs), rtol=1e-5, atol=1e-6)


def test_several_outputs_refuse_losses_that_do_not_match() -> None:
    rnn.clear_session()
    x = Input(shape=(3,))
    model = Model(x, [Dense(1, name="a")(x), Dense(2, name="b")(x)])
    with pytest.raises(ValueError, match=r"matching the output names of the functional model"):
        model.compile(loss=["mse"])
    with pytest.raises(ValueError, match=r"keys \['c'\] are not output names"):
        model.compile(loss={"c": "mse"})
    with pytest.raises(ValueError, match="Invalid `metrics`"):
        model.compile(loss="mse", metrics=["mae"])
    model.compile(optimizer="sgd", loss={"a": "mse"})  # an output without a loss is left out
    history = model.fit(np.ones((4, 3)), [np.ones((4, 1)), np.ones((4, 2))], verbose=0)
    assert sorted(history.history) == ["a_loss", "loss"]


def test_inputs_by_name_and_model_as_a_layer() -> None:
    rnn.clear_session()
    a, b = Input(shape=(3,), name="a"), Input(shape=(2,), name="b")
    inner = Model([a, b], Dense(1)(Concatenate()([a, b])))
    xa, xb = np.ones((2, 3)), np.zeros((2, 2))
    np.testing.assert_array_equal(inner.predict({"b": xb, "a": xa}), inner.predict([xa, xb]))
    c, d = Input(shape=(3,)), Input(shape=(2,))
    outer = Model([c, d], Dense(2)(inner([c, d])))
    assert outer.predict([xa, xb]).shape == (2, 2)
    outer.compile(optimizer="sgd", loss="mse")
    assert np.isfinite(outer.train_on_batch([xa, xb], np.zeros((2, 2))))


def test_sequential_pop_and_functional_names() -> None:
    rnn.clear_session()
    model = Sequential([Input(shape=(2,)), Dense(4), SimpleRNN and Dense(1)])
    assert model.pop().name == "dense_1"
    assert model.output_shape == (None, 4)
    with pytest.raises(IndexError, match="has no layers to pop"):
        Sequential().pop()
    x = Input(shape=(2,))
    assert Model(x, Dense(1)(x)).name == "functional"
    assert Model(x, Dense(1)(x)).name == "functional_1"


TRAINED = json.loads((HERE / "trained.json").read_text(encoding="utf-8"))["trained"]


@pytest.mark.parametrize("case", TRAINED, ids=[c["label"] for c in TRAINED])
def test_summary_after_fit_counts_the_optimizer_as_keras(case: dict[str, Any]) -> None:
    """Keras 3 adds the optimizer's variables to the summary once it has taken a step."""
    rnn.clear_session()
    rnn.set_floatx(case["floatx"])
    names = scope()
    names["keras"] = types.SimpleNamespace(Sequential=Sequential, optimizers=rnn.optimizers)
    exec(case["code"], names)
    model = names["model"]
    if case["fit"]:
        model.fit(np.zeros((4, 3, 1)), np.zeros((4, 1)), epochs=1, verbose=0)
    printed: list[str] = []
    model.summary(print_fn=printed.append)
    assert printed == [case["summary"]]


def test_every_model_is_a_model_and_subclassing_is_refused() -> None:
    """As in Keras 3: Model(inputs, outputs) is a Functional, and Sequential a Model."""
    rnn.clear_session()
    x = Input(shape=(2,))
    functional = Model(x, Dense(1)(x))
    assert type(functional).__name__ == "Functional"
    assert isinstance(functional, Model) and isinstance(Sequential(), Model)

    class Mine(Model):
        def call(self, inputs: Any) -> Any:
            return inputs

    with pytest.raises(TypeError, match="Mine: rnn has no subclassed models"):
        Mine()


@pytest.mark.parametrize("case", MODELS, ids=[c["id"] for c in MODELS])
def test_a_saved_functional_model_loads_the_same(case: dict[str, Any], tmp_path: Path) -> None:
    """model.save then load_model: the same layers, summary and outputs (weights exact)."""
    pytest.importorskip("h5py")
    model = build(case)
    model.save(tmp_path / "model.keras")
    again = rnn.models.load_model(tmp_path / "model.keras")
    assert type(again).__name__ == "Functional"
    assert summary_text(again) == summary_text(model)
    for mine, theirs in zip(again.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    for a, b in zip(
        rnn._graph.flatten(again.predict(inputs_of(case))),
        rnn._graph.flatten(model.predict(inputs_of(case))),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)

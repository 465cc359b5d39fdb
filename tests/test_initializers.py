"""The initializers: Keras 3's names, classes, defaults, configs and errors (recorded from
Keras 3.15.1 in tests/fixtures/keras/names/initializers.json), their distributions
measured with fixed seeds against Keras's formulas, and the layers taking them."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rnn import initializers
from rnn.layers import GRU, LSTM, Dense, Embedding, SimpleRNN

KERAS = json.loads(
    (Path(__file__).parent / "fixtures" / "keras" / "names" / "initializers.json").read_text()
)
TRUNCATED_STDDEV = 0.87962566103423978
ISSUE_13 = [
    "he_normal",
    "he_uniform",
    "glorot_normal",
    "lecun_normal",
    "lecun_uniform",
    "random_normal",
    "random_uniform",
    "truncated_normal",
    "identity",
    "constant",
]


def draw(init: Any, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.asarray(init(shape, np.random.default_rng(seed)), np.float64)


# ----------------------------------------------------------- names and Keras's forms


@pytest.mark.parametrize("name", sorted(KERAS["names"]))
def test_each_name_serializes_as_keras(name: str) -> None:
    init = initializers.get(name)
    assert initializers.serialize(init) == KERAS["names"][name]["serialized"]
    canonical = {"zero": "zeros", "one": "ones"}.get(name, name)  # aliases of one function
    assert initializers.name_of(init) == canonical  # what get_config writes, get reads back
    assert initializers.get(initializers.name_of(init)) is init


@pytest.mark.parametrize("cls_name", sorted(KERAS["classes"]))
def test_each_class_has_keras_defaults_and_config(cls_name: str) -> None:
    cls = getattr(initializers, cls_name)
    keras = KERAS["classes"][cls_name]
    params = inspect.signature(cls.__init__).parameters.values()
    defaults = {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}
    assert defaults == keras["defaults"]
    assert cls().get_config() == keras["config"]
    assert list(cls().get_config()) == list(keras["config"])  # Keras's key order
    assert initializers.serialize(cls()) == keras["serialized"]
    assert initializers.get(cls_name) == cls()
    assert initializers.get(cls) == cls()


@pytest.mark.parametrize("shown", sorted(KERAS["configured"]))
def test_configured_instances_serialize_as_keras_and_come_back(shown: str) -> None:
    init = eval(shown, vars(initializers))  # e.g. "HeNormal(seed=3)"
    serialized = initializers.serialize(init)
    expected = KERAS["configured"][shown]
    if shown == "Identity(gain=2.0)":  # Keras 3.15 forgets gain: rnn keeps it
        assert expected["config"] == {}
        expected = {**expected, "config": {"gain": 2.0}}
    assert serialized == expected
    assert initializers.get(serialized) == init
    assert initializers.get(initializers.name_of(init)) == init  # get_config round trip


def test_every_name_of_the_issue_is_known() -> None:
    for name in ISSUE_13:
        init = initializers.get(name)
        assert callable(init)
        assert initializers.get(name)((2, 2)).shape == (2, 2)


def test_keras_get_forms() -> None:
    """A class, an instance, a callable, a dict with the class's Keras name."""
    mine = initializers.HeNormal(seed=1)
    assert initializers.get(mine) is mine

    def halves(shape: Any, rng: Any = None) -> np.ndarray:
        return np.full(shape, 0.5, np.float32)

    assert initializers.get(halves) is halves
    assert initializers.name_of(halves) == "halves"
    assert initializers.get({"class_name": "he_normal", "config": {}}) == initializers.HeNormal()
    full = {"module": "keras.initializers", "class_name": "HeNormal", "registered_name": None}
    assert initializers.get({**full, "config": {"seed": None}}) == initializers.HeNormal()
    assert initializers.deserialize({"class_name": "IdentityInitializer", "config": {}}) == (
        initializers.Identity()
    )
    assert initializers.get("Orthogonal") == initializers.Orthogonal()
    assert initializers.name_of(initializers.Orthogonal()) == "orthogonal"
    assert initializers.name_of(initializers.Constant(2.0))["config"] == {"value": 2.0}


def test_constant_by_name_works_where_keras_raises_key_error() -> None:
    assert KERAS["errors"]["constant_by_name"] == {"type": "KeyError", "message": "'value'"}
    assert initializers.get("constant")((2,)).tolist() == [0.0, 0.0]


# -------------------------------------------------------------------------- errors


def test_unknown_name_is_keras_error() -> None:
    keras = KERAS["errors"]["unknown_name"]
    message = keras["message"] + ". Did you mean 'glorot_normal'?"  # rnn's addition
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        initializers.get("glorot")


def test_unknown_class_in_a_dict_is_keras_error() -> None:
    keras = KERAS["errors"]["unknown_class_dict"]
    with pytest.raises(ValueError, match=f"^{re.escape(keras['message'])}$"):
        initializers.get({"class_name": "Foo", "config": {}})
    with pytest.raises(
        ValueError, match=re.escape("Unknown `config` as a `dict`, config={'a': 1}")
    ):
        initializers.get({"a": 1})


@pytest.mark.parametrize(
    ("case", "call"),
    [
        ("identity_1d", lambda: initializers.Identity()((3,))),
        ("identity_3d", lambda: initializers.Identity()((2, 3, 3))),
        ("orthogonal_1d", lambda: initializers.Orthogonal()((3,))),
        ("variance_scaling_scale", lambda: initializers.VarianceScaling(scale=-1)),
        ("variance_scaling_mode", lambda: initializers.VarianceScaling(mode="x")),
        ("variance_scaling_distribution", lambda: initializers.VarianceScaling(distribution="x")),
    ],
)
def test_errors_are_kerass(case: str, call: Any) -> None:
    keras = KERAS["errors"][case]
    assert keras["type"] == "ValueError"
    with pytest.raises(ValueError) as info:
        call()

    def unordered(message: str) -> tuple[str, set[str]]:
        """Keras prints a Python set: its order changes from run to run."""
        found = re.search(r"\{[^}]*\}$", message)
        if found is None:
            return message, set()
        items = {item.strip() for item in found.group(0).strip("{}").split(",")}
        return message[: found.start()], items

    assert unordered(str(info.value)) == unordered(keras["message"])


def test_identity_function_by_name_raises_keras_error_too() -> None:
    with pytest.raises(
        ValueError, match=r"can only be used for 2D matrices\. Received: shape=\(4,\)"
    ):
        initializers.get("identity")((4,))


# ---------------------------------------------------------------- values and draws


@pytest.mark.parametrize(
    ("shown", "call"),
    [
        ("Identity(gain=2.0)((3, 4))", lambda: initializers.Identity(gain=2.0)((3, 4))),
        ("Identity()((4, 2))", lambda: initializers.Identity()((4, 2))),
        ("Constant(2.5)((2, 3))", lambda: initializers.Constant(2.5)((2, 3))),
    ],
)
def test_deterministic_values_are_kerass(shown: str, call: Any) -> None:
    assert call().tolist() == KERAS["values"][shown]


def test_lstm_takes_identity_for_its_non_square_recurrent_kernel_as_keras() -> None:
    """Keras gives ``eye(4, 16)``: ones on the input gate's diagonal only."""
    layer = LSTM(4, recurrent_initializer="identity")
    layer.build((None, 3, 2))
    expected = KERAS["values"]["LSTM(4, recurrent_initializer='identity').recurrent_kernel"]
    assert layer.recurrent_kernel.tolist() == expected


def test_the_first_four_draw_as_before_bit_for_bit() -> None:
    """zeros, glorot_uniform, orthogonal and uniform: the same numbers the docs print."""
    shape = (5, 7)
    rng = np.random.default_rng(3)
    limit = np.sqrt(6.0 / 12)
    expected = rng.uniform(-limit, limit, size=shape).astype(np.float32)
    assert np.array_equal(initializers.glorot_uniform(shape, np.random.default_rng(3)), expected)
    assert np.array_equal(initializers.GlorotUniform()(shape, np.random.default_rng(3)), expected)
    expected = np.random.default_rng(3).uniform(-0.05, 0.05, size=shape).astype(np.float32)
    for name in ("uniform", "random_uniform"):
        assert np.array_equal(initializers.get(name)(shape, np.random.default_rng(3)), expected)
    a = np.random.default_rng(3).standard_normal((7, 5))
    q, r = np.linalg.qr(a)
    expected = (q * np.sign(np.diag(r))).T.reshape(shape).astype(np.float32)
    assert np.array_equal(initializers.orthogonal(shape, np.random.default_rng(3)), expected)
    assert np.array_equal(initializers.Orthogonal()(shape, np.random.default_rng(3)), expected)
    assert not initializers.zeros(shape).any()


# fan_in = 400, fan_out = 300: Keras's standard deviation of each (after any truncation)
SHAPE = (400, 300)
NORMAL = {  # name: (standard deviation, truncated)
    "glorot_normal": (np.sqrt(2 / 700), True),
    "he_normal": (np.sqrt(2 / 400), True),
    "lecun_normal": (np.sqrt(1 / 400), True),
    "random_normal": (0.05, False),
    "truncated_normal": (0.05 * TRUNCATED_STDDEV, True),
}
UNIFORM = {  # name: limit
    "glorot_uniform": np.sqrt(6 / 700),
    "he_uniform": np.sqrt(6 / 400),
    "lecun_uniform": np.sqrt(3 / 400),
    "random_uniform": 0.05,
}


@pytest.mark.parametrize("name", sorted(NORMAL))
def test_normal_draws_have_kerass_mean_std_and_bounds(name: str) -> None:
    std, truncated = NORMAL[name]
    w = draw(initializers.get(name), SHAPE)
    assert w.dtype == np.float64 and initializers.get(name)(SHAPE).dtype == np.float32
    assert abs(w.mean()) < 4 * std / np.sqrt(w.size)
    assert abs(w.std() / std - 1) < 0.01
    if truncated:  # cut at 2 standard deviations of the normal before the cut
        bound = 2 * std / TRUNCATED_STDDEV if name != "truncated_normal" else 2 * 0.05
        assert np.abs(w).max() <= bound * (1 + 1e-6)
        assert np.abs(w).max() > 0.99 * bound  # and the cut is there, not further in
    else:
        assert np.abs(w).max() > 3.5 * std


@pytest.mark.parametrize("name", sorted(UNIFORM))
def test_uniform_draws_have_kerass_limits(name: str) -> None:
    limit = UNIFORM[name]
    w = draw(initializers.get(name), SHAPE)
    assert np.abs(w).max() <= limit * (1 + 1e-6)
    assert np.abs(w).max() > 0.999 * limit
    assert abs(w.std() / (limit / np.sqrt(3)) - 1) < 0.01
    assert abs(w.mean()) < 4 * limit / np.sqrt(3 * w.size)


def test_variance_scaling_modes_distributions_and_axes() -> None:
    shape = (3, 3, 40, 50)  # a convolution kernel: fans times the receptive field 9
    fan_in, fan_out = 360, 450
    for mode, n in [("fan_in", fan_in), ("fan_out", fan_out), ("fan_avg", (fan_in + fan_out) / 2)]:
        for distribution in ("truncated_normal", "untruncated_normal", "normal", "uniform"):
            init = initializers.VarianceScaling(2.0, mode, distribution)
            w = draw(init, shape)
            assert abs(w.std() / np.sqrt(2.0 / n) - 1) < 0.02, (mode, distribution)
    init = initializers.VarianceScaling(1.0, "fan_in", "uniform", input_axes=[0], output_axes=[1])
    w = draw(init, (50, 8))  # fan_in = 50 here as usual; with axes [1], [0] it is 8
    assert np.abs(w).max() <= np.sqrt(3 / 50) + 1e-7
    init = initializers.VarianceScaling(1.0, "fan_in", "uniform", input_axes=[1], output_axes=[0])
    assert np.abs(draw(init, (50, 8))).max() > np.sqrt(3 / 50)
    assert initializers.VarianceScaling(distribution="normal").distribution == "truncated_normal"


def test_truncated_normal_with_mean_and_stddev() -> None:
    w = draw(initializers.TruncatedNormal(mean=1.0, stddev=2.0), (200, 200))
    assert w.min() >= -3.0 and w.max() <= 5.0
    assert abs(w.mean() - 1.0) < 0.02
    assert abs(w.std() / (2.0 * TRUNCATED_STDDEV) - 1) < 0.01


def test_a_seed_draws_the_same_values_every_call_and_none_follows_the_generator() -> None:
    seeded = initializers.HeNormal(seed=3)
    assert np.array_equal(seeded((4, 4)), seeded((4, 4)))
    assert np.array_equal(seeded((4, 4)), seeded((4, 4), np.random.default_rng(99)))
    unseeded = initializers.HeNormal()
    rng = np.random.default_rng(0)
    assert not np.array_equal(unseeded((4, 4), rng), unseeded((4, 4), rng))
    assert np.array_equal(
        initializers.he_normal((4, 4), np.random.default_rng(5)),
        unseeded((4, 4), np.random.default_rng(5)),
    )
    initializers.set_random_seed(7)
    first = initializers.get("lecun_uniform")((3, 3))
    initializers.set_random_seed(7)
    assert np.array_equal(first, initializers.get("lecun_uniform")((3, 3)))
    with pytest.raises(ValueError, match="`seed` argument should be an instance of"):
        initializers.RandomNormal(seed="a")  # type: ignore[arg-type]


def test_keras_call_with_a_dtype() -> None:
    assert initializers.RandomNormal()((2,), dtype="float64").dtype == np.float64
    assert initializers.Ones()((2,), "float64").dtype == np.float64  # Keras: (shape, dtype)


def test_orthogonal_gain_and_identity_gain() -> None:
    q = draw(initializers.Orthogonal(gain=3.0), (4, 6))
    np.testing.assert_allclose(q @ q.T, 9 * np.eye(4), atol=1e-5)
    assert initializers.Identity(gain=0.5)((2, 2)).tolist() == [[0.5, 0.0], [0.0, 0.5]]


# ---------------------------------------------------------------------- in layers


@pytest.mark.parametrize("name", ISSUE_13)
def test_dense_takes_each_name(name: str) -> None:
    layer = Dense(3, kernel_initializer=name, bias_initializer="constant", seed=1)
    layer.build((None, 3))  # square, so that identity fits too
    assert layer.kernel.shape == (3, 3) and layer.kernel.dtype == np.float32
    assert layer.get_config()["kernel_initializer"] == name
    again = Dense.from_config(layer.get_config())
    assert initializers.get(again.kernel_initializer) is initializers.get(name)


def test_dense_with_a_configured_instance_comes_back_from_its_config() -> None:
    layer = Dense(3, kernel_initializer=initializers.RandomNormal(stddev=1.0))
    again = Dense.from_config(layer.get_config())
    assert again.kernel_initializer == initializers.RandomNormal(stddev=1.0)


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_recurrent_layers_take_the_names(cls: Any) -> None:
    layer = cls(
        4,
        kernel_initializer="he_uniform",
        recurrent_initializer="identity",
        bias_initializer="lecun_normal",
        seed=1,
    )
    y = layer(np.ones((2, 3, 5), np.float32))
    assert y.shape == (2, 4)
    units = layer.recurrent_kernel.shape[0]
    assert np.array_equal(layer.recurrent_kernel, np.eye(units, layer.recurrent_kernel.shape[1]))


def test_embedding_keeps_uniform() -> None:
    layer = Embedding(10, 3)
    assert layer.get_config()["embeddings_initializer"] == "uniform"

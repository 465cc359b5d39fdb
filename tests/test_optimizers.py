"""Optimizers: Keras 3's defaults, update rules, clipping and names."""

from __future__ import annotations

import numpy as np
import pytest

from rnn import optimizers
from rnn.optimizers import SGD, Adam, Optimizer, RMSprop

W0 = [[0.5, -0.25, 1.0], [2.0, 0.0, -1.5]]
B0 = [0.1, -0.2, 0.3]


def grads(step: int) -> list[np.ndarray]:
    """Deterministic float32 gradients, different at every step."""
    gw = np.array([[1.0, -2.0, 0.5], [0.25, 3.0, -1.0]], np.float32) * (1 + 0.5 * step)
    gb = np.array([0.1, -0.05, 2.0], np.float32) * (step - 1.5)
    return [(gw - 0.3 * step).astype(np.float32), gb.astype(np.float32)]


MAKERS = {
    "sgd": lambda: SGD(),
    "sgd_momentum": lambda: SGD(learning_rate=0.1, momentum=0.9),
    "sgd_nesterov": lambda: SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
    "rmsprop": lambda: RMSprop(),
    "rmsprop_momentum_centered": lambda: RMSprop(learning_rate=0.01, momentum=0.5, centered=True),
    "adam": lambda: Adam(),
    "adam_amsgrad": lambda: Adam(learning_rate=0.05, amsgrad=True),
    "adam_clipnorm": lambda: Adam(learning_rate=0.05, clipnorm=1.0),
    "sgd_clipnorm": lambda: SGD(learning_rate=0.1, clipnorm=1.0),
    "sgd_global_clipnorm": lambda: SGD(learning_rate=0.1, global_clipnorm=2.0),
    "sgd_clipvalue": lambda: SGD(learning_rate=0.1, clipvalue=0.5),
}

# From Keras 3.15.1 (torch backend): the same optimizer built with the same arguments,
# `optimizer.apply(grads(step), [kernel, bias])` for steps 0, 1, 2 on float32 variables
# starting at W0 and B0; the weights after the third step.
KERAS = {
    "sgd": (
        [
            [0.46400001645088196, -0.1510000079870224, 0.9865000247955322],
            [1.9977500438690186, -0.12600000202655792, -1.4459999799728394],
        ],
        [0.101500004529953, -0.20075000822544098, 0.33000001311302185],
    ),
    "sgd_momentum": (
        [
            [-0.13899999856948853, 1.378999948501587, 0.7390000224113464],
            [1.9280000925064087, -2.1510000228881836, -0.6270000338554382],
        ],
        [0.14515000581741333, -0.22257500886917114, 1.2030000686645508],
    ),
    "sgd_nesterov": (
        [
            [-0.4350999891757965, 2.2060999870300293, 0.6300999522209167],
            [1.9126999378204346, -3.1958999633789062, -0.17430007457733154],
        ],
        [0.15563499927520752, -0.22781750559806824, 1.4126999378204346],
    ),
    "rmsprop": (
        [
            [0.49216148257255554, -0.24160891771316528, 0.992947518825531],
            [1.9971181154251099, -0.008140796795487404, -1.4915012121200562],
        ],
        [0.1031673476099968, -0.2031671404838562, 0.3031674325466156],
    ),
    "rmsprop_momentum_centered": (
        [
            [0.3747304379940033, -0.11760596185922623, 0.8853632211685181],
            [1.9388149976730347, -0.12922702729701996, -1.3662875890731812],
        ],
        [0.16463764011859894, -0.2646327316761017, 0.3646392524242401],
    ),
    "adam": (
        [
            [0.49699705839157104, -0.2470383644104004, 0.9970158934593201],
            [1.997755527496338, -0.0029881238006055355, -1.4970550537109375],
        ],
        [0.10232017189264297, -0.2023201286792755, 0.3023202419281006],
    ),
    "adam_amsgrad": (
        [
            [0.34985387325286865, -0.1019180417060852, 0.8507966995239258],
            [1.8877745866775513, -0.14940617978572845, -1.3527557849884033],
        ],
        [0.21600839495658875, -0.316006064414978, 0.41601067781448364],
    ),
    "adam_clipnorm": (
        [
            [0.3516182601451874, -0.0997718870639801, 0.8565154671669006],
            [1.8855119943618774, -0.14972393214702606, -1.3498400449752808],
        ],
        [0.2130928635597229, -0.31308698654174805, 0.41309845447540283],
    ),
    "sgd_clipnorm": (
        [
            [0.435492604970932, -0.08202416449785233, 0.9742398858070374],
            [1.9936134815216064, -0.21949619054794312, -1.4095185995101929],
        ],
        [0.10499221086502075, -0.20249611139297485, 0.39984413981437683],
    ),
    "sgd_global_clipnorm": (
        [
            [0.3824709951877594, 0.062131769955158234, 0.954081118106842],
            [1.9898861646652222, -0.40396952629089355, -1.3310884237289429],
        ],
        [0.10649648308753967, -0.20324823260307312, 0.42992955446243286],
    ),
    "sgd_clipvalue": (
        [
            [0.34999996423721313, -0.10000000894069672, 0.8649999499320984],
            [1.9774999618530273, -0.15000000596046448, -1.3500001430511475],
        ],
        [0.11500000208616257, -0.20750001072883606, 0.3500000238418579],
    ),
}


@pytest.mark.parametrize("name", list(MAKERS))
def test_three_steps_equal_keras(name: str) -> None:
    optimizer = MAKERS[name]()
    kernel, bias = np.array(W0, np.float32), np.array(B0, np.float32)
    for step in range(3):
        optimizer.apply(grads(step), [kernel, bias])
    assert optimizer.iterations == 3
    assert kernel.dtype == np.float32 and bias.dtype == np.float32
    keras_kernel, keras_bias = KERAS[name]
    # Keras's torch backend fuses some operations: a few float32 ulps apart at most
    np.testing.assert_allclose(kernel, keras_kernel, rtol=5e-7, atol=2e-7)
    np.testing.assert_allclose(bias, keras_bias, rtol=5e-7, atol=2e-7)


@pytest.mark.parametrize(
    ("cls", "defaults"),
    [
        (SGD, {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}),
        (
            RMSprop,
            {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7},
        ),
        (
            Adam,
            {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
        ),
    ],
)
def test_keras_defaults(cls: type[Optimizer], defaults: dict[str, object]) -> None:
    config = cls().get_config()
    assert {key: config[key] for key in defaults} == defaults
    assert config["name"] == cls.__name__.lower()
    assert config["clipnorm"] is None and config["clipvalue"] is None


def test_updates_happen_in_place() -> None:
    weights = [np.ones((2, 2), np.float32), np.zeros(2, np.float32)]
    before = [id(w) for w in weights]
    Adam().apply([np.ones((2, 2)), np.ones(2)], weights)
    assert [id(w) for w in weights] == before
    assert weights[0][0, 0] < 1 and weights[1][0] < 0


def test_rmsprop_epsilon_inside_the_square_root() -> None:
    w = np.zeros(1, np.float64)
    RMSprop(learning_rate=1.0, epsilon=1.0).apply([np.ones(1)], [w])
    assert w[0] == pytest.approx(-1 / np.sqrt(0.1 + 1.0))


def test_adam_epsilon_outside_the_square_root() -> None:
    w = np.zeros(1, np.float64)
    Adam(learning_rate=1.0, epsilon=1.0).apply([np.ones(1)], [w])
    # m = 0.1, v = 0.001, alpha = sqrt(0.001) / 0.1
    assert w[0] == pytest.approx(-0.1 * (np.sqrt(0.001) / 0.1) / (np.sqrt(0.001) + 1.0))


def test_clipping_rules() -> None:
    g = [np.array([3.0, 4.0]), np.array([0.3, 0.4])]
    by_norm = SGD(clipnorm=1.0).clip_gradients(g)
    np.testing.assert_allclose(by_norm[0], [0.6, 0.8])
    np.testing.assert_allclose(by_norm[1], g[1])  # under the norm: unchanged
    global_norm = np.sqrt(25 + 0.25)
    by_global = SGD(global_clipnorm=1.0).clip_gradients(g)
    np.testing.assert_allclose(by_global[1], g[1] / global_norm)
    np.testing.assert_allclose(SGD(clipvalue=0.35).clip_gradients(g)[1], [0.3, 0.35])
    with pytest.raises(
        ValueError, match="Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"
    ):
        SGD(clipnorm=1.0, clipvalue=1.0)


def test_optimizer_is_bound_to_its_weights() -> None:
    optimizer = SGD()
    w = np.zeros(2)
    optimizer.apply([np.ones(2)], [w])
    with pytest.raises(ValueError, match="built for other variables"):
        optimizer.apply([np.ones(2)], [np.zeros(2)])
    with pytest.raises(ValueError, match="1 gradients for 2 variables"):
        SGD().apply([np.ones(2)], [np.zeros(2), np.zeros(2)])
    with pytest.raises(ValueError, match="does not match weight"):
        SGD().apply([np.ones(3)], [np.zeros(2)])


def test_apply_gradients_pairs() -> None:
    w = np.zeros(2)
    SGD(learning_rate=0.5).apply_gradients(zip([np.ones(2)], [w], strict=True))
    assert w.tolist() == [-0.5, -0.5]


@pytest.mark.parametrize(
    ("identifier", "cls"),
    [("sgd", SGD), ("SGD", SGD), ("rmsprop", RMSprop), ("RMSprop", RMSprop), ("adam", Adam)],
)
def test_get_by_name(identifier: str, cls: type[Optimizer]) -> None:
    optimizer = optimizers.get(identifier)
    assert type(optimizer) is cls
    assert optimizers.get(optimizer) is optimizer


@pytest.mark.parametrize("identifier", ["adamw", "Sgd", None, 0.1])
def test_unknown_optimizer(identifier: object) -> None:
    with pytest.raises(
        ValueError, match=f"^Could not interpret optimizer identifier: {identifier}$"
    ):
        optimizers.get(identifier)  # type: ignore[arg-type]

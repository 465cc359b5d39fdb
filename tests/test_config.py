"""The session's state (`rnn.config`) and the one function that starts it afresh."""

from __future__ import annotations

import numpy as np
import pytest

import rnn
from rnn import config, initializers
from rnn.layers import Dense


def test_reset_session_restarts_the_names() -> None:
    Dense(1), Dense(1)
    config.reset_session()
    assert Dense(1).name == "dense"


def test_reset_session_restores_float32() -> None:
    config.set_floatx("float64")
    config.reset_session()
    assert config.floatx() == "float32" and Dense(1).dtype == "float32"


def test_reset_session_replaces_the_generator() -> None:
    config.set_random_seed(0)
    seeded = config.global_rng()
    config.reset_session()
    assert config.global_rng() is not seeded


def test_reset_session_with_a_seed_is_set_random_seed() -> None:
    config.reset_session(seed=3)
    after_reset = initializers.glorot_uniform((4, 4))
    config.set_random_seed(3)
    np.testing.assert_array_equal(after_reset, initializers.glorot_uniform((4, 4)))


def test_clear_session_resets_only_the_names() -> None:
    config.set_floatx("float64")
    config.set_random_seed(0)
    seeded = config.global_rng()
    Dense(1)
    rnn.clear_session()
    assert Dense(1).name == "dense"
    assert config.floatx() == "float64" and config.global_rng() is seeded


def test_the_old_places_offer_the_same_functions() -> None:
    assert rnn.set_random_seed is config.set_random_seed is initializers.set_random_seed
    assert initializers.global_rng is config.global_rng
    assert rnn.clear_session is config.clear_session
    assert (rnn.floatx, rnn.set_floatx) == (config.floatx, config.set_floatx)


@pytest.mark.parametrize("value", ["float16", "bfloat16", "int32", "float", None, "f64"])
def test_set_floatx_refuses_in_keras_words(value: object) -> None:
    with pytest.raises(ValueError, match=r"^Unknown `floatx` value: .*\. Expected one of "):
        config.set_floatx(value)
    assert config.floatx() == "float32"


def test_set_floatx_takes_a_numpy_dtype_by_its_name() -> None:
    config.set_floatx(np.float64)
    assert config.floatx() == "float64"

"""rnn.testing.check_layer: every built-in layer keeps the layer contract, and a layer
that breaks any part of it is told which part, with what was expected and what came."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import rnn.layers
from rnn.layers import Dense, Layer
from rnn.testing import check_layer


def test_every_built_in_layer_keeps_the_contract(layer_case: dict[str, Any]) -> None:
    check_layer(**layer_case)


def test_every_layer_rnn_exports_is_in_the_one_list(layer_cases: list[dict[str, Any]]) -> None:
    """A new layer exported from rnn.layers fails here until tests/conftest.py lists it."""
    listed = {case["layer_cls"] for case in layer_cases}
    # a cell is checked inside the RNN that runs it (a list of cells: StackedRNNCells)
    for case in layer_cases:
        cells = case["init_kwargs"].get("cell", [])
        listed |= {type(c) for c in (cells if isinstance(cells, list) else [cells])}
        listed |= {rnn.layers.StackedRNNCells} if isinstance(cells, list) else set()
    exported = {
        value
        for value in vars(rnn.layers).values()
        if isinstance(value, type) and issubclass(value, Layer)
    }
    # the base classes, and the input placeholder, which computes nothing
    abstract = {Layer, rnn.layers.RNN, rnn.layers.InputLayer}
    # check_layer feeds one array; the merging layers take a list (tests/test_merging.py)
    merging = {rnn.layers.Add, rnn.layers.Concatenate}
    assert exported - abstract - merging - listed == set()


# -- what it catches: layers broken on purpose, each in one way ------------------------


class Doubled(Dense):
    """A correct Dense under another name: a layer of your own."""


class WrongShape(Dense):
    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (*tuple(input_shape)[:-1], self.units + 1)


class WrongCount(Dense):
    def count_params(self) -> int:
        return super().count_params() + 1


class ForgetsUnits(Dense):
    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["units"] = 1
        return config


class WrongGradient(Dense):
    def backward(self, grad_output: Any) -> Any:
        grad_x = super().backward(grad_output)
        self.grads[0][...] *= 1.01  # one weight's gradient 1 % too large
        return grad_x


class Always64(Dense):
    def forward(self, inputs: Any) -> Any:
        return np.asarray(super().forward(inputs), dtype=np.float64)


class Forgotten(Dense):
    """A layer of the package (by its module) that rnn/layers/__init__.py forgot."""


Forgotten.__module__ = "rnn.layers.forgotten"


def test_a_layer_of_the_package_not_exported_is_named() -> None:
    with pytest.raises(AssertionError, match=r"Forgotten is not exported from rnn\.layers"):
        check_layer(Forgotten, {"units": 2}, input_shape=(2, 3))


def test_your_own_layer_needs_no_export() -> None:
    """A user's layer is rebuilt inside a Sequential through ``custom_objects``."""
    check_layer(Doubled, {"units": 2}, input_shape=(2, 3))


@pytest.mark.parametrize(
    "cls, message",
    [
        (
            WrongShape,
            r"WrongShape \(float32\): the output's shape is \(2, 2\), but "
            r"compute_output_shape says \(2, 3\)",
        ),
        (WrongCount, r"count_params\(\) is 9, but the weights hold 8 numbers"),
        (
            ForgetsUnits,
            r"ForgetsUnits \(float32\): the layer rebuilt from its config does "
            r"not take its weights \(does get_config return every argument\?\)",
        ),
        (WrongGradient, r"WrongGradient: backward disagrees with central differences"),
        (
            Always64,
            r"Always64 \(float32\): outputs and weights must be float32, got "
            r"\['float64'\]",
        ),
    ],
)
def test_each_broken_part_is_caught(cls: type, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check_layer(cls, {"units": 2}, input_shape=(2, 3))


def test_expected_shape_and_count_are_checked() -> None:
    check_layer(
        Doubled,
        {"units": 2},
        input_shape=(2, 3),
        expected_output_shape=(2, 2),
        expected_num_params=8,
    )
    with pytest.raises(AssertionError, match=r"expected an output of shape \(2, 5\), got \(2, 2\)"):
        check_layer(Doubled, {"units": 2}, input_shape=(2, 3), expected_output_shape=(2, 5))
    with pytest.raises(AssertionError, match="expected 9 parameters, got 8"):
        check_layer(Doubled, {"units": 2}, input_shape=(2, 3), expected_num_params=9)

#!/usr/bin/env bash
# Regenerate tests/fixtures/keras/ from real Keras. See README.md beside this file.
#
#   bash tools/keras_fixtures/generate.sh            # all fixtures
#   bash tools/keras_fixtures/generate.sh lstm gru   # only these ids (index.json untouched)
#
# Needs network access to PyPI the first time (venvs + old Keras wheels); never at test time.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENVS="${KERAS_FIXTURES_VENVS:-/work/venvs}"
WHEELS="${KERAS_FIXTURES_WHEELS:-$VENVS/keras_wheels}"
PY311="${PY311:-python3.11}"

if [ ! -x "$VENVS/keras3/bin/python" ]; then
    "$PY311" -m venv "$VENVS/keras3"
    "$VENVS/keras3/bin/pip" install -q torch==2.13.0 keras numpy
fi
if [ ! -x "$VENVS/tfkeras/bin/python" ]; then
    "$PY311" -m venv "$VENVS/tfkeras"
    "$VENVS/tfkeras/bin/pip" install -q tensorflow-cpu tf_keras
fi
mkdir -p "$WHEELS"
for v in 2.6.0 2.7.0 2.12.0 2.13.1; do
    if ! ls "$WHEELS"/keras-"$v"-*.whl >/dev/null 2>&1; then
        "$VENVS/tfkeras/bin/pip" download -q --no-deps "keras==$v" -d "$WHEELS"
    fi
done

cd "$HERE"
# Step 1: Keras 3 (torch backend): layers, weights, forward pass, Keras 3 summaries.
env KERAS_BACKEND=torch "$VENVS/keras3/bin/python" gen_keras3.py "$@"
# Step 3 (here, as it needs only the Keras 3 venv): the numbers of the loss and optimizer
# tests, tests/fixtures/keras/training/*.json. Only when no ids are given.
if [ "$#" -eq 0 ]; then
    env KERAS_BACKEND=torch "$VENVS/keras3/bin/python" gen_training.py
    # Step 4: masks, states, cells, wrappers, errors and dropout semantics,
    # tests/fixtures/keras/sequences/*.json.
    env KERAS_BACKEND=torch "$VENVS/keras3/bin/python" gen_sequences.py
    # Step 5: issue 13's Keras API: the training API (losses, metrics, optimizers,
    # schedules), functional models (graphs, summaries, fits, errors), activation and
    # initializer names, regularizers and constraints, callbacks and weighted fits, and
    # .keras files written by Keras.
    env KERAS_BACKEND=torch "$VENVS/keras3/bin/python" gen_training_api.py
    env KERAS_BACKEND=torch "$VENVS/keras3/bin/python" gen_functional.py
    env KERAS_BACKEND=torch "$VENVS/keras3/bin/python" gen_names.py
    env KERAS_BACKEND=torch "$VENVS/keras3/bin/python" gen_keras_names.py
    env KERAS_BACKEND=torch "$VENVS/keras3/bin/python" gen_regularizers.py
    env KERAS_BACKEND=torch "$VENVS/keras3/bin/python" gen_callbacks.py
    env KERAS_BACKEND=torch "$VENVS/keras3/bin/python" gen_saving.py
    env KERAS_BACKEND=torch "$VENVS/keras3/bin/python" gen_configs.py
fi
# Step 2: tf_keras: tf_keras summary, Keras 2.12 / 2.6 summaries, forward cross-check.
env TF_CPP_MIN_LOG_LEVEL=3 "$VENVS/tfkeras/bin/python" gen_tf_keras.py --wheels "$WHEELS" "$@" \
    2> >(grep -v -e '^WARNING: All log messages before absl' >&2)

"""The names Keras 3's ``get`` functions resolve, per kind, for rnn's "a Keras name" errors.

Run with the Keras 3 venv::

    cd tools/keras_fixtures
    KERAS_BACKEND=torch /work/venvs/keras3/bin/python gen_keras_names.py

Writes ``tests/fixtures/keras/names/keras_names.json`` (``json.dumps(obj, indent=1)`` plus
a final newline, so regenerating gives the same bytes): ``"keras"`` (the version),
``"backend"``, and ``"names"``: for each of ``keras.optimizers``, ``losses``, ``metrics``,
``activations``, ``initializers``, ``regularizers`` and ``constraints``, the sorted keys of
the table its ``get`` looks a string up in (``ALL_OBJECTS_DICT``), each checked to resolve
with ``get``. ``keras.optimizers.get`` lowercases the name first: its table holds lowercase
names only.

``rnn._registry.KERAS_NAMES`` is the same lists as a Python literal (``rnn`` imports no
Keras); tests/test_names.py checks the two are equal. With ``--literal`` the script also
prints that literal, to paste into ``rnn/_registry.py`` after a Keras upgrade.
"""

import importlib
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common
import keras

OUT = common.OUT / "names"
MODULES = (
    "optimizers",
    "losses",
    "metrics",
    "activations",
    "initializers",
    "regularizers",
    "constraints",
)


def resolvable(module):
    """The names of the table of ``keras.<module>.get``, each checked to resolve."""
    table = importlib.import_module(f"keras.src.{module}").ALL_OBJECTS_DICT
    get = getattr(keras, module).get
    names = []
    for name in sorted(table):
        try:
            get(name)
        except Exception as error:  # a base class without defaults is still a name
            if "Could not interpret" in str(error):
                raise
        names.append(name)
    return names


def main():
    names = {module: resolvable(module) for module in MODULES}
    fixture = {"keras": keras.__version__, "backend": keras.backend.backend(), "names": names}
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "keras_names.json"
    path.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {path}")
    if "--literal" in sys.argv:
        print("KERAS_NAMES: dict[str, tuple[str, ...]] = {")
        for module, listed in names.items():
            print(f"    {module!r}: (")
            for name in listed:
                print(f"        {name!r},")
            print("    ),")
        print("}")


if __name__ == "__main__":
    main()

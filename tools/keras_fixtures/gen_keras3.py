"""Step 1: build every model in real Keras 3 (torch backend) and write the fixtures.

Run with the Keras 3 venv:  KERAS_BACKEND=torch /work/venvs/keras3/bin/python gen_keras3.py
(`generate.sh` does this). Writes tests/fixtures/keras/<id>.json + <id>.npz with the
Keras 3 parts filled in; step 2 (gen_tf_keras.py) adds the tf_keras / Keras 2 parts.

`--summaries` is the internal mode used to capture `model.summary()` exactly as
printed to a stdout that is a pipe (see common.clean_env).
"""

import os
import subprocess
import sys
import warnings
import zlib

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common
import keras
from models import MODELS

CONFIG_KEYS = {
    "Dense": ["units", "activation", "use_bias"],
    "Embedding": ["input_dim", "output_dim", "mask_zero"],
    "SimpleRNN": [
        "units",
        "activation",
        "use_bias",
        "return_sequences",
        "return_state",
        "go_backwards",
    ],
}
CONFIG_KEYS["LSTM"] = CONFIG_KEYS["SimpleRNN"] + ["recurrent_activation", "unit_forget_bias"]
CONFIG_KEYS["GRU"] = CONFIG_KEYS["SimpleRNN"] + ["recurrent_activation", "reset_after"]


def namespace():
    return {
        "Sequential": keras.Sequential,
        "Input": keras.Input,
        **{
            n: getattr(keras.layers, n)
            for n in common.LAYER_NAMES
            if n not in ("Sequential", "Input")
        },
    }


def build(spec):
    """clear_session, then evaluate the model code; returns (model, warnings)."""
    keras.utils.clear_session()
    keras.utils.set_random_seed(zlib.crc32(spec["id"].encode()) % (2**31))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = eval(spec["code"], {"__builtins__": {}}, namespace())
    msgs = [f"{w.category.__name__}: {w.message}" for w in caught]
    return model, msgs


def filtered_config(class_name, cfg):
    return {k: cfg[k] for k in CONFIG_KEYS[class_name]}


def layer_config(layer):
    cls = layer.__class__.__name__
    cfg = layer.get_config()
    if cls == "Bidirectional":
        inner = cfg["layer"]
        return {
            "layer": {
                "class": inner["class_name"],
                "config": filtered_config(inner["class_name"], inner["config"]),
            },
            "merge_mode": cfg["merge_mode"],
        }
    return filtered_config(cls, cfg)


def shape_list(shape):
    return [None if d is None else int(d) for d in shape]


def layer_info(layer, built):
    out_shape = None
    if built:
        out_shape = shape_list(layer.output.shape)
    names = []
    for w in layer.weights:  # path is e.g. "sequential/simple_rnn/simple_rnn_cell/kernel"
        parts = w.path.split("/")
        names.append("/".join(parts[parts.index(layer.name) + 1 :]))
    return {
        "class": layer.__class__.__name__,
        "name": layer.name,
        "config": layer_config(layer),
        "output_shape": out_shape,
        "params": int(layer.count_params()) if layer.built else None,
        "weight_names": names,
        "weight_shapes": [list(map(int, w.shape)) for w in layer.weights],
    }


def make_x(spec):
    kind = spec["x"][0]
    rng = np.random.default_rng(zlib.crc32(("x:" + spec["id"]).encode()))
    if kind == "float":
        return rng.standard_normal(spec["x"][1]).astype(np.float32)
    shape, vocab = spec["x"][1], spec["x"][2]
    return rng.integers(0, vocab, size=shape).astype(np.int32)


def perturb_weights(model, spec):
    """Keras's seeded initial weights + N(0, 0.1) noise, so no bias is all zeros."""
    rng = np.random.default_rng(zlib.crc32(("w:" + spec["id"]).encode()))
    new = [(w + rng.normal(0.0, 0.1, size=w.shape)).astype(np.float32) for w in model.get_weights()]
    model.set_weights(new)
    return [np.asarray(w, dtype=np.float32) for w in model.get_weights()]


# Two captures, both with stdout a pipe (never a terminal):
#  * "pipe": no COLUMNS in the environment, as in a piped script / CI log / notebook
#    kernel: shutil.get_terminal_size() falls back to 80 columns, so Keras 3 uses
#    min(88, 80 - 4) = 76, and rich's console is 80 wide.
#  * "wide": COLUMNS=100, i.e. what a terminal at least 92 columns wide shows (minus
#    the ANSI colours): min(88, 100 - 4) = 88 and a console wide enough for it.
CAPTURES = {
    "pipe": ({}, (("keras3", {}), ("keras3_88_piped", {"line_length": 88}))),
    "wide": ({"COLUMNS": "100"}, (("keras3_88", {"line_length": 88}), ("keras3_wide", {}))),
}


def summaries_mode(mode, ids):
    """Print summaries of the given models to stdout (a pipe), SENTINEL-separated."""
    for spec in MODELS:
        if spec["id"] not in ids:
            continue
        model, _ = build(spec)
        for key, kwargs in CAPTURES[mode][1]:
            sys.stdout.write(f"{common.SENTINEL}{spec['id']}:{key}\n")
            sys.stdout.flush()
            model.summary(**kwargs)
            sys.stdout.flush()


def capture_summaries(ids):
    out = {}
    for mode, (env, _) in CAPTURES.items():
        proc = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--summaries", mode, *ids],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            env=common.clean_env(KERAS_BACKEND="torch", **env),
            check=False,
        )
        if proc.returncode:
            sys.stderr.write(proc.stderr.decode())
            raise SystemExit("summary subprocess failed")
        out.update(common.split_captured(proc.stdout.decode("utf-8")))
    return out


def versions():
    import torch

    return {
        "keras3": keras.__version__,
        "keras3_backend": keras.backend.backend(),
        "torch": torch.__version__,
    }


def main(only=None):
    assert keras.backend.backend() == "torch", keras.backend.backend()
    common.OUT.mkdir(parents=True, exist_ok=True)
    specs = [s for s in MODELS if not only or s["id"] in only]
    captured = capture_summaries([s["id"] for s in specs])
    notes = []
    for spec in specs:
        fid = spec["id"]
        model, warns = build(spec)
        built = bool(model.built)
        # Cross-check: summary(print_fn=...) must give the same text as the pipe.
        got = []
        model.summary(print_fn=got.append)
        if "".join(got) != captured[f"{fid}:keras3"]:
            notes.append(f"{fid}: print_fn capture differs from piped stdout")
        if captured[f"{fid}:keras3_wide"] != captured[f"{fid}:keras3_88"]:
            notes.append(f"{fid}: summary() in a 100-column terminal != line_length=88")
        fx = {
            "id": fid,
            "description": spec["description"],
            "code": spec["code"],
            "keras": versions(),
            "keras3_warnings": warns,
            "model_name": model.name,
            "input_shape": shape_list(model.input_shape[1:]) if built else None,
            "dtype": model.dtype_policy.variable_dtype
            if hasattr(model, "dtype_policy")
            else "float32",
            "input_dtype": None,
            "built": built,
            "layers": [layer_info(layer, built) for layer in model.layers],
            "total_params": int(model.count_params()) if built else 0,
            "trainable_params": int(sum(int(np.prod(w.shape)) for w in model.trainable_weights)),
            "non_trainable_params": int(
                sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
            ),
            "summary": {
                "keras3": captured[f"{fid}:keras3"],
                "keras3_88": captured[f"{fid}:keras3_88"],
                "keras3_88_piped": captured[f"{fid}:keras3_88_piped"],
            },
            "forward": None,
        }
        npz = common.OUT / f"{fid}.npz"
        if spec["x"] is not None:
            assert built
            weights = perturb_weights(model, spec)
            x = make_x(spec)
            y = np.asarray(model.predict(x, verbose=0), dtype=np.float32)
            y2 = keras.ops.convert_to_numpy(model(x))
            assert np.allclose(y, y2, atol=1e-6), fid
            arrays = {f"weights_{i}": w for i, w in enumerate(weights)}
            arrays["x"] = x
            arrays["y"] = y
            common.save_npz(npz, arrays)
            fx["input_dtype"] = str(x.dtype)
            fx["forward"] = {
                "npz": npz.name,
                "batch": int(x.shape[0]),
                "max_abs_output": float(np.abs(y).max()),
            }
        elif npz.exists():
            npz.unlink()
        common.write_json(common.OUT / f"{fid}.json", fx)
        print(f"keras3: {fid}: {fx['total_params']} params, built={built}", flush=True)
    for n in notes:
        print("NOTE:", n)
    if not only:
        index = {
            "keras": versions(),
            "fixtures": [{"id": s["id"], "description": s["description"]} for s in MODELS],
        }
        common.write_json(common.OUT / "index.json", index)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--summaries":
        summaries_mode(sys.argv[2], set(sys.argv[3:]))
    else:
        main(set(sys.argv[1:]))

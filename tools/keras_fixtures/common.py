"""Helpers shared by the Keras 3 and the tf_keras generator steps (stdlib + NumPy only)."""

import io
import json
import os
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
OUT = Path(os.environ.get("KERAS_FIXTURES_OUT", REPO / "tests" / "fixtures" / "keras"))

# Names in scope when a model's ``code`` is evaluated.
LAYER_NAMES = (
    "Sequential",
    "Input",
    "SimpleRNN",
    "Dense",
    "Embedding",
    "LSTM",
    "GRU",
    "Bidirectional",
)

# Canonical key order of a fixture JSON (keys not listed go last, sorted).
TOP_KEYS = [
    "id",
    "description",
    "code",
    "keras",
    "keras3_warnings",
    "model_name",
    "input_shape",
    "dtype",
    "input_dtype",
    "built",
    "layers",
    "total_params",
    "trainable_params",
    "non_trainable_params",
    "summary",
    "summary_errors",
    "forward",
    "tf_keras_model",
]
LAYER_KEYS = ["class", "name", "config", "output_shape", "params", "weight_names", "weight_shapes"]
SUMMARY_KEYS = ["keras3", "keras3_88", "keras3_88_piped", "tf_keras", "keras2", "classic"]
FORWARD_KEYS = ["npz", "batch", "max_abs_output", "tf_keras_max_abs_diff"]
VERSION_KEYS = ["keras3", "keras3_backend", "torch", "tf_keras", "tensorflow", "keras2", "classic"]

# Seconds-free, deterministic zip entries so that regenerating gives identical bytes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

SENTINEL = "\x1e@@FIXTURE@@"  # separates summaries in a captured stdout stream


def _ordered(d, keys):
    out = {k: d[k] for k in keys if k in d}
    for k in sorted(d):
        if k not in out:
            out[k] = d[k]
    return out


def canonical(fx):
    fx = _ordered(fx, TOP_KEYS)
    fx["keras"] = _ordered(fx["keras"], VERSION_KEYS)
    fx["layers"] = [_ordered(layer, LAYER_KEYS) for layer in fx["layers"]]
    fx["summary"] = _ordered(fx["summary"], SUMMARY_KEYS)
    if "summary_errors" in fx:
        fx["summary_errors"] = _ordered(fx["summary_errors"], SUMMARY_KEYS)
    if fx.get("forward"):
        fx["forward"] = _ordered(fx["forward"], FORWARD_KEYS)
    return fx


def dumps(fx):
    return json.dumps(canonical(fx), indent=1, ensure_ascii=False) + "\n"


def write_json(path, obj):
    Path(path).write_text(
        dumps(obj) if "id" in obj else json.dumps(obj, indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )


def read_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def save_npz(path, arrays):
    """Like np.savez_compressed, but byte-for-byte reproducible (fixed zip timestamps)."""
    import numpy as np

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, arr in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            data = io.BytesIO()
            np.lib.format.write_array(data, np.ascontiguousarray(arr), allow_pickle=False)
            zf.writestr(info, data.getvalue(), compresslevel=9)
    Path(path).write_bytes(buf.getvalue())


def clean_env(**extra):
    """Environment for the summary subprocesses: stdout is a pipe and nothing hints
    at a terminal size, so Keras sees exactly what a piped script / CI log sees."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "COLUMNS",
            "LINES",
            "FORCE_COLOR",
            "NO_COLOR",
            "TERM",
            "JUPYTER_COLUMNS",
            "JUPYTER_LINES",
            "TTY_COMPATIBLE",
            "TTY_INTERACTIVE",
        )
    }
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


def split_captured(text):
    """Split a captured stdout made of SENTINEL-headed chunks into {key: text}."""
    out = {}
    chunks = text.split(SENTINEL)
    assert chunks[0] == "", repr(chunks[0][:200])
    for chunk in chunks[1:]:
        key, _, body = chunk.partition("\n")
        out[key] = body
    return out


def graph_calls(config):
    """A functional model's calls as its ``get_config()`` records them: what each reads.

    For each layer (and operation): its name, class and calls, each call as the
    ``keras_history`` of the tensors among its positional arguments and the names of the
    keyword arguments that hold tensors. Used alike on Keras's configs (by
    gen_functional.py) and on rnn's (by tests/test_functional_api.py).
    """

    def refs(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            return [list(value["config"]["keras_history"])]
        if isinstance(value, dict):
            return [r for v in value.values() for r in refs(v)]
        if isinstance(value, (list, tuple)):
            return [r for v in value for r in refs(v)]
        return []

    return {
        "layers": [
            {
                "name": item["name"],
                "class_name": item["class_name"],
                "calls": [
                    {
                        "args": refs(node["args"]),
                        "kwargs": sorted(k for k, v in node["kwargs"].items() if refs(v)),
                    }
                    for node in item["inbound_nodes"]
                ],
            }
            for item in config["layers"]
        ],
        "input_layers": config["input_layers"],
        "output_layers": config["output_layers"],
    }

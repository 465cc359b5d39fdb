"""Step 2: add the tf_keras and old-Keras summary styles to the fixtures of step 1.

Run with the tf_keras venv (generate.sh does this):
    /work/venvs/tfkeras/bin/python gen_tf_keras.py --wheels DIR [ids...]
DIR holds the pure-Python wheels keras-2.6.0, keras-2.7.0, keras-2.12.0 and
keras-2.13.1 (`pip download --no-deps keras==X -d DIR`).

Styles added to each fixture's "summary":
  tf_keras  stdout of `model.summary()` of tf_keras, stdout a pipe (subprocess);
  keras2    Keras 2.12.0's own Model.summary/print_summary run on the tf_keras model;
  classic   Keras 2.6.0's own Model.summary/print_summary run on the tf_keras model.
Also checked (not stored, printed as VERIFY lines): Keras 2.7.0 gives the same text
as 2.12.0, and Keras 2.13.1 the same as tf_keras.
"""

import argparse
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common
import legacy_summary
import tensorflow as tf
import tf_keras
from models import MODELS

LEGACY = {"classic": "2.6.0", "keras2_7": "2.7.0", "keras2": "2.12.0", "tf_keras_2_13": "2.13.1"}


def namespace():
    ns = {"Sequential": tf_keras.Sequential, "Input": tf_keras.Input}
    for n in common.LAYER_NAMES:
        if n not in ns:
            ns[n] = getattr(tf_keras.layers, n)
    return ns


def build(spec):
    tf_keras.backend.clear_session()
    return eval(spec["code"], {"__builtins__": {}}, namespace())


def err_text(exc):
    return f"{type(exc).__name__}: {exc}"


def summaries_mode(ids):
    for spec in MODELS:
        if spec["id"] not in ids:
            continue
        model = build(spec)
        try:
            sys.stdout.flush()
            sys.stdout.write(f"{common.SENTINEL}{spec['id']}:tf_keras\n")
            sys.stdout.flush()
            model.summary()
        except Exception as exc:
            sys.stdout.write(f"{common.SENTINEL}{spec['id']}:tf_keras_error\n{err_text(exc)}")
        sys.stdout.flush()


def capture_summaries(ids):
    proc = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--summaries", *ids],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        env=common.clean_env(),
        check=False,
    )
    if proc.returncode:
        sys.stderr.write(proc.stderr.decode())
        raise SystemExit("summary subprocess failed")
    return common.split_captured(proc.stdout.decode("utf-8"))


def shape_list(shape):
    return None if shape is None else [None if d is None else int(d) for d in shape]


def output_shape(layer):
    try:
        s = layer.output_shape
    except (AttributeError, RuntimeError):
        return None
    return shape_list(s)


def tf_model_info(model):
    built = bool(model.built)
    return {
        "built": built,
        "model_name": model.name,
        "input_shape": shape_list(model.input_shape[1:]) if built else None,
        "layers": [
            {
                "class": layer.__class__.__name__,
                "name": layer.name,
                "output_shape": output_shape(layer) if built else None,
                "params": int(layer.count_params()) if layer.built else None,
            }
            for layer in model.layers
        ],
        "total_params": int(model.count_params()) if built else None,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wheels", required=True)
    ap.add_argument("ids", nargs="*")
    args = ap.parse_args()
    wheels = {}
    for style, ver in LEGACY.items():
        cands = sorted(
            p
            for p in os.listdir(args.wheels)
            if p.startswith(f"keras-{ver}-") and p.endswith(".whl")
        )
        if not cands:
            raise SystemExit(f"missing wheel keras=={ver} in {args.wheels}")
        wheels[style] = legacy_summary.load(os.path.join(args.wheels, cands[0]))[1]

    specs = [s for s in MODELS if not args.ids or s["id"] in args.ids]
    captured = capture_summaries([s["id"] for s in specs])
    verify = []
    for spec in specs:
        fid = spec["id"]
        path = common.OUT / f"{fid}.json"
        fx = common.read_json(path)
        assert fx["code"] == spec["code"], f"{fid}: run gen_keras3.py first"
        fx["keras"].update(
            {
                "tf_keras": tf_keras.__version__,
                "tensorflow": tf.__version__,
                "keras2": LEGACY["keras2"],
                "classic": LEGACY["classic"],
            }
        )
        model = build(spec)
        errors = {}
        summary = {k: v for k, v in fx["summary"].items() if k.startswith("keras3")}
        if f"{fid}:tf_keras" in captured and f"{fid}:tf_keras_error" not in captured:
            summary["tf_keras"] = captured[f"{fid}:tf_keras"]
        else:
            errors["tf_keras"] = captured[f"{fid}:tf_keras_error"]
        legacy = {}
        for style, fn in wheels.items():
            try:
                legacy[style] = legacy_summary.summary_text(fn, model)
            except Exception as exc:
                legacy[style] = exc
        for style in ("keras2", "classic"):
            if isinstance(legacy[style], Exception):
                errors[style] = err_text(legacy[style])
            else:
                summary[style] = legacy[style]

        # Verifications: 2.7 == 2.12 and 2.13.1 == tf_keras (errors compared by text).
        def as_text(v):
            return err_text(v) if isinstance(v, Exception) else v

        if as_text(legacy["keras2_7"]) != as_text(legacy["keras2"]):
            verify.append(f"{fid}: keras 2.7.0 differs from 2.12.0")
        tfk = summary.get("tf_keras", errors.get("tf_keras"))
        l213 = as_text(legacy["tf_keras_2_13"])
        if l213 != tfk:
            verify.append(
                f"{fid}: keras 2.13.1 differs from tf_keras {tf_keras.__version__}:"
                f"\n{l213}\n---\n{tfk}"
            )
        fx["summary"] = summary
        if errors:
            fx["summary_errors"] = errors
        else:
            fx.pop("summary_errors", None)

        info = tf_model_info(model)
        fx["tf_keras_model"] = info
        if fx["forward"]:
            data = np.load(common.OUT / fx["forward"]["npz"])
            n = len([k for k in data.files if k.startswith("weights_")])
            model.set_weights([data[f"weights_{i}"] for i in range(n)])
            y = np.asarray(model.predict(data["x"], verbose=0), dtype=np.float32)
            diff = float(np.abs(y - data["y"]).max())
            fx["forward"]["tf_keras_max_abs_diff"] = diff
            if diff > 1e-5:
                verify.append(f"{fid}: tf_keras output differs from Keras 3 by {diff}")
        # Differences in names / shapes / counts between Keras 3 and tf_keras.
        k3 = [(la["class"], la["name"], la["output_shape"], la["params"]) for la in fx["layers"]]
        tk = [(la["class"], la["name"], la["output_shape"], la["params"]) for la in info["layers"]]
        if k3 != tk or fx["model_name"] != info["model_name"]:
            verify.append(f"{fid}: tf_keras layers differ: {tk} vs Keras 3 {k3}")
        common.write_json(path, fx)
        print(f"tf_keras: {fid}: styles={sorted(summary)} errors={sorted(errors)}", flush=True)
    for v in verify:
        print("VERIFY:", v)
    if not args.ids:
        index_path = common.OUT / "index.json"
        index = common.read_json(index_path)
        index["keras"].update(
            {
                "tf_keras": tf_keras.__version__,
                "tensorflow": tf.__version__,
                "keras2": LEGACY["keras2"],
                "classic": LEGACY["classic"],
            }
        )
        common.write_json(index_path, index)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--summaries":
        summaries_mode(set(sys.argv[2:]))
    else:
        main()

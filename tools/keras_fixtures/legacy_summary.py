"""Run an old Keras release's own summary code on a tf_keras model.

Old standalone Keras wheels (keras==2.6.0, 2.7.0, 2.12.0, 2.13.1) are pure Python.
We read `keras/utils/layer_utils.py` (or `keras/src/utils/...` from 2.13 on) and
`Model.summary` from `keras/engine/training.py` straight out of the wheel (a
zip file, never unpacked into the repo), drop their imports of other Keras
modules, bind those names to the tf_keras equivalents, and exec the code.
Nothing of those releases is copied into this repository: the wheels are
downloaded into a cache directory at generation time (see generate.sh).
"""

import ast
import types
import zipfile
from pathlib import Path

# Imports kept as they are (stdlib, numpy, tensorflow); every other import in the
# old module is dropped and its name bound by `_bindings()` below.
_KEEP = {
    "copy",
    "functools",
    "re",
    "weakref",
    "numpy",
    "tensorflow.compat.v2",
    "math",
    "itertools",
    "collections",
    "sys",
    "os",
}


def _noop_decorator(*_args, **_kwargs):
    return lambda f: f


def _bindings():
    import tf_keras
    from tf_keras.src import backend
    from tf_keras.src.utils import io_utils

    try:
        from tf_keras.src.dtensor import dtensor_api as dtensor
    except ImportError:  # pragma: no cover
        dtensor = None
    return {
        "keras_export": _noop_decorator,
        "initializers": tf_keras.initializers,
        "io_utils": io_utils,
        "backend": backend,
        "dtensor": dtensor,
    }


def _src_path(names, candidates):
    for c in candidates:
        if c in names:
            return c
    raise KeyError(f"none of {candidates} in wheel")


def load(wheel):
    """Return (print_summary, summary) as defined by the given Keras wheel."""
    wheel = Path(wheel)
    zf = zipfile.ZipFile(wheel)
    names = set(zf.namelist())
    lu_path = _src_path(names, ["keras/utils/layer_utils.py", "keras/src/utils/layer_utils.py"])
    tr_path = _src_path(names, ["keras/engine/training.py", "keras/src/engine/training.py"])

    tree = ast.parse(zf.read(lu_path).decode("utf-8"))
    body = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            if all(a.name in _KEEP for a in node.names):
                body.append(node)
        elif isinstance(node, ast.ImportFrom):
            if node.module in _KEEP and node.level == 0:
                body.append(node)
        else:
            body.append(node)
    ns = {"__name__": f"legacy_{wheel.stem}_layer_utils", **_bindings()}
    exec(compile(ast.Module(body=body, type_ignores=[]), f"{wheel.name}:{lu_path}", "exec"), ns)

    # Model.summary: just that method, bound to the module namespace above.
    tr_tree = ast.parse(zf.read(tr_path).decode("utf-8"))
    method = None
    for node in tr_tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Model":
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "summary":
                    method = item
    assert method is not None, "Model.summary not found"
    method.decorator_list = []
    mod = ast.Module(body=[method], type_ignores=[])
    sns = {"layer_utils": types.SimpleNamespace(**ns)}
    exec(compile(mod, f"{wheel.name}:{tr_path}", "exec"), sns)
    return ns["print_summary"], sns["summary"]


def summary_text(summary_fn, model, **kwargs):
    """Lines passed to print_fn, each followed by "\\n" (exactly what `print` writes)."""
    lines = []
    summary_fn(model, print_fn=lambda line, *a, **k: lines.append(line), **kwargs)
    return "".join(line + "\n" for line in lines)

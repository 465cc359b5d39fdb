"""Step 4: Keras 3's numbers for the sequence features (masks, states, cells, wrappers).

Run with the Keras 3 venv:  KERAS_BACKEND=torch /work/venvs/keras3/bin/python gen_sequences.py
(`generate.sh` does this). Writes tests/fixtures/keras/sequences/*.json, one file per
group: masking, masking_models, state, cells, errors, dropout. The format is described
in tests/fixtures/keras/sequences/README.md. Nothing here is needed at test time.

Everything runs in float32 (Keras's default floatx, as in the other generators). Every
case starts with ``clear_session()`` and a seed derived from its id, so auto-names
start at zero and regenerating gives identical files.

`--summaries MODE ids...` is the internal mode that prints ``model.summary()`` to a
stdout that is a pipe (see common.clean_env), as gen_keras3.py does.
"""

import json
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
import keras.src.backend as kbackend
import torch

OUT = common.OUT / "sequences"
B, T, F = 3, 5, 3

NAMES = (
    "SimpleRNN",
    "LSTM",
    "GRU",
    "Bidirectional",
    "Embedding",
    "Dense",
    "RNN",
    "SimpleRNNCell",
    "LSTMCell",
    "GRUCell",
    "TimeDistributed",
    "Dropout",
    "Masking",
)

MASKS = {
    # lengths 5, 3, 1 with the padding at the end
    "post": [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]],
    # the same lengths with the padding in front
    "pre": [[1, 1, 1, 1, 1], [0, 0, 1, 1, 1], [0, 0, 0, 0, 1]],
    # row 1 fully masked; rows 0 and 2 have holes in the middle and at the end
    "fully_masked_row": [[1, 1, 0, 1, 0], [0, 0, 0, 0, 0], [1, 0, 1, 1, 0]],
}

# kind: (code of the layer without its flags, number of states)
KINDS = {
    "simple_rnn": ("SimpleRNN(3{})", 1),
    "lstm": ("LSTM(2{})", 2),
    "gru": ("GRU(2{})", 1),
    "gru_reset_before": ("GRU(2, reset_after=False{})", 1),
}


# ---------------------------------------------------------------- helpers


def namespace(**extra):
    names = {n: getattr(keras.layers, n) for n in NAMES}
    names.update(Sequential=keras.Sequential, Input=keras.Input, **extra)
    return names


def seed_of(key):
    return zlib.crc32(key.encode()) % (2**31)


def rng(key):
    return np.random.default_rng(seed_of(key))


def short(a):
    """Round to 3 decimals before Keras sees the values: the float32 Keras used is then
    written as a short decimal (np.float32 of it is exact), which keeps the files small."""
    return np.round(np.asarray(a, np.float64), 3).astype(np.float32)


def normal(key, shape):
    return short(rng(key).standard_normal(shape))


def fresh(key):
    """clear_session + a seed derived from the case id (auto-names start at zero)."""
    keras.utils.clear_session()
    keras.utils.set_random_seed(seed_of(key))


def make(code, **extra):
    return eval(code, {"__builtins__": {}}, namespace(**extra))  # our own source strings


def f32(array):
    """Float32 values as the shortest decimals that round back to the same float32."""
    a = np.asarray(array, dtype=np.float32)
    if a.ndim == 0:
        return float(str(np.float32(a)))
    return [f32(v) for v in a]


def npy(t):
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy()
    return keras.ops.convert_to_numpy(t)


def mask_list(m):
    return None if m is None else np.asarray(npy(m)).astype(int).tolist()


def slim_config(cfg):
    """get_config() without what cannot change the numbers of a case whose weights are
    given: initializers, regularizers, constraints, the dtype policy, build_config and
    serialization bookkeeping (module, registered_name). Nested layers/cells keep
    their class_name and config."""
    if isinstance(cfg, dict):
        out = {}
        for k, v in cfg.items():
            if k.endswith(("_initializer", "_regularizer", "_constraint")) or k in (
                "dtype",
                "build_config",
                "module",
                "registered_name",
            ):
                continue
            out[k] = slim_config(v)
        return out
    if isinstance(cfg, (list, tuple)):
        return [slim_config(v) for v in cfg]
    return cfg


def layer_record(layer):
    return {
        "class": layer.__class__.__name__,
        "config": slim_config(layer.get_config()),
        "weight_names": [w.path for w in layer.weights],
        "weight_shapes": [list(map(int, w.shape)) for w in layer.weights],
    }


def perturb(layer_or_model, key):
    """Keras's seeded initial weights + N(0, 0.1) noise (as gen_keras3.py), so that no
    bias is all zeros."""
    r = rng("w:" + key)
    new = [short(w + r.normal(0.0, 0.1, size=w.shape)) for w in layer_or_model.get_weights()]
    layer_or_model.set_weights(new)
    return [np.asarray(w, np.float32) for w in layer_or_model.get_weights()]


def flatten(out):
    return keras.tree.flatten(out)


def structure(out):
    """The nesting of what the layer returned, with each tensor replaced by its index."""
    counter = iter(range(10**6))
    return (
        keras.tree.map_structure(lambda _: next(counter), out) if keras.tree.is_nested(out) else 0
    )


def to_json_structure(s):
    if isinstance(s, (list, tuple)):
        return [to_json_structure(v) for v in s]
    return s


def forward(layer, x, *, mask=None, initial_state=None, key, grads=True, training=None):
    """Call the layer (eagerly, torch tensors), record every returned tensor and, when
    grads, the torch-autograd gradients of L = sum_i sum(outputs[i] * G[i])."""
    xt = torch.tensor(x, requires_grad=grads and x.dtype == np.float32)
    states = None
    kwargs = {}
    if mask is not None:
        kwargs["mask"] = torch.tensor(np.asarray(mask, bool))
    if initial_state is not None:
        states = [torch.tensor(s, requires_grad=grads) for s in initial_state]
        kwargs["initial_state"] = states
    if training is not None:
        kwargs["training"] = training
    out = layer(xt, **kwargs)
    flat = flatten(out)
    rec = {
        "structure": to_json_structure(structure(out)),
        "outputs": [f32(npy(o)) for o in flat],
    }
    if grads:
        r = rng("G:" + key)
        G = [short(r.standard_normal(tuple(o.shape))) for o in flat]
        loss = sum((o * torch.tensor(g)).sum() for o, g in zip(flat, G, strict=True))
        params = [w.value for w in layer.weights]
        wrt = params + ([xt] if xt.requires_grad else []) + (states or [])
        got = torch.autograd.grad(loss, wrt, allow_unused=True)
        got = [
            np.zeros(tuple(v.shape), np.float32) if g is None else npy(g)
            for g, v in zip(got, wrt, strict=True)
        ]
        rec["G"] = [f32(g) for g in G]
        rec["grads"] = {"weights": [f32(g) for g in got[: len(params)]]}
        rest = got[len(params) :]
        if xt.requires_grad:
            rec["grads"]["x"] = f32(rest[0])
            rest = rest[1:]
        if states:
            rec["grads"]["initial_state"] = [f32(g) for g in rest]
    return out, rec


def error_of(exc):
    """The exception's class and str(); Keras wraps errors raised inside call() in a
    report whose own message is between ANSI bold codes: that part is "core"."""
    message = str(exc)
    core = (
        message.split("\x1b[1m", 1)[1].split("\x1b[0m", 1)[0] if "\x1b[1m" in message else message
    )
    return {"class": type(exc).__name__, "message": message, "core": core}


# ---------------------------------------------------------------- masked-step checks


def check_masked_outputs(seq, last, states, mask, go_backwards, initial_states):
    """What Keras did at masked steps, checked on the recorded numbers.

    seq: (B, T, U) outputs in Keras's order (processing order: reversed time when
    go_backwards) or None; last: (B, U) output of the last processed step;
    states: final states; mask: (B, T) 0/1 in input time order."""
    m = np.asarray(mask, bool)
    order = m[:, ::-1] if go_backwards else m
    out = {}
    if seq is not None:
        repeat, zero_lead = None, None
        for b in range(m.shape[0]):
            for j in range(m.shape[1]):
                if order[b, j]:
                    continue
                prev = seq[b, j - 1] if j else np.zeros_like(seq[b, 0])
                repeat = (repeat is not False) and bool(np.array_equal(seq[b, j], prev))
                if not order[b, : j + 1].any():
                    zero_lead = (zero_lead is not False) and bool(np.all(seq[b, j] == 0))
        out["masked_step_output_repeats_previous_output"] = repeat
        out["leading_masked_outputs_are_zero"] = zero_lead
        out["last_output_equals_last_sequence_step"] = bool(np.array_equal(seq[:, -1], last))
    full = ~m.any(axis=1)
    if full.any():
        out["fully_masked_rows_output_zero"] = bool(np.all(last[full] == 0))
        out["fully_masked_rows_keep_initial_state"] = bool(
            all(
                np.array_equal(s[full], s0[full])
                for s, s0 in zip(states, initial_states, strict=True)
            )
        )
    return out


# ---------------------------------------------------------------- group 1: masking


def flags(rs, rst, gb):
    parts = []
    if rs:
        parts.append("return_sequences=True")
    if rst:
        parts.append("return_state=True")
    if gb:
        parts.append("go_backwards=True")
    return "".join(", " + p for p in parts)


def rnn_case(cid, code, x, *, mask=None, initial_state=None, grads=True, call=None, wkey=None):
    fresh(cid)
    layer = make(code)
    layer(x)  # build
    weights = perturb(layer, wkey or cid)
    out, rec = forward(layer, x, mask=mask, initial_state=initial_state, key=cid, grads=grads)
    case = {
        "id": cid,
        "code": code,
        "call": call
        or "layer(x"
        + (", mask=mask" if mask is not None else "")
        + (", initial_state=initial_state" if initial_state is not None else "")
        + ")",
        **layer_record(layer),
        "x": f32(x),
        "mask": mask,
        "initial_state": None if initial_state is None else [f32(s) for s in initial_state],
        "weights": [f32(w) for w in weights],
        **rec,
    }
    return layer, out, case


def masking_group():
    x = normal("x:masking", (B, T, F))
    cases = []
    for kind, (template, _) in KINDS.items():
        for mname, mask in MASKS.items():
            for rs in (False, True):
                for rst in (False, True):
                    for gb in (False, True):
                        code = template.format(flags(rs, rst, gb))
                        cid = f"{kind}-{mname}-rs{int(rs)}-st{int(rst)}-gb{int(gb)}"
                        _, out, case = rnn_case(cid, code, x, mask=mask, wkey=kind)
                        flat = [npy(o) for o in flatten(out)]
                        seq = flat[0] if rs else None
                        last = flat[0][:, -1] if rs else flat[0]
                        states = flat[1:] if rst else []
                        zeros = [np.zeros_like(s) for s in states]
                        case["checks"] = check_masked_outputs(seq, last, states, mask, gb, zeros)
                        case["mask_name"] = mname
                        cases.append(case)
    # initial_state with a pre-padded mask
    for kind, (template, nstates) in KINDS.items():
        units = 3 if kind == "simple_rnn" else 2
        for gb in (False, True):
            code = template.format(flags(True, True, gb))
            cid = f"{kind}-pre-initial_state-gb{int(gb)}"
            r = rng("s:" + cid)
            init = [short(r.standard_normal((B, units))) for _ in range(nstates)]
            _, out, case = rnn_case(cid, code, x, mask=MASKS["pre"], initial_state=init, wkey=kind)
            flat = [npy(o) for o in flatten(out)]
            case["checks"] = check_masked_outputs(
                flat[0], flat[0][:, -1], flat[1:], MASKS["pre"], gb, init
            )
            seq = flat[0]
            order = (
                np.asarray(MASKS["pre"], bool)[:, ::-1] if gb else np.asarray(MASKS["pre"], bool)
            )
            lead = [
                np.array_equal(seq[b, j], init[0][b])
                for b in range(B)
                for j in range(T)
                if not order[b, : j + 1].any()
            ]
            case["checks"]["leading_masked_outputs_equal_initial_h"] = (
                bool(all(lead)) if lead else None
            )
            case["mask_name"] = "pre"
            cases.append(case)
    return {"x_shape": [B, T, F], "cases": cases}


# ---------------------------------------------------------------- group 2: masking models

TOKENS = np.array(
    [[3, 1, 4, 1, 5], [9, 2, 6, 0, 0], [0, 0, 5, 3, 5], [0, 0, 0, 0, 0]], dtype=np.int32
)


def float_with_zero_rows():
    x = normal("x:masking_gru", (4, 5, 3))
    x[1, 3:] = 0.0  # post padding
    x[2, :2] = 0.0  # pre padding
    x[3, :] = 0.0  # all masked
    x[0, 2] = 0.0  # a hole
    return x


MODEL_SPECS = [
    (
        "embedding_lstm",
        "Sequential([Input(shape=(5,)), Embedding(10, 3, mask_zero=True), LSTM(4)])",
        "tokens",
        (4, 4),
    ),
    (
        "embedding_simple_rnn_dense",
        "Sequential([Input(shape=(5,)), Embedding(10, 3, mask_zero=True), "
        "SimpleRNN(3, return_sequences=True), Dense(1)])",
        "tokens",
        (4, 5, 1),
    ),
    (
        "masking_gru",
        "Sequential([Input(shape=(5, 3)), Masking(mask_value=0.0), GRU(3)])",
        "floats",
        (4, 3),
    ),
    (
        "masking_gru_sequences",
        "Sequential([Input(shape=(5, 3)), Masking(mask_value=0.0), GRU(3, return_sequences=True)])",
        "floats",
        (4, 5, 3),
    ),
]
for _rs in (True, False):
    for _mm in ("concat", "sum"):
        _u = 3
        _shape = (
            (4, 5, 2 * _u if _mm == "concat" else _u)
            if _rs
            else (4, 2 * _u if _mm == "concat" else _u)
        )
        MODEL_SPECS.append(
            (
                f"embedding_bidirectional_lstm_{'sequences' if _rs else 'last'}_{_mm}",
                "Sequential([Input(shape=(5,)), Embedding(10, 3, mask_zero=True), "
                f"Bidirectional(LSTM(3{', return_sequences=True' if _rs else ''}), "
                f"merge_mode='{_mm}')])",
                "tokens",
                _shape,
            )
        )


def mask_of(t):
    m = kbackend.get_keras_mask(t)
    return None if m is None else mask_list(m)


def masked_candidates(pred, y, mask):
    """The mean squared/absolute error over every element, and over unmasked steps only."""
    err = pred - y
    out = {"mse_all": float(np.mean(err**2)), "mae_all": float(np.mean(np.abs(err)))}
    if mask is not None and pred.ndim == 3:
        w = np.asarray(mask, np.float32)[..., None] * np.ones_like(err)
        out["mse_unmasked_only"] = float(np.sum(w * err**2) / np.sum(w))
        out["mae_unmasked_only"] = float(np.sum(w * np.abs(err)) / np.sum(w))
        out["mse_masked_sum_over_all"] = float(np.sum(w * err**2) / w.size)
    return out


def model_case(cid, code, xkind, yshape):
    fresh(cid)
    model = make(code)
    weights = perturb(model, cid)
    x = TOKENS if xkind == "tokens" else float_with_zero_rows()
    y = normal("y:" + cid, yshape)
    # layer by layer, eagerly, as Sequential does: each output carries its mask
    h, m = torch.tensor(x), None
    layers = []
    for layer in model.layers:
        computed = layer.compute_mask(h, m)
        h2 = layer(h)
        rec = {
            "name": layer.name,
            **layer_record(layer),
            "output_mask": mask_of(h2),
            "compute_mask": None if computed is None else mask_list(computed),
        }
        layers.append(rec)
        h, m = h2, kbackend.get_keras_mask(h2)
    pred = npy(model(x))
    pred_predict = np.asarray(model.predict(x, verbose=0))
    assert np.allclose(pred, pred_predict, atol=1e-6), cid
    assert np.array_equal(pred, npy(h)), cid
    out_mask = layers[-1]["output_mask"]
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse", metrics=["mae"])
    evaluated = model.evaluate(x, y, verbose=0, return_dict=True)
    trained = model.train_on_batch(x, y, return_dict=True)
    after = model.get_weights()
    pred_after = npy(model(x))
    return {
        "id": cid,
        "code": code,
        "compile": "model.compile(optimizer=SGD(learning_rate=0.1), loss='mse', metrics=['mae'])",
        "x": x.tolist() if xkind == "tokens" else f32(x),
        "x_dtype": str(x.dtype),
        "y": f32(y),
        "layers": layers,
        "weights": [f32(w) for w in weights],
        "output": f32(pred),
        "output_mask": out_mask,
        "evaluate": {k: float(v) for k, v in evaluated.items()},
        "candidates": masked_candidates(pred, y, out_mask),
        "train_on_batch": {k: float(v) for k, v in trained.items()},
        "weights_after_train_on_batch": [f32(w) for w in after],
        "output_after_train_on_batch": f32(pred_after),
    }


def bidirectional_none_case():
    """merge_mode=None returns two tensors: called layer by layer (no model, no training)."""
    cid = "embedding_bidirectional_lstm_sequences_none"
    fresh(cid)
    emb = keras.layers.Embedding(10, 3, mask_zero=True)
    code = "Bidirectional(LSTM(3, return_sequences=True), merge_mode=None)"
    bi = make(code)
    h = emb(torch.tensor(TOKENS))
    bi(h)
    weights = perturb(emb, cid + "e") + perturb(bi, cid)
    h = emb(torch.tensor(TOKENS))
    out = bi(h)
    return {
        "id": cid,
        "code": "emb = Embedding(10, 3, mask_zero=True); bi = " + code + "; bi(emb(x))",
        "x": TOKENS.tolist(),
        "x_dtype": "int32",
        "layers": [
            {"name": emb.name, **layer_record(emb), "output_mask": mask_of(h)},
            {
                "name": bi.name,
                **layer_record(bi),
                "output_mask": [mask_of(o) for o in out],
                "compute_mask": [
                    mask_list(c) for c in bi.compute_mask(h, kbackend.get_keras_mask(h))
                ],
            },
        ],
        "weights": [f32(w) for w in weights],
        "outputs": [f32(npy(o)) for o in out],
        "note": "Two outputs (forward, backward): Sequential compile/fit is not attempted.",
    }


def masking_models_group():
    cases = [model_case(*spec) for spec in MODEL_SPECS]
    cases.append(bidirectional_none_case())
    return {"cases": cases}


# ---------------------------------------------------------------- group 3: state


def stateful_case(cid, code):
    fresh(cid)
    model = make(code)
    layer = model.layers[0]
    weights = perturb(model, cid)
    r = rng("x:" + cid)
    xs = [short(r.standard_normal((2, 4, 3))) for _ in range(3)]
    calls = []
    for i, x in enumerate(xs):
        if i == 2:
            layer.reset_states()
            after_reset = [f32(npy(s)) for s in layer.states]
        y = npy(model(x))
        calls.append(
            {"x": f32(x), "output": f32(y), "states_after": [f32(npy(s)) for s in layer.states]}
        )
    # cross-checks with a non-stateful twin holding the same weights
    twin_code = code.replace("stateful=True", "stateful=False").replace(
        "Input(batch_shape=(2, 4, 3))", "Input(shape=(4, 3))"
    )
    twin = make(twin_code)
    twin.set_weights(weights)
    tl = twin.layers[0]
    init = [np.asarray(s, np.float32) for s in calls[0]["states_after"]]
    second = npy(tl(xs[1], initial_state=[torch.tensor(s) for s in init]))
    checks = {
        "call_1_equals_non_stateful": bool(
            np.allclose(np.asarray(calls[0]["output"], np.float32), npy(twin(xs[0])), atol=1e-6)
        ),
        "call_2_equals_non_stateful_from_states_after_call_1": bool(
            np.allclose(np.asarray(calls[1]["output"], np.float32), second, atol=1e-6)
        ),
        "call_3_after_reset_equals_non_stateful": bool(
            np.allclose(np.asarray(calls[2]["output"], np.float32), npy(twin(xs[2])), atol=1e-6)
        ),
    }
    return {
        "id": cid,
        "code": code,
        "calls_code": "model(x1); model(x2); model.layers[0].reset_states(); model(x3)",
        **layer_record(layer),
        "state_variable_paths": [s.path for s in layer.states],
        "state_variables_in_weights": any(s is w for s in layer.states for w in model.weights),
        "model_has_reset_states": hasattr(model, "reset_states"),
        "model_has_reset_state": hasattr(model, "reset_state"),
        "weights": [f32(w) for w in weights],
        "calls": calls,
        "states_after_reset": after_reset,
        "checks": checks,
    }


def state_group():
    x = normal("x:state", (B, T, F))
    cases = []
    for kind, (template, nstates) in KINDS.items():
        if kind == "gru_reset_before":
            continue
        units = 3 if kind == "simple_rnn" else 2
        for rs in (False, True):
            for gb in (False, True):
                code = template.format(flags(rs, True, gb))
                cid = f"{kind}-initial_state-rs{int(rs)}-gb{int(gb)}"
                r = rng("s:" + cid)
                init = [short(r.standard_normal((B, units))) for _ in range(nstates)]
                _, _, case = rnn_case(cid, code, x, initial_state=init)
                cases.append(case)
    for rs in (False, True):
        code = f"Bidirectional(LSTM(3, return_state=True{', return_sequences=True' if rs else ''}))"
        cid = f"bidirectional_lstm-initial_state-rs{int(rs)}"
        r = rng("s:" + cid)
        init = [short(r.standard_normal((B, 3))) for _ in range(4)]
        _, _, case = rnn_case(cid, code, x, initial_state=init)
        case["initial_state_order"] = ["h_forward", "c_forward", "h_backward", "c_backward"]
        cases.append(case)
    stateful = [
        stateful_case(
            "stateful_simple_rnn",
            "Sequential([Input(batch_shape=(2, 4, 3)), SimpleRNN(3, stateful=True)])",
        ),
        stateful_case(
            "stateful_lstm",
            "Sequential([Input(batch_shape=(2, 4, 3)), "
            "LSTM(2, stateful=True, return_sequences=True)])",
        ),
    ]
    return {"x_shape": [B, T, F], "cases": cases, "stateful": stateful}


# ---------------------------------------------------------------- group 4: cells

CELL_CASES = [
    ("rnn_simple_rnn_cell", "RNN(SimpleRNNCell(3){})", ["SimpleRNN(3{})"]),
    ("rnn_lstm_cell", "RNN(LSTMCell(3){})", ["LSTM(3{})"]),
    ("rnn_gru_cell", "RNN(GRUCell(3){})", ["GRU(3{})"]),
    (
        "rnn_stacked_simple_rnn_lstm",
        "RNN([SimpleRNNCell(3), LSTMCell(2)]{})",
        ["SimpleRNN(3, return_sequences=True, return_state=True)", "LSTM(2{})"],
    ),
]

SUMMARY_MODELS = [
    ("rnn_simple_rnn_cell", "Sequential([Input(shape=(5, 3)), RNN(SimpleRNNCell(4))])"),
    (
        "rnn_stacked_cells",
        "Sequential([Input(shape=(5, 3)), RNN([SimpleRNNCell(3), LSTMCell(2)])])",
    ),
    ("time_distributed_dense", "Sequential([Input(shape=(5, 3)), TimeDistributed(Dense(2))])"),
    (
        "dropout",
        "Sequential([Input(shape=(5, 3)), SimpleRNN(3, return_sequences=True), "
        "Dropout(0.5), Dense(1)])",
    ),
    ("masking", "Sequential([Input(shape=(5, 3)), Masking(), SimpleRNN(3)])"),
    (
        "embedding_mask_zero",
        "Sequential([Input(shape=(5,)), Embedding(10, 3, mask_zero=True), SimpleRNN(3)])",
    ),
    (
        "simple_rnn_dropouts",
        "Sequential([Input(shape=(5, 3)), SimpleRNN(3, dropout=0.2, recurrent_dropout=0.2)])",
    ),
    ("stateful_lstm", "Sequential([Input(batch_shape=(2, 5, 3)), LSTM(3, stateful=True)])"),
]

# Summary captures, exactly as gen_keras3.py (stdout a pipe; see common.clean_env).
CAPTURES = {
    "pipe": ({}, (("keras3", {}), ("keras3_88_piped", {"line_length": 88}))),
    "wide": ({"COLUMNS": "100"}, (("keras3_88", {"line_length": 88}),)),
}


def summaries_mode(mode):
    for mid, code in SUMMARY_MODELS:
        fresh(mid)
        model = make(code)
        for key, kwargs in CAPTURES[mode][1]:
            sys.stdout.write(f"{common.SENTINEL}{mid}:{key}\n")
            sys.stdout.flush()
            model.summary(**kwargs)
            sys.stdout.flush()


def capture_summaries():
    out = {}
    for mode, (env, _) in CAPTURES.items():
        proc = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--summaries", mode],
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


def shape_list(shape):
    return [None if d is None else int(d) for d in shape]


def cells_group():
    x = normal("x:cells", (B, T, F))
    cases = []
    for name, template, plain in CELL_CASES:
        for rs in (False, True):
            for rst in (False, True):
                fl = flags(rs, rst, False)
                code = template.format(fl)
                cid = f"{name}-rs{int(rs)}-st{int(rst)}"
                layer, out, case = rnn_case(cid, code, x, grads=False)
                weights = [np.asarray(w) for w in layer.get_weights()]
                # the same weights in the plain layer(s)
                plain_codes = [p.format(fl) for p in plain]
                fresh(cid + ":plain")
                plain_layers = [make(p) for p in plain_codes]
                h = x
                plain_out = []
                for i, pl in enumerate(plain_layers):
                    r = pl(h)
                    n = len(pl.weights)
                    pl.set_weights(weights[:n])
                    weights = weights[n:]
                    r = pl(h)
                    if len(plain_layers) > 1 and i == 0:
                        h, h1 = r
                        plain_states = [h1]
                    else:
                        plain_out = flatten(r)
                if len(plain_layers) > 1:
                    # stacked: RNN returns output, [h1], [h2, c2]; the chain gives
                    # seq1, h1 then output, h2, c2
                    plain_out = plain_out[:1] + (plain_states + plain_out[1:] if rst else [])
                ours = [npy(o) for o in flatten(out)]
                theirs = [npy(o) for o in plain_out]
                diff = max(float(np.max(np.abs(a - b))) for a, b in zip(ours, theirs, strict=True))
                case["plain_equivalent"] = {
                    "code": plain_codes,
                    "same_number_of_outputs": len(ours) == len(theirs),
                    "max_abs_diff": diff,
                    "equal": len(ours) == len(theirs) and diff <= 1e-6,
                    "bitwise_equal": len(ours) == len(theirs) and diff == 0.0,
                }
                cases.append(case)
    # TimeDistributed(Dense(2))
    _, out, td = rnn_case("time_distributed_dense", "TimeDistributed(Dense(2))", x, grads=False)
    w = [np.asarray(v, np.float32) for v in td["weights"]]
    dense = x @ w[0] + w[1]
    td["checks"] = {"equals_dense_on_every_step": bool(np.allclose(npy(out), dense, atol=1e-6))}
    cases.append(td)

    captured = capture_summaries()
    summaries = []
    for mid, code in SUMMARY_MODELS:
        fresh(mid)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = make(code)
        got = []
        model.summary(print_fn=got.append)
        assert "".join(got) == captured[f"{mid}:keras3"], mid
        summaries.append(
            {
                "id": mid,
                "code": code,
                "keras3_warnings": [f"{w.category.__name__}: {w.message}" for w in caught],
                "model_name": model.name,
                "input_shape": shape_list(model.input_shape),
                "layers": [
                    {
                        "name": layer.name,
                        "output_shape": shape_list(layer.output.shape),
                        "params": int(layer.count_params()),
                        **layer_record(layer),
                    }
                    for layer in model.layers
                ],
                "total_params": int(model.count_params()),
                "trainable_params": int(
                    sum(int(np.prod(v.shape)) for v in model.trainable_weights)
                ),
                "non_trainable_params": int(
                    sum(int(np.prod(v.shape)) for v in model.non_trainable_weights)
                ),
                "summary": {
                    k: captured[f"{mid}:{k}"] for k in ("keras3", "keras3_88", "keras3_88_piped")
                },
            }
        )
    return {"x_shape": [B, T, F], "cases": cases, "summaries": summaries}


# ---------------------------------------------------------------- group 5: errors

X3 = np.ones((3, 5, 3), np.float32)

# id: (description, [(stage, source)], [expressions observed when nothing raised])
ERRORS = {
    "mask_wrong_timesteps": (
        "A (batch, 4) mask for a (batch, 5, 3) input.",
        [("construct", "layer = SimpleRNN(3)"), ("call", "layer(x, mask=np.ones((3, 4), bool))")],
        [],
    ),
    "mask_wrong_batch": (
        "A (2, 5) mask for a batch of 3.",
        [("construct", "layer = SimpleRNN(3)"), ("call", "layer(x, mask=np.ones((2, 5), bool))")],
        [],
    ),
    "mask_3d": (
        "A (batch, timesteps, features) mask instead of (batch, timesteps).",
        [
            ("construct", "layer = SimpleRNN(3)"),
            ("call", "out = layer(x, mask=np.ones((3, 5, 3), bool))"),
        ],
        ["list(out.shape)"],
    ),
    "lstm_mask_wrong_timesteps": (
        "LSTM: a (batch, 4) mask for a (batch, 5, 3) input.",
        [("construct", "layer = LSTM(2)"), ("call", "layer(x, mask=np.ones((3, 4), bool))")],
        [],
    ),
    "stateful_no_batch_size_model": (
        "stateful=True in a Sequential whose Input has no batch size.",
        [
            ("construct", "layer = SimpleRNN(3, stateful=True)"),
            ("build", "model = Sequential([Input(shape=(5, 3)), layer])"),
        ],
        [],
    ),
    "stateful_no_batch_size_standalone": (
        "stateful=True layer called directly on a concrete batch (the batch size comes from it).",
        [
            ("construct", "layer = SimpleRNN(3, stateful=True)"),
            ("call", "out = layer(x)"),
        ],
        ["[list(s.shape) for s in layer.states]"],
    ),
    "stateful_other_batch_size_layer": (
        "A stateful layer built for batch 3 called on a batch of 2.",
        [
            ("construct", "layer = SimpleRNN(3, stateful=True)"),
            ("build", "layer(x)"),
            ("call", "layer(x[:2])"),
        ],
        [],
    ),
    "stateful_other_batch_size_model": (
        "A stateful model with Input(batch_shape=(2, 5, 3)) called on a batch of 3.",
        [
            (
                "construct",
                "model = Sequential([Input(batch_shape=(2, 5, 3)), SimpleRNN(3, stateful=True)])",
            ),
            ("call", "model(x)"),
        ],
        [],
    ),
    "stateful_other_batch_size_predict": (
        "The same model, model.predict on 3 samples (predict batches by 32).",
        [
            (
                "construct",
                "model = Sequential([Input(batch_shape=(2, 5, 3)), SimpleRNN(3, stateful=True)])",
            ),
            ("call", "out = model.predict(x, verbose=0)"),
        ],
        ["list(out.shape)"],
    ),
    "simple_rnn_dropout_1_5": (
        "dropout=1.5: clipped to 1.0 silently.",
        [
            ("construct", "layer = SimpleRNN(3, dropout=1.5)"),
            ("call", "out = layer(x, training=True)"),
        ],
        ["layer.dropout", "layer.get_config()['dropout']", "float(out.detach().abs().max())"],
    ),
    "simple_rnn_dropout_negative": (
        "dropout=-0.1: clipped to 0.0 silently.",
        [("construct", "layer = SimpleRNN(3, dropout=-0.1)"), ("call", "layer(x, training=True)")],
        ["layer.dropout", "layer.get_config()['dropout']"],
    ),
    "simple_rnn_recurrent_dropout_1_5": (
        "recurrent_dropout=1.5: clipped to 1.0 silently.",
        [("construct", "layer = SimpleRNN(3, recurrent_dropout=1.5)")],
        ["layer.recurrent_dropout", "layer.get_config()['recurrent_dropout']"],
    ),
    "lstm_dropout_1_5": (
        "LSTM dropout=1.5: clipped to 1.0.",
        [("construct", "layer = LSTM(2, dropout=1.5)")],
        ["layer.dropout", "layer.cell.implementation"],
    ),
    "initial_state_wrong_units": (
        "SimpleRNN(3) with a (batch, 4) initial state.",
        [
            ("construct", "layer = SimpleRNN(3)"),
            ("call", "layer(x, initial_state=np.zeros((3, 4), np.float32))"),
        ],
        [],
    ),
    "initial_state_wrong_batch": (
        "SimpleRNN(3) with a (2, 3) initial state for a batch of 3.",
        [
            ("construct", "layer = SimpleRNN(3)"),
            ("call", "layer(x, initial_state=np.zeros((2, 3), np.float32))"),
        ],
        [],
    ),
    "lstm_initial_state_one_tensor": (
        "LSTM with only one initial state tensor (h, no c).",
        [
            ("construct", "layer = LSTM(2)"),
            ("call", "layer(x, initial_state=[np.zeros((3, 2), np.float32)])"),
        ],
        [],
    ),
    "lstm_initial_state_wrong_units": (
        "LSTM(2) with (batch, 3) initial states.",
        [
            ("construct", "layer = LSTM(2)"),
            (
                "call",
                "layer(x, initial_state=[np.zeros((3, 3), np.float32), "
                "np.zeros((3, 3), np.float32)])",
            ),
        ],
        [],
    ),
    "dropout_layer_1_5": (
        "Dropout(1.5).",
        [("construct", "layer = Dropout(1.5)")],
        [],
    ),
    "dropout_layer_negative": (
        "Dropout(-0.1).",
        [("construct", "layer = Dropout(-0.1)")],
        [],
    ),
    "dropout_layer_1": (
        "Dropout(1.0) is accepted; training=True gives zeros.",
        [("construct", "layer = Dropout(1.0)"), ("call", "out = layer(x, training=True)")],
        ["float(np.abs(out).max())"],
    ),
    "masking_string_value": (
        "Masking(mask_value='a') on float input.",
        [("construct", "layer = Masking(mask_value='a')"), ("call", "out = layer(x)")],
        [],
    ),
    "masking_none_value": (
        "Masking(mask_value=None) on float input.",
        [("construct", "layer = Masking(mask_value=None)"), ("call", "out = layer(x)")],
        [],
    ),
}


def errors_group():
    cases = []
    for cid, (desc, steps, observe) in ERRORS.items():
        fresh(cid)
        ns = namespace(np=np, x=torch.tensor(X3))
        raised = None
        for stage, src in steps:
            try:
                exec(
                    src, {"__builtins__": {"list": list, "bool": bool, "float": float}}, ns
                )  # our own source
            except Exception as exc:
                raised = {"stage": stage, **error_of(exc)}
                break
        observed = {}
        if raised is None:
            for expr in observe:
                value = eval(
                    expr, {"__builtins__": {"list": list, "bool": bool, "float": float}}, ns
                )
                observed[expr] = value.tolist() if hasattr(value, "tolist") else value
        cases.append(
            {
                "id": cid,
                "description": desc,
                "x_shape": list(X3.shape),
                "steps": [{"stage": s, "code": c} for s, c in steps],
                "raises": raised,
                "observed": observed,
            }
        )
    return {"cases": cases}


# ---------------------------------------------------------------- group 6: dropout

DROPOUT_CASES = [
    ("simple_rnn", "SimpleRNN(3, dropout=0.5, recurrent_dropout=0.5)", "SimpleRNN(3)"),
    ("lstm", "LSTM(2, dropout=0.5, recurrent_dropout=0.5)", "LSTM(2)"),
    ("gru", "GRU(2, dropout=0.5, recurrent_dropout=0.5)", "GRU(2)"),
    (
        "gru_reset_before",
        "GRU(2, reset_after=False, dropout=0.5, recurrent_dropout=0.5)",
        "GRU(2, reset_after=False)",
    ),
    ("simple_rnn_input_only", "SimpleRNN(3, dropout=0.5)", "SimpleRNN(3)"),
    ("lstm_input_only", "LSTM(2, dropout=0.5)", "LSTM(2)"),
    ("gru_input_only", "GRU(2, dropout=0.5)", "GRU(2)"),
    ("lstm_recurrent_only", "LSTM(2, recurrent_dropout=0.5)", "LSTM(2)"),
]


class DrawLog:
    """Records every backend.random.dropout call (shape and rate) while active."""

    def __enter__(self):
        self.draws = []
        self.orig = kbackend.random.dropout

        def logged(inputs, rate, *args, **kwargs):
            self.draws.append({"shape": list(map(int, inputs.shape)), "rate": float(rate)})
            return self.orig(inputs, rate, *args, **kwargs)

        kbackend.random.dropout = logged
        return self

    def __exit__(self, *exc):
        kbackend.random.dropout = self.orig


def dropout_group():
    x = normal("x:dropout", (B, T, F))
    mask = MASKS["post"]
    cases = []
    for cid, code, plain in DROPOUT_CASES:
        fresh(cid)
        layer = make(code)
        layer(x)
        weights = perturb(layer, cid)
        ref = make(plain)
        ref(x)
        ref.set_weights(weights)
        expected = npy(ref(x))
        expected_masked = npy(ref(x, mask=torch.tensor(np.asarray(mask, bool))))
        rec = {"id": cid, "code": code, "reference_code": plain, **layer_record(layer)}
        cell = layer.cell
        rec["cell"] = {
            "implementation": getattr(cell, "implementation", None),
            "dropout_mask_count": getattr(cell, "dropout_mask_count", None),
            "dropout": cell.dropout,
            "recurrent_dropout": cell.recurrent_dropout,
        }
        rec["x"] = f32(x)
        rec["weights"] = [f32(w) for w in weights]
        rec["reference_output"] = f32(expected)
        calls = {}
        for label, kwargs in (
            ("training_false", {"training": False}),
            ("training_none", {}),
            ("training_true", {"training": True}),
            ("training_true_again", {"training": True}),
            ("training_true_masked", {"training": True, "mask": mask}),
        ):
            kw = dict(kwargs)
            ref_out = expected
            if "mask" in kw:
                kw["mask"] = torch.tensor(np.asarray(kw["mask"], bool))
                ref_out = expected_masked
            with DrawLog() as log:
                y = npy(layer(x, **kw))
            calls[label] = {
                "draws": log.draws,
                "equals_reference": bool(np.allclose(y, ref_out, atol=1e-6)),
                "max_abs_diff_from_reference": float(np.max(np.abs(y - ref_out))),
            }
            if label == "training_false":
                rec["output_training_false"] = f32(y)
            if label == "training_true":
                first = y
            if label == "training_true_again":
                calls[label]["equals_first_training_call"] = bool(np.array_equal(y, first))
        rec["calls"] = calls
        cases.append(rec)
    # dropout=1.0 (what dropout=1.5 is clipped to) in training: the fused LSTM path and
    # the cell path disagree
    edge = []
    for cid, code, plain in (
        ("simple_rnn_dropout_1", "SimpleRNN(3, dropout=1.0)", "SimpleRNN(3)"),
        ("lstm_dropout_1", "LSTM(2, dropout=1.0)", "LSTM(2)"),
        ("gru_dropout_1", "GRU(2, dropout=1.0)", "GRU(2)"),
    ):
        fresh(cid)
        layer = make(code)
        layer(x)
        weights = perturb(layer, cid)
        ref = make(plain)
        ref(x)
        ref.set_weights(weights)
        zeros = np.zeros_like(x)
        ones = torch.tensor(np.ones((B, T), bool))
        y_plain = npy(layer(x, training=True))
        y_mask = npy(layer(x, training=True, mask=ones))
        edge.append(
            {
                "id": cid,
                "code": code,
                "training_true_no_mask": {
                    "equals_reference_on_zero_input": bool(
                        np.allclose(y_plain, npy(ref(zeros)), atol=1e-6)
                    ),
                    "equals_reference_on_x": bool(np.allclose(y_plain, npy(ref(x)), atol=1e-6)),
                },
                "training_true_all_ones_mask": {
                    "equals_reference_on_zero_input": bool(
                        np.allclose(y_mask, npy(ref(zeros)), atol=1e-6)
                    ),
                    "equals_reference_on_x": bool(np.allclose(y_mask, npy(ref(x)), atol=1e-6)),
                },
            }
        )
    return {"x_shape": [B, T, F], "mask": mask, "cases": cases, "rate_1_edge_cases": edge}


# ---------------------------------------------------------------- output


def _leafy(obj):
    if isinstance(obj, list):
        return all(_leafy(v) and not isinstance(v, dict) for v in obj)
    return not isinstance(obj, dict)


def dumps(obj, level=0):
    """JSON, one key per line, but every list of numbers (however nested) and every
    short list or dict on a single line."""
    compact = json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))
    if not isinstance(obj, (list, dict)) or _leafy(obj) or len(compact) + level <= 100:
        return compact
    pad = " " * (level + 1)
    if isinstance(obj, dict):
        items = [f"{pad}{json.dumps(k)}: {dumps(v, level + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * level + "}"
    items = [pad + dumps(v, level + 1) for v in obj]
    return "[\n" + ",\n".join(items) + "\n" + " " * level + "]"


def write(name, body):
    document = {
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "torch": torch.__version__.split("+")[0],
        "floatx": keras.config.floatx(),
        **body,
    }
    path = OUT / name
    path.write_text(dumps(document) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(common.REPO)} ({path.stat().st_size} bytes)")


GROUPS = {
    "masking.json": masking_group,
    "masking_models.json": masking_models_group,
    "state.json": state_group,
    "cells.json": cells_group,
    "errors.json": errors_group,
    "dropout.json": dropout_group,
}


def main(only):
    assert keras.backend.backend() == "torch", keras.backend.backend()
    assert keras.config.floatx() == "float32"
    torch.use_deterministic_algorithms(True)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, fn in GROUPS.items():
        if not only or name.split(".")[0] in only:
            write(name, fn())


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--summaries":
        summaries_mode(sys.argv[2])
    else:
        main(set(sys.argv[1:]))

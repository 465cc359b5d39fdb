# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The notebook: your first RNN
#
# This page is a Jupyter notebook, executed when the site was built. Download it as
# [first-rnn.ipynb](first-rnn.ipynb) (or as the plain-text
# [first-rnn.py](first-rnn.py), which [jupytext](https://jupytext.readthedocs.io) opens
# as a notebook) and run it yourself; it needs `numpy`, `matplotlib` and this project's
# `rnn` package.
#
# We run the recurrent loop of *Code your own RNN with NumPy*, check it against
# `rnn.functional`, and look at what the hidden state does over 100 timesteps:
# $s_t = \tanh(W x_t + U s_{t-1} + b)$.

# %%
import matplotlib.pyplot as plt
import numpy as np

from rnn.functional import simple_rnn_forward

# Figures with a transparent background and grey text, legible on a light page and on a
# dark one.
INK = "#8a8a8a"
plt.rcParams.update(
    {
        "figure.facecolor": "none",
        "axes.facecolor": "none",
        "savefig.facecolor": "none",
        "text.color": INK,
        "axes.labelcolor": INK,
        "axes.edgecolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "legend.labelcolor": INK,
        "legend.frameon": False,
    }
)

# %% [markdown]
# ## The eight ingredients
#
# A sequence of 100 timesteps with 32 features each, and a state of 64 units. The
# weights are centred on zero (Glorot uniform for the input weights, an orthogonal
# recurrent matrix), so that tanh does not saturate.

# %%
rng = np.random.default_rng(0)
timesteps, input_features, output_features = 100, 32, 64
inputs = rng.random((timesteps, input_features))
state_t = np.zeros(output_features)
limit = np.sqrt(6 / (input_features + output_features))
W = rng.uniform(-limit, limit, (output_features, input_features))
U = np.linalg.qr(rng.standard_normal((output_features, output_features)))[0]
b = np.zeros(output_features)
print(inputs.shape, state_t.shape, W.shape, U.shape, b.shape)

# %% [markdown]
# ## The loop, and its shape check

# %%
successive_outputs = []
for input_t in inputs:
    output_t = np.tanh(np.dot(W, input_t) + np.dot(U, state_t) + b)
    successive_outputs.append(output_t)
    state_t = output_t
final_output_sequence = np.stack(successive_outputs, axis=0)
assert final_output_sequence.shape == (timesteps, output_features)
final_output_sequence.shape

# %% [markdown]
# ## The same states from rnn.functional
#
# `simple_rnn_forward` takes Keras's layout: `kernel = W.T`, `recurrent_kernel = U.T`.

# %%
states = simple_rnn_forward(inputs, W.T, U.T, b)
assert np.allclose(states, final_output_sequence, rtol=0, atol=1e-12)
print("largest difference:", float(np.abs(states - final_output_sequence).max()))

# %% [markdown]
# ## What the hidden state looks like
#
# Each column of the picture is the state after one timestep; each row is one of the 64
# units. The state changes at every step, because the input does, but it stays inside
# $(-1, 1)$, the range of tanh.

# %%
fig, (ax_map, ax_lines) = plt.subplots(2, 1, figsize=(8, 6), constrained_layout=True)
image = ax_map.imshow(states.T, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1)
ax_map.set(xlabel="timestep t", ylabel="unit", title="Hidden state $s_t$ of 64 units")
fig.colorbar(image, ax=ax_map, label="value")
for unit in range(4):
    ax_lines.plot(states[:, unit], label=f"unit {unit}")
ax_lines.set(xlabel="timestep t", ylabel="$s_t$", ylim=(-1, 1), title="Four units over time")
ax_lines.legend(loc="upper right", ncols=4)
plt.show()

# %% [markdown]
# ## Memory fades
#
# Start the same network from two different states and feed both the same inputs. The
# gap between the two runs shrinks step after step: what the network remembers of its
# start is slowly overwritten by what it reads. That is the short-term memory of a
# simple RNN, and the reason later pages turn to LSTMs.

# %%
other = simple_rnn_forward(inputs, W.T, U.T, b, initial_state=rng.uniform(-1, 1, output_features))
gap = np.linalg.norm(states - other, axis=1)
fig, ax = plt.subplots(figsize=(8, 3), constrained_layout=True)
ax.semilogy(gap)
ax.set(xlabel="timestep t", ylabel="distance between the two states", title="Two starts, one input")
plt.show()
print(f"distance after 1 step: {gap[0]:.3f}, after 100 steps: {gap[-1]:.2e}")

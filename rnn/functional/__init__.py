"""Pure functions: a simple RNN, an LSTM and a GRU over whole sequences, forward and back.

They take NumPy arrays in Keras's weight layout, keep no state, and work alike.

**Forward** (``*_forward``):

1. check every shape, saying what was expected and what came when one does not fit;
2. compute the input part ``x_t @ kernel + bias`` of every timestep in **one** matrix
   product (a column of ones in the inputs meets the bias as one more kernel row);
3. loop over time with only ``h @ recurrent_kernel`` and element-wise maths per step,
   in place, on contiguous time-major rows (1-D rows when the batch is 1).

**Backward** (``*_backward``, backpropagation through time): given ``dL/dh_t``, the
gradient of a loss ``L`` with respect to the outputs, they return the gradient with
respect to the inputs and a dict of gradients keyed like the weights (``kernel``,
``recurrent_kernel``, ``bias``, ``initial_state``). They

1. recompute what the forward pass did not keep (gates, derivatives) from its outputs,
   for every step at once, and check on the way that each ``h_t`` they give again is
   the given output: outputs of a forward pass with other arguments (a bias left out,
   another activation or initial state...) raise ``ValueError`` naming the first step
   that differs, rather than give wrong gradients;
2. walk back from the last step to the first with only the element-wise derivatives
   and one product with ``recurrent_kernel.T`` per step (``truncate=k`` lets each
   output's gradient flow back ``k`` steps at most);
3. get the weight gradients as matrix products over all steps after the loop
   (``dL/dK = X^T dZ``, ``dL/dR = H_prev^T dZ``).

**Masks** (keyword arguments of all six, Keras 3's semantics): ``mask`` (batch,
timesteps) makes a masked step carry the states over and repeat the previous output
(zeros before a sequence's first unmasked step), and pass the gradient straight back;
``dropout_mask`` and ``recurrent_dropout_mask``, drawn once per call, multiply ``x_t``
and ``h_{t-1}`` before their products (one per gate for an LSTM or a GRU). Without them
the functions run exactly as before.

The backward functions know the derivatives of every activation of `rnn.activations`
but ``softmax`` (``gelu`` and ``silu`` from the recomputed pre-activations); a custom
callable activation works forward but raises ``ValueError`` in backward.

**Reference** (``rnn.functional.reference``): the same cells written to be read, one
step at a time, one line per equation with its shapes in a comment, under the same names
(``reference.simple_rnn_forward``, ``reference.lstm_backward``, ...) plus one step of each
cell (``reference.gru_step``, ...). They take the weights as one dict, ``params``, keyed
like the fast functions' arguments (``kernel``, ``recurrent_kernel``, ``bias``), and are
tested equal to the fast functions in float64: read them to learn what the fast ones
compute, call the fast ones to compute it.

Dtype rule: they compute in ``np.result_type`` of the arrays passed (inputs, weights,
bias, states, gradients), with booleans and integers promoted to float64. So float32
stays float32, float16 stays float16, and float32 mixed with float64 gives float64.
"""

from __future__ import annotations

from rnn.functional import reference
from rnn.functional.gru import gru_backward, gru_forward
from rnn.functional.lstm import lstm_backward, lstm_forward
from rnn.functional.simple_rnn import simple_rnn_backward, simple_rnn_forward

__all__ = [
    "gru_backward",
    "gru_forward",
    "lstm_backward",
    "lstm_forward",
    "reference",
    "simple_rnn_backward",
    "simple_rnn_forward",
]

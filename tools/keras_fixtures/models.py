"""The models for which golden fixtures are generated.

Pure data: importing this module needs neither Keras nor NumPy.

Each model is built by evaluating ``code`` right after ``clear_session()``
with exactly these names in scope (bound to Keras 3 or to tf_keras):
``Sequential, Input, SimpleRNN, Dense, Embedding, LSTM, GRU, Bidirectional``.

``x`` describes the input batch stored in the NPZ:
  * ``("float", (batch, *shape))``: standard normal float32;
  * ``("int", (batch, timesteps), vocab)``: uniform token ids in [0, vocab), int32;
  * ``None``: no forward data (unbuilt model).
"""

MODELS = [
    dict(
        id="notebook",
        description="The course notebook's model, exactly as the notebook writes it: "
        "SimpleRNN(10, input_shape=(3, 1)) then Dense(1). Keras 3 accepts "
        "input_shape= with a UserWarning (see keras3_warnings).",
        code="Sequential([SimpleRNN(10, input_shape=(3, 1)), Dense(1)])",
        x=("float", (4, 3, 1)),
    ),
    dict(
        id="notebook_input",
        description="The notebook's model written the Keras 3 way: Input(shape=(3, 1)) first "
        "(no warning, same summary).",
        code="Sequential([Input(shape=(3, 1)), SimpleRNN(10), Dense(1)])",
        x=("float", (4, 3, 1)),
    ),
    dict(
        id="simple_rnn_sequences",
        description="SimpleRNN(4, return_sequences=True): output (None, 5, 4).",
        code="Sequential([Input(shape=(5, 2)), SimpleRNN(4, return_sequences=True)])",
        x=("float", (3, 5, 2)),
    ),
    dict(
        id="simple_rnn_relu",
        description="SimpleRNN with activation='relu', then Dense(1).",
        code="Sequential([Input(shape=(4, 3)), SimpleRNN(6, activation='relu'), Dense(1)])",
        x=("float", (3, 4, 3)),
    ),
    dict(
        id="simple_rnn_linear",
        description="SimpleRNN with activation=None (config reports 'linear').",
        code="Sequential([Input(shape=(4, 3)), SimpleRNN(5, activation=None)])",
        x=("float", (3, 4, 3)),
    ),
    dict(
        id="simple_rnn_no_bias",
        description="SimpleRNN(7, use_bias=False): only kernel and recurrent_kernel.",
        code="Sequential([Input(shape=(4, 3)), SimpleRNN(7, use_bias=False), Dense(2)])",
        x=("float", (3, 4, 3)),
    ),
    dict(
        id="simple_rnn_go_backwards",
        description="SimpleRNN(5, go_backwards=True): reads the sequence last step first.",
        code="Sequential([Input(shape=(6, 2)), SimpleRNN(5, go_backwards=True)])",
        x=("float", (3, 6, 2)),
    ),
    dict(
        id="simple_rnn_go_backwards_sequences",
        description="SimpleRNN(5, go_backwards=True, return_sequences=True): the returned "
        "sequence is in processing (reversed) order, as Keras returns it.",
        code="Sequential([Input(shape=(6, 2)), "
        "SimpleRNN(5, go_backwards=True, return_sequences=True)])",
        x=("float", (3, 6, 2)),
    ),
    dict(
        id="simple_rnn_unknown_timesteps",
        description="SimpleRNN on input shape (None, 8): any number of timesteps "
        "(x has 5 timesteps).",
        code="Sequential([Input(shape=(None, 8)), SimpleRNN(16), Dense(1)])",
        x=("float", (3, 5, 8)),
    ),
    dict(
        id="simple_rnn_stacked",
        description="Three stacked SimpleRNNs (auto-names simple_rnn, simple_rnn_1, "
        "simple_rnn_2) and a Dense.",
        code="Sequential([Input(shape=(6, 3)), SimpleRNN(8, return_sequences=True), "
        "SimpleRNN(8, return_sequences=True), SimpleRNN(4), Dense(1)])",
        x=("float", (3, 6, 3)),
    ),
    dict(
        id="lstm",
        description="LSTM(32) on (7, 4); 4,736 params (thousands separator in Keras 3).",
        code="Sequential([Input(shape=(7, 4)), LSTM(32)])",
        x=("float", (3, 7, 4)),
    ),
    dict(
        id="lstm_sequences",
        description="LSTM(32, return_sequences=True) then Dense(1) applied per timestep.",
        code="Sequential([Input(shape=(7, 4)), LSTM(32, return_sequences=True), Dense(1)])",
        x=("float", (3, 7, 4)),
    ),
    dict(
        id="gru",
        description="GRU(32) with the default reset_after=True (two bias rows).",
        code="Sequential([Input(shape=(7, 4)), GRU(32)])",
        x=("float", (3, 7, 4)),
    ),
    dict(
        id="gru_reset_after_false",
        description="GRU(32, reset_after=False) (one bias row, the original GRU).",
        code="Sequential([Input(shape=(7, 4)), GRU(32, reset_after=False)])",
        x=("float", (3, 7, 4)),
    ),
    dict(
        id="gru_sequences",
        description="GRU(16, return_sequences=True) then Dense(2).",
        code="Sequential([Input(shape=(5, 3)), GRU(16, return_sequences=True), Dense(2)])",
        x=("float", (3, 5, 3)),
    ),
    dict(
        id="bidirectional_lstm",
        description="Bidirectional(LSTM(16)) (merge_mode='concat') then Dense(1).",
        code="Sequential([Input(shape=(6, 3)), Bidirectional(LSTM(16)), Dense(1)])",
        x=("float", (3, 6, 3)),
    ),
    dict(
        id="bidirectional_lstm_sequences",
        description="Bidirectional(LSTM(16, return_sequences=True)): output (None, 6, 32).",
        code="Sequential([Input(shape=(6, 3)), Bidirectional(LSTM(16, return_sequences=True))])",
        x=("float", (3, 6, 3)),
    ),
    dict(
        id="bidirectional_lstm_sum",
        description="Bidirectional(LSTM(8), merge_mode='sum').",
        code="Sequential([Input(shape=(5, 3)), Bidirectional(LSTM(8), merge_mode='sum')])",
        x=("float", (3, 5, 3)),
    ),
    dict(
        id="bidirectional_lstm_ave",
        description="Bidirectional(LSTM(8), merge_mode='ave').",
        code="Sequential([Input(shape=(5, 3)), Bidirectional(LSTM(8), merge_mode='ave')])",
        x=("float", (3, 5, 3)),
    ),
    dict(
        id="bidirectional_lstm_mul",
        description="Bidirectional(LSTM(8), merge_mode='mul').",
        code="Sequential([Input(shape=(5, 3)), Bidirectional(LSTM(8), merge_mode='mul')])",
        x=("float", (3, 5, 3)),
    ),
    dict(
        id="bidirectional_gru",
        description="Bidirectional(GRU(8, return_sequences=True)) then "
        "Bidirectional(SimpleRNN(4)): names bidirectional, bidirectional_1.",
        code="Sequential([Input(shape=(5, 3)), "
        "Bidirectional(GRU(8, return_sequences=True)), Bidirectional(SimpleRNN(4))])",
        x=("float", (3, 5, 3)),
    ),
    dict(
        id="embedding_simple_rnn",
        description="Chollet's Embedding(10000, 32) + SimpleRNN(32) (322,080 params) on "
        "token sequences of unknown length: Input(shape=(None,)), Embedding output "
        "(None, None, 32).",
        code="Sequential([Input(shape=(None,)), Embedding(10000, 32), SimpleRNN(32)])",
        x=("int", (3, 6), 10000),
    ),
    dict(
        id="chollet_unbuilt",
        description="Chollet's model exactly as the book writes it, without an input shape: "
        "unbuilt in Keras 3 ('?', '0 (unbuilt)'), but BUILT in tf_keras / Keras 2, whose "
        "Embedding defaults to input_shape=(None,) (see tf_keras_model).",
        code="Sequential([Embedding(10000, 32), SimpleRNN(32)])",
        x=None,
    ),
    dict(
        id="embedding_lstm_large",
        description="Embedding(20000, 64) + LSTM(256) + Dense(1, 'sigmoid'): 1,608,961 "
        "params (over a million; MB in the byte sizes).",
        code="Sequential([Input(shape=(None,)), Embedding(20000, 64), LSTM(256), "
        "Dense(1, activation='sigmoid')])",
        x=("int", (2, 5), 20000),
    ),
    dict(
        id="dense_3d",
        description="Dense(5) on a 3-D input (None, 3, 4): applied to the last axis.",
        code="Sequential([Input(shape=(3, 4)), Dense(5)])",
        x=("float", (3, 3, 4)),
    ),
    dict(
        id="dense_softmax",
        description="SimpleRNN(16) then Dense(5, activation='softmax').",
        code="Sequential([Input(shape=(8, 2)), SimpleRNN(16), Dense(5, activation='softmax')])",
        x=("float", (3, 8, 2)),
    ),
    dict(
        id="named_layers",
        description="Explicit layer names are kept (name='encoder', name='head').",
        code="Sequential([Input(shape=(4, 2)), SimpleRNN(3, name='encoder'), "
        "Dense(2, name='head')])",
        x=("float", (3, 4, 2)),
    ),
    dict(
        id="custom_model_name",
        description="A custom model name: Sequential(..., name='char_rnn').",
        code="Sequential([Input(shape=(4, 2)), SimpleRNN(3), Dense(2)], name='char_rnn')",
        x=("float", (3, 4, 2)),
    ),
    dict(
        id="unbuilt",
        description="Sequential([SimpleRNN(10), Dense(1)]) without any input shape: unbuilt. "
        "Keras 3 prints '?' and '0 (unbuilt)'; Keras 2 styles raise ValueError.",
        code="Sequential([SimpleRNN(10), Dense(1)])",
        x=None,
    ),
    dict(
        id="long_names",
        description="Long names: 'bidirectional_1 (Bidirectional)' and a 46-character "
        "explicit layer name, to show how each style truncates or wraps.",
        code="Sequential([Input(shape=(6, 3)), Bidirectional(LSTM(8, return_sequences=True)), "
        "Bidirectional(GRU(8)), "
        "Dense(1, name='a_rather_long_dense_layer_name_to_see_wrapping')])",
        x=("float", (3, 6, 3)),
    ),
    dict(
        id="wrapped_layer_name",
        description="Layer names that fit their column alone but not with ' (Class)': "
        "Keras 3 moves '(SimpleRNN)' to a second line, without an ellipsis.",
        code="Sequential([Input(shape=(4, 2)), "
        "SimpleRNN(4, name='encoder_recurrent_layer_one', return_sequences=True), "
        "SimpleRNN(4, name='decoder_recurrent_layer'), Dense(1, name='d')])",
        x=("float", (3, 4, 2)),
    ),
    dict(
        id="long_model_name",
        description="A long custom model name (longer than the default summary width).",
        code="Sequential([Input(shape=(3, 1)), SimpleRNN(2)], "
        "name='a_model_with_a_very_long_name_that_is_longer_than_the_summary_width_itself_ok')",
        x=("float", (2, 3, 1)),
    ),
]

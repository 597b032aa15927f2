"""The chapter-6 book scripts in examples/ (Embedding, SimpleRNN, LSTM on
IMDB), run end to end on a small format-exact IMDB file, each in its own
process as a reader would run it (see test_examples_ch34.py)."""
from tests import dataset_fixtures as fx
from tests.test_examples_ch34 import assert_pngs, run_example


def test_imdb_embedding(keraslite_home, tmp_path):
    fx.write_imdb(keraslite_home, num_samples=300, vocab=2000)
    out = run_example("imdb_embedding.py", tmp_path, epochs=2)
    assert "Argument `input_length` is deprecated" not in out  # a warning, on stderr
    assert "embedding_1 (Embedding)" in out  # the book's second Embedding
    assert out.count("Epoch 2/2") == 1
    assert "val_acc" in out  # metrics=['acc'] is logged under the book's name


def test_imdb_rnn(keraslite_home, tmp_path):
    fx.write_imdb(keraslite_home, num_samples=300, vocab=2000)
    out = run_example("imdb_rnn.py", tmp_path, epochs=2)
    assert "input_train shape: (300, 500)" in out
    assert out.count("simple_rnn") >= 6  # the four summaries name their layers
    assert out.count("Epoch 2/2") == 2  # SimpleRNN, then LSTM
    assert_pngs(tmp_path, ["imdb_lstm_accuracy.png", "imdb_lstm_loss.png",
                           "imdb_simple_rnn_accuracy.png", "imdb_simple_rnn_loss.png"])

"""Recurrent layers (RNN, SimpleRNN, LSTM, GRU and their cells) and their wrappers."""

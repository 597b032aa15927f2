"""Side-by-side tests of keraslite against real Keras (TensorFlow backend)."""

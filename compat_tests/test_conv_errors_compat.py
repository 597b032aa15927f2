"""The bad arguments of tests/test_conv_layers.py raise the same exception
type in Keras 3 as in keraslite, except the three listed below, where
keraslite raises and Keras does not (or fails later inside TensorFlow)."""
import pytest

from tests.test_conv_layers import BAD_ARGUMENTS

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

# label -> what Keras does instead
KERAS_DIFFERS = {
    "kernel_size=(2, 2.0)": "accepts the float",
    "lora_rank": "supports LoRA (keraslite does not)",
    "output size that convolves back wrong": "fails in the TensorFlow op",
}


@pytest.mark.parametrize("label,fn,error,match", BAD_ARGUMENTS,
                         ids=[b[0] for b in BAD_ARGUMENTS])
def test_keras_raises_the_same_exception_type(label, fn, error, match):
    if label not in KERAS_DIFFERS:
        with pytest.raises(error):
            fn(keras)
    elif label == "output size that convolves back wrong":
        with pytest.raises(tf.errors.OpError):
            fn(keras)
    else:
        fn(keras)  # Keras accepts it


def test_keras_messages_match_for_the_argument_checks():
    # Keras's own wording, which keraslite's messages match too.
    same_words = ("filters=-1", "filters=0", "kernel_size=0", "kernel_size=-1",
                  "strides=0", "groups=0", "strides and dilation", "filters % groups",
                  "depth_multiplier=0", "output_padding >= strides", "data_format")
    checked = 0
    for label, fn, error, match in BAD_ARGUMENTS:
        if label in same_words:
            with pytest.raises(error, match=match):
                fn(keras)
            checked += 1
    assert checked == len(same_words)

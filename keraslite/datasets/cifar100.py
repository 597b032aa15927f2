"""CIFAR100 small images classification dataset."""
import numpy as np

from keraslite.datasets import cifar

_DIRNAME = "cifar-100-python-target"
_INNER = "cifar-100-python"
_ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode="fine"):
    """Loads the CIFAR100 dataset.

    50,000 32x32 color training images and 10,000 test images, labeled over
    100 fine-grained classes grouped into 20 coarse-grained classes. Found
    in Keras's cache layout (`~/.keraslite/datasets/cifar-100-python-target/`
    or its `_archive`, then the same under `~/.keras/datasets`), else
    downloaded.

    Args:
        label_mode: `"fine"` (100 classes) or `"coarse"` (20 superclasses).

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`; `x`
        uint8 `(num_samples, 32, 32, 3)` (`(num_samples, 3, 32, 32)` with
        `channels_first`), `y` int64 `(num_samples, 1)`, as Keras's.
    """
    if label_mode not in ["fine", "coarse"]:
        raise ValueError(
            '`label_mode` must be one of `"fine"`, `"coarse"`. '
            f"Received: label_mode={label_mode}."
        )
    members = ["train", "test"]
    raw = cifar.read_batches(_DIRNAME, _INNER, members, _ORIGIN, _HASH)
    key = f"{label_mode}_labels"
    (x_train, y_train), (x_test, y_test) = [
        cifar.parse_batch(data, key, f"{_INNER}/{name}") for data, name in zip(raw, members)
    ]
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    return (cifar.to_image_format(x_train), y_train), (cifar.to_image_format(x_test), y_test)

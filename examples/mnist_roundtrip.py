"""Train the book's MNIST network in keraslite, open its files in Keras.

Trains `Dense(512, relu) -> Dense(10, softmax)` with RMSprop, saves it as
`mnist.h5` (legacy HDF5) and `mnist.keras`, loads both in real Keras 3 and
evaluates all three on the test set: the accuracies are the same.

Usage:
    python examples/mnist_roundtrip.py            # full data, 5 epochs
    python examples/mnist_roundtrip.py --epochs 1 --train-samples 2000
"""
import argparse
import os
import tempfile

import numpy as np

import keraslite
from keraslite import layers, models
from keraslite.utils import to_categorical


def load_mnist(npz=None):
    """MNIST via keraslite.datasets (or a local mnist.npz copy)."""
    if npz is None:
        from keraslite.datasets import mnist

        return mnist.load_data()
    with np.load(npz, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--train-samples", type=int, default=60000)
    parser.add_argument("--test-samples", type=int, default=10000)
    parser.add_argument("--out", default=None, help="folder for the files")
    parser.add_argument("--npz", default=None, help="local mnist.npz")
    args = parser.parse_args(argv)

    (train_images, train_labels), (test_images, test_labels) = load_mnist(args.npz)
    n, m = args.train_samples, args.test_samples
    train_images = train_images[:n].reshape((-1, 28 * 28)).astype("float32") / 255
    test_images = test_images[:m].reshape((-1, 28 * 28)).astype("float32") / 255
    train_labels = to_categorical(train_labels[:n])
    test_labels = to_categorical(test_labels[:m])

    keraslite.utils.set_random_seed(0)
    network = models.Sequential()
    network.add(layers.Dense(512, activation="relu", input_shape=(28 * 28,)))
    network.add(layers.Dense(10, activation="softmax"))
    network.compile(optimizer="rmsprop", loss="categorical_crossentropy",
                    metrics=["accuracy"])
    network.fit(train_images, train_labels, epochs=args.epochs, batch_size=128,
                verbose=0)

    out = args.out or tempfile.mkdtemp()
    paths = {"h5": os.path.join(out, "mnist.h5"),
             "keras": os.path.join(out, "mnist.keras")}
    network.save(paths["h5"])
    network.save(paths["keras"])

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    results = {}
    loss, acc = network.evaluate(test_images, test_labels, verbose=0)
    results["keraslite"] = {"loss": loss, "accuracy": acc}
    for fmt, path in paths.items():
        model = keras.models.load_model(path)
        loss, acc = model.evaluate(test_images, test_labels, verbose=0)
        results[f"keras ({fmt})"] = {"loss": float(loss), "accuracy": float(acc)}
    for name, r in results.items():
        print(f"{name:>16}: test accuracy {r['accuracy']:.4f}, "
              f"loss {r['loss']:.4f}")
    return results


if __name__ == "__main__":
    main()

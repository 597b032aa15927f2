"""A two-input, two-output functional model and a subclassed model on MNIST.

Written as a Keras 3 user would, with `keras` swapped for `keraslite`:
the functional model reads the top and bottom halves of each digit as two
inputs and predicts the digit and whether it is even; the subclassed model
uses a custom layer written only with `keraslite.ops` (no backward by hand)
and trains with the same `fit`.
"""
import os

import numpy as np

import keraslite as keras
from keraslite import layers, ops

samples = int(os.environ.get("KERASLITE_EXAMPLE_SAMPLES", "60000"))
epochs = int(os.environ.get("KERASLITE_EXAMPLE_EPOCHS", "3"))

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train[:samples].reshape(-1, 784).astype("float32") / 255
x_test = x_test.reshape(-1, 784).astype("float32") / 255
y_train = y_train[:samples]

# --- functional: two inputs, two outputs, a shared tower -----------------------------
top = keras.Input(shape=(392,), name="top")
bottom = keras.Input(shape=(392,), name="bottom")
tower = layers.Dense(128, activation="relu", name="tower")  # shared by both halves
features = layers.Concatenate(name="join")([tower(top), tower(bottom)])
features = layers.Dropout(0.2)(features)
digit = layers.Dense(10, activation="softmax", name="digit")(features)
even = layers.Dense(1, activation="sigmoid", name="even")(features)
model = keras.Model(inputs=[top, bottom], outputs=[digit, even], name="halves")
model.summary()

model.compile(
    optimizer="rmsprop",
    loss={"digit": "sparse_categorical_crossentropy", "even": "binary_crossentropy"},
    loss_weights={"digit": 1.0, "even": 0.5},
    metrics={"digit": ["accuracy"], "even": ["accuracy"]},
)
halves = lambda x: {"top": x[:, :392], "bottom": x[:, 392:]}  # noqa: E731
targets = lambda y: {"digit": y, "even": (y % 2 == 0).astype("float32")}  # noqa: E731
history = model.fit(halves(x_train), targets(y_train), epochs=epochs,
                    batch_size=128, validation_split=0.1, verbose=2)
results = model.evaluate(halves(x_test), targets(y_test), verbose=0, return_dict=True)
print("functional test results:", {k: round(v, 4) for k, v in results.items()})


# --- subclassed: a custom layer written with ops ------------------------------------------
class Antirectifier(layers.Layer):
    """Keras's antirectifier example: keeps both signs of the centred input."""

    def build(self, input_shape):
        dim = input_shape[-1]
        self.kernel = self.add_weight(shape=(dim * 2, dim), initializer="he_normal",
                                      name="kernel")

    def call(self, inputs):
        inputs = inputs - ops.mean(inputs, axis=-1, keepdims=True)
        both = ops.concatenate([ops.relu(inputs), ops.relu(-inputs)], axis=-1)
        return ops.matmul(both, self.kernel)


class Classifier(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(256, name="hidden")
        self.anti = Antirectifier(name="anti")
        self.out = layers.Dense(10, activation="softmax", name="out")

    def call(self, inputs, training=False):
        return self.out(self.anti(self.hidden(inputs)))


classifier = Classifier(name="classifier")
classifier.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                   metrics=["accuracy"])
classifier.fit(x_train, y_train, epochs=epochs, batch_size=128, verbose=2)
test_loss, test_acc = classifier.evaluate(x_test, y_test, verbose=0)
print("subclassed test accuracy:", round(test_acc, 4))
print("predictions:", np.argmax(classifier.predict(x_test[:5], verbose=0), axis=1),
      "labels:", y_test[:5])

"""The book workload in plain PyTorch, a peer of the benchmark (not keraslite).

`benchmarks.worker` drives it like a Keras module: `build_network`,
`utils.set_random_seed`, `callbacks.Callback`, and a model with `fit`,
`evaluate`, `predict` and `__call__`. The network and training are the
book's: Linear(784, 512) -> ReLU -> Linear(512, 10), Glorot-uniform weights
and zero biases (Keras's defaults), RMSprop(lr=1e-3, alpha=0.9, eps=1e-7;
PyTorch adds eps outside the square root), softmax cross-entropy on the
logits, batches of 128 reshuffled every epoch, loss and accuracy tracked
per epoch. PyTorch uses its default intra-op threads (one per core).
"""
import types

import numpy as np
import torch

__version__ = torch.__version__
IS_PEER = True


class Callback:
    """What the worker's epoch timer subclasses (Keras's Callback hooks)."""

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass


def set_random_seed(value):
    torch.manual_seed(value)
    np.random.seed(value)


callbacks = types.SimpleNamespace(Callback=Callback)
utils = types.SimpleNamespace(set_random_seed=set_random_seed)


class History:
    def __init__(self):
        self.history = {"loss": [], "accuracy": []}


class BookNet:
    """The book's network with Keras-like fit / evaluate / predict."""

    def __init__(self, features, hidden, classes):
        self.net = torch.nn.Sequential(
            torch.nn.Linear(features, hidden), torch.nn.ReLU(),
            torch.nn.Linear(hidden, classes))
        for layer in self.net:
            if isinstance(layer, torch.nn.Linear):
                torch.nn.init.xavier_uniform_(layer.weight)
                torch.nn.init.zeros_(layer.bias)
        self.optimizer = torch.optim.RMSprop(self.net.parameters(), lr=1e-3,
                                             alpha=0.9, eps=1e-7)
        self.loss = torch.nn.CrossEntropyLoss()

    def fit(self, x, y, epochs=1, batch_size=32, verbose=0, callbacks=()):
        inputs = torch.from_numpy(x)
        labels = torch.from_numpy(np.argmax(y, axis=1))
        n = len(inputs)
        history = History()
        self.net.train()
        for epoch in range(epochs):
            for callback in callbacks:
                callback.on_epoch_begin(epoch)
            order = torch.randperm(n)
            total = torch.zeros(())
            correct = torch.zeros((), dtype=torch.int64)
            for start in range(0, n, batch_size):
                index = order[start:start + batch_size]
                xb, yb = inputs[index], labels[index]
                logits = self.net(xb)
                loss = self.loss(logits, yb)
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                self.optimizer.step()
                with torch.no_grad():
                    total += loss * len(index)
                    correct += (logits.argmax(1) == yb).sum()
            history.history["loss"].append(float(total) / n)
            history.history["accuracy"].append(float(correct) / n)
            for callback in callbacks:
                callback.on_epoch_end(epoch, {})
        return history

    def __call__(self, x):
        self.net.eval()
        with torch.no_grad():
            return torch.softmax(self.net(torch.from_numpy(x)), dim=1).numpy()

    def predict(self, x, batch_size=32, verbose=0):
        self.net.eval()
        with torch.no_grad():
            outs = [torch.softmax(self.net(torch.from_numpy(x[i:i + batch_size])), 1)
                    for i in range(0, len(x), batch_size)]
        return torch.cat(outs).numpy()

    def evaluate(self, x, y, verbose=0):
        probs = self.predict(x, batch_size=32)
        labels = np.argmax(y, axis=1)
        loss = -np.mean(np.log(np.clip(probs[np.arange(len(y)), labels], 1e-7, 1)))
        return float(loss), float(np.mean(np.argmax(probs, 1) == labels))


def build_network(features, hidden, classes):
    return BookNet(features, hidden, classes)

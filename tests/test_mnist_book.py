"""examples/mnist_book.py (the book's chapter-2 script) on the full MNIST data."""
import runpy
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mnist_book.py"


def test_book_script_reaches_book_accuracy(mnist_cached, capsys):
    # The script is the book's listing, byte for byte apart from the
    # imports, then the notebook's final print (marked `# keraslite:`); it
    # loads MNIST through keraslite.datasets.mnist from the offline cache.
    namespace = runpy.run_path(str(EXAMPLE), run_name="__main__")
    network = namespace["network"]
    train_accuracy = network.history.history["accuracy"][-1]
    assert len(network.history.epoch) == 5
    assert train_accuracy >= 0.985, train_accuracy
    assert namespace["test_acc"] >= 0.975, namespace["test_acc"]
    assert namespace["test_loss"] < 0.1
    out = capsys.readouterr().out
    assert "Epoch 5/5" in out and "469/469" in out and "313/313" in out
    assert out.endswith(f"test_acc: {namespace['test_acc']}\n")


def test_book_script_ends_with_the_notebooks_print():
    last = EXAMPLE.read_text().rstrip("\n").splitlines()[-1]
    assert last.startswith("print('test_acc:', test_acc)  # keraslite:")

"""What the book scripts in this folder share, so that they stay the book's code.

- Run-size overrides: `book_epochs(20)` is 20, or `$KERASLITE_EXAMPLE_EPOCHS`
  when it is set; `book_size(10000)` is 10000, or
  `$KERASLITE_EXAMPLE_VAL_SIZE`. The tests set them to run the scripts
  small; unset, every script runs exactly as printed in the book.
- matplotlib is optional: when it is missing, a notice says so and the
  book's `import matplotlib.pyplot as plt` gets a stand-in whose calls do
  nothing, so the training runs and only the plots are skipped.

The book's `plt.show()` is kept; each script adds `plt.savefig(...)` before
it (the PNG files land in the current folder) and `plt.close()` after it,
so that with a non-interactive backend (MPLBACKEND=Agg) every figure
starts empty, as each notebook cell's does.
"""
import os
import sys
import types


def book_epochs(n):
    """The book's epoch count `n`, or $KERASLITE_EXAMPLE_EPOCHS if set."""
    return int(os.environ.get("KERASLITE_EXAMPLE_EPOCHS", n))


def book_size(n):
    """The book's held-out sample count `n`, or $KERASLITE_EXAMPLE_VAL_SIZE if set."""
    return int(os.environ.get("KERASLITE_EXAMPLE_VAL_SIZE", n))


def _install_pyplot_stand_in():
    pyplot = types.ModuleType("matplotlib.pyplot")
    pyplot.__getattr__ = lambda name: (lambda *args, **kwargs: None)
    matplotlib = types.ModuleType("matplotlib")
    matplotlib.pyplot = pyplot
    sys.modules["matplotlib"] = matplotlib
    sys.modules["matplotlib.pyplot"] = pyplot


try:
    import matplotlib.pyplot  # noqa: F401  (the book imports it where it plots)
    HAVE_MATPLOTLIB = True
except ImportError:
    HAVE_MATPLOTLIB = False
    print(
        "NOTE: matplotlib is not installed, so this script trains as in the "
        "book but draws no plots and writes no PNG files. Install it with "
        "`pip install matplotlib` (or `pip install keraslite[plot]`).",
        flush=True,
    )
    _install_pyplot_stand_in()

"""Reuters newswire topic classification dataset."""
import numpy as np

from keraslite.datasets import _common

_ORIGIN = _common.ORIGIN_FOLDER + "reuters.npz"
_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
_WORD_INDEX_ORIGIN = _common.ORIGIN_FOLDER + "reuters_word_index.json"
_WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"
_SPEC = {"x": ("O", (None,)), "y": ("iu", (None,))}


def load_data(
    path="reuters.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    test_split=0.2,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
):
    """Loads the Reuters newswire dataset (11,228 newswires, 46 topics).

    Each newswire is a list of word indexes; words are indexed by frequency,
    so `3` is the 3rd most frequent word. `0` is the padding index.

    Args:
        path: File name in the cache (`~/.keraslite/datasets`).
        num_words: Keep only the `num_words` most frequent words; the others
            become `oov_char`. `None` keeps all words.
        skip_top: The `skip_top` most frequent words also become `oov_char`.
        maxlen: Drop sequences of `maxlen` words or more (after adding
            `start_char`). `None` keeps all.
        test_split: Fraction of the dataset used as test data.
        seed: Seed for the reproducible shuffling.
        start_char: Index marking the start of a sequence (`None`: none).
        oov_char: Index replacing the cut words (`None`: they are removed).
        index_from: Offset added to actual word indexes.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`;
        `x` is an object array of lists of ints, `y` the topic indexes
        (see `get_label_names()`).
    """
    path = _common.fetch(path, _ORIGIN, _HASH)
    # NOTE: the sequences are ragged object arrays stored as pickle streams;
    # they are read with a restricted unpickler, never allow_pickle=True.
    f = _common.load_npz_checked(path, _SPEC, _ORIGIN, _HASH, same_length=[("x", "y")])
    xs, labels = f["x"], f["y"]

    rng = np.random.RandomState(seed)
    indices = np.arange(len(xs))
    rng.shuffle(indices)
    xs = xs[indices]
    labels = labels[indices]

    if start_char is not None:
        xs = [[start_char] + [w + index_from for w in x] for x in xs]
    elif index_from:
        xs = [[w + index_from for w in x] for x in xs]

    if maxlen:
        xs, labels = _common.remove_long_seq(maxlen, xs, labels)

    xs = _common.limit_vocabulary(xs, num_words, skip_top, oov_char)

    idx = int(len(xs) * (1 - test_split))
    x_train, y_train = (
        np.array(xs[:idx], dtype="object"),
        np.array(labels[:idx]),
    )
    x_test, y_test = np.array(xs[idx:], dtype="object"), np.array(labels[idx:])

    return (x_train, y_train), (x_test, y_test)


def get_word_index(path="reuters_word_index.json"):
    """Retrieves the dict mapping words to their index in the Reuters dataset.

    Indexes 0 (padding), 1 (start) and 2 (oov) are reserved in the
    sequences, so the word with index `i` here appears as `i + 3` there.

    Args:
        path: File name in the cache (`~/.keraslite/datasets`).

    Returns:
        The word index dictionary: `{word: index}`.
    """
    path = _common.fetch(path, _WORD_INDEX_ORIGIN, _WORD_INDEX_HASH)
    return _common.load_word_index(path, _WORD_INDEX_ORIGIN, _WORD_INDEX_HASH)


def get_label_names():
    """Returns the 46 topic names, indexed like the labels of `load_data`."""
    return (
        "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper",
        "housing", "money-supply", "coffee", "sugar", "trade", "reserves",
        "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
        "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
        "strategic-metal", "livestock", "retail", "ipi", "iron-steel",
        "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
        "dlr", "gas", "silver", "wpi", "hog", "lead",
    )

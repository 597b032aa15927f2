"""IMDB sentiment classification dataset."""
import numpy as np

from keraslite.datasets import _common

_ORIGIN = _common.ORIGIN_FOLDER + "imdb.npz"
_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
_WORD_INDEX_ORIGIN = _common.ORIGIN_FOLDER + "imdb_word_index.json"
_WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"
_SPEC = {
    "x_train": ("O", (None,)),
    "y_train": ("iu", (None,)),
    "x_test": ("O", (None,)),
    "y_test": ("iu", (None,)),
}


def load_data(
    path="imdb.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
    **kwargs,
):
    """Loads the IMDB dataset (25,000 train and 25,000 test movie reviews).

    Each review is a list of word indexes; words are indexed by frequency,
    so `3` is the 3rd most frequent word. `0` is the padding index.

    Args:
        path: File name in the cache (`~/.keraslite/datasets`).
        num_words: Keep only the `num_words` most frequent words; the others
            become `oov_char`. `None` keeps all words.
        skip_top: The `skip_top` most frequent words also become `oov_char`.
        maxlen: Drop sequences of `maxlen` words or more (after adding
            `start_char`). `None` keeps all.
        seed: Seed for the reproducible shuffling.
        start_char: Index marking the start of a sequence (`None`: none).
        oov_char: Index replacing the cut words (`None`: they are removed).
        index_from: Offset added to actual word indexes.
        **kwargs: Accepted and ignored, as in Keras.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`;
        `x` is an object array of lists of ints, `y` the 0/1 labels.

    Note: the out-of-vocabulary character is only used for words present in
    the training set but cut by `num_words`/`skip_top`.
    """
    path = _common.fetch(path, _ORIGIN, _HASH)
    # NOTE: the sequences are ragged object arrays stored as pickle streams;
    # they are read with a restricted unpickler, never allow_pickle=True.
    f = _common.load_npz_checked(
        path, _SPEC, _ORIGIN, _HASH,
        same_length=[("x_train", "y_train"), ("x_test", "y_test")],
    )
    x_train, labels_train = f["x_train"], f["y_train"]
    x_test, labels_test = f["x_test"], f["y_test"]

    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train = x_train[indices]
    labels_train = labels_train[indices]

    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test = x_test[indices]
    labels_test = labels_test[indices]

    if start_char is not None:
        x_train = [[start_char] + [w + index_from for w in x] for x in x_train]
        x_test = [[start_char] + [w + index_from for w in x] for x in x_test]
    elif index_from:
        x_train = [[w + index_from for w in x] for x in x_train]
        x_test = [[w + index_from for w in x] for x in x_test]
    else:
        x_train = [[w for w in x] for x in x_train]
        x_test = [[w for w in x] for x in x_test]

    if maxlen:
        x_train, labels_train = _common.remove_long_seq(maxlen, x_train, labels_train)
        x_test, labels_test = _common.remove_long_seq(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(
                "After filtering for sequences shorter than maxlen="
                f"{str(maxlen)}, no sequence was kept. Increase maxlen."
            )

    xs = x_train + x_test
    labels = np.concatenate([labels_train, labels_test])

    xs = _common.limit_vocabulary(xs, num_words, skip_top, oov_char)

    idx = len(x_train)
    x_train, y_train = np.array(xs[:idx], dtype="object"), labels[:idx]
    x_test, y_test = np.array(xs[idx:], dtype="object"), labels[idx:]
    return (x_train, y_train), (x_test, y_test)


def get_word_index(path="imdb_word_index.json"):
    """Retrieves the dict mapping words to their index in the IMDB dataset.

    Args:
        path: File name in the cache (`~/.keraslite/datasets`).

    Returns:
        The word index dictionary: `{word: index}`. Add `index_from` to an
        index to find the word in the sequences of `load_data`.

    Example:

    >>> word_index = imdb.get_word_index()  # doctest: +SKIP
    >>> inverted = {i + 3: word for word, i in word_index.items()}  # doctest: +SKIP
    """
    path = _common.fetch(path, _WORD_INDEX_ORIGIN, _WORD_INDEX_HASH)
    return _common.load_word_index(path, _WORD_INDEX_ORIGIN, _WORD_INDEX_HASH)

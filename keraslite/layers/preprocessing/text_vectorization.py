"""TextVectorization: strings to token indices or bag-of-words vectors, in NumPy.

Ported from Keras 3's `keras/src/layers/preprocessing/text_vectorization.py`
with TensorFlow's string ops written in Python as TensorFlow computes them:
`tf.strings.lower` lowercases ASCII letters only, the punctuation regex is
Keras's, "whitespace" splits on ASCII whitespace only (not on U+00A0),
"character" splits into Unicode code points, and `tf.strings.ngrams` joins
with a space, every 1-gram of a text first, then every 2-gram, ...

A callable `standardize` gets a NumPy array of `str` (as Keras calls it on
its non-TensorFlow backends) and returns one; a callable `split` gets a 1-D
NumPy array of `str` and returns one list of tokens per string.
"""
import re

import numpy as np

from keraslite.layers.layer import Layer
from keraslite.layers.preprocessing.index_lookup import IndexLookup

_PUNCTUATION = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\''
_STRIP_PUNCTUATION = str.maketrans("", "", _PUNCTUATION)
# tf.strings.lower (no encoding): ASCII letters only.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                             "abcdefghijklmnopqrstuvwxyz")
_NOT_WHITESPACE = re.compile("[^ \t\n\v\f\r]+")


def _check_string_arg(value, allowed, arg_name, allow_none=False, allow_callables=False):
    """Keras's `argument_validation.validate_string_arg`."""
    if allow_none and value is None:
        return
    if allow_callables and callable(value):
        return
    if isinstance(value, str) and value in allowed:
        return
    raise ValueError(
        f"Unknown value for `{arg_name}` argument of TextVectorization. "
        f"Allowed values are: {allowed}. Received: "
        f"{arg_name}={value}"
    )


class TextVectorization(Layer):
    """A preprocessing layer which maps text features to integer sequences.

    Each string is standardized (lowercased, punctuation stripped), split
    into tokens (words), optionally combined into ngrams, and looked up in
    a vocabulary learned by `adapt()` or given as `vocabulary`. Index 0 is
    the padding ("") and 1 the out-of-vocabulary token "[UNK]" in "int"
    mode; in the other modes column 0 counts the OOV tokens.

    Args:
        max_tokens: Maximum vocabulary size, special tokens included.
        standardize: `"lower_and_strip_punctuation"`, `"lower"`,
            `"strip_punctuation"`, None or a callable.
        split: `"whitespace"`, `"character"`, None or a callable.
        ngrams: None, an integer n (1..n-grams) or a tuple of widths.
        output_mode: `"int"` (int64 indices), `"multi_hot"`, `"count"`
            (int64 `(batch, vocabulary_size)`), or `"tf_idf"` (float32).
        output_sequence_length: In "int" mode, pad or truncate every text
            to this many tokens (else to the longest text of the batch).
        pad_to_max_tokens: In the vector modes, output `max_tokens` columns.
        vocabulary: A list of strings, or the path of a file of one token
            per line.
        idf_weights: With `vocabulary` in "tf_idf" mode, one weight per token.
        sparse, ragged: Only False (TensorFlow tensors in Keras).
        encoding: Text encoding of bytes inputs ("utf-8").

    Example:
    >>> layer = TextVectorization(output_sequence_length=4)
    >>> layer.adapt(["the cat sat", "the dog"])
    >>> layer(["the cat", "a dog"])
    array([[2, 4, 0, 0],
           [1, 3, 0, 0]])
    """

    _protect_inputs = False

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False,
                 vocabulary=None, idf_weights=None, sparse=False, ragged=False,
                 encoding="utf-8", name=None, **kwargs):
        if sparse:
            raise ValueError(
                "`sparse=True` can only be used with the TensorFlow backend."
            )
        if ragged:
            raise ValueError(
                "`ragged=True` can only be used with the TensorFlow backend."
            )
        _check_string_arg(standardize, ("lower_and_strip_punctuation", "lower",
                                        "strip_punctuation"),
                          "standardize", allow_none=True, allow_callables=True)
        _check_string_arg(split, ("whitespace", "character"), "split",
                          allow_none=True, allow_callables=True)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        _check_string_arg(output_mode, ("int", "multi_hot", "count", "tf_idf"),
                          "output_mode")
        if not (ngrams is None or isinstance(ngrams, int)
                or isinstance(ngrams, tuple) and all(isinstance(i, int) for i in ngrams)):
            raise ValueError(
                "`ngrams` must be None, an integer, or a tuple of "
                f"integers. Received: ngrams={ngrams}"
            )
        if output_mode == "int" and not (
                isinstance(output_sequence_length, int) or output_sequence_length is None):
            raise ValueError(
                "`output_sequence_length` must be either None or an "
                "integer when `output_mode` is 'int'. Received: "
                f"output_sequence_length={output_sequence_length}"
            )
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(
                "`output_sequence_length` must not be set if `output_mode` is "
                "not 'int'. "
                f"Received output_sequence_length={output_sequence_length}."
            )
        self._max_tokens = max_tokens
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        self._lookup_layer = IndexLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens,
            vocabulary_size=vocabulary_size,
            has_input_vocabulary=has_input_vocabulary)
        self.built = True

    def build(self, input_shape=None):
        self.built = True

    def compute_output_shape(self, input_shape):
        if self._output_mode == "int":
            return (input_shape[0], self._output_sequence_length)
        depth = self._lookup_layer.max_tokens if self._lookup_layer.pad_to_max_tokens \
            else self._lookup_layer._frozen_vocab_size
        if self._split is None and len(input_shape) > 1:
            return tuple(input_shape[:-1]) + (depth,)
        return tuple(input_shape[:1]) + (depth,)

    # --- vocabulary -----------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary (and IDF weights) from `data`.

        Args:
            data: An array or list of strings, or an iterable of batches of
                strings (a generator, a `PyDataset` yielding strings).
            batch_size: Unused (as in Keras for arrays).
            steps: With batches, the number of batches to read.
        """
        self.reset_state()
        if hasattr(data, "__iter__") and not isinstance(data, (list, tuple, np.ndarray, str)):
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self.update_state(batch)
        else:
            data = np.asarray(data)
            if data.ndim == 1:
                data = data[:, None]
            self.update_state(data)
        self.finalize_state()

    def update_state(self, data):
        tokens = self._preprocess(data)
        if not isinstance(tokens, list):  # split=None: an array of strings
            tokens = tokens.reshape(-1).tolist() if tokens.ndim <= 1 else \
                tokens.reshape(-1, tokens.shape[-1]).tolist()
            if tokens and not isinstance(tokens[0], list):
                tokens = [tokens]  # a 1-D batch is one document (Keras)
        elif tokens and not isinstance(tokens[0], list):
            tokens = [tokens]  # a scalar text's tokens: one document
        self._lookup_layer.update_state(tokens)

    def finalize_state(self):
        self._lookup_layer.finalize_state()

    def reset_state(self):
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary as a list of strings, index `i` at position `i`."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        """Size of the vocabulary, special tokens included."""
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (a list or a file path) and IDF weights."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # --- config and files ----------------------------------------------------------
    def get_config(self):
        lookup = self._lookup_layer
        config = {
            "max_tokens": lookup.max_tokens,
            "standardize": self._standardize,
            "split": self._split,
            "ngrams": self._ngrams_arg,
            "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": lookup.pad_to_max_tokens,
            "sparse": False,
            "ragged": False,
            "vocabulary": _listify(lookup.input_vocabulary),
            "idf_weights": _listify(lookup.input_idf_weights),
            "encoding": self._encoding,
            "vocabulary_size": self.vocabulary_size(),
        }
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("standardize", "split"):
            if config.get(key) is not None and not isinstance(config[key], str):
                raise ValueError(
                    f"keraslite cannot rebuild a custom `{key}` callable from a "
                    f"config ({config[key]!r}); pass the callable to "
                    "TextVectorization directly."
                )
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)

    # As Keras: the files hold the vocabulary and IDF weights twice, for this
    # layer and for its `_lookup_layer`.
    def save_own_variables(self, store):
        """Keras's variables of the layer: `idf_weights` in "tf_idf" mode."""
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store):
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path):
        """Writes `vocabulary.txt` (one token per line) as Keras does, unless
        the vocabulary was passed as a list (then it is in the config)."""
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path):
        """Reads the `vocabulary.txt` that `save_assets` (or Keras) wrote."""
        self._lookup_layer.load_assets(dir_path)

    # --- computing ---------------------------------------------------------------
    def _as_str_array(self, inputs):
        array = np.asarray(inputs)
        if array.dtype.kind == "S":
            array = np.char.decode(array, self._encoding)
        elif array.dtype.kind == "O":
            array = np.vectorize(
                lambda s: s.decode(self._encoding) if isinstance(s, bytes) else str(s),
                otypes=[str])(array) if array.size else array.astype(str)
        elif array.dtype.kind != "U":
            raise ValueError(
                "TextVectorization expects strings. Received an array of dtype "
                f"{array.dtype}."
            )
        return array

    def _standardize_array(self, array):
        standardize = self._standardize
        if callable(standardize):
            return np.asarray(standardize(array), dtype=str)
        if standardize is None:
            return array
        table = {}
        if standardize in ("lower", "lower_and_strip_punctuation"):
            table.update(_ASCII_LOWER)
        if standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            table.update(_STRIP_PUNCTUATION)
        out = [s.translate(table) for s in array.reshape(-1).tolist()]
        return np.array(out, dtype=str).reshape(array.shape) if out else array

    def _split_texts(self, texts):
        """One token list per text of the 1-D array `texts`."""
        if self._split == "whitespace":
            return [_split_ascii_whitespace(s) for s in texts.tolist()]
        if self._split == "character":
            return [list(s) for s in texts.tolist()]
        return [[str(t) for t in tokens] for tokens in self._split(texts)]

    def _preprocess(self, inputs):
        """Standardized, split and ngrammed inputs: a list of token lists
        (a flat list for a scalar input), or an array when `split=None`."""
        array = self._standardize_array(self._as_str_array(inputs))
        if self._split is None:
            tokens = array
            if self._ngrams is not None:
                rows = array.reshape(-1, array.shape[-1]).tolist() if array.ndim > 1 \
                    else [array.tolist()]
                tokens = [_ngrams(row, self._ngrams) for row in rows]
                if array.ndim <= 1:
                    tokens = tokens[0]
            return tokens
        if array.ndim > 1:
            if array.shape[-1] != 1:
                raise ValueError(
                    "When using `TextVectorization` to tokenize "
                    "strings, the input rank must be 1 or the last "
                    f"shape dimension must be 1. Received: "
                    f"inputs.shape={array.shape} with "
                    f"rank={array.ndim}"
                )
            array = array[..., 0]
        if array.ndim == 0:
            tokens = self._split_texts(array.reshape(1))[0]
            return tokens if self._ngrams is None else _ngrams(tokens, self._ngrams)
        if array.ndim > 1:
            raise ValueError(
                "keraslite's TextVectorization takes a scalar, a batch `(n,)` "
                f"or `(n, 1)` of strings. Received: inputs.shape={array.shape}"
            )
        rows = self._split_texts(array)
        if self._ngrams is not None:
            rows = [_ngrams(row, self._ngrams) for row in rows]
        return rows

    def call(self, inputs):
        tokens = self._preprocess(inputs)
        lookup = self._lookup_layer
        if self._output_mode != "int":
            depth = lookup.depth()
            if isinstance(tokens, np.ndarray) and tokens.ndim > 1:  # split=None
                rows = [lookup.lookup(row) for row in
                        tokens.reshape(-1, tokens.shape[-1]).tolist()]
                return lookup.encode(rows, depth).reshape(tokens.shape[:-1] + (depth,))
            if isinstance(tokens, np.ndarray):
                tokens = tokens.reshape(-1).tolist()
            if tokens and isinstance(tokens[0], list):
                return lookup.encode([lookup.lookup(row) for row in tokens], depth)
            return lookup.encode([lookup.lookup(tokens)], depth)[0]  # one text
        length = self._output_sequence_length
        if isinstance(tokens, np.ndarray):  # split=None: an index per string
            flat = np.array(lookup.lookup(tokens.reshape(-1).tolist()), dtype="int64")
            indices = flat.reshape(tokens.shape)
            if length is None:
                return indices
            if indices.ndim == 0:
                raise ValueError(
                    "With `split=None` and `output_sequence_length`, "
                    "TextVectorization needs a batch of strings; received a "
                    "scalar (Keras fails: 'Attempting to slice scalar input')."
                )
            indices = indices[..., :length]
            pad = [(0, 0)] * (indices.ndim - 1) + [(0, length - indices.shape[-1])]
            return np.pad(indices, pad)
        if tokens and not isinstance(tokens[0], list) or not tokens and \
                np.ndim(inputs) == 0:
            indices = np.array(lookup.lookup(tokens), dtype="int64")  # one text
            if length is None:
                return indices
            return np.pad(indices[:length], (0, max(0, length - len(indices))))
        rows = [lookup.lookup(row) for row in tokens]
        width = length if length is not None else max((len(r) for r in rows), default=0)
        out = np.zeros((len(rows), width), dtype="int64")
        for i, row in enumerate(rows):
            row = row[:width]
            out[i, :len(row)] = row
        return out


def _split_ascii_whitespace(text):
    """`tf.strings.split(text)`: runs of ASCII whitespace separate tokens."""
    return _NOT_WHITESPACE.findall(text)


def _ngrams(tokens, widths):
    """`tf.strings.ngrams(tokens, widths, separator=" ")` of one token list."""
    out = []
    for width in widths:
        out.extend(" ".join(tokens[i:i + width]) for i in range(len(tokens) - width + 1))
    return out


def _listify(value):
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        return value.tolist()
    return list(value) if isinstance(value, tuple) else value

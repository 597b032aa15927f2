"""The vocabulary behind `TextVectorization`: Keras 3's `IndexLookup` in NumPy.

Ported from `keras/src/layers/preprocessing/index_lookup.py` as
`StringLookup(mask_token="", oov_token="[UNK]", num_oov_indices=1)` uses it:
the same token order after `adapt` (by count, ties by the token's UTF-8
bytes, both descending), the same indices of the mask and OOV tokens, the
same IDF weights and the same errors. A dict replaces TensorFlow's hash
tables. It is a Layer only so that files hold its state where Keras's
do (`layers/text_vectorization/_lookup_layer/...`); it is never called.
"""
import collections
import os

import numpy as np

from keraslite import backend
from keraslite.layers.layer import Layer


class IndexLookup(Layer):
    """Maps string tokens to integer indices and encodes them.

    Args:
        max_tokens: Maximum vocabulary size (special tokens included).
        vocabulary: A list of tokens, or a path to a file of one token per line.
        idf_weights: IDF weights aligned with `vocabulary` (tf_idf only).
        output_mode: `"int"`, `"multi_hot"`, `"count"` or `"tf_idf"`
            (`"one_hot"` too, as Keras's StringLookup).
        pad_to_max_tokens: Encode to `max_tokens` columns.
        vocabulary_size: The size recorded in a saved config.
        has_input_vocabulary: Whether a vocabulary was given (no adapt then).
    """

    mask_token = ""
    oov_token = "[UNK]"
    num_oov_indices = 1

    def __init__(self, max_tokens=None, vocabulary=None, idf_weights=None,
                 output_mode="int", pad_to_max_tokens=False, vocabulary_size=None,
                 has_input_vocabulary=None, name=None):
        super().__init__(name=name)
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(
                "If set, `max_tokens` must be greater than 1. "
                f"Received: max_tokens={max_tokens}"
            )
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(
                "If pad_to_max_tokens is True, must set `max_tokens`. "
                f"Received: max_tokens={max_tokens}"
            )
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(
                "`idf_weights` should only be set if `output_mode` is "
                f"`'tf_idf'`. Received: idf_weights={idf_weights} and "
                f"output_mode={output_mode}"
            )
        self.max_tokens = max_tokens
        self.output_mode = output_mode
        self.pad_to_max_tokens = pad_to_max_tokens
        self._frozen_vocab_size = vocabulary_size
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = (vocabulary is not None
                                      if has_input_vocabulary is None
                                      else has_input_vocabulary)
        self.table = {}  # token -> index
        self.idf_weights = None
        if output_mode == "tf_idf":
            if self._has_input_vocabulary and idf_weights is None:
                raise ValueError(
                    "When specifying the `vocabulary` argument, "
                    "in TF-IDF output mode, the `idf_weights` argument "
                    "must also be provided."
                )
            if idf_weights is not None:
                self.idf_weights = np.asarray(idf_weights, dtype=backend.floatx())
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.reset_state()

    # --- indices -------------------------------------------------------------
    def _oov_start_index(self):
        return 1 if self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self):
        return len(self.table) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens=True):
        vocab = [self.oov_token] * self.vocabulary_size()
        for token, index in self.table.items():
            vocab[index] = token
        if self.output_mode == "int":
            vocab[0] = self.mask_token
        if not include_special_tokens:
            vocab = vocab[self._token_start_index():]
        return vocab

    def _record_vocabulary_size(self):
        if self.output_mode != "int" and not self.pad_to_max_tokens:
            size = self.vocabulary_size()
            if self._frozen_vocab_size is not None and size != self._frozen_vocab_size:
                raise RuntimeError(
                    f"When using `output_mode={self.output_mode}` "
                    "and `pad_to_max_tokens=False`, "
                    "the vocabulary size cannot be changed after the layer is "
                    f"called. Old vocab size is {self._frozen_vocab_size}, "
                    f"new vocab size is {size}"
                )
        self._frozen_vocab_size = self.vocabulary_size()

    # --- setting the vocabulary ------------------------------------------------
    def set_vocabulary(self, vocabulary, idf_weights=None):
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError(
                    "`idf_weights` must be set if output_mode is 'tf_idf'."
                )
        elif idf_weights is not None:
            raise ValueError(
                "`idf_weights` should only be set if output_mode is "
                f"`'tf_idf'`. Received: output_mode={self.output_mode} "
                f"and idf_weights={idf_weights}"
            )
        token_start = self._token_start_index()
        if isinstance(vocabulary, str):
            import os

            if not os.path.exists(vocabulary):
                raise ValueError(f"Vocabulary file {vocabulary} does not exist.")
            if self.output_mode == "tf_idf":
                raise ValueError(
                    "output_mode `'tf_idf'` does not support loading a "
                    "vocabulary from file."
                )
            with open(vocabulary, encoding="utf-8") as f:
                lines = f.read().split("\n")
            if lines and lines[-1] == "":
                lines.pop()  # the newline ending the last line
            # As TensorFlow's TextFileInitializer: line i gets index
            # token_start + i, special tokens or not.
            self.table = {token: token_start + i for i, token in enumerate(lines)}
            self._record_vocabulary_size()
            return
        vocabulary = [_as_str(t) for t in np.asarray(vocabulary).reshape(-1).tolist()]
        if idf_weights is not None:
            idf_weights = np.asarray(idf_weights)
        if len(vocabulary) == 0:
            raise ValueError(
                "Cannot set an empty vocabulary. "
                f"Received: vocabulary={np.array(vocabulary)}"
            )
        special_tokens = ([self.mask_token] * self._oov_start_index()
                          + [self.oov_token] * self.num_oov_indices)
        found_special_tokens = vocabulary[:token_start] == special_tokens
        tokens = vocabulary[token_start:] if found_special_tokens else vocabulary
        # np.str_ items, so that the message reads as Keras's
        repeated = [np.str_(t) for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(
                "The passed vocabulary has at least one repeated "
                "term. Please uniquify your dataset. The repeated terms "
                f"are: {repeated}"
            )
        if self.mask_token in tokens:
            mask_index = np.argwhere(np.array(vocabulary) == self.mask_token)[-1]
            raise ValueError(
                "Found reserved mask token at unexpected location in "
                "`vocabulary`. Note that passed `vocabulary` does not need to "
                "include the OOV and mask tokens. Either remove all mask and "
                "OOV tokens, or include them only at the start of the "
                f"vocabulary in precisely this order: {special_tokens}. "
                f"Received: mask_token={self.mask_token} at "
                f"vocabulary index {mask_index}"
            )
        new_vocab_size = token_start + len(tokens)
        if self.max_tokens is not None and new_vocab_size > self.max_tokens:
            raise ValueError(
                "Attempted to set a vocabulary larger than the maximum vocab "
                f"size. Received vocabulary size is {new_vocab_size}; "
                f"`max_tokens` is {self.max_tokens}."
            )
        self.table = {token: token_start + i for i, token in enumerate(tokens)}
        self._record_vocabulary_size()

        if self.output_mode == "tf_idf" and idf_weights is not None:
            if len(vocabulary) != len(idf_weights):
                raise ValueError(
                    "`idf_weights` must be the same length as vocabulary. "
                    f"len(idf_weights) is {len(idf_weights)}; "
                    f"len(vocabulary) is {len(vocabulary)}"
                )
            if idf_weights.ndim != 1:
                raise ValueError(
                    "TF-IDF data must be a 1-index array. "
                    f"Received: type(idf_weights)={type(idf_weights)}"
                )
            if found_special_tokens:
                front, front_value = 0, 0
            else:
                front, front_value = token_start, np.average(idf_weights)
            back = 0
            if self.pad_to_max_tokens and self.max_tokens is not None:
                back = self.max_tokens - front - len(idf_weights)
            weights = np.pad(idf_weights, (front, back), "constant",
                             constant_values=(front_value, 0))
            self.idf_weights = weights.astype(backend.floatx())

    # --- adapt ----------------------------------------------------------------
    def reset_state(self):
        if self._has_input_vocabulary:
            return
        self.token_counts = collections.Counter()
        self.token_document_counts = collections.Counter()
        self.num_documents = 0

    def update_state(self, documents):
        """Counts the tokens of `documents` (a list of token lists)."""
        if self._has_input_vocabulary:
            raise ValueError(
                "Cannot adapt layer after setting a static "
                "vocabulary via `vocabulary` argument or "
                "`set_vocabulary()` method."
            )
        for doc in documents:
            self.token_counts.update(doc)
        if self.output_mode == "tf_idf":
            for doc in documents:
                self.token_document_counts.update(set(doc))
            self.num_documents += len(documents)

    def finalize_state(self):
        if self._has_input_vocabulary or not self.token_counts:
            self._record_vocabulary_size()
            return
        self.token_counts.pop(self.mask_token, None)
        self.token_counts.pop(self.oov_token, None)
        # As Keras: np.lexsort((tokens, counts))[::-1], i.e. by count, ties
        # by token (bytes order, as UTF-8 sorts), both descending.
        tokens = sorted(self.token_counts,
                        key=lambda t: (self.token_counts[t], t.encode("utf-8")),
                        reverse=True)
        token_start = self._token_start_index()
        if self.max_tokens:
            tokens = tokens[:self.max_tokens - token_start]
        self.table = {token: token_start + i for i, token in enumerate(tokens)}
        if self.output_mode == "tf_idf":
            doc_counts = np.array([self.token_document_counts[t] for t in tokens],
                                  dtype="int64")
            # NOTE: TensorFlow divides the int64 counts in float64.
            idf = np.log(1 + self.num_documents / (1 + doc_counts))
            idf = idf.astype(backend.floatx())
            idf = np.concatenate([np.full(token_start, idf.mean(), idf.dtype), idf])
            if self.pad_to_max_tokens and self.max_tokens is not None:
                idf = np.pad(idf, (0, self.max_tokens - idf.size))
            self.idf_weights = idf
        self.reset_state()
        self._record_vocabulary_size()

    # --- lookup and encoding -----------------------------------------------------
    def lookup(self, tokens):
        """Indices of `tokens` (a list or a nested list of strings), as int64.

        The mask token "" maps to 0 in "int" mode; in the other modes to a
        value past the last column, so that the encoding drops it.
        """
        oov = self._oov_start_index()
        mask_value = 0 if self.output_mode == "int" else np.iinfo("int64").max
        table = self.table
        return [mask_value if t == self.mask_token else table.get(t, oov)
                for t in tokens]

    def depth(self):
        if self.output_mode != "int" and not self.pad_to_max_tokens and \
                self._frozen_vocab_size is None:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` "
                "and `pad_to_max_tokens=False`, "
                "you must set the layer's vocabulary before calling it. Either "
                "pass a `vocabulary` argument to the layer, or call `adapt` "
                "with some sample data."
            )
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    def encode(self, rows, depth):
        """Multi-hot, count or tf_idf encoding of rows of indices: `(len(rows), depth)`.

        Indices at or past `depth` are dropped, as `tf.math.bincount` with
        `maxlength=depth` drops them.
        """
        counts = np.zeros((len(rows), depth), dtype="int64")
        for i, row in enumerate(rows):
            row = np.asarray(row, dtype="int64")
            row = row[(row >= 0) & (row < depth)]
            np.add.at(counts[i], row, 1)
        if self.output_mode == "multi_hot":
            return np.minimum(counts, 1)
        if self.output_mode == "tf_idf":
            if self.idf_weights is None:
                raise ValueError(
                    "When `output_mode` is `'tf_idf'`, "
                    "`idf_weights` must be provided."
                )
            return counts.astype(backend.floatx()) * self.idf_weights
        return counts


    # --- files (Keras's IndexLookup.save_own_variables ... load_assets) ---------------
    def save_own_variables(self, store):
        if self.output_mode == "tf_idf":
            store["idf_weights"] = self.idf_weights

    def load_own_variables(self, store):
        if self.output_mode == "tf_idf":
            weights = np.asarray(store["idf_weights"], dtype=backend.floatx())
            if weights.ndim != 1:
                raise ValueError(
                    f"`idf_weights` must be 1-D. Received shape {weights.shape}."
                )
            self.idf_weights = weights

    def save_assets(self, dir_path):
        if self.input_vocabulary is not None:
            return  # the vocabulary is in the config
        vocabulary = self.get_vocabulary(include_special_tokens=True)
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(w) for w in vocabulary))

    def load_assets(self, dir_path):
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        if self.output_mode == "tf_idf":
            self.set_vocabulary(lines, idf_weights=self.idf_weights)
        else:
            self.set_vocabulary(lines)


def _as_str(token):
    return token.decode("utf-8") if isinstance(token, bytes) else str(token)

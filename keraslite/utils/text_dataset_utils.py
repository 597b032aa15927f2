"""`text_dataset_from_directory`: batches of texts from class folders.

The files, their labels and the training/validation subsets are Keras's
(`keras/src/utils/text_dataset_utils.py`: the same `.txt` indexing, the same
`np.random.RandomState(seed)` shuffle of the file list, the same split).
Keras returns a `tf.data.Dataset` whose text batches are `tf.string`
tensors; keraslite returns a `PyDataset` whose text batches are NumPy
object arrays of `bytes`, what Keras's batches give as NumPy
(`max_length` truncates bytes, as `tf.strings.substr`). With
`shuffle=True`, Keras also passes the files through a `tf.data` shuffle
buffer of `8 * batch_size` on each pass; keraslite permutes them with a
NumPy generator seeded by `seed`: the same samples, in another order.
"""
import numpy as np

from keraslite.trainers.data_adapters.py_dataset_adapter import PyDataset
from keraslite.utils import dataset_utils


def text_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    batch_size=32,
    max_length=None,
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    follow_links=False,
    format="tf",
    verbose=True,
):
    """Generates a dataset of text batches from text files in a directory.

    With `labels="inferred"`, each sub-folder of `directory` is a class
    (sorted alphanumerically, or as `class_names`), and its `.txt` files
    (also in sub-sub-folders) get that class's index.

    Args:
        directory: Directory where the data is located.
        labels: `"inferred"`, None (no labels) or a list/tuple of integer
            labels, one per text file in the alphanumeric order of their paths.
        label_mode: `"int"` (int32 labels), `"categorical"` (float32
            one-hot), `"binary"` (float32 `(batch, 1)`, 2 classes) or None.
        class_names: With inferred labels, the sub-folders to use, in order.
        batch_size: Texts per batch (32); None yields single texts.
        max_length: Maximum length of a text, in bytes (longer ones are cut).
        shuffle: Shuffle the data; else alphanumeric order.
        seed: Random seed for shuffling.
        validation_split: Fraction of the files reserved for validation.
        subset: `"training"`, `"validation"` or `"both"` (returns both).
        follow_links: Visit sub-folders behind symbolic links.
        format: `"tf"` or `"grain"` (Keras's return types); keraslite
            returns the same `PyDataset` for both.
        verbose: Print the number of files found.

    Returns:
        A `PyDataset` of `(texts, labels)` batches (texts only when
        `label_mode` is None), with `class_names` and `file_paths`
        attributes; a list `[training, validation]` for `subset="both"`.
    """
    labels, label_mode = dataset_utils.check_labels_args(
        labels, label_mode, class_names, "text files", "text samples")
    if format not in ("tf", "grain"):
        raise ValueError(
            '`format` should be either "tf" or "grain". '
            f"Received: format={format}"
        )
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)

    if seed is None:
        seed = np.random.randint(1e6)
    file_paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=(".txt",), class_names=class_names,
        shuffle=shuffle, seed=seed, follow_links=follow_links, verbose=verbose,
    )
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(
            'When passing `label_mode="binary"`, there must be exactly 2 '
            f"class_names. Received: class_names={class_names}"
        )
    options = dict(label_mode=label_mode, class_names=class_names,
                   max_length=max_length, batch_size=batch_size)
    subsets = dataset_utils.split_subsets(
        file_paths, labels, validation_split, subset,
        lambda which: (f"No {which}text files found in directory {directory}. "
                       "Allowed format: .txt"))
    datasets = [TextDirectoryDataset(paths, part_labels, shuffle=shuffle and i == 0,
                                     seed=seed, **options)
                for i, (paths, part_labels) in enumerate(subsets)]
    return datasets if subset == "both" else datasets[0]


class TextDirectoryDataset(dataset_utils.SampleBatches, PyDataset):
    """Batches of texts (and labels) read from files, as a `PyDataset`.

    Made by `text_dataset_from_directory`; files are read batch by batch.
    Attributes: `class_names`, `file_paths` (in the order before the
    per-pass shuffle).
    """

    def __init__(self, file_paths, labels, label_mode, class_names, max_length,
                 batch_size, shuffle=False, seed=None):
        super().__init__()
        self.file_paths = list(file_paths)
        self.class_names = class_names
        self.label_mode = label_mode
        self.labels = None
        if label_mode is not None:
            self.labels = dataset_utils.encode_labels(
                np.asarray(labels, dtype="int32"), label_mode, len(class_names or []))
        self.max_length = max_length
        self.num_samples = len(self.file_paths)
        self.batch_size = batch_size
        self._shuffle = shuffle
        self._rng = np.random.default_rng(seed)

    def _read(self, path):
        with open(path, "rb") as f:
            data = f.read()
        return data if self.max_length is None else data[:self.max_length]

    def _gather(self, indices):
        texts = np.empty(len(indices), dtype=object)
        texts[:] = [self._read(self.file_paths[i]) for i in indices]
        return texts if self.labels is None else (texts, self.labels[indices])

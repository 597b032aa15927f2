"""Indexing a directory of files by class, and validation splits.

Ported from Keras 3's `keras/src/utils/dataset_utils.py` so that the same
folder gives the same file list, labels and training/validation subsets.
"""
import math
import os

import numpy as np

from keraslite.utils.dataset_ops import DatasetOps


def index_directory(directory, labels, formats, class_names=None, shuffle=True,
                    seed=None, follow_links=False, verbose=True):
    """Lists the files of `directory` with their labels, as Keras does.

    Args:
        directory: The folder; with `labels="inferred"` each sub-folder
            holds the files of one class.
        labels: `"inferred"`, None, or a list of integer labels in the
            alphanumeric order of the file paths.
        formats: Allowed file extensions (e.g. `(".jpg", ".png")`).
        class_names: With inferred labels, the sub-folders to use, in order.
        shuffle: Shuffle the files (`np.random.RandomState(seed)`, as
            Keras); else they stay in alphanumeric order.
        seed: Seed of the shuffle.
        follow_links: Follow symbolic links to sub-folders.
        verbose: Print how many files and classes were found.

    Returns:
        `(file_paths, labels, class_names)`.
    """
    if labels == "inferred":
        subdirs = []
        for subdir in sorted(os.listdir(directory)):
            if os.path.isdir(os.path.join(directory, subdir)):
                if not subdir.startswith("."):
                    if subdir.endswith("/"):
                        subdir = subdir[:-1]
                    subdirs.append(subdir)
        if class_names is not None:
            if not set(class_names).issubset(set(subdirs)):
                raise ValueError(
                    "The `class_names` passed did not match the "
                    "names of the subdirectories of the target directory. "
                    f"Expected: {subdirs} (or a subset of it), "
                    f"but received: class_names={class_names}"
                )
            subdirs = class_names  # Keep provided order.
    else:
        # In the explicit/no-label cases, index from the parent directory down.
        subdirs = [""]
        if class_names is not None:
            if labels is None:
                raise ValueError(
                    "When `labels=None` (no labels), argument `class_names` "
                    "cannot be specified."
                )
            raise ValueError(
                "When argument `labels` is specified, argument "
                "`class_names` cannot be specified (the `class_names` "
                "will be the sorted list of labels)."
            )
    class_names = subdirs
    class_indices = dict(zip(class_names, range(len(class_names))))

    filenames = []
    labels_list = []
    for subdir in subdirs:
        partial_filenames, partial_labels = index_subdirectory(
            os.path.join(directory, subdir), class_indices, follow_links, formats)
        labels_list.append(partial_labels)
        filenames += partial_filenames

    if labels == "inferred":
        labels = np.zeros((len(filenames),), dtype="int32")
        i = 0
        for partial_labels in labels_list:
            labels[i:i + len(partial_labels)] = partial_labels
            i += len(partial_labels)
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(filenames):
            raise ValueError(
                "Expected the lengths of `labels` to match the number "
                "of files in the target directory. len(labels) is "
                f"{len(labels)} while we found {len(filenames)} files "
                f"in directory {directory}."
            )
        class_names = [str(label) for label in sorted(set(labels))]
    if verbose:
        if labels is None:
            print(f"Found {len(filenames)} files.")
        else:
            print(
                f"Found {len(filenames)} files belonging "
                f"to {len(class_names)} classes."
            )
    file_paths = [os.path.join(directory, fname) for fname in filenames]
    if shuffle:
        # Shuffle globally to erase macro-structure
        if seed is None:
            seed = np.random.randint(1e6)
        rng = np.random.RandomState(seed)
        rng.shuffle(file_paths)
        if labels is not None:
            rng = np.random.RandomState(seed)
            rng.shuffle(labels)
    return file_paths, labels, class_names


def iter_valid_files(directory, follow_links, formats):
    """(root, file name) of the allowed files under `directory`, sorted."""
    walk = os.walk(directory, followlinks=follow_links)
    for root, _, files in sorted(walk, key=lambda x: x[0]):
        for fname in sorted(files):
            if fname.lower().endswith(formats):
                yield root, fname


def index_subdirectory(directory, class_indices, follow_links, formats):
    """Relative paths of the files under `directory` and their class index."""
    dirname = os.path.basename(directory)
    labels = []
    filenames = []
    for root, fname in iter_valid_files(directory, follow_links, formats):
        labels.append(class_indices[dirname])
        absolute_path = os.path.join(root, fname)
        relative_path = os.path.join(
            dirname, os.path.relpath(absolute_path, directory)
        )
        filenames.append(relative_path)
    return filenames, labels


def get_training_or_validation_split(samples, labels, validation_split, subset):
    """The training (first) or validation (last) part of the samples.

    `int(validation_split * len(samples))` samples go to validation, as in
    Keras.
    """
    if not validation_split:
        return samples, labels
    num_val_samples = int(validation_split * len(samples))
    if subset == "training":
        print(f"Using {len(samples) - num_val_samples} files for training.")
        samples = samples[:-num_val_samples]
        if labels is not None:
            labels = labels[:-num_val_samples]
    elif subset == "validation":
        print(f"Using {num_val_samples} files for validation.")
        samples = samples[-num_val_samples:]
        if labels is not None:
            labels = labels[-num_val_samples:]
    else:
        raise ValueError(
            '`subset` must be either "training" '
            f'or "validation", received: {subset}'
        )
    return samples, labels


def check_labels_args(labels, label_mode, class_names, files, samples):
    """Keras's checks of `labels`, `class_names` and `label_mode` in the
    `*_dataset_from_directory` functions (`files`: "image files", `samples`:
    "images", as their messages say); returns `(labels, label_mode)`, both
    None when either is."""
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                "`labels` argument should be a list/tuple of integer labels, "
                f"of the same size as the number of {files} in the target "
                "directory. If you wish to infer the labels from the "
                "subdirectory names in the target directory, "
                'pass `labels="inferred"`. '
                f"If you wish to get a dataset that only contains {samples} "
                f"(no labels), pass `labels=None`. Received: labels={labels}"
            )
        if class_names:
            raise ValueError(
                "You can only pass `class_names` if "
                f'`labels="inferred"`. Received: labels={labels}, and '
                f"class_names={class_names}"
            )
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError(
            '`label_mode` argument must be one of "int", '
            '"categorical", "binary", '
            f"or None. Received: label_mode={label_mode}"
        )
    if labels is None or label_mode is None:
        return None, None
    return labels, label_mode


def split_subsets(paths, labels, validation_split, subset, missing):
    """`[(paths, labels)]`: one subset, or training and validation for
    `subset="both"`; `missing(which)` is the error message when one is empty
    (`which`: "training ", "validation " or "")."""
    subsets = ("training", "validation") if subset == "both" else (subset,)
    out = []
    for name in subsets:
        part = get_training_or_validation_split(paths, labels, validation_split, name)
        if not part[0]:
            raise ValueError(missing(f"{name} " if subset == "both" else ""))
        out.append(part)
    return out


def encode_labels(labels, label_mode, num_classes):
    """Integer labels as Keras's `label_mode` gives them: int32, float32
    `(n, 1)` for "binary", float32 one-hot for "categorical"."""
    if label_mode == "binary":
        return labels.astype("float32")[:, None]
    if label_mode == "categorical":
        return np.eye(num_classes, dtype="float32")[labels]
    return labels


def check_validation_split_arg(validation_split, subset, shuffle, seed):
    """Raises Keras's errors for inconsistent split arguments."""
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(
            "`validation_split` must be between 0 and 1, "
            f"received: {validation_split}"
        )
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError(
            "If `subset` is set, `validation_split` must be set, and inversely."
        )
    if subset not in ("training", "validation", "both", None):
        raise ValueError(
            '`subset` must be either "training", '
            f'"validation" or "both", received: {subset}'
        )
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "If using `validation_split` and shuffling the data, you must "
            "provide a `seed` argument, to make sure that there is no "
            "overlap between the training and validation subset."
        )


class SampleBatches(DatasetOps):
    """Mixin of a `PyDataset` whose batches gather samples by index.

    It also has tf.data's transformations (`map`, `cache`, `batch`, ...:
    see `keraslite.utils.dataset_ops`), as the `tf.data.Dataset`s that
    Keras returns in its place.

    A subclass sets `num_samples`, `batch_size` (None: single samples),
    `_shuffle` (a bool; `shuffle` is the method) and `_rng`, and defines
    `_gather(indices)`, the batch of the samples at `indices`. With `shuffle=True` every pass (each `iter()` or
    epoch of `fit`) reads the samples in a new permutation.
    """

    # Like Keras's tf.data datasets, fit's `shuffle` does not reorder it.
    _shuffles_itself = True
    _order = None

    def __len__(self):
        if self.batch_size is None:
            return self.num_samples
        return int(math.ceil(self.num_samples / self.batch_size))

    def _sample_order(self):
        if self._order is None:
            self._order = (self._rng.permutation(self.num_samples) if self._shuffle
                           else np.arange(self.num_samples))
        return self._order

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"Batch index {index} out of range [0, {len(self)})")
        size = self.batch_size or 1
        batch = self._gather(self._sample_order()[index * size:(index + 1) * size])
        if self.batch_size is None:  # one sample, without the batch axis
            batch = tuple(part[0] for part in batch) if isinstance(batch, tuple) \
                else batch[0]
        return batch

    def __iter__(self):
        self._order = None  # a new pass: a new order, as tf.data reshuffles
        for index in range(len(self)):
            yield self[index]

    def on_epoch_end(self):
        self._order = None

"""`timeseries_dataset_from_array`: sliding windows over a series, in batches.

The windows and targets are Keras's (`keras/src/utils/timeseries_dataset_utils.py`):
the same start positions, the same `np.random.RandomState(seed)` shuffle of
them, the same batches in the same order when `shuffle=False`. Keras returns
a `tf.data.Dataset` (or a Grain dataset for `format="grain"`); keraslite
returns a `PyDataset` of NumPy batches for either format, which `fit`,
`evaluate` and `predict` take as they take Keras's dataset. With
`shuffle=True`, Keras also runs the windows through a `tf.data` shuffle
buffer of `8 * batch_size` on each pass; keraslite instead permutes the
shuffled windows with a NumPy generator seeded by `seed`, a new order each
pass: the same windows and batch sizes, in another order.
"""
import numpy as np

from keraslite.trainers.data_adapters.py_dataset_adapter import PyDataset
from keraslite.utils import dataset_utils


def timeseries_dataset_from_array(
    data,
    targets,
    sequence_length,
    sequence_stride=1,
    sampling_rate=1,
    batch_size=128,
    shuffle=False,
    seed=None,
    start_index=None,
    end_index=None,
    format="tf",
):
    """Creates a dataset of sliding windows over a timeseries.

    Window `i` holds `data[s, s + r, ..., s + r * (sequence_length - 1)]`
    (`r` the `sampling_rate`), with `s = start_index + i * sequence_stride`;
    its target is `targets[s]`. For example, with `data=[0, 1, ..., 99]`,
    `sequence_length=10`, `sampling_rate=2` and `sequence_stride=3`, the
    windows are `[0, 2, ..., 18]`, `[3, 5, ..., 21]`, ...

    Args:
        data: Array of timesteps (axis 0 is time).
        targets: Targets of the windows (`targets[i]` for the window
            starting at `i`), or None for windows only.
        sequence_length: Length of the windows (number of timesteps).
        sequence_stride: Period between successive windows' starts.
        sampling_rate: Period between successive timesteps in a window.
        batch_size: Windows per batch (128); None yields single windows.
        shuffle: Shuffle the windows.
        seed: Random seed for shuffling.
        start_index: First timestep used (inclusive).
        end_index: Last timestep used (exclusive).
        format: `"tf"` or `"grain"` (Keras's return types); keraslite
            returns the same `PyDataset` for both.

    Returns:
        A `PyDataset` of `(windows, targets)` batches (windows only when
        `targets` is None), with the dtype of `data` and `targets`.
    """
    if start_index:
        if start_index < 0:
            raise ValueError(
                "`start_index` must be 0 or greater. Received: "
                f"start_index={start_index}"
            )
        if start_index >= len(data):
            raise ValueError(
                "`start_index` must be lower than the length of the "
                f"data. Received: start_index={start_index}, for data "
                f"of length {len(data)}"
            )
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(
                "`end_index` must be higher than `start_index`. "
                f"Received: start_index={start_index}, and "
                f"end_index={end_index} "
            )
        if end_index >= len(data):
            raise ValueError(
                "`end_index` must be lower than the length of the "
                f"data. Received: end_index={end_index}, for data of "
                f"length {len(data)}"
            )
        if end_index <= 0:
            raise ValueError(
                "`end_index` must be higher than 0. "
                f"Received: end_index={end_index}"
            )
    if sampling_rate <= 0:
        raise ValueError(
            "`sampling_rate` must be higher than 0. Received: "
            f"sampling_rate={sampling_rate}"
        )
    if sampling_rate >= len(data):
        raise ValueError(
            "`sampling_rate` must be lower than the length of the "
            f"data. Received: sampling_rate={sampling_rate}, for data "
            f"of length {len(data)}"
        )
    if sequence_stride <= 0:
        raise ValueError(
            "`sequence_stride` must be higher than 0. Received: "
            f"sequence_stride={sequence_stride}"
        )
    if sequence_stride >= len(data):
        raise ValueError(
            "`sequence_stride` must be lower than the length of the "
            f"data. Received: sequence_stride={sequence_stride}, for "
            f"data of length {len(data)}"
        )
    if format not in ("tf", "grain"):
        raise ValueError(
            '`format` should be either "tf" or "grain". '
            f"Received: format={format}"
        )

    if start_index is None:
        start_index = 0
    if end_index is None:
        end_index = len(data)
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets))
    start_positions = np.arange(0, num_seqs, sequence_stride,
                                dtype="int32" if num_seqs < 2147483647 else "int64")
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        rng = np.random.RandomState(seed)
        rng.shuffle(start_positions)
    data = np.asarray(data)[start_index:end_index]
    if targets is not None:
        targets = np.asarray(targets)[start_index:end_index]
    return TimeseriesDataset(data, targets, start_positions, sequence_length,
                             sampling_rate, batch_size, shuffle=shuffle, seed=seed)


class TimeseriesDataset(dataset_utils.SampleBatches, PyDataset):
    """Batches of windows over an array, made by `timeseries_dataset_from_array`.

    Each batch gathers its windows from `data` when it is read, so the
    windows are never all in memory at once.
    """

    def __init__(self, data, targets, start_positions, sequence_length,
                 sampling_rate, batch_size, shuffle=False, seed=None):
        super().__init__()
        self.data = data
        self.targets = targets
        self.start_positions = start_positions
        self.offsets = np.arange(sequence_length) * sampling_rate
        self.num_samples = len(start_positions)
        self.batch_size = batch_size
        self._shuffle = shuffle
        self._rng = np.random.default_rng(seed)

    def _gather(self, indices):
        starts = self.start_positions[indices]
        windows = self.data[starts[:, None] + self.offsets]
        return windows if self.targets is None else (windows, self.targets[starts])

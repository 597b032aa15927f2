"""`image_dataset_from_directory`: batches of images from class folders.

The files, their labels and the training/validation subsets are Keras's
(the same indexing, the same `np.random.RandomState(seed)` shuffle of the
file list, the same split). Images are decoded with Pillow and converted
as TensorFlow's decoders do (grayscale from color with libpng's integer
weights; JPEG grayscale as the decoder's luma plane), then resized in
NumPy as `tf.image.resize`. Two things differ from Keras, which builds a
`tf.data.Dataset`:

- With `shuffle=True` the order of the samples in each pass is a NumPy
  permutation (seeded by `seed`), not TensorFlow's buffered shuffle: the
  same files, in another order.
- JPEG files are decoded with libjpeg's accurate integer IDCT (TensorFlow's
  `dct_method="INTEGER_ACCURATE"`); TensorFlow's default is the fast IDCT,
  whose pixels differ by a few levels out of 255.

A file that Pillow cannot open is left out with a warning naming it (the
other files still load); Keras's pipeline stops with an error when it
reaches such a file.
"""
import io
import warnings

import numpy as np

from keraslite.trainers.data_adapters.py_dataset_adapter import PyDataset
from keraslite.utils import dataset_utils
from keraslite.utils import image_utils

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
SUPPORTED_INTERPOLATIONS = image_utils.RESIZE_INTERPOLATIONS


def image_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    color_mode="rgb",
    batch_size=32,
    image_size=(256, 256),
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    interpolation="bilinear",
    follow_links=False,
    crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False,
    data_format=None,
    verbose=True,
):
    """Generates a dataset of image batches from image files in a directory.

    With `labels="inferred"`, each sub-folder of `directory` is a class
    (sorted alphanumerically, or as `class_names`), and its images (also
    in sub-sub-folders) get that class's index. Supported image formats:
    `.jpeg`, `.jpg`, `.png`, `.bmp`, `.gif` (the first frame).

    Args:
        directory: Directory where the data is located.
        labels: `"inferred"`, None (no labels) or a list/tuple of integer
            labels, one per image file in the alphanumeric order of their
            paths.
        label_mode: `"int"` (int32 labels), `"categorical"` (float32
            one-hot), `"binary"` (float32 `(batch, 1)`, 2 classes) or None.
        class_names: With inferred labels, the sub-folders to use, in order.
        color_mode: `"grayscale"`, `"rgb"` or `"rgba"` (1, 3, 4 channels).
        batch_size: Images per batch (32); None yields single images.
        image_size: `(height, width)` the images are resized to.
        shuffle: Shuffle the data (the file list once as Keras, then the
            samples of every pass); else alphanumeric order.
        seed: Random seed for shuffling.
        validation_split: Fraction of the files reserved for validation.
        subset: `"training"`, `"validation"` or `"both"` (returns both).
        interpolation: `"bilinear"`, `"nearest"` or `"bicubic"`.
        follow_links: Visit sub-folders behind symbolic links.
        crop_to_aspect_ratio: Crop to the target aspect ratio (the largest
            centred window) before resizing.
        pad_to_aspect_ratio: Resize keeping the aspect ratio, then pad with
            zeros to `image_size`.
        data_format: `"channels_last"` or `"channels_first"` (default: the
            global setting).
        verbose: Print the number of files found.

    Returns:
        A `PyDataset` of `(images, labels)` batches (images only when
        `label_mode` is None), with `class_names` and `file_paths`
        attributes; a tuple `(training, validation)` for `subset="both"`.
    """
    labels, label_mode = dataset_utils.check_labels_args(
        labels, label_mode, class_names, "image files", "images")
    num_channels = {"rgb": 3, "rgba": 4, "grayscale": 1}.get(color_mode)
    if num_channels is None:
        raise ValueError(
            '`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
            f"Received: color_mode={color_mode}"
        )
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or not len(image_size) == 2:
        raise ValueError(
            "Invalid `image_size` value. Expected a tuple of 2 integers. "
            f"Received: image_size={image_size}"
        )
    interpolation = interpolation.lower()
    if interpolation not in SUPPORTED_INTERPOLATIONS:
        raise ValueError(
            "Argument `interpolation` should be one of "
            f"{SUPPORTED_INTERPOLATIONS}. "
            f"Received: interpolation={interpolation}"
        )
    if pad_to_aspect_ratio and crop_to_aspect_ratio:
        raise ValueError(
            "Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio`"
            " can be set to `True`."
        )
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    data_format = image_utils.standardize_data_format(data_format)
    image_utils.pil_image()  # a clear ImportError before any work

    if seed is None:
        seed = np.random.randint(1e6)
    image_paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=ALLOWLIST_FORMATS, class_names=class_names,
        shuffle=shuffle, seed=seed, follow_links=follow_links, verbose=verbose,
    )
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(
            'When passing `label_mode="binary"`, there must be exactly 2 '
            f"class_names. Received: class_names={class_names}"
        )
    options = dict(
        label_mode=label_mode, class_names=class_names, image_size=tuple(image_size),
        num_channels=num_channels, interpolation=interpolation,
        crop_to_aspect_ratio=crop_to_aspect_ratio,
        pad_to_aspect_ratio=pad_to_aspect_ratio, data_format=data_format,
        batch_size=batch_size,
    )
    subsets = dataset_utils.split_subsets(
        image_paths, labels, validation_split, subset,
        lambda which: (f"No {which}images found in directory {directory}. "
                       f"Allowed formats: {ALLOWLIST_FORMATS}"))
    datasets = [ImageDirectoryDataset(paths, part_labels, shuffle=shuffle and i == 0,
                                      seed=seed, **options)
                for i, (paths, part_labels) in enumerate(subsets)]
    return tuple(datasets) if subset == "both" else datasets[0]


class ImageDirectoryDataset(dataset_utils.SampleBatches, PyDataset):
    """Batches of images (and labels) read from files, as a `PyDataset`.

    Made by `image_dataset_from_directory`. Iterating it, or `fit`, reads
    the files batch by batch; with `shuffle=True` each pass has a new
    order. Attributes: `class_names`, `file_paths` (in the order before
    the per-pass shuffle, as Keras's).
    """

    def __init__(self, file_paths, labels, label_mode, class_names, image_size,
                 num_channels, interpolation, crop_to_aspect_ratio,
                 pad_to_aspect_ratio, data_format, batch_size, shuffle=False,
                 seed=None):
        super().__init__()
        readable = [_readable(path) for path in file_paths]
        self.file_paths = [p for p, ok in zip(file_paths, readable) if ok]
        self.class_names = class_names
        self.label_mode = label_mode
        self.labels = None
        if label_mode is not None:
            labels = np.asarray(labels, dtype="int32")[np.asarray(readable, bool)]
            self.labels = dataset_utils.encode_labels(labels, label_mode,
                                                      len(class_names or []))
        self.image_size = image_size
        self.num_channels = num_channels
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.data_format = data_format
        self.batch_size = batch_size
        self._shuffle = shuffle
        self._rng = np.random.default_rng(seed)

    @property
    def num_samples(self):
        return len(self.file_paths)

    def _gather(self, indices):
        images = np.stack([self._load(self.file_paths[i]) for i in indices])
        return images if self.labels is None else (images, self.labels[indices])

    def _load(self, path):
        img = decode_image(path, self.num_channels)
        size = self.image_size
        if self.crop_to_aspect_ratio:
            img = image_utils.smart_resize(img, size, interpolation=self.interpolation)
        elif self.pad_to_aspect_ratio:
            img = image_utils.resize_with_pad(img, size[0], size[1],
                                              interpolation=self.interpolation)
        else:
            img = image_utils.resize_images(img, size, interpolation=self.interpolation)
        if self.data_format == "channels_first":
            img = np.ascontiguousarray(img.transpose(2, 0, 1))
        return img


def _readable(path):
    """True if Pillow can open `path`; else warns, naming the file."""
    image = image_utils.pil_image()
    try:
        with image.open(path):  # parses the header
            return True
    except Exception as e:  # Pillow raises several types for bad files
        warnings.warn(
            f"Skipping image file {path!r}, which could not be read: {e}",
            stacklevel=3,
        )
        return False


def decode_image(path, num_channels):
    """The pixels of an image file as uint8 `(height, width, num_channels)`,
    as `tf.image.decode_image(..., channels=num_channels)` gives them."""
    image = image_utils.pil_image()
    with open(path, "rb") as f:
        data = f.read()
    try:
        img = image.open(io.BytesIO(data))
        if img.format == "JPEG" and num_channels == 1:
            img.draft("L", img.size)  # the decoder's luma plane, as libjpeg's
        img.load()
    except Exception as e:
        raise ValueError(f"Could not decode image file {path!r}: {e}") from None
    if num_channels == 1:
        if img.mode in ("L", "LA"):
            return np.asarray(img.convert("L"))[:, :, None]
        # NOTE: libpng's rgb_to_gray integer weights (TensorFlow's), not
        # Pillow's rounding of ITU-R 601 (they differ by 1 on half the pixels).
        rgb = np.asarray(img.convert("RGB"), dtype=np.int64)
        gray = (9797 * rgb[..., 0] + 19234 * rgb[..., 1] + 3737 * rgb[..., 2]) >> 15
        return gray.astype(np.uint8)[:, :, None]
    return np.asarray(img.convert("RGB" if num_channels == 3 else "RGBA"))

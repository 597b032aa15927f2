"""Image files and arrays (Keras 3's `keras.utils.load_img` and friends).

Pillow is an optional dependency (`pip install pillow`, or the `image`
extra), imported on first use. `load_img`, `save_img`, `array_to_img` and
`img_to_array` go through Pillow exactly as Keras does, so they give the
same pixels. `smart_resize` and `image_dataset_from_directory` resize as
TensorFlow's `tf.image.resize` (half-pixel centres, no antialiasing), done
here in NumPy: `resize_images`.
"""
import io
import pathlib
import warnings

import numpy as np

from keraslite import backend
from keraslite.utils.argument_validation import standardize_data_format

_PIL_RESAMPLING = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def pil_image():
    """The `PIL.Image` module, or an ImportError saying how to install it."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(
            "Image files need Pillow, which is not installed. Install it with "
            "`pip install pillow` (or `pip install keraslite[image]`)."
        ) from None
    return Image


def _pil_interpolation(name):
    image = pil_image()
    resampling = getattr(image, "Resampling", image)
    return getattr(resampling, name.upper())


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """Converts a 3D NumPy array to a PIL Image instance.

    Args:
        x: Input data, in any form that can be converted to a NumPy array.
        data_format: `"channels_first"` or `"channels_last"` (default: the
            global `image_data_format()`).
        scale: Whether to rescale the image such that minimum and maximum
            values are 0 and 255 respectively. Defaults to `True`.
        dtype: Dtype to use (default: `floatx()`).

    Returns:
        A PIL Image instance.
    """
    data_format = standardize_data_format(data_format)
    if dtype is None:
        dtype = backend.floatx()
    image = pil_image()
    x = np.asarray(x, dtype=dtype)
    if x.ndim != 3:
        raise ValueError(
            "Expected image array to have rank 3 (single image). "
            f"Got array with shape: {x.shape}"
        )
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    if x.shape[2] == 4:
        return image.fromarray(x.astype("uint8"), "RGBA")
    elif x.shape[2] == 3:
        return image.fromarray(x.astype("uint8"), "RGB")
    elif x.shape[2] == 1:
        if np.max(x) > 255:
            # 32-bit signed integer grayscale image. PIL mode "I"
            return image.fromarray(x[:, :, 0].astype("int32"), "I")
        return image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {x.shape[2]}")


def img_to_array(img, data_format=None, dtype=None):
    """Converts a PIL Image instance to a NumPy array.

    Args:
        img: Input PIL Image instance.
        data_format: `"channels_first"` or `"channels_last"` (default: the
            global `image_data_format()`).
        dtype: Dtype to use (default: `floatx()`).

    Returns:
        A 3D NumPy array.
    """
    data_format = standardize_data_format(data_format)
    if dtype is None:
        dtype = backend.floatx()
    x = np.asarray(img, dtype=dtype)
    if len(x.shape) == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    elif len(x.shape) == 2:
        if data_format == "channels_first":
            x = x.reshape((1, x.shape[0], x.shape[1]))
        else:
            x = x.reshape((x.shape[0], x.shape[1], 1))
    else:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    return x


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Saves an image stored as a NumPy array to a path or file object.

    Args:
        path: Path or file object.
        x: NumPy array.
        data_format: `"channels_first"` or `"channels_last"`.
        file_format: Optional file format override. If omitted, the format
            is taken from the filename extension; a file object needs it.
        scale: Whether to rescale image values to be within `[0, 255]`.
        **kwargs: Additional keyword arguments passed to `PIL.Image.save()`.
    """
    data_format = standardize_data_format(data_format)
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn(
            "The JPEG format does not support RGBA images, converting to RGB."
        )
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Loads an image into PIL format.

    Args:
        path: Path to image file (str, `pathlib.Path`, bytes) or an
            `io.BytesIO`.
        color_mode: One of `"grayscale"`, `"rgb"`, `"rgba"`. Default: `"rgb"`.
        target_size: `None` (original size) or `(img_height, img_width)`.
        interpolation: Resampling used when `target_size` differs from the
            image's: `"nearest"` (default), `"bilinear"`, `"bicubic"`,
            `"lanczos"`, `"box"` or `"hamming"` (Pillow's filters).
        keep_aspect_ratio: Resize without aspect ratio distortion: the
            image is first cropped in the center to the target aspect ratio.

    Returns:
        A PIL Image instance.

    Example:

    ```python
    image = keraslite.utils.load_img(image_path)
    input_arr = keraslite.utils.img_to_array(image)
    predictions = model.predict(np.array([input_arr]))
    ```
    """
    image = pil_image()
    if isinstance(path, io.BytesIO):
        img = image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        if isinstance(path, pathlib.Path):
            path = str(path.resolve())
        with open(path, "rb") as f:
            img = image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(
            f"path should be path-like or io.BytesIO, not {type(path)}"
        )
    if color_mode == "grayscale":
        # An 8-, 16- or 32-bit grayscale image stays as it is.
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode == "rgba":
        if img.mode != "RGBA":
            img = img.convert("RGBA")
    elif color_mode == "rgb":
        if img.mode != "RGB":
            img = img.convert("RGB")
    else:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    if target_size is not None:
        width_height_tuple = (target_size[1], target_size[0])
        if img.size != width_height_tuple:
            if interpolation not in _PIL_RESAMPLING:
                raise ValueError(
                    "Invalid interpolation method {} specified. Supported "
                    "methods are {}".format(
                        interpolation, ", ".join(_PIL_RESAMPLING)
                    )
                )
            resample = _pil_interpolation(interpolation)
            if keep_aspect_ratio:
                width, height = img.size
                target_width, target_height = width_height_tuple
                crop_height = (width * target_height) // target_width
                crop_width = (height * target_width) // target_height
                crop_height = min(height, crop_height)
                crop_width = min(width, crop_width)
                crop_box_hstart = (height - crop_height) // 2
                crop_box_wstart = (width - crop_width) // 2
                crop_box = [
                    crop_box_wstart,
                    crop_box_hstart,
                    crop_box_wstart + crop_width,
                    crop_box_hstart + crop_height,
                ]
                img = img.resize(width_height_tuple, resample, box=crop_box)
            else:
                img = img.resize(width_height_tuple, resample)
    return img


# --- resizing as tf.image.resize (half-pixel centres, antialias=False) ---------------------
RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "bicubic")
_CUBIC_TABLE_SIZE = 1024  # TensorFlow tabulates its cubic kernel


def _cubic_table(a=-0.5):
    """TensorFlow's table of Keys's cubic kernel weights, float32."""
    x = np.arange(_CUBIC_TABLE_SIZE + 1, dtype=np.float64) / _CUBIC_TABLE_SIZE
    near = (((a + 2) * x - (a + 3)) * x * x + 1).astype(np.float32)
    x = x + 1.0
    far = (((a * x - 5 * a) * x + 8 * a) * x - 4 * a).astype(np.float32)
    return near, far


def _axis_weights(in_size, out_size, interpolation):
    """Source indices (out, k) and float32 weights (out, k) along one axis."""
    scale = np.float32(in_size) / np.float32(out_size)
    out = np.arange(out_size, dtype=np.float32)
    if interpolation == "nearest":
        index = np.floor((out + np.float32(0.5)) * scale).astype(np.int64)
        index = np.clip(index, 0, in_size - 1)
        return index[:, None], np.ones((out_size, 1), np.float32)
    in_loc = (out + np.float32(0.5)) * scale - np.float32(0.5)
    floor = np.floor(in_loc)
    if interpolation == "bilinear":
        lower = np.maximum(floor.astype(np.int64), 0)
        upper = np.minimum(np.ceil(in_loc).astype(np.int64), in_size - 1)
        lerp = (in_loc - floor).astype(np.float32)
        return np.stack([lower, upper], 1), np.stack([np.float32(1) - lerp, lerp], 1)
    # bicubic: Keys's kernel (a=-0.5) from TF's table; taps outside the image
    # get weight 0 and the others are renormalised.
    near, far = _cubic_table()
    base = floor.astype(np.int64)
    offset = np.rint((in_loc - floor) * np.float32(_CUBIC_TABLE_SIZE)).astype(np.int64)
    taps = base[:, None] + np.arange(-1, 3)
    weights = np.stack([far[offset], near[offset], near[_CUBIC_TABLE_SIZE - offset],
                        far[_CUBIC_TABLE_SIZE - offset]], 1)
    bounded = np.clip(taps, 0, in_size - 1)
    weights = np.where(bounded == taps, weights, np.float32(0))
    total = weights[:, 0] + weights[:, 1] + weights[:, 2] + weights[:, 3]
    weights = weights * (np.float32(1) / total)[:, None]
    return bounded, weights.astype(np.float32)


def _interpolate(values, index, weights, axis):
    """Weighted sums of `values` taken at `index` along `axis` (in TF's order)."""
    if index.shape[1] == 1:
        return np.take(values, index[:, 0], axis=axis)
    shape = [1] * values.ndim
    shape[axis] = -1
    taps = [np.take(values, index[:, k], axis=axis) for k in range(index.shape[1])]
    w = [weights[:, k].reshape(shape) for k in range(index.shape[1])]
    if len(taps) == 2:  # bilinear: a + (b - a) * lerp
        return taps[0] + (taps[1] - taps[0]) * w[1]
    out = taps[0] * w[0]
    for tap, weight in zip(taps[1:], w[1:]):
        out = out + tap * weight
    return out


def resize_images(images, size, interpolation="bilinear", data_format="channels_last"):
    """Resizes images as `tf.image.resize(images, size, method)` does.

    Args:
        images: Array `(height, width, channels)` or `(batch, height,
            width, channels)` (channels first with `data_format`).
        size: `(height, width)` of the output.
        interpolation: `"bilinear"`, `"nearest"` or `"bicubic"`.
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        A float32 array (TensorFlow's half-pixel sampling, no antialiasing);
        with `"nearest"`, an array of the input's dtype, as TensorFlow.
    """
    if interpolation not in RESIZE_INTERPOLATIONS:
        raise ValueError(
            "keraslite resizes images with one of "
            f"{RESIZE_INTERPOLATIONS}. Received: interpolation={interpolation}"
        )
    x = np.asarray(images)
    if interpolation != "nearest":
        x = x.astype(np.float32)
    h_axis = x.ndim - 3 if data_format == "channels_last" else x.ndim - 2
    out_h, out_w = int(size[0]), int(size[1])
    # NOTE: the float32 results equal TensorFlow's only in its order of
    # operations: bilinear lerps along the width first, bicubic along the height.
    order = ((h_axis, out_h), (h_axis + 1, out_w)) if interpolation == "bicubic" \
        else ((h_axis + 1, out_w), (h_axis, out_h))
    for axis, out_size in order:
        index, weights = _axis_weights(x.shape[axis], out_size, interpolation)
        x = _interpolate(x, index, weights, axis)
    return np.ascontiguousarray(x)


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last"):
    """Resizes images to a target size without aspect ratio distortion.

    Takes the largest centered crop of the image with the aspect ratio of
    `size`, then resizes it to `size` (as `resize_images`).

    Args:
        x: Image or batch of images, `(height, width, channels)` or
            `(batch_size, height, width, channels)`.
        size: `(height, width)` target size.
        interpolation: `"bilinear"` (default), `"nearest"` or `"bicubic"`.
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        A float32 array with the target height and width.
    """
    if len(size) != 2:
        raise ValueError(
            f"Expected `size` to be a tuple of 2 integers, but got: {size}."
        )
    img = np.asarray(x)
    if img.ndim < 3 or img.ndim > 4:
        raise ValueError(
            "Expected an image array with shape `(height, width, "
            "channels)`, or `(batch_size, height, width, channels)`, but "
            f"got input with incorrect rank, of shape {img.shape}."
        )
    if data_format == "channels_last":
        height, width = img.shape[-3], img.shape[-2]
    else:
        height, width = img.shape[-2], img.shape[-1]
    target_height, target_width = size
    crop_height = int(float(width * target_height) / target_width)
    crop_height = max(min(height, crop_height), 1)
    crop_width = int(float(height * target_width) / target_height)
    crop_width = max(min(width, crop_width), 1)
    crop_box_hstart = int(float(height - crop_height) / 2)
    crop_box_wstart = int(float(width - crop_width) / 2)
    rows = slice(crop_box_hstart, crop_box_hstart + crop_height)
    cols = slice(crop_box_wstart, crop_box_wstart + crop_width)
    if data_format == "channels_last":
        img = img[..., rows, cols, :]
    else:
        img = img[..., rows, cols]
    return resize_images(img, size, interpolation=interpolation, data_format=data_format)


def resize_with_pad(image, target_height, target_width, interpolation="bilinear"):
    """Resizes keeping the aspect ratio and pads with zeros to the target, as
    `tf.image.resize_with_pad` (channels last)."""
    height, width = image.shape[-3], image.shape[-2]
    f32 = np.float32  # TensorFlow computes the sizes in float32
    ratio = max(f32(width) / f32(target_width), f32(height) / f32(target_height))
    resized_height_float = f32(height) / ratio
    resized_width_float = f32(width) / ratio
    resized_height = int(np.floor(resized_height_float))
    resized_width = int(np.floor(resized_width_float))
    pad_h = max(0, int(np.floor((f32(target_height) - resized_height_float) / f32(2))))
    pad_w = max(0, int(np.floor((f32(target_width) - resized_width_float) / f32(2))))
    resized = resize_images(image, (resized_height, resized_width), interpolation)
    out = np.zeros(image.shape[:-3] + (target_height, target_width, image.shape[-1]),
                   resized.dtype)
    out[..., pad_h:pad_h + resized_height, pad_w:pad_w + resized_width, :] = resized
    return out

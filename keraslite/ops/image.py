"""Image ops in NumPy, as `keras.ops.image`: `affine_transform` (forward and
its adjoint, the gradient), computed as TensorFlow's
ImageProjectiveTransformV3 kernel does (Keras's TF backend): each output
pixel reads the input at its inversely mapped coordinate."""
import numpy as np

from keraslite.utils.argument_validation import standardize_data_format

AFFINE_TRANSFORM_INTERPOLATIONS = ("nearest", "bilinear")
AFFINE_TRANSFORM_FILL_MODES = ("constant", "nearest", "wrap", "reflect")


def _reflect(coord, size):
    # Reflect [abcd] to [dcba|abcd|dcba] (TF's MapCoordinate<FILL_REFLECT>).
    if size <= 1:
        return np.zeros_like(coord)
    sz2 = np.float32(2 * size)
    neg = sz2 * np.trunc(-coord / sz2) + coord
    neg = np.where(neg < -size, neg + sz2, -neg - 1)
    pos = coord - sz2 * np.trunc(coord / sz2)
    pos = np.where(pos >= size, sz2 - pos - 1, pos)
    return np.where(coord < 0, neg, np.where(coord > size - 1, pos, coord))


def _wrap(coord, size):
    # Wrap [abcd] to [abcd|abcd|abcd] (TF's MapCoordinate<FILL_WRAP>).
    if size <= 1:
        return np.zeros_like(coord)
    sz = np.float32(size - 1)
    neg = coord + size * (np.trunc(-coord / sz) + 1)
    pos = coord - size * np.trunc(coord / sz)
    return np.where(coord < 0, neg, np.where(coord > size - 1, pos, coord))


def _map_coordinate(coord, size, fill_mode):
    if fill_mode == "constant":
        return coord
    if fill_mode == "reflect":
        coord = _reflect(coord, size)
    elif fill_mode == "wrap":
        coord = _wrap(coord, size)
    return np.clip(coord, 0, size - 1).astype(np.float32)


def _round_half_away(x):
    # C's std::round (NumPy's round goes half to even).
    whole = np.trunc(x)
    return whole + np.sign(x) * (np.abs(x - whole) >= 0.5)


def sampling_plan(transform, height, width, interpolation, fill_mode):
    """Where each output pixel of an affine transform reads the input.

    Args:
        transform: `(n, 8)` float32 rows `[a0, a1, a2, b0, b1, b2, c0, c1]`
            mapping output `(x, y)` to input
            `((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)`,
            `k = c0 x + c1 y + 1`.

    Returns:
        `(index, weight)`, each `(n, corners, height * width)`: flat input
        pixel indices (-1 outside the image, where the fill value is read)
        and their interpolation weights.
    """
    transform = np.asarray(transform, dtype=np.float32)
    a0, a1, a2, b0, b1, b2, c0, c1 = (transform[:, i, None, None] for i in range(8))
    y, x = np.meshgrid(np.arange(height, dtype=np.float32),
                       np.arange(width, dtype=np.float32), indexing="ij")
    k = c0 * x + c1 * y + np.float32(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        in_x = (a0 * x + a1 * y + a2) / k
        in_y = (b0 * x + b1 * y + b2) / k
    in_x = _map_coordinate(in_x, width, fill_mode)
    in_y = _map_coordinate(in_y, height, fill_mode)
    infinite = k == 0  # TF returns the fill value there
    if interpolation == "nearest":
        corners = [(_round_half_away(in_y), _round_half_away(in_x),
                    np.ones_like(in_x))]
    else:
        y0, x0 = np.floor(in_y), np.floor(in_x)
        y1, x1 = y0 + 1, x0 + 1
        corners = [(y0, x0, (y1 - in_y) * (x1 - in_x)),
                   (y0, x1, (y1 - in_y) * (in_x - x0)),
                   (y1, x0, (in_y - y0) * (x1 - in_x)),
                   (y1, x1, (in_y - y0) * (in_x - x0))]
    index, weight = [], []
    for row, col, w in corners:
        inside = (row >= 0) & (row < height) & (col >= 0) & (col < width) & ~infinite
        flat = np.where(inside, np.where(inside, row, 0) * width
                        + np.where(inside, col, 0), -1).astype(np.int64)
        index.append(flat.reshape(len(transform), -1))
        weight.append(np.where(infinite, 0, w).astype(np.float32).reshape(
            len(transform), -1))
    return np.stack(index, axis=1), np.stack(weight, axis=1)


def sample(images, plan, fill_value=0.0):
    """The output of an affine transform of `(n, h, w, c)` images, read by
    `plan` (see `sampling_plan`); pixels outside read `fill_value`."""
    index, weight = plan
    n, h, w, c = images.shape
    flat = images.reshape(n, h * w, c)
    out = np.zeros((n, index.shape[2], c), dtype=images.dtype)
    for corner in range(index.shape[1]):
        idx, wgt = index[:, corner], weight[:, corner]
        values = np.take_along_axis(flat, np.maximum(idx, 0)[..., None], axis=1)
        values = np.where((idx >= 0)[..., None], values, images.dtype.type(fill_value))
        out += wgt[..., None].astype(images.dtype) * values
    return out.reshape(n, h, w, c)


def sample_adjoint(dy, plan):
    """The gradient of `sample` w.r.t. its images: each output pixel's
    gradient, spread back with the same weights onto the pixels it read."""
    index, weight = plan
    n, h, w, c = dy.shape
    flat_dy = dy.reshape(n, h * w, c)
    offsets = (np.arange(n) * (h * w))[:, None]
    dx = np.zeros((n * h * w, c), dtype=dy.dtype)
    for corner in range(index.shape[1]):
        idx, wgt = index[:, corner], weight[:, corner]
        inside = idx >= 0
        target = (idx + offsets)[inside]
        contrib = (wgt[..., None] * flat_dy)[inside]
        for channel in range(c):
            dx[:, channel] += np.bincount(target, weights=contrib[:, channel],
                                          minlength=n * h * w).astype(dy.dtype)
    return dx.reshape(n, h, w, c)


def check_affine_args(interpolation, fill_mode):
    if interpolation not in AFFINE_TRANSFORM_INTERPOLATIONS:
        raise ValueError(
            "Invalid value for argument `interpolation`. Expected of one "
            f"{AFFINE_TRANSFORM_INTERPOLATIONS}. Received: "
            f"interpolation={interpolation}"
        )
    if fill_mode not in AFFINE_TRANSFORM_FILL_MODES:
        raise ValueError(
            "Invalid value for argument `fill_mode`. Expected of one "
            f"{AFFINE_TRANSFORM_FILL_MODES}. Received: fill_mode={fill_mode}"
        )


def affine_transform(images, transform, interpolation="bilinear",
                     fill_mode="constant", fill_value=0, data_format=None):
    """Applies affine transforms to images (as `keras.ops.image.affine_transform`).

    Args:
        images: `(h, w, c)` or `(n, h, w, c)` array (channels first with
            `data_format="channels_first"`).
        transform: `(8,)` or `(n, 8)` array `[a0, a1, a2, b0, b1, b2, c0, c1]`
            mapping each output point to the input point it reads.
        interpolation: "nearest" or "bilinear".
        fill_mode: "constant", "nearest", "wrap" or "reflect": how points
            outside the input are read.
        fill_value: The value read outside the input with "constant".
        data_format: "channels_last" or "channels_first".

    Returns:
        The transformed images, of the input's shape.
    """
    data_format = standardize_data_format(data_format)
    check_affine_args(interpolation, fill_mode)
    images = np.asarray(images)
    transform = np.asarray(transform, dtype=np.float32)
    if images.ndim not in (3, 4):
        raise ValueError(
            "Invalid images rank: expected rank 3 (single image) or rank 4 "
            "(batch of images). Received input with shape: "
            f"images.shape={images.shape}"
        )
    single = images.ndim == 3
    batch = images[None] if single else images
    if data_format == "channels_first":
        batch = np.moveaxis(batch, 1, -1)
    transform = np.broadcast_to(transform.reshape(-1, 8), (len(batch), 8))
    plan = sampling_plan(transform, batch.shape[1], batch.shape[2],
                         interpolation, fill_mode)
    out = sample(np.ascontiguousarray(batch), plan, fill_value)
    if data_format == "channels_first":
        out = np.moveaxis(out, -1, 1)
    return out[0] if single else out

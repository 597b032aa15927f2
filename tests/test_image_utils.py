"""keraslite.utils image helpers: load_img, save_img, array_to_img,
img_to_array, smart_resize and the tf.image.resize port (resize_images).

Resize golden values follow from TensorFlow's half-pixel sampling
(source coordinate `(i + 0.5) * in / out - 0.5`), worked out by hand below.
"""
import io
import sys

import numpy as np
import pytest

import keraslite
from keraslite.utils import image_utils

PIL = pytest.importorskip("PIL.Image", reason="Pillow not installed")

RNG = np.random.default_rng(0)


def pixels(h, w, c):
    return RNG.integers(0, 256, (h, w, c)).astype("uint8")


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_array_to_img_and_back(channels):
    x = pixels(5, 7, channels).astype("float32")
    img = keraslite.utils.array_to_img(x, scale=False)
    assert img.mode == {1: "L", 3: "RGB", 4: "RGBA"}[channels] and img.size == (7, 5)
    back = keraslite.utils.img_to_array(img)
    assert back.dtype == np.float32 and back.shape == (5, 7, channels)
    np.testing.assert_array_equal(back, x)
    first = keraslite.utils.img_to_array(img, data_format="channels_first")
    np.testing.assert_array_equal(first, x.transpose(2, 0, 1))
    again = keraslite.utils.array_to_img(first, data_format="channels_first", scale=False)
    np.testing.assert_array_equal(np.asarray(again), np.asarray(img))


def test_array_to_img_scales_to_0_255():
    x = np.array([[[-1.0], [0.0]], [[1.0], [3.0]]], "float32")
    np.testing.assert_array_equal(np.asarray(keraslite.utils.array_to_img(x)),
                                  [[0, 63], [127, 255]])
    big = np.full((2, 2, 1), 1000.0, "float32")
    assert keraslite.utils.array_to_img(big, scale=False).mode == "I"


@pytest.mark.parametrize("call, error, match", [
    (lambda: keraslite.utils.array_to_img(np.zeros((2, 2))), ValueError, "rank 3"),
    (lambda: keraslite.utils.array_to_img(np.zeros((2, 2, 2))), ValueError,
     "Unsupported channel number: 2"),
    (lambda: keraslite.utils.img_to_array(np.zeros((1, 2, 2, 3))), ValueError,
     "Unsupported image shape"),
    (lambda: keraslite.utils.img_to_array(np.zeros((2, 2)), data_format="nchw"),
     ValueError, "The `data_format` argument must be one of"),
    (lambda: keraslite.utils.load_img(3), TypeError, "path should be path-like"),
])
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("ext", ["png", "bmp"])
def test_save_and_load_round_trip(tmp_path, ext):
    x = pixels(6, 9, 3)
    path = tmp_path / f"img.{ext}"
    keraslite.utils.save_img(path, x, scale=False)
    for source in (path, str(path), io.BytesIO(path.read_bytes())):
        np.testing.assert_array_equal(
            keraslite.utils.img_to_array(keraslite.utils.load_img(source)), x)


def test_save_jpg_and_rgba_to_jpeg(tmp_path):
    x = np.full((8, 8, 4), 200, "uint8")
    with pytest.warns(UserWarning, match="JPEG format does not support RGBA"):
        keraslite.utils.save_img(tmp_path / "a.jpg", x, scale=False)
    img = PIL.open(tmp_path / "a.jpg")
    assert img.format == "JPEG" and img.mode == "RGB"
    buffer = io.BytesIO()
    keraslite.utils.save_img(buffer, x[..., :3], file_format="png", scale=False)
    assert PIL.open(io.BytesIO(buffer.getvalue())).format == "PNG"


def test_load_img_color_modes(tmp_path):
    x = pixels(4, 5, 3)
    path = tmp_path / "c.png"
    PIL.fromarray(x).save(path)
    gray = keraslite.utils.load_img(path, color_mode="grayscale")
    assert gray.mode == "L"  # Pillow's luma, as Keras's load_img
    np.testing.assert_array_equal(np.asarray(gray), np.asarray(PIL.fromarray(x).convert("L")))
    rgba = keraslite.utils.img_to_array(keraslite.utils.load_img(path, color_mode="rgba"))
    np.testing.assert_array_equal(rgba[..., 3], 255)
    with pytest.raises(ValueError, match='color_mode must be "grayscale", "rgb", or "rgba"'):
        keraslite.utils.load_img(path, color_mode="cmyk")


def test_load_img_target_size_and_keep_aspect_ratio(tmp_path):
    x = pixels(10, 20, 3)
    path = tmp_path / "wide.png"
    PIL.fromarray(x).save(path)
    img = keraslite.utils.load_img(path, target_size=(5, 6), interpolation="nearest")
    assert img.size == (6, 5)
    # keep_aspect_ratio: the centred 10x10 window (columns 5..14), then resized
    # (nearest: no filter tap reaches outside the window).
    kept = keraslite.utils.load_img(path, target_size=(5, 5), keep_aspect_ratio=True,
                                    interpolation="nearest")
    manual = PIL.fromarray(x[:, 5:15]).resize((5, 5), PIL.Resampling.NEAREST)
    np.testing.assert_array_equal(np.asarray(kept), np.asarray(manual))
    with pytest.raises(ValueError, match="Invalid interpolation method cubic"):
        keraslite.utils.load_img(path, target_size=(5, 5), interpolation="cubic")


def test_preprocessing_image_names():
    from keraslite.preprocessing import image

    for name in ("array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"):
        assert getattr(image, name) is getattr(image_utils, name)
    assert keraslite.preprocessing.image_dataset_from_directory is \
        keraslite.utils.image_dataset_from_directory


def test_missing_pillow_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="pip install pillow"):
        keraslite.utils.load_img("x.png")
    with pytest.raises(ImportError, match="pip install pillow"):
        keraslite.utils.image_dataset_from_directory(".")


# --- resize_images: TensorFlow's half-pixel sampling ---------------------------------------
def test_bilinear_upsampling_golden():
    # in = (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> clamped lerps of [0, 10].
    x = np.array([[0.0, 10.0]], "float32")[:, :, None]
    out = image_utils.resize_images(x, (1, 4), "bilinear")
    np.testing.assert_allclose(out[0, :, 0], [0.0, 2.5, 7.5, 10.0])


def test_nearest_golden_and_dtype():
    # index = floor((i + 0.5) * 3 / 2) = 0, 2 (downsampling 3 -> 2).
    x = np.array([[1, 2, 3]], "uint8")[:, :, None]
    out = image_utils.resize_images(x, (1, 2), "nearest")
    assert out.dtype == np.uint8  # TensorFlow keeps the dtype for nearest
    np.testing.assert_array_equal(out[0, :, 0], [1, 3])


def test_bicubic_keeps_constants_and_linear_ramps():
    flat = np.full((6, 6, 1), 7.0, "float32")
    np.testing.assert_allclose(image_utils.resize_images(flat, (9, 4), "bicubic"), 7.0,
                               rtol=1e-6)
    # Keys's cubic reproduces linear functions away from the borders:
    # f(col) = col is sampled at (i + 0.5) * 8 / 16 - 0.5 = i / 2 - 0.25.
    ramp = np.tile(np.arange(8, dtype="float32"), (4, 1))[:, :, None]
    out = image_utils.resize_images(ramp, (4, 16), "bicubic")[0, :, 0]
    np.testing.assert_allclose(out[4:12], np.arange(4, 12) / 2 - 0.25, atol=1e-3)


def test_resize_channels_first_and_batches():
    x = pixels(5, 6, 3).astype("float32")
    last = image_utils.resize_images(x[None], (3, 4))
    first = image_utils.resize_images(x.transpose(2, 0, 1)[None], (3, 4),
                                      data_format="channels_first")
    np.testing.assert_allclose(first.transpose(0, 2, 3, 1), last, rtol=1e-6)
    with pytest.raises(ValueError, match="interpolation=area"):
        image_utils.resize_images(x, (3, 4), "area")


def test_smart_resize_crops_the_centre():
    x = pixels(10, 20, 3).astype("float32")
    out = keraslite.preprocessing.image.smart_resize(x, (5, 5))
    np.testing.assert_array_equal(out, image_utils.resize_images(x[:, 5:15], (5, 5)))
    with pytest.raises(ValueError, match="incorrect rank"):
        keraslite.preprocessing.image.smart_resize(np.zeros((3, 3)), (2, 2))


def test_resize_with_pad():
    x = np.ones((4, 8, 1), "float32")
    out = image_utils.resize_with_pad(x, 8, 8)
    # 4x8 fits 8x8 as 4x8 centred: rows 2..5 are the image, the rest zeros.
    np.testing.assert_array_equal(out[:, :, 0].sum(axis=1), [0, 0, 8, 8, 8, 8, 0, 0])

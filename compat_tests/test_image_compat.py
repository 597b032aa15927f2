"""Image utilities and image_dataset_from_directory beside real Keras.

On the same tiny folders (tests/image_fixtures.py) keraslite and
`keras.utils.image_dataset_from_directory(shuffle=False)` give the same
file order, labels and pixels (PNG, BMP, GIF: equal; the worst difference
is printed by the tests that measure it), and the same training/validation
files when shuffling with a seed. JPEG pixels equal TensorFlow's decoder
with `dct_method="INTEGER_ACCURATE"`; TensorFlow's default fast IDCT (what
Keras uses) differs by a few levels, pinned below.
"""
import io
import os
import random

import numpy as np
import pytest

import keraslite
from keraslite.utils import image_dataset_utils, image_utils
from tests.image_fixtures import FILES, write_folder

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")
PIL = pytest.importorskip("PIL.Image", reason="Pillow not installed")

# The formats TensorFlow decodes in each color mode (it refuses grayscale
# BMP/GIF and RGBA JPEG/GIF); JPEG is compared separately.
FORMATS = {"rgb": (".png", ".bmp", ".gif"), "grayscale": (".png",), "rgba": (".png", ".bmp")}


def both(folder, **kwargs):
    kwargs.setdefault("verbose", False)
    ours = keraslite.utils.image_dataset_from_directory(folder, **kwargs)
    theirs = keras.utils.image_dataset_from_directory(folder, **kwargs)
    return ours, theirs


def batches(ds):
    out = []
    for batch in ds:
        batch = batch if isinstance(batch, tuple) else (batch,)
        out.append(tuple(np.asarray(b) for b in batch))
    return out


def assert_same_batches(ours, theirs, rtol=0.0):
    assert ours.file_paths == theirs.file_paths
    assert ours.class_names == theirs.class_names
    a, b = batches(ours), batches(theirs)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        for u, v in zip(x, y):
            assert u.shape == v.shape and u.dtype == v.dtype
            np.testing.assert_allclose(u, v, rtol=rtol, atol=0)


@pytest.mark.parametrize("color_mode", ["rgb", "grayscale", "rgba"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("aspect", ["stretch", "crop", "pad"])
def test_pixels_files_and_labels_match_keras(tmp_path, color_mode, interpolation, aspect):
    folder = write_folder(tmp_path, FORMATS[color_mode])
    ours, theirs = both(folder, color_mode=color_mode, interpolation=interpolation,
                        image_size=(10, 12), batch_size=3, shuffle=False,
                        crop_to_aspect_ratio=aspect == "crop",
                        pad_to_aspect_ratio=aspect == "pad")
    assert_same_batches(ours, theirs)


@pytest.mark.parametrize("kwargs", [
    dict(label_mode="categorical"),
    dict(label_mode="binary", class_names=["c_birds", "a_dogs"]),
    dict(label_mode=None),
    dict(labels=None),
    dict(labels=[3, 1, 4, 1, 5, 9, 2, 6, 5]),
    dict(batch_size=None),
    dict(data_format="channels_first"),
    dict(image_size=(7, 7), follow_links=True),
])
def test_options_match_keras(tmp_path, kwargs):
    folder = write_folder(tmp_path, FORMATS["rgb"])
    os.symlink(os.path.join(folder, "a_dogs"), os.path.join(folder, "b_cats", "link"))
    kwargs = dict(dict(image_size=(6, 5), batch_size=4, shuffle=False), **kwargs)
    ours, theirs = both(folder, **kwargs)
    assert_same_batches(ours, theirs)


@pytest.mark.parametrize("seed", [1, 1234, None])
@pytest.mark.parametrize("subset", ["training", "validation", "both"])
def test_validation_split_takes_the_same_files_as_keras(tmp_path, seed, subset):
    folder = write_folder(tmp_path)
    kwargs = dict(image_size=(4, 4), validation_split=0.3, subset=subset, seed=seed,
                  shuffle=seed is not None)
    np.random.seed(5)  # draws the seed when seed=None, in both libraries
    ours = keraslite.utils.image_dataset_from_directory(folder, verbose=False, **kwargs)
    np.random.seed(5)
    theirs = keras.utils.image_dataset_from_directory(folder, verbose=False, **kwargs)
    if subset != "both":
        ours, theirs = [ours], [theirs]
    for a, b in zip(ours, theirs):
        assert a.file_paths == b.file_paths
        # The samples (not their order, under shuffling) are the same.
        ya = np.concatenate([y for _, y in a])
        yb = np.concatenate([y.numpy() for _, y in b])
        assert sorted(ya.tolist()) == sorted(yb.tolist())


def test_jpeg_pixels(tmp_path):
    jpegs = [f for f in FILES if f[1].endswith((".jpg", ".jpeg"))]
    folder = write_folder(tmp_path, (".jpg", ".jpeg"), files=jpegs)
    worst = 0
    for root, _, names in os.walk(folder):
        for name in names:
            if not name.endswith((".jpg", ".jpeg")):
                continue
            path = os.path.join(root, name)
            data = open(path, "rb").read()
            for channels in (1, 3):
                ours = image_dataset_utils.decode_image(path, channels)
                accurate = tf.io.decode_jpeg(data, channels=channels,
                                             dct_method="INTEGER_ACCURATE").numpy()
                np.testing.assert_array_equal(ours, accurate)
                default = tf.image.decode_image(data, channels=channels).numpy()
                worst = max(worst, int(np.abs(ours.astype(int) - default).max()))
    print(f"JPEG: worst difference to TensorFlow's default decoder {worst}/255")
    assert 0 < worst <= 8


@pytest.mark.parametrize("color_mode", ["rgb", "grayscale", "rgba"])
@pytest.mark.parametrize("target_size, interpolation, keep", [
    (None, "nearest", False),
    ((7, 5), "nearest", False),
    ((7, 5), "bilinear", True),
    ((20, 30), "bicubic", False),
    ((9, 9), "lanczos", True),
    ((4, 11), "box", False),
    ((4, 11), "hamming", True),
])
def test_load_img_matches_keras(tmp_path, color_mode, target_size, interpolation, keep):
    folder = write_folder(tmp_path)
    for folder_name, name, *_ in FILES:
        path = os.path.join(folder, folder_name, name)
        kwargs = dict(color_mode=color_mode, target_size=target_size,
                      interpolation=interpolation, keep_aspect_ratio=keep)
        ours = keraslite.utils.load_img(path, **kwargs)
        theirs = keras.utils.load_img(path, **kwargs)
        assert ours.mode == theirs.mode and ours.size == theirs.size
        for fmt in ("channels_last", "channels_first"):
            a = keraslite.utils.img_to_array(ours, data_format=fmt)
            b = keras.utils.img_to_array(theirs, data_format=fmt)
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)


def test_array_to_img_and_save_img_match_keras(tmp_path):
    rng = np.random.default_rng(0)
    for shape in [(5, 6, 1), (5, 6, 3), (5, 6, 4)]:
        x = rng.normal(size=shape).astype("float32") * 40
        for scale in (True, False):
            a = keraslite.utils.array_to_img(x, scale=scale)
            b = keras.utils.array_to_img(x, scale=scale)
            assert a.mode == b.mode
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        for ext in ("png", "bmp", "jpg"):
            keraslite.utils.save_img(tmp_path / f"ours.{ext}", x)
            keras.utils.save_img(tmp_path / f"theirs.{ext}", x)
            assert (tmp_path / f"ours.{ext}").read_bytes() == \
                (tmp_path / f"theirs.{ext}").read_bytes()


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "bicubic"])
def test_resize_and_smart_resize_match_tensorflow(interpolation):
    rng = np.random.default_rng(1)
    worst = 0.0
    for _ in range(20):
        h, w = rng.integers(1, 40, 2)
        size = tuple(int(v) for v in rng.integers(1, 50, 2))
        x = rng.integers(0, 256, (2, h, w, 3)).astype("float32")
        theirs = tf.image.resize(x, size, method=interpolation).numpy()
        ours = image_utils.resize_images(x, size, interpolation)
        worst = max(worst, float(np.abs(ours - theirs).max()))
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-4)
        smart = keras.preprocessing.image.smart_resize(x, size, interpolation=interpolation)
        np.testing.assert_allclose(
            keraslite.preprocessing.image.smart_resize(x, size, interpolation=interpolation),
            np.asarray(smart), rtol=1e-5, atol=1e-4)
    print(f"resize {interpolation}: worst abs difference {worst}")


def test_fit_on_a_directory_dataset_matches_keras(tmp_path):
    folder = write_folder(tmp_path, FORMATS["rgb"])
    ours_ds, theirs_ds = both(folder, image_size=(6, 6), batch_size=3, shuffle=False,
                              label_mode="categorical")
    keras.utils.set_random_seed(0)
    theirs = keras.Sequential([keras.Input((6, 6, 3)), keras.layers.Flatten(),
                               keras.layers.Dense(3, activation="softmax")])
    ours = keraslite.Sequential([keraslite.Input((6, 6, 3)), keraslite.layers.Flatten(),
                                 keraslite.layers.Dense(3, activation="softmax")])
    ours.set_weights(theirs.get_weights())
    for lib, m in ((keraslite, ours), (keras, theirs)):  # pixels are 0..255
        m.compile(lib.optimizers.SGD(1e-5), "categorical_crossentropy", metrics=["accuracy"])
    random.seed(0)
    h_ours = ours.fit(ours_ds, epochs=3, verbose=0, validation_data=ours_ds)
    h_theirs = theirs.fit(theirs_ds, epochs=3, verbose=0, validation_data=theirs_ds)
    for key in h_theirs.history:
        np.testing.assert_allclose(h_ours.history[key], h_theirs.history[key],
                                   rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours.predict(ours_ds, verbose=0),
                               theirs.predict(theirs_ds, verbose=0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs", [
    dict(label_mode="sparse"),
    dict(label_mode="binary"),
    dict(labels=[0, 1]),
    dict(labels="folders"),
    dict(class_names=["zebras"]),
    dict(color_mode="cmyk"),
    dict(image_size=(1, 2, 3)),
    dict(validation_split=0.2, subset="training", shuffle=True),
    dict(validation_split=0.2),
    dict(validation_split=0.2, subset="test"),
    dict(crop_to_aspect_ratio=True, pad_to_aspect_ratio=True),
])
def test_errors_match_keras(tmp_path, kwargs):
    folder = write_folder(tmp_path, FORMATS["rgb"])
    with pytest.raises(ValueError) as theirs:
        batches(keras.utils.image_dataset_from_directory(folder, verbose=False, **kwargs))
    with pytest.raises(ValueError) as ours:
        batches(keraslite.utils.image_dataset_from_directory(folder, verbose=False, **kwargs))
    assert str(ours.value) == str(theirs.value)


def test_empty_folder_error_matches_keras(tmp_path):
    (tmp_path / "class_a").mkdir()
    with pytest.raises(ValueError) as theirs:
        keras.utils.image_dataset_from_directory(str(tmp_path), verbose=False)
    with pytest.raises(ValueError) as ours:
        keraslite.utils.image_dataset_from_directory(str(tmp_path), verbose=False)
    assert str(ours.value) == str(theirs.value)

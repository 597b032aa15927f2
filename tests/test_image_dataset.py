"""keraslite.utils.image_dataset_from_directory on tiny generated folders.

The expected file order is Keras's rule written out by hand: class folders
sorted, and inside each the files of `os.walk`, roots sorted then names
sorted ("img_10" before "img_2"); hidden class folders and other
extensions are skipped. Without inferred labels the whole tree is indexed
from the top, hidden folders included (11 files here), as in Keras. compat_tests/test_image_compat.py checks it against Keras itself.
"""
import os

import numpy as np
import pytest

import keraslite
from tests.image_fixtures import write_folder

PIL = pytest.importorskip("PIL.Image", reason="Pillow not installed")

EXPECTED = [
    ("a_dogs", "w.gif"), ("a_dogs", "x.PNG"), ("a_dogs", "y.jpeg"), ("a_dogs", "z.bmp"),
    ("b_cats", "img_10.png"), ("b_cats", "img_2.png"), ("b_cats", "img_3.jpg"),
    ("b_cats", os.path.join("nested", "deep.png")),
    ("c_birds", "only.png"), ("c_birds", "second.png"),
]
LABELS = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]


@pytest.fixture
def folder(tmp_path):
    return write_folder(tmp_path / "images")


def load(folder, **kwargs):
    kwargs.setdefault("shuffle", False)
    kwargs.setdefault("verbose", False)
    return keraslite.utils.image_dataset_from_directory(folder, **kwargs)


def everything(ds):
    xs, ys = zip(*ds)
    return np.concatenate(xs), np.concatenate(ys)


def test_files_labels_and_class_names(folder, capsys):
    ds = load(folder, image_size=(8, 8), batch_size=4, verbose=True)
    assert "Found 10 files belonging to 3 classes." in capsys.readouterr().out
    assert ds.file_paths == [os.path.join(folder, c, f) for c, f in EXPECTED]
    assert ds.class_names == ["a_dogs", "b_cats", "c_birds"]
    assert len(ds) == 3 and isinstance(ds, keraslite.utils.PyDataset)
    images, labels = everything(ds)
    assert images.shape == (10, 8, 8, 3) and images.dtype == np.float32
    assert labels.dtype == np.int32 and labels.tolist() == LABELS


def test_pixels_at_native_size_are_the_file_pixels(folder):
    ds = load(folder, labels=None, image_size=(9, 14), batch_size=None)
    first_png = ds.file_paths.index(os.path.join(folder, "b_cats", "img_10.png"))
    image = [x for x in ds][first_png]
    np.testing.assert_array_equal(image, np.asarray(PIL.open(ds.file_paths[first_png])))


@pytest.mark.parametrize("label_mode, check", [
    ("categorical", lambda y: y.shape == (10, 3) and y.dtype == np.float32
     and y.argmax(1).tolist() == LABELS),
    ("int", lambda y: y.tolist() == LABELS),
])
def test_label_modes(folder, label_mode, check):
    assert check(everything(load(folder, image_size=(4, 4), label_mode=label_mode))[1])


def test_binary_and_none(folder):
    ds = load(folder, image_size=(4, 4), label_mode="binary", class_names=["c_birds", "a_dogs"])
    images, labels = everything(ds)
    assert labels.shape == (6, 1) and labels.dtype == np.float32
    assert labels[:, 0].tolist() == [0, 0, 1, 1, 1, 1]  # class_names keep their order
    none = load(folder, image_size=(4, 4), label_mode=None)
    assert all(isinstance(b, np.ndarray) for b in none)


def test_explicit_labels_and_unbatched(folder):
    labels = [5, 1, 5, 1, 5, 1, 5, 1, 5, 1, 5]
    ds = load(folder, labels=labels, image_size=(3, 3), batch_size=None)
    assert ds.class_names == ["1", "5"] and len(ds) == 11
    assert ds.file_paths[0] == os.path.join(folder, ".hidden", "skip.png")
    samples = list(ds)
    assert samples[0][0].shape == (3, 3, 3) and [int(y) for _, y in samples] == labels
    # labels follow the alphanumeric order of all paths, class folders ignored
    assert ds.file_paths[1] == os.path.join(folder, "a_dogs", "w.gif")


@pytest.mark.parametrize("color_mode, channels", [("grayscale", 1), ("rgb", 3), ("rgba", 4)])
def test_color_modes_and_channels_first(folder, color_mode, channels):
    images, _ = everything(load(folder, image_size=(5, 6), color_mode=color_mode))
    assert images.shape == (10, 5, 6, channels)
    first, _ = everything(load(folder, image_size=(5, 6), color_mode=color_mode,
                               data_format="channels_first"))
    np.testing.assert_array_equal(first, images.transpose(0, 3, 1, 2))


def test_crop_and_pad_to_aspect_ratio(folder):
    crop = load(folder, labels=None, image_size=(4, 4), crop_to_aspect_ratio=True, batch_size=11)
    pad = load(folder, labels=None, image_size=(4, 4), pad_to_aspect_ratio=True, batch_size=11)
    assert crop[0].shape == pad[0].shape == (11, 4, 4, 3)
    # second.png is 5x20: padded to 4x4 it keeps a 1x4 strip, zeros elsewhere.
    wide = pad.file_paths.index(os.path.join(folder, "c_birds", "second.png"))
    assert (pad[0][wide].sum(axis=(1, 2)) > 0).sum() == 1


def test_validation_split_subsets(folder, capsys):
    kwargs = dict(image_size=(4, 4), validation_split=0.25, seed=7, shuffle=True)
    train = load(folder, subset="training", **kwargs)
    val = load(folder, subset="validation", **kwargs)
    both = load(folder, subset="both", **kwargs)
    out = capsys.readouterr().out
    assert "Using 8 files for training." in out and "Using 2 files for validation." in out
    assert len(train.file_paths) == 8 and len(val.file_paths) == 2
    assert set(train.file_paths) | set(val.file_paths) == {
        os.path.join(folder, c, f) for c, f in EXPECTED}
    assert both[0].file_paths == train.file_paths and both[1].file_paths == val.file_paths
    # The file list is shuffled as Keras's: np.random.RandomState(seed).
    paths = [os.path.join(folder, c, f) for c, f in EXPECTED]
    np.random.RandomState(7).shuffle(paths)
    assert train.file_paths + val.file_paths == paths


def test_shuffle_reorders_each_pass_with_a_seed(folder):
    ds = load(folder, image_size=(2, 2), shuffle=True, seed=3, batch_size=10)
    again = load(folder, image_size=(2, 2), shuffle=True, seed=3, batch_size=10)
    first = [y.tolist() for _, y in ds]
    assert first == [y.tolist() for _, y in again]
    second = [y.tolist() for _, y in ds]
    assert sorted(first[0]) == sorted(second[0]) == LABELS


def test_fit_accepts_the_dataset(folder):
    ds = load(folder, image_size=(4, 4), batch_size=4, label_mode="categorical")
    model = keraslite.Sequential([keraslite.Input((4, 4, 3)), keraslite.layers.Flatten(),
                                  keraslite.layers.Dense(3, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(ds, epochs=2, verbose=0, validation_data=ds)
    assert len(history.history["val_loss"]) == 2
    assert model.predict(ds, verbose=0).shape == (10, 3)


def test_unreadable_file_is_skipped_with_a_warning(folder):
    bad = os.path.join(folder, "b_cats", "broken.png")
    with open(bad, "wb") as f:
        f.write(b"not a png at all")
    with pytest.warns(UserWarning, match="broken.png"):
        ds = load(folder, image_size=(4, 4))
    assert bad not in ds.file_paths and len(ds.file_paths) == 10
    assert everything(ds)[1].tolist() == LABELS


def test_truncated_file_names_itself_when_loaded(folder):
    path = os.path.join(folder, "c_birds", "only.png")
    data = open(path, "rb").read()
    with open(path, "wb") as f:
        f.write(data[:60])
    ds = load(folder, image_size=(4, 4), batch_size=10)
    with pytest.raises(ValueError, match="only.png"):
        ds[0]


@pytest.mark.parametrize("kwargs, match", [
    (dict(label_mode="sparse"), "`label_mode` argument must be one of"),
    (dict(label_mode="binary"), "there must be exactly 2 class_names"),
    (dict(labels=[0, 1]), "Expected the lengths of `labels` to match"),
    (dict(labels="folders"), "`labels` argument should be a list/tuple"),
    (dict(labels=[0] * 10, class_names=["a"]), "You can only pass `class_names`"),
    (dict(class_names=["zebras"]), "did not match the names of the subdirectories"),
    (dict(color_mode="cmyk"), "`color_mode` must be one of"),
    (dict(image_size=(1, 2, 3)), "Invalid `image_size` value"),
    (dict(interpolation="lanczos3"), "Argument `interpolation` should be one of"),
    (dict(validation_split=0.2, subset="training", shuffle=True),
     "you must provide a `seed` argument"),
    (dict(validation_split=0.2), "If `subset` is set, `validation_split` must be set"),
    (dict(validation_split=1.5, subset="training"), "`validation_split` must be between 0 and 1"),
    (dict(validation_split=0.2, subset="test"), "`subset` must be either"),
    (dict(crop_to_aspect_ratio=True, pad_to_aspect_ratio=True), "Only one of"),
])
def test_bad_arguments(folder, kwargs, match):
    with pytest.raises(ValueError, match=match):
        load(folder, **kwargs)


def test_folder_without_images_is_named(tmp_path):
    empty = tmp_path / "empty"
    (empty / "class_a").mkdir(parents=True)
    (empty / "class_a" / "readme.txt").write_text("no images")
    with pytest.raises(ValueError, match=f"No images found in directory {empty}. "
                                         r"Allowed formats: \('.bmp'"):
        load(str(empty))

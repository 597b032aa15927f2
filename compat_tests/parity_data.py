"""Parity rows of data input: generators and `utils.PyDataset` in
fit/evaluate/predict, the image utilities, `image_dataset_from_directory`
and the CIFAR loaders, each run in keraslite and in Keras on the same data.

The detailed side-by-side tests are compat_tests/test_data_adapters_compat.py,
test_image_compat.py and test_cifar_compat.py; these rows put one summary of
each into the parity table.
"""
import os
import tempfile
import warnings

import numpy as np

import keraslite


def _lib():
    from compat_tests.parity import _keras

    return _keras()


def _fit_row(kind):
    from compat_tests.parity import Pair, Row

    def compute():
        from compat_tests import test_data_adapters_compat as t

        _, keras = _lib()
        ours, theirs = t.models()
        results = []
        for lib, model in ((keraslite, ours), (keras, theirs)):
            if kind == "generator":
                make = t.gen
                data = None
            else:
                data = t.dataset_class(lib)()
                make = lambda: data  # noqa: E731
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                history = model.fit(make(), epochs=3, verbose=0, shuffle=False,
                                    steps_per_epoch=3 if kind == "generator" else None)
                results.append((history.history, model.evaluate(make(), verbose=0),
                                model.predict(make(), verbose=0), model.get_weights(),
                                None if data is None else (data.begins, data.ends)))
        (h_o, e_o, p_o, w_o, c_o), (h_t, e_t, p_t, w_t, c_t) = results
        pairs = [Pair(f"History {k}", h_o[k], h_t[k]) for k in sorted(h_t)]
        pairs += [Pair("evaluate", e_o, e_t), Pair("predict", p_o, p_t)]
        pairs += [Pair(f"weight {i}", a, b) for i, (a, b) in enumerate(zip(w_o, w_t))]
        if c_t is not None:
            pairs.append(Pair("on_epoch_begin/end calls", c_o, c_t, exact=True))
        return pairs

    covers = ("utils.PyDataset", "utils.Sequence") if kind == "PyDataset" else ()
    return Row(f"fit/evaluate/predict on a {kind} (3 epochs, SGD momentum)", compute,
               rtol=1e-5, atol=1e-5, covers=covers)


def _directory_row():
    from compat_tests.parity import Pair, Row

    def compute():
        from compat_tests.test_image_compat import FORMATS, batches
        from tests.image_fixtures import write_folder

        _, keras = _lib()
        folder = write_folder(tempfile.mkdtemp(), FORMATS["rgb"])
        kwargs = dict(image_size=(10, 12), batch_size=3, shuffle=False, verbose=False,
                      label_mode="categorical")
        ours = keraslite.utils.image_dataset_from_directory(folder, **kwargs)
        alias = keraslite.preprocessing.image_dataset_from_directory(folder, **kwargs)
        theirs = keras.utils.image_dataset_from_directory(folder, **kwargs)
        pairs = [Pair("file_paths", ours.file_paths, theirs.file_paths, exact=True),
                 Pair("class_names", ours.class_names, theirs.class_names, exact=True),
                 Pair("preprocessing alias", alias.file_paths, theirs.file_paths, exact=True)]
        for i, (a, b) in enumerate(zip(batches(ours), batches(theirs))):
            pairs += [Pair(f"batch {i} images", a[0], b[0]), Pair(f"batch {i} labels", a[1], b[1])]
        return pairs

    return Row("image_dataset_from_directory (PNG/BMP/GIF, bilinear, shuffle=False)",
               compute, rtol=1e-6, atol=0.0,
               covers=("utils.image_dataset_from_directory",
                       "preprocessing.image_dataset_from_directory"))


def _image_utils_row():
    from compat_tests.parity import Pair, Row

    def compute():
        from tests.image_fixtures import FILES, write_folder

        _, keras = _lib()
        folder = write_folder(tempfile.mkdtemp())
        pairs = []
        for module, label in ((keraslite.utils, "utils"),
                              (keraslite.preprocessing.image, "preprocessing.image")):
            for sub, name, *_ in FILES:
                path = os.path.join(folder, sub, name)
                for mode in ("rgb", "grayscale"):
                    kw = dict(color_mode=mode, target_size=(7, 9), interpolation="bilinear")
                    a = module.img_to_array(module.load_img(path, **kw))
                    b = keras.utils.img_to_array(keras.utils.load_img(path, **kw))
                    pairs.append(Pair(f"{label} {name} {mode}", a, b))
            x = np.random.default_rng(0).normal(size=(5, 6, 3)).astype("float32")
            pairs.append(Pair(f"{label}.array_to_img", np.asarray(module.array_to_img(x)),
                              np.asarray(keras.utils.array_to_img(x))))
            ours_path = os.path.join(folder, f"{label}.png")
            theirs_path = os.path.join(folder, f"keras_{label}.png")
            module.save_img(ours_path, x)
            keras.utils.save_img(theirs_path, x)
            pairs.append(Pair(f"{label}.save_img bytes", open(ours_path, "rb").read(),
                              open(theirs_path, "rb").read(), exact=True))
        return pairs

    names = ("load_img", "img_to_array", "array_to_img", "save_img")
    return Row("image file utilities (load_img, img_to_array, array_to_img, save_img)",
               compute, rtol=0.0, atol=0.0,
               covers=tuple(f"utils.{n}" for n in names)
               + tuple(f"preprocessing.image.{n}" for n in names))


def _smart_resize_row():
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        rng = np.random.default_rng(3)
        pairs = []
        for method in ("bilinear", "nearest", "bicubic"):
            x = rng.integers(0, 256, (2, 17, 31, 3)).astype("float32")
            for size in ((8, 8), (20, 5), (40, 40)):
                pairs.append(Pair(
                    f"{method} {size}",
                    keraslite.preprocessing.image.smart_resize(x, size, interpolation=method),
                    np.asarray(keras.preprocessing.image.smart_resize(
                        x, size, interpolation=method))))
        return pairs

    return Row("preprocessing.image.smart_resize (crop + tf.image.resize)", compute,
               rtol=1e-5, atol=1e-4, covers=("preprocessing.image.smart_resize",))


def _cifar_row():
    from compat_tests.parity import Pair, Row

    def compute():
        from keras.src.datasets.cifar import load_batch
        from tests.cifar_fixtures import write_cifar10, write_cifar100

        home = tempfile.mkdtemp()
        old = {k: os.environ.get(k) for k in ("KERASLITE_HOME", "KERAS_HOME")}
        os.environ["KERASLITE_HOME"] = home
        os.environ["KERAS_HOME"] = tempfile.mkdtemp()
        try:
            write_cifar10(home, per_batch=6, num_test=4)
            write_cifar100(home, num_train=8, num_test=3)
            (x10, y10), (xt10, yt10) = keraslite.datasets.cifar10.load_data()
            (x100, y100), _ = keraslite.datasets.cifar100.load_data("coarse")
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        # Keras's own batch reader on the same files, extracted.
        import tarfile

        folder = tempfile.mkdtemp()
        for name in ("cifar-10-batches-py-target", "cifar-100-python-target"):
            with tarfile.open(os.path.join(home, "datasets", f"{name}_archive")) as tar:
                tar.extractall(folder)
        parts = [load_batch(os.path.join(folder, "cifar-10-batches-py", f"data_batch_{i}"))
                 for i in range(1, 6)]
        kx = np.concatenate([p[0] for p in parts]).transpose(0, 2, 3, 1)
        ky = np.concatenate([p[1] for p in parts]).astype("uint8")[:, None]
        kxt, kyt = load_batch(os.path.join(folder, "cifar-10-batches-py", "test_batch"))
        k100, k100y = load_batch(os.path.join(folder, "cifar-100-python", "train"),
                                 label_key="coarse_labels")
        return [Pair("cifar10 x_train", x10, kx), Pair("cifar10 y_train", y10, ky),
                Pair("cifar10 x_test", xt10, kxt.transpose(0, 2, 3, 1)),
                Pair("cifar10 y_test", yt10, np.asarray(kyt)[:, None]),
                Pair("cifar100 x_train", x100, k100.transpose(0, 2, 3, 1)),
                Pair("cifar100 coarse y_train", y100, np.asarray(k100y)[:, None]),
                Pair("dtypes", [str(a.dtype) for a in (x10, y10, x100, y100)],
                     ["uint8", "uint8", "uint8", "int64"], exact=True)]

    return Row("datasets.cifar10 / cifar100 vs Keras's load_batch (synthetic archives)",
               compute, rtol=0.0, atol=0.0,
               covers=("datasets.cifar10.load_data", "datasets.cifar100.load_data"))


def data_rows():
    """Every row of this module, in report order."""
    return [_fit_row("generator"), _fit_row("PyDataset"), _directory_row(),
            _image_utils_row(), _smart_resize_row(), _cifar_row()]

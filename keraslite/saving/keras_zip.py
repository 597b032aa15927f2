"""Keras 3 `.keras` archives: a zip of config.json, metadata.json and
model.weights.h5 (the layout of `keras3_h5`)."""
import io
import json
import posixpath
import zipfile

from keraslite.saving import keras3_h5, serialization
from keraslite.saving._io import (
    MAX_JSON_BYTES,
    MAX_WEIGHT_BYTES,
    MAX_ZIP_ENTRIES,
    MAX_ZIP_EXPANSION,
    FileFormatError,
    atomic_write,
    open_h5,
    parse_json,
    require_h5py,
    to_json,
)

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
ASSETS = "assets"
MAX_ASSET_BYTES = 256 << 20  # one asset file (a vocabulary)


def weights_bytes(model):
    """The Keras 3 weights file of `model`, in memory."""
    h5py = require_h5py()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5file:
        keras3_h5.write(h5file, model)
    return buffer.getvalue()


def save(model, filepath, overwrite=True):
    """Writes `model` as a `.keras` archive, atomically."""
    config_json = to_json(serialization.serialize_model(model))
    metadata_json = json.dumps(serialization.metadata())
    data = weights_bytes(model)
    assets = assets_of(model)

    def write(tmp):
        with open(tmp, "wb") as f:
            with zipfile.ZipFile(f, "w") as zf:
                with zf.open(METADATA, "w") as entry:
                    entry.write(metadata_json.encode())
                with zf.open(CONFIG, "w") as entry:
                    entry.write(config_json.encode())
                zf.writestr(WEIGHTS, data)
                for name, content in assets:
                    zf.writestr(name, content)

    atomic_write(filepath, write, overwrite=overwrite)


class Archive:
    """A `.keras` zip opened for reading, with its entries screened.

    Entry names with absolute paths or `..`, duplicate names, too many
    entries and entries that expand far beyond their stored size are
    refused before anything is decompressed.
    """

    def __init__(self, filepath):
        try:
            self.zf = zipfile.ZipFile(filepath, "r")
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError,
                EOFError, ValueError, NotImplementedError) as e:
            raise FileFormatError(f"Not a readable zip archive: {e}") from e
        try:
            self._check_entries()
        except BaseException:
            self.zf.close()
            raise

    def _check_entries(self):
        infos = self.zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise FileFormatError(f"The archive has {len(infos)} entries.")
        names = set()
        for info in infos:
            name = info.filename
            parts = name.replace("\\", "/").split("/")
            if (name.startswith(("/", "\\")) or ".." in parts
                    or posixpath.isabs(name) or (len(name) > 1 and name[1] == ":")):
                raise FileFormatError(
                    f"Refusing the archive: entry {name!r} has an absolute "
                    "path or '..'."
                )
            if name in names:
                raise FileFormatError(f"Refusing the archive: duplicate entry {name!r}.")
            names.add(name)
            if info.file_size > 1 << 20 and \
                    info.file_size > MAX_ZIP_EXPANSION * max(info.compress_size, 1):
                raise FileFormatError(
                    f"Refusing the archive: entry {name!r} declares "
                    f"{info.file_size} bytes but stores {info.compress_size} "
                    "(a potential zip bomb)."
                )
        self.names = names

    def read(self, name, limit):
        """The bytes of entry `name`, reading at most `limit` bytes."""
        if name not in self.names:
            raise FileFormatError(f"The archive has no '{name}'.")
        info = self.zf.getinfo(name)
        if info.file_size > limit:
            raise FileFormatError(
                f"Entry '{name}' declares {info.file_size} bytes, more than "
                f"the {limit} keraslite accepts for it."
            )
        try:
            with self.zf.open(info, "r") as entry:
                data = entry.read(limit + 1)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError,
                ValueError, NotImplementedError) as e:
            raise FileFormatError(f"Could not read '{name}' from the archive: {e}") from e
        if len(data) > limit:
            raise FileFormatError(f"Entry '{name}' is larger than declared.")
        return data

    def weights_file(self, model):
        """The model.weights.h5 entry, opened with h5py (size-capped)."""
        if WEIGHTS not in self.names:
            if "model.weights.npz" in self.names:
                raise FileFormatError(
                    "The archive stores its weights as .npz; keraslite reads "
                    "the default HDF5 weights (model.weights.h5) only."
                )
            raise FileFormatError(f"The archive has no '{WEIGHTS}'.")
        return open_h5(self.read(WEIGHTS, weights_limit(model)))

    def close(self):
        self.zf.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def assets_of(model):
    """`[(entry name, bytes)]` of the layers' `save_assets` files, under
    `assets/<layer path>/` as Keras's saving_lib writes them."""
    import os
    import tempfile

    entries = []
    for layer, path in keras3_h5.layer_paths(model):
        if not hasattr(layer, "save_assets"):
            continue
        with tempfile.TemporaryDirectory() as folder:
            layer.save_assets(folder)
            for name in sorted(os.listdir(folder)):
                with open(os.path.join(folder, name), "rb") as f:
                    entries.append((f"{ASSETS}/{path}/{name}", f.read()))
    return entries


def load_assets(archive, model):
    """Hands each layer with `load_assets` its files from the archive."""
    import os
    import tempfile

    for layer, path in keras3_h5.layer_paths(model):
        if not hasattr(layer, "load_assets"):
            continue
        prefix = f"{ASSETS}/{path}/"
        names = [n for n in archive.names
                 if n.startswith(prefix) and "/" not in n[len(prefix):] and
                 n != prefix]
        with tempfile.TemporaryDirectory() as folder:
            for name in names:
                with open(os.path.join(folder, name[len(prefix):]), "wb") as f:
                    f.write(archive.read(name, MAX_ASSET_BYTES))
            try:
                layer.load_assets(folder)
            except FileNotFoundError:
                if getattr(getattr(layer, "_lookup_layer", layer),
                           "input_vocabulary", None) is None:
                    raise FileFormatError(
                        f"The archive has no vocabulary for layer '{layer.name}' "
                        f"({type(layer).__name__}) under '{prefix}'.") from None
            except (ValueError, RuntimeError, UnicodeDecodeError) as e:
                raise FileFormatError(
                    f"Could not load the assets of layer '{layer.name}': {e}") from None


def weights_limit(model):
    """Largest weights file plausible for `model` (weights + 4 slot sets)."""
    params = sum(w.value.nbytes for w in model.weights)
    return min(MAX_WEIGHT_BYTES * 5, (64 << 20) + 6 * params)


def load(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Rebuilds, compiles and fills a model from a `.keras` archive."""
    with Archive(filepath) as archive:
        config = parse_json(archive.read(CONFIG, MAX_JSON_BYTES), CONFIG)
        model = serialization.model_from_config(config, custom_objects, safe_mode)
        compile_config = config.get("compile_config")
        if compile and compile_config:
            serialization.compile_from_config(model, compile_config)
        with archive.weights_file(model) as h5file:
            plan = keras3_h5.plan(h5file, model, load_optimizer=compile,
                                  where=WEIGHTS)
        plan.apply()
        load_assets(archive, model)
    return model


def plan_weights(filepath, model, skip_mismatch=False):
    """Validates the weights of a `.keras` archive against `model`."""
    with Archive(filepath) as archive:
        with archive.weights_file(model) as h5file:
            return keras3_h5.plan(h5file, model, skip_mismatch=skip_mismatch,
                                  where=WEIGHTS)

"""Every public function and class of keraslite has a row in the parity table.

The table (compat_tests/parity.py) loads TensorFlow only when a row runs, so
this test reads the rows' `covers` without TensorFlow.

Public modules are listed in `PUBLIC_MODULES`; every other module of the
package must be listed in `INTERNAL_MODULES` with the reason it is not part
of the API (`test_every_module_is_classified` fails on a new, unclassified
module). A public name is a function or class not starting with "_" that is
defined in a public module, exported by a public package's `__init__`, or
re-exported from another public module (as `keraslite.metrics.mse`, which
`keras.metrics` exports too). Names are written relative to `keraslite`:
"layers.Dense", "optimizers.schedules.CosineDecay", "Input".
"""
import importlib
import inspect
import pkgutil

import pytest

import keraslite
from compat_tests.parity import ROWS

# "" is the top-level package (`keraslite.Input`, `keraslite.Sequential`).
PUBLIC_MODULES = [
    "", "activations", "backend", "callbacks", "config", "constraints", "initializers",
    "layers", "losses", "metrics", "models", "ops", "optimizers", "optimizers.schedules",
    "regularizers", "saving", "utils", "utils.file_utils",
    "datasets.boston_housing", "datasets.fashion_mnist", "datasets.imdb",
    "datasets.mnist", "datasets.reuters", "datasets.npz_utils",
    "datasets.cifar10", "datasets.cifar100", "preprocessing", "preprocessing.image",
    "applications", "applications.imagenet_utils", "applications.vgg16",
    "applications.vgg19", "applications.resnet", "applications.resnet50",
    "applications.mobilenet_v2", "applications.inception_v3",
    "preprocessing.sequence",
]
# Modules that implement the public names above; their own names are not API.
INTERNAL_MODULES = {
    "datasets": "a package of loader modules; exports no functions or classes",
    "registry": "the lookup/serialize_object helpers shared by the registries",
    "layers.activations.activation": "defines layers.Activation (exported by layers)",
    "layers.core.dense": "defines layers.Dense (exported by layers)",
    "layers.core.embedding": "defines layers.Embedding (exported by layers)",
    "layers.core.masking": "defines layers.Masking (exported by layers)",
    "layers.regularization.dropout": "defines layers.Dropout (exported by layers)",
    "layers.reshaping.flatten": "defines layers.Flatten (exported by layers)",
    "layers.core.input_layer": "defines layers.Input/InputLayer (exported by layers); "
                          "KerasTensor is only what Input returns",
    "layers.layer": "defines layers.Layer (exported by layers); Variable and "
                    "dtype_policy_config are its storage and config helpers",
    "models.sequential": "defines models.Sequential (exported by models)",
    "models.model": "defines models.Model (exported by models)",
    "models.functional": "defines models.Functional (exported by models)",
    "autodiff": "the tape behind training; Tensor is what call() sees in training",
    "trainers": "a package holding the shared training loop",
    "trainers.trainer": "compile/fit/evaluate/predict, methods of every Model",
    "trainers.compile_utils": "how compile's loss/metrics map onto outputs",
    "trainers.compile_config": "compile()'s arguments as a file's compile_config "
                               "(Model.get_compile_config/compile_from_config)",
    "utils.denormal": "how fit/evaluate/predict flush subnormals as "
                      "TensorFlow does; Keras has no such module",
    "trainers.blas_threads": "how fit chooses its BLAS thread count; its "
                             "setting is config.set_blas_threads",
    "trainers.epoch_iterator": "the steps of an epoch over a data adapter, behind fit",
    "trainers.data_adapters": "the adapters behind fit's input types (arrays, "
                              "generators, utils.PyDataset)",
    "trainers.data_adapters.array_data_adapter": "batches of arrays, behind fit",
    "trainers.data_adapters.data_adapter": "the adapters' base class",
    "trainers.data_adapters.data_adapter_utils": "unpacking (x, y, sample_weight)",
    "trainers.data_adapters.generator_data_adapter": "batches of generators, behind fit",
    "trainers.data_adapters.py_dataset_adapter": "defines utils.PyDataset (exported "
                                                 "by utils) and its adapter",
    "metrics.metric": "defines metrics.Metric (exported by metrics)",
    "metrics.reduction_metrics": "defines metrics.Mean/Sum/MeanMetricWrapper (exported by metrics)",
    "metrics.accuracy_metrics": "defines the accuracy metrics (exported by metrics)",
    "metrics.regression_metrics": "defines metrics.MeanSquaredError/... (exported by metrics)",
    "metrics.confusion_metrics": "defines metrics.AUC/Precision/Recall/... (exported by metrics)",
    "metrics.metrics_utils": "the thresholding and confusion-matrix counts behind "
                             "metrics.AUC/Precision/...",
    "metrics.f_score_metrics": "defines metrics.F1Score/FBetaScore (exported by metrics)",
    "metrics.iou_metrics": "defines metrics.IoU/MeanIoU/... (exported by metrics)",
    "metrics.correlation_metrics": "defines metrics.PearsonCorrelation/... (exported by metrics)",
    "metrics.probabilistic_metrics": "defines metrics.KLDivergence/Poisson/... "
                                     "(exported by metrics)",
    "metrics.hinge_metrics": "defines metrics.Hinge/SquaredHinge/CategoricalHinge "
                             "(exported by metrics)",
    "ops.core": "defines ops.cast, ops.shape, ... (exported by ops)",
    "ops.nn": "defines ops.relu, ops.softmax, ... (exported by ops)",
    "ops.numpy": "defines ops.add, ops.matmul, ... (exported by ops)",
    "ops.graph": "how an op reads its inputs and records its gradient",
    "ops.symbolic": "ops called on KerasTensors become graph nodes (OpLayer)",
    "ops.node": "KerasTensor and Node: the symbolic graph of functional models",
    "layers.activations": "a package of activation layers (exported by layers)",
    "layers.activations.elu": "defines layers.ELU (exported by layers)",
    "layers.activations.prelu": "defines layers.PReLU (exported by layers)",
    "layers.activations.relu": "defines layers.ReLU/LeakyReLU (exported by layers)",
    "layers.activations.softmax": "defines layers.Softmax (exported by layers)",
    "layers.core": "a package of core layers (exported by layers)",
    "layers.convolutional": "a package of convolution layers (exported by layers)",
    "layers.convolutional.base_conv": "the convolutions' arguments and their im2col lowering",
    "layers.convolutional.conv_pool": "a relu Conv2D and the MaxPooling2D tiling its output run as one step in Sequential models (compared with the two layers in tests/test_conv_pool_fusion.py)",
    "layers.convolutional.base_conv_transpose": "the transposed convolutions' shared part",
    "layers.convolutional.base_depthwise_conv": "the depthwise convolutions' shared part",
    "layers.convolutional.base_separable_conv": "the separable convolutions' shared part",
    "layers.convolutional.conv1d": "defines layers.Conv1D (exported by layers)",
    "layers.convolutional.conv2d": "defines layers.Conv2D (exported by layers)",
    "layers.convolutional.conv2d_transpose": "defines layers.Conv2DTranspose (exported by layers)",
    "layers.convolutional.depthwise_conv2d": "defines layers.DepthwiseConv2D (exported by layers)",
    "layers.convolutional.separable_conv2d": "defines layers.SeparableConv2D (exported by layers)",
    "layers.rnn": "a package of recurrent layers (exported by layers)",
    "layers.rnn.rnn": "defines layers.RNN (exported by layers); the time loop and BPTT",
    "layers.rnn.dropout_rnn_cell": "the built-in cells' per-call dropout masks",
    "layers.rnn.simple_rnn": "defines layers.SimpleRNN/SimpleRNNCell (exported by layers)",
    "layers.rnn.lstm": "defines layers.LSTM/LSTMCell (exported by layers)",
    "layers.rnn.gru": "defines layers.GRU/GRUCell (exported by layers)",
    "layers.rnn.stacked_rnn_cells": "defines layers.StackedRNNCells (exported by layers)",
    "layers.core.identity": "defines layers.Identity (exported by layers)",
    "layers.core.lambda_layer": "defines layers.Lambda (exported by layers)",
    "layers.core.wrapper": "defines layers.Wrapper (exported by layers)",
    "layers.rnn": "a package of recurrent layers and wrappers (exported by layers)",
    "layers.rnn.time_distributed": "defines layers.TimeDistributed (exported by layers)",
    "layers.rnn.bidirectional": "defines layers.Bidirectional (exported by layers)",
    "layers.regularization": "a package of regularization layers (exported by layers)",
    "layers.merging": "a package of merging layers (exported by layers)",
    "layers.merging.add": "defines layers.Add, Subtract, ... (exported by layers)",
    "layers.merging.base_merge": "the shared part of the elementwise merges",
    "layers.merging.concatenate": "defines layers.Concatenate (exported by layers)",
    "layers.merging.dot": "defines layers.Dot (exported by layers)",
    "layers.reshaping": "a package of reshaping layers (exported by layers)",
    "layers.reshaping.permute": "defines layers.Permute (exported by layers)",
    "layers.reshaping.repeat_vector": "defines layers.RepeatVector (exported by layers)",
    "layers.reshaping.reshape": "defines layers.Reshape (exported by layers)",
    # Issue 11: reshaping, spatial dropout, rescaling, image augmentation.
    "layers.reshaping.zero_padding1d": "defines layers.ZeroPadding1D (exported by layers)",
    "layers.reshaping.zero_padding2d": "defines layers.ZeroPadding2D (exported by layers)",
    "layers.reshaping.cropping1d": "defines layers.Cropping1D (exported by layers)",
    "layers.reshaping.cropping2d": "defines layers.Cropping2D (exported by layers)",
    "layers.reshaping.up_sampling1d": "defines layers.UpSampling1D (exported by layers)",
    "layers.reshaping.up_sampling2d": "defines layers.UpSampling2D (exported by layers)",
    "layers.regularization.spatial_dropout": "defines layers.SpatialDropout1D/2D "
                                             "(exported by layers)",
    "layers.preprocessing": "a package of preprocessing layers (exported by layers)",
    "layers.preprocessing.rescaling": "defines layers.Rescaling (exported by layers)",
    "layers.preprocessing.image_preprocessing": "a package of image augmentation "
                                                "layers (exported by layers)",
    "layers.preprocessing.image_preprocessing.base_image_preprocessing_layer":
        "the shared part of the augmentation layers (training-only, affine warps)",
    "layers.preprocessing.image_preprocessing.random_contrast":
        "defines layers.RandomContrast (exported by layers)",
    "layers.preprocessing.image_preprocessing.random_flip":
        "defines layers.RandomFlip (exported by layers)",
    "layers.preprocessing.image_preprocessing.random_rotation":
        "defines layers.RandomRotation (exported by layers)",
    "layers.preprocessing.image_preprocessing.random_translation":
        "defines layers.RandomTranslation (exported by layers)",
    "layers.preprocessing.image_preprocessing.random_zoom":
        "defines layers.RandomZoom (exported by layers)",
    "ops.image": "affine_transform behind the augmentation layers (not exported as "
                 "keraslite.ops.image yet; its parity row compares it with Keras)",
    "utils.argument_validation": "argument checks of layers (standardize_tuple, "
                                 "standardize_data_format)",
    "layers.input_spec": "the rank and axis checks of built-in layers (Keras's messages)",
    "layers.normalization": "a package of normalization layers (exported by layers)",
    "layers.normalization.batch_normalization": "defines layers.BatchNormalization "
                                                "(exported by layers)",
    "layers.normalization.layer_normalization": "defines layers.LayerNormalization "
                                                "(exported by layers)",
    "layers.pooling": "a package of pooling layers (exported by layers)",
    "layers.pooling.base_pooling": "the shared maths of the window pooling layers",
    "layers.pooling.base_global_pooling": "the shared maths of the global pooling layers",
    "layers.pooling.max_pooling1d": "defines layers.MaxPooling1D (exported by layers)",
    "layers.pooling.max_pooling2d": "defines layers.MaxPooling2D (exported by layers)",
    "layers.pooling.average_pooling1d": "defines layers.AveragePooling1D (exported by layers)",
    "layers.pooling.average_pooling2d": "defines layers.AveragePooling2D (exported by layers)",
    "layers.pooling.global_max_pooling1d": "defines layers.GlobalMaxPooling1D "
                                           "(exported by layers)",
    "layers.pooling.global_max_pooling2d": "defines layers.GlobalMaxPooling2D "
                                           "(exported by layers)",
    "layers.pooling.global_average_pooling1d": "defines layers.GlobalAveragePooling1D "
                                               "(exported by layers)",
    "layers.pooling.global_average_pooling2d": "defines layers.GlobalAveragePooling2D "
                                               "(exported by layers)",
    "models.data": "input checks and batching behind fit/evaluate/predict",
    "models.interrupt": "the KeyboardInterrupt deferral behind fit",
    "optimizers.adadelta": "defines optimizers.Adadelta (exported by optimizers)",
    "optimizers.adafactor": "defines optimizers.Adafactor (exported by optimizers)",
    "optimizers.adagrad": "defines optimizers.Adagrad (exported by optimizers)",
    "optimizers.adam": "defines optimizers.Adam (exported by optimizers)",
    "optimizers.adamax": "defines optimizers.Adamax (exported by optimizers)",
    "optimizers.adamw": "defines optimizers.AdamW (exported by optimizers)",
    "optimizers.ftrl": "defines optimizers.Ftrl (exported by optimizers)",
    "optimizers.lamb": "defines optimizers.Lamb (exported by optimizers)",
    "optimizers.lion": "defines optimizers.Lion (exported by optimizers)",
    "optimizers.nadam": "defines optimizers.Nadam (exported by optimizers)",
    "optimizers.optimizer": "defines optimizers.Optimizer (exported by optimizers)",
    "optimizers.rmsprop": "defines optimizers.RMSprop (exported by optimizers)",
    "optimizers.sgd": "defines optimizers.SGD (exported by optimizers)",
    "saving.keras3_h5": "the .weights.h5 format behind saving.* and Model.save",
    "saving.keras_zip": "the .keras format behind saving.* and Model.save",
    "saving.legacy_h5": "the legacy .h5 format behind saving.* and Model.save",
    "saving.serialization": "model configs behind the file formats",
    "saving.functional_config": "functional configs (inbound nodes) behind the file formats",
    "utils.naming": "automatic layer names (reset by backend.clear_session)",
    "utils.image_utils": "defines utils.load_img/img_to_array/array_to_img/save_img "
                         "(exported by utils) and smart_resize (preprocessing.image)",
    "utils.image_dataset_utils": "defines utils.image_dataset_from_directory (exported "
                                 "by utils) and the dataset it returns",
    "utils.dataset_utils": "directory indexing and splits behind "
                           "image_dataset_from_directory",
    # Issue 12: text and sequence preprocessing.
    "layers.preprocessing.text_vectorization": "defines layers.TextVectorization "
                                               "(exported by layers)",
    "layers.preprocessing.index_lookup": "the vocabulary behind layers.TextVectorization",
    "utils.sequence_utils": "defines utils.pad_sequences (exported by utils and "
                            "preprocessing.sequence)",
    "utils.timeseries_dataset_utils": "defines utils.timeseries_dataset_from_array "
                                      "(exported by utils) and the dataset it returns",
    "utils.text_dataset_utils": "defines utils.text_dataset_from_directory (exported "
                                "by utils) and the dataset it returns",
    "utils.dataset_ops": "tf.data's map/cache/batch/... : methods of the datasets "
                         "that utils.*_dataset_from_* return",
    "trainers.data_adapters.dataset_adapter": "batches of those datasets, behind fit",
    "datasets.cifar": "the CIFAR batch reader behind datasets.cifar10/cifar100",
    "utils.numerical_utils": "defines utils.to_categorical/normalize (exported "
                             "by utils)",
    "utils.progbar": "defines utils.Progbar (exported by utils)",
    "utils.workspace": "layers' reused work arrays (no Keras counterpart; "
                       "tests/test_workspace.py)",
    "utils.summary": "the table printed by Model.summary()",
    "utils.model_visualization": "defines utils.plot_model/model_to_dot "
                                 "(exported by utils)",
}
# Homes of helpers that modules import for their own use, not part of their API.
_HELPER_HOMES = ("keraslite.registry", "keraslite.utils.naming")


def _module(path):
    return importlib.import_module("keraslite" + (f".{path}" if path else ""))


def _qualified(path, name):
    return f"{path}.{name}" if path else name


def public_names(path):
    """Public functions and classes of `keraslite.<path>`, as "<path>.<name>".

    Module-level constants and registries (`ALL_ACTIVATIONS`, ...) are data,
    not functions or classes, and have no rows of their own; the registry
    rows exercise them through `get`/`serialize`.
    """
    module = _module(path)
    is_package = hasattr(module, "__path__")
    public_homes = {_module(p).__name__ for p in PUBLIC_MODULES}
    names = []
    for name, obj in vars(module).items():
        if name.startswith("_") or not (inspect.isfunction(obj)
                                        or inspect.isclass(obj)):
            continue
        home = getattr(obj, "__module__", "") or ""
        if home == module.__name__:
            names.append(_qualified(path, name))  # defined here
        elif not home.startswith("keraslite") or home.startswith(_HELPER_HOMES):
            continue
        elif is_package or home in public_homes:
            names.append(_qualified(path, name))  # exported / re-exported
    return sorted(names)


ALL_PUBLIC = sorted({n for m in PUBLIC_MODULES for n in public_names(m)})
COVERED = {name for row in ROWS for name in row.covers}


def _all_modules():
    """Every module of the keraslite package, relative to it, except _private ones."""
    found = []
    for info in pkgutil.walk_packages(keraslite.__path__, "keraslite."):
        relative = info.name[len("keraslite."):]
        if not any(part.startswith("_") for part in relative.split(".")):
            found.append(relative)
    return sorted(found)


def test_every_module_is_classified():
    modules = set(_all_modules()) | {""}
    listed = set(PUBLIC_MODULES) | set(INTERNAL_MODULES)
    assert not set(PUBLIC_MODULES) & set(INTERNAL_MODULES)
    assert modules - listed == set(), (
        "new modules: add them to PUBLIC_MODULES (and the parity table) or to "
        "INTERNAL_MODULES with the reason")
    assert listed - modules == set(), "listed modules that no longer exist"


@pytest.mark.parametrize("path", [p for p in PUBLIC_MODULES if p])
def test_every_public_module_has_public_names(path):
    assert public_names(path), path


def test_scope_includes_the_whole_api():
    for name in ("Input", "Sequential", "models.load_model", "saving.save_weights",
                 "callbacks.EarlyStopping", "optimizers.schedules.CosineDecay",
                 "utils.file_utils.hash_file", "utils.Progbar",
                 "datasets.imdb.get_word_index", "backend.set_epsilon",
                 "metrics.mse", "saving.FileFormatError"):
        assert name in ALL_PUBLIC, name
    # Imported for own use, not re-exported API.
    assert "callbacks.Progbar" not in ALL_PUBLIC
    assert "activations.lookup" not in ALL_PUBLIC


@pytest.mark.parametrize("name", ALL_PUBLIC)
def test_public_name_has_parity_row(name):
    assert name in COVERED, (
        f"keraslite.{name} has no row in compat_tests/parity.py; add one whose "
        "`covers` names it.")


def test_row_names_are_unique_and_cover_real_names():
    names = [row.name for row in ROWS]
    assert len(names) == len(set(names))
    for row in ROWS:
        for covered in row.covers:
            path, _, attr = covered.rpartition(".")
            assert hasattr(_module(path), attr), (
                f"row {row.name!r} covers {covered!r}, which does not exist")

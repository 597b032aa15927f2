"""ResNet50, ResNet101 and ResNet152 (He et al., https://arxiv.org/abs/1512.03385).

Ported from Keras 3 (`keras/src/applications/resnet.py`, Apache License
2.0): the same blocks, layer names, weight files, URLs and hashes
(`WEIGHTS_HASHES` keeps Keras's whole table; the V2 and ResNeXt builders
are not ported).
"""
from keraslite import backend
from keraslite.applications import imagenet_utils

BASE_WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
)
WEIGHTS_HASHES = {
    "resnet50": (
        "2cb95161c43110f7111970584f804107",
        "4d473c1dd8becc155b73f8504c6f6626",
    ),
    "resnet101": (
        "f1aeb4b969a6efcfb50fad2f0c20cfc5",
        "88cf7a10940856eca736dc7b7e228a21",
    ),
    "resnet152": (
        "100835be76be38e30d865e96f2aaae62",
        "ee4c566cf9a93f14d82f913c2dc6dd0c",
    ),
    "resnet50v2": (
        "3ef43a0b657b3be2300d5770ece849e0",
        "fac2f116257151a9d068a22e544a4917",
    ),
    "resnet101v2": (
        "6343647c601c52e1368623803854d971",
        "c0ed64b8031c3730f411d2eb4eea35b5",
    ),
    "resnet152v2": (
        "a49b44d1979771252814e80f8ec446f9",
        "ed17cf2e0169df9d443503ef94b23b33",
    ),
    "resnext50": (
        "67a5b30d522ed92f75a1f16eef299d1a",
        "62527c363bdd9ec598bed41947b379fc",
    ),
    "resnext101": (
        "34fb605428fcc7aa4d62f44404c11509",
        "0f678c91647380debd923963594981b3",
    ),
}


def _bn_axis():
    return 3 if backend.image_data_format() == "channels_last" else 1


def ResNet(stack_fn, preact, use_bias, include_top=True, weights="imagenet",
           input_tensor=None, input_shape=None, pooling=None, classes=1000,
           classifier_activation="softmax", name="resnet", weights_name=None):
    """Instantiates a ResNet from `stack_fn` (the stacked residual blocks).

    Args:
        stack_fn: A function that returns the output tensor of the stacked
            residual blocks.
        preact: Whether to use pre-activation (`False` for ResNet).
        use_bias: Whether the first convolution has a bias.
        weights_name: The key of `WEIGHTS_HASHES` of the imagenet weights.
        The other arguments are those of `ResNet50`.

    Returns:
        A `Model` instance.
    """
    from keraslite import layers

    imagenet_utils._check_weights(weights, include_top, classes)
    input_shape = imagenet_utils._input_shape(input_shape, 224, 32, include_top,
                                               weights)
    img_input = imagenet_utils._image_input(input_tensor, input_shape)
    bn_axis = _bn_axis()

    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5,
                                      name="conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)

    x = stack_fn(x)

    if preact:
        x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5,
                                      name="post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         name="predictions")(x)
    else:
        x = imagenet_utils._pooling_head(x, pooling, names=("avg_pool", "max_pool"))

    model = imagenet_utils._functional(input_tensor, img_input, x, name)
    if weights == "imagenet" and weights_name in WEIGHTS_HASHES:
        suffix = ".h5" if include_top else "_notop.h5"
        fname = f"{weights_name}_weights_tf_dim_ordering_tf_kernels{suffix}"
        return imagenet_utils._load_weights(
            model, weights, fname, f"{BASE_WEIGHTS_PATH}{fname}",
            WEIGHTS_HASHES[weights_name][0 if include_top else 1])
    if weights is not None:
        model.load_weights(weights)
    return model


def residual_block_v1(x, filters, kernel_size=3, stride=1, conv_shortcut=True,
                      name=None):
    """A residual block of ResNet v1 (bottleneck of `filters`, output
    `4 * filters` channels; a 1x1 convolution shortcut if `conv_shortcut`)."""
    from keraslite import layers

    bn_axis = _bn_axis()

    def bn(tensor, suffix):
        return layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5,
                                         name=f"{name}_{suffix}")(tensor)

    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride,
                                 name=f"{name}_0_conv")(x)
        shortcut = bn(shortcut, "0_bn")
    else:
        shortcut = x

    x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = bn(x, "1_bn")
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)

    x = layers.Conv2D(filters, kernel_size, padding="SAME", name=f"{name}_2_conv")(x)
    x = bn(x, "2_bn")
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)

    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = bn(x, "3_bn")

    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def stack_residual_blocks_v1(x, filters, blocks, stride1=2, name=None):
    """`blocks` residual blocks, the first with a convolution shortcut and
    stride `stride1`."""
    x = residual_block_v1(x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def _resnet_v1(blocks_per_stack, weights_name, **kwargs):
    """A ResNet v1 with `blocks_per_stack` blocks in stacks conv2..conv5."""
    def stack_fn(x):
        x = stack_residual_blocks_v1(x, 64, blocks_per_stack[0], stride1=1,
                                     name="conv2")
        x = stack_residual_blocks_v1(x, 128, blocks_per_stack[1], name="conv3")
        x = stack_residual_blocks_v1(x, 256, blocks_per_stack[2], name="conv4")
        return stack_residual_blocks_v1(x, 512, blocks_per_stack[3], name="conv5")

    return ResNet(stack_fn, preact=False, use_bias=True,
                  weights_name=weights_name, **kwargs)


def _v1_application(title, blocks_per_stack):
    """`ResNet50`, `ResNet101` or `ResNet152` with Keras's signature."""
    weights_name = title.lower()

    def application(include_top=True, weights="imagenet", input_tensor=None,
                    input_shape=None, pooling=None, classes=1000,
                    classifier_activation="softmax", name=weights_name):
        return _resnet_v1(
            blocks_per_stack, weights_name, include_top=include_top, weights=weights,
            input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
            classes=classes, classifier_activation=classifier_activation, name=name)

    application.__name__ = application.__qualname__ = title
    application.__doc__ = imagenet_utils._application_doc(
        title, "resnet", 224, 32, imagenet_utils._CAFFE_DOC)
    return application


ResNet50 = _v1_application("ResNet50", (3, 4, 6, 3))
ResNet101 = _v1_application("ResNet101", (3, 4, 23, 3))
ResNet152 = _v1_application("ResNet152", (3, 8, 36, 3))

preprocess_input = imagenet_utils._preprocess_input_for("caffe")
decode_predictions = imagenet_utils.decode_predictions

"""`keras.preprocessing.image`: the image file utilities of `keraslite.utils`
and `smart_resize` (a package, as Keras's API folder)."""
from keraslite.utils.image_utils import (  # noqa: F401
    array_to_img,
    img_to_array,
    load_img,
    save_img,
    smart_resize,
)

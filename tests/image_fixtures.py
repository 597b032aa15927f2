"""Tiny image folders for the image utilities' tests (written with Pillow)."""
import os

import numpy as np

# (class folder, file name, Pillow mode, height, width)
FILES = [
    ("b_cats", "img_10.png", "RGB", 9, 14),
    ("b_cats", "img_2.png", "RGBA", 12, 12),
    ("b_cats", "img_3.jpg", "RGB", 16, 11),
    ("b_cats", os.path.join("nested", "deep.png"), "L", 7, 9),
    ("a_dogs", "x.PNG", "P", 10, 10),
    ("a_dogs", "y.jpeg", "L", 8, 13),
    ("a_dogs", "z.bmp", "RGB", 11, 6),
    ("a_dogs", "w.gif", "RGB", 6, 7),
    ("c_birds", "only.png", "LA", 13, 8),
    ("c_birds", "second.png", "RGB", 5, 20),
]


def write_image(path, mode, height, width, seed):
    from PIL import Image

    rng = np.random.default_rng(seed)
    # Smooth images (a gradient plus noise) so that JPEG keeps them close.
    base = np.linspace(0, 255, width)[None, :, None] * np.ones((height, 1, 1))
    channels = {"RGB": 3, "RGBA": 4, "L": 1, "LA": 2, "P": 3}[mode]
    pixels = base + rng.integers(0, 60, (height, width, channels))
    pixels = np.clip(pixels, 0, 255).astype("uint8")
    if mode in ("L",):
        img = Image.fromarray(pixels[:, :, 0], "L")
    elif mode == "LA":
        img = Image.fromarray(pixels, "LA")
    elif mode == "P":
        img = Image.fromarray(pixels, "RGB").convert("P")
    else:
        img = Image.fromarray(pixels, mode)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    img.save(path)


def write_folder(root, extensions=None, files=FILES):
    """Writes the class folders under `root` (only files with `extensions`)."""
    for i, (folder, name, mode, height, width) in enumerate(files):
        if extensions and os.path.splitext(name)[1].lower() not in extensions:
            continue
        write_image(os.path.join(str(root), folder, name), mode, height, width, i)
    os.makedirs(os.path.join(str(root), ".hidden"), exist_ok=True)
    write_image(os.path.join(str(root), ".hidden", "skip.png"), "RGB", 4, 4, 99)
    with open(os.path.join(str(root), "b_cats", "notes.txt"), "w") as f:
        f.write("not an image")
    return str(root)

"""Image data augmentation layers (random flips, rotations, zooms, ...)."""

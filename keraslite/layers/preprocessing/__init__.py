"""Preprocessing layers: rescaling and image data augmentation."""

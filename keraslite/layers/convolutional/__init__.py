"""Convolution layers, laid out as keras/src/layers/convolutional/."""

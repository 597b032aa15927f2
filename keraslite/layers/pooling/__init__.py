"""Pooling layers: max and average over windows, or over all positions."""

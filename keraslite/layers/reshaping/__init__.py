"""Reshaping layers: change a tensor's shape, not its values."""

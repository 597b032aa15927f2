"""The training loop shared by every model (see `trainer.py`)."""

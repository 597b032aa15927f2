"""Recurrent layers and their wrappers."""

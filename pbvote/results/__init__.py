"""The results feature."""

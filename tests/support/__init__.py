"""Helpers shared by several test packages: voting setups and a real multi-worker server."""

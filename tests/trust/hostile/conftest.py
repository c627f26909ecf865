"""The hostile pages use the shared Chromium fixtures registered in tests/conftest.py."""

"""The browser fixtures of tests/browser, for the hostile pages opened in Chromium."""

from tests.browser.conftest import browser, chromium_executable  # noqa: F401 - fixtures used by name

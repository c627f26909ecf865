"""Apps with settings of the test's own choosing (CSRF on), and the browser fixtures for the page check."""

from tests.proposals.conftest import app_with  # noqa: F401

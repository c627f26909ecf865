"""Site-wide pages: the front page, the accessibility statement, the language switch and health checks."""

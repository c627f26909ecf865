"""The ballots feature."""

"""PB processes: the municipality, its rounds, their phases and budgets."""

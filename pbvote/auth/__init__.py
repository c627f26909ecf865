"""Accounts, roles, login, logout and password reset."""

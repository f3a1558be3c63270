"""The package version, defined in one place (pyproject reads it from here)."""

__version__ = "0.7.0"

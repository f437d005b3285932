"""Zaqar's version, single-sourced for packaging and the server banner."""

__version__ = "1.0.0"

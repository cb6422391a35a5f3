"""Khorasan: a keyboard-driven terminal explorer of the militant network around ISKP."""

__version__ = "0.1.0"

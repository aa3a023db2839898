"""latchlike: a Flyte-style typed workflow platform for biologists."""

__version__ = "0.1.0"

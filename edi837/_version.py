"""The one place the version is written. setup.cfg reads it (`attr:`), so no start-up pays for
importlib.metadata (about 40 ms) to find it."""

__version__ = "0.1.0"

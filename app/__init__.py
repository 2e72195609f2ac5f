"""PollDay core: pure Python, never imports Qt or ui/."""

__version__ = "0.1.0"

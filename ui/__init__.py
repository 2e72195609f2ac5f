"""PySide6 user interface: thin pages over the app/ use cases."""

"""Errors the command line reports as a clear message, never a traceback."""


class BankmineError(Exception):
    """A problem the user can fix; its message says what and where."""

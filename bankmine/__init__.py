"""bankmine: analytics warehouse for small banks."""

__version__ = "0.1.0"

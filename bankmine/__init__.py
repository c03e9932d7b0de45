"""bankmine: analytics warehouse for small banks."""

import threading
from contextlib import contextmanager

__version__ = "0.1.0"

_MODEL_IMPORT_LOCK = threading.RLock()


@contextmanager
def model_imports():
    """Serialise the imports of dbt Python models. dbt-duckdb runs Python models on
    several threads of one process; two threads importing scikit-learn for the first time
    at once can see it half-initialised ("cannot import name 'clone' ... circular
    import"). Each Python model imports the package inside this lock."""
    with _MODEL_IMPORT_LOCK:
        yield

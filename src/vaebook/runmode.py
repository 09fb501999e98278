"""Run modes: full (the default, what a reader gets) and quick (CI).

Quick mode is switched on by the environment variable ``VAEBOOK_QUICK=1``.
It may shrink data sizes and numbers of epochs, never code paths: every
notebook calls the same functions in both modes, only with other numbers::

    num_epochs = budget(full=40, quick=2)

Introduced in the chapter "How to use this book" (``intro.md``) and used by
every chapter.
"""

from __future__ import annotations

import numbers
import os
from typing import TypeVar

QUICK_ENV_VAR = "VAEBOOK_QUICK"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}

T = TypeVar("T")


def is_quick() -> bool:
    """Return True when quick mode is on (``VAEBOOK_QUICK`` is 1/true/yes/on).

    Raises ``ValueError`` for any other value, so that a typo such as
    ``VAEBOOK_QUICK=ture`` is not silently read as full mode.
    """
    raw = os.environ.get(QUICK_ENV_VAR, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(
        f"{QUICK_ENV_VAR}={os.environ[QUICK_ENV_VAR]!r} is not understood; "
        f"set it to 1 for quick mode, or unset it (or 0) for full mode."
    )


def run_mode() -> str:
    """Return ``"quick"`` or ``"full"``."""
    return "quick" if is_quick() else "full"


def _kind(value: object) -> type:
    """The type ``budget`` compares: int for Python and NumPy integers, float for Python and NumPy floats,
    otherwise the exact type (so a bool is not an int). NumPy is not imported here: its scalars are
    recognised by their module and the ``numbers`` classes NumPy registers them with."""
    numpy_scalar = type(value).__module__ == "numpy"
    if type(value) is int or (numpy_scalar and isinstance(value, numbers.Integral)):
        return int
    if type(value) is float or (numpy_scalar and isinstance(value, numbers.Real)
                                and not isinstance(value, numbers.Integral)):
        return float
    return type(value)


def budget(*, full: T, quick: T) -> T:
    """Return ``full`` in full mode and ``quick`` in quick mode.

    Both values must have the same type, so that quick mode can only change
    sizes, never what kind of thing a variable is (and so never a code path).
    Python and NumPy integers count as the same type, and so do Python and
    NumPy floats: such a value is returned as a Python ``int`` or ``float``, so
    both modes give the same type (``budget(full=np.int64(300), quick=3)``
    returns the int 300 or 3). Integers and floats are different types (write
    ``full=40, quick=2``, not ``quick=2.0``), and ``bool`` is not an integer here.
    """
    kind_full, kind_quick = _kind(full), _kind(quick)
    if kind_full is not kind_quick:
        raise TypeError(
            f"budget(full={full!r}, quick={quick!r}): both values must have the "
            f"same type, got {type(full).__name__} and {type(quick).__name__}; write both "
            f"as the same type, e.g. budget(full=40, quick=2) or budget(full=0.1, quick=0.5) "
            f"(Python and NumPy integers count as one type, as do Python and NumPy floats)."
        )
    value = quick if is_quick() else full
    if kind_full in (int, float) and type(value) is not kind_full:
        value = kind_full(value)  # e.g. numpy.int64 -> int: the same type in both modes
    return value

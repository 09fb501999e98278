"""Run modes: full (the default, what a reader gets) and quick (CI).

Quick mode is switched on by the environment variable ``VAEBOOK_QUICK=1``.
It may shrink data sizes and numbers of epochs, never code paths: every
notebook calls the same functions in both modes, only with other numbers::

    num_epochs = budget(full=40, quick=2)

Introduced in the chapter "How to use this book" (``intro.md``) and used by
every chapter.
"""

from __future__ import annotations

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


def budget(*, full: T, quick: T) -> T:
    """Return ``full`` in full mode and ``quick`` in quick mode.

    Both values must have the same type, so that quick mode can only change
    sizes, never what kind of thing a variable is (and so never a code path).
    """
    if type(full) is not type(quick):
        raise TypeError(
            f"budget(full={full!r}, quick={quick!r}): both values must have the "
            f"same type, got {type(full).__name__} and {type(quick).__name__}."
        )
    return quick if is_quick() else full

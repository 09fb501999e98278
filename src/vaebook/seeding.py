"""Seeding: one call at the top of every chapter makes its numbers repeatable.

``seed_everything`` seeds Python's ``random`` and NumPy's legacy global state
and returns a fresh ``numpy.random.Generator``; chapters pass that generator
(or seeds drawn from it) to everything that samples. Framework seeding lives
in :mod:`vaebook.tf_utils` and :mod:`vaebook.torch_utils`.
"""

from __future__ import annotations

import random

import numpy as np

DEFAULT_SEED = 1312  # after arXiv:1312.6114 (Kingma & Welling); any fixed value works.


def check_seed(seed: int) -> int:
    """Return ``seed`` as an int after checking it is a non-negative integer."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__} ({seed!r}).")
    if not 0 <= int(seed) < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}.")
    return int(seed)


def seed_everything(seed: int = DEFAULT_SEED) -> np.random.Generator:
    """Seed ``random`` and NumPy's global state; return ``np.random.default_rng(seed)``."""
    seed = check_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    return np.random.default_rng(seed)

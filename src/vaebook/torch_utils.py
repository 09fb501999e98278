"""PyTorch helpers, for the PyTorch chapters only.

Importing this module imports PyTorch; the rest of the package does not.
Used by "Gradients through sampling" and "Galaxy rotation curves".
"""

from __future__ import annotations

import torch

from .seeding import DEFAULT_SEED, check_seed, seed_everything


def seed_torch(seed: int = DEFAULT_SEED) -> torch.Generator:
    """Seed Python, NumPy and PyTorch (CPU and CUDA); prefer deterministic kernels.

    Returns a ``torch.Generator`` seeded with ``seed`` for code that samples
    explicitly (``torch.randn(..., generator=g)``).
    """
    seed = check_seed(seed)
    seed_everything(seed)
    torch.manual_seed(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    return torch.Generator().manual_seed(seed)


def default_device() -> torch.device:
    """CUDA when available, else the CPU: chapters stay device-agnostic."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def framework_info() -> str:
    """One line naming PyTorch's version and the device in use."""
    return f"torch {torch.__version__}, device {default_device()}, threads {torch.get_num_threads()}"

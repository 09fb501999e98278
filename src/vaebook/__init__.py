"""vaebook: the plumbing behind the executable VAE textbook.

The core (this package minus ``tf_utils`` and ``torch_utils``) imports only
NumPy, SciPy and Matplotlib. Model code (encoders, decoders, losses, training
steps) is not here: it stays in the chapters, where readers learn from it.

Modules
-------
runmode      run modes and ``budget(full=..., quick=...)``
seeding      ``seed_everything``
paths        repository and data directories
maths        NumPy reference maths (Gaussians, KLs, log-mean-exp, linear PPCA)
linear_gaussian  the linear-Gaussian model and the linear VAE in closed form (E-step,
             exact ELBO and evidence, optimal linear encoder, the two gaps)
mnist        the MNIST loader (offline directory, cache, download)
nonlinear_ppca   the nonlinear PPCA data generator (data/nonlinear_ppca.csv)
rotation_curves  disc + NFW rotation-curve physics and a galaxy sampler
sparc        the SPARC rotation curves (data/sparc), checksummed and parsed
sparc_sim    a gas disc and a SPARC-like observation model for simulated galaxies
plotting     the book's Matplotlib style and small figure helpers
tf_utils     TensorFlow / Keras 3 helpers (imports TensorFlow)
torch_utils  PyTorch helpers (imports PyTorch)
"""

from __future__ import annotations

import platform

import numpy as np

from .paths import data_dir, repo_root
from .runmode import QUICK_ENV_VAR, budget, is_quick, run_mode
from .seeding import DEFAULT_SEED, seed_everything

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_SEED",
    "QUICK_ENV_VAR",
    "budget",
    "data_dir",
    "is_quick",
    "print_run_info",
    "repo_root",
    "run_mode",
    "seed_everything",
]


def print_run_info(seed: int = DEFAULT_SEED, **extra: object) -> None:
    """Print the run mode, seed and versions at the top of a chapter.

    Every chapter calls this in its first code cell, so the stored outputs show
    which mode produced them. ``extra`` adds lines, e.g. ``data="..."``.
    """
    mode = run_mode()
    hint = f"unset {QUICK_ENV_VAR} for full mode" if mode == "quick" else f"set {QUICK_ENV_VAR}=1 for quick mode"
    lines = {
        "run mode": f"{mode}  ({hint})",
        "seed": str(seed),
        "python": f"{platform.python_version()}, numpy {np.__version__}, vaebook {__version__}",
    }
    lines.update({key: str(value) for key, value in extra.items()})
    width = max(len(key) for key in lines)
    for key, value in lines.items():
        print(f"{key:<{width}} : {value}")

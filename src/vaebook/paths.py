"""Where things live: the repository root and the data directory.

The data directory is, in order: the directory named by ``VAEBOOK_DATA_DIR``;
``data/`` in the repository when the package is installed in editable mode
from a clone (the usual case); otherwise ``~/.vaebook/data`` (for example
when the package was pip-installed on Colab without a clone).
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV_VAR = "VAEBOOK_DATA_DIR"


def repo_root() -> Path | None:
    """Return the book's repository root, or None if the package is not in a clone."""
    candidate = Path(__file__).resolve().parents[2]
    if (candidate / "_config.yml").is_file() and (candidate / "_toc.yml").is_file():
        return candidate
    return None


def data_dir(create: bool = False) -> Path:
    """Return the directory for datasets the book generates or caches."""
    env = os.environ.get(DATA_DIR_ENV_VAR)
    if env:
        path = Path(env).expanduser()
    elif (root := repo_root()) is not None:
        path = root / "data"
    else:
        path = Path.home() / ".vaebook" / "data"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path

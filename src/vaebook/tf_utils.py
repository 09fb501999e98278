"""TensorFlow / Keras 3 helpers, for the Keras chapters only.

Importing this module imports Keras (and TensorFlow when it is the backend);
the rest of the package does not. Used by "Gradients through sampling",
"Nonlinear probabilistic PCA" and "A convolutional VAE on MNIST".

TensorFlow's C++ runtime prints start-up notices (oneDNN, CUDA drivers,
absl) straight to file descriptor 2, past ``TF_CPP_MIN_LOG_LEVEL``; in a
notebook they land in the stored outputs as stderr. This module imports
TensorFlow with that descriptor silenced, so a chapter that imports
``vaebook.tf_utils`` first gets a clean output. Python-level warnings and
errors are not affected.

It also asks TensorFlow to keep the memory it frees for reuse on the CPU
(``TF_CPU_ALLOCATOR_USE_BFC=true``, TensorFlow's best-fit-with-coalescing
allocator, which it already uses on GPUs). Without it every tensor of a
training step larger than glibc's mmap threshold is a fresh mapping that the
kernel must zero page by page: on the book's 2-core CPU that page-faulting was
about 45% of the MNIST chapter's training time (100 steps of its d = 16 model:
9.1 s with the default allocator, 5.1 s with this one; measured in
``benchmarks/README.md``). The numbers computed are the same. Set the variable
to ``false`` before importing this module to keep TensorFlow's default.
"""

from __future__ import annotations

import contextlib
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before TensorFlow loads
os.environ.setdefault("TF_CPU_ALLOCATOR_USE_BFC", "true")  # reuse freed memory (see above)


@contextlib.contextmanager
def native_stderr_silenced():
    """Send file descriptor 2 (C/C++ stderr) to /dev/null inside the block."""
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


with native_stderr_silenced():
    import keras

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.list_logical_devices()  # initialise devices now, while notices are silenced

from .seeding import DEFAULT_SEED, check_seed  # noqa: E402


def seed_keras(seed: int = DEFAULT_SEED) -> keras.random.SeedGenerator:
    """Seed Python, NumPy and the Keras backend; make TensorFlow ops deterministic.

    Returns a ``keras.random.SeedGenerator`` for sampling layers, so that a
    chapter threads one explicit source of randomness through its model.
    """
    seed = check_seed(seed)
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        tf.config.experimental.enable_op_determinism()
    return keras.random.SeedGenerator(seed)


def framework_info() -> str:
    """One line naming the Keras version and backend (and TensorFlow's version)."""
    backend = keras.backend.backend()
    info = f"keras {keras.__version__}, backend {backend}"
    if backend == "tensorflow":
        devices = ", ".join(d.device_type for d in tf.config.list_logical_devices())
        info += f" (tensorflow {tf.__version__}, devices: {devices})"
    return info


def run_tagged_cells(notebook, tags, *, seed: int = DEFAULT_SEED, **names) -> dict:
    """Execute a Keras chapter's code cells that carry one of ``tags``, in order; return their namespace.

    Lets tests and benchmarks use the model code exactly as the chapter shows
    it (chapter "A convolutional VAE on MNIST": cells tagged ``model-code`` and
    ``data-code``), instead of a second copy. The namespace starts like the
    chapter's first cell: ``np``, ``keras``, ``ops``, every public name of
    :mod:`vaebook.maths`, ``SEED`` and a fresh ``seed_generator``, plus
    ``names``. Printed output of the cells is discarded.
    """
    import contextlib
    import io
    import json
    from pathlib import Path

    import numpy as np

    from . import maths

    path = Path(notebook)
    cells = [c for c in json.loads(path.read_text())["cells"]
             if c["cell_type"] == "code" and set(tags) & set(c.get("metadata", {}).get("tags", []))]
    if not cells:
        raise ValueError(f"{path} has no code cell tagged {' or '.join(map(repr, tags))}.")
    namespace = {name: value for name, value in vars(maths).items() if not name.startswith("_")}
    namespace.update(np=np, keras=keras, ops=keras.ops, SEED=seed, seed_generator=seed_keras(seed), **names)
    for index, cell in enumerate(cells):
        source = "".join(cell["source"])
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, f"{path.name}[tagged cell {index}]", "exec"), namespace)
    return namespace

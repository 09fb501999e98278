"""TensorFlow / Keras 3 helpers, for the Keras chapters only.

Importing this module imports Keras (and TensorFlow when it is the backend);
the rest of the package does not. Used by "Gradients through sampling",
"Nonlinear probabilistic PCA" and "A convolutional VAE on MNIST".
"""

from __future__ import annotations

import keras

from .seeding import DEFAULT_SEED, check_seed


def seed_keras(seed: int = DEFAULT_SEED) -> keras.random.SeedGenerator:
    """Seed Python, NumPy and the Keras backend; make TensorFlow ops deterministic.

    Returns a ``keras.random.SeedGenerator`` for sampling layers, so that a
    chapter threads one explicit source of randomness through its model.
    """
    seed = check_seed(seed)
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    return keras.random.SeedGenerator(seed)


def framework_info() -> str:
    """One line naming the Keras version and backend (and TensorFlow's version)."""
    backend = keras.backend.backend()
    info = f"keras {keras.__version__}, backend {backend}"
    if backend == "tensorflow":
        import tensorflow as tf

        info += f" (tensorflow {tf.__version__}, devices: {', '.join(d.device_type for d in tf.config.list_logical_devices())})"
    return info

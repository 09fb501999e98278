"""Framework helpers: seeding makes framework randomness repeatable."""

import numpy as np


def test_seed_keras_repeats_sampling():
    import keras

    from vaebook.tf_utils import seed_keras

    def draw():
        seed_generator = seed_keras(5)
        return keras.ops.convert_to_numpy(keras.random.normal((4,), seed=seed_generator))

    first, second = draw(), draw()
    np.testing.assert_array_equal(first, second)
    assert np.std(first) > 0


def test_seed_torch_repeats_sampling_and_picks_a_device():
    import torch

    from vaebook.torch_utils import default_device, seed_torch

    generator = seed_torch(5)
    a = torch.randn(4, generator=generator)
    b_global = torch.randn(4)
    generator = seed_torch(5)
    assert torch.equal(a, torch.randn(4, generator=generator))
    assert torch.equal(b_global, torch.randn(4))
    assert default_device().type in {"cpu", "cuda"}


def test_tf_utils_asks_for_the_bfc_allocator_unless_told_otherwise():
    # The variable is read when TensorFlow loads, so each case needs a fresh interpreter.
    import os
    import subprocess
    import sys

    script = "import os, vaebook.tf_utils; print(os.environ['TF_CPU_ALLOCATOR_USE_BFC'])"
    env = {k: v for k, v in os.environ.items() if k != "TF_CPU_ALLOCATOR_USE_BFC"}
    for preset, expected in ((None, "true"), ("false", "false")):
        run_env = env if preset is None else {**env, "TF_CPU_ALLOCATOR_USE_BFC": preset}
        out = subprocess.run(
            [sys.executable, "-c", script], env=run_env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip().splitlines()[-1] == expected

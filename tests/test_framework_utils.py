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

"""Tests for the chapter "A convolutional VAE on MNIST" (chapters/mnist_vae.ipynb).

The model code lives in the notebook, not in the package, so these tests run
the notebook's own code: the cells tagged ``model-code`` (and ``data-code``
for the binarization) are executed in order by ``vaebook.tf_utils.run_tagged_cells``
(the same runner the benchmark uses), and the functions
they define are tested. A wrong definition in the notebook therefore fails
here; there is no second copy of the model to drift apart from it.

The real offline copy of the MNIST test split is read from
``$VAEBOOK_MNIST_DIR`` or ``../shared/data/mnist``; tests that need it are
skipped when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from vaebook import DEFAULT_SEED, mnist

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "chapters" / "mnist_vae.ipynb"


def real_mnist_dir() -> Path | None:
    env = os.environ.get(mnist.MNIST_DIR_ENV_VAR)
    candidates = [Path(env)] if env else []
    candidates.append(ROOT.parent / "shared" / "data" / "mnist")
    for candidate in candidates:
        if all((candidate / name).is_file() for name in mnist.TEST_FILES):
            return candidate
    return None


REAL_DIR = real_mnist_dir()
needs_mnist = pytest.mark.skipif(REAL_DIR is None, reason="MNIST t10k files not found")


def run_cells(tag: str, **names) -> dict:
    pytest.importorskip("keras")
    from vaebook.tf_utils import run_tagged_cells

    return run_tagged_cells(NOTEBOOK, [tag], **names)


@pytest.fixture(scope="module")
def chapter():
    """The namespace the notebook's model-code cells create, as the first cell sets it up."""
    return run_cells("model-code")


def direct_bernoulli(x, logits):
    """x log sigmoid(l) + (1 - x) log(1 - sigmoid(l)) in float64, summed over pixels (exact for |l| <= 700)."""
    x, logits = np.asarray(x, float), np.asarray(logits, float)
    terms = -x * np.log1p(np.exp(-logits)) - (1 - x) * np.log1p(np.exp(logits))
    return terms.reshape(len(terms), -1).sum(axis=1)


def test_bernoulli_log_likelihood_matches_direct_formula(chapter):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, size=(4, 28, 28, 1)).astype("float32")
    logits = rng.normal(0.0, 5.0, size=x.shape).astype("float32")
    ours = chapter["ops"].convert_to_numpy(chapter["bernoulli_log_likelihood"](x, logits))
    assert ours.shape == (4,)
    np.testing.assert_allclose(ours, direct_bernoulli(x, logits), rtol=1e-5)


@pytest.mark.parametrize("logit", [100.0, -100.0])
@pytest.mark.parametrize("pixel", [0.0, 1.0])
def test_bernoulli_log_likelihood_is_finite_and_right_at_extreme_logits(chapter, logit, pixel):
    x = np.full((2, 28, 28, 1), pixel, "float32")
    logits = np.full(x.shape, logit, "float32")
    logits[1, :14] = 0.0  # mix extreme and ordinary logits in one image
    ours = chapter["ops"].convert_to_numpy(chapter["bernoulli_log_likelihood"](x, logits)).astype(float)
    expected = direct_bernoulli(x, logits)
    assert np.all(np.isfinite(ours))
    # the right answer is ~0 (confident and right) or -100 per pixel (confident and wrong)
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-3)


def test_kl_matches_reference_maths(chapter):
    from vaebook.maths import kl_diag_gaussian_std_normal

    rng = np.random.default_rng(1)
    z_mean, z_log_var = rng.normal(size=(5, 16)), rng.normal(size=(5, 16))
    ours = chapter["ops"].convert_to_numpy(chapter["kl_std_normal"](z_mean.astype("float32"), z_log_var.astype("float32")))
    np.testing.assert_allclose(ours, kl_diag_gaussian_std_normal(z_mean, z_log_var), rtol=1e-5)


def test_save_and_reload_give_the_same_heldout_elbo(chapter, tmp_path):
    keras = chapter["keras"]
    rng = np.random.default_rng(2)
    x = (rng.random((320, 28, 28, 1)) < 0.2).astype("float32")  # a few hundred binary images
    x_fit, x_heldout = x[:256], x[256:]
    vae = chapter["build_vae"](latent_dim=2)
    vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    vae.fit(x_fit, epochs=1, batch_size=128, validation_data=(x_heldout,), verbose=0)
    path = tmp_path / "tiny.keras"
    vae.save(path)
    reloaded = keras.models.load_model(path)
    assert isinstance(reloaded, chapter["VAE"]) and reloaded.latent_dim == 2
    eps = np.random.default_rng(DEFAULT_SEED).standard_normal((3, len(x_heldout), 2))  # fixed draws
    elbo = chapter["log_weights"](vae, x_heldout, eps).mean(axis=0)  # (64,)
    elbo_reloaded = chapter["log_weights"](reloaded, x_heldout, eps).mean(axis=0)
    assert np.all(np.isfinite(elbo))
    np.testing.assert_allclose(elbo_reloaded, elbo, rtol=1e-6, atol=0)


@needs_mnist
def test_loader_split_and_binarization_are_deterministic():
    split = mnist.load_mnist(mnist_dir=REAL_DIR)
    assert (split.n_train, split.n_heldout, split.source) == (8000, 2000, "directory")
    assert "t10k" in split.description
    first = run_cells("data-code", split=split)
    second = run_cells("data-code", split=split)
    for name, count in (("x_train_all", 8000), ("x_heldout_all", 2000)):
        assert first[name].shape == (count, 28, 28, 1) and first[name].dtype == np.float32
        assert set(np.unique(first[name])) <= {0.0, 1.0}
        assert np.array_equal(first[name], second[name])  # same seed, same binary images
    # in expectation the share of pixels on is the mean grey value / 255 (784 * 8000 Bernoulli draws)
    assert abs(first["x_train_all"].mean() - split.x_train.mean() / 255) < 5e-3
    assert not np.array_equal(first["x_train_all"][:2000], first["x_heldout_all"])

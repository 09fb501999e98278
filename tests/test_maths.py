"""Tests for vaebook.maths, the NumPy reference maths the chapters check against.

Every quantity is compared with an independent computation: SciPy's
densities, PyTorch's KL divergences (``torch`` is imported inside those tests
only), Monte Carlo estimates with a tolerance of a few standard errors, or an
exact identity. Monte Carlo tests use fixed seeds and 5-standard-error
tolerances, so they are deterministic and far from their thresholds.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import linalg, stats

from vaebook import maths
from vaebook.maths import (
    active_units,
    kl_per_dimension,
    std_normal_log_density,
    LinearPPCA,
    check_cholesky_factor,
    diag_gaussian_log_density,
    fit_ppca,
    gaussian_log_density,
    importance_sampled_log_likelihood,
    kl_diag_gaussian_std_normal,
    kl_full_gaussian_std_normal,
    kl_gaussians,
    log_mean_exp,
)


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240601)


def random_spd(rng: np.random.Generator, dim: int) -> np.ndarray:
    """A well-conditioned symmetric positive-definite (dim, dim) matrix."""
    a = rng.standard_normal((dim, dim))
    return a @ a.T / dim + 0.5 * np.eye(dim)


def random_cholesky(rng: np.random.Generator, *batch: int, dim: int) -> np.ndarray:
    """Lower-triangular factors with a positive diagonal, shape (*batch, dim, dim)."""
    chol = np.tril(rng.standard_normal((*batch, dim, dim)) * 0.4, k=-1)
    diag = np.exp(0.3 * rng.standard_normal((*batch, dim)))
    return chol + diag[..., None] * np.eye(dim)


def random_ppca(rng: np.random.Generator, data_dim: int = 5, latent_dim: int = 2, sigma2: float = 0.3) -> LinearPPCA:
    return LinearPPCA(W=rng.standard_normal((data_dim, latent_dim)), mu=rng.standard_normal(data_dim), sigma2=sigma2)


def no_warnings(func, *args, **kwargs):
    """Call func and fail on any warning (overflow, divide by zero, ...)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return func(*args, **kwargs)


# --------------------------------------------------------------------------
# log_mean_exp
# --------------------------------------------------------------------------


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_log_mean_exp_matches_naive_on_moderate_values(rng, axis):
    a = rng.uniform(-3.0, 3.0, size=(5, 7))
    expected = np.log(np.mean(np.exp(a), axis=axis))
    np.testing.assert_allclose(log_mean_exp(a, axis=axis), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("offset", [1e4, -1e4, 7e5, -7e5])
def test_log_mean_exp_is_exact_without_overflow_or_underflow(offset):
    # mean(exp(offset), 3 exp(offset)) = 2 exp(offset), so the answer is offset + log 2.
    a = np.array([offset, offset + np.log(3.0)])
    result = no_warnings(log_mean_exp, a)
    assert np.isfinite(result)
    assert result == pytest.approx(offset + np.log(2.0), rel=1e-15, abs=1e-9)


def test_log_mean_exp_naive_would_fail_where_it_does_not():
    # The point of the function: exp(1e4) overflows, exp(-1e4) underflows to 0.
    with np.errstate(over="ignore", divide="ignore"):
        assert np.isinf(np.log(np.mean(np.exp(np.array([1e4, 1e4])))))
        assert np.isneginf(np.log(np.mean(np.exp(np.array([-1e4, -1e4])))))
    np.testing.assert_allclose(log_mean_exp(np.array([[1e4, -1e4], [1e4, -1e4]]), axis=0), [1e4, -1e4], rtol=1e-15)


def test_log_mean_exp_of_a_single_element_is_that_element():
    assert log_mean_exp([3.7]) == pytest.approx(3.7, abs=1e-15)
    row = np.array([[1.5, -2.0, 1e4]])  # one sample along axis 0
    np.testing.assert_allclose(log_mean_exp(row, axis=0), row[0], rtol=1e-15)


def test_log_mean_exp_of_all_minus_inf_is_minus_inf():
    result = no_warnings(log_mean_exp, np.full((4, 3), -np.inf), axis=0)
    assert result.shape == (3,)
    assert np.all(np.isneginf(result))


def test_log_mean_exp_ignores_zero_weights_but_counts_them():
    # log((e^0 + 0) / 2) = -log 2: a -inf entry is a sample with weight zero.
    assert no_warnings(log_mean_exp, [0.0, -np.inf]) == pytest.approx(-np.log(2.0), abs=1e-15)


def test_log_mean_exp_output_shape_drops_the_axis(rng):
    assert log_mean_exp(rng.standard_normal((6, 4, 3)), axis=1).shape == (6, 3)


@pytest.mark.parametrize(
    ("a", "axis", "message"),
    [
        (np.array([0.0, np.nan, 1.0]), 0, "NaN"),
        (np.zeros((0, 3)), 0, "empty"),
        (np.zeros(3), 1, "out of range"),
        (np.zeros((2, 3)), -3, "out of range"),
        (np.float64(1.0), 0, "dimension"),
    ],
)
def test_log_mean_exp_rejects_bad_input_with_a_clear_message(a, axis, message):
    with pytest.raises(ValueError, match=message):
        log_mean_exp(a, axis=axis)


# --------------------------------------------------------------------------
# importance_sampled_log_likelihood
# --------------------------------------------------------------------------


def test_importance_sampled_log_likelihood_shapes(rng):
    num_samples, num_examples = 7, 4
    log_joint = rng.standard_normal((num_samples, num_examples))
    log_q = rng.standard_normal((num_samples, num_examples))
    assert importance_sampled_log_likelihood(log_joint, log_q).shape == (num_examples,)
    assert importance_sampled_log_likelihood(log_joint.T, log_q.T, axis=1).shape == (num_examples,)
    assert importance_sampled_log_likelihood(log_joint[:, :, None], log_q[:, :, None]).shape == (num_examples, 1)


def test_importance_sampled_log_likelihood_with_one_sample_is_the_log_weight(rng):
    log_joint, log_q = rng.standard_normal((1, 5)), rng.standard_normal((1, 5))
    np.testing.assert_allclose(importance_sampled_log_likelihood(log_joint, log_q), (log_joint - log_q)[0], rtol=1e-15)


def test_importance_sampled_log_likelihood_is_exact_with_the_exact_posterior(rng):
    # With q = p(z | x), every weight p(x, z) / q(z | x) equals p(x): zero variance.
    model = random_ppca(rng)
    x, _ = model.sample(3, rng)
    post_mean, post_cov = model.posterior(x)  # (3, d), (d, d)
    z = post_mean + rng.standard_normal((50, 3, model.latent_dim)) @ linalg.cholesky(post_cov, lower=False)
    log_q = gaussian_log_density(z, post_mean, post_cov)  # (50, 3)
    estimate = importance_sampled_log_likelihood(model.log_joint(x, z), log_q)
    np.testing.assert_allclose(estimate, model.log_marginal(x), rtol=0, atol=1e-10)


def test_importance_sampled_log_likelihood_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="must match"):
        importance_sampled_log_likelihood(np.zeros((5, 3)), np.zeros((5, 2)))


# --------------------------------------------------------------------------
# Gaussian log-densities
# --------------------------------------------------------------------------


def test_diag_gaussian_log_density_matches_scipy(rng):
    dim = 4
    x = rng.standard_normal((3, 6, dim))
    mean = rng.standard_normal(dim)
    log_var = rng.uniform(-2.0, 1.5, size=dim)
    expected = stats.multivariate_normal(mean, np.diag(np.exp(log_var))).logpdf(x)  # (3, 6)
    result = diag_gaussian_log_density(x, mean, log_var)
    assert result.shape == (3, 6)
    np.testing.assert_allclose(result, expected, rtol=1e-12)


def test_diag_gaussian_log_density_broadcasts_per_example_parameters(rng):
    x, mean, log_var = rng.standard_normal((5, 3)), rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    expected = [stats.multivariate_normal(m, np.diag(np.exp(v))).logpdf(xi) for xi, m, v in zip(x, mean, log_var)]
    np.testing.assert_allclose(diag_gaussian_log_density(x, mean, log_var), expected, rtol=1e-12)


def test_diag_gaussian_log_density_rejects_shapes_that_do_not_broadcast():
    with pytest.raises(ValueError, match="do not broadcast"):
        diag_gaussian_log_density(np.zeros((4, 3)), np.zeros(2), np.zeros(3))


def test_gaussian_log_density_matches_scipy(rng):
    dim = 5
    cov = random_spd(rng, dim)
    mean = rng.standard_normal(dim)
    x = rng.standard_normal((2, 7, dim))
    result = gaussian_log_density(x, mean, cov)
    assert result.shape == (2, 7)
    np.testing.assert_allclose(result, stats.multivariate_normal(mean, cov).logpdf(x), rtol=1e-12)


def test_gaussian_log_density_agrees_with_diag_version(rng):
    x, mean, log_var = rng.standard_normal((4, 3)), rng.standard_normal(3), rng.standard_normal(3)
    np.testing.assert_allclose(
        gaussian_log_density(x, mean, np.diag(np.exp(log_var))), diag_gaussian_log_density(x, mean, log_var), rtol=1e-12
    )


@pytest.mark.parametrize(
    ("cov", "message"),
    [
        (np.eye(3)[:, :2], "square"),
        (np.eye(2), r"expected \(3, 3\)"),
        (np.diag([1.0, -1.0, 1.0]), "positive definite"),
        (np.array([[1.0, 0.5, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]), "not symmetric"),
        (np.diag([1.0, np.nan, 1.0]), "NaN"),
    ],
)
def test_gaussian_log_density_rejects_bad_covariances(cov, message):
    with pytest.raises(ValueError, match=message):
        gaussian_log_density(np.zeros((2, 3)), np.zeros(3), cov)


def test_gaussian_log_density_rejects_mismatched_mean():
    with pytest.raises(ValueError, match="event"):
        gaussian_log_density(np.zeros((2, 3)), np.zeros(2), np.eye(3))
    with pytest.raises(ValueError, match="do not broadcast"):
        gaussian_log_density(np.zeros((2, 3)), np.zeros((4, 3)), np.eye(3))


# --------------------------------------------------------------------------
# KL divergences
# --------------------------------------------------------------------------


def mc_kl_from_std_normal(z: np.ndarray, log_q: np.ndarray) -> tuple[float, float]:
    """Monte Carlo KL(q || N(0, I)) from samples z ~ q: estimate and standard error."""
    log_p = -0.5 * np.sum(maths.LOG_2PI + z**2, axis=-1)
    terms = log_q - log_p
    return float(terms.mean()), float(terms.std(ddof=1) / np.sqrt(terms.size))


def test_kl_diag_gaussian_std_normal_matches_monte_carlo(rng):
    mean, log_var = np.array([0.5, -1.0, 0.2]), np.array([-0.7, 0.4, 0.0])
    z = mean + np.exp(0.5 * log_var) * rng.standard_normal((200_000, 3))
    estimate, std_err = mc_kl_from_std_normal(z, diag_gaussian_log_density(z, mean, log_var))
    exact = kl_diag_gaussian_std_normal(mean, log_var)
    assert abs(estimate - exact) < 5 * std_err


def test_kl_diag_gaussian_std_normal_matches_torch(rng):
    import torch
    from torch.distributions import Normal, kl_divergence

    mean, log_var = rng.standard_normal((6, 4)), rng.uniform(-2, 2, (6, 4))
    expected = kl_divergence(
        Normal(torch.tensor(mean), torch.tensor(np.exp(0.5 * log_var))), Normal(torch.tensor(0.0), torch.tensor(1.0))
    ).sum(-1)
    result = kl_diag_gaussian_std_normal(mean, log_var)
    assert result.shape == (6,)
    np.testing.assert_allclose(result, expected.numpy(), rtol=1e-12)


def test_kl_diag_gaussian_std_normal_is_zero_only_at_the_prior():
    assert kl_diag_gaussian_std_normal(np.zeros(3), np.zeros(3)) == pytest.approx(0.0, abs=1e-15)
    assert kl_diag_gaussian_std_normal(np.array([0.1, 0.0]), np.zeros(2)) > 0
    assert kl_diag_gaussian_std_normal(np.zeros(2), np.array([0.1, 0.0])) > 0


def test_kl_full_gaussian_std_normal_matches_monte_carlo(rng):
    dim = 3
    mean, chol = rng.standard_normal(dim), random_cholesky(rng, dim=dim)
    z = mean + rng.standard_normal((200_000, dim)) @ chol.T
    estimate, std_err = mc_kl_from_std_normal(z, gaussian_log_density(z, mean, chol @ chol.T))
    assert abs(estimate - kl_full_gaussian_std_normal(mean, chol)) < 5 * std_err


def test_kl_full_gaussian_std_normal_matches_torch(rng):
    import torch
    from torch.distributions import MultivariateNormal, kl_divergence

    dim = 4
    mean, chol = rng.standard_normal((5, dim)), random_cholesky(rng, 5, dim=dim)
    prior = MultivariateNormal(torch.zeros(dim, dtype=torch.float64), scale_tril=torch.eye(dim, dtype=torch.float64))
    expected = kl_divergence(MultivariateNormal(torch.tensor(mean), scale_tril=torch.tensor(chol)), prior)
    result = kl_full_gaussian_std_normal(mean, chol)
    assert result.shape == (5,)
    np.testing.assert_allclose(result, expected.numpy(), rtol=1e-10)


def test_kl_full_gaussian_std_normal_reduces_to_diag_case(rng):
    mean, log_var = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    chol = np.exp(0.5 * log_var)[..., None] * np.eye(4)  # (3, 4, 4) diagonal factors
    np.testing.assert_allclose(kl_full_gaussian_std_normal(mean, chol), kl_diag_gaussian_std_normal(mean, log_var),
                               rtol=1e-12)


def test_kl_full_gaussian_std_normal_rejects_mismatched_dims():
    with pytest.raises(ValueError, match="d must agree"):
        kl_full_gaussian_std_normal(np.zeros(3), np.eye(2))


def test_kl_gaussians_matches_torch(rng):
    import torch
    from torch.distributions import MultivariateNormal, kl_divergence

    dim = 4
    mean_q, mean_p = rng.standard_normal(dim), rng.standard_normal(dim)
    cov_q, cov_p = random_spd(rng, dim), random_spd(rng, dim)
    expected = kl_divergence(
        MultivariateNormal(torch.tensor(mean_q), covariance_matrix=torch.tensor(cov_q)),
        MultivariateNormal(torch.tensor(mean_p), covariance_matrix=torch.tensor(cov_p)),
    ).item()
    assert kl_gaussians(mean_q, cov_q, mean_p, cov_p) == pytest.approx(expected, rel=1e-10)


def test_kl_gaussians_special_cases(rng):
    dim = 3
    mean, chol = rng.standard_normal(dim), random_cholesky(rng, dim=dim)
    cov = chol @ chol.T
    assert kl_gaussians(mean, cov, mean, cov) == pytest.approx(0.0, abs=1e-12)
    assert kl_gaussians(mean, cov, np.zeros(dim), np.eye(dim)) == pytest.approx(
        float(kl_full_gaussian_std_normal(mean, chol)), rel=1e-12)
    # KL is not symmetric.
    assert kl_gaussians(mean, cov, np.zeros(dim), np.eye(dim)) != pytest.approx(
        kl_gaussians(np.zeros(dim), np.eye(dim), mean, cov))


def test_kl_gaussians_rejects_bad_shapes():
    with pytest.raises(ValueError, match="vectors"):
        kl_gaussians(np.zeros((2, 3)), np.eye(3), np.zeros(3), np.eye(3))
    with pytest.raises(ValueError, match="event"):
        kl_gaussians(np.zeros(3), np.eye(3), np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match=r"cov_p has shape \(2, 2\)"):
        kl_gaussians(np.zeros(3), np.eye(3), np.zeros(3), np.eye(2))


# --------------------------------------------------------------------------
# check_cholesky_factor
# --------------------------------------------------------------------------


def test_check_cholesky_factor_accepts_single_and_batched_factors(rng):
    chol = random_cholesky(rng, 2, 5, dim=3)
    np.testing.assert_array_equal(check_cholesky_factor(chol), chol)
    assert check_cholesky_factor([[1.0, 0.0], [2.0, 3.0]]).dtype == float


@pytest.mark.parametrize(
    ("chol", "message"),
    [
        (np.array([[1.0, 0.1], [0.0, 1.0]]), "above the diagonal"),
        (np.array([[1.0, 0.0], [0.5, 0.0]]), "diagonal entry <= 0"),
        (np.array([[-1.0, 0.0], [0.5, 1.0]]), "diagonal entry <= 0"),
        (np.array([[np.nan, 0.0], [0.5, 1.0]]), "diagonal"),
        (np.ones((2, 3)), "square"),
        (np.ones(3), "dimension"),
        (np.stack([np.eye(2), np.array([[1.0, 1.0], [0.0, 1.0]])]), "above the diagonal"),
    ],
)
def test_check_cholesky_factor_rejections(chol, message):
    with pytest.raises(ValueError, match=message):
        check_cholesky_factor(chol)


def test_check_cholesky_factor_error_names_the_argument():
    with pytest.raises(ValueError, match="^L_q has"):
        check_cholesky_factor(np.array([[1.0, 0.1], [0.0, 1.0]]), name="L_q")


# --------------------------------------------------------------------------
# LinearPPCA
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"W": np.ones(3), "mu": np.zeros(3), "sigma2": 1.0}, r"W has shape \(3,\); expected \(D, d\)"),
        ({"W": np.ones((3, 1)), "mu": np.zeros(2), "sigma2": 1.0}, r"mu has shape \(2,\); expected \(3,\)"),
        ({"W": np.ones((3, 1)), "mu": np.zeros((1, 3)), "sigma2": 1.0}, r"mu has shape \(1, 3\)"),
        ({"W": np.ones((3, 1)), "mu": np.zeros(3), "sigma2": 0.0}, "sigma2 must be a positive"),
        ({"W": np.ones((3, 1)), "mu": np.zeros(3), "sigma2": -1.0}, "sigma2 must be a positive"),
        ({"W": np.ones((3, 1)), "mu": np.zeros(3), "sigma2": np.nan}, "sigma2 must be a positive"),
    ],
)
def test_linear_ppca_rejects_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LinearPPCA(**kwargs)


def test_linear_ppca_rejects_bad_data_and_latent_shapes(rng):
    model = random_ppca(rng, data_dim=4, latent_dim=2)
    for bad_x in (np.zeros(4), np.zeros((3, 5)), np.zeros((2, 3, 4))):
        with pytest.raises(ValueError, match=r"expected \(num_examples, 4\)"):
            model.log_marginal(bad_x)
    with pytest.raises(ValueError, match=r"expected \(num_examples, 4\)"):
        model.posterior(np.zeros(4))
    with pytest.raises(ValueError, match=r"z has shape \(3, 3\); expected \(\.\.\., 2\)"):
        model.log_likelihood(np.zeros((3, 4)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="num_examples must be >= 1"):
        model.sample(0, rng)


def test_linear_ppca_dimensions_and_stored_types(rng):
    model = LinearPPCA(W=[[1.0], [2.0], [3.0]], mu=[0, 0, 0], sigma2=np.float32(0.5))
    assert (model.data_dim, model.latent_dim) == (3, 1)
    assert isinstance(model.W, np.ndarray) and isinstance(model.sigma2, float)


def test_linear_ppca_log_marginal_matches_scipy(rng):
    model = random_ppca(rng)
    x = rng.standard_normal((8, model.data_dim)) * 2
    cov = model.W @ model.W.T + model.sigma2 * np.eye(model.data_dim)
    np.testing.assert_allclose(model.marginal_cov(), cov, rtol=1e-14)
    np.testing.assert_allclose(model.log_marginal(x), stats.multivariate_normal(model.mu, cov).logpdf(x), rtol=1e-12)


def test_linear_ppca_posterior_satisfies_bayes_identity_for_any_z(rng):
    # log p(x) = log p(x | z) + log p(z) - log p(z | x) holds for every z.
    model = random_ppca(rng)
    x = rng.standard_normal((4, model.data_dim)) * 2
    z = 3 * rng.standard_normal((10, 4, model.latent_dim))  # (K, N, d)
    post_mean, post_cov = model.posterior(x)
    log_post = gaussian_log_density(z, post_mean, post_cov)  # (K, N)
    identity = model.log_likelihood(x, z) + model.log_prior(z) - log_post
    np.testing.assert_allclose(identity, np.broadcast_to(model.log_marginal(x), (10, 4)), rtol=0, atol=1e-10)


def test_linear_ppca_posterior_matches_gaussian_conditioning(rng):
    # Independent route: (z, x) is jointly Gaussian with Cov(z, x) = W^T, so
    # E[z | x] = W^T C^-1 (x - mu) and Cov[z | x] = I - W^T C^-1 W.
    model = random_ppca(rng)
    x = rng.standard_normal((6, model.data_dim))
    cov = model.marginal_cov()
    post_mean, post_cov = model.posterior(x)
    np.testing.assert_allclose(post_mean, linalg.solve(cov, (x - model.mu).T).T @ model.W, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(post_cov, np.eye(model.latent_dim) - model.W.T @ linalg.solve(cov, model.W),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(post_cov, post_cov.T)


def test_linear_ppca_log_joint_and_likelihood_shapes(rng):
    model = random_ppca(rng)
    x, z = np.zeros((4, model.data_dim)), rng.standard_normal((7, 4, model.latent_dim))
    assert model.log_likelihood(x, z).shape == (7, 4)
    assert model.log_prior(z).shape == (7, 4)
    np.testing.assert_allclose(model.log_joint(x, z), model.log_prior(z) + model.log_likelihood(x, z), rtol=1e-15)
    expected = stats.multivariate_normal(z[0, 0] @ model.W.T + model.mu,
                                         model.sigma2 * np.eye(model.data_dim)).logpdf(x[0])
    assert model.log_likelihood(x, z)[0, 0] == pytest.approx(expected, rel=1e-12)


def test_linear_ppca_sample_statistics(rng):
    model = random_ppca(rng, data_dim=4, latent_dim=2)
    num_draws = 100_000
    x, z = model.sample(num_draws, rng)
    assert x.shape == (num_draws, 4) and z.shape == (num_draws, 2)
    cov = model.marginal_cov()
    mean_se = np.sqrt(np.diag(cov) / num_draws)
    assert np.all(np.abs(x.mean(axis=0) - model.mu) < 5 * mean_se)
    # Standard error of a Gaussian sample covariance entry: sqrt((C_ij^2 + C_ii C_jj) / N).
    cov_se = np.sqrt((cov**2 + np.outer(np.diag(cov), np.diag(cov))) / num_draws)
    assert np.all(np.abs(np.cov(x, rowvar=False) - cov) < 5 * cov_se)
    # The residual x - W z - mu is the isotropic noise, independent of z.
    noise = x - z @ model.W.T - model.mu
    assert abs(noise.var() - model.sigma2) < 5 * model.sigma2 * np.sqrt(2 / noise.size)


def test_linear_ppca_sample_is_reproducible():
    model = LinearPPCA(W=np.ones((3, 1)), mu=np.zeros(3), sigma2=1.0)
    a = model.sample(5, np.random.default_rng(7))
    b = model.sample(5, np.random.default_rng(7))
    np.testing.assert_array_equal(a[0], b[0])


# --------------------------------------------------------------------------
# fit_ppca
# --------------------------------------------------------------------------


@pytest.fixture
def ppca_data():
    """Synthetic data from a known D = 10, d = 2 model (seeded)."""
    rng = np.random.default_rng(3)
    true = LinearPPCA(W=rng.standard_normal((10, 2)), mu=rng.standard_normal(10), sigma2=0.5)
    x, _ = true.sample(2_000, rng)
    return true, x


def test_fit_ppca_recovers_subspace_and_noise(ppca_data):
    true, x = ppca_data
    num_examples, data_dim = x.shape
    latent_dim = true.latent_dim
    fit = fit_ppca(x, latent_dim)
    assert fit.W.shape == (data_dim, latent_dim)
    # First-order perturbation theory: E ||sin(angles)||^2 = (D - d) sigma^2 / N sum_i l_i / (l_i - sigma^2)^2.
    top = np.linalg.eigvalsh(true.marginal_cov())[::-1][:latent_dim]
    expected_sin2 = (data_dim - latent_dim) * true.sigma2 / num_examples * np.sum(top / (top - true.sigma2) ** 2)
    sin_angles = np.sin(linalg.subspace_angles(true.W, fit.W))
    assert np.sqrt(np.sum(sin_angles**2)) < 3 * np.sqrt(expected_sin2)
    sigma2_se = true.sigma2 * np.sqrt(2 / (num_examples * (data_dim - latent_dim)))
    assert abs(fit.sigma2 - true.sigma2) < 5 * sigma2_se
    np.testing.assert_allclose(fit.mu, x.mean(axis=0), rtol=1e-12)


def test_fit_ppca_matches_sample_covariance_where_it_should(ppca_data):
    # At the ML solution C = W W^T + sigma^2 I has the same top-d eigenpairs as S
    # and the same trace (sigma^2 is the mean of the discarded eigenvalues).
    _, x = ppca_data
    fit = fit_ppca(x, 2)
    S = np.cov(x, rowvar=False, bias=True)
    C = fit.marginal_cov()
    np.testing.assert_allclose(np.trace(C), np.trace(S), rtol=1e-10)
    eig_s, vec_s = np.linalg.eigh(S)
    top = vec_s[:, -2:]
    np.testing.assert_allclose(C @ top, top * eig_s[-2:], rtol=1e-8, atol=1e-10)


def test_fit_ppca_maximises_the_likelihood(ppca_data):
    true, x = ppca_data
    fit = fit_ppca(x, 2)
    best = fit.log_marginal(x).sum()
    assert best >= true.log_marginal(x).sum()
    rng = np.random.default_rng(11)
    perturbed = [
        LinearPPCA(fit.W + 0.05 * rng.standard_normal(fit.W.shape), fit.mu, fit.sigma2),
        LinearPPCA(fit.W, fit.mu + 0.05 * rng.standard_normal(fit.mu.shape), fit.sigma2),
        LinearPPCA(fit.W, fit.mu, fit.sigma2 * 1.05),
        LinearPPCA(fit.W, fit.mu, fit.sigma2 / 1.05),
    ]
    for model in perturbed:
        assert model.log_marginal(x).sum() < best
    # ... but a rotation of W does not change it (non-identifiability).
    rotation, _ = np.linalg.qr(rng.standard_normal((2, 2)))
    rotated = LinearPPCA(fit.W @ rotation, fit.mu, fit.sigma2)
    np.testing.assert_allclose(rotated.log_marginal(x), fit.log_marginal(x), rtol=0, atol=1e-10)


@pytest.mark.parametrize("latent_dim", [0, 3, 4])
def test_fit_ppca_rejects_bad_latent_dim(latent_dim):
    with pytest.raises(ValueError, match="latent_dim must satisfy"):
        fit_ppca(np.random.default_rng(0).standard_normal((20, 3)), latent_dim)


def test_fit_ppca_rejects_bad_data():
    with pytest.raises(ValueError, match=r"x has shape \(5,\); expected \(num_examples, D\)"):
        fit_ppca(np.arange(5.0), 1)
    with pytest.raises(ValueError, match="at least 2"):
        fit_ppca(np.ones((1, 3)), 1)
    # Data lying exactly on a line: no noise left to estimate.
    t = np.linspace(-1, 1, 10)[:, None]
    with pytest.raises(ValueError, match="not identifiable"):
        fit_ppca(t * np.array([[1.0, 2.0, 3.0]]), 1)


# --- evaluation helpers used by the VAE chapters ---------------------------


def test_std_normal_log_density_matches_scipy(rng):
    from scipy.stats import multivariate_normal

    z = rng.standard_normal((4, 7, 3))
    expected = multivariate_normal(np.zeros(3), np.eye(3)).logpdf(z.reshape(-1, 3)).reshape(4, 7)
    np.testing.assert_allclose(std_normal_log_density(z), expected, rtol=1e-12)


def test_kl_per_dimension_sums_to_the_mean_kl(rng):
    z_mean, z_log_var = rng.standard_normal((50, 4)), rng.standard_normal((50, 4))
    per_dim = kl_per_dimension(z_mean, z_log_var)
    assert per_dim.shape == (4,) and np.all(per_dim >= 0)
    np.testing.assert_allclose(per_dim.sum(), kl_diag_gaussian_std_normal(z_mean, z_log_var).mean(), rtol=1e-12)
    # a coordinate equal to the prior carries no KL
    z_mean[:, 2], z_log_var[:, 2] = 0.0, 0.0
    assert kl_per_dimension(z_mean, z_log_var)[2] == 0.0
    with pytest.raises(ValueError, match=r"must both be \(num_examples, d\)"):
        kl_per_dimension(z_mean, z_log_var[:, :3])


def test_active_units_counts_varying_coordinates(rng):
    z_mean = np.column_stack([rng.standard_normal(200), 0.01 * rng.standard_normal(200), np.full(200, 3.0)])
    activity, count = active_units(z_mean)
    np.testing.assert_allclose(activity, z_mean.var(axis=0))
    assert count == 1
    assert active_units(z_mean, threshold=1e-6)[1] == 2
    with pytest.raises(ValueError, match="num_examples >= 2"):
        active_units(z_mean[:1])


# --- bad inputs that used to give a wrong answer or an unhelpful error -------


def test_diag_gaussian_log_density_requires_equal_event_dimensions():
    # An event dimension of 1 used to broadcast against 3 and be summed over 3 coordinates.
    with pytest.raises(ValueError, match=r"x \(4, 3\), mean \(1,\), log_var \(3,\).*last \(event\) dimensions"):
        diag_gaussian_log_density(np.zeros((4, 3)), np.zeros(1), np.zeros(3))
    with pytest.raises(ValueError, match="last \\(event\\) dimensions"):
        diag_gaussian_log_density(np.zeros((4, 3)), np.zeros(3), np.zeros((4, 1)))
    with pytest.raises(ValueError, match="last \\(event\\) dimensions"):
        kl_diag_gaussian_std_normal(np.zeros((4, 3)), np.zeros(1))
    # batch dimensions still broadcast
    assert diag_gaussian_log_density(np.zeros((4, 3)), np.zeros((1, 3)), np.zeros(3)).shape == (4,)


@pytest.mark.parametrize("which", ["cov_q", "cov_p"])
@pytest.mark.parametrize("bad", [np.array([[1.0, 0.5], [0.0, 1.0]]), np.array([[1.0, 0.0], [0.5, 1.0]])])
def test_kl_gaussians_rejects_asymmetric_covariances_like_gaussian_log_density(which, bad):
    # These used to give KL = 0.0 and 0.144 (Cholesky reads one triangle only).
    args = {"mean_q": np.zeros(2), "cov_q": np.eye(2), "mean_p": np.zeros(2), "cov_p": np.eye(2), which: bad}
    with pytest.raises(ValueError, match=f"{which} is not symmetric"):
        kl_gaussians(**args)
    with pytest.raises(ValueError, match="cov is not symmetric"):
        gaussian_log_density(np.zeros((1, 2)), np.zeros(2), bad)


def test_kl_gaussians_rejects_non_finite_and_indefinite_covariances():
    with pytest.raises(ValueError, match="cov_q contains NaN or inf"):
        kl_gaussians(np.zeros(2), np.diag([1.0, np.nan]), np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match="cov_p is not symmetric positive definite"):
        kl_gaussians(np.zeros(2), np.eye(2), np.zeros(2), np.diag([1.0, -1.0]))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_active_units_and_kl_per_dimension_reject_non_finite_encoder_outputs(rng, bad):
    # NaN means used to count as 0 active units: a diverged encoder looked like posterior collapse.
    z_mean = rng.standard_normal((20, 3))
    z_mean[5, 1] = bad
    with pytest.raises(ValueError, match=r"z_mean contains NaN or inf \(1 of 60 entries; first at row 5, column 1\)"):
        active_units(z_mean)
    with pytest.raises(ValueError, match="z_mean contains NaN or inf"):
        kl_per_dimension(z_mean, np.zeros((20, 3)))
    with pytest.raises(ValueError, match="z_log_var contains NaN or inf"):
        kl_per_dimension(np.zeros((20, 3)), z_mean)


@pytest.mark.parametrize("axis", [None, 1.0, "0", True])
def test_log_mean_exp_rejects_a_non_integer_axis(axis):
    with pytest.raises(TypeError, match=f"axis must be an integer.*got {type(axis).__name__}"):
        log_mean_exp(np.zeros((2, 3)), axis=axis)
    assert log_mean_exp(np.zeros((2, 3)), axis=np.int64(1)).shape == (2,)


@pytest.mark.parametrize("latent_dim", [1.5, 1.0, "1", None, True])
def test_fit_ppca_rejects_a_non_integer_latent_dim(latent_dim):
    with pytest.raises(TypeError, match=f"latent_dim must be an integer.*got {type(latent_dim).__name__}"):
        fit_ppca(np.random.default_rng(0).standard_normal((20, 3)), latent_dim)
    assert fit_ppca(np.random.default_rng(0).standard_normal((20, 3)), np.int64(1)).latent_dim == 1


@pytest.mark.parametrize("sigma2", ["1", None, [1.0], np.ones(2), True])
def test_linear_ppca_rejects_a_sigma2_that_is_not_a_number(sigma2):
    with pytest.raises(TypeError, match="sigma2 must be a real number"):
        LinearPPCA(W=np.ones((3, 1)), mu=np.zeros(3), sigma2=sigma2)
    for ok in (1, np.float32(0.5), np.array(0.5)):
        assert type(LinearPPCA(W=np.ones((3, 1)), mu=np.zeros(3), sigma2=ok).sigma2) is float


# --------------------------------------------------------------------------
# LinearPPCA: the notation page's names (b, tau2) and Tipping & Bishop's (mu, sigma2)
# --------------------------------------------------------------------------


def test_linear_ppca_book_names_and_aliases_are_the_same_model(rng):
    W, b = rng.standard_normal((5, 2)), rng.standard_normal(5)
    x = rng.standard_normal((4, 5))
    book = LinearPPCA(W=W, b=b, tau2=0.3)
    for other in (LinearPPCA(W=W, mu=b, sigma2=0.3), LinearPPCA(W, b, 0.3)):
        np.testing.assert_array_equal(other.b, book.b)
        assert other.tau2 == book.tau2
        np.testing.assert_array_equal(other.log_marginal(x), book.log_marginal(x))
    np.testing.assert_array_equal(book.mu, b)
    assert book.sigma2 == book.tau2 == 0.3
    np.testing.assert_allclose(fit_ppca(x, 1).b, x.mean(axis=0), rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"b": np.zeros(3), "mu": np.zeros(3), "tau2": 1.0}, "pass b or mu"),
        ({"b": np.zeros(3), "tau2": 1.0, "sigma2": 1.0}, "pass tau2 or sigma2"),
        ({"tau2": 1.0}, r"missing argument b \(Tipping & Bishop's mu\)"),
        ({"b": np.zeros(3)}, "missing argument tau2"),
        ({"b": np.zeros(2), "tau2": 1.0}, r"b has shape \(2,\); expected \(3,\)"),
        ({"b": np.zeros(3), "tau2": -1.0}, "tau2 must be a positive"),
        ({"b": np.zeros(3), "tau2": "1"}, "tau2 must be a real number"),
    ],
)
def test_linear_ppca_names_the_argument_the_caller_used(kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        LinearPPCA(W=np.ones((3, 1)), **kwargs)


def test_linear_ppca_is_still_frozen(rng):
    model = random_ppca(rng)
    with pytest.raises(AttributeError):
        model.tau2 = 1.0


# --------------------------------------------------------------------------
# effective_sample_size
# --------------------------------------------------------------------------


def test_effective_sample_size_matches_the_direct_formula(rng):
    log_w = rng.standard_normal((50, 3)) * 2.0  # (K, N)
    w = np.exp(log_w)
    direct = w.sum(axis=0) ** 2 / (w**2).sum(axis=0)
    np.testing.assert_allclose(maths.effective_sample_size(log_w), direct, rtol=1e-12)
    np.testing.assert_allclose(maths.effective_sample_size(log_w.T, axis=1), direct, rtol=1e-12)
    np.testing.assert_allclose(maths.effective_sample_size(log_w, axis=-2), direct, rtol=1e-12)


def test_effective_sample_size_limits_and_invariance(rng):
    assert maths.effective_sample_size(np.zeros(7)) == pytest.approx(7.0, rel=1e-12)  # equal weights
    one = np.full(7, -np.inf)
    one[3] = 0.0
    assert maths.effective_sample_size(one) == pytest.approx(1.0, rel=1e-12)  # one weight
    two = np.array([0.0, 0.0, -np.inf, -np.inf])  # two equal weights, two zero weights
    assert maths.effective_sample_size(two) == pytest.approx(2.0, rel=1e-12)
    log_w = rng.standard_normal(20)
    reference = maths.effective_sample_size(log_w)
    assert 1.0 <= reference <= 20.0
    for shift in (-1000.0, 1000.0):  # exp would underflow / overflow in float64
        shifted = no_warnings(maths.effective_sample_size, log_w + shift)
        assert shifted == pytest.approx(reference, rel=1e-10)


def test_effective_sample_size_gives_the_estimated_relative_standard_error(rng):
    """sd(w) / (mean(w) sqrt(K)) = sqrt(1/ESS - 1/K): a sample estimate of the relative error is below 1."""
    log_w = 3.0 * rng.standard_normal((200, 4))
    w = np.exp(log_w)
    rel_se = w.std(axis=0) / (w.mean(axis=0) * np.sqrt(200))
    ess = maths.effective_sample_size(log_w)
    np.testing.assert_allclose(rel_se, np.sqrt(1 / ess - 1 / 200), rtol=1e-10)


@pytest.mark.parametrize(
    ("log_w", "axis", "error", "message"),
    [
        (np.zeros((0, 3)), 0, ValueError, "axis 0 is empty"),
        (np.zeros(3), 1, ValueError, "axis 1 is out of range"),
        (np.array([0.0, np.nan]), 0, ValueError, "NaN or \\+inf"),
        (np.array([0.0, np.inf]), 0, ValueError, "NaN or \\+inf"),
        (np.array([[0.0, -np.inf], [1.0, -np.inf]]), 0, ValueError, "every weight is zero"),
        (np.zeros(3), None, TypeError, "axis must be an integer"),
        (np.zeros(3), 0.0, TypeError, "axis must be an integer"),
        (0.0, 0, ValueError, "at least 1 dimension"),
    ],
)
def test_effective_sample_size_rejects_bad_input(log_w, axis, error, message):
    with pytest.raises(error, match=message):
        maths.effective_sample_size(log_w, axis=axis)

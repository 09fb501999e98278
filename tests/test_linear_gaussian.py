"""Tests for vaebook.linear_gaussian: each closed form against an independent computation.

The posterior is checked against Gaussian conditioning of the joint of (z, x), the evidence against
SciPy's multivariate normal, the ELBO against a Monte Carlo average of log p(x, z) - log q(z | x)
(5 standard errors, fixed seed), and the optimal encoder against a numerical maximization of the ELBO.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

from vaebook.linear_gaussian import (
    e_step,
    elbo_ppca,
    linear_vae_report,
    log_evidence,
    optimal_linear_encoder,
)

D, d, TAU2 = 5, 2, 0.7


@pytest.fixture
def model():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((D, d))
    b = rng.standard_normal(D)
    x = rng.standard_normal((6, D)) * 2 + b
    return W, b, x


def joint_conditioning(W, b, x):
    # p(z | x) from the joint Gaussian of (z, x): Cov(z, x) = W^T, Cov(x) = C
    C = W @ W.T + TAU2 * np.eye(D)
    gain = np.linalg.solve(C, W).T  # W^T C^-1, (d, D)
    return (x - b) @ gain.T, np.eye(d) - gain @ W


def test_e_step_is_gaussian_conditioning(model):
    W, b, x = model
    z_mean, z_cov = e_step(x - b, W, TAU2)
    mean_ref, cov_ref = joint_conditioning(W, b, x)
    np.testing.assert_allclose(z_mean, mean_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(z_cov, cov_ref, rtol=1e-10, atol=1e-12)


def test_log_evidence_matches_scipy(model):
    W, b, x = model
    ref = stats.multivariate_normal(b, W @ W.T + TAU2 * np.eye(D)).logpdf(x)
    np.testing.assert_allclose(log_evidence(x - b, W, TAU2), ref, rtol=1e-12)


def test_elbo_is_the_evidence_at_the_posterior_and_below_it_elsewhere(model):
    W, b, x = model
    z_mean, z_cov = e_step(x - b, W, TAU2)
    evidence = log_evidence(x - b, W, TAU2)
    np.testing.assert_allclose(
        elbo_ppca(x - b, W, TAU2, z_mean, z_cov), evidence, rtol=1e-12
    )
    other = elbo_ppca(x - b, W, TAU2, z_mean + 0.3, 0.5 * np.eye(d))
    assert np.all(other < evidence - 1e-3)


def test_elbo_matches_monte_carlo(model):
    W, b, x = model
    rng = np.random.default_rng(1)
    q_mean, q_cov = np.array([0.4, -0.2]), np.array([[0.5, 0.1], [0.1, 0.3]])
    z = rng.multivariate_normal(q_mean, q_cov, size=200_000)  # (K, d)
    x_one = x[:1]
    terms = (
        stats.multivariate_normal(np.zeros(d), np.eye(d)).logpdf(z)
        + stats.multivariate_normal(np.zeros(D), TAU2 * np.eye(D)).logpdf(
            x_one - b - z @ W.T
        )
        - stats.multivariate_normal(q_mean, q_cov).logpdf(z)
    )
    exact = elbo_ppca(x_one - b, W, TAU2, q_mean[None], q_cov)[0]
    assert abs(terms.mean() - exact) < 5 * terms.std() / np.sqrt(len(terms))


def test_optimal_encoder_maximizes_the_elbo_over_diagonal_q(model):
    W, b, x = model
    encoder = optimal_linear_encoder(W, b, TAU2)
    x_one = x[:1]

    def neg_elbo(v):
        return -elbo_ppca(x_one - b, W, TAU2, v[None, :d], np.diag(np.exp(v[d:])))[0]

    best = optimize.minimize(
        neg_elbo, np.zeros(2 * d), method="BFGS", options={"gtol": 1e-10}
    ).x
    np.testing.assert_allclose(
        encoder["V"] @ x_one[0] + encoder["c"], best[:d], atol=1e-5
    )
    np.testing.assert_allclose(encoder["z_log_var"], best[d:], atol=1e-5)


def test_report_gaps(model):
    W, b, x = model
    rng = np.random.default_rng(2)
    optimal = {"W": W, "b": b} | optimal_linear_encoder(W, b, TAU2)
    report = linear_vae_report(optimal, x, TAU2)
    np.testing.assert_allclose(report["amortization"], 0.0, atol=1e-12)
    np.testing.assert_allclose(report["ELBO"], report["best ELBO"], rtol=1e-12)
    # the approximation gap is KL(diagonal q* || posterior), > 0 because W's columns are not orthogonal
    z_mean, z_cov = e_step(x - b, W, TAU2)
    q_var = np.exp(optimal["z_log_var"])
    prec = np.linalg.inv(z_cov)
    kl = 0.5 * (
        np.trace(prec @ np.diag(q_var))
        - d
        + np.linalg.slogdet(z_cov)[1]
        - np.log(q_var).sum()
    )
    np.testing.assert_allclose(report["approximation"], kl, rtol=1e-10)
    assert kl > 1e-3
    # another encoder: the gaps still add up to log p(x) - ELBO, and the amortization gap is positive
    other = optimal | {
        "V": optimal["V"] + 0.1 * rng.standard_normal((d, D)),
        "z_log_var": np.zeros(d),
    }
    report = linear_vae_report(other, x, TAU2)
    np.testing.assert_allclose(
        report["log p(x)"] - report["ELBO"],
        report["approximation"] + report["amortization"],
        rtol=1e-10,
    )
    assert np.all(report["amortization"] > 0)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda W, b, x: e_step(x[:, :3], W, TAU2), "x_centred has shape"),
        (lambda W, b, x: log_evidence(x - b, W, 0.0), "tau2 must be a positive number"),
        (lambda W, b, x: log_evidence(x - b, W, "0.5"), "tau2 must be a real number"),
        (
            lambda W, b, x: elbo_ppca(x - b, W, TAU2, np.zeros((6, 3)), np.eye(d)),
            "z_mean has shape",
        ),
        (
            lambda W, b, x: elbo_ppca(
                x - b, W, TAU2, np.zeros((6, d)), np.diag([1.0, -1.0])
            ),
            "positive definite",
        ),
        (lambda W, b, x: optimal_linear_encoder(W, b[:3], TAU2), "b has shape"),
        (lambda W, b, x: linear_vae_report({"W": W, "b": b}, x, TAU2), "params lacks"),
        (lambda W, b, x: e_step(x, W[0], TAU2), "W has shape"),
    ],
)
def test_bad_input_gets_a_clear_error(model, call, message):
    with pytest.raises(ValueError, match=message):
        call(*model)

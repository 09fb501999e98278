"""Tests of vaebook.discrete: the exact enumeration behind the chapter "Discrete latent variables"."""

import numpy as np
import pytest

from vaebook.discrete import (
    categorical_kl_uniform,
    codebook_usage,
    exact_expectation_and_grad,
    log_softmax,
    one_hot_configurations,
)


def test_configurations_are_all_distinct_one_hot_outcomes():
    z = one_hot_configurations(3, 4)
    assert z.shape == (64, 3, 4)
    assert np.all(z.sum(axis=2) == 1)
    assert len({tuple(np.argmax(row, axis=1)) for row in z}) == 64


def test_expectation_and_gradient_match_brute_force_and_finite_differences():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(2, 3))
    z = one_hot_configurations(2, 3)
    w = rng.normal(size=(2, 3))
    h = np.sin(np.einsum("smc,mc->s", z, w)) + z[:, 0, 1] * z[:, 1, 2]  # not linear in z
    value, grad = exact_expectation_and_grad(logits, h)
    p = np.exp(log_softmax(logits))
    brute = sum(p[0, a] * p[1, b] * h[3 * a + b] for a in range(3) for b in range(3))
    assert np.isclose(value, brute, rtol=1e-12)
    step, fd = 1e-6, np.zeros_like(logits)
    for idx in np.ndindex(*logits.shape):
        e = np.zeros_like(logits)
        e[idx] = step
        fd[idx] = (exact_expectation_and_grad(logits + e, h)[0]
                   - exact_expectation_and_grad(logits - e, h)[0]) / (2 * step)
    assert np.allclose(grad, fd, rtol=1e-6, atol=1e-9)
    # a wrong gradient (the score without subtracting softmax) would fail
    assert not np.allclose(grad, np.einsum("s,smc->mc", h, z) / 9, atol=1e-3)


def test_kl_to_uniform():
    assert categorical_kl_uniform(np.zeros((3, 4))) == pytest.approx(0.0, abs=1e-12)
    logits = np.array([[5.0, 0.0, 0.0]])
    p = np.exp(log_softmax(logits))[0]
    assert categorical_kl_uniform(logits) == pytest.approx(np.sum(p * np.log(3 * p)))
    assert categorical_kl_uniform(logits) > 0


def test_log_softmax_is_stable_for_huge_logits():
    out = log_softmax(np.array([[1000.0, 0.0]]))
    assert np.all(np.isfinite(out)) and out[0, 0] == pytest.approx(0.0)


def test_codebook_usage():
    assert codebook_usage(np.arange(8), 8) == pytest.approx((8.0, 0))
    assert codebook_usage(np.zeros(10, dtype=int), 4) == pytest.approx((1.0, 3))
    perplexity, dead = codebook_usage(np.array([0, 0, 1, 1]), 4)
    assert perplexity == pytest.approx(2.0) and dead == 2


@pytest.mark.parametrize("call", [
    lambda: log_softmax(np.zeros(3)),
    lambda: log_softmax(np.array([[np.nan, 0.0]])),
    lambda: one_hot_configurations(0, 3),
    lambda: one_hot_configurations(3, 1),
    lambda: one_hot_configurations(30, 10),
    lambda: exact_expectation_and_grad(np.zeros((2, 3)), np.zeros(8)),
    lambda: codebook_usage(np.array([0, 5]), 4),
    lambda: codebook_usage(np.array([]), 4),
    lambda: codebook_usage(np.array([0.5]), 4),
])
def test_bad_input_is_refused(call):
    with pytest.raises(ValueError):
        call()

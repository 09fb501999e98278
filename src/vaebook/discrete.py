"""Exact reference maths for small discrete latent-variable models (NumPy only).

A factorised categorical distribution over ``M`` latents with ``C`` classes each,
``q(z) = prod_j Categorical(z_j; softmax(logits_j))``, has only ``C**M`` outcomes,
so expectations under it and their gradients with respect to the logits can be
computed exactly by enumeration. The chapter "Discrete latent variables" measures
the bias and variance of Monte Carlo gradient estimators against these values.
It also holds two codebook statistics of the VQ-VAE (perplexity, dead codes).
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy import special

__all__ = [
    "categorical_kl_uniform",
    "codebook_usage",
    "exact_expectation_and_grad",
    "log_softmax",
    "one_hot_configurations",
]

MAX_CONFIGURATIONS = 1_000_000  # enumeration beyond this is refused: too slow, and not the point


def _check_logits(logits) -> np.ndarray:
    arr = np.asarray(logits, dtype=float)
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 2:
        raise ValueError(f"logits must have shape (num_latents, num_classes) with at least one latent "
                         f"and two classes, got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError("logits contain NaN or infinity; each must be a finite real number.")
    return arr


def log_softmax(logits) -> np.ndarray:
    """Log-probabilities of each latent's categorical, (M, C) -> (M, C), computed stably."""
    arr = _check_logits(logits)
    return arr - special.logsumexp(arr, axis=1, keepdims=True)


def one_hot_configurations(num_latents: int, num_classes: int) -> np.ndarray:
    """Every joint outcome as one-hot vectors: an array of shape (C**M, M, C) of 0.0 and 1.0.

    Row ``s`` is the ``s``-th outcome in lexicographic order of the class indices
    (latent 0 varies slowest).
    """
    for value, name in ((num_latents, "num_latents"), (num_classes, "num_classes")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    if num_classes < 2:
        raise ValueError(f"num_classes must be at least 2 (one class is not random), got {num_classes}.")
    count = num_classes**num_latents
    if count > MAX_CONFIGURATIONS:
        raise ValueError(f"{num_classes}**{num_latents} = {count:,} outcomes is too many to enumerate "
                         f"(limit {MAX_CONFIGURATIONS:,}).")
    index = np.array(list(itertools.product(range(num_classes), repeat=num_latents)))  # (S, M)
    return np.eye(num_classes)[index]  # (S, M, C)


def exact_expectation_and_grad(logits, h_values) -> tuple[float, np.ndarray]:
    """E_q[h(z)] and its gradient with respect to the logits, by enumeration.

    ``h_values[s]`` is h at outcome ``s`` of :func:`one_hot_configurations` for the
    shape of ``logits``. ``h`` must not depend on the logits. The gradient is
    ``sum_z q(z) h(z) (onehot(z) - softmax(logits))``, the score function summed
    exactly; it has the shape of ``logits``.
    """
    log_p = log_softmax(logits)  # (M, C)
    num_latents, num_classes = log_p.shape
    z = one_hot_configurations(num_latents, num_classes)  # (S, M, C)
    h = np.asarray(h_values, dtype=float)
    if h.shape != (z.shape[0],):
        raise ValueError(f"h_values must have one value per outcome, shape ({z.shape[0]},), got {h.shape}.")
    if not np.all(np.isfinite(h)):
        raise ValueError("h_values contain NaN or infinity.")
    q = np.exp(np.einsum("smc,mc->s", z, log_p))  # (S,) joint probabilities
    score = z - np.exp(log_p)  # (S, M, C): d log q(z) / d logits
    return float(q @ h), np.einsum("s,s,smc->mc", q, h, score)


def categorical_kl_uniform(logits) -> float:
    """KL(q || uniform) summed over the latents, in nats: sum_j (log C - H[q_j])."""
    log_p = log_softmax(logits)
    return float(np.sum(np.exp(log_p) * (log_p + np.log(log_p.shape[1]))))


def codebook_usage(code_indices, num_codes: int) -> tuple[float, int]:
    """(perplexity, number of dead codes) of a set of code indices.

    The perplexity is exp of the entropy of the codes' empirical frequencies: ``num_codes``
    when all codes are used equally, 1 when one code takes everything. A dead code is one
    used zero times.
    """
    if isinstance(num_codes, bool) or not isinstance(num_codes, (int, np.integer)) or num_codes < 1:
        raise ValueError(f"num_codes must be a positive integer, got {num_codes!r}.")
    idx = np.asarray(code_indices).ravel()
    if idx.size == 0:
        raise ValueError("code_indices is empty: no usage to measure.")
    if not np.issubdtype(idx.dtype, np.integer) or idx.min() < 0 or idx.max() >= num_codes:
        raise ValueError(f"code_indices must be integers in [0, {num_codes}).")
    freq = np.bincount(idx, minlength=num_codes) / idx.size
    entropy = -np.sum(special.xlogy(freq, freq))
    return float(np.exp(entropy)), int(np.sum(freq == 0))

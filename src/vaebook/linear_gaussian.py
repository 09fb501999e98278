"""The linear-Gaussian model (PPCA) and the linear VAE, in closed form.

Reference maths derived and checked in the chapter "Amortized inference and its
gaps" (``chapters/amortized_inference.ipynb``), where the same functions are
written out for the reader; "What the KL term does" (``chapters/kl_term.ipynb``)
and later chapters import them from here. Plain NumPy and SciPy.

The model (notation page): z ~ N(0, I_d), x | z ~ N(W z + b, tau2 I_D), so
p(x) = N(b, C) with C = W W^T + tau2 I_D, and the exact posterior is
p(z | x) = N(M^-1 W^T (x - b), tau2 M^-1) with M = W^T W + tau2 I_d.

The linear VAE's encoder is q(z | x) = N(V x + c, diag exp(z_log_var)), one
variance vector for every x. Its parameters and the decoder's are passed as a
dict ``params`` with keys ``"W"`` (D, d), ``"b"`` (D,), ``"V"`` (d, D), ``"c"``
(d,) and ``"z_log_var"`` (d,).

API (stable; arrays per example have a leading axis N):

* ``e_step(x_centred, W, tau2)`` -> (z_mean (N, d), z_cov (d, d)): the exact
  posterior of every example (x_centred = x - b);
* ``elbo_ppca(x_centred, W, tau2, z_mean, z_cov)`` -> (N,): the exact ELBO of
  q_n = N(z_mean[n], z_cov);
* ``log_evidence(x_centred, W, tau2)`` -> (N,): log p(x_n);
* ``optimal_linear_encoder(W, b, tau2)`` -> {"V", "c", "z_log_var"}: the
  encoder whose q is the best diagonal Gaussian for every x;
* ``linear_vae_report(params, x, tau2)`` -> dict of (N,) arrays: "log p(x)",
  "ELBO", "best ELBO" (of the best diagonal q), and the gaps "approximation"
  and "amortization", with log p(x) - ELBO = approximation + amortization.

Shapes that do not fit, and a noise variance that is not a positive number,
raise a ``ValueError`` that names the argument.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import linalg

from .maths import gaussian_log_density

__all__ = [
    "e_step",
    "elbo_ppca",
    "linear_vae_report",
    "log_evidence",
    "optimal_linear_encoder",
]

ENCODER_KEYS = ("V", "c", "z_log_var")
PARAM_KEYS = ("W", "b", *ENCODER_KEYS)


def _check_tau2(tau2) -> float:
    if isinstance(tau2, np.ndarray) and tau2.ndim == 0:
        tau2 = tau2.item()
    if isinstance(tau2, (bool, np.bool_)) or not isinstance(tau2, numbers.Real):
        raise ValueError(
            f"tau2 must be a real number, the noise variance; got {type(tau2).__name__}."
        )
    if not np.isfinite(tau2) or tau2 <= 0:
        raise ValueError(
            f"tau2 must be a positive number, the noise variance; got {tau2}."
        )
    return float(tau2)


def _check_W(W) -> np.ndarray:
    W = np.asarray(W, dtype=float)
    if W.ndim != 2:
        raise ValueError(f"W has shape {W.shape}; expected (D, d).")
    return W


def _check_x(x, W: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != W.shape[0]:
        raise ValueError(
            f"{name} has shape {x.shape}; expected (N, {W.shape[0]}) to match W {W.shape}."
        )
    return x


def _posterior_matrix(W: np.ndarray, tau2: float) -> np.ndarray:
    return W.T @ W + tau2 * np.eye(W.shape[1])  # M, (d, d)


def e_step(x_centred, W, tau2) -> tuple[np.ndarray, np.ndarray]:
    """The exact posterior of every example: means M^-1 W^T x_n (N, d), covariance tau2 M^-1 (d, d)."""
    W, tau2 = _check_W(W), _check_tau2(tau2)
    x_centred = _check_x(x_centred, W, "x_centred")
    M = _posterior_matrix(W, tau2)
    encoder = linalg.solve(M, W.T, assume_a="pos")  # M^-1 W^T, (d, D)
    z_mean = x_centred @ encoder.T  # (N, d)
    z_cov = tau2 * linalg.inv(M)  # (d, d), the same for every example
    return z_mean, 0.5 * (z_cov + z_cov.T)


def elbo_ppca(x_centred, W, tau2, z_mean, z_cov) -> np.ndarray:
    """ELBO(x_n) for q_n = N(z_mean[n], z_cov): expected log-likelihood minus KL from N(0, I), (N,)."""
    W, tau2 = _check_W(W), _check_tau2(tau2)
    x_centred = _check_x(x_centred, W, "x_centred")
    dim, latent = W.shape
    z_mean = np.asarray(z_mean, dtype=float)
    z_cov = np.asarray(z_cov, dtype=float)
    if z_mean.shape != (len(x_centred), latent):
        raise ValueError(
            f"z_mean has shape {z_mean.shape}; expected ({len(x_centred)}, {latent})."
        )
    if z_cov.shape != (latent, latent):
        raise ValueError(
            f"z_cov has shape {z_cov.shape}; expected ({latent}, {latent})."
        )
    resid = x_centred - z_mean @ W.T  # (N, D)
    spread = np.trace(W @ z_cov @ W.T)
    recon = (
        -0.5 * dim * np.log(2 * np.pi * tau2)
        - 0.5 * (np.sum(resid**2, axis=-1) + spread) / tau2
    )
    sign, log_det = np.linalg.slogdet(z_cov)
    if sign <= 0:
        raise ValueError("z_cov must be positive definite.")
    kl = 0.5 * (np.trace(z_cov) + np.sum(z_mean**2, axis=-1) - latent - log_det)
    return recon - kl


def log_evidence(x_centred, W, tau2) -> np.ndarray:
    """log p(x_n) = log N(x_n; b, W W^T + tau2 I) with x_centred = x - b, (N,)."""
    W, tau2 = _check_W(W), _check_tau2(tau2)
    x_centred = _check_x(x_centred, W, "x_centred")
    cov = W @ W.T + tau2 * np.eye(W.shape[0])  # C, (D, D)
    return gaussian_log_density(x_centred, np.zeros(W.shape[0]), cov)


def optimal_linear_encoder(W, b, tau2) -> dict[str, np.ndarray]:
    """V* = M^-1 W^T, c* = -V* b, z_log_var* = log(tau2 / diag M): the best diagonal q for every x."""
    W, tau2 = _check_W(W), _check_tau2(tau2)
    b = np.asarray(b, dtype=float)
    if b.shape != (W.shape[0],):
        raise ValueError(
            f"b has shape {b.shape}; expected ({W.shape[0]},) to match W {W.shape}."
        )
    M = _posterior_matrix(W, tau2)
    V = linalg.solve(M, W.T, assume_a="pos")  # (d, D)
    return {"V": V, "c": -V @ b, "z_log_var": np.log(tau2 / np.diag(M))}


def _check_params(params) -> dict[str, np.ndarray]:
    missing = [key for key in PARAM_KEYS if key not in params]
    if missing:
        raise ValueError(
            f"params lacks {missing}; expected the keys {list(PARAM_KEYS)}."
        )
    W = _check_W(params["W"])
    dim, latent = W.shape
    expected = {"b": (dim,), "V": (latent, dim), "c": (latent,), "z_log_var": (latent,)}
    out = {"W": W}
    for key, shape in expected.items():
        value = np.asarray(params[key], dtype=float)
        if value.shape != shape:
            raise ValueError(
                f"params[{key!r}] has shape {value.shape}; expected {shape} to match W {W.shape}."
            )
        out[key] = value
    return out


def linear_vae_report(params, x, tau2) -> dict[str, np.ndarray]:
    """Closed forms for the linear VAE, per example (N,): log p(x), its ELBO, the best ELBO and the two gaps.

    "approximation" = log p(x) - "best ELBO" (what a diagonal q cannot fit), "amortization" = "best ELBO"
    - "ELBO" (what this encoder misses of the best diagonal q), so log p(x) - ELBO is their sum.
    """
    params, tau2 = _check_params(params), _check_tau2(tau2)
    W, b = params["W"], params["b"]
    x = _check_x(x, W, "x")
    M = _posterior_matrix(W, tau2)
    post_mean, _ = e_step(x - b, W, tau2)  # the posterior means, (N, d)
    best_var = tau2 / np.diag(M)  # sigma*^2, (d,)
    z_mean = x @ params["V"].T + params["c"]  # mu_phi(x), (N, d)
    z_var = np.exp(params["z_log_var"])  # sigma^2_phi, (d,)
    ratio, diff = z_var / best_var, z_mean - post_mean  # variance ratios, (d,); (N, d)
    mean_part = 0.5 * np.einsum("ni,ij,nj->n", diff, M / tau2, diff)
    return {
        "log p(x)": log_evidence(x - b, W, tau2),
        "ELBO": elbo_ppca(x - b, W, tau2, z_mean, np.diag(z_var)),
        "best ELBO": elbo_ppca(x - b, W, tau2, post_mean, np.diag(best_var)),
        "approximation": np.full(
            len(x), 0.5 * (np.log(np.diag(M)).sum() - np.linalg.slogdet(M)[1])
        ),
        "amortization": 0.5 * np.sum(ratio - 1 - np.log(ratio)) + mean_part,
    }

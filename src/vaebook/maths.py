"""NumPy reference maths: the quantities the chapters derive, computed exactly.

Each function is the plain-NumPy version of a formula derived in the book, so
that chapters (and tests) can check framework code against it:

* Gaussian log-densities, diagonal and full covariance
  (chapter "Latent-variable models");
* the KL divergence of a diagonal or a full-covariance Gaussian from N(0, I),
  and between two full-covariance Gaussians (chapter "The evidence lower
  bound"); the KL per latent dimension and the active-unit count (the VAE
  chapters);
* a numerically stable log-mean-exp and the importance-sampled log-likelihood
  estimate built on it (chapter "The evidence lower bound"; used to evaluate
  every model in the later chapters), and the effective sample size of
  importance weights (chapter "Latent-variable models");
* linear probabilistic PCA: marginal, posterior, joint density, sampling and
  the maximum-likelihood fit of Tipping & Bishop (1999)
  (chapter "Latent-variable models"; the baseline of the nonlinear PPCA
  chapter).

Conventions (see the notation page): the last axis of an array is the event
axis (data dimension D or latent dimension d); log-densities and KLs are
summed over it and returned per example. The event dimensions of all
arguments must be equal; only the batch dimensions before them broadcast.
Shapes that do not fit raise a ``ValueError`` that names the argument, its
shape and the shape expected; arguments of the wrong type (an axis or a
dimension that is not an integer, a variance that is not a number) raise a
``TypeError`` that names the argument.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from scipy import linalg, special

LOG_2PI = float(np.log(2.0 * np.pi))


# --------------------------------------------------------------------------
# shape checks
# --------------------------------------------------------------------------
def _as_float_array(value, name: str, min_ndim: int = 0) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.ndim < min_ndim:
        raise ValueError(
            f"{name} has shape {arr.shape}; expected at least {min_ndim} "
            f"dimension(s), the last one being the event dimension."
        )
    return arr


def _check_same_event_dim(a: np.ndarray, a_name: str, b: np.ndarray, b_name: str) -> None:
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"{a_name} has shape {a.shape} and {b_name} has shape {b.shape}: "
            f"their last (event) dimensions must be equal."
        )


def _check_event_dims(*named: tuple[str, np.ndarray]) -> None:
    """The last (event) dimensions must be equal; a 1 must not broadcast against d (it would be summed d times)."""
    if len({arr.shape[-1] for _, arr in named}) > 1:
        shapes = ", ".join(f"{name} {arr.shape}" for name, arr in named)
        raise ValueError(f"shapes {shapes}: their last (event) dimensions must be equal; only the batch "
                         f"dimensions before it may broadcast (pass parameters of shape (..., d)).")


def _check_finite(arr: np.ndarray, name: str, what: str) -> None:
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))
        where = ", ".join(f"{label} {index}" for label, index in zip(("row", "column"), bad[0]))
        raise ValueError(f"{name} contains NaN or inf ({len(bad)} of {arr.size} entries; first at {where}): "
                         f"{what}")


def _check_int(value, name: str, meaning: str) -> int:
    """``value`` as an int; Python and NumPy integers are accepted, bools and floats (even 2.0) are not."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer ({meaning}), got {type(value).__name__} ({value!r}); "
                        f"pass a Python or NumPy integer, e.g. {name}=2.")
    return int(value)


def _check_broadcast(*named: tuple[str, np.ndarray]) -> None:
    try:
        np.broadcast_shapes(*(arr.shape for _, arr in named))
    except ValueError:
        shapes = ", ".join(f"{name} {arr.shape}" for name, arr in named)
        raise ValueError(f"shapes do not broadcast: {shapes}.") from None


_MISSING = object()  # an argument not passed (None is a value, checked like any other)


def _one_of(preferred: tuple[str, object], alias: tuple[str, object]):
    """(name, value) of the one argument given, the book's name or its alias; both or neither is an error."""
    (name, value), (alias_name, alias_value) = preferred, alias
    if value is not _MISSING and alias_value is not _MISSING:
        raise TypeError(f"pass {name} or {alias_name} (the same parameter under two names), not both.")
    if value is _MISSING and alias_value is _MISSING:
        raise TypeError(f"missing argument {name} (Tipping & Bishop's {alias_name}).")
    return (name, value) if value is not _MISSING else (alias_name, alias_value)


def _check_square(mat: np.ndarray, name: str, dim: int | None = None) -> None:
    if mat.ndim != 2 or mat.shape[0] != mat.shape[1]:
        raise ValueError(f"{name} has shape {mat.shape}; expected a square (d, d) matrix.")
    if dim is not None and mat.shape[0] != dim:
        raise ValueError(f"{name} has shape {mat.shape}; expected ({dim}, {dim}).")


def _covariance_cholesky(cov, name: str, dim: int) -> np.ndarray:
    """Check that ``cov`` is a (dim, dim) covariance matrix and return its lower Cholesky factor.

    The one check of every full-covariance function: square of the right size,
    finite, symmetric (to 1e-8 relative) and positive definite.
    """
    cov = _as_float_array(cov, name)
    _check_square(cov, name, dim)
    if not np.all(np.isfinite(cov)):
        raise ValueError(f"{name} contains NaN or inf, so it is not a covariance matrix.")
    # Cholesky reads only the lower triangle, so an asymmetric matrix would
    # otherwise be accepted silently (and give a wrong answer).
    if not np.all(np.abs(cov - cov.T) <= 1e-8 * np.max(np.abs(cov))):
        raise ValueError(f"{name} is not symmetric, so it is not a covariance matrix; pass (A + A.T) / 2 "
                         f"if the asymmetry is rounding.")
    try:
        return linalg.cholesky(cov, lower=True)
    except linalg.LinAlgError:
        raise ValueError(f"{name} is not symmetric positive definite, so it is not a covariance matrix.") from None


# --------------------------------------------------------------------------
# log-mean-exp and importance sampling
# --------------------------------------------------------------------------
def log_mean_exp(a, axis: int = 0) -> np.ndarray:
    """Return log(mean(exp(a), axis)) without overflow or underflow.

    Uses log-sum-exp with the maximum subtracted (``scipy.special.logsumexp``)
    minus log K. Entries of -inf (zero weights) are allowed; if all are -inf
    the result is -inf. An empty axis raises ``ValueError``; an ``axis`` that is
    not one integer (``None``, a tuple, a float) raises ``TypeError``: to average
    over all entries, pass ``np.ravel(a)`` and ``axis=0``.
    """
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an integer, the one axis to average over, got {type(axis).__name__} "
                        f"({axis!r}); to average over all entries pass np.ravel(a) and axis=0.")
    arr = _as_float_array(a, "a", min_ndim=1)
    if np.isnan(arr).any():
        raise ValueError("a contains NaN; log-mean-exp of NaN is undefined (check the log-weights).")
    try:
        count = arr.shape[axis]
    except IndexError:
        raise ValueError(f"axis {axis} is out of range for an array of shape {arr.shape}.") from None
    if count == 0:
        raise ValueError(f"a has shape {arr.shape}: axis {axis} is empty, so there is nothing to average.")
    return special.logsumexp(arr, axis=axis) - np.log(count)


def importance_sampled_log_likelihood(log_joint, log_q, axis: int = 0) -> np.ndarray:
    """Estimate log p(x) as log (1/K) sum_k p(x, z_k) / q(z_k | x).

    ``log_joint[k, n] = log p(x_n, z_k)`` and ``log_q[k, n] = log q(z_k | x_n)``
    for K samples z_k ~ q(z | x_n) (samples along ``axis``). With K = 1 the
    expectation of the estimate is the ELBO; as K grows it tends to log p(x)
    (Burda, Grosse & Salakhutdinov, 2016).
    """
    log_joint = _as_float_array(log_joint, "log_joint", min_ndim=1)
    log_q = _as_float_array(log_q, "log_q", min_ndim=1)
    if log_joint.shape != log_q.shape:
        raise ValueError(
            f"log_joint has shape {log_joint.shape} and log_q has shape {log_q.shape}; "
            f"they must match (one entry per sample and example)."
        )
    return log_mean_exp(log_joint - log_q, axis=axis)


def effective_sample_size(log_weights, axis: int = 0) -> np.ndarray:
    """Effective sample size (sum_k w_k)^2 / sum_k w_k^2 of importance weights, from their logs.

    ``log_weights`` holds log w_k (e.g. log p(x, z_k) - log q(z_k | x), or
    log p(x | z_k) for samples from the prior) with the K samples along
    ``axis``; any constant shift of the log-weights leaves the ESS unchanged,
    so unnormalised weights are fine. The result lies between 1 (one weight
    dominates) and K (equal weights). It is computed in log space, so weights
    whose logs are -1000 or +1000 neither underflow nor overflow. Entries of
    -inf (zero weights) are allowed, but not all of them: with no positive
    weight the ESS is undefined (``ValueError``), as it is for NaN or +inf.
    Introduced in chapter "Latent-variable models".
    """
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an integer, the axis of the K samples, got {type(axis).__name__} "
                        f"({axis!r}).")
    log_w = _as_float_array(log_weights, "log_weights", min_ndim=1)
    try:
        count = log_w.shape[axis]
    except IndexError:
        raise ValueError(f"axis {axis} is out of range for log_weights of shape {log_w.shape}.") from None
    if count == 0:
        raise ValueError(f"log_weights has shape {log_w.shape}: axis {axis} is empty, so there are no weights.")
    if np.isnan(log_w).any() or np.isposinf(log_w).any():
        raise ValueError("log_weights contains NaN or +inf; the weights are undefined (check the log-densities).")
    if np.all(np.isneginf(log_w), axis=axis).any():
        raise ValueError("every weight is zero (all log_weights are -inf) for some example along axis "
                         f"{axis}, so the effective sample size is undefined.")
    return np.exp(2.0 * special.logsumexp(log_w, axis=axis) - special.logsumexp(2.0 * log_w, axis=axis))


# --------------------------------------------------------------------------
# Gaussian densities
# --------------------------------------------------------------------------
def diag_gaussian_log_density(x, mean, log_var) -> np.ndarray:
    """log N(x; mean, diag(exp(log_var))), summed over the last axis.

    The last (event) dimensions of x, mean and log_var must be equal; batch
    dimensions before it broadcast.
    """
    x = _as_float_array(x, "x", 1)
    mean = _as_float_array(mean, "mean", 1)
    log_var = _as_float_array(log_var, "log_var", 1)
    _check_broadcast(("x", x), ("mean", mean), ("log_var", log_var))
    _check_event_dims(("x", x), ("mean", mean), ("log_var", log_var))
    return -0.5 * np.sum(LOG_2PI + log_var + (x - mean) ** 2 * np.exp(-log_var), axis=-1)


def std_normal_log_density(z) -> np.ndarray:
    """log N(z; 0, I), summed over the last axis: the log-prior of every VAE in the book."""
    z = _as_float_array(z, "z", 1)
    return -0.5 * np.sum(LOG_2PI + z**2, axis=-1)


def gaussian_log_density(x, mean, cov) -> np.ndarray:
    """log N(x; mean, cov) for a full (d, d) covariance, over the last axis of x."""
    x = _as_float_array(x, "x", 1)
    mean = _as_float_array(mean, "mean", 1)
    chol = _covariance_cholesky(cov, "cov", x.shape[-1])
    _check_same_event_dim(x, "x", mean, "mean")
    _check_broadcast(("x", x), ("mean", mean))
    diff = x - mean
    # Solve L y = diff for every row: the Mahalanobis term is |y|^2.
    y = linalg.solve_triangular(chol, diff.reshape(-1, x.shape[-1]).T, lower=True).T
    maha = np.sum(y**2, axis=-1).reshape(diff.shape[:-1])
    log_det = 2.0 * np.sum(np.log(np.diag(chol)))
    return -0.5 * (x.shape[-1] * LOG_2PI + log_det + maha)


# --------------------------------------------------------------------------
# KL divergences
# --------------------------------------------------------------------------
def kl_per_dimension(z_mean, z_log_var) -> np.ndarray:
    """Mean over examples of KL(q(z_i | x) || N(0, 1)) for each latent coordinate i.

    ``z_mean`` and ``z_log_var`` are (N, d) encoder outputs; returns (d,). The
    entries sum to the average of :func:`kl_diag_gaussian_std_normal`. Used by
    the VAE chapters to show which latent dimensions carry information.
    NaN or inf in either input (a diverged encoder) raises ``ValueError``.
    """
    z_mean = _as_float_array(z_mean, "z_mean")
    z_log_var = _as_float_array(z_log_var, "z_log_var")
    if z_mean.ndim != 2 or z_mean.shape != z_log_var.shape:
        raise ValueError(f"z_mean {z_mean.shape} and z_log_var {z_log_var.shape} must both be (num_examples, d).")
    for arr, name in ((z_mean, "z_mean"), (z_log_var, "z_log_var")):
        _check_finite(arr, name, "the encoder has diverged, so the KL is undefined; check the training run "
                                 "(learning rate, bounds on the log-variance) before reading the KL.")
    return np.mean(0.5 * (np.exp(z_log_var) + z_mean**2 - 1.0 - z_log_var), axis=0)


def active_units(z_mean, threshold: float = 0.01) -> tuple[np.ndarray, int]:
    """Activity Cov_x(E_q[z_i]) of each latent coordinate and the number above ``threshold``.

    A coordinate is *active* when its encoder mean varies across examples by more
    than ``threshold`` (Burda, Grosse & Salakhutdinov, 2016, use 0.01). ``z_mean``
    is (N, d); returns the (d,) activities and the count. NaN or inf in ``z_mean``
    (a diverged encoder, which would otherwise count as zero active units, i.e.
    look like posterior collapse) raises ``ValueError``.
    """
    z_mean = _as_float_array(z_mean, "z_mean")
    if z_mean.ndim != 2 or z_mean.shape[0] < 2:
        raise ValueError(f"z_mean has shape {z_mean.shape}; expected (num_examples >= 2, d).")
    _check_finite(z_mean, "z_mean", "the encoder has diverged, which is not posterior collapse; check the "
                                    "training run (learning rate, bounds on the log-variance) before counting "
                                    "active units.")
    activity = np.var(z_mean, axis=0)
    return activity, int(np.sum(activity > threshold))


def kl_diag_gaussian_std_normal(mean, log_var) -> np.ndarray:
    """KL(N(mean, diag(exp(log_var))) || N(0, I)), summed over the last axis.

    = 1/2 sum_j (exp(log_var_j) + mean_j^2 - 1 - log_var_j). The last (event)
    dimensions of mean and log_var must be equal; batch dimensions broadcast.
    """
    mean = _as_float_array(mean, "mean", 1)
    log_var = _as_float_array(log_var, "log_var", 1)
    _check_broadcast(("mean", mean), ("log_var", log_var))
    _check_event_dims(("mean", mean), ("log_var", log_var))
    return 0.5 * np.sum(np.exp(log_var) + mean**2 - 1.0 - log_var, axis=-1)


def check_cholesky_factor(chol, name: str = "chol") -> np.ndarray:
    """Return ``chol`` as an array after checking it is lower triangular with a positive diagonal.

    Accepts one (d, d) factor or a batch (..., d, d).
    """
    chol = _as_float_array(chol, name, 2)
    if chol.shape[-1] != chol.shape[-2]:
        raise ValueError(f"{name} has shape {chol.shape}; expected square (..., d, d) factors.")
    if np.any(np.triu(chol, k=1) != 0.0):
        raise ValueError(f"{name} has non-zero entries above the diagonal; a Cholesky factor is lower triangular.")
    # Written as "not > 0" so that a NaN on the diagonal is rejected too.
    if not np.all(np.diagonal(chol, axis1=-2, axis2=-1) > 0.0):
        raise ValueError(f"{name} has a diagonal entry <= 0; a Cholesky factor has a positive diagonal.")
    return chol


def kl_full_gaussian_std_normal(mean, chol) -> np.ndarray:
    """KL(N(mean, L L^T) || N(0, I)) for lower-triangular L with positive diagonal.

    = 1/2 (||L||_F^2 + |mean|^2 - d) - sum_j log L_jj. ``mean`` is (..., d) and
    ``chol`` is (..., d, d).
    """
    mean = _as_float_array(mean, "mean", 1)
    chol = check_cholesky_factor(chol)
    if chol.shape[-1] != mean.shape[-1]:
        raise ValueError(f"mean has shape {mean.shape} and chol has shape {chol.shape}: d must agree.")
    dim = mean.shape[-1]
    trace = np.sum(chol**2, axis=(-2, -1))
    log_det_half = np.sum(np.log(np.diagonal(chol, axis1=-2, axis2=-1)), axis=-1)
    return 0.5 * (trace + np.sum(mean**2, axis=-1) - dim) - log_det_half


def kl_gaussians(mean_q, cov_q, mean_p, cov_p) -> float:
    """KL(N(mean_q, cov_q) || N(mean_p, cov_p)) for full (d, d) covariances.

    = 1/2 [tr(cov_p^-1 cov_q) + (mean_p - mean_q)^T cov_p^-1 (mean_p - mean_q) - d
           + log det cov_p - log det cov_q].

    Both covariances are checked as in :func:`gaussian_log_density` (square,
    finite, symmetric, positive definite), with errors that name the argument.
    """
    mean_q = _as_float_array(mean_q, "mean_q", 1)
    mean_p = _as_float_array(mean_p, "mean_p", 1)
    if mean_q.ndim != 1 or mean_p.ndim != 1:
        raise ValueError(f"mean_q {mean_q.shape} and mean_p {mean_p.shape} must be vectors of shape (d,).")
    dim = mean_q.shape[0]
    _check_same_event_dim(mean_q, "mean_q", mean_p, "mean_p")
    chol_q = _covariance_cholesky(cov_q, "cov_q", dim)
    chol_p = _covariance_cholesky(cov_p, "cov_p", dim)
    a = linalg.solve_triangular(chol_p, chol_q, lower=True)  # L_p^-1 L_q
    b = linalg.solve_triangular(chol_p, mean_p - mean_q, lower=True)
    log_det_p = 2.0 * np.sum(np.log(np.diag(chol_p)))
    log_det_q = 2.0 * np.sum(np.log(np.diag(chol_q)))
    return float(0.5 * (np.sum(a**2) + np.sum(b**2) - dim + log_det_p - log_det_q))


# --------------------------------------------------------------------------
# linear probabilistic PCA (Tipping & Bishop, 1999)
# --------------------------------------------------------------------------
@dataclass(frozen=True, init=False)
class LinearPPCA:
    """The linear-Gaussian model z ~ N(0, I_d), x | z ~ N(W z + b, tau2 I_D).

    ``W`` is (D, d), ``b`` is (D,), ``tau2`` a real number > 0 (a Python or
    NumPy number, or a 0-d array; stored as a float). The names follow the
    notation page: b is the mean of x and tau2 the variance of the observation
    noise eta ~ N(0, tau2 I_D). Tipping & Bishop (1999) call them mu and
    sigma^2; ``mu=`` and ``sigma2=`` are accepted as keyword aliases and
    ``.mu`` and ``.sigma2`` read the same values, but the book writes ``b``
    and ``tau2`` (mu and sigma^2 are the encoder's outputs in this book).
    Everything about the model is available in closed form, which is why the
    book uses it to check the ELBO.
    """

    W: np.ndarray
    b: np.ndarray
    tau2: float

    def __init__(self, W, b=_MISSING, tau2=_MISSING, *, mu=_MISSING, sigma2=_MISSING) -> None:
        b_name, b = _one_of(("b", b), ("mu", mu))
        tau2_name, tau2 = _one_of(("tau2", tau2), ("sigma2", sigma2))
        W = _as_float_array(W, "W")
        b = _as_float_array(b, b_name)
        if W.ndim != 2:
            raise ValueError(f"W has shape {W.shape}; expected (D, d).")
        if b.shape != (W.shape[0],):
            raise ValueError(f"{b_name} has shape {b.shape}; expected ({W.shape[0]},) to match W {W.shape}.")
        if isinstance(tau2, np.ndarray) and tau2.ndim == 0 and tau2.dtype.kind in "iuf":
            tau2 = tau2.item()
        if isinstance(tau2, (bool, np.bool_)) or not isinstance(tau2, numbers.Real):
            raise TypeError(f"{tau2_name} must be a real number, the noise variance, got {type(tau2).__name__} "
                            f"({tau2!r}); pass e.g. {tau2_name}=0.5.")
        tau2 = float(tau2)
        if not np.isfinite(tau2) or tau2 <= 0:
            raise ValueError(f"{tau2_name} must be a positive number, got {tau2}.")
        object.__setattr__(self, "W", W)
        object.__setattr__(self, "b", b)
        object.__setattr__(self, "tau2", tau2)

    @property
    def mu(self) -> np.ndarray:
        """Tipping & Bishop's name for the mean ``b``."""
        return self.b

    @property
    def sigma2(self) -> float:
        """Tipping & Bishop's name for the noise variance ``tau2``."""
        return self.tau2

    @property
    def data_dim(self) -> int:
        return self.W.shape[0]

    @property
    def latent_dim(self) -> int:
        return self.W.shape[1]

    def _check_x(self, x) -> np.ndarray:
        x = _as_float_array(x, "x")
        if x.ndim != 2 or x.shape[1] != self.data_dim:
            raise ValueError(f"x has shape {x.shape}; expected (num_examples, {self.data_dim}).")
        return x

    def _check_z(self, z) -> np.ndarray:
        z = _as_float_array(z, "z")
        if z.ndim < 1 or z.shape[-1] != self.latent_dim:
            raise ValueError(f"z has shape {z.shape}; expected (..., {self.latent_dim}).")
        return z

    def marginal_cov(self) -> np.ndarray:
        """Covariance of p(x) = N(b, W W^T + tau2 I)."""
        return self.W @ self.W.T + self.tau2 * np.eye(self.data_dim)

    def log_marginal(self, x) -> np.ndarray:
        """Exact log p(x) per example, shape (N,)."""
        return gaussian_log_density(self._check_x(x), self.b, self.marginal_cov())

    def posterior(self, x) -> tuple[np.ndarray, np.ndarray]:
        """Exact posterior p(z | x) = N(M^-1 W^T (x - b), tau2 M^-1), M = W^T W + tau2 I.

        Returns the means (N, d) and the covariance (d, d), shared by all x.
        """
        x = self._check_x(x)
        M = self.W.T @ self.W + self.tau2 * np.eye(self.latent_dim)
        post_mean = linalg.solve(M, self.W.T @ (x - self.b).T, assume_a="pos").T
        post_cov = self.tau2 * linalg.inv(M)
        return post_mean, 0.5 * (post_cov + post_cov.T)

    def log_likelihood(self, x, z) -> np.ndarray:
        """log p(x | z) = log N(x; W z + b, tau2 I); z may carry leading sample axes (K, N, d)."""
        x = self._check_x(x)
        z = self._check_z(z)
        mean = z @ self.W.T + self.b
        log_var = np.full(self.data_dim, np.log(self.tau2))
        return diag_gaussian_log_density(x, mean, log_var)

    def log_prior(self, z) -> np.ndarray:
        """log p(z) = log N(z; 0, I)."""
        return std_normal_log_density(self._check_z(z))

    def log_joint(self, x, z) -> np.ndarray:
        """log p(x, z) = log p(z) + log p(x | z)."""
        return self.log_prior(z) + self.log_likelihood(x, z)

    def sample(self, num_examples: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Draw (x, z) from the generative story; x is (N, D), z is (N, d)."""
        if num_examples < 1:
            raise ValueError(f"num_examples must be >= 1, got {num_examples}.")
        z = rng.standard_normal((num_examples, self.latent_dim))
        noise = rng.standard_normal((num_examples, self.data_dim)) * np.sqrt(self.tau2)  # eta
        return z @ self.W.T + self.b + noise, z


def fit_ppca(x, latent_dim: int) -> LinearPPCA:
    """Maximum-likelihood linear PPCA (Tipping & Bishop, 1999, eqs. 7 and 8).

    With S the sample covariance (divided by N) and eigenvalues l_1 >= ... >= l_D
    with eigenvectors U: tau2 = mean(l_{d+1..D}), W = U_d (diag(l_1..d) - tau2 I)^{1/2}
    (choosing the rotation R = I), b = sample mean. ``latent_dim`` must be an
    integer (Python or NumPy) with 1 <= latent_dim < D.
    """
    latent_dim = _check_int(latent_dim, "latent_dim", "the number of latent dimensions d")
    x = _as_float_array(x, "x")
    if x.ndim != 2:
        raise ValueError(f"x has shape {x.shape}; expected (num_examples, D).")
    num_examples, data_dim = x.shape
    if not 1 <= latent_dim < data_dim:
        raise ValueError(f"latent_dim must satisfy 1 <= latent_dim < D = {data_dim}, got {latent_dim}.")
    if num_examples < 2:
        raise ValueError(f"x has {num_examples} example(s); at least 2 are needed to estimate a covariance.")
    b = x.mean(axis=0)
    S = (x - b).T @ (x - b) / num_examples
    eigvals, eigvecs = linalg.eigh(S)
    order = np.argsort(eigvals)[::-1]
    eigvals, eigvecs = eigvals[order], eigvecs[:, order]
    tau2 = float(np.mean(eigvals[latent_dim:]))
    # Eigenvalues that are zero in exact arithmetic come out of eigh as
    # rounding noise of size ~ eps * l_1 (either sign), so compare with that.
    if tau2 <= data_dim * np.finfo(float).eps * max(float(eigvals[0]), 0.0):
        raise ValueError("the discarded eigenvalues of the sample covariance are zero: the data lie exactly in a "
                         f"{latent_dim}-dimensional subspace, so the noise variance is not identifiable.")
    scale = np.sqrt(np.maximum(eigvals[:latent_dim] - tau2, 0.0))
    W = eigvecs[:, :latent_dim] * scale
    return LinearPPCA(W=W, b=b, tau2=tau2)

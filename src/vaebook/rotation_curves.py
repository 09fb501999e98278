"""Galaxy rotation curves: the physics and the data of the chapter "Galaxy rotation curves"
(``chapters/rotation_curves.ipynb``).

A model galaxy is a razor-thin exponential stellar disc inside a spherical NFW
dark-matter halo. Its circular velocity at radius R adds the two in
quadrature::

    v_c(R)^2 = v_disc(R)^2 + v_halo(R)^2

Units throughout: radii in kpc, velocities in km/s, masses in solar masses
(M_sun), with Newton's constant ``G = 4.30091e-6 kpc (km/s)^2 / M_sun``.

* Exponential disc (Freeman 1970), surface density Sigma(R) = Sigma_0 exp(-R / R_d),
  total mass M_d = 2 pi Sigma_0 R_d^2::

      v_disc^2 = 4 pi G Sigma_0 R_d y^2 [I_0(y) K_0(y) - I_1(y) K_1(y)],  y = R / (2 R_d)

  computed with the exponentially scaled Bessel functions of SciPy
  (I_n(y) K_n(y) = i_ne(y) k_ne(y)), so large y neither overflows nor underflows;
  beyond y = 400, where the difference cancels badly, with its asymptotic series
  1/(4y^3) + 9/(32y^5).
  The curve peaks at R = 2.15 R_d and tends to the Kepler value sqrt(G M_d / R)
  far outside the disc.
* NFW halo (Navarro, Frenk & White 1996) of virial mass M_200 and concentration c:
  M_200 is the mass inside r_200, within which the mean density is 200 times the
  critical density rho_crit = 3 H_0^2 / (8 pi G) (H_0 = 70 km/s/Mpc, so
  rho_crit = 136 M_sun / kpc^3), r_200 = (3 M_200 / (4 pi 200 rho_crit))^(1/3),
  r_s = r_200 / c, V_200 = sqrt(G M_200 / r_200), and with x = r / r_200::

      v_halo^2 = V_200^2 [ln(1 + c x) - c x / (1 + c x)] / (x [ln(1 + c) - c / (1 + c)])

Every velocity function takes parameter arrays of shape (n_galaxies,) (a
scalar counts as one galaxy) and radii of shape (n_radii,) (shared by all
galaxies) or (n_galaxies, n_radii), and returns (n_galaxies, n_radii). Bad
inputs raise ``ValueError`` saying what is wrong and what to pass instead.

The sampler of plausible galaxies (``sample_galaxies``, ``make_dataset``) draws
log10 M_* uniform on [9, 11.5] and then, each with log-normal scatter,

* the halo mass from the stellar-to-halo mass relation of Moster, Naab & White
  (2013, z = 0), inverted numerically on a grid (``SHMR_SCATTER_DEX`` = 0.15 dex,
  applied to log10 M_200 at fixed M_*);
* the disc scale length from the late-type size-mass relation of Shen et al.
  (2003), R_50 = 0.10 kpc M_*^0.14 (1 + M_* / 3.98e10)^0.25, with their
  mass-dependent scatter in ln R_50, and R_d = R_50 / 1.678 (the half-mass
  radius of an exponential disc);
* the concentration from the z = 0 relation of Dutton & Maccio (2014) for NFW
  haloes with 200 rho_crit, log10 c = 0.905 - 0.101 log10(M_200 / (1e12 h^-1 M_sun)),
  h = 0.7, scatter 0.11 dex.

All the stellar mass is in the disc (no bulge, no gas). Curves are sampled at
``RADII``, 50 points log-spaced from 0.1 to 50 kpc, with optional Gaussian
observational noise of ``noise_kms`` km/s (default ``NOISE_KMS`` = 5 km/s).
Data sets are generated in memory from a seed; nothing is written to disk.

This module imports NumPy and SciPy only.
"""

from __future__ import annotations

import numpy as np
from scipy import special

G = 4.30091e-6  # kpc (km/s)^2 / M_sun
H0 = 70.0  # km/s/Mpc
HUBBLE_H = H0 / 100.0
RHO_CRIT = 3.0 * (H0 / 1000.0) ** 2 / (8.0 * np.pi * G)  # M_sun / kpc^3 (H0 in km/s/kpc)
DELTA = 200.0  # overdensity of the virial radius, in units of RHO_CRIT

RADII = np.geomspace(0.1, 50.0, 50)  # kpc
NOISE_KMS = 5.0  # default observational noise, km/s
LOG_STELLAR_MASS_RANGE = (9.0, 11.5)  # log10 M_sun
PARAM_NAMES = ("log10 M_*", "log10 R_d", "log10 M_200", "log10 c")
PARAM_LABELS = (r"$\log_{10} M_*$", r"$\log_{10} R_d$", r"$\log_{10} M_{200}$", r"$\log_{10} c$")

# Moster, Naab & White (2013), Table 1, z = 0 values.
MOSTER_LOG_M1 = 11.590
MOSTER_N = 0.0351
MOSTER_BETA = 1.376
MOSTER_GAMMA = 0.608
SHMR_SCATTER_DEX = 0.15
# Shen et al. (2003), eq. (18) and (19), late-type galaxies.
SHEN_ALPHA, SHEN_BETA, SHEN_GAMMA_KPC, SHEN_M0 = 0.14, 0.39, 0.10, 3.98e10
SHEN_SIGMA1, SHEN_SIGMA2 = 0.47, 0.34  # scatter in ln R_50
HALF_MASS_OVER_SCALE_LENGTH = 1.678  # R_50 / R_d of an exponential disc
# Dutton & Maccio (2014), NFW, 200 rho_crit, z = 0.
DM14_A, DM14_B, DM14_SCATTER_DEX = 0.905, -0.101, 0.11

_ASYMPTOTIC_Y = 400.0  # y = R / (2 R_d) above which disc_velocity uses the asymptotic series
_HALO_GRID = np.linspace(9.5, 15.5, 4001)  # log10 M_200 grid for inverting the SHMR


# --------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------
def _positive_params(**named) -> list[np.ndarray]:
    """Parameters as float arrays of one common shape (n_galaxies,), all finite and > 0."""
    arrays = []
    for name, value in named.items():
        arr = np.atleast_1d(np.asarray(value, dtype=float))
        if arr.ndim != 1:
            raise ValueError(f"{name} has shape {arr.shape}; pass one value per galaxy, shape (n_galaxies,).")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or inf; pass finite values.")
        if not np.all(arr > 0):
            raise ValueError(f"{name} has an entry <= 0 (min {arr.min():g}); masses, lengths and "
                             f"concentrations must be positive.")
        arrays.append(arr)
    shapes = {name: arr.shape for name, arr in zip(named, arrays)}
    if len(set(shapes.values())) > 1:
        raise ValueError(f"parameter shapes differ: {shapes}; pass one value per galaxy for each.")
    return arrays


def _radii(radii, num_galaxies: int) -> np.ndarray:
    """Radii as a (n_galaxies, n_radii) array (a view when shared), finite and > 0."""
    r = np.asarray(radii, dtype=float)
    if r.ndim == 1:
        r = np.broadcast_to(r, (num_galaxies, r.shape[0]))
    elif r.ndim != 2 or r.shape[0] != num_galaxies:
        raise ValueError(f"radii has shape {r.shape}; pass (n_radii,) shared by all galaxies or "
                         f"({num_galaxies}, n_radii), one row per galaxy.")
    if r.shape[1] == 0:
        raise ValueError("radii is empty; pass at least one radius.")
    if not np.all(np.isfinite(r)):
        raise ValueError("radii contains NaN or inf; pass finite radii in kpc.")
    if not np.all(r > 0):
        raise ValueError(f"radii has an entry <= 0 (min {r.min():g}); pass radii > 0 in kpc.")
    return r


# --------------------------------------------------------------------------
# exponential disc
# --------------------------------------------------------------------------
def disc_velocity(radii, disc_mass, scale_length) -> np.ndarray:
    """Circular velocity (km/s) of a razor-thin exponential disc (Freeman 1970).

    ``disc_mass`` M_d (M_sun) and ``scale_length`` R_d (kpc) have shape (n_galaxies,);
    returns (n_galaxies, n_radii). v^2 = 4 pi G Sigma_0 R_d y^2 [I_0 K_0 - I_1 K_1](y),
    y = R / (2 R_d), Sigma_0 = M_d / (2 pi R_d^2).
    """
    disc_mass, scale_length = _positive_params(disc_mass=disc_mass, scale_length=scale_length)
    r = _radii(radii, disc_mass.shape[0])
    md, rd = disc_mass[:, None], scale_length[:, None]
    y = r / (2.0 * rd)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        bessel = special.i0e(y) * special.k0e(y) - special.i1e(y) * special.k1e(y)  # I0 K0 - I1 K1 > 0
        # For large y the difference of two ~1/(2y) terms cancels to ~1/(4y^3), losing digits;
        # use the asymptotic series I0 K0 - I1 K1 = 1/(4y^3) + 9/(32y^5) + O(y^-7) there.
        series = 1.0 / (4.0 * y**3) + 9.0 / (32.0 * y**5)
    bessel = np.where(y > _ASYMPTOTIC_Y, series, bessel)
    sigma0 = md / (2.0 * np.pi * rd**2)
    v2 = 4.0 * np.pi * G * sigma0 * rd * y**2 * bessel
    return np.sqrt(np.maximum(v2, 0.0))  # rounding could make a tiny value negative


# --------------------------------------------------------------------------
# NFW halo
# --------------------------------------------------------------------------
def virial_radius(halo_mass) -> np.ndarray:
    """r_200 (kpc): the radius within which the mean density is 200 rho_crit."""
    (halo_mass,) = _positive_params(halo_mass=halo_mass)
    return (3.0 * halo_mass / (4.0 * np.pi * DELTA * RHO_CRIT)) ** (1.0 / 3.0)


def virial_velocity(halo_mass) -> np.ndarray:
    """V_200 = sqrt(G M_200 / r_200) (km/s)."""
    (halo_mass,) = _positive_params(halo_mass=halo_mass)
    return np.sqrt(G * halo_mass / virial_radius(halo_mass))


def _nfw_mu(t):
    """m(t) = ln(1 + t) - t / (1 + t), the NFW enclosed-mass profile in units of r_s."""
    return np.log1p(t) - t / (1.0 + t)


def nfw_enclosed_mass(radii, halo_mass, concentration) -> np.ndarray:
    """Mass (M_sun) of an NFW halo inside radius r: M_200 m(c x) / m(c), x = r / r_200."""
    halo_mass, concentration = _positive_params(halo_mass=halo_mass, concentration=concentration)
    r = _radii(radii, halo_mass.shape[0])
    c = concentration[:, None]
    x = r / virial_radius(halo_mass)[:, None]
    return halo_mass[:, None] * _nfw_mu(c * x) / _nfw_mu(c)


def nfw_velocity(radii, halo_mass, concentration) -> np.ndarray:
    """Circular velocity (km/s) of an NFW halo (Navarro, Frenk & White 1996).

    v^2 = V_200^2 [ln(1 + c x) - c x / (1 + c x)] / (x [ln(1 + c) - c / (1 + c)]), x = r / r_200;
    equivalently G M(<r) / r. Shapes as in ``disc_velocity``.
    """
    halo_mass, concentration = _positive_params(halo_mass=halo_mass, concentration=concentration)
    r = _radii(radii, halo_mass.shape[0])
    c = concentration[:, None]
    r200 = virial_radius(halo_mass)[:, None]
    v200_sq = G * halo_mass[:, None] / r200
    x = r / r200
    return np.sqrt(v200_sq * _nfw_mu(c * x) / (x * _nfw_mu(c)))


def circular_velocity(radii, disc_mass, scale_length, halo_mass, concentration) -> np.ndarray:
    """Total circular velocity (km/s), disc and halo in quadrature: (n_galaxies, n_radii)."""
    v_disc = disc_velocity(radii, disc_mass, scale_length)
    v_halo = nfw_velocity(radii, halo_mass, concentration)
    if v_disc.shape != v_halo.shape:
        raise ValueError(f"disc parameters give {v_disc.shape[0]} galaxies and halo parameters "
                         f"{v_halo.shape[0]}; pass one value per galaxy for each.")
    return np.sqrt(v_disc**2 + v_halo**2)


# --------------------------------------------------------------------------
# scaling relations
# --------------------------------------------------------------------------
def moster_stellar_mass(halo_mass) -> np.ndarray:
    """Median stellar mass (M_sun) at halo mass M_200 (Moster, Naab & White 2013, z = 0).

    m / M = 2 N [(M / M_1)^-beta + (M / M_1)^gamma]^-1.
    """
    (halo_mass,) = _positive_params(halo_mass=halo_mass)
    ratio = halo_mass / 10.0**MOSTER_LOG_M1
    return halo_mass * 2.0 * MOSTER_N / (ratio**-MOSTER_BETA + ratio**MOSTER_GAMMA)


def moster_halo_mass(stellar_mass) -> np.ndarray:
    """The inverse of ``moster_stellar_mass``, by interpolation on a grid of log10 M_200 in [9.5, 15.5]."""
    (stellar_mass,) = _positive_params(stellar_mass=stellar_mass)
    log_ms_grid = np.log10(moster_stellar_mass(10.0**_HALO_GRID))  # increasing along the grid
    log_ms = np.log10(stellar_mass)
    if np.any(log_ms < log_ms_grid[0]) or np.any(log_ms > log_ms_grid[-1]):
        raise ValueError(f"stellar_mass must lie in [{10**log_ms_grid[0]:.3g}, {10**log_ms_grid[-1]:.3g}] "
                         f"M_sun, where the inverted relation is tabulated.")
    return 10.0 ** np.interp(log_ms, log_ms_grid, _HALO_GRID)


def shen_half_light_radius(stellar_mass) -> tuple[np.ndarray, np.ndarray]:
    """Median R_50 (kpc) and scatter in ln R_50 of late-type galaxies (Shen et al. 2003, eqs. 18, 19)."""
    (stellar_mass,) = _positive_params(stellar_mass=stellar_mass)
    median = SHEN_GAMMA_KPC * stellar_mass**SHEN_ALPHA * (1.0 + stellar_mass / SHEN_M0) ** (SHEN_BETA - SHEN_ALPHA)
    sigma_ln = SHEN_SIGMA2 + (SHEN_SIGMA1 - SHEN_SIGMA2) / (1.0 + (stellar_mass / SHEN_M0) ** 2)
    return median, sigma_ln


def dutton_maccio_concentration(halo_mass) -> np.ndarray:
    """Median NFW concentration c_200 at z = 0 (Dutton & Maccio 2014), h = 0.7."""
    (halo_mass,) = _positive_params(halo_mass=halo_mass)
    return 10.0 ** (DM14_A + DM14_B * np.log10(halo_mass / (1e12 / HUBBLE_H)))


# --------------------------------------------------------------------------
# sampler and data set
# --------------------------------------------------------------------------
def sample_galaxies(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Draw ``n`` plausible disc galaxies; returns arrays of shape (n,) in M_sun and kpc.

    Keys: ``stellar_mass`` (= disc mass), ``scale_length``, ``halo_mass``, ``concentration``.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}.")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(seed).")
    log_ms = rng.uniform(*LOG_STELLAR_MASS_RANGE, size=n)
    stellar_mass = 10.0**log_ms
    log_mh = np.log10(moster_halo_mass(stellar_mass)) + SHMR_SCATTER_DEX * rng.standard_normal(n)
    halo_mass = 10.0**log_mh
    r50, sigma_ln = shen_half_light_radius(stellar_mass)
    scale_length = r50 / HALF_MASS_OVER_SCALE_LENGTH * np.exp(sigma_ln * rng.standard_normal(n))
    concentration = dutton_maccio_concentration(halo_mass) * 10.0 ** (DM14_SCATTER_DEX * rng.standard_normal(n))
    return {"stellar_mass": stellar_mass, "scale_length": scale_length,
            "halo_mass": halo_mass, "concentration": concentration}


def galaxy_curves(galaxies: dict[str, np.ndarray], radii=RADII) -> np.ndarray:
    """Noise-free circular velocities (km/s) of the galaxies of ``sample_galaxies``: (n, n_radii)."""
    return circular_velocity(radii, galaxies["stellar_mass"], galaxies["scale_length"],
                             galaxies["halo_mass"], galaxies["concentration"])


def galaxy_params(galaxies: dict[str, np.ndarray]) -> np.ndarray:
    """The four log10 parameters of ``PARAM_NAMES`` as an (n, 4) array."""
    keys = ("stellar_mass", "scale_length", "halo_mass", "concentration")
    return np.stack([np.log10(galaxies[key]) for key in keys], axis=1)


def make_dataset(n: int, seed: int, noise_kms: float = NOISE_KMS, radii=RADII):
    """A seeded data set: curves (n, n_radii) in km/s, params (n, 4) (``PARAM_NAMES``), radii (n_radii,).

    Noise is Gaussian, ``noise_kms`` km/s at every radius, independent; 0 gives noise-free curves.
    """
    if not np.isfinite(noise_kms) or noise_kms < 0:
        raise ValueError(f"noise_kms must be a finite number >= 0 (km/s), got {noise_kms}.")
    radii = np.asarray(radii, dtype=float)
    if radii.ndim != 1:
        raise ValueError(f"radii has shape {radii.shape}; make_dataset shares one (n_radii,) grid.")
    rng = np.random.default_rng(seed)
    galaxies = sample_galaxies(n, rng)
    curves = galaxy_curves(galaxies, radii)
    curves = curves + noise_kms * rng.standard_normal(curves.shape)
    return curves, galaxy_params(galaxies), radii

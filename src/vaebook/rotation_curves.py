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
               = 2 G M_d y^2 B(y) / R_d = (G M_d / R) 4 y^3 B(y),  B = I_0 K_0 - I_1 K_1

  computed as v = sqrt(2 G M_d / R_d) y sqrt(B(y)), with the exponentially scaled
  Bessel functions of SciPy (I_n(y) K_n(y) = i_ne(y) k_ne(y)); below y = 1e-8 with
  the small-argument series B = ln(2 / y) - gamma - 1/2 + O(y^2 ln y); beyond
  y = 30, where the difference cancels (losing ~2 y^2 eps), as v = sqrt(G M_d / R) sqrt(4 y^3 B(y))
  with the asymptotic series 4 y^3 B = 1 + 9/(8y^2) + 675/(128y^4) + 55125/(1024y^6) + ...
  (eleven terms, from the large-argument expansion of I_n K_n, DLMF section 10.40;
  truncation error ~1e-17 at y = 30).
  The curve peaks at R = 2.15 R_d and tends to the Kepler value sqrt(G M_d / R)
  far outside the disc.
* NFW halo (Navarro, Frenk & White 1996) of virial mass M_200 and concentration c:
  M_200 is the mass inside r_200, within which the mean density is 200 times the
  critical density rho_crit = 3 H_0^2 / (8 pi G) (H_0 = 70 km/s/Mpc, so
  rho_crit = 136 M_sun / kpc^3), r_200 = (3 M_200 / (4 pi 200 rho_crit))^(1/3),
  r_s = r_200 / c, V_200 = sqrt(G M_200 / r_200), and with x = r / r_200::

      v_halo^2 = V_200^2 [ln(1 + c x) - c x / (1 + c x)] / (x [ln(1 + c) - c / (1 + c)])

  where m(t) = ln(1 + t) - t / (1 + t) is computed without cancellation: for t < 0.1
  as sum_k>=2 u^k / k with u = t / (1 + t) (all terms positive), and for t > 1e17 as
  ln t - 1 (with ln t = ln c + ln r - ln r_200, so c x may even overflow).

All radii and scale lengths that are finite and > 0 give finite velocities
without floating-point warnings (a result below the smallest double is 0, as
it should be): the velocities are formed from factors that neither overflow nor
underflow unless the result does, and the total uses ``np.hypot``.

Every velocity function takes parameter arrays of shape (n_galaxies,) (a
scalar counts as one galaxy) and radii of shape (n_radii,) (shared by all
galaxies) or (n_galaxies, n_radii), and returns (n_galaxies, n_radii). Bad
inputs raise ``ValueError`` saying what is wrong and what to pass instead.

The sampler of plausible disc galaxies (``sample_galaxies``, ``make_dataset``) draws
log10 M_* uniform on [9, 11.5] (a training set that covers the range evenly, not a
stellar mass function) and then, each with log-normal scatter,

* the halo mass from a stellar-to-halo mass relation for *disc* galaxies
  (``disc_halo_mass``). It is written, as Posti, Fraternali & Marasco (2019a, A&A 626,
  A56) write it, through the star formation efficiency f_* = M_* / (f_b M_200), with
  f_b = Omega_b / Omega_c (``COSMIC_BARYON_FRACTION`` = 0.0224 / 0.120 = 0.187, Planck
  2018), and f_* is a single power law of M_*, the "linear" model that Posti, Marasco,
  Fraternali & Famaey (2019b, A&A 629, A59) find the data prefer to abundance matching::

      f_*(M_*) = f_lo (M_* / 10^9 M_sun)^alpha,    M_200 = M_* / (f_b f_*(M_*)).

  Both ends are published values, verified against the papers' abstracts: at
  M_* = 10^9 M_sun, where most central galaxies are discs (blue centrals occupy 87% of
  haloes of 10^11 M_sun, Rodriguez-Puebla et al. 2015), f_lo is the value of the
  all-centrals relation of Moster, Naab & White (2013) (M_200 = 10^11.0 M_sun, f_lo =
  0.054); at the geometric centre of "M_* = 1-3 x 10^11 M_sun have f_* = 0.3-1"
  (Posti et al. 2019a), M_* = 10^11.24 M_sun, f_* = 0.55. Hence alpha = 0.45 and
  M_200 proportional to M_*^0.55: 10^11.0, 10^11.5, 10^12.1 and 10^12.4 M_sun at
  M_* = 10^9, 10^10, 10^11 and 10^11.5 M_sun. The relation is defined for
  10^8 <= M_* <= 10^11.8 M_sun (above, f_* would exceed 1: more stars than baryons);
  outside, ``disc_halo_mass`` raises ``ValueError``. This is an interpolation between
  two published points with a published functional form, not a published fit; it
  replaces the inverted all-centrals Moster relation of earlier versions, which put
  massive discs in group-sized haloes (Posti et al. 2019a show that massive spirals
  live in far lighter haloes than abundance matching of all centrals assigns).
  The scatter, ``HALO_SCATTER_DEX`` = 0.07 dex, is applied to log10 M_200 at fixed
  M_*, the direction in which the relation is defined and measured (from rotation
  curves of galaxies of given M_*); 0.07 dex is the intrinsic scatter of f_* that
  Posti et al. (2019b) find;
* the disc scale length from the late-type size-mass relation of Shen et al.
  (2003), R_50 = 0.10 kpc M_*^0.14 (1 + M_* / 3.98e10)^0.25, with their
  mass-dependent scatter in ln R_50, truncated at ``SIZE_SCATTER_TRUNCATION`` = 2
  standard deviations (a log-normal fitted to the bulk of the sizes says nothing about
  its far tail, and discs three standard deviations more compact than the median, a
  factor 2.8 at high mass, would rotate faster than any disc known), and
  R_d = R_50 / 1.678 (the half-mass radius of an exponential disc);
* the concentration from the z = 0 relation of Dutton & Maccio (2014) for NFW
  haloes with 200 rho_crit, log10 c = 0.905 - 0.101 log10(M_200 / (1e12 h^-1 M_sun)),
  h = 0.7, scatter 0.11 dex.

The population follows the baryonic Tully-Fisher relation (BTFR) where gas is minor
(the chapter checks it; ``tests/test_rotation_curves.py`` too): ``flat_velocity``
defines V_f of a model curve as the mean circular velocity from 5 to 10 disc scale
lengths (``FLAT_WINDOW_RD``), the outer, slowly varying part of the curve that
extended HI rotation curves trace, beyond the peak of the disc's own curve (2.15 R_d)
and the optical radius (3.2 R_d), as observers take V_f as the mean along the flat
outer part (Lelli et al. 2019). ``btfr_mass`` is the relation M_b = A V_f^4 with
A = ``BTFR_A`` = 47 +- 6 M_sun km^-4 s^4 (McGaugh 2012); Lelli, McGaugh & Schombert
(2016) find an intrinsic scatter of about 0.1 dex (``BTFR_INTRINSIC_SCATTER_DEX``) and
Lelli et al. (2019) a slope of 3.85 +- 0.09 for V_f. The fastest known discs, the
"super spirals" of Ogle et al. (2019), rotate at up to 570 km/s
(``FASTEST_DISC_KMS``); above about 340 km/s (``BTFR_BREAK_KMS``), the speeds of super
spirals with M_* > 10^11.5 M_sun, the BTFR breaks.

All the stellar mass is in the disc (no bulge, no gas). Curves are sampled at
``RADII``, 50 points log-spaced from 0.1 to 50 kpc, with optional Gaussian
observational noise of ``noise_kms`` km/s (default ``NOISE_KMS`` = 5 km/s).
Data sets are generated in memory from a seed (by default the book's seed,
``vaebook.seeding.DEFAULT_SEED``); nothing is written to disk.

This module imports NumPy and SciPy only.
"""

from __future__ import annotations

import numbers
from fractions import Fraction

import numpy as np
from scipy import special

from .seeding import DEFAULT_SEED, check_seed

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
# Disc stellar-to-halo mass relation (see the module docstring): f_* = M_* / (f_b M_200) a power law of M_*
# through two published points.
COSMIC_BARYON_FRACTION = 0.0224 / 0.120  # f_b = Omega_b / Omega_c (Posti et al. 2019a), Planck 2018 values
DISC_SHMR_LOW_LOG_MS = 9.0  # log10 M_* where f_* is that of Moster et al. (2013)
DISC_SHMR_HIGH_LOG_MS = 0.5 * np.log10(1e11 * 3e11)  # 11.24: centre of "M_* = 1-3e11 M_sun" (Posti et al. 2019a)
DISC_SHMR_HIGH_F_STAR = float(np.sqrt(0.3 * 1.0))  # 0.55: centre of "f_* = 0.3-1" (Posti et al. 2019a)
DISC_SHMR_LOG_MS_RANGE = (8.0, 11.8)  # where disc_halo_mass is defined (f_* <= 1 up to 10^11.8)
HALO_SCATTER_DEX = 0.07  # scatter in log10 M_200 at fixed M_* (intrinsic scatter of f_*, Posti et al. 2019b)
# Shen et al. (2003), eq. (18) and (19), late-type galaxies.
SHEN_ALPHA, SHEN_BETA, SHEN_GAMMA_KPC, SHEN_M0 = 0.14, 0.39, 0.10, 3.98e10
SHEN_SIGMA1, SHEN_SIGMA2 = 0.47, 0.34  # scatter in ln R_50
HALF_MASS_OVER_SCALE_LENGTH = 1.678  # R_50 / R_d of an exponential disc
SIZE_SCATTER_TRUNCATION = 2.0  # the size scatter is drawn from a normal truncated at +- this many sd
# Dutton & Maccio (2014), NFW, 200 rho_crit, z = 0.
DM14_A, DM14_B, DM14_SCATTER_DEX = 0.905, -0.101, 0.11
# The baryonic Tully-Fisher relation and the fastest discs (module docstring).
FLAT_WINDOW_RD = (5.0, 10.0)  # V_f: mean circular velocity from 5 to 10 disc scale lengths
BTFR_A, BTFR_A_ERR = 47.0, 6.0  # M_b = A V_f^4, M_sun km^-4 s^4 (McGaugh 2012)
BTFR_SLOPE, BTFR_SLOPE_ERR = 3.85, 0.09  # fitted slope for V_f (Lelli et al. 2019)
BTFR_INTRINSIC_SCATTER_DEX = 0.1  # about 0.1 dex (Lelli, McGaugh & Schombert 2016)
FASTEST_DISC_KMS = 570.0  # fastest rotating super spiral (Ogle et al. 2019)
BTFR_BREAK_KMS = 340.0  # above about this speed the BTFR breaks, in super spirals (Ogle et al. 2019)

_ASYMPTOTIC_Y = 30.0  # y = R / (2 R_d) above which disc_velocity uses the asymptotic series
_SMALL_Y = 1e-8  # y below which disc_velocity uses the small-argument series of B(y)
_NFW_SERIES_T = 0.1  # t below which m(t) is summed as a series in u = t / (1 + t)
_NFW_LOG_T = 1e17  # t above which m(t) = ln t - 1 to double precision
GALAXY_KEYS = ("stellar_mass", "scale_length", "halo_mass", "concentration")


def _kepler_series(num_terms: int) -> tuple[float, ...]:
    """c_k of 4 y^3 [I0 K0 - I1 K1](y) ~ sum_k c_k / y^(2k), from I_n(y) K_n(y) ~ 1/(2y) sum_k a_k(n) / y^(2k),
    a_k(n) = (-1)^k [1 3 ... (2k-1)] / [2 4 ... (2k)] prod_{j<=k} (4 n^2 - (2j-1)^2) / 4^k (DLMF section 10.40):
    c_k = 2 (a_{k+1}(0) - a_{k+1}(1)), i.e. 1, 9/8, 675/128, 55125/1024, ..."""
    def a(k: int, n: int) -> Fraction:
        value = Fraction(1)
        for j in range(1, k + 1):
            value *= -Fraction(2 * j - 1, 2 * j) * (4 * n * n - (2 * j - 1) ** 2) / 4
        return value

    return tuple(float(2 * (a(k + 1, 0) - a(k + 1, 1))) for k in range(num_terms))


_KEPLER_SERIES = _kepler_series(11)  # the terms shrink to ~1e-17 at y = _ASYMPTOTIC_Y
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
    y = R / (2 R_d), Sigma_0 = M_d / (2 pi R_d^2). Accurate to a few 1e-13 (relative) and
    free of warnings for every finite R > 0 and R_d > 0, e.g. R = 1e-300 or R_d = 1e-300 kpc.
    """
    disc_mass, scale_length = _positive_params(disc_mass=disc_mass, scale_length=scale_length)
    r = _radii(radii, disc_mass.shape[0])
    md, rd = np.broadcast_to(disc_mass[:, None], r.shape), np.broadcast_to(scale_length[:, None], r.shape)
    with np.errstate(over="ignore", under="ignore"):
        y = 0.5 * (r / rd)  # may overflow to inf or underflow to 0; both branches below cope
        v = np.empty_like(y)
        large, small = y > _ASYMPTOTIC_Y, y < _SMALL_Y
        mid = ~(large | small)
        # 1e-8 <= y <= 30: v = sqrt(2 G M_d / R_d) y sqrt(B(y)); the square root is taken factor by factor
        # so that nothing overflows or underflows unless v itself does.
        ym = y[mid]
        bessel = special.i0e(ym) * special.k0e(ym) - special.i1e(ym) * special.k1e(ym)  # I0 K0 - I1 K1 > 0
        v[mid] = np.sqrt(2.0 * G * md[mid]) / np.sqrt(rd[mid]) * ym * np.sqrt(np.maximum(bessel, 0.0))
        # y < 1e-8: I0 K0 = ln(2/y) - gamma + O(y^2 ln y), I1 K1 = 1/2 + O(y^2 ln y).
        ys = y[small]
        positive = ys > 0.0  # y = 0: R / (2 R_d) below the smallest double, and so is v
        series = np.zeros_like(ys)
        series[positive] = np.log(2.0) - np.log(ys[positive]) - np.euler_gamma - 0.5
        v[small] = np.sqrt(2.0 * G * md[small]) / np.sqrt(rd[small]) * ys * np.sqrt(series)
        # y > 30: the difference cancels to ~1/(4 y^3); use v = sqrt(G M_d / R) sqrt(4 y^3 B(y)), the series.
        w = (1.0 / y[large]) ** 2  # 0 for y = inf
        kepler_factor = np.zeros_like(w)
        for coefficient in reversed(_KEPLER_SERIES):
            kepler_factor = kepler_factor * w + coefficient
        v[large] = np.sqrt(G * md[large]) / np.sqrt(r[large]) * np.sqrt(kepler_factor)
    return v


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


def _nfw_mu_over_t(t: np.ndarray) -> np.ndarray:
    """m(t) / t for t in (0, 0.1): sum_k>=2 u^k / k over t, u = t / (1 + t); positive terms, no cancellation.

    (ln(1 + t) = -ln(1 - u) = sum_k>=1 u^k / k and t / (1 + t) = u.) 20 terms: u^19 < 1e-19 for u < 0.1.
    """
    u = t / (1.0 + t)
    total = np.zeros_like(u)
    for k in range(21, 1, -1):  # Horner: sum_k>=2 u^(k-2) / k
        total = total * u + 1.0 / k
    return u * total / (1.0 + t)  # u^2 total / t


def _nfw_mu(t: np.ndarray, log_t: np.ndarray | None = None) -> np.ndarray:
    """m(t) = ln(1 + t) - t / (1 + t), the NFW enclosed-mass profile in units of r_s, for t > 0.

    ``log_t`` (ln t, needed only where t > 1e17 and given when t itself may have overflowed) defaults to log(t).
    """
    t = np.asarray(t, dtype=float)
    out = np.empty_like(t)
    small, huge = t < _NFW_SERIES_T, t > _NFW_LOG_T
    mid = ~(small | huge)
    out[small] = t[small] * _nfw_mu_over_t(t[small])
    out[mid] = np.log1p(t[mid]) - t[mid] / (1.0 + t[mid])
    out[huge] = (np.log(t[huge]) if log_t is None else np.asarray(log_t)[huge]) - 1.0  # error < 2 / t
    return out


def _nfw_t(radii, halo_mass: np.ndarray, concentration: np.ndarray):
    """r as (n_galaxies, n_radii), t = c r / r_200 (may overflow to inf), ln t, and m(c)."""
    r = _radii(radii, halo_mass.shape[0])
    c = concentration[:, None]
    r200 = virial_radius(halo_mass)[:, None]
    with np.errstate(over="ignore", under="ignore"):
        t = c * (r / r200)
        log_t = np.log(c) + np.log(r) - np.log(r200)
    return r, t, log_t, _nfw_mu(c, np.log(c))


def nfw_enclosed_mass(radii, halo_mass, concentration) -> np.ndarray:
    """Mass (M_sun) of an NFW halo inside radius r: M_200 m(c x) / m(c), x = r / r_200.

    Accurate for every finite r > 0: m is computed without cancellation (see the module docstring).
    """
    halo_mass, concentration = _positive_params(halo_mass=halo_mass, concentration=concentration)
    r, t, log_t, mu_c = _nfw_t(radii, halo_mass, concentration)
    m200 = np.broadcast_to(halo_mass[:, None], t.shape)
    mu_c = np.broadcast_to(mu_c, t.shape)
    mass = np.empty_like(t)
    small = t < _NFW_SERIES_T
    with np.errstate(under="ignore"):
        # M_200 t^2 [m(t) / t^2]: multiplied in this order so that only a mass below the smallest double is 0
        mass[small] = m200[small] / mu_c[small] * t[small] * _nfw_mu_over_t(t[small])
        mass[~small] = m200[~small] * _nfw_mu(t[~small], log_t[~small]) / mu_c[~small]
    return mass


def nfw_velocity(radii, halo_mass, concentration) -> np.ndarray:
    """Circular velocity (km/s) of an NFW halo (Navarro, Frenk & White 1996).

    v^2 = V_200^2 [ln(1 + c x) - c x / (1 + c x)] / (x [ln(1 + c) - c / (1 + c)]), x = r / r_200;
    equivalently G M(<r) / r. Shapes as in ``disc_velocity``; accurate for every finite r > 0.
    """
    halo_mass, concentration = _positive_params(halo_mass=halo_mass, concentration=concentration)
    r, t, log_t, mu_c = _nfw_t(radii, halo_mass, concentration)
    v200 = np.broadcast_to(virial_velocity(halo_mass)[:, None], t.shape)
    c = np.broadcast_to(concentration[:, None], t.shape)
    mu_c = np.broadcast_to(mu_c, t.shape)
    v = np.empty_like(t)
    small = t < _NFW_SERIES_T
    with np.errstate(under="ignore"):
        # small t: v = V_200 sqrt(c [m(t) / t] / m(c)), no t^2 to underflow
        v[small] = v200[small] * np.sqrt(c[small] * _nfw_mu_over_t(t[small]) / mu_c[small])
        # otherwise v = sqrt(G M(<r)) / sqrt(r), with M(<r) finite even where t overflowed
        mass = np.broadcast_to(halo_mass[:, None], t.shape)[~small] * _nfw_mu(t[~small], log_t[~small])
        v[~small] = np.sqrt(G * mass / mu_c[~small]) / np.sqrt(r[~small])
    return v


def circular_velocity(radii, disc_mass, scale_length, halo_mass, concentration) -> np.ndarray:
    """Total circular velocity (km/s), disc and halo in quadrature: (n_galaxies, n_radii)."""
    v_disc = disc_velocity(radii, disc_mass, scale_length)
    v_halo = nfw_velocity(radii, halo_mass, concentration)
    if v_disc.shape != v_halo.shape:
        raise ValueError(f"disc parameters give {v_disc.shape[0]} galaxies and halo parameters "
                         f"{v_halo.shape[0]}; pass one value per galaxy for each.")
    return np.hypot(v_disc, v_halo)  # sqrt(v_disc^2 + v_halo^2) without overflow or underflow of the squares


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


def _moster_log_halo_mass_at_low_anchor() -> float:
    return float(np.log10(moster_halo_mass(10.0**DISC_SHMR_LOW_LOG_MS))[0])


def disc_star_formation_efficiency(stellar_mass) -> np.ndarray:
    """Median star formation efficiency f_* = M_* / (f_b M_200) of disc galaxies at stellar mass M_* (M_sun).

    A power law in M_* (the "linear" model of Posti et al. 2019b) through two published points: the value of
    Moster et al. (2013) at M_* = 10^9 M_sun and f_* = 0.55 at M_* = 10^11.24 M_sun (Posti et al. 2019a);
    see the module docstring. Defined for 10^8 <= M_* <= 10^11.8 M_sun; outside it raises ``ValueError``.
    """
    (stellar_mass,) = _positive_params(stellar_mass=stellar_mass)
    log_ms = np.log10(stellar_mass)
    lo, hi = DISC_SHMR_LOG_MS_RANGE
    if np.any(log_ms < lo) or np.any(log_ms > hi):
        raise ValueError(f"stellar_mass must lie in [1e{lo:g}, 1e{hi:g}] M_sun, where the disc stellar-to-halo "
                         f"relation is defined (got log10 M_* from {log_ms.min():.2f} to {log_ms.max():.2f}); "
                         "above it f_* would exceed 1, i.e. more stars than baryons.")
    return 10.0 ** (_DISC_LOG_F_LOW + DISC_SHMR_SLOPE * (log_ms - DISC_SHMR_LOW_LOG_MS))


def disc_halo_mass(stellar_mass) -> np.ndarray:
    """Median halo mass M_200 (M_sun) of a disc galaxy of stellar mass M_* (M_sun): M_* / (f_b f_*(M_*)).

    See ``disc_star_formation_efficiency`` for f_* and its range; the sampler scatters log10 M_200 about this by
    ``HALO_SCATTER_DEX`` at fixed M_*.
    """
    f_star = disc_star_formation_efficiency(stellar_mass)
    return np.asarray(stellar_mass, dtype=float).reshape(f_star.shape) / (COSMIC_BARYON_FRACTION * f_star)


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


_DISC_LOG_F_LOW = DISC_SHMR_LOW_LOG_MS - np.log10(COSMIC_BARYON_FRACTION) - _moster_log_halo_mass_at_low_anchor()
DISC_SHMR_SLOPE = float((np.log10(DISC_SHMR_HIGH_F_STAR) - _DISC_LOG_F_LOW)
                        / (DISC_SHMR_HIGH_LOG_MS - DISC_SHMR_LOW_LOG_MS))  # alpha = 0.45


# --------------------------------------------------------------------------
# the baryonic Tully-Fisher relation
# --------------------------------------------------------------------------
def flat_velocity(galaxies: dict[str, np.ndarray], window=FLAT_WINDOW_RD, num_radii: int = 26) -> np.ndarray:
    """V_f (km/s) of each galaxy of ``sample_galaxies``: the mean noise-free circular velocity over radii from
    ``window[0]`` to ``window[1]`` disc scale lengths (default 5 to 10 R_d), ``num_radii`` equally spaced radii.

    The outer part of the curve, which extended HI rotation curves trace, beyond the peak of the disc's own
    curve; see the module docstring. Returns shape (n,).
    """
    _check_galaxies(galaxies, "flat_velocity")
    inner, outer = (float(w) for w in window)
    if not (np.isfinite(inner) and np.isfinite(outer) and 0.0 < inner < outer):
        raise ValueError(f"window must be (inner, outer) in disc scale lengths with 0 < inner < outer, got {window!r}.")
    if isinstance(num_radii, bool) or not isinstance(num_radii, (int, np.integer)) or num_radii < 2:
        raise ValueError(f"num_radii must be an integer >= 2, got {num_radii!r}.")
    (scale_length,) = _positive_params(scale_length=galaxies["scale_length"])
    radii = scale_length[:, None] * np.linspace(inner, outer, num_radii)  # (n, num_radii) kpc
    return galaxy_curves(galaxies, radii).mean(axis=1)


def btfr_mass(v_flat) -> np.ndarray:
    """Baryonic mass (M_sun) on the baryonic Tully-Fisher relation M_b = A V_f^4 (McGaugh 2012), V_f in km/s."""
    (v_flat,) = _positive_params(v_flat=v_flat)
    return BTFR_A * v_flat**4


# --------------------------------------------------------------------------
# sampler and data set
# --------------------------------------------------------------------------
def _truncated_standard_normal(rng: np.random.Generator, n: int, limit: float) -> np.ndarray:
    """n draws of a standard normal truncated to [-limit, limit], by redrawing those outside."""
    z = rng.standard_normal(n)
    outside = np.abs(z) > limit
    while np.any(outside):
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > limit
    return z


def sample_galaxies(n: int, rng: np.random.Generator,
                    log_ms_range: tuple[float, float] = LOG_STELLAR_MASS_RANGE) -> dict[str, np.ndarray]:
    """Draw ``n`` plausible disc galaxies; returns arrays of shape (n,) in M_sun and kpc.

    Keys: ``stellar_mass`` (= disc mass), ``scale_length``, ``halo_mass``, ``concentration``. log10 M_* is
    uniform on ``log_ms_range`` (default ``LOG_STELLAR_MASS_RANGE``); M_200 follows ``disc_halo_mass`` with ``HALO_SCATTER_DEX`` dex of
    scatter at fixed M_*, R_d the Shen et al. (2003) sizes (scatter truncated at ``SIZE_SCATTER_TRUNCATION``
    standard deviations), c the Dutton & Maccio (2014) relation (module docstring). ``rng`` (a ``numpy.random.Generator``) makes the draw reproducible.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}.")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(seed).")
    try:
        low, high = (float(v) for v in log_ms_range)
    except (TypeError, ValueError):
        raise ValueError(f"log_ms_range must be two numbers (low, high) in log10 M_sun, got {log_ms_range!r}.") from None
    if not (np.isfinite(low) and np.isfinite(high) and low <= high):
        raise ValueError(f"log_ms_range must be finite with low <= high, e.g. (9.0, 11.5); got {log_ms_range!r}.")
    log_ms = rng.uniform(low, high, size=n)
    stellar_mass = 10.0**log_ms
    # the disc stellar-to-halo relation, scattered in log10 M_200 at fixed M_* (the direction it is defined in)
    log_mh = np.log10(disc_halo_mass(stellar_mass)) + HALO_SCATTER_DEX * rng.standard_normal(n)
    halo_mass = 10.0**log_mh
    r50, sigma_ln = shen_half_light_radius(stellar_mass)
    size_z = _truncated_standard_normal(rng, n, SIZE_SCATTER_TRUNCATION)
    scale_length = r50 / HALF_MASS_OVER_SCALE_LENGTH * np.exp(sigma_ln * size_z)
    concentration = dutton_maccio_concentration(halo_mass) * 10.0 ** (DM14_SCATTER_DEX * rng.standard_normal(n))
    return {"stellar_mass": stellar_mass, "scale_length": scale_length,
            "halo_mass": halo_mass, "concentration": concentration}


def _check_galaxies(galaxies, func: str) -> None:
    if not isinstance(galaxies, dict):
        raise TypeError(f"{func} takes the dict that sample_galaxies returns, got {type(galaxies).__name__}.")
    missing = [key for key in GALAXY_KEYS if key not in galaxies]
    if missing:
        required = ", ".join(repr(key) for key in GALAXY_KEYS)
        raise ValueError(f"galaxies lacks the key(s) {missing}; {func} needs {required} "
                         f"(arrays of shape (n,), as sample_galaxies returns).")


def galaxy_curves(galaxies: dict[str, np.ndarray], radii=RADII) -> np.ndarray:
    """Noise-free circular velocities (km/s) of the galaxies of ``sample_galaxies``: (n, n_radii).

    ``galaxies`` must hold the keys ``GALAXY_KEYS``; a missing one raises ``ValueError`` naming it.
    """
    _check_galaxies(galaxies, "galaxy_curves")
    return circular_velocity(radii, *(galaxies[key] for key in GALAXY_KEYS))


def galaxy_params(galaxies: dict[str, np.ndarray]) -> np.ndarray:
    """The four log10 parameters of ``PARAM_NAMES`` as an (n, 4) array (keys as in ``galaxy_curves``)."""
    _check_galaxies(galaxies, "galaxy_params")
    return np.stack([np.log10(galaxies[key]) for key in GALAXY_KEYS], axis=1)


def make_dataset(n: int, seed: int = DEFAULT_SEED, noise_kms: float = NOISE_KMS, radii=RADII):
    """A seeded data set: curves (n, n_radii) in km/s, params (n, 4) (``PARAM_NAMES``), radii (n_radii,).

    ``seed`` defaults to the book's seed, ``vaebook.seeding.DEFAULT_SEED``, so the
    same call always gives the same data; ``seed=None`` (fresh randomness) is
    refused with a ``TypeError``. Noise is Gaussian, ``noise_kms`` km/s at every
    radius, independent; 0 gives noise-free curves. ``noise_kms`` must be a real
    number (Python or NumPy, or a 0-d array; not a string).
    """
    if seed is None:
        raise TypeError("make_dataset(seed=None) would give different data on every call, but every data set of "
                        f"the book is seeded: pass an integer seed, or leave it out for DEFAULT_SEED = {DEFAULT_SEED}.")
    seed = check_seed(seed)
    if isinstance(noise_kms, np.ndarray) and noise_kms.ndim == 0 and noise_kms.dtype.kind in "iuf":
        noise_kms = noise_kms.item()
    if isinstance(noise_kms, (bool, np.bool_)) or not isinstance(noise_kms, numbers.Real):
        raise TypeError(f"noise_kms must be a real number (the noise in km/s), got {type(noise_kms).__name__} "
                        f"({noise_kms!r}); pass e.g. noise_kms=5.0.")
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

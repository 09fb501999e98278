"""Simulated galaxies that look like SPARC's: a gas disc and an observation model.

The groundwork of the chapter in which the rotation-curve VAE meets the 175
SPARC galaxies (issue 14, item 2). The simulator of :mod:`vaebook.rotation_curves`
is an exponential stellar disc inside an NFW halo, sampled on a fixed grid with
one noise level. SPARC galaxies (:mod:`vaebook.sparc`) have gas, which dominates
the baryons of many of them, and are observed at their own irregular radii with
point-by-point errors. This module adds both.

Units: radii and lengths in kpc, velocities in km/s, masses in M_sun, surface
densities in M_sun/pc^2. Velocity functions follow :mod:`vaebook.rotation_curves`:
parameters of shape (n_galaxies,), radii (n_radii,) or (n_galaxies, n_radii),
results (n_galaxies, n_radii). This module imports NumPy and SciPy only.

**The gas disc.** A razor-thin exponential disc of total gas mass M_g and scale
length R_g, whose velocity is the stellar disc's formula with the gas parameters
(:func:`gas_velocity` is :func:`vaebook.rotation_curves.disc_velocity`), added in
quadrature (:func:`total_velocity`). Gas means atomic hydrogen times
``HELIUM_FACTOR`` = 1.33 for helium, the factor SPARC's gas curves include (the
table's note 2, Lelli, McGaugh & Schombert 2016), so that simulated and SPARC gas
curves are on the same footing. Molecular gas is left out, as in SPARC's gas
term. :func:`sample_gas` draws, for stellar masses M_*,

* the H I mass from the H I mass-stellar mass relation of isolated galaxies of
  Bradford, Geha & Blanton (2015, ApJ 809, 146; their Table 3), a broken power
  law::

      log10 M_HI = 1.052 log10 M_* + 0.236   (M_* < 10^8.6 M_sun)
      log10 M_HI = 0.461 log10 M_* + 5.329   (M_* > 10^8.6 M_sun)

  evaluated as the lower of the two lines, which moves the break to where they
  cross, 10^8.62 M_sun, and removes the 0.01 dex step of the published
  coefficients at 10^8.6. Their isolated low-mass galaxies (10^7 to 10^9.5 M_sun)
  have a median atomic gas fraction of 0.82 +- 0.13 (abstract); the relation
  gives 0.81-0.85 over that range (log-uniform in M_*, with helium factors 1 to
  1.4; tested). Isolated,
  H I-rich, star-forming discs are the kind of galaxy SPARC holds (its rotation
  curves need extended H I). Scatter: ``GAS_MASS_SCATTER_DEX`` = 0.3 dex in
  log10 M_HI at fixed M_*, log-normal. **This value is an assumption of this
  module, not a checked published number**: it is of the order of the scatter of
  H I scaling relations of star-forming galaxies, and the chapter should vary it.
  The relation is refused outside ``STELLAR_MASS_RANGE`` = 10^6-10^12 M_sun
  (it is extrapolated a little beyond the masses it was fitted to);
* the gas scale length from the H I size-mass relation of Wang et al. (2016,
  MNRAS 460, 2143), D_HI the diameter at which the H I surface density is
  1 M_sun/pc^2::

      log10 (D_HI / kpc) = 0.506 log10 (M_HI / M_sun) - 3.293,   scatter 0.06 dex

  (``WANG_SLOPE``, ``WANG_INTERCEPT``, ``HI_SIZE_SCATTER_DEX``; Wang et al. quote
  the scatter as "~0.06 dex, or 14 per cent" and find it independent of
  luminosity, H I richness and morphology).

**From D_HI to an exponential scale length (derived).** An exponential H I disc
of mass M_HI and scale length R_g has central surface density
Sigma_0 = M_HI / (2 pi R_g^2); its 1 M_sun/pc^2 isophote lies at R_HI = D_HI / 2
when Sigma_0 exp(-x) = 1 M_sun/pc^2 with x = D_HI / (2 R_g), i.e. when

    x^2 exp(-x) = a,    a = pi D_HI^2 / (2 M_HI)    (D_HI in pc, M_HI in M_sun).

x^2 exp(-x) has its maximum 4 / e^2 = 0.541 at x = 2, and Wang's relation gives
a = 0.48-0.55 for M_HI = 10^6-10^11 M_sun (a grows as M_HI^0.012): H I discs have
nearly the largest 1 M_sun/pc^2 radius an exponential disc of their mass can
have. For a <= 4 / e^2 there are two roots; we take the upper one,
x = -2 W_-1(-sqrt(a) / 2) >= 2 (Lambert W, branch -1): x = 2.8, 2.5, 2.4 and 2.2
at M_HI = 10^6, 10^8, 10^9 and 10^10 M_sun (central H I surface density e^x =
16-9 M_sun/pc^2). The other root, x = 1.4-1.8, makes the disc 1.2-2 times as extended.
SPARC's gas curves decide between them: fitting every SPARC gas curve
V_gas |V_gas| with the gas mass free and R_g = D_HI / (2 x) at a fixed x, the
median relative rms residual is 0.32, 0.19, 0.13 and 0.13 for x = 1.5, 2, 2.5
and 3, and the best x of a galaxy has median 2.5 (``tests/test_sparc_sim.py``
checks this). Above 4 / e^2 (M_HI > 10^10.3 M_sun on the median relation)
there is no root and x = 2, the disc with the largest 1 M_sun/pc^2 radius for its
mass (its isophote then falls about 1 per cent inside D_HI / 2 at
10^11 M_sun). So the median scale length is R_g = D_HI / (2 x) at the median
D_HI of M_HI (:func:`median_gas_scale_length`), and the 0.06 dex scatter of D_HI
at fixed M_HI is applied to R_g at that x.

*What this simplifies.* Real H I discs are not exponential: the surface density
saturates near 10 M_sun/pc^2 and often has a central hole (SPARC has negative
gas velocities in 48 galaxies), and falls faster than exponential beyond R_HI.
The exponential is fitted to the two numbers that matter most for the outer
rotation curve, the mass and the 1 M_sun/pc^2 radius; it puts too much gas at
small radii where there is a hole, and only 1 - (1 + x) e^-x = 0.6-0.76 of the
mass inside R_HI. Scatter in gas mass and in size are independent, and neither
depends on the stellar disc's size at fixed M_*.

**The observation model** (:func:`observe_like`). A simulated galaxy is observed
like a SPARC galaxy (the *template*): at the template's radii times a factor,
with the template's errors ``e_v_obs``, point by point, exactly. The default
factor (:func:`hi_radius_scale`) is the ratio of H I radii, simulated over
template: SPARC's rotation curves are H I (and Halpha) curves and end where the
H I gets too faint, which scales with the H I disc's size, so a template's
radii are kept in units of its H I radius. The simulated galaxy's H I radius is
that of its own gas disc (:func:`hi_radius`, where Sigma_HI = 1 M_sun/pc^2); the
template's is estimated from its gas curve (:func:`template_hi_radius`: the gas
mass r_max V_gas(r_max)^2 / G at its last radius, then half the Wang diameter of
that mass). With this estimate SPARC's curves end at a median 0.93 R_HI (16-84 per
cent: 0.73-1.31; scatter 0.14 dex), while in units of the stellar scale length
their ends scatter by 0.25 dex, and in kpc at fixed M_* by 0.23 dex; the H I
radius is the tightest unit of the three (checked in the tests). One
consequence to show, not hide: at the stellar masses of SPARC's galaxies the
Bradford relation predicts gas masses a median 0.29 dex above those estimated
from SPARC's gas curves (r_max V_gas(r_max)^2 / G; 16-84 per cent: -0.68 to
+0.14 dex, tested), so a simulated twin of a SPARC galaxy has a larger H I disc
and its scaled radii end further out (by about 10^(0.506 x 0.29) = 1.4 times
the template's r_max).
The velocities are the model curve at those radii plus Gaussian
noise of standard deviation sqrt(e_v_obs^2 + s^2) per point, s an optional
intrinsic scatter (km/s) common to all points. Errors stay in km/s: a dwarf's
2 km/s errors lent to a giant are relatively small, so choose templates of
similar size (for example by H I radius) when that matters.
:func:`pad_observations` packs observations, simulated or real
(:func:`as_observation`), into fixed-size arrays with a mask for a set or
masked encoder.

*What is left out*: bulges (SPARC has 32 galaxies with a bulge term; the
simulated galaxies have none), non-circular motions and kinematic asymmetries
beyond what the template's errors carry, the systematic errors of inclination and
distance (SPARC's e_Vobs exclude them), the thickness of the discs, and
molecular gas. SPARC's own radii also depend on the galaxy's distance and the
beam; the template carries those along.

References: F. Lelli, S. S. McGaugh & J. M. Schombert, AJ 152, 157 (2016);
J. D. Bradford, M. C. Geha & M. R. Blanton, ApJ 809, 146 (2015), arXiv:1505.04819;
J. Wang et al., MNRAS 460, 2143 (2016), arXiv:1605.01489.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy import special

from .rotation_curves import G, disc_velocity, nfw_velocity
from .sparc import SparcGalaxy

__all__ = [
    "BRADFORD_HIGH",
    "BRADFORD_LOW",
    "GAS_MASS_SCATTER_DEX",
    "HELIUM_FACTOR",
    "HI_EDGE_DENSITY",
    "HI_SIZE_SCATTER_DEX",
    "STELLAR_MASS_RANGE",
    "WANG_INTERCEPT",
    "WANG_SLOPE",
    "GasDiscs",
    "Observation",
    "PaddedObservations",
    "as_observation",
    "gas_velocity",
    "hi_diameter",
    "hi_disc_x",
    "hi_radius",
    "hi_radius_scale",
    "median_gas_mass",
    "median_gas_scale_length",
    "median_hi_mass",
    "observe_like",
    "pad_observations",
    "sample_gas",
    "sparc_stellar_mass",
    "template_hi_radius",
    "total_velocity",
]

HELIUM_FACTOR = 1.33  # gas mass / H I mass, as in SPARC's Vgas (table note 2)
# Bradford, Geha & Blanton (2015), Table 3: log10 M_HI = slope log10 M_* + intercept
BRADFORD_LOW = (1.052, 0.236)  # below M_* = 10^8.6 M_sun
BRADFORD_HIGH = (0.461, 5.329)  # above
GAS_MASS_SCATTER_DEX = 0.3  # ASSUMED scatter of log10 M_HI at fixed M_* (docstring)
STELLAR_MASS_RANGE = (1e6, 1e12)  # M_sun where median_hi_mass is used
# Wang et al. (2016): log10 D_HI[kpc] = slope log10 M_HI[M_sun] + intercept
WANG_SLOPE, WANG_INTERCEPT = 0.506, -3.293
HI_SIZE_SCATTER_DEX = 0.06  # scatter of log10 D_HI at fixed M_HI (Wang et al. 2016)
HI_EDGE_DENSITY = 1.0  # M_sun / pc^2: the H I surface density that defines D_HI
_PC2_PER_KPC2 = 1e6
_X_MAX_ROOT = 4.0 * np.exp(-2.0)  # max of x^2 exp(-x), at x = 2


# --------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------
def _positive_1d(name: str, value) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(value, dtype=float))
    if arr.ndim != 1:
        raise ValueError(
            f"{name} has shape {arr.shape}; pass one value per galaxy, shape "
            "(n_galaxies,)."
        )
    if arr.size == 0:
        raise ValueError(f"{name} is empty; pass at least one galaxy.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf; pass finite values.")
    if not np.all(arr > 0):
        raise ValueError(
            f"{name} has an entry <= 0 (min {arr.min():g}); masses and lengths must "
            "be positive."
        )
    return arr


def _check_rng(rng) -> None:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, e.g. np.random.default_rng(seed); "
            f"got {type(rng).__name__}."
        )


def _real(name: str, value, *, minimum: float, strict: bool) -> float:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number, got {type(value).__name__} ({value!r})."
        )
    value = float(value)
    ok = value > minimum if strict else value >= minimum
    if not (np.isfinite(value) and ok):
        relation = ">" if strict else ">="
        raise ValueError(
            f"{name} must be finite and {relation} {minimum:g}, got {value}."
        )
    return value


# --------------------------------------------------------------------------
# the gas disc: relations
# --------------------------------------------------------------------------
def median_hi_mass(stellar_mass) -> np.ndarray:
    """Median H I mass (M_sun) at stellar mass M_* (M_sun), Bradford et al. (2015).

    The lower of the two published lines (module docstring); shape (n_galaxies,).
    Refused outside ``STELLAR_MASS_RANGE``.
    """
    m_star = _positive_1d("stellar_mass", stellar_mass)
    lo, hi = STELLAR_MASS_RANGE
    if np.any(m_star < lo) or np.any(m_star > hi):
        raise ValueError(
            f"stellar_mass must lie in [{lo:g}, {hi:g}] M_sun, where the H I-stellar "
            f"mass relation is used (got {m_star.min():.3g} to {m_star.max():.3g})."
        )
    log_ms = np.log10(m_star)
    low = BRADFORD_LOW[0] * log_ms + BRADFORD_LOW[1]
    high = BRADFORD_HIGH[0] * log_ms + BRADFORD_HIGH[1]
    return 10.0 ** np.minimum(low, high)


def median_gas_mass(stellar_mass) -> np.ndarray:
    """Median gas mass (M_sun): ``HELIUM_FACTOR`` times :func:`median_hi_mass`."""
    return HELIUM_FACTOR * median_hi_mass(stellar_mass)


def hi_diameter(hi_mass) -> np.ndarray:
    """Median D_HI (kpc), the 1 M_sun/pc^2 diameter, at H I mass M_HI (Wang+2016)."""
    m_hi = _positive_1d("hi_mass", hi_mass)
    return 10.0 ** (WANG_SLOPE * np.log10(m_hi) + WANG_INTERCEPT)


def hi_disc_x(hi_mass, diameter) -> np.ndarray:
    """x = D_HI / (2 R_g) of the exponential H I disc with mass M_HI and diameter D_HI.

    The upper root (x >= 2) of x^2 exp(-x) = pi D_HI^2 / (2 M_HI) (D_HI in pc),
    x = -2 W_-1(-sqrt(a) / 2), and 2 where there is no root (module docstring).
    ``hi_mass`` (M_sun) and ``diameter`` (kpc) have shape (n_galaxies,).
    """
    m_hi = _positive_1d("hi_mass", hi_mass)
    d_hi = _positive_1d("diameter", diameter)
    if m_hi.shape != d_hi.shape:
        raise ValueError(
            f"hi_mass has shape {m_hi.shape} and diameter {d_hi.shape}; pass one of "
            "each per galaxy."
        )
    a = np.pi * (d_hi**2 * _PC2_PER_KPC2) / (2.0 * m_hi)
    x = np.full_like(a, 2.0)
    rooted = a < _X_MAX_ROOT
    x[rooted] = -2.0 * special.lambertw(-0.5 * np.sqrt(a[rooted]), k=-1).real
    return x


def median_gas_scale_length(gas_mass) -> np.ndarray:
    """Median exponential scale length R_g (kpc) of a gas disc of mass M_g (M_sun).

    R_g = D_HI / (2 x) with D_HI the median Wang et al. (2016) diameter of
    M_HI = M_g / ``HELIUM_FACTOR`` and x from :func:`hi_disc_x`.
    """
    m_hi = _positive_1d("gas_mass", gas_mass) / HELIUM_FACTOR
    d_hi = hi_diameter(m_hi)
    return d_hi / (2.0 * hi_disc_x(m_hi, d_hi))


class GasDiscs(NamedTuple):
    """Gas discs of :func:`sample_gas`: ``mass`` (M_sun) and ``scale_length`` (kpc)."""

    mass: np.ndarray
    scale_length: np.ndarray


def sample_gas(
    stellar_mass,
    rng: np.random.Generator,
    *,
    mass_scatter_dex: float = GAS_MASS_SCATTER_DEX,
    size_scatter_dex: float = HI_SIZE_SCATTER_DEX,
) -> GasDiscs:
    """Draw a gas disc for each stellar mass: ``GasDiscs(mass, scale_length)``.

    log10 M_HI = log10 median_hi_mass(M_*) + ``mass_scatter_dex`` N(0, 1); the gas
    mass is ``HELIUM_FACTOR`` M_HI; log10 R_g = log10 median_gas_scale_length(M_g)
    + ``size_scatter_dex`` N(0, 1), independently. So the median of log10 M_g at
    fixed M_* is log10 median_gas_mass(M_*) with standard deviation
    ``mass_scatter_dex``, and log10 R_g - log10 median_gas_scale_length(M_g) has
    median 0 and standard deviation ``size_scatter_dex``. Arrays of shape
    (n_galaxies,) in M_sun and kpc.
    """
    _check_rng(rng)
    mass_scatter_dex = _real(
        "mass_scatter_dex", mass_scatter_dex, minimum=0.0, strict=False
    )
    size_scatter_dex = _real(
        "size_scatter_dex", size_scatter_dex, minimum=0.0, strict=False
    )
    log_hi = np.log10(median_hi_mass(stellar_mass))
    n = log_hi.shape[0]
    log_hi = log_hi + mass_scatter_dex * rng.standard_normal(n)
    gas_mass = HELIUM_FACTOR * 10.0**log_hi
    scale = median_gas_scale_length(gas_mass)
    scale = scale * 10.0 ** (size_scatter_dex * rng.standard_normal(n))
    return GasDiscs(mass=gas_mass, scale_length=scale)


# --------------------------------------------------------------------------
# the gas disc: velocities and sizes
# --------------------------------------------------------------------------
def gas_velocity(radii, gas_mass, gas_scale_length) -> np.ndarray:
    """Circular velocity (km/s) of a razor-thin exponential gas disc.

    The stellar disc's formula (:func:`vaebook.rotation_curves.disc_velocity`)
    with the gas mass M_g (M_sun, helium included) and scale length R_g (kpc);
    returns (n_galaxies, n_radii).
    """
    return disc_velocity(radii, gas_mass, gas_scale_length)


def total_velocity(
    radii,
    stellar_mass,
    scale_length,
    gas_mass,
    gas_scale_length,
    halo_mass,
    concentration,
) -> np.ndarray:
    """Circular velocity (km/s) of stellar disc + gas disc + NFW halo in quadrature.

    sqrt(v_disc^2 + v_gas^2 + v_halo^2), computed with ``np.hypot`` (no overflow of
    the squares); every parameter has shape (n_galaxies,), the result
    (n_galaxies, n_radii).
    """
    v_disc = disc_velocity(radii, stellar_mass, scale_length)
    v_gas = gas_velocity(radii, gas_mass, gas_scale_length)
    v_halo = nfw_velocity(radii, halo_mass, concentration)
    if not v_disc.shape == v_gas.shape == v_halo.shape:
        raise ValueError(
            f"the stellar, gas and halo parameters give {v_disc.shape[0]}, "
            f"{v_gas.shape[0]} and {v_halo.shape[0]} galaxies; pass one value per "
            "galaxy for each."
        )
    return np.hypot(np.hypot(v_disc, v_gas), v_halo)


def hi_radius(gas_mass, gas_scale_length) -> np.ndarray:
    """Radius (kpc) where the H I surface density of the gas disc is 1 M_sun/pc^2.

    R_HI = R_g ln(Sigma_0,HI / (1 M_sun/pc^2)), Sigma_0,HI = M_g / (HELIUM_FACTOR
    2 pi R_g^2); 0 where the disc never reaches 1 M_sun/pc^2. On the median
    relations (:func:`median_gas_scale_length`) it is D_HI / 2 wherever the root
    x >= 2 exists. Shape (n_galaxies,).
    """
    m_g = _positive_1d("gas_mass", gas_mass)
    r_g = _positive_1d("gas_scale_length", gas_scale_length)
    if m_g.shape != r_g.shape:
        raise ValueError(
            f"gas_mass has shape {m_g.shape} and gas_scale_length {r_g.shape}; pass "
            "one of each per galaxy."
        )
    sigma0 = m_g / HELIUM_FACTOR / (2.0 * np.pi * r_g**2 * _PC2_PER_KPC2)
    return r_g * np.log(np.maximum(sigma0 / HI_EDGE_DENSITY, 1.0))


# --------------------------------------------------------------------------
# SPARC galaxies: stellar mass and gas disc
# --------------------------------------------------------------------------
def _check_sparc(galaxy, func: str) -> None:
    if not isinstance(galaxy, SparcGalaxy):
        raise TypeError(
            f"{func} takes a vaebook.sparc.SparcGalaxy (a value of load_sparc()), got "
            f"{type(galaxy).__name__}."
        )


def _template_arrays(galaxy: SparcGalaxy) -> tuple[np.ndarray, np.ndarray]:
    """The template's radius and e_v_obs as float arrays, checked."""
    radius = np.asarray(galaxy.radius, dtype=float)
    error = np.asarray(galaxy.e_v_obs, dtype=float)
    name = galaxy.name
    if radius.ndim != 1 or error.ndim != 1 or radius.shape != error.shape:
        raise ValueError(
            f"galaxy {name!r} has radius of shape {radius.shape} and e_v_obs of "
            f"shape {error.shape}; both must be 1-D with one entry per point."
        )
    if radius.size == 0:
        raise ValueError(
            f"galaxy {name!r} has no points; a template needs at least one."
        )
    if not (np.all(np.isfinite(radius)) and np.all(radius > 0)):
        raise ValueError(f"galaxy {name!r} has a radius that is not finite and > 0.")
    if np.any(np.diff(radius) <= 0):
        raise ValueError(
            f"galaxy {name!r} has radii that are not strictly increasing; sort them "
            "(load_sparc returns them sorted)."
        )
    if not (np.all(np.isfinite(error)) and np.all(error > 0)):
        raise ValueError(
            f"galaxy {name!r} has an error e_v_obs that is not finite and > 0 (min "
            f"{np.min(error):g}); every point needs a positive error."
        )
    return radius, error


def sparc_stellar_mass(
    galaxy: SparcGalaxy, disc_ml: float = 0.5, bulge_ml: float = 0.7
) -> float:
    """Stellar mass (M_sun) of a SPARC galaxy from its 3.6 um surface brightness.

    disc_ml L_disc + bulge_ml L_bulge, each L = pi R_0^2 SB(R_0) + the trapezoid
    integral of 2 pi R SB(R) dR over the measured radii (SB constant inside the
    first radius R_0, nothing beyond the last). Mass-to-light ratios in
    M_sun/L_sun at 3.6 um; 0.5 and 0.7 are the values Lelli et al. (2016) adopt.
    """
    _check_sparc(galaxy, "sparc_stellar_mass")
    disc_ml = _real("disc_ml", disc_ml, minimum=0.0, strict=False)
    bulge_ml = _real("bulge_ml", bulge_ml, minimum=0.0, strict=False)
    radius = np.asarray(galaxy.radius, dtype=float)
    sb_disk = np.asarray(galaxy.sb_disk, dtype=float)
    sb_bul = np.asarray(galaxy.sb_bul, dtype=float)
    if (
        radius.ndim != 1
        or radius.size == 0
        or sb_disk.shape != radius.shape
        or sb_bul.shape != radius.shape
    ):
        raise ValueError(
            f"galaxy {galaxy.name!r} needs 1-D radius, sb_disk and sb_bul of one "
            f"common length >= 1; got shapes {radius.shape}, {sb_disk.shape} and "
            f"{sb_bul.shape}."
        )
    radius_pc = radius * 1e3

    def luminosity(sb: np.ndarray) -> float:
        inner = np.pi * radius_pc[0] ** 2 * sb[0]
        return float(inner + np.trapezoid(2.0 * np.pi * radius_pc * sb, radius_pc))

    return disc_ml * luminosity(sb_disk) + bulge_ml * luminosity(sb_bul)


def template_hi_radius(galaxy: SparcGalaxy) -> float:
    """H I radius R_HI (kpc) of a SPARC galaxy, estimated from its gas curve.

    The gas mass M_g = r_max V_gas(r_max)^2 / G at the last radius (the mass of a
    thin disc seen from outside most of it: for an exponential disc r V^2 / (G M)
    is 0.77 at 2 R_g, 1.08 at 3 R_g and tends to 1), then half the median Wang et
    al. (2016) diameter of M_HI = M_g / ``HELIUM_FACTOR``. For the gas discs of
    this module observed out to their H I radius it is 0-12 per cent low (12 at
    M_g = 4e10 M_sun, where x = 2). Used to put a template's radii in units of its
    H I radius (:func:`hi_radius_scale`). Raises ``ValueError`` if V_gas at the
    last radius is not positive.
    """
    _check_sparc(galaxy, "template_hi_radius")
    radius, _ = _template_arrays(galaxy)
    v_gas = np.asarray(galaxy.v_gas, dtype=float)
    if v_gas.shape != radius.shape or not np.isfinite(v_gas[-1]) or v_gas[-1] <= 0:
        raise ValueError(
            f"galaxy {galaxy.name!r} has no positive gas velocity at its last radius, "
            "so its H I radius cannot be estimated; choose another template or pass a "
            "radius_scale of your own."
        )
    gas_mass = radius[-1] * v_gas[-1] ** 2 / G
    return float(hi_diameter(gas_mass / HELIUM_FACTOR)[0] / 2.0)


def hi_radius_scale(template: SparcGalaxy, gas_mass, gas_scale_length) -> float:
    """The factor that puts ``template``'s radii on a simulated galaxy's H I disc.

    hi_radius(simulated gas disc) / template_hi_radius(template): with it,
    :func:`observe_like` keeps the template's radii in units of its H I radius
    (module docstring). ``gas_mass`` (M_sun) and ``gas_scale_length`` (kpc) are one
    simulated galaxy's (scalars or shape (1,)).
    """
    _check_sparc(template, "hi_radius_scale")
    sim = hi_radius(gas_mass, gas_scale_length)
    if sim.shape != (1,):
        raise ValueError(
            f"hi_radius_scale takes one simulated galaxy, got {sim.shape[0]}; call it "
            "once per galaxy."
        )
    if sim[0] <= 0:
        raise ValueError(
            "the simulated gas disc never reaches 1 M_sun/pc^2, so it has no H I "
            "radius to scale to; pass a radius_scale of your own."
        )
    return float(sim[0] / template_hi_radius(template))


# --------------------------------------------------------------------------
# the observation model
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Observation:
    """One rotation curve as observed: simulated (:func:`observe_like`) or real.

    ``radius`` (kpc), ``v_obs`` and ``e_v_obs`` (km/s), one entry per point,
    sorted by radius; ``v_true`` the noise-free model curve at ``radius`` (None
    for a real galaxy); ``template`` the SPARC galaxy whose radii and errors were
    used; ``radius_scale`` the factor applied to its radii; ``intrinsic_scatter``
    s (km/s), so that each point's noise had standard deviation
    sqrt(e_v_obs^2 + s^2).
    """

    template: str
    radius: np.ndarray = field(repr=False)
    v_obs: np.ndarray = field(repr=False)
    e_v_obs: np.ndarray = field(repr=False)
    v_true: np.ndarray | None = field(repr=False)
    radius_scale: float = 1.0
    intrinsic_scatter: float = 0.0

    @property
    def n_points(self) -> int:
        """Number of observed points."""
        return int(self.radius.shape[0])

    @property
    def sigma(self) -> np.ndarray:
        """Per-point noise standard deviation sqrt(e_v_obs^2 + intrinsic_scatter^2)."""
        return np.hypot(self.e_v_obs, self.intrinsic_scatter)


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr = np.array(arr, dtype=float)
    arr.setflags(write=False)
    return arr


def observe_like(
    template: SparcGalaxy,
    curve: Callable[[np.ndarray], np.ndarray],
    rng: np.random.Generator,
    *,
    radius_scale: float = 1.0,
    intrinsic_scatter: float = 0.0,
) -> Observation:
    """Observe a model rotation curve the way SPARC observed ``template``.

    The radii are ``template.radius * radius_scale`` (for the module's rule pass
    ``radius_scale=hi_radius_scale(template, M_g, R_g)``); ``curve`` maps radii
    (kpc, shape (n,)) to noise-free velocities (km/s, shape (n,) or (1, n), as the
    velocity functions return for one galaxy); the errors are
    ``template.e_v_obs``, exactly; and v_obs = v_true + sqrt(e_v_obs^2 + s^2) z with
    z ~ N(0, 1) drawn from ``rng``, s = ``intrinsic_scatter`` (km/s). Returns an
    :class:`Observation`.
    """
    _check_sparc(template, "observe_like")
    _check_rng(rng)
    if not callable(curve):
        raise TypeError(
            "curve must be a callable mapping radii (kpc, shape (n,)) to velocities "
            f"(km/s), e.g. lambda r: total_velocity(r, ...)[0]; got "
            f"{type(curve).__name__}."
        )
    radius_scale = _real("radius_scale", radius_scale, minimum=0.0, strict=True)
    intrinsic_scatter = _real(
        "intrinsic_scatter", intrinsic_scatter, minimum=0.0, strict=False
    )
    radius, error = _template_arrays(template)
    radius = radius * radius_scale
    v_true = np.asarray(curve(radius.copy()), dtype=float)
    n = radius.shape[0]
    if v_true.shape == (1, n):
        v_true = v_true[0]
    if v_true.shape != (n,):
        raise ValueError(
            f"curve returned shape {v_true.shape} for {n} radii; it must return one "
            f"velocity per radius, shape ({n},) or (1, {n})."
        )
    if not np.all(np.isfinite(v_true)):
        raise ValueError("curve returned NaN or inf; it must return finite velocities.")
    sigma = np.hypot(error, intrinsic_scatter)
    v_obs = v_true + sigma * rng.standard_normal(n)
    return Observation(
        template=template.name,
        radius=_frozen(radius),
        v_obs=_frozen(v_obs),
        e_v_obs=_frozen(error),
        v_true=_frozen(v_true),
        radius_scale=radius_scale,
        intrinsic_scatter=intrinsic_scatter,
    )


def as_observation(galaxy: SparcGalaxy) -> Observation:
    """A real SPARC galaxy as an :class:`Observation` (``v_true`` None), for padding."""
    _check_sparc(galaxy, "as_observation")
    radius, error = _template_arrays(galaxy)
    v_obs = np.asarray(galaxy.v_obs, dtype=float)
    if v_obs.shape != radius.shape or not np.all(np.isfinite(v_obs)):
        raise ValueError(
            f"galaxy {galaxy.name!r} has v_obs of shape {v_obs.shape} (or non-finite "
            f"values); it needs one finite velocity per radius, shape {radius.shape}."
        )
    return Observation(
        template=galaxy.name,
        radius=_frozen(radius),
        v_obs=_frozen(v_obs),
        e_v_obs=_frozen(error),
        v_true=None,
    )


class PaddedObservations(NamedTuple):
    """Observations packed into arrays of shape (n_galaxies, max_points).

    ``mask`` is True at observed points; each row's padding (``mask`` False)
    repeats its last observed point, so that every entry is finite and radii and
    errors stay positive (logs are safe), but padded entries carry no data and must
    be masked out. ``n_points`` (n_galaxies,) counts the observed points;
    ``v_true`` is None unless every observation has one.
    """

    radius: np.ndarray
    v_obs: np.ndarray
    e_v_obs: np.ndarray
    v_true: np.ndarray | None
    mask: np.ndarray
    n_points: np.ndarray


def pad_observations(
    observations: Sequence[Observation], max_points: int | None = None
) -> PaddedObservations:
    """Pack :class:`Observation` objects into a :class:`PaddedObservations`.

    ``max_points`` defaults to the largest number of points; an observation with
    more points than ``max_points`` raises ``ValueError`` (nothing is dropped
    silently).
    """
    observations = list(observations)
    if not observations:
        raise ValueError("observations is empty; pass at least one Observation.")
    for k, obs in enumerate(observations):
        if not isinstance(obs, Observation):
            raise TypeError(
                f"observations[{k}] is a {type(obs).__name__}, not an Observation; "
                "use observe_like(...) or as_observation(galaxy)."
            )
    counts = np.array([obs.n_points for obs in observations], dtype=np.int64)
    if max_points is None:
        max_points = int(counts.max())
    if isinstance(max_points, bool) or not isinstance(max_points, (int, np.integer)):
        raise TypeError(f"max_points must be an integer, got {max_points!r}.")
    if max_points < 1:
        raise ValueError(f"max_points must be >= 1, got {max_points}.")
    too_long = np.flatnonzero(counts > max_points)
    if too_long.size:
        k = int(too_long[0])
        raise ValueError(
            f"observations[{k}] ({observations[k].template}) has {counts[k]} points, "
            f"more than max_points = {max_points}; raise max_points (the largest is "
            f"{counts.max()}) or leave it out."
        )
    n = len(observations)
    index = np.minimum(np.arange(max_points)[None, :], counts[:, None] - 1)
    mask = np.arange(max_points)[None, :] < counts[:, None]

    def pack(attribute: str) -> np.ndarray:
        rows = [getattr(obs, attribute) for obs in observations]
        return np.stack([row[index[k]] for k, row in enumerate(rows)]).reshape(
            n, max_points
        )

    has_truth = all(obs.v_true is not None for obs in observations)
    return PaddedObservations(
        radius=pack("radius"),
        v_obs=pack("v_obs"),
        e_v_obs=pack("e_v_obs"),
        v_true=pack("v_true") if has_truth else None,
        mask=mask,
        n_points=counts,
    )

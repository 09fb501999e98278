"""Tests of vaebook.rotation_curves, the physics and data of the chapter "Galaxy rotation curves".

Each velocity is checked against an independent fact: the definition of V_200, the
position of the peak of an exponential disc's curve (2.15 R_d), Kepler's law far
outside the disc, Newton's v^2 = G M(<r) / r, a direct numerical integral of the
NFW density, and a per-galaxy loop.
"""

from __future__ import annotations

import decimal
import warnings

import numpy as np
import pytest
from scipy import integrate, optimize, special

from vaebook import rotation_curves as rc


def test_rho_crit_value():
    # 3 H0^2 / (8 pi G) = 277.5 h^2 M_sun / kpc^3 for any h
    assert rc.RHO_CRIT == pytest.approx(277.5 * rc.HUBBLE_H**2, rel=1e-3)


def test_halo_velocity_at_r200_is_v200():
    halo_mass = np.array([1e10, 1e12, 3e14])
    concentration = np.array([15.0, 8.0, 4.0])
    r200 = rc.virial_radius(halo_mass)
    v = rc.nfw_velocity(r200[:, None], halo_mass, concentration)[:, 0]
    assert np.allclose(v, np.sqrt(rc.G * halo_mass / r200), rtol=1e-12)
    # the mean density inside r_200 is 200 rho_crit
    assert np.allclose(halo_mass / (4 / 3 * np.pi * r200**3), 200 * rc.RHO_CRIT, rtol=1e-12)


def test_nfw_enclosed_mass_at_r200_and_newton():
    halo_mass, concentration = np.array([2e11, 5e12]), np.array([12.0, 6.0])
    r200 = rc.virial_radius(halo_mass)
    assert np.allclose(rc.nfw_enclosed_mass(r200[:, None], halo_mass, concentration)[:, 0], halo_mass, rtol=1e-12)
    radii = np.geomspace(0.1, 300.0, 40)
    mass = rc.nfw_enclosed_mass(radii, halo_mass, concentration)
    v = rc.nfw_velocity(radii, halo_mass, concentration)
    assert np.allclose(v**2, rc.G * mass / radii, rtol=1e-12)


def test_nfw_enclosed_mass_matches_integral_of_density():
    halo_mass, c = 1e12, 10.0
    r200 = rc.virial_radius(halo_mass)[0]
    rs = r200 / c
    rho_s = halo_mass / (4 * np.pi * rs**3 * (np.log(1 + c) - c / (1 + c)))
    density = lambda r: rho_s / ((r / rs) * (1 + r / rs) ** 2)  # noqa: E731
    for r in (0.5, 20.0, r200):
        integral, _ = integrate.quad(lambda s: 4 * np.pi * s**2 * density(s), 0.0, r)
        assert rc.nfw_enclosed_mass([r], halo_mass, c)[0, 0] == pytest.approx(integral, rel=1e-8)


def test_disc_curve_peaks_at_2_15_scale_lengths():
    for scale_length in (1.0, 3.7):
        neg_v = lambda r: -rc.disc_velocity([r], 1e10, scale_length)[0, 0]  # noqa: E731
        peak = optimize.minimize_scalar(neg_v, bounds=(0.5 * scale_length, 5 * scale_length), method="bounded",
                                        options={"xatol": 1e-8}).x
        assert peak / scale_length == pytest.approx(2.15, abs=2e-3)  # Freeman (1970); Binney & Tremaine (2008)


def test_disc_velocity_tends_to_kepler_far_out():
    disc_mass, scale_length = np.array([1e9, 5e10]), np.array([1.5, 4.0])
    radii = 30.0 * scale_length[:, None]  # (2, 1), one radius per galaxy
    v = rc.disc_velocity(radii, disc_mass, scale_length)
    kepler = np.sqrt(rc.G * disc_mass[:, None] / radii)
    assert np.all(np.abs(v / kepler - 1) < 0.01)
    # and closer in it exceeds the Kepler value (a flattened mass distribution)
    inner = rc.disc_velocity(3.0 * scale_length[:, None], disc_mass, scale_length)
    assert np.all(inner > np.sqrt(rc.G * disc_mass[:, None] / (3.0 * scale_length[:, None])))


def test_disc_velocity_no_overflow_at_large_y():
    v = rc.disc_velocity(np.array([1e-6, 1e3, 1e5]), 1e10, 0.5)
    assert np.all(np.isfinite(v)) and np.all(v >= 0)
    assert v[0, 2] == pytest.approx(np.sqrt(rc.G * 1e10 / 1e5), rel=1e-9)
    # the asymptotic series used at large y joins the Bessel form smoothly
    radii = 2 * 0.5 * rc._ASYMPTOTIC_Y * np.array([1 - 1e-9, 1 + 1e-9])
    v_edge = rc.disc_velocity(radii, 1e10, 0.5)[0]
    assert v_edge[0] == pytest.approx(v_edge[1], rel=1e-8)  # both accurate to ~1e-9 there


def test_vectorised_equals_per_galaxy_loop():
    galaxies = rc.sample_galaxies(25, np.random.default_rng(0))
    args = [galaxies[k] for k in ("stellar_mass", "scale_length", "halo_mass", "concentration")]
    vectorised = rc.circular_velocity(rc.RADII, *args)
    loop = np.stack([rc.circular_velocity(rc.RADII, *(a[i] for a in args))[0] for i in range(25)])
    assert vectorised.shape == (25, 50)
    assert np.array_equal(vectorised, loop)
    # per-galaxy radii, (n_galaxies, n_radii), give the same rows
    radii_2d = np.tile(rc.RADII, (25, 1))
    assert np.array_equal(rc.circular_velocity(radii_2d, *args), vectorised)


def test_total_is_quadrature_sum():
    v_disc = rc.disc_velocity(rc.RADII, 3e10, 3.0)
    v_halo = rc.nfw_velocity(rc.RADII, 1e12, 9.0)
    assert np.allclose(rc.circular_velocity(rc.RADII, 3e10, 3.0, 1e12, 9.0) ** 2, v_disc**2 + v_halo**2)


@pytest.mark.parametrize("call, match", [
    (lambda: rc.disc_velocity(rc.RADII, -1e10, 3.0), "disc_mass"),
    (lambda: rc.disc_velocity(rc.RADII, 0.0, 3.0), "disc_mass"),
    (lambda: rc.disc_velocity(rc.RADII, 1e10, np.nan), "scale_length"),
    (lambda: rc.nfw_velocity(rc.RADII, np.inf, 5.0), "halo_mass"),
    (lambda: rc.nfw_velocity(rc.RADII, 1e12, -5.0), "concentration"),
    (lambda: rc.nfw_velocity(np.array([0.0, 1.0]), 1e12, 5.0), "radii"),
    (lambda: rc.nfw_velocity(np.array([-1.0, 1.0]), 1e12, 5.0), "radii"),
    (lambda: rc.disc_velocity(np.array([np.nan, 1.0]), 1e10, 3.0), "radii"),
    (lambda: rc.disc_velocity(rc.RADII, [1e10, 2e10], [3.0, 3.0, 3.0]), "shapes differ"),
    (lambda: rc.disc_velocity(np.ones((3, 4)), [1e10, 2e10], [3.0, 3.0]), "radii has shape"),
    (lambda: rc.disc_velocity(rc.RADII, np.ones((2, 2)), np.ones((2, 2))), "one value per galaxy"),
    (lambda: rc.circular_velocity(rc.RADII, [1e10, 2e10], [3.0, 3.0], [1e12], [9.0]), "galaxies"),
    (lambda: rc.sample_galaxies(0, np.random.default_rng(0)), "positive integer"),
    (lambda: rc.sample_galaxies(3, 0), "Generator"),
    (lambda: rc.sample_galaxies(3, np.random.default_rng(0), log_ms_range=(11.0, 9.0)), "low <= high"),
    (lambda: rc.sample_galaxies(3, np.random.default_rng(0), log_ms_range="9-11"), "two numbers"),
    (lambda: rc.make_dataset(3, 0, noise_kms=-1.0), "noise_kms"),
    (lambda: rc.moster_halo_mass(1e3), "stellar_mass"),
    (lambda: rc.disc_halo_mass(1e7), "stellar_mass must lie in"),
    (lambda: rc.disc_halo_mass([1e10, 10**11.9]), "more stars than baryons"),
    (lambda: rc.disc_star_formation_efficiency(-1e10), "stellar_mass"),
    (lambda: rc.btfr_mass(0.0), "v_flat"),
    (lambda: rc.flat_velocity(rc.sample_galaxies(3, np.random.default_rng(0)), window=(10.0, 5.0)), "window"),
    (lambda: rc.flat_velocity(rc.sample_galaxies(3, np.random.default_rng(0)), num_radii=1), "num_radii"),
])
def test_bad_inputs_raise(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_moster_relation_is_monotone_and_inverted():
    log_mh = np.linspace(10.0, 15.0, 200)
    stellar = rc.moster_stellar_mass(10**log_mh)
    assert np.all(np.diff(stellar) > 0)
    assert np.allclose(np.log10(rc.moster_halo_mass(stellar)), log_mh, atol=1e-4)
    # the stellar-to-halo ratio peaks near M_1 at about N (Moster et al. 2013)
    ratio = stellar / 10**log_mh
    assert abs(log_mh[np.argmax(ratio)] - rc.MOSTER_LOG_M1) < 0.2 and 0.02 < ratio.max() < 0.04


def test_scaling_relation_values():
    r50, sigma_ln = rc.shen_half_light_radius(np.array([1e9, 1e12]))
    assert np.all((r50 > 0.5) & (r50 < 20))
    assert sigma_ln[0] == pytest.approx(rc.SHEN_SIGMA1, abs=0.01)
    assert sigma_ln[1] == pytest.approx(rc.SHEN_SIGMA2, abs=0.01)
    assert rc.dutton_maccio_concentration(1e12 / rc.HUBBLE_H)[0] == pytest.approx(10**rc.DM14_A)


def test_make_dataset_is_seeded_and_has_stated_noise():
    curves, params, radii = rc.make_dataset(3000, seed=7)
    again, params_again, _ = rc.make_dataset(3000, seed=7)
    assert np.array_equal(curves, again) and np.array_equal(params, params_again)
    assert curves.shape == (3000, 50) and params.shape == (3000, 4) and np.array_equal(radii, rc.RADII)
    assert radii[0] == pytest.approx(0.1) and radii[-1] == pytest.approx(50.0)
    clean, _, _ = rc.make_dataset(3000, seed=7, noise_kms=0.0)
    residual = curves - clean  # the noise, (3000, 50)
    se = rc.NOISE_KMS / np.sqrt(2 * (residual.size - 1))
    assert abs(residual.std() - rc.NOISE_KMS) < 5 * se
    log_ms = params[:, 0]
    assert log_ms.min() >= 9.0 and log_ms.max() <= 11.5
    # halo masses scatter about the disc stellar-to-halo relation by HALO_SCATTER_DEX
    offset = params[:, 2] - np.log10(rc.disc_halo_mass(10**log_ms))
    assert abs(offset.std() - rc.HALO_SCATTER_DEX) < 5 * rc.HALO_SCATTER_DEX / np.sqrt(2 * len(offset))
    assert abs(offset.mean()) < 5 * rc.HALO_SCATTER_DEX / np.sqrt(len(offset))


# --------------------------------------------------------------------------
# the disc stellar-to-halo relation, the sampler and the baryonic Tully-Fisher relation
# --------------------------------------------------------------------------


def test_disc_shmr_passes_through_its_two_published_points():
    # f_b = Omega_b / Omega_c with the Planck 2018 values (Posti et al. 2019a's definition)
    assert rc.COSMIC_BARYON_FRACTION == pytest.approx(0.0224 / 0.120, rel=1e-12)
    # at 10^9 M_sun the halo mass of Moster et al. (2013)
    assert rc.disc_halo_mass(1e9)[0] == pytest.approx(rc.moster_halo_mass(1e9)[0], rel=1e-10)
    # f_* = 0.3-1 at M_* = 1-3e11 M_sun (Posti et al. 2019a): the geometric centres, and both ends inside the range
    assert rc.disc_star_formation_efficiency(np.sqrt(3e22))[0] == pytest.approx(np.sqrt(0.3), rel=1e-10)
    f_ends = rc.disc_star_formation_efficiency([1e11, 3e11])
    assert np.all((f_ends > 0.3) & (f_ends < 1.0))
    # M_200 = M_* / (f_b f_*), checked independently at one mass
    ms = 10**10.3
    f_star = rc.disc_star_formation_efficiency(ms)[0]
    assert rc.disc_halo_mass(ms)[0] == pytest.approx(ms / (rc.COSMIC_BARYON_FRACTION * f_star), rel=1e-12)


def test_disc_shmr_is_a_power_law_below_one_that_rises_with_mass():
    log_ms = np.linspace(*rc.DISC_SHMR_LOG_MS_RANGE, 300)
    log_f = np.log10(rc.disc_star_formation_efficiency(10**log_ms))
    slope = np.diff(log_f) / np.diff(log_ms)
    assert np.allclose(slope, rc.DISC_SHMR_SLOPE, rtol=1e-9)  # a single power law ("linear" model)
    assert 0.4 < rc.DISC_SHMR_SLOPE < 0.5  # 0.45: f_* rises tenfold from 10^9 to 10^11.24 M_sun
    assert np.all(log_f < 0)  # f_* < 1 (fewer stars than baryons) wherever the relation is defined
    # massive discs live in haloes below 10^12.5 M_sun (the all-centrals relation puts 10^11.5 M_sun in 10^14.3)
    assert np.log10(rc.disc_halo_mass(10**11.5)[0]) < 12.5 < np.log10(rc.moster_halo_mass(10**11.5)[0]) - 1


def test_sample_galaxies_shapes_seeding_and_ranges():
    galaxies = rc.sample_galaxies(500, np.random.default_rng(3))
    assert set(galaxies) == set(rc.GALAXY_KEYS)
    assert all(value.shape == (500,) and np.all(np.isfinite(value)) and np.all(value > 0)
               for value in galaxies.values())
    again = rc.sample_galaxies(500, np.random.default_rng(3))
    assert all(np.array_equal(galaxies[key], again[key]) for key in rc.GALAXY_KEYS)
    other = rc.sample_galaxies(500, np.random.default_rng(4))
    assert not np.array_equal(galaxies["halo_mass"], other["halo_mass"])
    log_ms = np.log10(galaxies["stellar_mass"])
    assert log_ms.min() >= 9.0 and log_ms.max() <= 11.5


def test_halo_scatter_is_in_log_halo_mass_at_fixed_stellar_mass():
    galaxies = rc.sample_galaxies(40_000, np.random.default_rng(11))
    log_ms, log_mh = np.log10(galaxies["stellar_mass"]), np.log10(galaxies["halo_mass"])
    # log M_* is uniform on [9, 11.5]: mean 10.25, sd 2.5 / sqrt(12)
    assert abs(log_ms.mean() - 10.25) < 5 * (2.5 / np.sqrt(12)) / np.sqrt(len(log_ms))
    residual = log_mh - np.log10(rc.disc_halo_mass(galaxies["stellar_mass"]))
    assert residual.std() == pytest.approx(rc.HALO_SCATTER_DEX, rel=0.02)
    # scatter at fixed M_*: the residual does not depend on M_*, and the least-squares slope of log M_200 on
    # log M_* is the relation's own, 1 - alpha.
    assert abs(np.corrcoef(residual, log_ms)[0, 1]) < 0.02
    slope = np.polyfit(log_ms, log_mh, 1)[0]
    assert slope == pytest.approx(1 - rc.DISC_SHMR_SLOPE, abs=0.004)
    # The other direction, the same median relation with the scatter put on log M_* at fixed M_200 (what the
    # sampler used to do the other way round), flattens that slope by regression dilution: the check can fail.
    rng = np.random.default_rng(12)
    log_mh_wrong = rng.uniform(np.log10(rc.disc_halo_mass(1e9))[0], np.log10(rc.disc_halo_mass(10**11.5))[0],
                               len(log_ms))
    equivalent_dex = rc.HALO_SCATTER_DEX / (1 - rc.DISC_SHMR_SLOPE)  # the same scatter, measured along log M_*
    log_ms_wrong = log_ms_of_halo(log_mh_wrong) + equivalent_dex * rng.standard_normal(len(log_ms))
    assert np.polyfit(log_ms_wrong, log_mh_wrong, 1)[0] < 1 - rc.DISC_SHMR_SLOPE - 0.01


def log_ms_of_halo(log_mh):
    """The inverse of the median disc relation: log10 M_* at log10 M_200 (it is a power law)."""
    a = np.log10(rc.disc_halo_mass(1e10))[0]
    return 10.0 + (log_mh - a) / (1 - rc.DISC_SHMR_SLOPE)


def test_size_scatter_is_shen_et_al_truncated_at_two_sigma():
    galaxies = rc.sample_galaxies(40_000, np.random.default_rng(13))
    r50, sigma_ln = rc.shen_half_light_radius(galaxies["stellar_mass"])
    z = np.log(galaxies["scale_length"] * rc.HALF_MASS_OVER_SCALE_LENGTH / r50) / sigma_ln
    assert np.abs(z).max() <= rc.SIZE_SCATTER_TRUNCATION
    assert np.abs(z).max() > rc.SIZE_SCATTER_TRUNCATION - 0.01  # the truncation is reached, not narrower
    # sd of a standard normal truncated at +-2: sqrt(1 - 2 * 2 phi(2) / (2 Phi(2) - 1)) = 0.8796
    phi, big_phi = np.exp(-2.0) / np.sqrt(2 * np.pi), 0.5 * (1 + special.erf(2 / np.sqrt(2)))
    expected_sd = np.sqrt(1 - 4 * phi / (2 * big_phi - 1))
    assert z.std() == pytest.approx(expected_sd, abs=5 * expected_sd / np.sqrt(2 * len(z)))
    assert abs(z.mean()) < 5 / np.sqrt(len(z))


def test_flat_velocity_is_the_mean_over_the_window():
    galaxies = rc.sample_galaxies(4, np.random.default_rng(5))
    v_flat = rc.flat_velocity(galaxies)
    for i in range(4):
        one = {key: galaxies[key][i : i + 1] for key in rc.GALAXY_KEYS}
        radii = galaxies["scale_length"][i] * np.linspace(*rc.FLAT_WINDOW_RD, 26)
        assert v_flat[i] == pytest.approx(rc.galaxy_curves(one, radii)[0].mean(), rel=1e-12)
    # far outside a disc with no halo to speak of, the mean tends to the Kepler value at the window's radii
    kepler = {"stellar_mass": np.array([1e10]), "scale_length": np.array([1.0]),
              "halo_mass": np.array([1e-10]), "concentration": np.array([10.0])}
    v_far = rc.flat_velocity(kepler, window=(100.0, 100.000001))[0]
    assert v_far == pytest.approx(np.sqrt(rc.G * 1e10 / 100.0), rel=1e-3)


def _btfr_offsets(galaxies):
    """log10 M_* - log10 M_b(V_f): the offset of gas-free galaxies from the relation M_b = A V_f^4."""
    v_flat = rc.flat_velocity(galaxies)
    return np.log10(galaxies["stellar_mass"]) - np.log10(rc.btfr_mass(v_flat)), v_flat


def test_population_follows_the_baryonic_tully_fisher_relation():
    galaxies = rc.sample_galaxies(4000, np.random.default_rng(7))
    offset, v_flat = _btfr_offsets(galaxies)
    log_ms = np.log10(galaxies["stellar_mass"])
    massive = log_ms >= 10.5  # where gas is a minor part of the baryons, so M_b ~ M_*
    assert abs(np.median(offset[massive])) < rc.BTFR_INTRINSIC_SCATTER_DEX
    slope = np.polyfit(np.log10(v_flat), log_ms, 1)[0]
    assert 3.5 < slope < 4.3  # McGaugh (2012): 4; Lelli et al. (2019): 3.85 +- 0.09
    # the speeds are those of real discs: none beyond the fastest known, and V_f beyond the BTFR break at
    # 340 km/s only in the most massive galaxies
    v_peak = rc.galaxy_curves(galaxies).max(axis=1)
    assert v_peak.max() < rc.FASTEST_DISC_KMS
    fast = v_flat > rc.BTFR_BREAK_KMS
    assert fast.mean() < 0.01 and np.all(log_ms[fast] > 11.0)
    assert np.all(galaxies["halo_mass"] < 1e13)


def test_the_btfr_check_fails_for_the_all_centrals_relation():
    """The check above can fail: halo masses from the inverted all-centrals relation of Moster et al. (2013),
    what the sampler used before, put massive discs far above the relation."""
    galaxies = rc.sample_galaxies(4000, np.random.default_rng(7))
    galaxies["halo_mass"] = rc.moster_halo_mass(galaxies["stellar_mass"])
    galaxies["concentration"] = rc.dutton_maccio_concentration(galaxies["halo_mass"])
    offset, _ = _btfr_offsets(galaxies)
    massive = np.log10(galaxies["stellar_mass"]) >= 10.5
    assert np.median(offset[massive]) < -2 * rc.BTFR_INTRINSIC_SCATTER_DEX


def test_module_does_not_import_torch():
    import subprocess
    import sys
    code = "import sys, vaebook.rotation_curves; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------
# bad inputs and extreme values
# --------------------------------------------------------------------------


def test_make_dataset_defaults_to_the_book_seed_and_rejects_seed_none():
    from vaebook.seeding import DEFAULT_SEED

    curves, params, _ = rc.make_dataset(5)
    again, params_again, _ = rc.make_dataset(5, seed=DEFAULT_SEED)
    assert np.array_equal(curves, again) and np.array_equal(params, params_again)
    with pytest.raises(TypeError, match="seed=None.*DEFAULT_SEED"):
        rc.make_dataset(5, seed=None)
    with pytest.raises(TypeError, match="seed must be an integer"):
        rc.make_dataset(5, seed=1.5)


@pytest.mark.parametrize("noise", ["5", None, [5.0], True])
def test_make_dataset_rejects_a_noise_that_is_not_a_number(noise):
    with pytest.raises(TypeError, match="noise_kms must be a real number"):
        rc.make_dataset(3, seed=0, noise_kms=noise)


@pytest.mark.parametrize("func", [rc.galaxy_curves, rc.galaxy_params])
def test_galaxy_dict_missing_key_names_it_and_the_required_keys(func):
    galaxies = rc.sample_galaxies(3, np.random.default_rng(0))
    del galaxies["concentration"]
    with pytest.raises(ValueError, match=r"lacks the key\(s\) \['concentration'\].*'stellar_mass', 'scale_length'"):
        func(galaxies)
    with pytest.raises(TypeError, match="dict"):
        func([1.0, 2.0])


def _no_runtime_warnings(func, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return func(*args)


def _disc_small_y_reference(radius, disc_mass, scale_length):
    """v from v^2 = 2 G M_d y^2 [I0 K0 - I1 K1](y) / R_d with SciPy's unscaled Bessel functions,
    which are accurate at tiny y (their power series), independent of the scaled ones the module uses."""
    y = radius / (2 * scale_length)
    bessel = special.i0(y) * special.k0(y) - special.i1(y) * special.k1(y)
    return np.sqrt(2 * rc.G * disc_mass / scale_length) * y * np.sqrt(bessel)


@pytest.mark.parametrize("radius, scale_length", [
    (1e-300, 3.0), (1e-200, 1.0), (1e100, 1e200), (1.0, 1e100), (1e-20, 1e-12), (1e-8, 1.0), (3e-8, 1.0),
])
def test_disc_velocity_small_y_extremes_match_reference(radius, scale_length):
    v = _no_runtime_warnings(rc.disc_velocity, [radius], 1e10, scale_length)[0, 0]
    assert v > 0
    assert v == pytest.approx(_disc_small_y_reference(radius, 1e10, scale_length), rel=1e-13, abs=0)


@pytest.mark.parametrize("radius, scale_length", [
    (1.0, 1e-300), (1e300, 3.0), (1e300, 1e-300), (1e5, 1e-320), (1e-10, 1e-310),
])
def test_disc_velocity_large_y_extremes_are_kepler(radius, scale_length):
    # y = R / (2 R_d) >= 5e4: v^2 = G M_d / R (1 + 9 / (8 y^2) + ...), so Kepler to < 1e-9 relative
    # (and to rounding for y >= 1e8); y may even overflow to inf.
    v = _no_runtime_warnings(rc.disc_velocity, [radius], 1e10, scale_length)[0, 0]
    with np.errstate(over="ignore"):
        y = np.float64(radius) / (2 * scale_length)
        kepler = np.sqrt(rc.G * 1e10) / np.sqrt(radius) * np.sqrt(1 + 9 / (8 * y**2))
    assert v == pytest.approx(kepler, rel=1e-14, abs=0)


def test_disc_velocity_underflows_to_zero_only_when_the_true_value_does():
    # R / (2 R_d) = 5e-601 is below the smallest double; the true v (~1e-748 km/s) is too.
    v = _no_runtime_warnings(rc.disc_velocity, [1e-300], 1e10, 1e300)
    assert v[0, 0] == 0.0


def _nfw_mu_over_t_reference(t):
    """m(t) / t, m(t) = ln(1 + t) - t / (1 + t), from its Taylor series: sum_k (-1)^k (k - 1) t^(k - 1) / k.

    Accurate for t < 0.01 (ten terms)."""
    return sum((-1) ** k * (k - 1) * t ** (k - 1) / k for k in range(2, 12))


@pytest.mark.parametrize("t", [1e-300, 1e-100, 1e-20, 1e-5, 3e-3])
def test_nfw_small_radii_match_the_taylor_series(t):
    halo_mass, c = 1e12, 10.0
    r200 = rc.virial_radius(halo_mass)[0]
    radius = t * r200 / c
    t = c * (radius / r200)  # the t the module sees
    m_c = np.log1p(c) - c / (1 + c)  # no cancellation at c = 10
    v = _no_runtime_warnings(rc.nfw_velocity, [radius], halo_mass, c)[0, 0]
    # v^2 = V200^2 m(c x) / (x m(c)) = V200^2 c [m(t) / t] / m(c), with m(t) / t from the series
    m_over_t = _nfw_mu_over_t_reference(t)
    v_ref = np.sqrt(rc.G * halo_mass / r200) * np.sqrt(c * m_over_t / m_c)
    assert v == pytest.approx(v_ref, rel=1e-13, abs=0)
    mass = _no_runtime_warnings(rc.nfw_enclosed_mass, [radius], halo_mass, c)[0, 0]
    if t > 1e-150:  # below, M(<r) ~ t^2 underflows (correctly) to 0
        assert mass == pytest.approx(halo_mass / m_c * t * m_over_t, rel=1e-13, abs=0)


@pytest.mark.parametrize("radius, c", [(1e20, 10.0), (1e300, 10.0), (1.7e308, 10.0), (1.7e308, 1e5)])
def test_nfw_large_radii_match_the_logarithmic_limit(radius, c):
    # m(t) = ln t - 1 + O(ln t / t) for t >> 1: M(<r) = M_200 (ln t - 1) / m(c), v^2 = G M(<r) / r.
    # With c = 1e5 and r = 1.7e308 kpc, t = c r / r_200 overflows; the result must not.
    halo_mass = 1e12
    r200 = rc.virial_radius(halo_mass)[0]
    log_t = np.log(c) + np.log(radius) - np.log(r200)
    m_c = np.log1p(c) - c / (1 + c)
    mass_ref = halo_mass * (log_t - 1) / m_c
    mass = _no_runtime_warnings(rc.nfw_enclosed_mass, [radius], halo_mass, c)[0, 0]
    v = _no_runtime_warnings(rc.nfw_velocity, [radius], halo_mass, c)[0, 0]
    assert mass == pytest.approx(mass_ref, rel=1e-13, abs=0)
    assert v == pytest.approx(np.sqrt(rc.G * mass_ref) / np.sqrt(radius), rel=1e-13, abs=0)


def test_circular_velocity_at_extremes_is_finite_and_warning_free():
    radii = np.array([1e-300, 1e-5, 1.0, 1e5, 1e300])
    for scale_length in (1e-320, 1e-300, 3.0, 1e300):
        v = _no_runtime_warnings(rc.circular_velocity, radii, 1e10, scale_length, 1e12, 10.0)
        assert np.all(np.isfinite(v)) and np.all(v > 0)


# --------------------------------------------------------------------------
# high-precision references (decimal arithmetic, 120 digits; mpmath is not a dependency)
# --------------------------------------------------------------------------

_EULER_GAMMA = decimal.Decimal("0.57721566490153286060651209008240243104215933593992359880576723488486772677766467")


def _bessel_difference_decimal(y: float) -> decimal.Decimal:
    """I0(y) K0(y) - I1(y) K1(y) from the power series of I_n and K_n (Abramowitz & Stegun 9.6.10-9.6.11),
    summed in 120-digit decimal arithmetic, enough for the cancellation in K_n up to y = 60."""
    with decimal.localcontext() as ctx:
        ctx.prec = 120
        y = decimal.Decimal(y)
        q, log_term = y * y / 4, (y / 2).ln() + _EULER_GAMMA
        i0 = k0_sum = i1 = k1_sum = harmonic = decimal.Decimal(0)
        term, k = decimal.Decimal(1), 0  # term = q^k / (k!)^2
        while k < 2 * y + 20 or term > decimal.Decimal(10) ** -110 * i0:
            i0 += term
            k0_sum += term * harmonic
            i1 += term / (k + 1)
            k1_sum += term / (k + 1) * (2 * harmonic + decimal.Decimal(1) / (k + 1))
            k += 1
            harmonic += decimal.Decimal(1) / k
            term = term * q / (k * k)
        k0 = -log_term * i0 + k0_sum
        i1 = y / 2 * i1
        k1 = 1 / y + log_term * i1 - y / 4 * k1_sum
        return +(i0 * k0 - i1 * k1)


@pytest.mark.parametrize("y", [1e-7, 1e-3, 0.3, 1.075, 4.0, 20.0, 29.9, 30.1, 45.0, 60.0])
def test_disc_velocity_matches_a_high_precision_reference(y):
    disc_mass, scale_length = 3e10, 2.0
    radius = 2 * scale_length * y
    y = radius / (2 * scale_length)  # the y the module sees
    with decimal.localcontext() as ctx:
        ctx.prec = 50
        v2 = 2 * decimal.Decimal(rc.G) * decimal.Decimal(disc_mass) * decimal.Decimal(y) ** 2 \
            * _bessel_difference_decimal(y) / decimal.Decimal(scale_length)
        v_ref = float(v2.sqrt())
    v = _no_runtime_warnings(rc.disc_velocity, [radius], disc_mass, scale_length)[0, 0]
    assert v == pytest.approx(v_ref, rel=2e-13, abs=0)


@pytest.mark.parametrize("t", [1e-30, 1e-9, 1e-4, 0.0999, 0.1001, 1.0, 37.0, 1e8, 0.99e17, 1.01e17, 1e40])
def test_nfw_matches_a_high_precision_reference(t):
    # m(t) = ln(1 + t) - t / (1 + t) evaluated in 150-digit decimal arithmetic: no cancellation left
    halo_mass, c = 5e11, 12.0
    r200 = rc.virial_radius(halo_mass)[0]
    radius = t * r200 / c
    t = c * (radius / r200)  # the t the module sees

    def mu(value):
        value = decimal.Decimal(value)
        return (1 + value).ln() - value / (1 + value)

    with decimal.localcontext() as ctx:
        ctx.prec = 150
        mass_ref = decimal.Decimal(halo_mass) * mu(t) / mu(c)
        v_ref = float((decimal.Decimal(rc.G) * mass_ref / decimal.Decimal(radius)).sqrt())
        mass_ref = float(mass_ref)
    mass = _no_runtime_warnings(rc.nfw_enclosed_mass, [radius], halo_mass, c)[0, 0]
    v = _no_runtime_warnings(rc.nfw_velocity, [radius], halo_mass, c)[0, 0]
    assert mass == pytest.approx(mass_ref, rel=1e-13, abs=0)
    assert v == pytest.approx(v_ref, rel=1e-13, abs=0)


def test_sample_galaxies_log_ms_range_sets_the_mass_range_only():
    default = rc.sample_galaxies(400, np.random.default_rng(5))
    same = rc.sample_galaxies(400, np.random.default_rng(5), log_ms_range=rc.LOG_STELLAR_MASS_RANGE)
    for key in rc.GALAXY_KEYS:
        np.testing.assert_array_equal(default[key], same[key])
    wide = rc.sample_galaxies(400, np.random.default_rng(5), log_ms_range=(8.0, 11.5))
    log_ms = np.log10(wide["stellar_mass"])
    assert log_ms.min() >= 8.0 and log_ms.max() <= 11.5 and log_ms.min() < 8.5
    fixed = rc.sample_galaxies(3, np.random.default_rng(5), log_ms_range=(10.5, 10.5))
    np.testing.assert_allclose(fixed["stellar_mass"], 10.0**10.5)

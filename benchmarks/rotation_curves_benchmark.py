"""Benchmark: generating rotation curves vectorised vs one galaxy at a time.

    python benchmarks/rotation_curves_benchmark.py [--n 100000] [--loop-n 2000] [--repeats 3]

Times ``vaebook.rotation_curves.circular_velocity`` on ``--n`` galaxies at the
50 radii of the chapter in one vectorised call, and the same function called
per galaxy in a Python list comprehension on a subset of ``--loop-n`` galaxies;
the loop time is scaled linearly to ``--n`` (stated in the output as
``loop_scaled_from``). It also times drawing the ``--n`` galaxies with
``sample_galaxies`` (the disc stellar-to-halo relation, sizes and
concentrations) and computing their flat speeds V_f with ``flat_velocity``
(26 radii per galaxy, the chapter's Tully-Fisher check). Best of
``--repeats`` runs each. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

from vaebook import rotation_curves as rc

KEYS = ("stellar_mass", "scale_length", "halo_mass", "concentration")


def best_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--loop-n", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    sampler = best_time(lambda: rc.sample_galaxies(args.n, np.random.default_rng(0)), args.repeats)
    galaxies = rc.sample_galaxies(args.n, np.random.default_rng(0))
    flat = best_time(lambda: rc.flat_velocity(galaxies), args.repeats)
    params = [galaxies[key] for key in KEYS]
    vectorised = best_time(lambda: rc.circular_velocity(rc.RADII, *params), args.repeats)

    subset = [p[: args.loop_n] for p in params]

    def loop():
        return np.stack([rc.circular_velocity(rc.RADII, *(p[i] for p in subset))[0] for i in range(args.loop_n)])

    loop_subset = best_time(loop, args.repeats)
    # the two agree on the subset (same formulae)
    assert np.array_equal(loop(), rc.circular_velocity(rc.RADII, *subset))
    loop_scaled = loop_subset * args.n / args.loop_n
    print(json.dumps({
        "benchmark": "rotation_curves",
        "n_galaxies": args.n,
        "n_radii": len(rc.RADII),
        "vectorised_s": round(vectorised, 4),
        "loop_subset_n": args.loop_n,
        "loop_subset_s": round(loop_subset, 4),
        "loop_scaled_s": round(loop_scaled, 2),
        "loop_scaled_from": f"{args.loop_n} galaxies, linear scaling",
        "speedup": round(loop_scaled / vectorised, 1),
        "curves_per_s_vectorised": round(args.n / vectorised),
        "sample_galaxies_s": round(sampler, 4),
        "flat_velocity_s": round(flat, 4),
        "repeats": args.repeats,
        "python": platform.python_version(),
        "numpy": np.__version__,
    }))


if __name__ == "__main__":
    main()

"""Tests of the data generator of the chapter "Nonlinear probabilistic PCA" (vaebook.nonlinear_ppca)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import vaebook
from vaebook import nonlinear_ppca as nl

DATA = vaebook.repo_root() / "data" if vaebook.repo_root() else None


def test_generate_shapes_and_truth_contents():
    x, truth = nl.generate(n=30, p=12, seed=3)
    assert x.shape == (30, 12) and np.all(np.isfinite(x))
    assert truth["n"] == 30 and truth["p"] == 12 and truth["seed"] == 3
    assert len(truth["curves"]) == 12 and len(truth["sigma"]) == 12 and len(truth["z"]) == 30
    assert {c["kind"] for c in truth["curves"]} == set(nl.KINDS)  # equal shares of every kind
    sigma = np.asarray(truth["sigma"])
    assert np.all((sigma >= nl.SIGMA_RANGE[0]) & (sigma <= nl.SIGMA_RANGE[1]))
    assert nl.true_curves(truth, np.linspace(-2, 2, 7)).shape == (7, 12)


def test_defaults():
    x, truth = nl.generate()
    assert x.shape == (nl.DEFAULT_N, nl.DEFAULT_P) == (200, 100)
    assert truth["seed"] == nl.DEFAULT_SEED


def test_noise_matches_sigma():
    x, truth = nl.generate(n=4000, p=8, seed=5)
    residual = x - nl.true_curves(truth, np.asarray(truth["z"]))  # (n, p): the noise
    sd = residual.std(axis=0, ddof=1)
    se = np.asarray(truth["sigma"]) / np.sqrt(2 * (x.shape[0] - 1))  # standard error of a Gaussian sd
    assert np.all(np.abs(sd - truth["sigma"]) < 5 * se)


def test_determinism(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    nl.write_dataset(a, n=20, p=8, seed=1)
    nl.write_dataset(b, n=20, p=8, seed=1)
    nl.write_dataset(c, n=20, p=8, seed=2)
    for name in (nl.CSV_NAME, nl.TRUTH_NAME):
        assert (a / name).read_bytes() == (b / name).read_bytes()
        assert (a / name).read_bytes() != (c / name).read_bytes()


@pytest.mark.skipif(DATA is None, reason="needs the repository's data/ directory")
def test_regeneration_matches_committed_files(tmp_path):
    subprocess.run([sys.executable, "-m", "vaebook.nonlinear_ppca", "--out", str(tmp_path)],
                   check=True, capture_output=True)
    for name in (nl.CSV_NAME, nl.TRUTH_NAME):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), f"data/{name} is not reproduced"


def test_csv_round_trip(tmp_path):
    csv_path, _ = nl.write_dataset(tmp_path, n=15, p=6, seed=4)
    x, _ = nl.generate(n=15, p=6, seed=4)
    read = nl.read_dataset_csv(csv_path, expected_columns=6)
    assert read.shape == (15, 6)
    assert np.max(np.abs(read - x)) <= 5e-7  # written with %.6f
    assert csv_path.read_text().splitlines()[0] == "x1,x2,x3,x4,x5,x6"


def test_truth_round_trip(tmp_path):
    _, truth_path = nl.write_dataset(tmp_path, n=10, p=9, seed=7)
    _, truth = nl.generate(n=10, p=9, seed=7)
    read = nl.read_truth(truth_path)
    grid = np.linspace(-3, 3, 61)
    assert np.array_equal(nl.true_curves(read, grid), nl.true_curves(truth, grid))
    assert read == truth


@pytest.mark.parametrize(
    "text, match",
    [
        ("", "empty"),
        ("1.0,2.0\n3.0,4.0\n", "row 1 is numbers, not a header"),
        ("x1,x2\n", "no data rows"),
        ("x1,x2\n1.0,2.0\n3.0\n", "row 3 has 1 cells but the header has 2"),
        ("x1,x2\n1.0,2.0\n3.0,4.0,5.0\n", "row 3 has 3 cells"),
        ("x1,x2\n1.0,abc\n", r"row 2, column 2 \('x2'\) is 'abc', not a number"),
        ("x1,x2\n1.0,\n", "row 2, column 2"),
        ("x1,x2\n1.0,nan\n", "not a finite number"),
    ],
)
def test_malformed_csv_errors_name_file_and_row(tmp_path, text, match):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=match) as info:
        nl.read_dataset_csv(path)
    assert "bad.csv" in str(info.value)


def test_wrong_number_of_columns(tmp_path):
    csv_path, _ = nl.write_dataset(tmp_path, n=5, p=4, seed=0)
    with pytest.raises(ValueError, match="header has 4 columns; expected 100") as info:
        nl.read_dataset_csv(csv_path, expected_columns=100)
    assert nl.CSV_NAME in str(info.value)


def test_truth_file_missing_keys(tmp_path):
    path = tmp_path / "truth.json"
    path.write_text('{"n": 1}')
    with pytest.raises(ValueError, match="lacks"):
        nl.read_truth(path)


def test_true_curves_rejects_2d_grid():
    _, truth = nl.generate(n=3, p=4, seed=0)
    with pytest.raises(ValueError, match="1-d"):
        nl.true_curves(truth, np.zeros((2, 2)))


def test_module_imports_numpy_only():
    code = "import sys, vaebook.nonlinear_ppca; print('tensorflow' in sys.modules, 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.split() == ["False", "False"]

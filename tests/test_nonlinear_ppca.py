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
    """The module's command reproduces data/ byte for byte, on any CPU.

    NumPy's vectorised exp/log may round differently by one ulp on different CPUs (with or without
    AVX-512). The files do not see that: the CSV holds %.6f values, and every float of the truth file
    is rounded to ``TRUTH_SIGNIFICANT_DIGITS`` (12) significant digits before it is written, far coarser
    than one ulp (~1e-16 relative); ``test_truth_bytes_ignore_one_ulp_changes`` checks, for the
    committed values, that no value lies within one ulp of a rounding boundary.
    """
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


# --------------------------------------------------------------------------
# machine-independent truth file
# --------------------------------------------------------------------------


def _map_floats(obj, func):
    if isinstance(obj, float):
        return func(obj)
    if isinstance(obj, dict):
        return {key: _map_floats(value, func) for key, value in obj.items()}
    if isinstance(obj, list):
        return [_map_floats(value, func) for value in obj]
    return obj


def test_truth_bytes_ignore_one_ulp_changes():
    # one value, then every float of the committed data set's unrounded truth, moved one ulp up and down
    one = {"sigma": [0.1234567890123456]}
    for direction in (np.inf, -np.inf):
        moved = {"sigma": [float(np.nextafter(one["sigma"][0], direction))]}
        assert nl._truth_bytes(moved) == nl._truth_bytes(one)
    # (exact zeros, the unused b of the quadratic curves, are set, not computed: they stay)
    _, raw = nl._draw_unrounded(nl.DEFAULT_N, nl.DEFAULT_P, nl.DEFAULT_SEED)
    written = nl._truth_bytes(raw)
    for direction in (np.inf, -np.inf):
        moved = _map_floats(raw, lambda v: float(np.nextafter(v, direction)) if v != 0.0 else v)
        assert moved != raw
        assert nl._truth_bytes(moved) == written


def test_truth_is_rounded_to_fixed_significant_digits():
    x, truth = nl.generate(n=6, p=5, seed=2)
    x_raw, raw = nl._draw_unrounded(n=6, p=5, seed=2)
    assert np.array_equal(x, x_raw)  # the data are drawn with the unrounded values
    for value, raw_value in zip(truth["sigma"] + truth["z"], raw["sigma"] + raw["z"]):
        assert value == float(f"{raw_value:.{nl.TRUTH_SIGNIFICANT_DIGITS}g}")
        assert abs(value - raw_value) <= 5e-12 * abs(raw_value)


# --------------------------------------------------------------------------
# reading: BOM, header, encodings, missing files
# --------------------------------------------------------------------------


def test_csv_with_bom_and_header_is_read_in_full(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfx1,x2\r\n1.0,2.0\r\n3.0,4.0\r\n")
    assert np.array_equal(nl.read_dataset_csv(path, expected_columns=2), [[1.0, 2.0], [3.0, 4.0]])


def test_headerless_csv_with_bom_is_an_error_not_a_lost_row(tmp_path):
    # The BOM used to make "\ufeff1.0" look like a column name, so row 1 was silently dropped.
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf1.0,2.0\n3.0,4.0\n")
    with pytest.raises(ValueError, match="bom.csv: row 1 is numbers, not a header"):
        nl.read_dataset_csv(path)


@pytest.mark.parametrize("header, match", [
    ("x1,2.5", r"row 1 is the header, but its column 2 is '2.5', a number"),
    ("1.0,x2", r"row 1 is the header, but its column 1 is '1.0', a number"),
    ("x1, ", r"row 1 is the header, but its column 2 is empty"),
])
def test_header_that_is_partly_data_is_an_error(tmp_path, header, match):
    path = tmp_path / "mixed.csv"
    path.write_text(header + "\n1.0,2.0\n")
    with pytest.raises(ValueError, match=match):
        nl.read_dataset_csv(path)


def test_non_utf8_csv_names_the_file_and_how_to_regenerate(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("x1,x\u00e92\n1.0,2.0\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin1.csv: not UTF-8 text \(byte 0xe9 at offset 4\).*"
                                         r"python -m vaebook.nonlinear_ppca --out .*make data"):
        nl.read_dataset_csv(path)


@pytest.mark.parametrize("content, match", [
    (b'{"n": 1,', r"not valid JSON \(Expecting property name.*line 1, column 9\)"),
    (b"\xff\xfe{}", r"not UTF-8 text \(byte 0xff at offset 0\)"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"n": 1}', r"lacks \['curves', 'p', 'seed', 'sigma', 'z'\]"),
])
def test_bad_truth_file_names_the_file_and_how_to_regenerate(tmp_path, content, match):
    path = tmp_path / nl.TRUTH_NAME
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match) as info:
        nl.read_truth(path)
    assert nl.TRUTH_NAME in str(info.value)
    assert f"python -m vaebook.nonlinear_ppca --out {tmp_path}" in str(info.value)


def test_truth_with_bom_is_read(tmp_path):
    _, truth_path = nl.write_dataset(tmp_path, n=3, p=4, seed=0)
    truth_path.write_bytes(b"\xef\xbb\xbf" + truth_path.read_bytes())
    assert nl.read_truth(truth_path) == nl.generate(n=3, p=4, seed=0)[1]


@pytest.mark.parametrize("reader, name", [(nl.read_dataset_csv, nl.CSV_NAME), (nl.read_truth, nl.TRUTH_NAME)])
def test_missing_file_says_how_to_make_the_data(tmp_path, monkeypatch, reader, name):
    # e.g. a non-editable install: data_dir() is then ~/.vaebook/data, empty until the data are made
    empty = tmp_path / "home data"
    monkeypatch.setenv(vaebook.paths.DATA_DIR_ENV_VAR, str(empty))
    path = vaebook.data_dir() / name
    with pytest.raises(FileNotFoundError) as info:
        reader(path)
    message = str(info.value)
    assert str(path) in message and "does not exist" in message
    assert f"python -m vaebook.nonlinear_ppca --out '{empty}'" in message
    nl.main(["--out", str(empty)])  # the command the message gives makes the file
    assert reader(path) is not None


def test_directory_instead_of_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="is a directory; pass the file"):
        nl.read_dataset_csv(tmp_path)

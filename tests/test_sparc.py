"""The SPARC loader (vaebook.sparc): the committed table, its contents, every error.

The contents are checked against the raw text independently of the loader's
byte-range parser (whitespace-split rows, and whole lines copied by eye from
the file), and every error path is exercised on a damaged copy in tmp_path.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import vaebook.sparc as sparc
from vaebook.sparc import SparcError, load_sparc

ROOT = Path(__file__).resolve().parents[1]
COMMITTED_DIR = ROOT / "data" / "sparc"
COMMITTED = COMMITTED_DIR / sparc.SPARC_FILE_NAME
HEADER_LINES = 25  # lines 1-25 are the header; data rows are lines 26-3416
FIELDS = ("radius", "v_obs", "e_v_obs", "v_gas", "v_disk", "v_bul", "sb_disk", "sb_bul")


@pytest.fixture(scope="module")
def galaxies():
    return load_sparc(COMMITTED_DIR)


@pytest.fixture(scope="module")
def raw_lines() -> list[str]:
    """The committed file's lines (CRLF removed), from the raw bytes."""
    return COMMITTED.read_bytes().decode("ascii").split("\r\n")


@pytest.fixture(autouse=True)
def no_sparc_env(monkeypatch):
    monkeypatch.delenv(sparc.SPARC_DIR_ENV_VAR, raising=False)


# --------------------------------------------------------------------------
# The committed copy
# --------------------------------------------------------------------------


def test_committed_copy_is_the_published_table():
    data = COMMITTED.read_bytes()
    assert len(data) == sparc.SPARC_SIZE_BYTES == 269_518
    assert hashlib.sha256(data).hexdigest() == sparc.SPARC_SHA256
    readme = (COMMITTED_DIR / "README.md").read_text(encoding="utf-8")
    assert f"`{sparc.SPARC_SHA256}`" in readme and "269,518 bytes" in readme
    assert data.count(b"\r\n") == data.count(b"\n") == 3416  # CRLF throughout


def test_git_keeps_the_bytes():
    """data/sparc/.gitattributes stops git converting the CRLF line endings."""
    attributes = (COMMITTED_DIR / ".gitattributes").read_text(encoding="utf-8")
    assert re.search(r"^\*\.mrt\s+-text\s*$", attributes, flags=re.M)


def test_default_location_is_the_repository_copy(monkeypatch, tmp_path):
    monkeypatch.delenv("VAEBOOK_DATA_DIR", raising=False)
    assert sparc.sparc_path() == COMMITTED
    monkeypatch.setenv(sparc.SPARC_DIR_ENV_VAR, str(tmp_path))
    assert sparc.sparc_path() == tmp_path / sparc.SPARC_FILE_NAME
    assert sparc.sparc_path(COMMITTED_DIR) == COMMITTED  # the argument wins


# --------------------------------------------------------------------------
# Contents
# --------------------------------------------------------------------------


def test_row_and_galaxy_counts(galaxies, raw_lines):
    data_lines = [line for line in raw_lines[HEADER_LINES:] if line]
    assert len(data_lines) == 3391
    assert sum(g.n_points for g in galaxies.values()) == 3391
    assert len(galaxies) == 175
    # the table's galaxy order, from the raw text
    order = list(dict.fromkeys(line.split()[0] for line in data_lines))
    assert list(galaxies) == order
    assert order[0] == "CamB" and order[-1] == "UGCA444"


def test_every_value_matches_the_whitespace_split_text(galaxies, raw_lines):
    """An independent parse (split on blanks, no byte ranges) gives the same numbers."""
    rows: dict[str, list[list[float]]] = {}
    for line in raw_lines[HEADER_LINES:]:
        if line:
            name, *numbers = line.split()
            rows.setdefault(name, []).append([float(x) for x in numbers])
    for name, galaxy in galaxies.items():
        table = np.array(
            rows[name]
        )  # D, R, Vobs, e_Vobs, Vgas, Vdisk, Vbul, SBdisk, SBbul
        assert table.shape == (galaxy.n_points, 9)
        assert np.all(table[:, 0] == galaxy.distance)
        for k, field in enumerate(FIELDS, start=1):
            np.testing.assert_array_equal(
                getattr(galaxy, field), table[:, k], err_msg=name
            )


def test_first_and_last_rows_by_eye(galaxies, raw_lines):
    assert raw_lines[25] == (
        "CamB          3.36   0.16   1.99  1.50   1.86   3.75   0.00   30.32     0.00 "
    )
    cam_b = galaxies["CamB"]
    assert cam_b.distance == 3.36 and cam_b.n_points == 9
    first = [getattr(cam_b, f)[0] for f in FIELDS]
    assert first == [0.16, 1.99, 1.50, 1.86, 3.75, 0.00, 30.32, 0.00]
    assert raw_lines[3415] == (
        "UGCA444       0.98   2.62  38.30  7.78  13.81   5.25   0.00    0.00     0.00 "
    )
    assert raw_lines[3416] == ""  # the file ends with CRLF
    ugca444 = galaxies["UGCA444"]
    last = [getattr(ugca444, f)[-1] for f in FIELDS]
    assert ugca444.distance == 0.98
    assert last == [2.62, 38.30, 7.78, 13.81, 5.25, 0.00, 0.00, 0.00]


def test_a_bulge_galaxy_with_negative_gas_term_by_eye(galaxies, raw_lines):
    assert raw_lines[632] == (
        "NGC0891       9.91   0.92 234.00 12.00  -5.19 121.44 254.98 2850.07  1353.62 "
    )
    ngc891 = galaxies["NGC0891"]
    assert ngc891.distance == 9.91 and ngc891.n_points == 18
    first = [getattr(ngc891, f)[0] for f in FIELDS]
    assert first == [0.92, 234.00, 12.00, -5.19, 121.44, 254.98, 2850.07, 1353.62]
    assert raw_lines[2050].startswith("UGC02885     80.6   74.07 298.00 10.00  86.26")
    ugc2885 = galaxies["UGC02885"]
    assert ugc2885.distance == 80.6 and ugc2885.r_max == 74.07
    assert ugc2885.v_obs[-1] == 298.0 and ugc2885.v_gas[-1] == 86.26


@pytest.mark.parametrize(
    "name, n_points, r_max",
    [("NGC2403", 73, 20.87), ("NGC3198", 43, 44.08), ("DDO154", 12, 5.92),
     ("UGC02885", 19, 74.07)],
)  # fmt: skip
def test_famous_galaxies(galaxies, raw_lines, name, n_points, r_max):
    rows = [line for line in raw_lines if line.split()[:1] == [name]]
    assert len(rows) == n_points == galaxies[name].n_points
    assert float(rows[-1].split()[2]) == r_max == galaxies[name].r_max


def test_arrays_are_sorted_positive_read_only(galaxies):
    for name, galaxy in galaxies.items():
        assert galaxy.name == name and galaxy.distance > 0
        for field in FIELDS:
            values = getattr(galaxy, field)
            assert values.dtype == np.float64 and values.shape == (galaxy.n_points,)
            assert not values.flags.writeable
        assert np.all(np.diff(galaxy.radius) > 0), name
        assert galaxy.radius[0] > 0 and np.all(galaxy.e_v_obs > 0), name
        assert np.all(galaxy.v_disk >= 0) and np.all(galaxy.v_bul >= 0), name
    with pytest.raises(ValueError, match="read-only"):
        galaxies["CamB"].radius[0] = 1.0


def test_units(raw_lines):
    columns, first_data = sparc.parse_byte_by_byte(raw_lines, COMMITTED)
    assert first_data == HEADER_LINES
    declared = {c.label: (c.first_byte, c.last_byte, c.fmt, c.unit) for c in columns}
    # as the header (lines 10-19) says
    assert declared == {
        "ID": (1, 11, "A11", "---"),
        "D": (13, 18, "F6.2", "Mpc"),
        "R": (20, 25, "F6.2", "kpc"),
        "Vobs": (27, 32, "F6.2", "km/s"),
        "e_Vobs": (34, 38, "F5.2", "km/s"),
        "Vgas": (40, 45, "F6.2", "km/s"),
        "Vdisk": (47, 52, "F6.2", "km/s"),
        "Vbul": (54, 59, "F6.2", "km/s"),
        "SBdisk": (61, 67, "F7.2", "solLum/pc2"),
        "SBbul": (69, 76, "F8.2", "solLum/pc2"),
    }
    assert {label: unit for label, (_, unit) in sparc.SPARC_COLUMNS.items()} == {
        label: d[3] for label, d in declared.items()
    }
    assert sparc.SPARC_UNITS == {
        "distance": "Mpc", "radius": "kpc", "v_obs": "km/s", "e_v_obs": "km/s",
        "v_gas": "km/s", "v_disk": "km/s", "v_bul": "km/s",
        "sb_disk": "L_sun/pc^2", "sb_bul": "L_sun/pc^2",
    }  # fmt: skip
    assert columns[4].explanation == "Uncertainty in Vobs (1)"


def test_summary_statistics_the_chapter_quotes(galaxies):
    n_points = np.array([g.n_points for g in galaxies.values()])
    r_max = np.array([g.r_max for g in galaxies.values()])
    assert (n_points.min(), np.median(n_points), n_points.max()) == (4, 14.0, 115)
    assert (r_max.min(), np.median(r_max), r_max.max()) == (0.71, 11.27, 108.31)
    assert sum(np.any(g.v_bul > 0) for g in galaxies.values()) == 32
    assert sum(np.any(g.v_gas < 0) for g in galaxies.values()) == 48
    assert sum(int(np.sum(g.v_gas < 0)) for g in galaxies.values()) == 361


def test_environment_variable_and_argument_pick_another_copy(tmp_path, monkeypatch):
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / sparc.SPARC_FILE_NAME).write_bytes(COMMITTED.read_bytes())
    monkeypatch.setenv(sparc.SPARC_DIR_ENV_VAR, str(copy))
    assert len(load_sparc()) == 175
    monkeypatch.setenv(sparc.SPARC_DIR_ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(SparcError, match=sparc.SPARC_DIR_ENV_VAR):
        load_sparc()
    assert len(load_sparc(copy)) == 175  # the argument wins over the variable


def test_rows_out_of_radius_order_are_sorted(tmp_path):
    lines = _lines()
    lines[26], lines[27] = lines[27], lines[26]  # CamB's 2nd and 3rd radii swapped
    directory, digest = _write(tmp_path, lines)
    cam_b = load_sparc(directory, sha256=digest)["CamB"]
    assert np.all(np.diff(cam_b.radius) > 0)
    assert list(cam_b.radius[:3]) == [0.16, 0.41, 0.57]
    assert list(cam_b.v_obs[:3]) == [
        1.99,
        4.84,
        6.79,
    ]  # values travel with their radius


def test_core_import_pulls_in_no_framework():
    code = (
        "import sys, vaebook.sparc\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'torch', 'tensorflow', 'keras', 'jax', 'pandas'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --------------------------------------------------------------------------
# Errors: missing things
# --------------------------------------------------------------------------


def _lines() -> list[str]:
    return COMMITTED.read_bytes().decode("ascii").split("\r\n")


def _write(tmp_path: Path, lines: list[str] | bytes) -> tuple[Path, str]:
    """Write a copy into tmp_path/copy; return the directory and the copy's SHA-256."""
    data = lines if isinstance(lines, bytes) else "\r\n".join(lines).encode("latin-1")
    directory = tmp_path / "copy"
    directory.mkdir(exist_ok=True)
    (directory / sparc.SPARC_FILE_NAME).write_bytes(data)
    return directory, hashlib.sha256(data).hexdigest()


def _error(directory: Path, **kwargs) -> str:
    with pytest.raises(SparcError) as info:
        load_sparc(directory, **kwargs)
    return str(info.value)


def test_missing_directory(tmp_path):
    message = _error(tmp_path / "absent")
    assert (
        f"The SPARC directory {tmp_path / 'absent'} (from the sparc_dir argument)"
        in message
    )
    assert (
        "does not exist" in message
        and f"Copy data/sparc/{sparc.SPARC_FILE_NAME}" in message
    )


def test_directory_that_is_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    message = _error(tmp_path / "file")
    assert f"{tmp_path / 'file'}" in message and "is not a directory" in message


def test_missing_file(tmp_path):
    message = _error(tmp_path)
    assert (
        f"The SPARC table {tmp_path / sparc.SPARC_FILE_NAME} does not exist" in message
    )
    assert "sparc_dir argument or VAEBOOK_SPARC_DIR" in message


def test_file_that_is_a_directory(tmp_path):
    (tmp_path / sparc.SPARC_FILE_NAME).mkdir()
    assert "is not a file" in _error(tmp_path)


def test_missing_repository_copy_says_git_checkout(tmp_path, monkeypatch):
    """With the repository's data/sparc gone, the message says how to restore it."""
    (tmp_path / "data").mkdir()
    monkeypatch.setenv("VAEBOOK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(sparc, "repo_root", lambda: tmp_path)
    message = _error(None)
    assert f"The SPARC directory {tmp_path / 'data' / 'sparc'}" in message
    assert "from the default, data_dir() / 'sparc'" in message
    assert f"restore it with `git checkout -- data/sparc` in {tmp_path}" in message


# --------------------------------------------------------------------------
# Errors: checksum
# --------------------------------------------------------------------------


def test_flipped_byte_fails_the_checksum(tmp_path):
    data = bytearray(COMMITTED.read_bytes())
    data[3000] ^= 0x01
    directory, digest = _write(tmp_path, bytes(data))
    message = _error(directory)
    path = directory / sparc.SPARC_FILE_NAME
    assert f"The SPARC table {path} (269,518 bytes) fails its checksum" in message
    assert f"expected sha256 {sparc.SPARC_SHA256}, got {digest}" in message
    assert "its bytes were changed (edited or corrupted)" in message
    assert "pass its own SHA-256 as load_sparc(sha256=...)" in message


def test_truncated_file_fails_the_checksum(tmp_path):
    directory, _ = _write(tmp_path, COMMITTED.read_bytes()[:200_000])
    message = _error(directory)
    assert "(200,000 bytes) fails its checksum" in message
    assert (
        "it is shorter than the 269,518 bytes of the published table, so it is "
        "probably truncated" in message
    )


def test_longer_file_fails_the_checksum(tmp_path):
    directory, _ = _write(tmp_path, COMMITTED.read_bytes() + b"extra\r\n")
    message = _error(directory)
    assert "(269,525 bytes) fails its checksum" in message
    assert "it is longer than the 269,518 bytes of the published table" in message


def test_lf_line_endings_are_recognised(tmp_path):
    directory, _ = _write(tmp_path, COMMITTED.read_bytes().replace(b"\r\n", b"\n"))
    message = _error(directory)
    assert "CRLF line endings turned into LF" in message and ".gitattributes" in message
    assert "truncated" not in message  # the one diagnosis that fits


def test_another_copy_with_the_wrong_hash(tmp_path):
    directory, _ = _write(tmp_path, COMMITTED.read_bytes())
    message = _error(directory, sha256="0" * 64)
    assert f"expected sha256 {'0' * 64}, got {sparc.SPARC_SHA256}" in message
    assert "not the copy whose hash was passed as sha256" in message


@pytest.mark.parametrize("bad", ["", "abc", "G" * 64, sparc.SPARC_SHA256.upper(), None])
def test_malformed_sha256_argument(bad):
    with pytest.raises(
        ValueError, match="sha256 must be 64 lowercase hexadecimal digits"
    ):
        load_sparc(COMMITTED_DIR, sha256=bad)


# --------------------------------------------------------------------------
# Errors: header and rows (edited copies read with their own hash)
# --------------------------------------------------------------------------


def _replace(index: int, old: str, new: str):
    def edit(lines: list[str]) -> list[str]:
        assert old in lines[index], (index, old, lines[index])
        lines[index] = lines[index].replace(old, new, 1)
        return lines

    return edit


def _delete(*indices: int):
    def edit(lines: list[str]) -> list[str]:
        return [line for k, line in enumerate(lines) if k not in indices]

    return edit


def _set_bytes(index: int, first: int, text: str):
    """Overwrite 1-based bytes first.. of line index with text."""

    def edit(lines: list[str]) -> list[str]:
        line = lines[index]
        lines[index] = line[: first - 1] + text + line[first - 1 + len(text) :]
        return lines

    return edit


def _truncate_header(lines: list[str]) -> list[str]:
    return lines[:15]


def _truncate_notes(lines: list[str]) -> list[str]:
    return lines[:22]


def _header_only(lines: list[str]) -> list[str]:
    return lines[:HEADER_LINES] + [""]


def _blank_line_in_data(lines: list[str]) -> list[str]:
    return lines[:100] + [""] + lines[100:]


def _move_first_row_to_end(lines: list[str]) -> list[str]:
    return lines[:25] + lines[26:-1] + [lines[25], ""]


def _repeat_a_row(lines: list[str]) -> list[str]:
    return lines[:26] + [lines[25]] + lines[26:]


def _empty_block(lines: list[str]) -> list[str]:
    return lines[:9] + lines[19:]


def _cut_last_row(lines: list[str]) -> list[str]:
    return lines[:3415] + [lines[3415][:50], ""]  # ends inside Vdisk ("  5.")


def _shift_row(lines: list[str]) -> list[str]:
    lines[25] = " " + lines[25]
    return lines


def _non_ascii(lines: list[str]) -> list[str]:
    lines[30] = lines[30][:-1] + "\xe9"
    return lines


ROW = "line 26: column"  # errors in CamB's first row

CASES = {
    # header
    "no byte-by-byte block": (
        _replace(5, "Byte-by-byte Description", "Column by column list  "),
        "has no 'Byte-by-byte Description' block",
    ),
    "heading line missing": (
        _delete(7),
        "line 7: the 'Byte-by-byte Description' block does not start with a rule",
    ),
    "missing label": (_delete(16), "lacks the column(s) Vbul"),
    "renamed label": (_replace(18, "SBbul ", "SBbulg"), "lacks the column(s) SBbul"),
    "unit changed": (
        _replace(11, "kpc ", " pc "),
        "column R is in 'pc' according to the header; the loader expects 'kpc'",
    ),
    "width disagrees with format": (
        _replace(11, "F6.2", "F5.2"),
        "line 12: column R declares bytes 20-25 (6 bytes) but format F5.2 (5 bytes)",
    ),
    "overlapping columns": (
        _replace(11, "20- 25", "18- 23"),
        "line 12: column R (bytes 18-23) overlaps column D (bytes 13-18)",
    ),
    "repeated label": (
        _replace(15, "Vdisk ", "Vgas  "),
        "line 16: column label Vgas appears twice",
    ),
    "garbled entry": (
        _replace(12, "  27- 32", "  27x 32"),
        "line 13: '  27x 32 F6.2   km/s         Vobs    Observed circular velocity' is "
        "not a byte-by-byte entry",
    ),
    "galaxy ID not text": (
        _replace(9, "A11", "I11"),
        "column ID has format I11; expected a character (A) format",
    ),
    "empty block": (_empty_block, "the 'Byte-by-byte Description' block is empty"),
    "header cut inside block": (
        _truncate_header,
        "ends inside its 'Byte-by-byte Description' block",
    ),
    "header cut inside notes": (_truncate_notes, "ends inside the notes of its header"),
    "no data": (_header_only, "has a header but no data rows"),
    # rows
    "malformed number": (
        _set_bytes(25, 27, "  1.9x"),
        f"{ROW} Vobs (bytes 27-32, format F6.2) is '1.9x', not a number",
    ),
    "blank number": (
        _set_bytes(25, 47, "      "),
        f"{ROW} Vdisk (bytes 47-52, format F6.2) is blank, not a number",
    ),
    "infinite number": (
        _set_bytes(25, 20, " 1e999"),
        f"{ROW} R (bytes 20-25, format F6.2) is '1e999', not a finite number",
    ),
    "zero error": (
        _set_bytes(25, 34, " 0.00"),
        f"{ROW} e_Vobs (bytes 34-38, format F5.2) is 0.00; it must be positive",
    ),
    "negative radius": (
        _set_bytes(25, 20, " -0.16"),
        f"{ROW} R (bytes 20-25, format F6.2) is -0.16; it must be positive",
    ),
    "blank galaxy name": (
        _set_bytes(25, 1, "    "),
        f"{ROW} ID (bytes 1-11, format A11) is blank; every row needs a galaxy",
    ),
    "stray character between columns": (
        _set_bytes(25, 19, "x"),
        "line 26 has non-blank characters at byte(s) 19, which belong to no column",
    ),
    "row shifted right": (
        _shift_row,
        "line 26 has characters after byte 76, the last byte the header declares",
    ),
    "last row cut short": (
        _cut_last_row,
        "line 3416: column Vbul (bytes 54-59, format F6.2) is blank, not a number",
    ),
    "blank line in the data": (
        _blank_line_in_data,
        "line 101 is blank, inside the data",
    ),
    "rows of a galaxy split": (
        _move_first_row_to_end,
        "line 3416: the rows of galaxy CamB are not contiguous (its rows start on "
        "line 26",
    ),
    "two distances": (
        _set_bytes(26, 13, "  3.37"),
        "line 27: galaxy CamB has distance 3.37 Mpc here but 3.36 Mpc on line 26",
    ),
    "radius twice": (
        _repeat_a_row,
        "lines 26, 27: galaxy CamB has radius 0.16 kpc more than once",
    ),
    "non-ASCII byte": (_non_ascii, "line 31: byte 0xe9 at offset"),
}


@pytest.mark.parametrize("case", list(CASES), ids=str)
def test_malformed_copy_read_with_its_own_hash(tmp_path, case):
    edit, expected = CASES[case]
    directory, digest = _write(tmp_path, edit(_lines()))
    path = directory / sparc.SPARC_FILE_NAME
    message = _error(directory, sha256=digest)
    assert expected in message
    assert str(path) in message  # names the file
    assert f"Copy data/sparc/{sparc.SPARC_FILE_NAME}" in message  # says what to do
    # and with the default hash the same file is refused before it is parsed
    assert "fails its checksum" in _error(directory)


# --------------------------------------------------------------------------
# Table 1, the galaxy sample (load_sparc_sample)
# --------------------------------------------------------------------------

SAMPLE = COMMITTED_DIR / sparc.SAMPLE_FILE_NAME
SAMPLE_HEADER_LINES = 98  # lines 1-98 are the header; data rows are lines 99-273


@pytest.fixture(scope="module")
def sample():
    return sparc.load_sparc_sample(COMMITTED_DIR)


def test_sample_committed_copy_is_the_published_table():
    data = SAMPLE.read_bytes()
    assert len(data) == sparc.SAMPLE_SIZE_BYTES == 28_259
    assert hashlib.sha256(data).hexdigest() == sparc.SAMPLE_SHA256
    assert hashlib.md5(data).hexdigest() == "6181df386bfc05868a3700c196e800da"
    readme = (COMMITTED_DIR / "README.md").read_text(encoding="utf-8")
    assert f"`{sparc.SAMPLE_SHA256}`" in readme and "28,259 bytes" in readme
    assert data.count(b"\n") == 273 and b"\r" not in data


def test_sample_rows_against_the_raw_text(sample, galaxies):
    rows = SAMPLE.read_text(encoding="ascii").splitlines()[SAMPLE_HEADER_LINES:]
    assert len(rows) == len(sample) == 175
    assert list(sample) == [row.split()[0] for row in rows]
    assert set(sample) == set(galaxies)  # the same 175 galaxies as the mass models
    for name, g in galaxies.items():
        assert sample[name].distance == pytest.approx(g.distance, abs=1e-9)
    # two rows copied by eye from the file
    n3198 = sample["NGC3198"]
    assert (n3198.hubble_type, n3198.distance, n3198.e_distance) == (5, 13.80, 1.40)
    assert (n3198.distance_method, n3198.inclination, n3198.e_inclination) == (3, 73, 3)
    assert n3198.luminosity == pytest.approx(38.279e9)
    assert n3198.hi_mass == pytest.approx(10.869e9) and n3198.hi_radius == 35.66
    assert (n3198.v_flat, n3198.e_v_flat, n3198.quality) == (150.1, 3.9, 1)
    assert n3198.references == "Da06,Be91,Be87" and n3198.r_disk == 3.14
    camb = sample["CamB"]
    assert camb.inclination == 65.0 and camb.luminosity == pytest.approx(0.075e9)
    assert np.isnan(camb.v_flat) and np.isnan(camb.e_v_flat) and camb.quality == 2


def test_sample_counts(sample):
    q = np.array([g.quality for g in sample.values()])
    inc = np.array([g.inclination for g in sample.values()])
    assert np.bincount(q).tolist() == [0, 99, 64, 12]
    # the cuts of McGaugh, Lelli & Schombert (2016): 153 galaxies
    assert np.sum((q < 3) & (inc >= 30)) == 153
    assert np.sum(np.isnan([g.v_flat for g in sample.values()])) == 40
    assert np.sum(np.isnan([g.hi_radius for g in sample.values()])) == 4


def _damaged_sample(tmp_path, edit):
    lines = SAMPLE.read_text(encoding="ascii").split("\n")
    edit(lines)
    data = "\n".join(lines).encode("ascii")
    (tmp_path / sparc.SAMPLE_FILE_NAME).write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def test_sample_checksum_error(tmp_path):
    digest = _damaged_sample(tmp_path, lambda lines: lines.__setitem__(99, lines[99]))
    assert digest == sparc.SAMPLE_SHA256  # unchanged copy reads
    assert len(sparc.load_sparc_sample(tmp_path)) == 175
    (tmp_path / sparc.SAMPLE_FILE_NAME).write_bytes(SAMPLE.read_bytes()[:-10])
    with pytest.raises(SparcError, match="fails its checksum"):
        sparc.load_sparc_sample(tmp_path)
    with pytest.raises(SparcError, match="does not exist"):
        sparc.load_sparc_sample(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="64 lowercase"):
        sparc.load_sparc_sample(tmp_path, sha256="abc")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda row: row.replace(" 2           Bm03", " 2"),
            r"line 99 has 18 .*fields",
        ),
        (
            lambda row: row.replace("65.0", "x5.0"),
            r"column Inc is 'x5.0', not a number",
        ),
        (lambda row: row.replace("65.0", "95.0"), r"above 90 deg"),
        (lambda row: row.replace(" 2           Bm03", " 4 Bm03"), r"column Q is 4"),
        (lambda row: row.replace("3.36", "-3.3"), r"column D is -3.3; it must be"),
    ],
)
def test_sample_malformed_rows(tmp_path, edit, message):
    def damage(lines):
        lines[SAMPLE_HEADER_LINES] = edit(lines[SAMPLE_HEADER_LINES])

    digest = _damaged_sample(tmp_path, damage)
    with pytest.raises(SparcError, match=message):
        sparc.load_sparc_sample(tmp_path, sha256=digest)


def test_sample_duplicate_and_header(tmp_path):
    def duplicate(lines):
        lines[SAMPLE_HEADER_LINES + 1] = lines[SAMPLE_HEADER_LINES]

    digest = _damaged_sample(tmp_path, duplicate)
    with pytest.raises(SparcError, match="CamB appears twice"):
        sparc.load_sparc_sample(tmp_path, sha256=digest)

    def relabel(lines):
        lines[24] = lines[24].replace("Vflat", "Vflot")

    digest = _damaged_sample(tmp_path, relabel)
    with pytest.raises(SparcError, match="its header lists the columns"):
        sparc.load_sparc_sample(tmp_path, sha256=digest)

"""vaebook.sparc against astropy's readers, row by row.

The book reads both SPARC tables with its own reader (``vaebook.sparc``): one reader for
both, with checksums and errors that say what to do. This test reads the same committed
files with astropy, a well-kept independent implementation, and requires the same numbers:

* the mass-model table with ``ascii.read(format="mrt")``, which uses the byte positions
  of the file's header, exactly as the table is meant to be read;
* the galaxy-sample table (Table 1): its rows do not sit at the byte positions its header
  states (see data/sparc/README.md), so astropy's MRT reader cannot read it (the last test
  shows that it fails); astropy's whitespace reader reads its data rows instead.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from vaebook import sparc

ascii = pytest.importorskip("astropy.io.ascii")  # in requirements.txt; skipped only without it

DATA = sparc.sparc_path().parent  # the committed data/sparc (or $VAEBOOK_SPARC_DIR)


def test_mass_model_table_matches_astropys_mrt_reader_row_by_row():
    table = ascii.read(DATA / sparc.SPARC_FILE_NAME, format="mrt")
    galaxies = sparc.load_sparc()
    assert len(table) == sum(g.n_points for g in galaxies.values()) == 3391
    names = list(dict.fromkeys(table["ID"]))  # first appearance = table order
    assert names == list(galaxies)
    columns = {"D": None, "R": "radius", "Vobs": "v_obs", "e_Vobs": "e_v_obs", "Vgas": "v_gas",
               "Vdisk": "v_disk", "Vbul": "v_bul", "SBdisk": "sb_disk", "SBbul": "sb_bul"}
    ids = np.asarray(table["ID"])
    for name, galaxy in galaxies.items():
        rows = table[ids == name]
        order = np.argsort(np.asarray(rows["R"], dtype=float), kind="stable")  # ours: by radius
        assert np.all(np.asarray(rows["D"], dtype=float) == galaxy.distance), name
        for label, attr in columns.items():
            if attr is None:
                continue
            theirs = np.asarray(rows[label], dtype=float)[order]
            np.testing.assert_array_equal(getattr(galaxy, attr), theirs, err_msg=f"{name} {label}")


def _sample_rows_with_astropy():
    """Table 1's data rows (after the header's last rule), split on whitespace by astropy."""
    lines = (DATA / sparc.SAMPLE_FILE_NAME).read_text(encoding="ascii").splitlines()
    last_rule = max(i for i, line in enumerate(lines) if line.startswith("-----"))
    labels = list(sparc.SAMPLE_COLUMNS)
    return ascii.read(lines[last_rule + 1:], format="no_header", names=labels, guess=False,
                      delimiter=" ")


def test_galaxy_sample_table_matches_astropys_whitespace_reader_row_by_row():
    table = _sample_rows_with_astropy()
    sample = sparc.load_sparc_sample()
    assert len(table) == len(sample) == 175
    assert list(table["Galaxy"]) == list(sample)
    scale = {"L[3.6]": 1e9, "e_L[3.6]": 1e9, "MHI": 1e9}  # the table's unit is 1e9 L_sun, M_sun
    missing_as_zero = {"RHI", "Vflat", "e_Vflat"}
    for row in table:
        galaxy = sample[row["Galaxy"]]
        for label, (attr, _unit, kind) in sparc.SAMPLE_COLUMNS.items():
            ours = getattr(galaxy, attr)
            theirs = row[label]
            if kind == "A":
                assert ours == str(theirs), (galaxy.name, label)
            elif kind == "I":
                assert ours == int(theirs), (galaxy.name, label)
            elif label in missing_as_zero and float(theirs) == 0:
                assert math.isnan(ours), (galaxy.name, label)
            else:
                assert ours == float(theirs) * scale.get(label, 1.0), (galaxy.name, label)


def test_astropys_mrt_reader_cannot_read_the_galaxy_sample_table():
    """Why the book keeps its own reader for Table 1 (data/sparc/README.md)."""
    with pytest.raises(ValueError):
        ascii.read(DATA / sparc.SAMPLE_FILE_NAME, format="mrt")

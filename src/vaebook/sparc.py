"""SPARC rotation curves (Lelli, McGaugh & Schombert 2016), from the committed table.

SPARC ("Spitzer Photometry and Accurate Rotation Curves") holds 175 late-type
disc galaxies with H I/Halpha rotation curves and Spitzer 3.6 um photometry.
Its machine-readable "Mass Models" table, ``MassModels_Lelli2016c.mrt``
(269,518 bytes, 3,391 rows, one per measured radius), is committed to the
book's repository in ``data/sparc/`` with a README giving its source, citation
and SHA-256. :func:`load_sparc` reads it and returns, for each galaxy in the
table's order, a :class:`SparcGalaxy` of NumPy arrays sorted by radius.

**Where the table is read from**: the ``sparc_dir`` argument, else the
directory named by the environment variable ``VAEBOOK_SPARC_DIR``, else
``data_dir() / "sparc"`` (:func:`vaebook.paths.data_dir`: ``data/sparc`` in a
clone of the repository, which is also what Colab uses, since its setup cell
installs the package from a clone). The file in that directory must be named
:data:`SPARC_FILE_NAME`.

**Checks, in this order.** The file's SHA-256 must be ``sha256`` (by default
:data:`SPARC_SHA256`, the hash of the published table) before anything is
parsed; to read an edited or other copy on purpose, pass its own hash. The
table is then parsed by the byte ranges its own header declares: the
"Byte-by-byte Description" block (bytes, format, units, label, explanation)
is read, every label the loader needs (:data:`SPARC_COLUMNS`) must be there
with the unit this module documents and a width that matches its format, and
each data row is cut at those byte ranges. Bytes that belong to no column must
be blank, every number must parse and be finite, ``D``, ``R`` and ``e_Vobs``
must be positive, each galaxy's rows must be contiguous with one distance and
no radius given twice. Anything else raises :class:`SparcError`, whose message
names the file (and the line) and says what to do.

**Units and conventions** (:data:`SPARC_UNITS`): distance in Mpc, radius in
kpc, velocities in km/s, surface brightnesses in L_sun/pc^2 at 3.6 um.
``e_v_obs`` is the random error (non-circular motions, asymmetries), without
the systematic error of the inclination. ``v_gas`` includes the factor 1.33
for helium and is *signed*: a negative ``v_gas`` (361 rows, in 48 galaxies)
means the gas's Newtonian force points outwards there (for example inside a
central depression of the gas), so the gas term of V^2 is
``v_gas * abs(v_gas)``. ``v_disk`` and ``v_bul``
are for a mass-to-light ratio of 1 M_sun/L_sun at 3.6 um; for a ratio
``upsilon`` they scale by ``sqrt(upsilon)`` (a common choice is 0.5 for
discs and 0.7 for bulges). ``v_bul`` is zero for galaxies without a bulge.

Source: F. Lelli, S. S. McGaugh and J. M. Schombert, "SPARC: Mass Models for
175 Disk Galaxies with Spitzer Photometry and Accurate Rotation Curves",
AJ 152, 157 (2016), doi:10.3847/0004-6256/152/6/157; the table is on the
SPARC website (astroweb.case.edu/SPARC). This module imports NumPy only.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from vaebook.paths import data_dir, repo_root

__all__ = [
    "SAMPLE_COLUMNS",
    "SAMPLE_FILE_NAME",
    "SAMPLE_SHA256",
    "SAMPLE_SIZE_BYTES",
    "SPARC_COLUMNS",
    "SPARC_DIR_ENV_VAR",
    "SPARC_FILE_NAME",
    "SPARC_SHA256",
    "SPARC_SIZE_BYTES",
    "SPARC_UNITS",
    "MrtColumn",
    "SparcError",
    "SparcGalaxy",
    "SparcSampleGalaxy",
    "load_sparc",
    "load_sparc_sample",
    "parse_byte_by_byte",
    "sparc_path",
]

SPARC_DIR_ENV_VAR = "VAEBOOK_SPARC_DIR"
SPARC_FILE_NAME = "MassModels_Lelli2016c.mrt"
# The published table, as committed in data/sparc/ (see data/sparc/README.md).
SPARC_SHA256 = "9108994b12cc401b94a1768beca61c53ec354779385c9c9cc571049f3043244c"
SPARC_SIZE_BYTES = 269_518

# label in the file's header -> (SparcGalaxy field, unit as the header writes it).
SPARC_COLUMNS: dict[str, tuple[str, str]] = {
    "ID": ("name", "---"),
    "D": ("distance", "Mpc"),
    "R": ("radius", "kpc"),
    "Vobs": ("v_obs", "km/s"),
    "e_Vobs": ("e_v_obs", "km/s"),
    "Vgas": ("v_gas", "km/s"),
    "Vdisk": ("v_disk", "km/s"),
    "Vbul": ("v_bul", "km/s"),
    "SBdisk": ("sb_disk", "solLum/pc2"),
    "SBbul": ("sb_bul", "solLum/pc2"),
}

# SparcGalaxy field -> unit, as the book writes it.
SPARC_UNITS: dict[str, str] = {
    "distance": "Mpc",
    "radius": "kpc",
    "v_obs": "km/s",
    "e_v_obs": "km/s",
    "v_gas": "km/s",
    "v_disk": "km/s",
    "v_bul": "km/s",
    "sb_disk": "L_sun/pc^2",
    "sb_bul": "L_sun/pc^2",
}

_POSITIVE = ("D", "R", "e_Vobs")  # labels whose values must be > 0
_ARRAY_FIELDS = (
    "radius",
    "v_obs",
    "e_v_obs",
    "v_gas",
    "v_disk",
    "v_bul",
    "sb_disk",
    "sb_bul",
)

# "  13- 18 F6.2   Mpc          D       Assumed distance" (CDS/AAS byte-by-byte).
_ENTRY = re.compile(
    r"^\s*(?P<first>\d+)(?:\s*-\s*(?P<last>\d+))?\s+"
    r"(?P<fmt>[AIFE])(?P<width>\d+)(?:\.(?P<decimals>\d+))?\s+"
    r"(?P<unit>\S+)\s+(?P<label>\S+)\s*(?P<explanation>.*)$"
)
_CONTINUATION_INDENT = 10  # at least this many spaces start a continuation line
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")


class SparcError(RuntimeError):
    """The SPARC table is missing, damaged or malformed; the message says what to do."""


class MrtColumn(NamedTuple):
    """One entry of the "Byte-by-byte Description" (bytes 1-based, inclusive)."""

    first_byte: int
    last_byte: int
    fmt: str
    unit: str
    label: str
    explanation: str


@dataclass(frozen=True, eq=False)
class SparcGalaxy:
    """One SPARC galaxy: its rotation curve and mass model, sorted by radius.

    ``distance`` (Mpc) is the distance SPARC assumes; every array has one
    entry per measured radius (read-only float64): ``radius`` (kpc),
    ``v_obs`` and its random error ``e_v_obs`` (km/s), the Newtonian
    contributions ``v_gas`` (signed, helium included), ``v_disk`` and
    ``v_bul`` (km/s, for a mass-to-light ratio of 1 at 3.6 um), and the
    surface brightnesses ``sb_disk`` and ``sb_bul`` (L_sun/pc^2). See the
    module docstring for the conventions.
    """

    name: str
    distance: float
    radius: np.ndarray = field(repr=False)
    v_obs: np.ndarray = field(repr=False)
    e_v_obs: np.ndarray = field(repr=False)
    v_gas: np.ndarray = field(repr=False)
    v_disk: np.ndarray = field(repr=False)
    v_bul: np.ndarray = field(repr=False)
    sb_disk: np.ndarray = field(repr=False)
    sb_bul: np.ndarray = field(repr=False)

    @property
    def n_points(self) -> int:
        """Number of measured radii."""
        return int(self.radius.shape[0])

    @property
    def r_max(self) -> float:
        """The outermost measured radius (kpc)."""
        return float(self.radius[-1])


# --------------------------------------------------------------------------
# Where the file is, and what to do when it is not right
# --------------------------------------------------------------------------


def _default_dir() -> Path:
    return data_dir() / "sparc"


def sparc_path(sparc_dir: str | os.PathLike | None = None) -> Path:
    """The table :func:`load_sparc` reads: ``<dir>/MassModels_Lelli2016c.mrt``.

    ``<dir>`` is ``sparc_dir``, else ``$VAEBOOK_SPARC_DIR``, else
    ``data_dir() / "sparc"``. Nothing is read or checked.
    """
    return _resolve_dir(sparc_dir)[0] / SPARC_FILE_NAME


def _resolve_dir(sparc_dir: str | os.PathLike | None) -> tuple[Path, str]:
    """(directory, how it was chosen) for messages."""
    if sparc_dir is not None:
        return Path(sparc_dir).expanduser(), "the sparc_dir argument"
    env = os.environ.get(SPARC_DIR_ENV_VAR)
    if env:
        return Path(env).expanduser(), SPARC_DIR_ENV_VAR
    return _default_dir(), "the default, data_dir() / 'sparc'"


def _is_repo_copy(path: Path) -> bool:
    root = repo_root()
    if root is None:
        return False
    committed = (root / "data" / "sparc").resolve()
    return path.resolve().parent == committed


def _fix(path: Path) -> str:
    """What to do about a missing or damaged table at ``path``."""
    if _is_repo_copy(path):
        return (
            f"The table is committed in the book's repository as data/sparc/"
            f"{SPARC_FILE_NAME}: restore it with `git checkout -- data/sparc` in "
            f"{repo_root()} (or clone the repository again)."
        )
    return (
        f"Copy data/sparc/{SPARC_FILE_NAME} from the book's repository (sha256 "
        f"{SPARC_SHA256}, {SPARC_SIZE_BYTES:,} bytes) into {path.parent}, or point the "
        f"sparc_dir argument or {SPARC_DIR_ENV_VAR} at a directory holding an intact "
        "copy (or unset it to use the repository's data/sparc)."
    )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _ascii_lines(data: bytes, path: Path, fix: str) -> list[str]:
    """The lines of an ASCII table (CRLF or LF); a non-ASCII byte is a SparcError."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise SparcError(
            f"{path}, line {line}: byte 0x{data[err.start]:02x} at offset {err.start} "
            f"is not ASCII; the table is plain ASCII. {fix}"
        ) from None
    return [line.removesuffix("\r") for line in text.split("\n")]


def _read_verified(path: Path, how: str, sha256: str) -> bytes:
    directory = path.parent
    if not directory.exists():
        raise SparcError(
            f"The SPARC directory {directory} (from {how}) does not exist, so there is "
            f"no {SPARC_FILE_NAME} to read. {_fix(path)}"
        )
    if not directory.is_dir():
        raise SparcError(
            f"The SPARC directory {directory} (from {how}) is not a directory. Point "
            f"sparc_dir or {SPARC_DIR_ENV_VAR} at the directory that holds "
            f"{SPARC_FILE_NAME}, or unset it."
        )
    if not path.is_file():
        what = "is not a file" if path.exists() else "does not exist"
        raise SparcError(f"The SPARC table {path} {what}. {_fix(path)}")
    data = path.read_bytes()
    actual = _sha256(data)
    if actual == sha256:
        return data
    if sha256 != SPARC_SHA256:
        hint = "it is not the copy whose hash was passed as sha256"
    elif b"\r" not in data and _sha256(data.replace(b"\n", b"\r\n")) == SPARC_SHA256:
        hint = (
            "its content is the published table with its CRLF line endings turned "
            "into LF (by git's line-ending conversion or an editor); "
            "data/sparc/.gitattributes marks the file -text so that git keeps its bytes"
        )
    elif len(data) < SPARC_SIZE_BYTES:
        hint = (
            f"it is shorter than the {SPARC_SIZE_BYTES:,} bytes of the published "
            "table, so it is probably truncated"
        )
    elif len(data) > SPARC_SIZE_BYTES:
        hint = (
            f"it is longer than the {SPARC_SIZE_BYTES:,} bytes of the published table"
        )
    else:
        hint = "its bytes were changed (edited or corrupted)"
    raise SparcError(
        f"The SPARC table {path} ({len(data):,} bytes) fails its checksum: expected "
        f"sha256 {sha256}, got {actual}; {hint}. {_fix(path)} To read an edited copy "
        "on purpose, pass its own SHA-256 as load_sparc(sha256=...)."
    )


# --------------------------------------------------------------------------
# The header: "Byte-by-byte Description"
# --------------------------------------------------------------------------


def _is_rule(line: str) -> bool:
    """A separator line: ten or more '-' (or '=') and nothing else."""
    text = line.strip()
    return len(text) >= 10 and (set(text) == {"-"} or set(text) == {"="})


def parse_byte_by_byte(
    lines: list[str], path: str | os.PathLike = "<table>"
) -> tuple[list[MrtColumn], int]:
    """Parse the "Byte-by-byte Description" block of a CDS/AAS machine-readable table.

    ``lines`` are the file's lines without their line endings. Returns the
    columns in the order the header lists them and the index (0-based) of the
    first data line: the line after the rule that closes the block, or after
    the notes ("Note (1): ...") and the rule that closes them. Raises
    :class:`SparcError` naming ``path`` and the line when the block is missing
    or malformed: no such block, an entry that does not parse, a width that
    disagrees with the format, overlapping byte ranges or a repeated label.
    """
    fix = f"The header of {path} is damaged. {_fix(Path(path))}"
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if line.startswith("Byte-by-byte Description")
        ),
        None,
    )
    if start is None:
        raise SparcError(
            f"{path} has no 'Byte-by-byte Description' block, so its columns cannot be "
            f"located; it is not a CDS/AAS machine-readable table or its header is "
            f"cut off. {fix}"
        )
    i = start + 1
    # rule, "Bytes Format Units Label Explanations", rule
    heading = [lines[k] if k < len(lines) else "" for k in range(i, i + 3)]
    if not (
        _is_rule(heading[0])
        and heading[1].split()[:4] == ["Bytes", "Format", "Units", "Label"]
        and _is_rule(heading[2])
    ):
        raise SparcError(
            f"{path}, line {i + 1}: the 'Byte-by-byte Description' block does not "
            "start with a rule, the heading 'Bytes Format Units Label Explanations' "
            f"and a rule. {fix}"
        )
    i += 3
    columns: list[MrtColumn] = []
    while True:
        if i >= len(lines):
            raise SparcError(
                f"{path} ends inside its 'Byte-by-byte Description' block (no closing "
                f"rule after line {i}). {fix}"
            )
        line = lines[i]
        if _is_rule(line):
            break
        match = _ENTRY.match(line)
        if match is None:
            if columns and line.startswith(" " * _CONTINUATION_INDENT) and line.strip():
                # a continuation of the previous entry's explanation (CDS indents
                # it to the Explanations column)
                prev = columns[-1]
                columns[-1] = prev._replace(
                    explanation=f"{prev.explanation} {line.strip()}".strip()
                )
                i += 1
                continue
            raise SparcError(
                f"{path}, line {i + 1}: {line!r} is not a byte-by-byte entry "
                f"('first-last format units label explanation'). {fix}"
            )
        first = int(match["first"])
        last = int(match["last"] or first)
        width = int(match["width"])
        fmt = f"{match['fmt']}{match['width']}" + (
            f".{match['decimals']}" if match["decimals"] is not None else ""
        )
        if first < 1 or last < first or last - first + 1 != width:
            raise SparcError(
                f"{path}, line {i + 1}: column {match['label']} declares bytes "
                f"{first}-{last} ({last - first + 1} bytes) but format {fmt} "
                f"({width} bytes). {fix}"
            )
        if any(col.label == match["label"] for col in columns):
            raise SparcError(
                f"{path}, line {i + 1}: column label {match['label']} appears "
                f"twice. {fix}"
            )
        for col in columns:
            if first <= col.last_byte and col.first_byte <= last:
                raise SparcError(
                    f"{path}, line {i + 1}: column {match['label']} (bytes "
                    f"{first}-{last}) overlaps column {col.label} (bytes "
                    f"{col.first_byte}-{col.last_byte}). {fix}"
                )
        columns.append(
            MrtColumn(
                first, last, fmt, match["unit"], match["label"], match["explanation"]
            )
        )
        i += 1
    if not columns:
        raise SparcError(
            f"{path}: the 'Byte-by-byte Description' block is empty. {fix}"
        )
    i += 1  # past the closing rule
    if i < len(lines) and lines[i].startswith("Note"):
        while i < len(lines) and not _is_rule(lines[i]):
            i += 1
        if i >= len(lines):
            raise SparcError(
                f"{path} ends inside the notes of its header (no rule closes "
                f"them). {fix}"
            )
        i += 1
    return columns, i


def _check_needed_columns(columns: list[MrtColumn], path: Path) -> dict[str, MrtColumn]:
    by_label = {col.label: col for col in columns}
    fix = (
        f"The header of {path} does not describe the SPARC mass-model table. "
        f"{_fix(path)}"
    )
    missing = [label for label in SPARC_COLUMNS if label not in by_label]
    if missing:
        raise SparcError(
            f"{path}: its 'Byte-by-byte Description' lacks the column(s) "
            f"{', '.join(missing)} (it lists {', '.join(by_label) or 'none'}; the "
            f"loader needs {', '.join(SPARC_COLUMNS)}). {fix}"
        )
    for label, (_, unit) in SPARC_COLUMNS.items():
        col = by_label[label]
        if col.unit != unit:
            raise SparcError(
                f"{path}: column {label} is in {col.unit!r} according to the header; "
                f"the loader expects {unit!r}. {fix}"
            )
        if (label == "ID") != (col.fmt[0] == "A"):
            expected = "a character (A) format" if label == "ID" else "a numeric format"
            raise SparcError(
                f"{path}: column {label} has format {col.fmt}; expected "
                f"{expected}. {fix}"
            )
    return by_label


# --------------------------------------------------------------------------
# The data rows
# --------------------------------------------------------------------------


def _parse_rows(
    lines: list[str], first_data: int, columns: list[MrtColumn], path: Path
) -> tuple[list[str], dict[str, np.ndarray], list[int]]:
    """(names, label -> float64 values, 1-based line numbers) of the data rows."""
    fix = f"The data rows of {path} are damaged. {_fix(path)}"
    body = lines[first_data:]
    while body and not body[-1].strip():  # blank lines at the very end
        body = body[:-1]
    if not body:
        raise SparcError(f"{path} has a header but no data rows. {fix}")
    width = max(col.last_byte for col in columns)
    used = np.zeros(width, dtype=bool)
    for col in columns:
        used[col.first_byte - 1 : col.last_byte] = True
    gaps = np.flatnonzero(~used)
    names: list[str] = []
    values: dict[str, list[float]] = {c.label: [] for c in columns if c.fmt[0] != "A"}
    line_numbers = []
    for k, raw in enumerate(body):
        lineno = first_data + k + 1
        where = f"{path}, line {lineno}"
        if not raw.strip():
            raise SparcError(f"{where} is blank, inside the data. {fix}")
        if len(raw.rstrip()) > width:
            raise SparcError(
                f"{where} has characters after byte {width}, the last byte the header "
                f"declares: {raw.rstrip()[width:]!r}. {fix}"
            )
        line = raw.ljust(width)
        stray = [int(g) + 1 for g in gaps if line[g] != " "]
        if stray:
            raise SparcError(
                f"{where} has non-blank characters at byte(s) "
                f"{', '.join(map(str, stray))}, which belong to no column: the row is "
                f"shifted or edited ({raw!r}). {fix}"
            )
        for col in columns:
            text = line[col.first_byte - 1 : col.last_byte].strip()
            label_at = (
                f"{where}: column {col.label} (bytes {col.first_byte}-"
                f"{col.last_byte}, format {col.fmt})"
            )
            if col.fmt[0] == "A":
                if col.label == "ID":
                    if not text:
                        raise SparcError(
                            f"{label_at} is blank; every row needs a galaxy. {fix}"
                        )
                    names.append(text)
                continue
            pattern = _INTEGER if col.fmt[0] == "I" else _NUMBER
            if not pattern.match(text):
                shown = repr(text) if text else "blank"
                raise SparcError(f"{label_at} is {shown}, not a number. {fix}")
            value = float(text)
            if not np.isfinite(value):
                raise SparcError(f"{label_at} is {text!r}, not a finite number. {fix}")
            if col.label in _POSITIVE and value <= 0:
                raise SparcError(f"{label_at} is {text}; it must be positive. {fix}")
            values[col.label].append(value)
        line_numbers.append(lineno)
    arrays = {label: np.asarray(v, dtype=np.float64) for label, v in values.items()}
    return names, arrays, line_numbers


def _galaxies(
    names: list[str], arrays: dict[str, np.ndarray], line_numbers: list[int], path: Path
) -> dict[str, SparcGalaxy]:
    fix = f"The data rows of {path} are damaged. {_fix(path)}"
    galaxies: dict[str, SparcGalaxy] = {}
    names_arr = np.asarray(names)
    # Blocks of consecutive rows with the same name, in file order.
    starts = np.flatnonzero(np.r_[True, names_arr[1:] != names_arr[:-1]])
    ends = np.r_[starts[1:], len(names)]
    for start, end in zip(starts, ends, strict=True):
        name = names[start]
        if name in galaxies:
            earlier = line_numbers[int(np.flatnonzero(names_arr == name)[0])]
            raise SparcError(
                f"{path}, line {line_numbers[start]}: the rows of galaxy {name} are "
                f"not contiguous (its rows start on line {earlier}, and other "
                f"galaxies' rows come in between). {fix}"
            )
        rows = slice(start, end)
        distance = arrays["D"][rows]
        if np.any(distance != distance[0]):
            bad = start + int(np.flatnonzero(distance != distance[0])[0])
            raise SparcError(
                f"{path}, line {line_numbers[bad]}: galaxy {name} has distance "
                f"{arrays['D'][bad]:g} Mpc here but {distance[0]:g} Mpc on line "
                f"{line_numbers[start]}; a galaxy has one distance. {fix}"
            )
        radius = arrays["R"][rows]
        order = np.argsort(radius, kind="stable")
        repeated = np.flatnonzero(np.diff(radius[order]) == 0)
        if repeated.size:
            r = radius[order][repeated[0]]
            lines_at = [
                line_numbers[start + int(j)] for j in np.flatnonzero(radius == r)
            ]
            raise SparcError(
                f"{path}, lines {', '.join(map(str, lines_at))}: galaxy {name} has "
                f"radius {r:g} kpc more than once. {fix}"
            )
        fields = {}
        for label, (name_of_field, _) in SPARC_COLUMNS.items():
            if name_of_field in _ARRAY_FIELDS:
                values = np.ascontiguousarray(arrays[label][rows][order])
                values.setflags(write=False)
                fields[name_of_field] = values
        galaxies[name] = SparcGalaxy(name=name, distance=float(distance[0]), **fields)
    return galaxies


# --------------------------------------------------------------------------
# The loader
# --------------------------------------------------------------------------


def load_sparc(
    sparc_dir: str | os.PathLike | None = None, *, sha256: str = SPARC_SHA256
) -> dict[str, SparcGalaxy]:
    """SPARC's mass-model table: galaxy name -> :class:`SparcGalaxy`, in table order.

    Parameters
    ----------
    sparc_dir
        Directory holding ``MassModels_Lelli2016c.mrt``. Defaults to
        ``$VAEBOOK_SPARC_DIR``, else ``data_dir() / "sparc"`` (the committed
        ``data/sparc`` of the repository).
    sha256
        The SHA-256 the file must have, checked before parsing; by default
        :data:`SPARC_SHA256`, the published table's. Pass another copy's own
        hash to read it on purpose (an edited table, a test's synthetic one).
        There is no way to skip the check.

    Every array is sorted by radius; see :class:`SparcGalaxy` and the module
    docstring for the fields, units and conventions.

    Raises
    ------
    SparcError
        If the directory or the file is missing, the checksum differs, or the
        header or a data row is malformed; the message names the file (and the
        line) and says what to do.
    """
    if not (isinstance(sha256, str) and re.fullmatch(r"[0-9a-f]{64}", sha256)):
        raise ValueError(
            f"sha256 must be 64 lowercase hexadecimal digits (a SHA-256 hex digest), "
            f"got {sha256!r}."
        )
    directory, how = _resolve_dir(sparc_dir)
    path = directory / SPARC_FILE_NAME
    data = _read_verified(path, how, sha256)
    lines = _ascii_lines(data, path, _fix(path))
    columns, first_data = parse_byte_by_byte(lines, path)
    _check_needed_columns(columns, path)
    names, arrays, line_numbers = _parse_rows(lines, first_data, columns, path)
    return _galaxies(names, arrays, line_numbers, path)


# --------------------------------------------------------------------------
# Table 1, the galaxy sample: SPARC_Lelli2016c.mrt
# --------------------------------------------------------------------------

SAMPLE_FILE_NAME = "SPARC_Lelli2016c.mrt"
# The published Table 1, as committed in data/sparc/ (see data/sparc/README.md).
SAMPLE_SHA256 = "5aa0501f6b0d881fa579030e315e7b5b6ef561a5bd3a07472f9929c7e5728243"
SAMPLE_SIZE_BYTES = 28_259

# Table 1's labels in the header's order -> (SparcSampleGalaxy field, unit, kind).
# kind: "A" text, "I" integer, "F" real. The data rows are *not* aligned with the
# header's byte ranges (they are offset by a character or so), so rows are split
# on whitespace (galaxy names and the reference list contain no spaces) and must
# have exactly one field per label.
SAMPLE_COLUMNS: dict[str, tuple[str, str, str]] = {
    "Galaxy": ("name", "---", "A"),
    "T": ("hubble_type", "---", "I"),
    "D": ("distance", "Mpc", "F"),
    "e_D": ("e_distance", "Mpc", "F"),
    "f_D": ("distance_method", "---", "I"),
    "Inc": ("inclination", "deg", "F"),
    "e_Inc": ("e_inclination", "deg", "F"),
    "L[3.6]": ("luminosity", "10+9solLum", "F"),
    "e_L[3.6]": ("e_luminosity", "10+9solLum", "F"),
    "Reff": ("r_eff", "kpc", "F"),
    "SBeff": ("sb_eff", "solLum/pc2", "F"),
    "Rdisk": ("r_disk", "kpc", "F"),
    "SBdisk": ("sb_disk0", "solLum/pc2", "F"),
    "MHI": ("hi_mass", "10+9solMass", "F"),
    "RHI": ("hi_radius", "kpc", "F"),
    "Vflat": ("v_flat", "km/s", "F"),
    "e_Vflat": ("e_v_flat", "km/s", "F"),
    "Q": ("quality", "---", "I"),
    "Ref.": ("references", "---", "A"),
}
# integer columns and their allowed values (the table's notes 1-3)
_SAMPLE_ALLOWED = {"T": range(0, 12), "f_D": range(1, 6), "Q": range(1, 4)}
_SAMPLE_POSITIVE = ("D", "e_D", "Inc", "L[3.6]", "Rdisk")  # must be > 0
_SAMPLE_NONNEGATIVE = ("e_Inc", "e_L[3.6]", "Reff", "SBeff", "SBdisk", "MHI", "RHI")
_SAMPLE_NONNEGATIVE += ("Vflat", "e_Vflat")
_SAMPLE_MISSING_AS_ZERO = ("RHI", "Vflat", "e_Vflat")  # 0 in the table: not measured


@dataclass(frozen=True)
class SparcSampleGalaxy:
    """One row of SPARC's Table 1 ("Galaxy Sample"), in the units the book uses.

    ``hubble_type`` T (0 = S0 ... 11 = BCD); ``distance`` and ``e_distance``
    (Mpc) and ``distance_method`` (1 Hubble flow, 2 TRGB, 3 Cepheids, 4 Ursa
    Major cluster, 5 supernovae); ``inclination`` and ``e_inclination`` (deg);
    ``luminosity`` and ``e_luminosity``: total 3.6 um luminosity (L_sun, the
    table's 1e9 L_sun times 1e9); ``r_eff`` (kpc) and ``sb_eff`` (L_sun/pc^2);
    ``r_disk`` (kpc) and ``sb_disk0`` (L_sun/pc^2), the exponential disc's scale
    length and central surface brightness; ``hi_mass``: total H I mass (M_sun,
    no helium); ``hi_radius`` (kpc), where the H I surface density is
    1 M_sun/pc^2; ``v_flat`` and ``e_v_flat`` (km/s); ``quality`` Q (1 high,
    2 medium, 3 low); ``references`` of the H I/Halpha data. The table writes 0
    where R_HI or V_flat was not measured; those are NaN here.
    """

    name: str
    hubble_type: int
    distance: float
    e_distance: float
    distance_method: int
    inclination: float
    e_inclination: float
    luminosity: float
    e_luminosity: float
    r_eff: float
    sb_eff: float
    r_disk: float
    sb_disk0: float
    hi_mass: float
    hi_radius: float
    v_flat: float
    e_v_flat: float
    quality: int
    references: str


def _sample_fix(path: Path) -> str:
    root = repo_root()
    if root is not None and path.resolve().parent == (root / "data/sparc").resolve():
        return (
            f"The table is committed in the book's repository as data/sparc/"
            f"{SAMPLE_FILE_NAME}: restore it with `git checkout -- data/sparc`."
        )
    return (
        f"Copy data/sparc/{SAMPLE_FILE_NAME} from the book's repository (sha256 "
        f"{SAMPLE_SHA256}, {SAMPLE_SIZE_BYTES:,} bytes) into {path.parent}."
    )


def load_sparc_sample(
    sparc_dir: str | os.PathLike | None = None, *, sha256: str = SAMPLE_SHA256
) -> dict[str, SparcSampleGalaxy]:
    """SPARC's Table 1: galaxy name -> :class:`SparcSampleGalaxy`, in table order.

    Read from ``<dir>/SPARC_Lelli2016c.mrt``, ``<dir>`` chosen as for
    :func:`load_sparc`. The file's SHA-256 must be ``sha256`` (by default the
    published table's, :data:`SAMPLE_SHA256`) before anything is parsed. The
    header's "Byte-by-byte Description" must list exactly the labels of
    :data:`SAMPLE_COLUMNS`, with their units; each data row is split on
    whitespace and must have one field per label, integers where the format is
    I (and within the table's notes), finite numbers elsewhere, a positive
    distance, inclination, luminosity and disc scale length, an inclination of at
    most 90 deg, and a name not seen before. Anything else raises
    :class:`SparcError` naming the file and the line.
    """
    if not (isinstance(sha256, str) and re.fullmatch(r"[0-9a-f]{64}", sha256)):
        raise ValueError(
            f"sha256 must be 64 lowercase hexadecimal digits, got {sha256!r}."
        )
    directory, how = _resolve_dir(sparc_dir)
    path = directory / SAMPLE_FILE_NAME
    if not path.is_file():
        raise SparcError(
            f"The SPARC galaxy-sample table {path} (directory from {how}) does not "
            f"exist or is not a file. {_sample_fix(path)}"
        )
    data = path.read_bytes()
    actual = _sha256(data)
    if actual != sha256:
        raise SparcError(
            f"The SPARC galaxy-sample table {path} ({len(data):,} bytes) fails its "
            f"checksum: expected sha256 {sha256}, got {actual}; it was edited, "
            f"truncated or converted. {_sample_fix(path)} To read an edited copy on "
            "purpose, pass its own SHA-256 as load_sparc_sample(sha256=...)."
        )
    lines = _ascii_lines(data, path, _sample_fix(path))
    columns, first_data = parse_byte_by_byte(lines, path)
    labels = [col.label for col in columns]
    fix = f"{path} is not SPARC's Table 1 as published. {_sample_fix(path)}"
    if labels != list(SAMPLE_COLUMNS):
        raise SparcError(
            f"{path}: its header lists the columns {', '.join(labels)}; Table 1 has "
            f"{', '.join(SAMPLE_COLUMNS)}. {fix}"
        )
    for col in columns:
        unit = SAMPLE_COLUMNS[col.label][1]
        if col.unit != unit:
            raise SparcError(
                f"{path}: column {col.label} is in {col.unit!r}; expected {unit!r}. "
                f"{fix}"
            )
    body = lines[first_data:]
    while body and not body[-1].strip():
        body = body[:-1]
    if not body:
        raise SparcError(f"{path} has a header but no data rows. {fix}")
    sample: dict[str, SparcSampleGalaxy] = {}
    for k, raw in enumerate(body):
        where = f"{path}, line {first_data + k + 1}"
        fields = raw.split()
        if len(fields) != len(SAMPLE_COLUMNS):
            raise SparcError(
                f"{where} has {len(fields)} whitespace-separated fields; Table 1 has "
                f"{len(SAMPLE_COLUMNS)} ({' '.join(SAMPLE_COLUMNS)}): {raw!r}. {fix}"
            )
        values = {}
        for text_value, (label, (name, _, kind)) in zip(
            fields, SAMPLE_COLUMNS.items(), strict=True
        ):
            at = f"{where}: column {label}"
            if kind == "A":
                values[name] = text_value
                continue
            pattern = _INTEGER if kind == "I" else _NUMBER
            if not pattern.match(text_value):
                raise SparcError(f"{at} is {text_value!r}, not a number. {fix}")
            if kind == "I":
                value = int(text_value)
                if value not in _SAMPLE_ALLOWED[label]:
                    allowed = _SAMPLE_ALLOWED[label]
                    raise SparcError(
                        f"{at} is {value}; the table's notes allow "
                        f"{allowed.start} to {allowed.stop - 1}. {fix}"
                    )
                values[name] = value
                continue
            value = float(text_value)
            if label in _SAMPLE_POSITIVE and not value > 0:
                raise SparcError(f"{at} is {text_value}; it must be positive. {fix}")
            if label in _SAMPLE_NONNEGATIVE and not value >= 0:
                raise SparcError(f"{at} is {text_value}; it cannot be negative. {fix}")
            if label == "Inc" and value > 90:
                raise SparcError(f"{at} is {value} deg, above 90 deg. {fix}")
            if label in _SAMPLE_MISSING_AS_ZERO and value == 0:
                value = float("nan")
            if label in ("L[3.6]", "e_L[3.6]", "MHI"):
                value *= 1e9  # the table's unit is 1e9 L_sun or M_sun
            values[name] = value
        if values["name"] in sample:
            raise SparcError(f"{where}: galaxy {values['name']} appears twice. {fix}")
        sample[values["name"]] = SparcSampleGalaxy(**values)
    return sample

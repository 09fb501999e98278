"""The notation page (chapters/notation.md) is the contract; these tests hold the
Foundations chapters, and the later chapters listed in MORE_CHECKED, to it, where
that can be checked mechanically.

* **Symbols.** Every Greek and calligraphic letter in the mathematics of a
  Foundations chapter (Markdown cells and figure captions) appears on the
  notation page, and every one the page's symbol tables declare is used by
  some chapter (no stale entries).
* **Uses ruled out.** The mathematics avoids the uses the page rules out
  under "One symbol, one meaning": the importance-sampled estimate written
  as a hatted loss with K, Lambda as a precision, m and S as the parameters
  of a Gaussian q, epsilon as noise in data space, mu and sigma^2 as the mean
  and noise variance of linear PPCA.
* **Latin letters, one meaning each.** The page's "letter | meaning | chapters" table gives
  every single Latin letter one row (one meaning) and the chapters that may use it. Every
  Latin letter in the mathematics (display, inline and figure captions) of a chapter of
  LATIN_CHECKED must have a row that names that chapter (or `all`): a letter that a chapter
  uses for a second meaning is either renamed or shows up as a chapter its row does not
  list. Violations are reported chapter by chapter.
* **Names in code.** The code (code cells and the Python of worked solutions)
  uses none of the names the "Names in code" table rules out; `LinearPPCA`
  is called with the table's parameter names; the exact posterior, the
  effective sample size are bound to the table's names; every name the table
  declares is used somewhere (no stale entries).

Each check is a function that returns its violations, and each has a unit test
that feeds it a deliberately wrong snippet and requires the violation to be
found, so none of these tests can pass by checking nothing.
"""

from __future__ import annotations

import ast
import fnmatch
import inspect
import re
from pathlib import Path

import nbformat
import pytest

from vaebook.maths import LinearPPCA

from booktools import toc as book_toc  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTATION = ROOT / "chapters" / "notation.md"
FOUNDATIONS_CAPTION = "Foundations"
# Chapters outside the Foundations that keep to the page too, checked the same way.
# discrete_latents (issue 24) is not checked yet: it uses C, E, P, T, c and others in
# meanings the table gives to other chapters; its letters are to be renamed first.
MORE_CHECKED = ("nonlinear_ppca", "mnist_vae", "rotation_curves")


# --------------------------------------------------------------------------- sources

def foundations_chapters(root: Path = ROOT) -> list[Path]:
    """The notebooks of the Foundations part of _toc.yml, in reading order."""
    try:
        return book_toc.part_notebooks(root, FOUNDATIONS_CAPTION)
    except book_toc.TocError as err:
        raise AssertionError(str(err)) from err


def checked_chapters(root: Path = ROOT) -> list[Path]:
    """The Foundations chapters, then those of MORE_CHECKED (each must exist)."""
    more = [root / "chapters" / f"{name}.ipynb" for name in MORE_CHECKED]
    missing = [p.name for p in more if not p.is_file()]
    assert not missing, f"MORE_CHECKED names chapters that do not exist: {missing}"
    return foundations_chapters(root) + more


def all_chapters(root: Path = ROOT) -> list[Path]:
    return sorted((root / "chapters").glob("*.ipynb"))


FENCE_RE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=fence)\s*$", re.M | re.S)
PYTHON_INFOS = ("python", "{code-cell}", "py", "ipython")


def split_markdown(text: str) -> tuple[str, list[str]]:
    """(prose with Python code blocks and inline code removed, the Python code blocks).

    Directive fences (```{exercise}, ````{solution}, ```{admonition}) hold prose
    and stay; their bodies are searched for nested Python blocks too.
    """
    code_blocks: list[str] = []

    def strip(match: re.Match) -> str:
        info = match.group("info").strip()
        body = match.group("body")
        if info.startswith(PYTHON_INFOS):
            code_blocks.append(body)
            return "\n"
        if info in ("", "text", "bash", "console", "yaml", "bibtex"):
            return "\n"
        return FENCE_RE.sub(strip, body)

    prose = FENCE_RE.sub(strip, text)
    prose = re.sub(r"``[^`]+``|`[^`\n]+`", " ", prose)  # inline code and roles' targets
    return prose, code_blocks


def math_spans(prose: str) -> list[str]:
    """The TeX of every $$...$$ and $...$ span, and of {math} blocks."""
    spans = re.findall(r"\$\$(.+?)\$\$", prose, re.S)
    rest = re.sub(r"\$\$.+?\$\$", " ", prose, flags=re.S)
    # inline maths may run over one line break (not over a blank line)
    spans += re.findall(r"(?<!\\)\$((?:[^$\n]|\n(?!\s*\n))+?)\$", rest)
    return spans


def chapter_text(path: Path) -> tuple[list[str], list[str]]:
    """(math spans of the chapter's prose and figure captions, its Python sources)."""
    nb = nbformat.read(path, as_version=4)
    maths: list[str] = []
    codes: list[str] = []
    for cell in nb.cells:
        caption = cell.metadata.get("mystnb", {}).get("figure", {}).get("caption", "")
        maths += math_spans(split_markdown(caption)[0])
        if cell.cell_type == "markdown":
            prose, blocks = split_markdown(cell.source)
            maths += math_spans(prose)
            codes += blocks
        elif cell.cell_type == "code" and "# Colab setup" not in cell.source:
            codes.append(cell.source)
    return maths, codes


# --------------------------------------------------------------------------- the notation page

def markdown_tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """Every pipe table of a Markdown text as (header cells, rows of cells)."""
    tables = []
    lines = text.splitlines()
    i = 0
    while i < len(lines) - 1:
        if lines[i].startswith("|") and re.match(r"^\|(\s*:?-+:?\s*\|)+\s*$", lines[i + 1]):
            header = split_row(lines[i])
            rows = []
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(split_row(lines[i]))
                i += 1
            tables.append((header, rows))
        else:
            i += 1
    return tables


def split_row(line: str) -> list[str]:
    """Cells of a table row; a | inside $...$ or `...` does not split."""
    cells, current, in_math, in_code = [], "", False, False
    for char in line.strip()[1:-1] if line.strip().endswith("|") else line.strip()[1:]:
        if char == "$" and not in_code:
            in_math = not in_math
        elif char == "`" and not in_math:
            in_code = not in_code
        if char == "|" and not in_math and not in_code:
            cells.append(current.strip())
            current = ""
        else:
            current += char
    cells.append(current.strip())
    return cells


def symbol_tables(text: str) -> list[list[list[str]]]:
    return [rows for header, rows in markdown_tables(text) if header[:2] == ["symbol", "meaning"]]


def names_table(text: str) -> list[list[str]]:
    tables = [rows for header, rows in markdown_tables(text) if header == ["maths", "code", "not"]]
    assert len(tables) == 1, "the notation page must have one 'maths | code | not' table (Names in code)"
    for row in tables[0]:
        assert len(row) == 3, f"Names in code: a row without three cells: {row}"
    return tables[0]


def backticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


# --------------------------------------------------------------------------- symbols

GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi "
    "rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
).split()
GREEK_RE = re.compile(r"\\(" + "|".join(sorted(GREEK, key=len, reverse=True)) + r")(?![A-Za-z])")
CAL_RE = re.compile(r"\\mathcal\s*\{?\s*([A-Za-z])")
CONSTANTS = {r"\pi"}


def symbols_in(maths: list[str]) -> set[str]:
    """The Greek letters and calligraphic capitals (as TeX) used in some math spans."""
    found = {f"\\{m}" for tex in maths for m in GREEK_RE.findall(tex)}
    found |= {f"\\mathcal{{{m}}}" for tex in maths for m in CAL_RE.findall(tex)}
    return found - CONSTANTS


def undeclared_symbols(chapter_maths: list[str], notation_text: str) -> set[str]:
    """Symbols a chapter's mathematics uses that the notation page never mentions."""
    return symbols_in(chapter_maths) - symbols_in(math_spans(split_markdown(notation_text)[0]))


def stale_symbols(notation_text: str, chapters_maths: list[str]) -> set[str]:
    """Symbols in the symbol column of the page's tables that no chapter uses."""
    declared = symbols_in([row[0] for rows in symbol_tables(notation_text) for row in rows])
    return declared - symbols_in(chapters_maths)


# --------------------------------------------------------------------------- Latin letters

# Names rather than letters: the argument of these commands is dropped before letters are read.
NAME_COMMANDS_RE = re.compile(
    r"\\(?:mathrm|operatorname|text|textrm|textit|textbf|mbox|mathbb|mathcal|mathsf|mathbf|label|tag)"
    r"(?![A-Za-z])\s*\*?\s*(?:\{[^{}]*\}|[A-Za-z])"
)
FROBENIUS_RE = re.compile(r"\\(?:rVert|\|)\s*_\s*\{?\s*F\s*\}?")
ENVIRONMENT_RE = re.compile(r"\\(?:begin|end)\s*\{[^{}]*\}")
COMMAND_RE = re.compile(r"\\[A-Za-z]+")


def latin_letters(tex: str) -> set[str]:
    """The single Latin letters of a TeX span: what is left after names and commands go."""
    for pattern in (ENVIRONMENT_RE, FROBENIUS_RE, NAME_COMMANDS_RE, COMMAND_RE):
        tex = pattern.sub(" ", tex)
    return set(re.findall(r"[A-Za-z]", tex))


def display_maths(text: str) -> list[str]:
    """The TeX of every $$...$$ block of a Markdown text (exercises and solutions included)."""
    return re.findall(r"\$\$(.+?)\$\$", split_markdown(text)[0], re.S)


def chapter_display_maths(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [tex for cell in nb.cells if cell.cell_type == "markdown" for tex in display_maths(cell.source)]


LATIN_HEADER = ["letter", "meaning", "chapters"]


def latin_table(text: str) -> dict[str, tuple[str, set[str]]]:
    """The page's "letter | meaning | chapters" table: {letter: (meaning, chapters)}.

    One row per letter (one meaning), one letter per row; the chapters cell lists the chapter
    names (file stems, in backticks) that may use the letter, or `all`.
    """
    tables = [rows for header, rows in markdown_tables(text) if header[:2] == LATIN_HEADER[:2]]
    assert len(tables) == 1, "the notation page must have one 'letter | meaning | chapters' table"
    header = [h for h, rows in markdown_tables(text) if h[:2] == LATIN_HEADER[:2]][0]
    assert header == LATIN_HEADER, f"Latin letters: the table's header must be {LATIN_HEADER}, got {header}"
    table: dict[str, tuple[str, set[str]]] = {}
    for row in tables[0]:
        match = re.fullmatch(r"\$([A-Za-z])\$", row[0])
        assert match, f"Latin letters: the first cell of a row must be one letter in $...$: {row[0]!r}"
        assert match.group(1) not in table, f"Latin letters: {match.group(1)!r} has two rows"
        chapters = set(backticked(row[2]))
        assert chapters, f"Latin letters: the row of {match.group(1)!r} names no chapter (`all` for every one)"
        table[match.group(1)] = (row[1], chapters)
    return table


def misplaced_latin(chapter: str, maths: list[str], table: dict[str, tuple[str, set[str]]]) -> dict[str, list[str]]:
    """{letter: spans} for each letter of the chapter's maths whose row does not list the chapter (or has no row)."""
    found: dict[str, list[str]] = {}
    for tex in maths:
        for letter in sorted(latin_letters(tex)):
            chapters = table.get(letter, ("", set()))[1]
            if "all" not in chapters and chapter not in chapters:
                found.setdefault(letter, []).append(" ".join(tex.split())[:120])
    return found


def undeclared_latin(maths: list[str], declared) -> dict[str, list[str]]:
    """{letter: the spans that use it} for each letter the declared set lacks."""
    found: dict[str, list[str]] = {}
    for tex in maths:
        for letter in sorted(latin_letters(tex) - declared):
            found.setdefault(letter, []).append(" ".join(tex.split())[:120])
    return found


# --------------------------------------------------------------------------- uses ruled out in the maths

# (name, pattern, what to write instead). Patterns run on one math span at a time.
MATH_RULES: list[tuple[str, re.Pattern, str]] = [
    ("hatted loss for the IS estimate",
     re.compile(r"\\hat\s*\{?\s*\\mathcal\s*\{?\s*L\s*\}?\s*\}?\s*_\s*\{?\s*K"),
     r"write the importance-sampled estimate as \log \hat p_K(x)"),
    ("Lambda as a precision",
     re.compile(r"\\Lambda\s*(\^\s*\{\s*-1\s*\}|\^\s*-1|_\s*\{\s*(jj|ij|ii|kk)\s*\})|\\det\s*\\Lambda|\\Lambda\s*=\s*M"),
     r"a precision matrix is \Sigma^{-1} or P; \Lambda holds eigenvalues"),
    ("m as the mean of a Gaussian",
     re.compile(r"\\mathcal\s*\{?\s*N\s*\}?\s*\(\s*(?:[a-z]\s*;\s*)?m(?:_\w+)?\s*,"),
     r"the mean of q is \mu, of the exact posterior \bar z"),
    ("S as the covariance of q or of the posterior",
     re.compile(r"\\mathcal\s*\{?\s*N\s*\}?\s*\((?!\s*(?:x\s*;\s*)?\\bar\s*\{?\s*x)[^()]*,\s*[a-z]?\s*S\s*\)"),
     r"the covariance of q is \Sigma; S is the sample covariance"),
    ("epsilon as noise in data space",
     re.compile(r"\\varepsilon\S*\s*\\sim\s*\\mathcal\s*\{?\s*N\s*\}?\s*\(\s*0\s*,(?!\s*(?:I(?:_\{?d\}?)?|1)\s*\))"
                r"|(?<![\w\\])x(?:_\w+)?\s*=[^=,;]*\\varepsilon|\\varepsilon\s*=\s*x"),
     r"observation noise is \eta ~ N(0, \tau^2 I_D); \varepsilon is the standard normal noise in latent space"),
    ("mu as the mean of PPCA",
     re.compile(r"W\s*z\s*\+\s*\\mu(?![_\w])|\\mu\s*\+\s*W\s*z|(?<![\w\\])x(?:_\w+)?\s*-\s*\\mu(?![_\w])"
                r"|\\mathcal\s*\{?\s*N\s*\}?\s*\(\s*x\s*;\s*\\mu(?![_\w])"),
     r"the mean of linear PPCA is b"),
    ("sigma^2 as the noise variance of PPCA",
     re.compile(r"\\sigma\s*\^\s*\{?2\}?\s*I_\{?D|W\s*\^\s*\{?\\top\}?\s*W\s*\+\s*\\sigma\s*\^\s*\{?2"
                r"|W\s*W\s*\^\s*\{?\\top\}?\s*\+\s*\\sigma\s*\^\s*\{?2|\\sigma\s*\^\s*\{?2\}?\s*M\s*\^"
                r"|\\sigma\s*\^\s*\{?2\}?\s*_\s*\{\s*\\mathrm\{ML\}"),
     r"the noise variance of linear PPCA (and of a decoder) is \tau^2"),
]


def math_violations(maths: list[str]) -> list[str]:
    found = []
    for tex in maths:
        for name, pattern, fix in MATH_RULES:
            match = pattern.search(tex)
            if match:
                found.append(f"{name}: ...{tex[max(0, match.start() - 30):match.end() + 30].strip()}... ({fix})")
    return found


# --------------------------------------------------------------------------- names in code

def parse_python(source: str) -> ast.AST | None:
    """The AST of a code cell or a solution's code block; IPython magics and shell lines are dropped."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def identifiers(tree: ast.AST) -> dict[str, set[str]]:
    """The names a piece of code uses, by kind: 'name', 'attr', 'keyword'."""
    kinds: dict[str, set[str]] = {"name": set(), "attr": set(), "keyword": set()}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            kinds["name"].add(node.id)
        elif isinstance(node, ast.arg):
            kinds["name"].add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            kinds["name"].add(node.name)
        elif isinstance(node, ast.alias):
            kinds["name"].add(node.asname or node.name.split(".")[0])
        elif isinstance(node, ast.Attribute):
            kinds["attr"].add(node.attr)
        elif isinstance(node, ast.keyword) and node.arg:
            kinds["keyword"].add(node.arg)
    return kinds


def banned_names(table: list[list[str]]) -> list[str]:
    return [name for row in table for name in backticked(row[2])]


def is_banned(name: str, kinds: dict[str, set[str]]) -> bool:
    if name.startswith("."):
        return name[1:] in kinds["attr"]
    if name.endswith("="):
        return name[:-1] in kinds["keyword"]
    everything = kinds["name"] | kinds["attr"] | kinds["keyword"]
    if name.endswith("*"):
        return any(fnmatch.fnmatchcase(n, name) for n in everything)
    return name in everything


def call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def code_violations(source: str, table: list[list[str]]) -> list[str]:
    """Names in one piece of code that the table rules out, or binds to the wrong quantity."""
    tree = parse_python(source)
    if tree is None:
        return []
    kinds = identifiers(tree)
    found = [f"uses {name}" for name in banned_names(table) if is_banned(name, kinds)]
    ppca_names = set(ppca_parameter_names(table))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and call_name(node) == "LinearPPCA":
            wrong = {kw.arg for kw in node.keywords} - ppca_names
            if wrong:
                found.append(f"LinearPPCA called with {sorted(wrong)}; the notation names are {sorted(ppca_names)}")
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Call, ast.Subscript)):
            found += binding_violations(node.targets[0], node.value, table)
    return found


def binding_violations(target: ast.AST, value: ast.AST, table: list[list[str]]) -> list[str]:
    """The exact posterior and the ESS must be bound to names that start with the table's names."""
    post_mean, post_cov = code_names_for(table, r"\bar z")[:2]
    ess = code_names_for(table, r"\mathrm{ESS}")[0]
    index = None
    if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Constant):
        index, value = value.slice.value, value.value
    if not isinstance(value, ast.Call):
        return []
    names = [t.id if isinstance(t, ast.Name) else None for t in
             (target.elts if isinstance(target, ast.Tuple) else [target])]
    found = []
    if call_name(value) == "posterior":
        expected = [post_mean, post_cov] if index is None else [[post_mean, post_cov][index]]
        for name, prefix in zip(names, expected):
            if name is not None and name != "_" and not name.startswith(prefix):
                found.append(f"{name} = ...posterior(...): name it {prefix}*")
    if call_name(value) == "effective_sample_size":
        for name in names:
            if name is not None and ess not in name:
                found.append(f"{name} = effective_sample_size(...): the name should contain {ess!r}")
    return found


def code_names_for(table: list[list[str]], maths: str) -> list[str]:
    rows = [row for row in table if maths in row[0]]
    assert rows, f"Names in code: no row for {maths}"
    return backticked(rows[0][1])


def ppca_parameter_names(table: list[list[str]]) -> list[str]:
    rows = [row for row in table if "LinearPPCA" in row[0]]
    assert len(rows) == 1, "Names in code: one row must give the names of LinearPPCA's parameters"
    return [name for name in backticked(rows[0][1]) if "." not in name]


def declared_code_names(table: list[list[str]]) -> set[str]:
    """Every identifier the code column declares (last component of dotted names)."""
    return {name.split(".")[-1] for row in table for name in backticked(row[1])}


def stale_code_names(table: list[list[str]], sources: list[str]) -> set[str]:
    used: set[str] = set()
    for source in sources:
        tree = parse_python(source)
        if tree is not None:
            kinds = identifiers(tree)
            used |= kinds["name"] | kinds["attr"] | kinds["keyword"]
    return declared_code_names(table) - used


# --------------------------------------------------------------------------- the book

NOTATION_TEXT = NOTATION.read_text(encoding="utf-8")
TABLE = names_table(NOTATION_TEXT)
CHAPTERS = checked_chapters()


# Chapters whose displayed maths must use only the page's Latin letters. rotation_curves is left
# out: its physical quantities (M_*, R_d, V_f, c, G, ...) are defined in that chapter.
LATIN_CHECKED = [p for p in CHAPTERS if p.stem != "rotation_curves"]
LATIN = latin_table(NOTATION_TEXT)


@pytest.mark.parametrize("path", LATIN_CHECKED, ids=lambda p: p.stem)
def test_each_latin_letter_keeps_its_one_meaning(path):
    found = misplaced_latin(path.stem, chapter_text(path)[0], LATIN)
    report = [
        f"{letter}: {len(spans)} span(s), e.g. ${spans[0]}$; the table "
        + (f"gives it to {sorted(LATIN[letter][1])} as: {LATIN[letter][0][:80]}" if letter in LATIN else "lacks it")
        for letter, spans in found.items()
    ]
    assert not found, (
        f"{path.name}: Latin letters that the 'letter | meaning | chapters' table of chapters/notation.md "
        "does not give to this chapter (rename them, or, for the same meaning, add the chapter to the "
        "letter's row):\n  " + "\n  ".join(report)
    )


def test_every_latin_letter_on_the_notation_page_is_used_where_it_says():
    used: dict[str, set[str]] = {}
    for path in LATIN_CHECKED:
        for tex in chapter_text(path)[0]:
            for letter in latin_letters(tex):
                used.setdefault(letter, set()).add(path.stem)
    stale = sorted(f"{letter} in {sorted(chapters - used.get(letter, set()))}" for letter, (_, chapters) in
                   LATIN.items() if chapters - used.get(letter, set()) - {"all"})
    unused = sorted(set(LATIN) - set(used))
    assert not stale and not unused, (
        f"chapters/notation.md gives Latin letters to chapters that do not use them: {stale}; unused: {unused}"
    )


def test_the_latin_table_names_only_checked_chapters():
    names = {p.stem for p in LATIN_CHECKED} | {"all"}
    unknown = {letter: sorted(chapters - names) for letter, (_, chapters) in LATIN.items() if chapters - names}
    assert not unknown, f"the Latin-letter table names chapters that are not checked: {unknown}"


def test_the_foundations_are_found():
    names = [p.stem for p in CHAPTERS]
    assert names[:3] == ["latent_variable_models", "elbo", "gradients_through_sampling"], names


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_symbol_is_on_the_notation_page(path):
    missing = undeclared_symbols(chapter_text(path)[0], NOTATION_TEXT)
    assert not missing, f"{path.name} uses {sorted(missing)}, which chapters/notation.md does not list"


def test_every_symbol_on_the_notation_page_is_used():
    maths = [tex for path in all_chapters() for tex in chapter_text(path)[0]]
    stale = stale_symbols(NOTATION_TEXT, maths)
    assert not stale, f"chapters/notation.md lists {sorted(stale)}, which no chapter uses"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_maths_keeps_one_meaning_per_symbol(path):
    found = math_violations(chapter_text(path)[0])
    assert not found, f"{path.name}:\n  " + "\n  ".join(found)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_code_uses_the_names_of_the_notation_page(path):
    found = [v for source in chapter_text(path)[1] for v in code_violations(source, TABLE)]
    assert not found, f"{path.name}:\n  " + "\n  ".join(found)


def test_every_name_in_code_on_the_notation_page_is_used():
    sources = [source for path in all_chapters() for source in chapter_text(path)[1]]
    stale = stale_code_names(TABLE, sources)
    assert not stale, f"chapters/notation.md declares {sorted(stale)}, which no chapter's code uses"


def test_linear_ppca_takes_the_notation_names():
    parameters = list(inspect.signature(LinearPPCA).parameters)
    assert parameters[:3] == ppca_parameter_names(TABLE), parameters
    model = LinearPPCA(W=[[1.0]], b=[0.0], tau2=1.0)
    assert {"W", "b", "tau2"} <= {f.name for f in __import__("dataclasses").fields(model)}


# --------------------------------------------------------------------------- the checks can fail

def test_math_rules_catch_each_wrong_use_and_pass_the_right_one():
    bad = {
        "hatted loss for the IS estimate": [r"\hat{\mathcal{L}}_K(x)", r"\mathbb{E}[\hat{\mathcal{L}}_{K+1}]"],
        "Lambda as a precision": [r"\mathcal{N}(\bar z, \Lambda^{-1})", r"1 / \Lambda_{jj}",
                                  r"\Lambda = M / \sigma^2", r"\log\det\Lambda"],
        "m as the mean of a Gaussian": [r"q(z \mid x) = \mathcal{N}(m, S)", r"\mathcal{N}(z; m, s)"],
        "S as the covariance of q or of the posterior": [r"q = \mathcal{N}(m, sS)", r"\mathcal{N}(\mu, S)"],
        "epsilon as noise in data space": [r"x = Wz + \mu + \varepsilon",
                                           r"\varepsilon \sim \mathcal{N}(0, \sigma^2 I_D)",
                                           r"\varepsilon = x - \mu - Wz"],
        "mu as the mean of PPCA": [r"\mathcal{N}(x; Wz + \mu, \sigma^2 I)", r"M^{-1} W^\top (x - \mu)",
                                   r"p(x) = \mathcal{N}(x; \mu, C)"],
        "sigma^2 as the noise variance of PPCA": [r"WW^\top + \sigma^2 I_D", r"\sigma^2 M^{-1}",
                                                  r"M = W^\top W + \sigma^2 I_d", r"\sigma^2_{\mathrm{ML}}"],
    }
    assert set(bad) == {name for name, _, _ in MATH_RULES}
    for name, snippets in bad.items():
        for snippet in snippets:
            hits = [v.split(":")[0] for v in math_violations([snippet])]
            assert name in hits, f"rule {name!r} misses {snippet!r}"
    good = [
        r"\log \hat p_K(x)", r"\hat{\mathcal{L}}_{\mathrm{B}}", r"S = U \Lambda U^\top", r"U_d \Lambda_d^{1/2} R",
        r"\mathcal{N}(\bar z, \Sigma_{z \mid x})", r"\mathcal{N}(\bar x, S)", r"x = Wz + b + \eta",
        r"z = \mu + \sigma \odot \varepsilon", r"\varepsilon \sim \mathcal{N}(0, I_d)",
        r"\varepsilon \sim \mathcal{N}(0, 1)", r"WW^\top + \tau^2 I_D", r"\mathcal{N}(\mu, \Sigma)",
        r"q = \mathcal{N}(\mu, \operatorname{diag}(\sigma_1^2, \dots, \sigma_d^2))", r"z - \mu",
        r"\mu_\phi(x) = Vx + c", r"\mathcal{N}(x; f_\theta(z), \tau^2 I_D)",
    ]
    assert math_violations(good) == []


def test_symbol_checks_catch_an_undeclared_and_a_stale_symbol():
    page = "| symbol | meaning | shape |\n| --- | --- | --- |\n| $\\tau^2$ | noise | scalar |\n| $\\omega$ | f | n |\n"
    assert undeclared_symbols([r"\tau^2 + \zeta", r"\mathcal{Q}"], page) == {r"\zeta", r"\mathcal{Q}"}
    assert undeclared_symbols([r"\tau^2 \pi"], page) == set()
    assert stale_symbols(page, [r"\tau^2"]) == {r"\omega"}
    assert stale_symbols(page, [r"\tau^2", r"\omega_k"]) == set()


def test_code_checks_catch_wrong_names():
    bad = {
        "model = LinearPPCA(W=W, mu=b, sigma2=0.5)": ["uses mu=", "uses sigma2=", "LinearPPCA called with"],
        "print(model.sigma2, model.mu)": ["uses .sigma2", "uses .mu"],
        "iwae_bound = log_mean_exp(log_w)": ["uses iwae*"],
        "n_samples = 100": ["uses n_samples"],
        "def f(z_logvar):\n    return z_logvar": ["uses z_logvar"],
        "mean, cov = model.posterior(x)": ["mean = ...posterior", "cov = ...posterior"],
        "cov = model.posterior(x)[1]": ["cov = ...posterior"],
        "weights = effective_sample_size(log_w)": ["effective_sample_size"],
    }
    for source, expected in bad.items():
        found = code_violations(source, TABLE)
        for fragment in expected:
            assert any(fragment in v for v in found), f"{source!r}: {fragment!r} not in {found}"
    good = [
        "model = LinearPPCA(W=W, b=b, tau2=0.5)\nprint(model.tau2, model.b)",
        "post_mean, post_cov = model.posterior(x)\npost_mean_2d, _ = model.posterior(x2)",
        "ess = effective_sample_size(log_w)\ness_t = effective_sample_size(log_w, axis=1)",
        "log_p_hat = log_mean_exp(log_w)\nnum_samples = 100",
        "%config InlineBackend.figure_formats = ['retina']\nz_mean, z_log_var = 0.0, 0.0",
    ]
    for source in good:
        assert code_violations(source, TABLE) == [], source


def test_stale_code_names_are_caught():
    table = [["$x$", "`x`, `model.tau2`", ""], ["$K$", "`num_samples`", "`n_samples`"]]
    assert stale_code_names(table, ["x = 1\nprint(model.tau2)"]) == {"num_samples"}
    assert stale_code_names(table, ["x = num_samples = 1\nprint(model.tau2)"]) == set()


def test_markdown_is_split_into_prose_and_python():
    text = (
        "Prose $a + \\mu$ and `code $x$`.\n\n```python\nmodel = LinearPPCA(W, mu=b, sigma2=1)\n```\n\n"
        "````{solution} ex-1\n:class: dropdown\n\nSo $\\tau^2$.\n\n```python\nprint(model.sigma2)\n```\n````\n"
    )
    prose, blocks = split_markdown(text)
    assert math_spans(prose) == ["a + \\mu", "\\tau^2"]
    assert len(blocks) == 2 and "sigma2" in blocks[1]


def test_tables_are_parsed_with_pipes_inside_math():
    text = "| maths | code | not |\n| --- | --- | --- |\n| $p(x \\mid z)$, $|a|$ | `x` | `y` |\n"
    assert markdown_tables(text) == [(["maths", "code", "not"], [["$p(x \\mid z)$, $|a|$", "`x`", "`y`"]])]


def test_latin_letter_checks_catch_an_undeclared_letter():
    page = ("| letter | meaning | chapters |\n| --- | --- | --- |\n| $x$ | an example | `all` |\n"
            "| $z$ | latent | `all` |\n| $K$ | samples | `all` |\n")
    declared = set(latin_table(page))
    assert declared == {"x", "z", "K"}
    # the AEVB box's old sum over L samples: l and L are not declared on this page
    wrong = r"\hat{\mathcal{L}}_{\mathrm{A}} = -\frac{1}{BL} \sum_{i,l} \log q_\phi(z_{i,l} \mid x_i)"
    assert set(undeclared_latin([wrong], declared)) == {"B", "L", "i", "l", "q"}
    # names, commands, environments and the Frobenius F are not letters
    right = (
        r"\begin{aligned} \mathbb{E}_{x}\big[\mathrm{KL}(x \,\Vert\, z)\big] &\overset{\text{(a)}}{=} "
        r"\operatorname{diag}\lVert z \rVert_F + \mathcal{N}(z; 0, \tfrac12) \sum_{k=1}^{K} \exp x_k \end{aligned}"
    )
    assert latin_letters(right) == {"x", "z", "k", "K"}
    assert undeclared_latin([right], declared) == {"k": [" ".join(right.split())[:120]]}
    assert display_maths("text $a$ and\n$$\nx + y\n$$\n") == ["\nx + y\n"]


def test_latin_table_rejects_a_letter_with_two_rows_or_a_row_with_two_letters():
    head = "| letter | meaning | chapters |\n| --- | --- | --- |\n"
    with pytest.raises(AssertionError, match="two rows"):
        latin_table(head + "| $c$ | offset | `elbo` |\n| $c$ | eigenvalue | `kl_term` |\n")
    with pytest.raises(AssertionError, match="one letter"):
        latin_table(head + "| $c_i$ | eigenvalue | `elbo` |\n")
    with pytest.raises(AssertionError, match="names no chapter"):
        latin_table(head + "| $c$ | offset | |\n")
    with pytest.raises(AssertionError, match="header"):
        latin_table("| letter | meaning |\n| --- | --- |\n| $c$ | offset |\n")


def test_a_second_meaning_in_another_chapter_is_caught():
    page = ("| letter | meaning | chapters |\n| --- | --- | --- |\n"
            "| $g$ | a gradient | `gradients_through_sampling` |\n| $x$ | an example | `all` |\n")
    table = latin_table(page)
    # the reparameterization map named g in a chapter the row does not list: caught
    found = misplaced_latin("nonlinear_ppca", [r"x_j \mid z \sim \mathcal{N}(g_j(z), 1)"], table)
    assert set(found) == {"g", "j", "z"}, found  # j and z have no row on this small page
    assert found["g"] == [r"x_j \mid z \sim \mathcal{N}(g_j(z), 1)"]
    # in the chapter the row lists, and a letter given to every chapter: fine
    assert misplaced_latin("gradients_through_sampling", [r"\hat g = \nabla x"], table) == {}
    assert misplaced_latin("elbo", [r"x"], table) == {}
    # inline maths over a line break is one span, so its letters are read (and none of the prose's)
    prose = "the $\\mathbb{E}[f] = a\n+ b$ for every root $L$ of it\n\nand $c$"
    assert math_spans(prose) == ["\\mathbb{E}[f] = a\n+ b", "L", "c"]

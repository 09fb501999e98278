"""The chapters' code is formatted and linted by ruff (pyproject.toml, [tool.ruff]) to the
88 characters the book's code column shows, so no code cell scrolls sideways."""

from __future__ import annotations

import io
import re
import subprocess
import tokenize
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).parent / "ruff"


def ruff(*args: str) -> subprocess.CompletedProcess:
    if not RUFF.is_file():
        pytest.fail(f"ruff is not installed next to {sys.executable}; pip install -r requirements.txt")
    return subprocess.run([str(RUFF), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_chapters_are_formatted_by_ruff():
    result = ruff("format", "--check", "chapters/")
    assert result.returncode == 0, (
        "these chapters are not formatted; run `.venv/bin/ruff format chapters/` and re-execute them:\n"
        + result.stdout + result.stderr)


def test_chapters_pass_ruff_check():
    result = ruff("check", "chapters/")
    assert result.returncode == 0, "`ruff check chapters/` finds:\n" + result.stdout[-5000:] + result.stderr


def test_ruff_catches_a_long_line(tmp_path):
    """The check can fail: a cell line over the width is reported."""
    long_line = "x = " + " + ".join(["1"] * 40) + "  # a comment that makes the line far too long\n"
    (tmp_path / "wide.py").write_text(long_line)
    result = ruff("check", "--config", str(ROOT / "pyproject.toml"), str(tmp_path / "wide.py"))
    assert result.returncode == 1 and "E501" in result.stdout


# ----------------------------------------------------------------- equation references in code
# An equation number typed by hand in a code comment goes stale when a chapter is inserted
# before it (the book numbers equations per chapter), and a raw MyST label such as
# (eq-rc-shmr) is printed as it is in the reader notebooks and on the page: code names the
# equation in words instead ("the reparameterized log q"). Markdown cites equations with
# {eq}`label`, which the book resolves.
HAND_TYPED_EQUATION = re.compile(
    r"\beqs?\.\s*\(?\d+\.\d+"  # eq. (2.6), eq. 1.3, eqs. (1.12)
    r"|\bequations?\s*\(?\d+\.\d+"  # equation (6.7)
    r"|\([1-9]\d?\.\d{1,2}[a-z]?\)(?!\s*[*/+-])"  # a bare (2.5) in a comment or string
    r"|\beq-[a-z][\w-]*"  # a raw label, eq-rc-shmr
    r"|\{eq\}",  # a role, which code does not resolve
    re.IGNORECASE,
)
PYTHON_FENCE = re.compile(r"^```(?:python|py|ipython3?)\s*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def prose_in_code(source: str) -> list[tuple[int, str]]:
    """(line, text) of every comment and string literal in Python ``source``.

    Lines that are IPython magics or shell escapes are blanked first; a source that does not
    tokenize falls back to the text after each ``#``.
    """
    lines = [("" if line.lstrip().startswith(("%", "!")) else line) for line in source.splitlines()]
    text = "\n".join(lines) + "\n"
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [(i + 1, line.split("#", 1)[1]) for i, line in enumerate(lines) if "#" in line]
    kinds = {tokenize.COMMENT, tokenize.STRING}
    kinds |= {getattr(tokenize, "FSTRING_MIDDLE")} if hasattr(tokenize, "FSTRING_MIDDLE") else set()
    return [(tok.start[0], tok.string) for tok in tokens if tok.type in kinds]


def equation_references_in_code(nb) -> list[str]:
    """Hand-typed equation numbers and raw labels in the code of a notebook (code cells and the
    Python blocks of Markdown cells, such as worked solutions), as 'cell N, line M: text'."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            sources = [cell.source]
        elif cell.cell_type == "markdown":
            sources = PYTHON_FENCE.findall(cell.source)
        else:
            continue
        for source in sources:
            for line, text in prose_in_code(source):
                for match in HAND_TYPED_EQUATION.finditer(text):
                    found.append(f"cell {index}, line {line}: {match.group(0)!r} in {text.strip()[:80]!r}")
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "chapters").glob("*.ipynb")), ids=lambda p: p.stem)
def test_code_cites_no_equation_number(path):
    found = equation_references_in_code(nbformat.read(path, as_version=4))
    assert not found, (
        f"{path.name}: code cites equations by hand-typed number or raw label, which go stale "
        "when chapters move; name the equation in words instead:\n  " + "\n  ".join(found))


def test_equation_reference_check_can_fail():
    """Each form the check rules out is found; numbers that are not references are not."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(
            "%matplotlib inline\n"
            "x = 1  # eq. (2.6)\n"
            "y = f(x)  # by eqs. (1.12) and (1.13)\n"
            "z = g(y)  # equation (6.7) below\n"
            "def h():\n"
            '    """Prior-sampling estimate (eq. 1.3)."""\n'
            "w = 2  # form (2.5) = form (2.4)\n"
            "v = 3  # the disc relation (eq-rc-shmr)\n"
            "u = np.sqrt(2.0) * (1.5)  # a threshold of 0.5, (0.25) and 1e-4\n"),
        nbformat.v4.new_markdown_cell("Solution:\n\n```python\nq = 1  # see {eq}`eq-elbo`\n```\n"),
    ])
    found = equation_references_in_code(nb)
    assert len(found) == 10, found
    assert not any("1.5" in item or "0.25" in item for item in found), found


def test_pre_commit_runs_the_same_ruff_on_the_chapters():
    """.pre-commit-config.yaml formats and lints chapters/ with the ruff this test uses."""
    import yaml

    pinned = re.search(r"^ruff==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M)
    assert pinned, "requirements.txt must pin ruff (ruff==X.Y.Z)"
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    for hook_id, command in (("ruff-format", "ruff format"), ("ruff-check", "ruff check")):
        hook = hooks.get(hook_id)
        assert hook, f".pre-commit-config.yaml lacks the {hook_id} hook"
        assert hook["entry"] == command and re.match(hook["files"], "chapters/elbo.ipynb")
        assert hook["additional_dependencies"] == [f"ruff=={pinned.group(1)}"], (
            f"{hook_id} installs {hook['additional_dependencies']}, but requirements.txt pins "
            f"ruff=={pinned.group(1)}: make them agree")

"""Local Sphinx extension for the book (listed under `sphinx: local_extensions` in _config.yml).

It does three small things:

1. **MathJax offline.** If the setup installed MathJax 3 from the npm registry
   (`npm ci`, see package.json), `node_modules/mathjax/es5/tex-mml-chtml.js`
   exists: the build then copies MathJax into `_static/mathjax/` and points
   `mathjax_path` at that copy, so the book renders its maths without a CDN.
   Without the copy, `mathjax_path` is left alone and the usual CDN is used.
2. **Download button.** Makes sure sphinx-book-theme's download button is on.
   **Reader notebooks and the kit.** On a chapter page the download button
   offers the chapter's READER notebook (MyST turned into plain Markdown,
   without the solutions; written at build-finished into
   `notebooks/<chapter>.ipynb` of the HTML output by
   `booktools/build/reader_notebooks.py`) instead of the MyST source, and the Colab
   and Binder launch buttons open the reader notebook committed in the
   repository (`notebooks/<chapter>.ipynb` at `repository: branch:`) instead
   of `chapters/<chapter>.ipynb`. Every HTML build also writes the
   instructors' kit, `kit/student/<chapter>.ipynb` (no solutions) and
   `kit/instructor/<chapter>.ipynb` (the answer key), which the teaching page
   links to.
   **No console errors.** Sets the html_context `default_mode` to "auto" (left
   empty, pydata-sphinx-theme logs "Got invalid theme mode" on every page) and
   drops the duplicate inline scripts that sphinx-thebe and
   sphinx-togglebutton add twice under Sphinx 7.4 (`const THEBE_JS_URL`
   declared twice is a JavaScript error on every page).
3. **Stored-outputs banner.** Near the top of every notebook page, right under
   its title, a one-line note says which run mode produced the stored outputs,
   the data they came from, and how long the full run took. The mode and seed
   are read from the stored output of the cell that calls
   `vaebook.print_run_info` (a `data` line there, if the chapter prints one,
   names the data source); otherwise the data source comes from
   `vaebook_data_sources` (a dict in `sphinx: config:`), else the data are
   said to be simulated in the chapter from its seed.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

MATHJAX_ENTRY = Path("node_modules") / "mathjax" / "es5" / "tex-mml-chtml.js"
MATHJAX_STATIC = "mathjax"  # _static/mathjax/tex-mml-chtml.js


def local_mathjax(srcdir: str | Path) -> Path | None:
    """The es5 directory of the npm copy of MathJax 3, or None when there is none."""
    entry = Path(srcdir) / MATHJAX_ENTRY
    return entry.parent if entry.is_file() else None


def _config_inited(app: Sphinx, config) -> None:
    es5 = local_mathjax(app.srcdir)
    if es5 is not None:
        # Relative paths are relative to _static; the files are copied at build-finished.
        config.mathjax_path = f"{MATHJAX_STATIC}/{MATHJAX_ENTRY.name}"
        app.env_mathjax_es5 = es5  # type: ignore[attr-defined]
        logger.info(f"vaebook: serving MathJax from {es5} (no CDN)")
    else:
        app.env_mathjax_es5 = None  # type: ignore[attr-defined]
        logger.info("vaebook: no local MathJax (run `npm ci`); using the CDN")
    options = dict(config.html_theme_options or {})
    options.setdefault("use_download_button", True)
    config.html_context = {"default_mode": "auto", **(config.html_context or {})}
    config.html_theme_options = options


def _build_finished(app: Sphinx, exception) -> None:
    es5 = getattr(app, "env_mathjax_es5", None)
    if exception is None and es5 is not None and app.builder.format == "html":
        shutil.copytree(es5, Path(app.outdir) / "_static" / MATHJAX_STATIC, dirs_exist_ok=True)
    if exception is None and app.builder.name == "html":  # not singlehtml: other numbers
        from booktools.build.book_numbers import write_numbers

        write_numbers(Path(app.srcdir), app.env)  # for the converter outside a build
        _write_notebooks(app)


# --- reader notebooks, the kit, and the buttons that serve them ----------------

KIT_DIR = "kit"  # <outdir>/kit/student/<chapter>.ipynb, <outdir>/kit/instructor/<chapter>.ipynb


def _reader_module(srcdir):
    """``booktools.build.reader_notebooks`` (the book's root is on ``sys.path``: _config.yml
    lists this extension under ``local_extensions`` with the path ``.``)."""
    from booktools.build import reader_notebooks

    return reader_notebooks


def reader_notebooks(srcdir) -> dict[str, str]:
    """``{docname: path of its reader notebook relative to the book}`` for every chapter."""
    rn = _reader_module(srcdir)
    return {page.docname: f"{rn.READER_DIR}/{page.path.stem}.ipynb"
            for page in rn._toc_pages(Path(srcdir)) if page.path.suffix == ".ipynb"}


def _write_notebooks(app: Sphinx) -> None:
    """Fresh reader notebooks (for the download button) and the kit, into the HTML output."""
    rn = _reader_module(app.srcdir)
    book = rn.Book(Path(app.srcdir), env=app.env)  # this build's numbers
    outdir = Path(app.outdir)
    (outdir / rn.READER_DIR).mkdir(parents=True, exist_ok=True)
    for name, text in rn.generate(book, "reader").items():
        (outdir / rn.READER_DIR / name).write_text(text, encoding="utf-8")
    written = rn.write_kit(outdir / KIT_DIR, book)
    logger.info(f"vaebook: reader notebooks in {rn.READER_DIR}/ and {len(written)} kit "
                f"notebooks in {KIT_DIR}/student/ and {KIT_DIR}/instructor/")


def retarget_buttons(header_buttons: list, reader_url: str, launch_path: str,
                     old_path: str) -> None:
    """Point a chapter page's download button at ``reader_url`` (relative to the page) and
    its launch buttons at ``launch_path`` (the reader notebook, relative to the repository)
    instead of ``old_path`` (the chapter). Changes ``header_buttons`` in place."""
    for group in header_buttons:
        if group.get("label") == "download-buttons":
            for button in group.get("buttons", []):
                if button.get("label") in ("download-source-button", "download-notebook-button"):
                    button.update(url=reader_url, text=".ipynb", label="download-notebook-button",
                                  icon="fas fa-code",
                                  tooltip="Download this chapter as a Jupyter notebook "
                                          "(plain Markdown, solutions left out)")
            # a .md notebook page gets both buttons from the theme: keep one
            buttons, seen = [], False
            for button in group.get("buttons", []):
                if button.get("label") == "download-notebook-button":
                    if seen:
                        continue
                    seen = True
                buttons.append(button)
            group["buttons"] = buttons
        if group.get("label") == "launch-buttons":
            for button in group.get("buttons", []):
                url = button.get("url") or ""
                for old in (f"/./{old_path}", f"/{old_path}"):  # path_to_book "." gives "/./"
                    if url.endswith(old) or f"{old}&" in url:
                        button["url"] = url.replace(old, f"/{launch_path}")
                        break


def _reader_buttons(app: Sphinx, pagename, templatename, context, doctree) -> None:
    targets = getattr(app, "vaebook_reader_notebooks", None)
    if targets is None:
        targets = app.vaebook_reader_notebooks = reader_notebooks(app.srcdir)  # type: ignore
    if pagename not in targets or "header_buttons" not in context:
        return
    path = targets[pagename]
    source = Path(app.env.doc2path(pagename)).relative_to(Path(app.srcdir)).as_posix()
    retarget_buttons(context["header_buttons"], context["pathto"](path, 1), path, source)


def _dedupe_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        key = (str(getattr(js, "filename", js) or ""), tuple(sorted((k, str(v)) for k, v in getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique  # in place: later handlers and the template see the same list


# --- the stored-outputs banner ------------------------------------------------

def run_info(nb: dict) -> dict[str, str]:
    """The `key : value` lines printed by the cell that calls print_run_info."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and "print_run_info" in "".join(cell.get("source", "")):
            text = "".join("".join(o.get("text", "")) for o in cell.get("outputs", []) if o.get("name") == "stdout")
            info: dict[str, str] = {}
            key = None
            for line in text.splitlines():
                m = re.match(r"^([A-Za-z][\w ]*?)\s*:\s*(.+)$", line)
                if m:
                    key = m.group(1).strip()
                    info[key] = m.group(2).strip()
                elif key and line[:1].isspace() and line.strip():  # a wrapped value goes on
                    info[key] += " " + line.strip()
                else:
                    key = None
            return info
    return {}


def banner_text(nb: dict, docname: str, data_sources: dict) -> str | None:
    info = run_info(nb)
    if "run mode" not in info:
        return None
    mode = info["run mode"].split()[0]
    seed = info.get("seed", "?")
    data = info.get("data") or data_sources.get(docname, "").replace("{seed}", seed)
    if not data:
        data = f"simulated in this chapter from seed {seed}"
    # The note is plain text: no Markdown backticks, and no sentence's full stop before ";".
    data = data.replace("`", "").rstrip(" .")
    text = f"Stored outputs: {mode} mode; data: {data}"
    wall = nb.get("metadata", {}).get("vaebook", {}).get("wall_time_s")
    if wall is not None:
        text += f"; the whole notebook ran in {wall:g} s"
    return text + ". Download the notebook (.ipynb) from the download button at the top of the page."


def _doctree_read(app: Sphinx, doctree) -> None:
    docname = app.env.docname
    path = Path(app.env.doc2path(docname))
    if path.suffix != ".ipynb":
        return
    text = banner_text(json.loads(path.read_text(encoding="utf-8")), docname, app.config.vaebook_data_sources)
    if text is None:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    para = nodes.paragraph(text=text)
    box = nodes.container("", para, classes=["vaebook-run-info", "admonition", "note"])
    title_index = next((i for i, child in enumerate(section.children) if isinstance(child, nodes.title)), -1)
    section.insert(title_index + 1, box)


def _hidden_input_in_singlehtml(app: Sphinx) -> None:
    """myst-nb renders a `hide-input` cell (a folded code cell) for the `html` builder
    only; the single-page build of the PDF (`make snapshots`) needs the same handlers."""
    try:
        from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput
    except ImportError:  # another myst-nb layout: the single-page build says what is missing
        return
    app.add_node(HideCodeCellNode, override=True,
                 singlehtml=(visit_HideCellInput, depart_HideCellInput))


def setup(app: Sphinx) -> dict:
    _hidden_input_in_singlehtml(app)
    app.add_config_value("vaebook_data_sources", {}, "env", types=[dict])
    app.connect("config-inited", _config_inited)
    app.connect("doctree-read", _doctree_read)
    app.connect("build-finished", _build_finished)
    # Early: a handler that returns a template name stops the event for later ones.
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    # Late: after sphinx-book-theme made its download and launch buttons (priority 501).
    app.connect("html-page-context", _reader_buttons, priority=900)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}

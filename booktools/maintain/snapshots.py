"""Screenshots of every page of the book and a PDF of the whole book, for review and teaching.

`make snapshots` builds the HTML book (_build/html) and the single-page HTML book
(_build/singlehtml, `jupyter-book build . --builder singlehtml`), then runs this script:

    _build/screenshots/1400/<page>.png  every page, full length, in a 1,400 px wide window
    _build/screenshots/420/<page>.png   the same in a 420 px wide window (a phone)
    _build/pdf/vaebook.pdf              the whole book (A4), with the exercise solutions
                                        (sphinx-togglebutton opens every dropdown to print)

The PDF is the single-page book printed by Chromium after MathJax has typeset every equation;
a print style sheet (PRINT_CSS) drops the navigation, starts each chapter on a new page and
wraps long code lines, and what is still wider than the page (an equation, a table, a figure)
is scaled down to fit, so nothing is cut off. Each PDF is checked: it has pages, and no
equation was left untypeset (no raw `$$`, `\\[` or `\\begin` in its text).

Usage:
    .venv/bin/python -m booktools.maintain.snapshots [--no-screenshots] [--no-pdf] [--widths 1400 420]

Uses the system Chromium (VAEBOOK_CHROMIUM, else `chromium` on the PATH) through Playwright's
Python package; downloads nothing, and aborts every request not to its own local server.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from booktools import ROOT
BUILD = ROOT / "_build"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]
LOCAL_ONLY = re.compile(r"^(?!http://127\.0\.0\.1[:/]).*")
PAPER = {"format": "A4", "margin": {"top": "16mm", "bottom": "16mm",
                                     "left": "15mm", "right": "15mm"}}
PRINT_WIDTH_PX = round((210 - 30) / 25.4 * 96)  # A4 minus the side margins, in CSS px

# Waits until MathJax has typeset the page and every image has loaded.
READY = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const imgs = [...document.images];
  imgs.forEach(img => { img.loading = 'eager'; });
  await Promise.all(imgs.map(img => img.complete ? null : new Promise(ok => {
    img.addEventListener('load', ok); img.addEventListener('error', ok); setTimeout(ok, 10000);
  })));
  if (document.fonts && document.fonts.ready) { await document.fonts.ready; }
  return document.querySelectorAll('mjx-container').length;
}"""

# The print style sheet: only the text column, each chapter on a new page, code wrapped.
PRINT_CSS = """
@page { size: A4; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .bd-footer,
.bd-footer-article, .bd-footer-content, .prev-next-area, .headerlink, .toggle-button,
.skip-link, #pst-back-to-top, .search-button-field, .sidebar-toggle, .dropdown-toggle,
button.btn { display: none !important; }
html, body { background: white !important; }
.bd-content, .bd-article { margin: 0 !important; padding: 0 !important; }
.bd-article-container, .bd-article { overflow: visible !important; }
span[id^="document-"] + section { break-before: page; }
h1, h2, h3, h4 { break-after: avoid; }
figure, img, mjx-container[display="true"], .admonition-title, tr { break-inside: avoid; }
img { max-width: 100% !important; height: auto !important; }
pre { white-space: pre-wrap !important; overflow-wrap: anywhere; overflow: visible !important;
  max-height: none !important; }
.cell_output, .output { max-height: none !important; overflow: visible !important; }
.pst-scrollable-table-container { overflow: visible !important; }
table { font-size: 0.85em; }
td, th { white-space: normal !important; overflow-wrap: break-word; }
"""

# Scales down what is still wider than its column (zoom changes the layout, unlike transform).
FIT = """() => {
  const wide = [];
  const blocks = document.querySelectorAll('mjx-container[display="true"], div.math, '
    + '.pst-scrollable-table-container, article table, figure, .cell_output > .output, pre');
  for (const el of blocks) {
    const box = el.clientWidth, need = el.scrollWidth;
    if (box > 0 && need > box + 1) {
      el.style.zoom = Math.max(0.35, box / need).toFixed(3);
      wide.push(need);
    }
  }
  return wide.length;
}"""

# Equations MathJax did not typeset: a .math element without an mjx-container, or an error.
UNTYPESET = """() => [...document.querySelectorAll('.math')]
  .filter(e => !e.querySelector('mjx-container') || e.querySelector('mjx-merror'))
  .map(e => e.textContent.trim().slice(0, 60))"""

# Links for paper: within the book they become links inside the PDF; a link to another local
# file (a notebook download) would point at this script's server, so it becomes plain text.
LOCAL_LINKS = """() => {
  for (const a of document.querySelectorAll('a[href]')) {
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin) { continue; }
    if (url.pathname === location.pathname && url.hash) { a.setAttribute('href', url.hash); }
    else { a.removeAttribute('href'); }
  }
}"""

OPEN_SOLUTIONS = """() => {
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  document.querySelectorAll('details').forEach(d => { d.open = true; });
}"""


def chromium_path() -> str:
    env = os.environ.get("VAEBOOK_CHROMIUM")
    if env and Path(env).is_file():
        return env
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    sys.exit("no Chromium found: apt-get install chromium, or set VAEBOOK_CHROMIUM")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(directory: Path):
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def pages(html_dir: Path) -> list[str]:
    """Every page of the book (not the redirect, the search page or the index)."""
    skip = {"index.html", "search.html", "genindex.html"}
    return sorted(str(p.relative_to(html_dir)) for p in html_dir.rglob("*.html")
                  if str(p.relative_to(html_dir)) not in skip
                  and not {"_static", "_sources", "_images"} & set(p.relative_to(html_dir).parts))


def open_page(browser, url: str, width: int, height: int = 900):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.route(LOCAL_ONLY, lambda route: route.abort())
    page.goto(url, wait_until="load")
    page.evaluate(READY)
    return page


def screenshots(browser, html_dir: Path, widths: list[int]) -> None:
    with serve(html_dir) as base:
        for width in widths:
            out = BUILD / "screenshots" / str(width)
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            for rel in pages(html_dir):
                page = open_page(browser, base + rel, width)
                name = rel.replace("/", "__").removesuffix(".html") + ".png"
                page.screenshot(path=str(out / name), full_page=True)
                page.close()
            size = sum(f.stat().st_size for f in out.glob("*.png"))
            print(f"{out.relative_to(ROOT)}/: {len(list(out.glob('*.png')))} pages, "
                  f"{size / 1e6:.1f} MB")


def pdf(browser, single_dir: Path, out: Path) -> None:
    """Prints the single-page book, solutions open (sphinx-togglebutton opens them to print)."""
    entry = next(p for p in ("intro.html", "index.html") if (single_dir / p).is_file())
    with serve(single_dir) as base:
        page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": 1100})
        page.route(LOCAL_ONLY, lambda route: route.abort())
        page.emulate_media(media="print")
        page.goto(base + entry, wait_until="load")
        typeset = page.evaluate(READY)
        raw = page.evaluate(UNTYPESET)
        if raw:
            sys.exit(f"{single_dir / entry}: {len(raw)} equation(s) not typeset, e.g. {raw[:2]}")
        page.add_style_tag(content=PRINT_CSS)
        page.evaluate(OPEN_SOLUTIONS)  # before FIT, so that their contents are fitted too
        page.evaluate(LOCAL_LINKS)
        scaled = page.evaluate(FIT)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(out), print_background=True, display_header_footer=True,
                 header_template="<span></span>",
                 footer_template='<div style="font-size:8px;width:100%;text-align:center">'
                                 '<span class="pageNumber"></span> / '
                                 '<span class="totalPages"></span></div>', **PAPER)
        page.close()
    print(f"{out.relative_to(ROOT)}: {check_pdf(out)}, {out.stat().st_size / 1e6:.1f} MB, "
          f"{typeset} equations typeset, {scaled} wide blocks scaled to fit")


def check_pdf(path: Path) -> str:
    """Its page count; fails on untypeset TeX in its text (needs poppler's pdfinfo/pdftotext)."""
    if not (shutil.which("pdfinfo") and shutil.which("pdftotext")):
        return "? pages (install poppler-utils to count them and check the text)"
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    count = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    raw = [tex for tex in ("$$", "\\[", "\\begin{") if tex in text]
    if not count or raw:
        sys.exit(f"{path}: {count} pages; untypeset TeX in its text: {raw}")
    return f"{count} pages"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=BUILD / "html")
    parser.add_argument("--single", type=Path, default=BUILD / "singlehtml")
    parser.add_argument("--widths", type=int, nargs="+", default=[1400, 420])
    parser.add_argument("--no-screenshots", action="store_true")
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    start = time.perf_counter()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        if not args.no_screenshots:
            if not (args.html / "index.html").is_file():
                sys.exit(f"no HTML book at {args.html}: run `make book`")
            screenshots(browser, args.html, args.widths)
        if not args.no_pdf:
            if not (args.single / "intro.html").is_file():
                sys.exit(f"no single-page book at {args.single}: run `.venv/bin/jupyter-book "
                         f"build . --builder singlehtml` (or `make snapshots`)")
            pdf(browser, args.single, BUILD / "pdf" / "vaebook.pdf")
        browser.close()
    print(f"done in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()

"""The rendered book in a real browser (headless Chromium, driven by Playwright).

For every HTML page of _build/html, served on 127.0.0.1: no console errors;
MathJax has typeset every equation (each `.math` element holds an
`mjx-container`, no `mjx-merror`, no raw `$$` or `\\begin` in the visible
text); every image has loaded; every internal link and equation reference
points at a file that exists and an anchor that exists in it. Also: the search
page finds each chapter by a word of its title, and exercise solutions are
hidden until their dropdown is opened. A screenshot of each page is saved to
_build/screenshots/.

Needs a Chromium executable (Debian: `apt-get install chromium`; or set
VAEBOOK_CHROMIUM) and the `playwright` package; no browser is downloaded.
Without them the tests are skipped with the reason, unless
VAEBOOK_REQUIRE_BROWSER=1 (CI sets it), which turns the skip into a failure.
The book is (re)built first if _build/html is missing or older than its sources.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("VAEBOOK_HTML_DIR", ROOT / "_build" / "html"))
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
pytestmark = pytest.mark.book  # needs the built book; `-m "not book"` skips it with the build


def _unavailable(reason: str):
    if os.environ.get("VAEBOOK_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}:
        pytest.fail(f"VAEBOOK_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(reason)


def chromium_path() -> str | None:
    env = os.environ.get("VAEBOOK_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None


def toc_entries() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]


def _sources() -> list[Path]:
    files = [ROOT / n for n in ("_config.yml", "_toc.yml", "references.bib", "intro.md")]
    files += list((ROOT / "chapters").glob("*.*")) + list((ROOT / "_ext").glob("*.py"))
    return [f for f in files if f.is_file()]


@pytest.fixture(scope="module")
def html_dir() -> Path:
    """The built book; builds it (like the book test) when missing or older than its sources."""
    index = HTML / "index.html"
    if "VAEBOOK_HTML_DIR" not in os.environ and (
            not index.is_file() or index.stat().st_mtime < max(f.stat().st_mtime for f in _sources())):
        jb = Path(sys.executable).parent / "jupyter-book"
        result = subprocess.run([str(jb), "build", str(ROOT), "-W", "-n", "--keep-going", "--all"],
                                capture_output=True, text=True, timeout=1200)
        assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert index.is_file(), f"no built book at {HTML}"
    return HTML


@pytest.fixture(scope="module")
def server(html_dir):
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    if executable is None:
        _unavailable("no Chromium found (apt-get install chromium, or set VAEBOOK_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -r requirements.txt)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield b
        b.close()


def pages(html_dir: Path) -> list[str]:
    """Every page of the book, as paths relative to the HTML root."""
    return sorted(str(p.relative_to(html_dir)) for p in html_dir.rglob("*.html")
                  if not {"_static", "_sources", "_images"} & set(p.relative_to(html_dir).parts))


class _Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key == "id" or (tag == "a" and key == "name"):
                self.ids.add(value)


@functools.lru_cache(maxsize=None)
def anchors(path: Path) -> frozenset[str]:
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.ids)


# Runs in the page: waits for MathJax and the images, then reports what it finds.
INSPECT = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const imgs = [...document.images];
  imgs.forEach(img => { img.loading = 'eager'; });
  await Promise.all(imgs.map(img => img.complete ? null :
      new Promise(ok => { img.addEventListener('load', ok); img.addEventListener('error', ok); setTimeout(ok, 5000); })));
  const main = (document.querySelector('main') || document.body).cloneNode(true);
  main.querySelectorAll('pre, code, script, style, .highlight, mjx-container').forEach(e => e.remove());
  const maths = [...document.querySelectorAll('.math')];
  return {
    mathjax: typeof MathJax !== 'undefined' && !!MathJax.startup,
    maths: maths.length,
    untypeset: maths.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.trim().slice(0, 80)),
    containers: document.querySelectorAll('mjx-container').length,
    merrors: [...document.querySelectorAll('mjx-merror')].map(e => e.textContent.slice(0, 80)),
    text: main.textContent,
    broken_images: imgs.filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.getAttribute('src')),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  };
}"""


def check_page(browser, base: str, page_path: str, html_dir: Path) -> list[str]:
    problems: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
    # Hermetic: the book must not need the network (MathJax is served from _static).
    page.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]).*"), lambda route: route.abort())
    page.goto(urljoin(base, page_path), wait_until="load")
    redirect = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', (html_dir / page_path).read_text(), re.I)
    if redirect:  # index.html only sends the reader to the root page: check that target exists
        page.close()
        return check_link(urljoin(urljoin(base, page_path), redirect.group(1)), base, page_path, html_dir)
    info = page.evaluate(INSPECT)
    if info["maths"]:
        if not info["mathjax"]:
            problems.append("page has maths but MathJax did not load")
        if info["untypeset"]:
            problems.append(f"{len(info['untypeset'])} equation(s) not typeset, e.g. {info['untypeset'][:2]}")
        if not info["containers"]:
            problems.append("page has maths but no mjx-container")
    if info["merrors"]:
        problems.append(f"MathJax errors: {info['merrors'][:3]}")
    for raw in ("$$", "\\begin", "\\["):
        if raw in info["text"]:
            i = info["text"].index(raw)
            problems.append(f"raw TeX {raw!r} in the visible text: ...{info['text'][max(0, i - 60):i + 60]!r}")
    problems += [f"image did not load: {src}" for src in info["broken_images"]]
    for href in sorted(set(info["links"])):
        problems += check_link(href, base, page_path, html_dir)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / (page_path.replace("/", "__").removesuffix(".html") + ".png")))
    page.close()
    return problems


def check_link(href: str, base: str, page_path: str, html_dir: Path) -> list[str]:
    if not href.startswith(base):
        return []  # external (not fetched: the test is offline) or javascript:/mailto:
    parts = urlsplit(href)
    rel = unquote(parts.path[len(urlsplit(base).path):]) or "index.html"
    target = html_dir / rel
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return [f"broken link {href} (no file {rel})"]
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in anchors(target):
        return [f"broken anchor {href} (no id {fragment!r} in {rel})"]
    return []


def test_every_page_renders_cleanly(browser, server, html_dir):
    if not (html_dir / "_static" / "mathjax" / "tex-mml-chtml.js").is_file():
        _unavailable("the book was built without a local MathJax (run `npm ci`, then rebuild); "
                     "this offline test cannot load the CDN")
    all_problems = {}
    for page_path in pages(html_dir):
        if page_path == "search.html":
            continue  # checked below, with a query
        problems = check_page(browser, server, page_path, html_dir)
        if problems:
            all_problems[page_path] = problems
    assert not all_problems, "\n".join(f"{p}:\n  " + "\n  ".join(v[:15]) for p, v in all_problems.items())


def test_maths_is_served_locally(html_dir):
    if not (html_dir / "_static" / "mathjax" / "tex-mml-chtml.js").is_file():
        _unavailable("the book was built without a local MathJax (run `npm ci`, then rebuild); it uses the CDN")


def _title_word(entry: str, html_dir: Path) -> str:
    title = re.search(r"<h1>(.*?)<", (html_dir / f"{entry}.html").read_text(), re.S).group(1)
    words = re.findall(r"[A-Za-z]{5,}", title)
    return max(words, key=len).lower()


def test_search_finds_each_chapter(browser, server, html_dir):
    missing = []
    for entry in [e for e in toc_entries() if e.startswith("chapters/") and e != "chapters/bibliography"]:
        word = _title_word(entry, html_dir)
        page = browser.new_page()
        page.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]).*"), lambda route: route.abort())
        page.goto(urljoin(server, f"search.html?q={word}"))
        page.wait_for_selector("#search-results .search-summary, #search-results p", timeout=20000)
        page.wait_for_function("() => !document.querySelector('#search-results h2')"
                               " || !/Searching/.test(document.querySelector('#search-results h2').textContent)",
                               timeout=20000)
        hrefs = page.eval_on_selector_all("#search-results a", "els => els.map(a => a.getAttribute('href'))")
        if not any(h and h.split("?")[0].split("#")[0].endswith(f"{entry}.html") for h in hrefs):
            missing.append(f"search for {word!r} lists no link to {entry}.html (got {hrefs[:5]})")
        page.close()
    assert not missing, "\n".join(missing)


def test_solutions_are_hidden_until_opened(browser, server, html_dir):
    seen = 0
    for entry in [e for e in toc_entries() if (ROOT / f"{e}.ipynb").is_file()]:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]).*"), lambda route: route.abort())
        page.goto(urljoin(server, f"{entry}.html"), wait_until="load")
        solutions = page.locator("div.solution.dropdown")
        assert solutions.count() >= 3, f"{entry}: fewer than three solution dropdowns"
        for i in range(solutions.count()):
            solution = solutions.nth(i)
            body = solution.locator("section").first
            solution.scroll_into_view_if_needed()
            assert not body.is_visible(), f"{entry}: solution {i + 1} is visible before it is opened"
            solution.locator("button.toggle-button").first.click()  # the chevron a reader clicks
            body.wait_for(state="visible", timeout=5000)
            seen += 1
        page.close()
    assert seen

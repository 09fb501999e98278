"""The rendered book in a real browser (headless Chromium, driven by Playwright).

For every HTML page of _build/html, served on 127.0.0.1, in a 1,400 px wide window: no console
errors; MathJax has typeset every equation (each `.math` element holds an `mjx-container`, no
`mjx-merror`, no raw `$$` or `\\begin` in the visible text); every image has loaded; every
internal link and equation reference points at a file that exists and an anchor that exists in
it. Also: the search page finds each chapter by a word of its title, and exercise solutions are
hidden until their dropdown is opened. A screenshot of each page is saved to _build/screenshots/.

Nothing is wider than its box (`test_nothing_is_wider_than_its_box`): with every dropdown
opened, no display equation, table, code cell, code block, cell output or output table needs
more width than it has, i.e. neither its scroll width exceeds its client width (content that
scrolls, is clipped or spills) nor it reaches past the text column. Every offender is listed,
by page, kind and widths, in the failure message and in _build/overflow_report.txt (or the
file named by VAEBOOK_OVERFLOW_REPORT). The same is measured in a 420 px (phone) window and
only reported, in the same file: wide equations and code scroll there, as on any phone.

No local paths (`test_no_local_paths`): no built page, source notebook or search index holds an
absolute path of the machine that built it (/work/, /tmp/, /home/, C:\\Users\\, file:///, ...).

Needs a Chromium executable (Debian: `apt-get install chromium`; or set VAEBOOK_CHROMIUM) and
the `playwright` package; no browser is downloaded. Without them the tests are skipped with the
reason, unless VAEBOOK_REQUIRE_BROWSER=1 (CI sets it), which turns the skip into a failure.
The book is (re)built first if _build/html is missing or older than its sources.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import html.parser
import http.server
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
from booktools import toc as book_toc  # noqa: E402

SCREENSHOTS = ROOT / "_build" / "screenshots"
DESKTOP, PHONE = 1400, 420  # window widths, px
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]
LOCAL_ONLY = re.compile(r"^(?!http://127\.0\.0\.1[:/]).*")  # every other URL is aborted
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
    return [page.docname for page in book_toc.toc_pages(ROOT)]


@pytest.fixture(scope="module")
def html_dir(html_book) -> Path:
    """The book built in this test run (tests/conftest.py), or $VAEBOOK_HTML_DIR."""
    return html_book


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
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const imgs = [...document.images];
  imgs.forEach(img => { img.loading = 'eager'; });
  await Promise.all(imgs.map(img => img.complete ? null : new Promise(ok => {
    img.addEventListener('load', ok); img.addEventListener('error', ok); setTimeout(ok, 5000);
  })));
  const main = (document.querySelector('main') || document.body).cloneNode(true);
  main.querySelectorAll('pre, code, script, style, .highlight, mjx-container')
    .forEach(e => e.remove());
  const maths = [...document.querySelectorAll('.math')];
  return {
    mathjax: typeof MathJax !== 'undefined' && !!MathJax.startup,
    maths: maths.length,
    untypeset: maths.filter(e => !e.querySelector('mjx-container'))
      .map(e => e.textContent.trim().slice(0, 80)),
    containers: document.querySelectorAll('mjx-container').length,
    merrors: [...document.querySelectorAll('mjx-merror')].map(e => e.textContent.slice(0, 80)),
    text: main.textContent,
    broken_images: imgs.filter(img => !(img.complete && img.naturalWidth > 0))
      .map(img => img.getAttribute('src')),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  };
}"""

# Runs in the page: opens every dropdown (a reader may), so that its contents are laid out.
EXPAND = """() => {
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  document.querySelectorAll('details').forEach(d => { d.open = true; });
}"""

# Runs in the page: every display equation, table, code cell or block, and cell output whose
# content needs more width than it has. An element E overflows when E.scrollWidth (the width
# its content needs, padding included) exceeds the width it has: E.clientWidth, or less when E
# itself reaches past the right edge of the text column (article.bd-article, minus padding).
# That catches content that scrolls (overflow auto), is clipped (hidden) or spills (visible).
MEASURE = """async () => {
  if (document.fonts && document.fonts.ready) { await document.fonts.ready; }
  await new Promise(ok => requestAnimationFrame(() => requestAnimationFrame(ok)));
  const column = document.querySelector('article.bd-article') || document.querySelector('main')
    || document.body;
  const colRect = column.getBoundingClientRect();
  const colRight = colRect.right - parseFloat(getComputedStyle(column).paddingRight);
  const tex = new Map();  // mjx-container -> its TeX source
  const doc = window.MathJax && MathJax.startup && MathJax.startup.document;
  if (doc && doc.math) { for (const item of doc.math) { tex.set(item.typesetRoot, item.math); } }
  const squash = s => (s || '').replace(/\\s+/g, ' ').trim();
  const cells = [...document.querySelectorAll('div.cell')];
  const cellOf = el => {
    const cell = el.closest('div.cell');
    if (!cell) { return ''; }
    const pre = cell.querySelector('div.cell_input pre');
    const first = pre ? pre.textContent.split('\\n').find(l => l.trim()) || '' : '';
    return `cell ${cells.indexOf(cell) + 1} (${squash(first).slice(0, 40)})`;
  };
  const section = el => {  // where the element is: its admonition (a solution...) or section
    const admonition = el.closest('.admonition');
    const title = admonition && admonition.querySelector(':scope > .admonition-title');
    if (title) { return `[${squash(title.textContent).slice(0, 45)}]`; }
    const s = el.closest('section[id]');
    return s ? '#' + s.id : '';
  };
  const charWidth = el => {
    const probe = document.createElement('span');
    probe.textContent = '0'.repeat(100);
    el.appendChild(probe);
    const w = probe.getBoundingClientRect().width / 100;
    probe.remove();
    return w || 8;
  };
  const measure = el => {
    if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') {
      return null;  // not laid out
    }
    const left = el.getBoundingClientRect().left + el.clientLeft;
    const box = Math.min(el.clientWidth, Math.floor(colRight - left));
    return el.scrollWidth > box + 1 ? {content: el.scrollWidth, box: box,
      how: el.scrollWidth > el.clientWidth + 1
        ? {auto: 'scrolls', scroll: 'scrolls', hidden: 'clipped', clip: 'clipped'}[
            getComputedStyle(el).overflowX] || 'spills'
        : 'past the column'} : null;
  };
  const lines = el => {  // which lines of a <pre> are too long, in characters
    const cs = getComputedStyle(el);
    const inner = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    const fit = Math.floor(inner / charWidth(el));
    const all = el.textContent.replace(/\\n$/, '').split('\\n');
    const long = all.map((l, i) => [i + 1, l]).filter(([i, l]) => l.length > fit);
    if (!long.length) { return squash(all[0]).slice(0, 60); }
    const [n, l] = long.reduce((a, b) => (b[1].length > a[1].length ? b : a));
    return `${long.length} of ${all.length} line(s) over ${fit} chars; longest: line ${n}, `
      + `${l.length} chars: ${squash(l).slice(0, 60)}`;
  };
  const found = [];
  const add = (kind, el, what) => {
    const m = measure(el);
    if (m) { found.push({kind, what, where: section(el), ...m}); }
    return !!m;
  };
  for (const mjx of document.querySelectorAll('mjx-container[display="true"]')) {
    const block = mjx.closest('.math');  // Sphinx's div.math: the equation number is in it
    const eqno = block && block.querySelector('.eqno');
    const label = eqno ? squash(eqno.textContent).replace(/#$/, '') + ' ' : '';
    const id = block && block.id ? '#' + block.id + ' ' : '';
    const source = squash(tex.get(mjx))
      .replace(/^(\\\\begin\\{(split|aligned|align\\*?|equation\\*?|gathered)\\}\\s*)+/, '');
    const what = label + id + source.slice(0, 50);
    if (!add('equation', mjx, what) && block) { add('equation', block, what); }
  }
  for (const table of document.querySelectorAll('article table')) {
    const out = table.closest('div.cell_output');
    const head = squash([...(table.rows[0] || table).querySelectorAll('th, td')]
      .map(c => squash(c.textContent)).join(' | ')).slice(0, 60);
    add(out ? 'output table' : 'table', table.parentElement,
        (out ? 'output of ' + cellOf(table) + ': ' : '') + head);
  }
  for (const pre of document.querySelectorAll('article pre')) {
    const kind = pre.closest('div.cell_input') ? 'code cell'
      : pre.closest('div.cell_output') ? 'output' : 'code block';
    const m = measure(pre);
    if (m) {
      const where = kind === 'output' ? 'output of ' + cellOf(pre) + ': '
        : kind === 'code cell' ? cellOf(pre).replace(/ \\(.*/, '') + ': ' : '';
      found.push({kind, what: where + lines(pre), where: section(pre), ...m});
    }
  }
  const page = document.documentElement;
  if (page.scrollWidth > window.innerWidth + 1) {
    found.push({kind: 'page', what: 'the whole page scrolls sideways', where: '',
                content: page.scrollWidth, box: window.innerWidth, how: 'scrolls'});
  }
  return found;
}"""


@dataclasses.dataclass
class Rendered:
    problems: list[str] = dataclasses.field(default_factory=list)
    wide: dict[int, list[dict]] = dataclasses.field(default_factory=dict)  # window width -> found
    solutions: int = 0  # solution dropdowns found hidden and opened by a click
    solution_problems: list[str] = dataclasses.field(default_factory=list)


def check_solutions(page, result: Rendered) -> None:
    """Every solution dropdown is hidden until a reader clicks its chevron, then shown."""
    solutions = page.locator("div.solution.dropdown")
    for i in range(solutions.count()):
        solution = solutions.nth(i)
        body = solution.locator("section").first
        solution.scroll_into_view_if_needed()
        if body.is_visible():
            result.solution_problems.append(f"solution {i + 1} is visible before it is opened")
            continue
        solution.locator("button.toggle-button").first.click()  # the chevron a reader clicks
        try:
            body.wait_for(state="visible", timeout=5000)
        except Exception:  # playwright's TimeoutError
            result.solution_problems.append(f"solution {i + 1} does not open when clicked")
            continue
        result.solutions += 1


def check_page(browser, base: str, page_path: str, html_dir: Path) -> Rendered:
    result = Rendered()
    problems = result.problems
    page = browser.new_page(viewport={"width": DESKTOP, "height": 900})
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
    # Hermetic: the book must not need the network (MathJax is served from _static).
    page.route(LOCAL_ONLY, lambda route: route.abort())
    page.goto(urljoin(base, page_path), wait_until="load")
    redirect = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"',
                         (html_dir / page_path).read_text(), re.I)
    if redirect:  # index.html only sends the reader to the root page: check that target exists
        page.close()
        target = urljoin(urljoin(base, page_path), redirect.group(1))
        return Rendered(problems=check_link(target, base, page_path, html_dir))
    info = page.evaluate(INSPECT)
    if info["maths"]:
        if not info["mathjax"]:
            problems.append("page has maths but MathJax did not load")
        if info["untypeset"]:
            problems.append(f"{len(info['untypeset'])} equation(s) not typeset, "
                            f"e.g. {info['untypeset'][:2]}")
        if not info["containers"]:
            problems.append("page has maths but no mjx-container")
    if info["merrors"]:
        problems.append(f"MathJax errors: {info['merrors'][:3]}")
    for raw in ("$$", "\\begin", "\\["):
        if raw in info["text"]:
            i = info["text"].index(raw)
            problems.append(f"raw TeX {raw!r} in the visible text: "
                            f"...{info['text'][max(0, i - 60):i + 60]!r}")
    problems += [f"image did not load: {src}" for src in info["broken_images"]]
    for href in sorted(set(info["links"])):
        problems += check_link(href, base, page_path, html_dir)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = page_path.replace("/", "__").removesuffix(".html") + ".png"
    page.screenshot(path=str(SCREENSHOTS / name))
    check_solutions(page, result)  # before EXPAND opens every dropdown
    page.evaluate(EXPAND)
    for width in (DESKTOP, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        result.wide[width] = page.evaluate(MEASURE)
    page.close()
    return result


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


def overflow_report(rendered: dict[str, Rendered], width: int, details: bool = True) -> str:
    """Every element wider than its box in a `width` px window, grouped by page."""
    found = {p: r.wide.get(width, []) for p, r in rendered.items() if r.wide.get(width)}
    total = sum(map(len, found.values()))
    lines = [f"{width} px window: {total} element(s) wider than their box on "
             f"{len(found)} page(s)"]
    for page_path, items in found.items():
        kinds = collections.Counter(item["kind"] for item in items)
        lines.append(f"{chr(10) if details else '  '}{page_path}: {len(items)} "
                     f"({', '.join(f'{k} {n}' for k, n in kinds.most_common())})")
        for item in items if details else []:
            lines.append(f"  {item['kind']:<12} {item['content']:>5} px in {item['box']:>4} px "
                         f"(+{item['content'] - item['box']}, {item['how']}) "
                         f"{item['where']}  {item['what']}")
    return "\n".join(lines)


def _report_path(html_dir: Path) -> Path:
    default = html_dir.parent / "overflow_report.txt"
    return Path(os.environ.get("VAEBOOK_OVERFLOW_REPORT", default))


@pytest.fixture(scope="module")
def rendered(browser, server, html_dir) -> dict[str, Rendered]:
    """Every page (except search) loaded once: its problems and its too-wide elements."""
    if not (html_dir / "_static" / "mathjax" / "tex-mml-chtml.js").is_file():
        _unavailable("the book was built without a local MathJax (run `npm ci`, then rebuild); "
                     "this offline test cannot load the CDN")
    result = {p: check_page(browser, server, p, html_dir)
              for p in pages(html_dir) if p != "search.html"}  # search: checked with a query
    report = (f"Content wider than its box (tests/test_browser.py; book: {html_dir}).\n"
              f"Each line: kind, width the content needs, width it has (overflow), what happens "
              f"to the excess, section, element.\nThe {DESKTOP} px window fails the test; "
              f"the {PHONE} px (phone) window is only reported.\n\nSummary\n"
              f"{overflow_report(result, DESKTOP, details=False)}\n"
              f"{overflow_report(result, PHONE, details=False)}\n\n\n"
              f"{overflow_report(result, DESKTOP)}\n\n\n{overflow_report(result, PHONE)}\n")
    path = _report_path(html_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report, encoding="utf-8")
    return result


def test_every_page_renders_cleanly(rendered):
    failing = {p: r.problems for p, r in rendered.items() if r.problems}
    assert not failing, "\n".join(f"{p}:\n  " + "\n  ".join(v[:15]) for p, v in failing.items())


def test_nothing_is_wider_than_its_box(rendered, html_dir):
    phone = sum(len(r.wide.get(PHONE, [])) for r in rendered.values())
    print(f"{PHONE} px window (reported, not failed): {phone} element(s) wider than their box; "
          f"see {_report_path(html_dir)}")
    if any(r.wide.get(DESKTOP) for r in rendered.values()):
        pytest.fail(f"{overflow_report(rendered, DESKTOP)}\n\n(also written, with the "
                    f"{PHONE} px report, to {_report_path(html_dir)})", pytrace=False)


# An absolute path of the building machine: a Unix home, work or temporary directory, a
# file:// URL or a Windows user directory. The Colab clone (/content/vaebook) is meant.
LOCAL_PATH = re.compile(
    r"(?:(?<![\w.~:/%-])/(?:work|tmp|root|home|Users|mnt|opt|private|var|srv|usr/local)/[\w.~-]"
    r"|file:///|\b[A-Za-z]:(?:\\{1,4}|/)(?:Users|Documents and Settings)\b)[^\s\"'<>]*", re.I)


# Embedded images (base64 in a data: URL or a notebook's image/png output) are data, not text:
# their payload can spell "/srv/..." by chance, so it is removed before the search.
EMBEDDED_IMAGE = re.compile(
    r'(data:image/[\w+.-]+;base64,|"image/(?:png|jpeg|gif)":\s*")[A-Za-z0-9+/=\\\s]+')


def _without_images(text: str) -> str:
    return EMBEDDED_IMAGE.sub(r"\1", text)


def test_embedded_images_are_not_searched_for_paths():
    blob = "iVBORw0KGg+" + "/srv/54Gtu7d+/UFhjv0K" + "AAAA=="  # as in a real PNG
    for text in (f'<img src="data:image/png;base64,{blob}">', f'"image/png": "{blob}\\n{blob}"'):
        assert LOCAL_PATH.search(text) and not LOCAL_PATH.search(_without_images(text))
    assert LOCAL_PATH.search(_without_images('<p>data in /srv/data/x.csv</p>'))


def test_no_local_paths(html_dir):
    """No page, downloadable notebook or search index holds an absolute local path."""
    found = []
    for path in sorted(html_dir.rglob("*")):
        rel = path.relative_to(html_dir)
        if not path.is_file() or rel.parts[:2] == ("_static", "mathjax") or path.suffix not in {
                ".html", ".js", ".ipynb", ".md", ".txt", ".json", ".css", ".svg", ".inv"}:
            continue
        text = _without_images(path.read_text(encoding="utf-8", errors="replace"))
        for m in LOCAL_PATH.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            context = " ".join(text[max(0, m.start() - 50):m.start() + 70].split())
            local = re.sub(r"(\\n|[.,;:)\]])+$", "", m.group(0))[:80]
            found.append(f"{rel}:{line}: {local}\n    in ...{context}...")
    if found:
        pytest.fail(f"{len(found)} absolute local path(s) in the built book ({html_dir}):\n"
                    + "\n".join(found), pytrace=False)


def test_maths_is_served_locally(html_dir):
    if not (html_dir / "_static" / "mathjax" / "tex-mml-chtml.js").is_file():
        _unavailable("the book was built without a local MathJax (run `npm ci`, then rebuild); "
                     "it uses the CDN")


def _title_word(entry: str, html_dir: Path) -> str:
    title = re.search(r"<h1>(.*?)<", (html_dir / f"{entry}.html").read_text(), re.S).group(1)
    words = re.findall(r"[A-Za-z]{5,}", title)
    assert words, f"{entry}: its title {title!r} has no word of five letters or more to search for"
    return max(words, key=len).lower()


def test_search_finds_each_chapter(browser, server, html_dir):
    missing = []
    for entry in [e for e in toc_entries()
                  if e.startswith("chapters/") and e != "chapters/bibliography"]:
        word = _title_word(entry, html_dir)
        page = browser.new_page()
        page.route(LOCAL_ONLY, lambda route: route.abort())
        page.goto(urljoin(server, f"search.html?q={word}"))
        page.wait_for_selector("#search-results .search-summary, #search-results p", timeout=20000)
        page.wait_for_function(
            "() => !document.querySelector('#search-results h2')"
            " || !/Searching/.test(document.querySelector('#search-results h2').textContent)",
            timeout=20000)
        hrefs = page.eval_on_selector_all("#search-results a",
                                          "els => els.map(a => a.getAttribute('href'))")
        if not any(h and h.split("?")[0].split("#")[0].endswith(f"{entry}.html") for h in hrefs):
            missing.append(f"search for {word!r} lists no link to {entry}.html (got {hrefs[:5]})")
        page.close()
    assert not missing, "\n".join(missing)


def test_solutions_are_hidden_until_opened(rendered):
    """Checked on each chapter's one page load (check_solutions), not by loading it again."""
    chapters = [e for e in toc_entries() if (ROOT / f"{e}.ipynb").is_file()]
    assert chapters
    for entry in chapters:
        result = rendered[f"{entry}.html"]
        assert not result.solution_problems, f"{entry}: {result.solution_problems}"
        assert result.solutions >= 3, f"{entry}: fewer than three solution dropdowns open"

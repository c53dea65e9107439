"""Markup in data, codebooks, parameters and error messages never becomes live in a page.

Every report is run on a copy of the sample survey whose wave, region and channel values,
comments, codebook name, labels, SERVQUAL dimensions, Kano features and journey stages, file
names and ``-p title`` carry ``<img src=x onerror=alert(N)>`` or ``<script>alert(N)</script>``;
each N says where the value came from (:data:`SOURCES`). A page is searched with ``html.parser``
for what a browser would run: an element with an ``on...`` attribute, or a ``<script>`` holding
``alert(``.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
import yaml
from fake_kernel import tiny_notebook

from cxlab import cli, reports
from cxlab.markup import escape_html, escape_markdown
from cxlab.paths import SAMPLE_CODEBOOK, SAMPLE_DATA
from cxlab.reports import list_reports

SOURCES = {
    1: "wave values",
    2: "region (segment) values",
    3: "segment labels",
    4: "item labels",
    5: "codebook name",
    6: "data file name",
    7: "codebook file name",
    9: "error message",
    10: "SERVQUAL dimension names",
    11: "Kano feature names",
    12: "journey stage names",
    13: "comments",
    14: "channel (segment) values",
    22: "-p title",
}


def img(n: int) -> str:
    return f"<img src=x onerror=alert({n})>"


def script(n: int) -> str:
    return f"<script>alert({n})</script>"


class _LiveMarkup(HTMLParser):
    """Finds what a browser would run: a ``<script>`` (a page of ours has none), an ``on...``
    attribute or a ``javascript:`` link, with its place (line, column) in the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, tuple[int, int]]] = []

    def handle_starttag(self, tag, attrs):
        risky = [f"{k}={v}" for k, v in attrs if k.startswith("on")]
        risky += [f"{k}={v}" for k, v in attrs if (v or "").strip().lower().startswith("java")]
        if tag in ("script", "iframe", "object", "embed") or risky:
            self.found.append((f"<{' '.join([tag, *risky])}>", self.getpos()))


def _offset(page: str, line: int, col: int) -> int:
    return sum(len(x) for x in page.splitlines(keepends=True)[: line - 1]) + col


def _where(page: str, offset: int) -> str:
    """The region of the page around a position: frame part, or notebook cell and output kind."""
    before = page[:offset]
    if "<main" not in before or "</main>" in before:
        frame = (
            ("<footer", "footer"),
            ('<nav class="cx-toc"', "contents"),
            ('<header class="cx-header"', "header"),
            ("<title>", "<title>"),
        )
        return next((f"page frame: {name}" for mark, name in frame if mark in before), "frame")
    cell = before.count('<div class="jp-Cell ')
    kinds = {
        "markdown cell": before.rfind("jp-MarkdownCell"),
        "Markdown output": before.rfind("jp-RenderedMarkdown"),
        "HTML output (table)": before.rfind("jp-RenderedHTML "),
        "text output": before.rfind("jp-RenderedText"),
    }
    kind = max(kinds, key=kinds.get)
    element = before[before.rfind("<", 0, before.rfind("<")) :][:40]
    return f"notebook cell {cell}, {kind}, after {element!r}"


def live_markup(page: str) -> list[str]:
    """Each live element as ``"<tag ...> from <source> in <region>"``."""
    parser = _LiveMarkup()
    parser.feed(page)
    parser.close()
    out = []
    for found, (line, col) in parser.found:
        offset = _offset(page, line, col)
        near = re.search(r"alert\((\d+)\)", page[offset : offset + 200])
        source = SOURCES.get(int(near.group(1)), "?") if near else "?"
        out.append(f"{found} from {source} in {_where(page, offset)}")
    return out


def frame_of(page: str) -> str:
    """The page without the notebook's cells (what the runner itself writes)."""
    start, end = page.find("<main"), page.rfind("</main>")
    return page[:start] + page[end:] if start >= 0 and end >= 0 else page


# -- fast: the runner's own parts ------------------------------------------------------------------


def test_markdown_escaping_renders_the_value_as_text():
    from nbconvert.filters.markdown import markdown2html

    value = f"2025Q4{img(1)} **x** [a](b) {script(2)}\n# h"
    rendered = markdown2html(f"**{escape_markdown(value)}: NPS**")
    assert live_markup(rendered) == [] and "<h1" not in rendered and "<a " not in rendered
    assert "2025Q4&lt;img src=x onerror=alert(1)&gt; **x** [a](b)" in rendered


def test_failed_page_and_index_quote_errors_as_text(tmp_path, monkeypatch):
    import papermill
    from fake_kernel import fake_execute

    monkeypatch.setattr(papermill, "execute_notebook", fake_execute)
    nb = tiny_notebook(tmp_path / "t.ipynb", body=f"raise ValueError({script(9) + img(9)!r})")
    out = tmp_path / "reports"
    with pytest.raises(reports.ReportError):
        reports.run_report(nb, parameters={"wave": img(1)}, out_root=out)
    [run] = json.loads((out / "index.json").read_text(encoding="utf-8"))
    for page in (out / "index.html", out / run["html"]):
        text = page.read_text(encoding="utf-8")
        assert live_markup(text) == [], page.name
        assert "&lt;script&gt;alert(9)" in text
    assert all(c not in run["html"] for c in "<> ")  # the file name holds no markup either


# -- slow: every report on hostile data -----------------------------------------------------------

#: The reports whose pages are built by cxlab.pages (every value checked to appear, as text).
PAGES = ("satisfaction", "drivers", "gaps", "journey", "voice")
REPORTS = tuple(list_reports())
#: Known leaks in reports outside cxlab.pages, each with where it comes from.
#: Reports whose pages still leak, with where (none now).
LEAKS: dict[str, str] = {}


def hostile_codebook(book: dict) -> dict:
    """The sample codebook with markup in its name, labels, dimensions, features and stages."""
    book["name"] = f"{book['name']}{img(5)}"
    book["segments"] = {k: f"{v}{img(3)}" for k, v in book["segments"].items()}
    book["stages"] = [f"{s}{img(12)}" for s in book["stages"]]
    for item in book["items"].values():
        if "label" in item:
            item["label"] = f"{item['label']}{script(4)}"
        if "dimension" in item:
            item["dimension"] = f"{item['dimension']}{img(10)}"
        if "feature" in item:
            item["feature"] = f"{item['feature']}{img(11)}"
        if "stage" in item:
            item["stage"] = f"{item['stage']}{img(12)}"
    return book


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    df = pd.read_csv(SAMPLE_DATA, dtype=str, keep_default_na=False)
    df["wave"] = df["wave"] + img(1)
    df["region"] = df["region"] + script(2)
    df["channel"] = df["channel"] + img(14)
    df["comment"] = df["comment"].where(df["comment"] == "", df["comment"] + script(13))
    data = folder / f"survey{img(6)}.csv"
    df.to_csv(data, index=False)
    book = hostile_codebook(yaml.safe_load(SAMPLE_CODEBOOK.read_text(encoding="utf-8")))
    codebook = folder / f"codebook{img(7)}.yaml"
    codebook.write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")
    out = folder / "reports"
    argv = ["report", "all", "--data", str(data), "--codebook", str(codebook)]
    code = cli.main([*argv, "-p", f"title={img(22)}", "--out", str(out), "-q"])
    runs = {r["name"]: r for r in json.loads((out / "index.json").read_text(encoding="utf-8"))}
    return code, out, runs


@pytest.mark.slow
def test_hostile_reports_run(hostile_run):
    code, _, runs = hostile_run
    assert code == cli.EXIT_OK, {n: r.get("error") for n, r in runs.items()}
    assert sorted(runs) == sorted(REPORTS)


@pytest.mark.slow
def test_page_frame_and_index_show_hostile_values_as_text(hostile_run):
    _, out, runs = hostile_run
    page = (out / runs["satisfaction"]["html"]).read_text(encoding="utf-8")
    assert live_markup(frame_of(page)) == []
    assert f"<title>{escape_html(img(22))}</title>" in page
    assert escape_html(img(7)) in page  # the codebook file name, as text
    assert live_markup((out / "index.html").read_text(encoding="utf-8")) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "report",
    [
        pytest.param(r, marks=pytest.mark.xfail(strict=True, reason=LEAKS[r])) if r in LEAKS else r
        for r in REPORTS
    ],
)
def test_whole_page_has_no_live_markup(hostile_run, report):
    _, out, runs = hostile_run
    page = (out / runs[report]["html"]).read_text(encoding="utf-8")
    leaks = live_markup(page)
    assert leaks == [], "\n".join(sorted(set(leaks)))
    if report in PAGES:  # the values are there, as text
        assert "alert(1)" in page and "alert(22)" in page

"""Sharing pages (issue 16): embedded fonts, PDF, a page per unit, small bases, the fast runner."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys

import pytest
from fake_kernel import tiny_notebook

from cxlab import cli, fonts, reports, runner

FONT_URL = re.compile(r'src: url\("data:font/woff2;base64,([A-Za-z0-9+/=]+)"\)')


def embedded_cmap(page: str) -> set[str]:
    """The characters the page's embedded font covers, read back with fontTools."""
    from fontTools.ttLib import TTFont

    [data] = FONT_URL.findall(page)
    return {chr(c) for c in TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()}


def assert_font_covers_page(page: str, name: str) -> None:
    shown = set(fonts.page_characters(page)) - {" "}
    missing = sorted(shown - embedded_cmap(page))
    assert not missing, f"{name}: characters without a glyph in the embedded font: {missing}"
    assert re.search(r"[\u4e00-\u9fff]", "".join(shown)), name


@pytest.fixture
def no_kernel(monkeypatch):
    import papermill

    def boom(*a, **k):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(papermill, "execute_notebook", boom)


# -- names, parameters, index -----------------------------------------------------------------------


def test_unit_pages_are_named_by_column_and_value():
    assert reports.report_stem("satisfaction", {"each": "region", "unit": "华东"}) == (
        "satisfaction--region=华东"
    )
    stem = reports.report_stem("s", {"each": "store", "unit": "店" * 60, "wave": "2025Q4"})
    assert stem.startswith("s--store=" + "店" * 40 + "-") and stem.endswith("--wave=2025Q4")
    other = reports.report_stem("s", {"each": "store", "unit": "店" * 59 + "铺", "wave": "2025Q4"})
    assert stem != other  # long values are hashed: two units never share a file


def test_runner_parameters_need_no_declaration(tmp_path):
    nb = tiny_notebook(tmp_path / "t.ipynb")
    assert reports.check_parameters(nb, {"each": "region", "unit": "华东"}) == {
        "each": "region",
        "unit": "华东",
    }
    with pytest.raises(reports.ReportError, match="`unit` should be text"):
        reports.check_parameters(nb, {"each": "region", "unit": 3})


def test_unknown_each_column_exits_2(tmp_path, capsys):
    code = cli.main(["report", "satisfaction", "--each", "shop", "--out", str(tmp_path), "-q"])
    assert code == cli.EXIT_USAGE
    assert "no such column (segments: region, channel, member_tier)" in capsys.readouterr().err


def test_index_groups_pages_by_unit():
    def run(unit, base, started):
        return {
            "date": "2026-03-02",
            "started": f"2026-03-02T08:00:{started}",
            "name": "satisfaction",
            "stem": f"satisfaction--region={unit}",
            "html": f"2026-03-02/satisfaction--region={unit}.html",
            "pdf": f"2026-03-02/satisfaction--region={unit}.pdf",
            "parameters": {"each": "region", "unit": unit},
            "data": None,
            "status": "succeeded",
            "duration_s": 1.0,
            "each": "region",
            "unit": unit,
            "base": base,
        }

    runs = [run("西部", 12, "03"), run("华东", 400, "02")]
    page = reports.render_index(runs, lang="en", embed_font=False)
    assert "One page per region" in page and "Whole survey" not in page  # no empty table
    whole = {**runs[1], "stem": "satisfaction", "parameters": {}, "each": None, "unit": None}
    assert "Whole survey" in reports.render_index([*runs, whole], lang="en", embed_font=False)
    labelled = reports.render_index([{**r, "each_label": "地区"} for r in runs], embed_font=False)
    assert "按 地区 分页" in labelled and "region" not in labelled.split("<h2")[-1].split("</h2")[0]
    assert page.index("华东") < page.index("西部")  # units in order, not by time
    assert "12 (n &lt; 30, nothing shown)" in page
    assert 'href="2026-03-02/satisfaction--region=华东.pdf">PDF</a>' in page


def test_css_string_cannot_end_the_style_element():
    text = reports.css_string('标题"; } </style><script>alert(1)</script>')
    assert "<" not in text and '"' not in text and "}" not in text and "标题" in text


# -- small bases ------------------------------------------------------------------------------------


def test_small_unit_gets_a_page_without_a_kernel(tmp_path, no_kernel):
    nb = tiny_notebook(tmp_path / "t.ipynb", body="print('secret result')")
    path = reports.run_report(
        nb, parameters={"each": "store", "unit": "S07"}, out_root=tmp_path / "out", base=12
    )
    assert path.name == "t--store=S07.html"
    page = path.read_text(encoding="utf-8")
    assert "secret result" not in page and "<table" not in page.split("cx-header")[-1]
    assert "本期只有 12 位受访者，少于 30 位" in page
    assert "小样本规则：少于 30 位受访者" in page  # the rule, in the footer
    [run] = json.loads((tmp_path / "out" / "index.json").read_text(encoding="utf-8"))
    assert (run["each"], run["unit"], run["base"], run["status"]) == (
        "store",
        "S07",
        12,
        "succeeded",
    )
    assert_font_covers_page(page, path.name)


def test_unit_without_respondents_in_the_period_says_so(tmp_path, no_kernel):
    nb = tiny_notebook(tmp_path / "t.ipynb", body="print('secret result')")
    path = reports.run_report(
        nb, parameters={"each": "store", "unit": "S07"}, out_root=tmp_path / "out", base=0
    )
    page = path.read_text(encoding="utf-8")
    assert "本期没有受访者" in page and "只有 0 位" not in page and "secret result" not in page


def test_min_base_rule_follows_the_parameter(tmp_path, no_kernel):
    nb = tiny_notebook(tmp_path / "t.ipynb")
    nbformat = pytest.importorskip("nbformat")
    book = nbformat.read(nb, as_version=4)
    book.cells[1].source += "\nmin_base: int = 30  # smallest base shown"
    nbformat.write(book, nb)
    path = reports.run_report(
        nb,
        parameters={"each": "store", "unit": "S1", "min_base": 50, "lang": "en"},
        out_root=tmp_path,
        base=40,
    )
    page = path.read_text(encoding="utf-8")
    assert "has 40 respondents this period, fewer than 50" in page
    assert "a unit (--each) with fewer than 50 respondents gets a page saying so" in page


# -- the runner -------------------------------------------------------------------------------------


def test_jsonschema_iri_grammar_is_not_built():
    code = (
        "from cxlab.runner import fast_jupyter_imports; fast_jupyter_imports()\n"
        "import sys, nbformat, nbconvert, papermill\n"
        "nbformat.validate(nbformat.v4.new_notebook())\n"
        "print(sys.modules['rfc3987_syntax'] is None)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_notebook_imports_are_preloaded():
    modules = runner.notebook_imports([reports.notebook_path("satisfaction")])
    assert {"cxlab.pages", "cxlab.notebook"} <= set(modules)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kernels are forked on Linux")
def test_a_forked_kernel_answers_whether_it_is_alive(tmp_path):
    """A client asks its manager whether the kernel lives whenever the kernel is slow to answer
    (a kernel starting on a busy machine). jupyter_client asks a provisioner, which a forked
    kernel has not: the page failed with a bare AssertionError (seen once in CI under load)."""
    import asyncio

    with runner.KernelPool(pages=1, cwd=tmp_path) as pool:
        km = pool.take(tmp_path)
        kc = km.client()
        assert asyncio.run(km._async_is_alive()) and asyncio.run(kc._async_is_alive())
        kc.start_channels()
        asyncio.run(kc.wait_for_ready(timeout=60))  # answers once its kernel has started
        pool.release(km)
        assert not asyncio.run(km._async_is_alive())


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kernels are forked on Linux")
def test_each_page_gets_a_fresh_kernel(tmp_path):
    first = tiny_notebook(
        tmp_path / "a.ipynb",
        body="import os, json\nleak = 1\njson.cxlab_leak = 1\nprint(os.getpid())",
    )
    second = tiny_notebook(
        tmp_path / "b.ipynb",
        body=(
            "import os, json\n"
            "print(os.getpid(), 'leak' in globals(), hasattr(json, 'cxlab_leak'), os.getcwd())"
        ),
    )
    out = tmp_path / "out"
    with runner.KernelPool(pages=2, ahead=2, modules=["json"], cwd=tmp_path) as pool:
        a = reports.run_report(first, out_root=out, kernels=pool)
        b = reports.run_report(second, out_root=out, kernels=pool)
    text_a = json.loads(a.with_suffix(".ipynb").read_text(encoding="utf-8"))["cells"][-1]
    text_b = json.loads(b.with_suffix(".ipynb").read_text(encoding="utf-8"))["cells"][-1]
    pid_a = int(text_a["outputs"][0]["text"][0].split()[0])
    pid_b, leak, module_leak, cwd = "".join(text_b["outputs"][0]["text"]).split()
    assert int(pid_b) != pid_a
    assert (leak, module_leak, cwd) == ("False", "False", str(tmp_path))


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kernels are forked on Linux")
def test_a_failing_cell_in_a_forked_kernel_is_recorded(tmp_path):
    nb = tiny_notebook(tmp_path / "t.ipynb", body="1 / 0")
    with (
        runner.KernelPool(pages=1, cwd=tmp_path) as pool,
        pytest.raises(reports.ReportError, match=r"ZeroDivisionError: division by zero"),
    ):
        reports.run_report(nb, out_root=tmp_path / "out", kernels=pool)
    assert list((tmp_path / "out" / "_failed").rglob("t.html"))


# -- the sample, per unit, with PDFs ----------------------------------------------------------------


def chromium() -> str:
    from cxlab.pdf import PrintError, chromium_path

    try:
        return chromium_path()
    except PrintError:
        pytest.skip("chromium is not installed (apt-get install chromium)")


@pytest.mark.slow
@pytest.mark.browser
def test_each_region_with_pdf_on_the_sample(tmp_path, capsys):
    chromium()
    pytest.importorskip("playwright")
    # 港台 and 西部 have fewer than 200 respondents in 2025Q4: pages that say so and nothing else.
    args = ["report", "satisfaction", "--each", "region", "--pdf", "--jobs", "2"]
    code = cli.main([*args, "-p", "min_base=200", "--out", str(tmp_path), "-q"])
    assert code == cli.EXIT_OK, capsys.readouterr().err
    day = tmp_path / dt.date.today().isoformat()
    pages = sorted(day.glob("*.html"))
    assert [p.stem for p in pages] == [
        f"satisfaction--region={r}--min_base=200" for r in ("华东", "华北", "华南", "港台", "西部")
    ]
    for page in [*pages, tmp_path / "index.html"]:
        assert_font_covers_page(page.read_text(encoding="utf-8"), page.name)
    small = (day / "satisfaction--region=港台--min_base=200.html").read_text(encoding="utf-8")
    assert "少于 200 位" in small and "<img" not in small
    assert (
        "地区 = 港台" in small and "region = " not in small
    )  # the codebook's label, not the column
    big = (day / "satisfaction--region=华东--min_base=200.html").read_text(encoding="utf-8")
    assert "<img" in big and "小样本规则" in big
    assert len(big.encode()) - len(FONT_URL.sub("", big).encode()) < 600_000  # the budget
    for page in pages:
        assert page.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    index = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert {r["unit"]: r["base"] for r in index}["港台"] < 200
    assert {r["each_label"] for r in index} == {"地区"}
    assert all(r["pdf"] for r in index)
    if shutil.which("pdffonts") and shutil.which("pdftotext"):
        pdf = day / "satisfaction--region=华东--min_base=200.pdf"
        listed = subprocess.run(["pdffonts", pdf], capture_output=True, text=True).stdout
        assert "NotoSansCJKsc-Regular" in listed and "CID TrueType" in listed
        text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
        assert "顾客满意度报告" in text and re.search(r"\b1\s*/\s*\d", text)  # page numbers


# -- a unit's page leaves out its own column --------------------------------------------------------


def test_unit_page_does_not_split_by_its_own_column():
    from cxlab.notebook import open_report, report_context
    from cxlab.pages import satisfaction

    ctx = open_report("satisfaction", each="region", unit="华东", lang="en")
    assert ctx.segments == ["channel", "member_tier"]  # the sample's segments less `region`
    chart = satisfaction.segments(ctx).parts[0]
    assert [ax.get_title() for ax in chart.axes] == [ctx.label("channel"), ctx.label("member_tier")]
    assert not any("地区" in str(p) for p in satisfaction.segments(ctx).parts[1:])
    whole = open_report("satisfaction", lang="en")
    assert whole.segments == ["region", "channel", "member_tier"]
    # A codebook whose only segment is the unit's column: one sentence, no chart.
    book = whole.codebook
    only = dataclasses.replace(book, segments={"region": book.segments["region"]})
    sv = dataclasses.replace(whole.survey, codebook=only)
    unit = report_context("satisfaction", sv, lang="en", each="region", unit="华东")
    [sentence] = satisfaction.segments(unit).parts
    assert sentence.startswith("This page holds the respondents of 地区 “华东” only")


def test_report_exporter_matches_nbconvert():
    """The runner's exporter skips nbconvert's BeautifulSoup pass and adds the same ``alt`` texts
    and ``tabindex`` itself: the page must come out as nbconvert's, markup normalised."""
    import nbformat
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    png = base64.b64encode(fonts.subset_woff2("图")[:64]).decode()  # bytes, not a real image
    cell = nbformat.v4.new_code_cell("x", execution_count=1)
    cell.outputs = [
        nbformat.v4.new_output("display_data", {"image/png": png, "text/plain": "<Figure>"}),
        nbformat.v4.new_output(
            "display_data", {"text/html": "<table><tr><td>满意</td></tr></table>"}
        ),
        nbformat.v4.new_output("display_data", {"text/markdown": "**要点** <b>x</b>"}),
        nbformat.v4.new_output("stream", name="stdout", text="hello\n"),
    ]
    md = nbformat.v4.new_markdown_cell('![pic](data:image/png;base64,AAAA) and <img src="x.png">')
    nb = nbformat.v4.new_notebook(cells=[md, cell])
    options = {"exclude_input_prompt": True, "embed_images": True}
    ours, _ = reports._exporter_class()(**options).from_notebook_node(nb)
    stock, _ = HTMLExporter(**options).from_notebook_node(nb)

    def normal(page: str) -> str:
        soup = BeautifulSoup(page, features="html.parser")
        for tag in soup.find_all(True):  # attribute order is the only difference left
            tag.attrs = dict(sorted(tag.attrs.items()))
        return str(soup)

    assert ours.count("<img") == 3 and ours.count(reports.NO_ALT) == 2  # pic has its own alt
    assert ours.count('tabindex="0"') == stock.count('tabindex="0"') > 0
    assert normal(ours) == normal(stock)


def test_notebooks_draw_figures_as_the_rehearsal_does():
    """Kernels forked after a rehearsal start warm only if it drew figures the report pages'
    way (``explore`` is not a report page: it keeps IPython's default)."""
    from cxlab.paths import NOTEBOOKS
    from cxlab.rehearsal import PRINT_FIGURE

    setting = f"%config InlineBackend.print_figure_kwargs = {PRINT_FIGURE!r}".replace("'", '"')
    for path in [NOTEBOOKS / f"{name}.ipynb" for name in reports.list_reports()]:
        first = json.loads(path.read_text(encoding="utf-8"))["cells"]
        sources = ["".join(c["source"]) for c in first if c["cell_type"] == "code"]
        if any("%matplotlib inline" in s for s in sources):
            assert any(setting in s for s in sources), path.name


def test_rehearsal_leaves_the_preloaded_survey_and_no_figure(tmp_path):
    import matplotlib.pyplot as plt

    from cxlab.check import preload_survey, take_preloaded
    from cxlab.rehearsal import rehearse

    preload_survey(None)
    before = take_preloaded(None, keep=True).data.copy()
    done = rehearse("satisfaction", {"each": "region", "unit": "华南", "min_base": "50"})
    assert done == [s.key for s in __import__("cxlab.sections").sections.REPORTS["satisfaction"]]
    survey = take_preloaded(None)
    assert survey is not None and survey.data.equals(before)  # untouched, still handed out
    assert plt.get_fignums() == []
    assert rehearse("tables", {}) == []


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kernels are forked on Linux")
def test_a_rehearsal_changes_nothing_a_page_shows(tmp_path, monkeypatch):
    """Unit pages run after a rehearsal show exactly what they show without one (text, tables
    and figures), apart from the run's time."""
    shown = {}
    for rehearse, at_least in (("on", cli.REHEARSE_FROM), ("off", 10**6)):
        monkeypatch.setattr(cli, "REHEARSE_FROM", at_least)
        out = tmp_path / rehearse
        args = ["report", "satisfaction", "--each", "region", "--jobs", "2", "-q"]
        assert cli.main([*args, "--out", str(out)]) == cli.EXIT_OK
        log = (out / "cxlab.log").read_text(encoding="utf-8")
        assert ("kernels rehearsed satisfaction" in log) == (rehearse == "on")
        for nb in sorted((out / dt.date.today().isoformat()).glob("*.ipynb")):
            cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
            outputs = [o.get("data", o.get("text")) for c in cells for o in c.get("outputs", [])]
            text = json.dumps(outputs[1:], ensure_ascii=False)  # [0]: the header, with the time
            # Table ids and object addresses are drawn afresh in every process.
            text = re.sub(r"T_[0-9a-f]{5}|0x[0-9a-f]+", "", text)
            shown.setdefault(nb.name, []).append(text)
    assert len(shown) == 5
    for name, (on, off) in shown.items():
        assert on == off, name


def test_what_a_module_prints_never_reaches_the_zygotes_replies(tmp_path):
    """Output of an imported module (Python or C level) goes nowhere, not between replies."""
    (tmp_path / "noisy_module.py").write_text(
        "import os\nprint('hello from python')\nos.write(1, b'hello from fd 1\\n')\n"
    )
    request = {"op": "preload", "modules": ["noisy_module"]}
    run = subprocess.run(
        [sys.executable, "-m", "cxlab.zygote"],
        capture_output=True,
        input=(json.dumps(request) + "\n").encode(),
        timeout=60,
        env={**__import__("os").environ, "PYTHONPATH": str(tmp_path)},
        cwd=tmp_path,
    )
    ready, reply = [json.loads(line) for line in run.stdout.splitlines()]
    assert ready["ready"] and reply == {
        "preloaded": ["noisy_module"],
        "failed": {},
        "stopped": False,
    }

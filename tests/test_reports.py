"""cxlab.reports and the CLI: parameters, HTML, index, failures, locks."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from cxlab import cli, reports
from cxlab.paths import NOTEBOOKS


def tiny_notebook(
    path, body="print('你好，世界')", params='wave: str = ""  # survey wave\nn: int = 3  # rows'
):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    p = nbformat.v4.new_code_cell(params)
    p.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 小报告\n\n## 第一节"),
        p,
        nbformat.v4.new_code_cell(body),
    ]
    nbformat.write(nb, path)
    return path


@pytest.fixture
def no_kernel(monkeypatch):
    import papermill

    def boom(*a, **k):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(papermill, "execute_notebook", boom)


def test_accepted_parameters_of_the_satisfaction_report():
    params = reports.accepted_parameters("satisfaction")
    assert {"data", "codebook", "period", "title"} <= set(params)
    assert params["period"]["type"] == "str"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"colour": "red"}, r"has no parameter `colour`. Accepted: data \(str"),
        ({"n_comments": "many"}, r"invalid literal for int\(\).*Accepted:"),
        ({"n_comments": 2.5}, r"`n_comments` should be a int, not float"),
    ],
)
def test_bad_parameters_stop_before_any_kernel(tmp_path, no_kernel, given, message):
    with pytest.raises(reports.ReportError, match=message):
        reports.run_report(
            "satisfaction",
            parameters=given,
            out_root=tmp_path,
            from_text=isinstance(next(iter(given.values())), str),
        )


def test_text_parameters_are_converted(tmp_path):
    nb = tiny_notebook(tmp_path / "t.ipynb")
    assert reports.check_parameters(nb, {"n": "5", "wave": "2025Q1"}, from_text=True) == {
        "n": 5,
        "wave": "2025Q1",
    }


def test_unknown_report_lists_the_available_ones(tmp_path):
    with pytest.raises(
        reports.ReportError, match=r"No report named 'nope'. Available: .*satisfaction"
    ):
        reports.run_report("nope", out_root=tmp_path)


def test_cli_exit_code_for_bad_parameter(capsys):
    assert cli.main(["report", "satisfaction", "-p", "colour=red"]) == cli.EXIT_USAGE
    assert "no report takes parameter(s) ['colour']" in capsys.readouterr().err


def test_lock_held_by_another_run(tmp_path, no_kernel):
    from filelock import FileLock

    nb = tiny_notebook(tmp_path / "t.ipynb")
    out = tmp_path / "reports"
    (out / ".locks").mkdir(parents=True)
    with (
        FileLock(str(out / ".locks" / "t.lock")),
        pytest.raises(reports.ReportLocked, match="another cxlab run is writing it"),
    ):
        reports.run_report(nb, out_root=out, lock_timeout=0.2)


def test_slug_names_shaping_parameters_only():
    assert (
        reports.parameter_slug({"data": "/x/y.csv", "wave": "2025Q4", "title": "T"})
        == "wave=2025Q4"
    )
    assert reports.parameter_slug({}) == ""


@pytest.mark.slow
def test_failed_run_keeps_previous_report_and_records_both(tmp_path):
    out = tmp_path / "reports"
    nb = tiny_notebook(tmp_path / "t.ipynb")
    good = reports.run_report(nb, parameters={"wave": "Q1"}, out_root=out)
    before = good.read_text(encoding="utf-8")
    tiny_notebook(nb, body="1 / 0")
    with pytest.raises(
        reports.ReportError,
        match=r"Report 't' failed: ZeroDivisionError: division by zero \(code cell 2: 1 / 0\)",
    ):
        reports.run_report(nb, parameters={"wave": "Q1"}, out_root=out)
    assert good.read_text(encoding="utf-8") == before  # the earlier page is untouched
    failed = list((out / "_failed").rglob("t--wave=Q1.*"))
    assert sorted(p.suffix for p in failed) == [".html", ".ipynb"]
    partial = next(p for p in failed if p.suffix == ".html").read_text(encoding="utf-8")
    assert (
        "Traceback" not in partial
        and "此单元运行失败：ZeroDivisionError: division by zero" in partial
    )
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in index] == ["failed", "succeeded"]
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "失败" in page and "成功" in page
    assert 'href="' + index[1]["html"] + '"' in page  # relative link
    assert not list(out.glob(".tmp/*"))  # nothing half-written left behind


@pytest.mark.slow
def test_satisfaction_report_is_self_contained_and_shows_no_code(tmp_path):
    out = tmp_path / "reports"
    path = reports.run_report("satisfaction", parameters={"period": "2025Q4"}, out_root=out)
    assert path.name == "satisfaction--period=2025Q4.html"
    html = path.read_text(encoding="utf-8")
    assert "Traceback" not in html
    assert "import " not in html  # code cells hidden
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)  # nothing from another host
    assert "推荐意愿" in html and "目录" in html
    assert "data:image/png;base64" in html
    assert re.search(r"SHA-256 [0-9a-f]{64}", html)  # provenance in the footer
    assert path.with_suffix(".ipynb").exists()
    # The shared page carries no personal data planted in the sample comments.
    assert not re.search(r"1[3-9]\d{9}|@example\.com", html)


def test_every_notebook_is_stored_without_outputs():
    for path in NOTEBOOKS.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, path.name
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged `parameters`"


@pytest.mark.slow
def test_every_report_runs_on_the_sample_two_at_a_time(tmp_path, capsys):
    # `cxlab report all --jobs 2`, with a small bootstrap so that CI stays quick.
    code = cli.main(
        ["report", "all", "--jobs", "2", "--out", str(tmp_path), "-p", "n_boot=30", "-q"]
    )
    assert code == cli.EXIT_OK, capsys.readouterr().err
    index = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert sorted(r["name"] for r in index) == sorted(reports.list_reports())
    assert {r["status"] for r in index} == {"succeeded"}
    for r in index:
        html = (tmp_path / r["html"]).read_text(encoding="utf-8")
        assert "Traceback" not in html and "data:image/png;base64" in html, r["name"]


def test_prune_removes_old_dated_folders_and_index_entries(tmp_path):
    import datetime as dt

    for day in ("2026-01-01", "2026-03-01", "not-a-date"):
        (tmp_path / day).mkdir()
    (tmp_path / "_failed" / "2026-01-02").mkdir(parents=True)
    runs = [
        {
            "date": d,
            "stem": "x",
            "status": "succeeded",
            "html": f"{d}/x.html",
            "parameters": {},
            "data": None,
            "started": f"{d}T00:00:00",
            "duration_s": 1.0,
        }
        for d in ("2026-01-01", "2026-03-01")
    ]
    (tmp_path / "index.json").write_text(json.dumps(runs), encoding="utf-8")
    removed = reports.prune(tmp_path, 30, today=dt.date(2026, 3, 10))
    assert sorted(p.name for p in removed) == ["2026-01-01", "2026-01-02"]
    assert (tmp_path / "2026-03-01").exists() and (tmp_path / "not-a-date").exists()
    assert [
        r["date"] for r in json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    ] == ["2026-03-01"]


def test_newest_data_file(tmp_path):
    import os

    for i, name in enumerate(["a.csv", "codebook.yaml", "b.xlsx"]):
        (tmp_path / name).write_text("x")
        os.utime(tmp_path / name, (1000 + i, 1000 + i))
    assert reports.newest_data_file(tmp_path).name == "b.xlsx"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(reports.ReportError, match="No survey file"):
        reports.newest_data_file(empty)


def test_language_cells_are_filtered():
    nb = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_markdown_cell(t) for t in ("## 样本", "## Sample", "both")]
    cells[0].metadata["tags"] = ["lang-zh"]
    cells[1].metadata["tags"] = ["lang-en"]
    nb.cells = cells
    assert [c.source for c in reports._for_language(nb, "en").cells] == ["## Sample", "both"]
    assert [c.source for c in reports._for_language(nb, "zh").cells] == ["## 样本", "both"]


def test_unknown_language_stops_before_any_kernel(tmp_path, no_kernel):
    with pytest.raises(
        reports.ReportError, match=r"`lang` should be one of \['en', 'zh'\], not 'fr'"
    ):
        reports.run_report("satisfaction", parameters={"lang": "fr"}, out_root=tmp_path)


@pytest.mark.slow
def test_kernel_log_stays_out_of_the_terminal(tmp_path, capfd):
    # ipykernel warns "Kernel is running over TCP without encryption" on every start; in cron
    # that line would be mailed after every run (issue 16).
    nb = tiny_notebook(tmp_path / "t.ipynb")
    reports.run_report(nb, out_root=tmp_path / "reports", progress=False)
    assert "without encryption" not in capfd.readouterr().err


def test_index_words_come_from_the_catalogue():
    run = {
        "date": "2026-01-05",
        "started": "2026-01-05T08:00:00",
        "stem": "x",
        "html": None,
        "parameters": {},
        "data": None,
        "status": "failed",
        "duration_s": 1.0,
        "error": "boom",
    }
    en = reports.render_index([run], lang="en")
    assert "cxlab report index" in en and ">failed<" in en and not re.search(r"[\u4e00-\u9fff]", en)
    zh = reports.render_index([], lang="zh")
    assert "cxlab 报告索引" in zh and "还没有报告" in zh


@pytest.mark.slow
def test_english_report(tmp_path):
    html = reports.run_report(
        "drivers", parameters={"lang": "en", "n_boot": 30}, out_root=tmp_path
    ).read_text(encoding="utf-8")
    assert "Key-driver analysis" in html and "Relative importance" in html and "Contents" in html
    assert "关键驱动因素分析" not in html and "目录" not in html
    assert "Fix first" in html  # the generated summary is in English too

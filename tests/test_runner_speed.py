"""The fast runner's mechanisms: a light parser, libyaml, the font cache, the survey read once.

Each cache is checked both ways: a hit gives what a miss gives, and a changed file is never
served stale.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from fake_kernel import tiny_notebook

from cxlab import check, cli, fonts, reports, runner
from cxlab.paths import NOTEBOOKS, SAMPLE_DIR
from cxlab.safe_yaml import UniqueKeyLoader

HEAVY = ("scipy", "pandas", "statsmodels", "cxlab.tables", "cxlab.loop.alerts")


def test_the_report_parser_imports_no_analysis_module():
    code = (
        "import sys\nfrom cxlab import cli\n"
        "cli._parser(cli._command(['report', 'satisfaction'])).parse_args(['report', 'x'])\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_the_tables_and_followup_options_are_there_when_asked_for():
    argv = ["tables", "-o", "b.xlsx", "--compare", "total"]
    assert cli._parser(cli._command(argv)).parse_args(argv).compare == "total"
    argv = ["followup", "--each", "region"]
    assert cli._parser(cli._command(argv)).parse_args(argv).each == "region"
    assert cli._command(["--version"]) is None


def test_codebooks_are_parsed_by_libyaml_with_the_same_result():
    if getattr(yaml, "__with_libyaml__", False):
        assert issubclass(UniqueKeyLoader, yaml.CSafeLoader)
    text = (SAMPLE_DIR / "codebook.yaml").read_text(encoding="utf-8")
    assert yaml.load(text, Loader=UniqueKeyLoader) == yaml.safe_load(text)


# -- fonts -----------------------------------------------------------------------------------------


@pytest.fixture
def font_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CXLAB_CACHE_DIR", str(tmp_path / "cache"))
    fonts.subset_woff2.cache_clear()
    yield tmp_path / "cache" / "fonts"
    fonts.subset_woff2.cache_clear()


def test_a_font_cache_hit_gives_the_bytes_of_a_miss(font_cache, monkeypatch):
    chars = "满意度调查 NPS"
    cut = fonts.subset_woff2(chars)  # a miss: cut, then kept on disk
    assert [p.name for p in font_cache.iterdir()] == [f"{fonts.woff2_key(chars)}.woff2"]
    fonts.subset_woff2.cache_clear()

    def never(_):
        raise AssertionError("cut again despite the cache")

    monkeypatch.setattr(fonts, "_cut", never)
    assert fonts.subset_woff2(chars) == cut  # a hit, read from disk
    monkeypatch.undo()
    assert fonts._cut(chars) == cut  # and what a fresh cut gives


def test_a_damaged_cache_file_is_cut_again(font_cache):
    chars = "顾客原话"
    good = fonts.subset_woff2(chars)
    fonts.subset_woff2.cache_clear()
    (font_cache / f"{fonts.woff2_key(chars)}.woff2").write_bytes(b"half a fo")
    assert fonts.subset_woff2(chars) == good


def test_another_font_file_or_recipe_gets_another_key(font_cache, monkeypatch, tmp_path):
    key = fonts.woff2_key("满意")
    copy = tmp_path / "copy.ttc"
    copy.symlink_to(fonts.font_path())
    monkeypatch.setattr(fonts, "font_path", lambda: copy)
    assert fonts.woff2_key("满意") != key
    monkeypatch.undo()
    monkeypatch.setattr(fonts, "_RECIPE", "another recipe")
    assert fonts.woff2_key("满意") != key


def test_every_font_holds_the_digits_so_that_a_run_time_does_not_change_its_key(font_cache):
    assert fonts.font_face_css("满意 12:05") == fonts.font_face_css("满意 3.7")


def test_the_disk_cache_can_be_turned_off(font_cache, monkeypatch):
    monkeypatch.setenv("CXLAB_CACHE_DIR", "off")
    fonts.subset_woff2("满")
    assert not font_cache.exists()


def test_the_disk_cache_keeps_the_most_recently_used_subsets(font_cache, monkeypatch):
    """A daily run may cut a new subset for every page: the cache keeps MAX_CACHED, dropping
    the least recently used (a hit counts as a use)."""
    monkeypatch.setattr(fonts, "MAX_CACHED", 2)
    first, second, third = "满", "意", "度"
    for i, chars in enumerate((first, second)):
        fonts.subset_woff2(chars)
        path = font_cache / f"{fonts.woff2_key(chars)}.woff2"
        os.utime(path, ns=(10**18 + i, 10**18 + i))  # cut in this order
    fonts.subset_woff2.cache_clear()
    fonts.subset_woff2(first)  # read from disk: now the most recently used
    fonts.subset_woff2(third)  # a third subset: the least recently used one goes
    kept = {p.name for p in font_cache.iterdir()}
    assert kept == {f"{fonts.woff2_key(c)}.woff2" for c in (first, third)}


# -- the survey, read once -------------------------------------------------------------------------


def _copy_sample(folder: Path) -> Path:
    for name in ("survey.csv", "codebook.yaml"):
        shutil.copy(SAMPLE_DIR / name, folder / name)
    return folder / "survey.csv"


def _touch_later(path: Path) -> None:
    later = time.time() + 5
    os.utime(path, (later, later))


def test_a_changed_codebook_is_not_served_stale(tmp_path):
    data = _copy_sample(tmp_path)
    first = check.load_checked(data)
    assert check.load_checked(str(data)) is first  # unchanged files: read once
    book = tmp_path / "codebook.yaml"
    text = book.read_text(encoding="utf-8")
    book.write_text(text.replace(f"name: {first.codebook.name}", "name: 改过的名字", 1), "utf-8")
    _touch_later(book)
    again = check.load_checked(data)
    assert again is not first and again.codebook.name == "改过的名字"


def test_a_changed_data_file_is_not_served_stale(tmp_path):
    data = _copy_sample(tmp_path)
    first = check.load_checked(data)
    lines = data.read_text(encoding="utf-8").splitlines(keepends=True)
    data.write_text("".join(lines[:101]), encoding="utf-8")
    _touch_later(data)
    assert len(check.load_checked(data).data) < len(first.data)


def test_a_preloaded_survey_is_handed_out_once_and_only_for_its_files(tmp_path):
    data = _copy_sample(tmp_path)
    check.preload_survey(data)
    assert check.take_preloaded(None) is None  # another survey (the sample): not this one
    check.preload_survey(data)
    _touch_later(data)
    assert check.take_preloaded(data) is None  # the file changed since
    check.preload_survey(data)
    assert check.take_preloaded(str(data)) is not None
    assert check.take_preloaded(str(data)) is None  # handed out once


def test_an_edited_notebook_declares_its_new_parameters(tmp_path):
    nb = tiny_notebook(tmp_path / "t.ipynb")
    assert set(reports.accepted_parameters(nb)) == {"wave", "lang"}
    book = json.loads(nb.read_text(encoding="utf-8"))
    cell = next(c for c in book["cells"] if "parameters" in c["metadata"].get("tags", []))
    cell["source"] = 'wave: str = ""  # survey wave\nregion: str = ""  # a region'
    nb.write_text(json.dumps(book), encoding="utf-8")
    _touch_later(nb)
    assert set(reports.accepted_parameters(nb)) == {"wave", "region"}


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kernels are forked on Linux")
def test_each_forked_kernel_finds_the_preloaded_survey_and_stays_fresh(tmp_path):
    body = (
        "import os\nfrom cxlab.check import take_preloaded\n"
        "sv = take_preloaded(None)\n"
        "print(os.getpid(), sv is not None, 'mine' in sv.data.columns)\n"
        "sv.data['mine'] = 1  # changes this kernel's copy only"
    )
    first = tiny_notebook(tmp_path / "a.ipynb", body=body)
    second = tiny_notebook(tmp_path / "b.ipynb", body=body)
    out = tmp_path / "out"
    survey = {"data": "", "codebook": ""}
    with runner.KernelPool(pages=2, ahead=1, cwd=tmp_path, survey=survey) as pool:
        pages = [reports.run_report(nb, out_root=out, kernels=pool) for nb in (first, second)]
    printed = []
    for page in pages:
        cell = json.loads(page.with_suffix(".ipynb").read_text(encoding="utf-8"))["cells"][-1]
        printed.append("".join(cell["outputs"][0]["text"]).split())
    assert printed[0][0] != printed[1][0]
    assert [p[1:] for p in printed] == [["True", "False"], ["True", "False"]]


# -- parameters without papermill, the survey checked in the zygote, min_base ----------------------


@pytest.mark.parametrize("notebook", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_the_parameter_reader_equals_papermills(notebook):
    import papermill

    path = NOTEBOOKS / notebook
    old = {
        k: {"type": v["inferred_type_name"], "default": v["default"], "help": v["help"]}
        for k, v in papermill.inspect_notebook(str(path)).items()
    }
    assert reports.parse_parameters(reports._parameters_source(path)) == old
    assert list(reports.accepted_parameters(path)) == list(old)


def _zygote_replies(*requests: dict) -> list[dict]:
    lines = "".join(json.dumps(r) + "\n" for r in requests).encode()
    done = subprocess.run(
        [sys.executable, "-m", "cxlab.zygote"], input=lines, capture_output=True, timeout=120
    )
    return [json.loads(line) for line in done.stdout.splitlines()][1:]  # after {"ready": true}


def test_a_single_pages_preload_stops_when_the_kernel_is_asked_for():
    modules = ["json", "csv", "wave"]
    stopped, full = _zygote_replies(
        {"op": "preload", "modules": modules, "until_asked": True},
        {"op": "preload", "modules": modules},
    )
    assert stopped == {"preloaded": [], "failed": {}, "stopped": True}  # a request was waiting
    assert full["preloaded"] == modules and not full["stopped"]


def test_the_zygote_checks_the_survey_and_says_what_to_fix(tmp_path):
    data = _copy_sample(tmp_path)
    book = tmp_path / "codebook.yaml"
    request = {"op": "check", "data": str(data), "reports": ["satisfaction"], "each": "region"}
    (good,) = _zygote_replies(request)
    assert good["facts"]["applicable"] == {"satisfaction": True}
    assert good["facts"]["bases"][""]["华东"] == 446
    book.write_text(book.read_text(encoding="utf-8").replace("type: nps", "type: npx", 1), "utf-8")
    (bad,) = _zygote_replies(request)
    assert "npx" in bad["error"] and not bad.get("fault")
    assert check.plan_pages(None, reports=["nope"])["applicable"] == {}


@pytest.fixture
def no_cell(monkeypatch):
    import papermill

    def boom(*a, **k):
        raise AssertionError("a cell ran")

    monkeypatch.setattr(papermill, "execute_notebook", boom)


@pytest.mark.parametrize("kernels", ["forked", "plain"])
def test_a_data_error_exits_2_before_any_cell(tmp_path, no_cell, monkeypatch, capsys, kernels):
    if kernels == "plain":
        monkeypatch.setenv("CXLAB_KERNELS", "plain")
    data = _copy_sample(tmp_path)
    book = tmp_path / "codebook.yaml"
    good = book.read_text(encoding="utf-8")
    book.write_text(good.replace("type: nps", "type: npx", 1), "utf-8")
    argv = ["report", "satisfaction", "--data", str(data), "--out", str(tmp_path / "o"), "-q"]
    assert cli.main(argv) == cli.EXIT_USAGE
    assert "npx" in capsys.readouterr().err
    book.write_text(good, "utf-8")
    _touch_later(book)
    assert cli.main([*argv[:-1], "--each", "shop"]) == cli.EXIT_USAGE
    assert "no such column" in capsys.readouterr().err


def _min_base_notebook(tmp_path: Path, *, codebook_min_base: int) -> tuple[Path, dict]:
    nbformat = pytest.importorskip("nbformat")
    nb = tiny_notebook(tmp_path / "t.ipynb")
    book = nbformat.read(nb, as_version=4)
    book.cells[1].source += (
        '\ndata: str = ""  # survey\ncodebook: str = ""  # codebook\n'
        "min_base: int = 0  # 0: the codebook's, else 30"
    )
    nbformat.write(book, nb)
    data = _copy_sample(tmp_path)
    codebook = tmp_path / "codebook.yaml"
    codebook.write_text(
        f"min_base: {codebook_min_base}\n" + codebook.read_text(encoding="utf-8"), "utf-8"
    )
    return nb, {"data": str(data), "codebook": str(codebook), "each": "store", "unit": "S1"}


def test_the_codebooks_min_base_makes_a_small_unit_and_the_parameter_overrides_it(tmp_path):
    from fake_kernel import fake_execute

    nb, params = _min_base_notebook(tmp_path, codebook_min_base=50)
    assert check.plan_pages(params["data"], codebook=params["codebook"])["min_base"] == 50
    out = tmp_path / "out"
    small = reports.run_report(nb, parameters=params, out_root=out, base=40)
    page = small.read_text(encoding="utf-8")
    assert "本期只有 40 位受访者，少于 50 位" in page  # small: no kernel
    import papermill

    real = papermill.execute_notebook
    papermill.execute_notebook = fake_execute
    try:
        shown = reports.run_report(
            nb, parameters={**params, "min_base": 20}, out_root=out, base=40, from_text=False
        )
    finally:
        papermill.execute_notebook = real
    page = shown.read_text(encoding="utf-8")
    assert "本期只有" not in page and "少于 20 位受访者" in page  # run (the fake kernel), rule 20
    runs = {r["stem"]: r for r in json.loads((out / "index.json").read_text(encoding="utf-8"))}
    assert (
        runs["t--store=S1"]["min_base"] == 50 and runs["t--store=S1--min_base=20"]["min_base"] == 20
    )
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count("n &lt; 50") == 1 and "n &lt; 20" not in index

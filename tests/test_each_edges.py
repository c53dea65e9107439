"""``cxlab report NAME --each COLUMN`` on awkward unit columns (issue 16 probe)."""

from __future__ import annotations

import pytest

from cxlab import reports

AWKWARD = [
    "a/b",
    "a\\b",
    "a?b",
    "a_b",
    "a b",
    "*",
    ":",
    "?",
    "..",
    " lead",
    "lead",
    "trail ",
    "trail",
    "<script>alert(1)</script>",
    "🏪店",
    "店",
    "x" * 200,
    "x" * 199 + "y",
]


def stem(unit: str) -> str:
    return reports.report_stem("satisfaction", {"each": "store", "unit": unit})


def test_units_the_slug_changes_never_share_a_file():
    stems = [stem(u) for u in AWKWARD]
    assert len(set(stems)) == len(AWKWARD), sorted(stems)


@pytest.mark.parametrize("unit", AWKWARD)
def test_unit_file_names_are_safe(unit):
    name = stem(unit)
    assert "/" not in name and "\\" not in name and name not in (".", "..")
    assert not name.endswith("=") and len(name.encode("utf-8")) <= reports.MAX_STEM_BYTES


def test_plain_units_keep_their_readable_names():
    assert stem("华东") == "satisfaction--store=华东"
    assert stem("S07") == "satisfaction--store=S07"
    assert stem("a_b") == "satisfaction--store=a_b"


@pytest.fixture(scope="module")
def unitless_survey(tmp_path_factory):
    """The sample with a ``store`` column (not in the codebook) that some respondents lack."""
    import shutil

    import pandas as pd

    from cxlab.paths import SAMPLE_DIR

    folder = tmp_path_factory.mktemp("unitless")
    df = pd.read_csv(SAMPLE_DIR / "survey.csv", dtype=str, keep_default_na=False)
    stores = ["S1", "S2", "", "S3"]
    df.insert(2, "store", [stores[i % 4] for i in range(len(df))])
    df.to_csv(folder / "survey.csv", index=False)
    shutil.copy(SAMPLE_DIR / "codebook.yaml", folder / "codebook.yaml")
    return folder / "survey.csv", df


def test_respondents_without_a_unit_are_counted(unitless_survey):
    from cxlab.check import plan_pages

    path, df = unitless_survey
    facts = plan_pages(path, reports=["satisfaction"], each="store", periods=["", "2025Q3"])
    latest = df[df["wave"] == "2025Q4"]
    assert facts["no_unit"][""] == (latest["store"] == "").sum() > 0
    assert facts["no_unit"]["2025Q3"] == ((df["wave"] == "2025Q3") & (df["store"] == "")).sum()
    assert list(facts["bases"][""]) == ["S1", "S2", "S3"]
    assert sum(facts["bases"][""].values()) + facts["no_unit"][""] == len(latest)


def test_respondents_without_a_unit_are_said(capsys):
    from types import SimpleNamespace

    from cxlab import cli

    args = SimpleNamespace(each="store", quiet=False)
    facts = {"no_unit": {"": 134, "2025Q3": 0}}
    cli._say_unitless(args, {"satisfaction": {}}, facts)
    err = capsys.readouterr().err
    assert "--each store: 134 respondent(s) of the latest period have no value" in err
    cli._say_unitless(args, {"satisfaction": {"period": "2025Q3"}}, facts)
    assert capsys.readouterr().err == ""


def unit_run(unit: str, base: int = 40, date: str = "2026-03-02") -> dict:
    stem = f"satisfaction--store={unit}"
    return {
        "date": date,
        "started": f"{date}T08:00:00",
        "name": "satisfaction",
        "stem": stem,
        "html": f"{date}/{stem}.html",
        "parameters": {"each": "store", "unit": unit},
        "data": None,
        "status": "succeeded",
        "duration_s": 1.0,
        "each": "store",
        "unit": unit,
        "base": base,
    }


def test_index_lists_numbered_units_in_numeric_order():
    runs = [unit_run(u) for u in ["10", "2", "1", "S10", "S9"]]
    page = reports.render_index(runs, lang="en", embed_font=False)
    shown = [page.index(f">satisfaction--store={u}<") for u in ["1", "2", "10", "S9", "S10"]]
    assert shown == sorted(shown)


def test_a_units_followup_page_shows_only_its_own_cases(tmp_path):
    import pandas as pd

    from cxlab.loop import followups
    from cxlab.paths import SAMPLE_DIR

    df = pd.read_csv(SAMPLE_DIR / "survey.csv", usecols=["resp_id", "channel"])
    mine = df.loc[df["channel"] == "门店", "resp_id"].iloc[0]
    other = df.loc[df["channel"] == "官网", "resp_id"].iloc[:2].tolist()
    state = followups.StateFile(tmp_path / "state")
    with state.update() as data:
        for case, (who, owner) in enumerate(
            [(mine, "门店"), (other[0], "官网"), (other[1], "官网")]
        ):
            due = "2026-01-02T10:00:00"
            data["cases"].append(
                {"case": case + 1, "respondent": who, "owner": owner, "priority": "高", "due": due}
            )
    path = reports.run_report(
        "followup",
        parameters={"each": "channel", "unit": "门店", "state": str(tmp_path / "state")},
        out_root=tmp_path / "out",
        base=1000,
    )
    page = path.read_text(encoding="utf-8")
    assert "共 1 个回访案例" in page and "共 3 个回访案例" not in page


def test_a_units_table_book_is_not_split_by_its_own_column(tmp_path):
    path = reports.run_report(
        "tables",
        parameters={"each": "region", "unit": "港台", "lang": "en"},
        out_root=tmp_path / "out",
        base=148,
    )
    page = path.read_text(encoding="utf-8")
    banner = page.split("cx-book", 2)[-1].split("</thead>")[0]
    assert "Channel" in banner or "渠道" in banner
    assert "港台" not in banner and "Region" not in banner and "地区" not in banner


def test_units_differing_only_by_case_are_said(capsys):
    from types import SimpleNamespace

    from cxlab import cli

    args = SimpleNamespace(each="store", quiet=False)
    pages = [("satisfaction", {"each": "store", "unit": u}, 40) for u in ["Store", "store", "S1"]]
    cli._say_case_clashes(args, pages)
    err = capsys.readouterr().err
    assert "units 'Store', 'store' differ only by case" in err and "S1" not in err
    cli._say_case_clashes(SimpleNamespace(each=None, quiet=False), [("satisfaction", {}, None)])
    assert capsys.readouterr().err == ""

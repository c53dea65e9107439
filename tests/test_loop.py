"""cxlab.loop: alert rules, follow-up lists with a state file, action sheets and their import."""

from __future__ import annotations

import json
import multiprocessing

import pandas as pd
import pytest

from cxlab.codebook import Codebook, CodebookError
from cxlab.loop import alerts
from cxlab.loop.alerts import evaluate, explain, parse_rules, rules_from
from cxlab.loop.followups import StateFile, closure, follow_ups, overdue
from cxlab.loop.sheets import SHEET_COLUMNS, import_sheets, write_sheets

AS_OF = pd.Timestamp("2026-01-05 09:00")


def _book(**extra) -> Codebook:
    spec = {
        "id": "rid",
        "owner": "store",
        "submitted": "t",
        "items": {
            "nps": {"type": "nps", "label": "推荐意愿"},
            "sat": {"type": "scale", "min": 1, "max": 5, "role": "outcome"},
            "d1": {"type": "scale", "min": 1, "max": 5, "role": "driver", "label": "速度"},
            "d2": {"type": "scale", "min": 1, "max": 7, "role": "driver", "label": "态度"},
            "c": {"type": "text", "label": "意见"},
        },
        "alerts": {
            "detractor": {"when": "nps <= 6", "priority": "high"},
            "refund": {
                "when": "nps <= 6 and c mentions 退款|投诉 and c is negative",
                "priority": "urgent",
            },
            "low_driver": {"when": "any driver <= 1 and not c is positive", "priority": "low"},
        },
    }
    spec.update(extra)
    return Codebook.from_dict(spec)


def _df() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rid": ["a", "b", "c", "d", "e"],
            "store": ["s1", "s1", "s2", "s2", "s1"],
            "t": pd.to_datetime(
                [
                    "2026-01-01 08:00",
                    "2026-01-01 09:00",
                    "2026-01-02 10:00",
                    "2026-01-03 11:00",
                    "2026-01-04 12:00",
                ]
            ),
            "nps": [3, 9, 6, 10, 8],
            "sat": [2, 5, 3, 5, 4],
            "d1": [2, 5, 4, 1, 3],
            "d2": [6, 7, 2, 7, 1],
            "c": [
                "退款等了半个月还没到账，很失望。电话13812345678",
                "很好",
                None,
                "很好，很满意",
                None,
            ],
        }
    )


# -- the rule language -----------------------------------------------------------------------
def test_rules_and_or_not_any_and_precedence():
    df = _df()
    hits = evaluate(df, rules_from(_book()))
    assert hits.to_dict("list") == {
        "detractor": [True, False, True, False, False],
        "refund": [True, False, False, False, False],
        # d has d1 = 1 but a positive comment; e has d2 = 1 (on 1-7) and no comment
        "low_driver": [False, False, False, False, True],
    }
    # not binds tighter than and, and tighter than or
    r = parse_rules({"x": {"when": "nps >= 9 or nps <= 3 and not sat >= 2"}})
    assert evaluate(df, r)["x"].tolist() == [False, True, False, True, False]
    r = parse_rules({"x": {"when": "(nps >= 9 or nps <= 3) and not sat >= 5"}})
    assert evaluate(df, r)["x"].tolist() == [True, False, False, False, False]


def test_missing_answers_satisfy_no_comparison():
    df = pd.DataFrame({"nps": [None, 3.0]})
    r = parse_rules({"a": {"when": "nps <= 6"}, "b": {"when": "not nps >= 7"}})
    assert evaluate(df, r).to_dict("list") == {"a": [False, True], "b": [True, True]}


def test_mentions_read_traditional_script_and_topics():
    df = pd.DataFrame({"c": ["我要投訴，退貨太麻煩", "物流很快"]})
    r = parse_rules(
        {
            "m": {"when": "c mentions 投诉"},
            "t": {"when": "c about returns"},
            "l": {"when": "c about logistics and c is positive"},
        }
    )
    assert evaluate(df, r).to_dict("list") == {
        "m": [True, False],
        "t": [True, False],
        "l": [False, True],
    }


@pytest.mark.parametrize(
    ("alerts_spec", "match"),
    [
        ({"x": {"when": "nps <= "}}, r"alerts\.x\.when` expects a name or word"),
        ({"x": {"when": "foo <= 6"}}, r"alerts\.x\.when` names `foo`"),
        ({"x": {"when": "c <= 6"}}, r"compares `c` with a number, but it is a `text` item"),
        ({"x": {"when": "nps mentions 退款"}}, r"reads `nps` as a comment"),
        ({"x": {"when": "any staff <= 1"}}, r"no rating item has `role: staff`"),
        ({"x": {"when": "c is angry"}}, r"a sentiment is one of"),
        ({"x": {"when": "nps <= six"}}, r"'six', which is not a number"),
        ({"x": {"when": "nps <= 6", "priority": "asap"}}, r"alerts\.x\.priority` is 'asap'"),
        ({"x": {"priority": "high"}}, r"alerts\.x` needs `when"),
        ({"x": {"when": "nps <= 6", "owner": "s"}}, r"alerts\.x\.owner` is not a rule key"),
        ({"x": {"when": "nps <= 6 sat"}}, r"has 'sat' where `and`, `or` or the end belongs"),
        (["nps <= 6"], r"`alerts` should map rule names"),
    ],
)
def test_codebook_rejects_bad_rules_naming_the_key(alerts_spec, match):
    with pytest.raises(CodebookError, match=match):
        _book(alerts=alerts_spec)


def test_owner_key_is_checked():
    with pytest.raises(CodebookError, match="`owner` should be a column name"):
        _book(owner=["store"])


def test_default_rules_call_back_detractors():
    book = Codebook.from_dict({"items": {"nps": {"type": "nps"}}})
    rules = rules_from(book)
    assert list(rules) == ["detractor"] and rules["detractor"].priority == "high"
    assert alerts.SERVICE_HOURS["high"] == 48


def test_reason_in_words_zh_and_en():
    book, df = _book(), _df()
    out = follow_ups(df, codebook=book, as_of=AS_OF)
    rules = rules_from(book)
    zh = explain(out["evidence"][0], rules=rules, codebook=book, lang="zh")
    en = explain(out["evidence"][0], rules=rules, codebook=book, lang="en")
    assert zh == (
        "detractor：推荐意愿 3 分（≤ 6）；refund：推荐意愿 3 分（≤ 6），且意见提到“退款”，"
        "且意见情感为负面"
    )
    assert en.startswith("detractor: 推荐意愿 3 (≤ 6); refund: ")
    assert "mentions “退款”" in en and "is negative" in en


# -- follow_ups ------------------------------------------------------------------------------
def test_follow_up_rows_by_hand():
    out = follow_ups(_df(), codebook=_book(), as_of=AS_OF)
    assert out["respondent"].tolist() == ["a", "c", "e"]
    assert out["owner"].tolist() == ["s1", "s2", "s1"]
    assert out["rules"].tolist() == ["detractor;refund", "detractor", "low_driver"]
    assert out["priority"].tolist() == ["urgent", "high", "low"]
    # lowest relative to its scale: a: d1 2/5 -> 0.25 vs d2 6/7 -> 0.83; c: d2 2 on 1-7 -> 0.17
    assert out["lowest_driver"].tolist() == ["d1", "d2", "d2"]
    assert out["lowest_rating"].tolist() == [2.0, 2.0, 1.0]
    # due: submit time + 24 h (urgent), 48 h (high), 240 h (low)
    assert out["due"].tolist() == [
        pd.Timestamp("2026-01-02 08:00"),
        pd.Timestamp("2026-01-04 10:00"),
        pd.Timestamp("2026-01-14 12:00"),
    ]
    assert out["comment"][0] == "退款等了半个月还没到账，很失望。电话[手机号]"
    assert out["topics"][0] == "returns;waiting" and out["sentiment"][0] == "negative"
    assert (out["status"] == "new").all() and (out["listed_at"] == AS_OF).all()


def test_service_hours_and_no_submit_time():
    df = _df().drop(columns="t")
    book = _book(submitted=None)
    out = follow_ups(df, codebook=book, as_of=AS_OF, service_hours={"high": 12})
    assert out.loc[out["respondent"] == "c", "due"].item() == AS_OF + pd.Timedelta(hours=12)


def test_without_an_id_the_row_number_is_the_respondent():
    book = Codebook.from_dict({"items": {"nps": {"type": "nps"}}})
    df = pd.DataFrame({"nps": [9, 2, 5]}, index=[1, 2, 3])
    assert follow_ups(df, codebook=book, as_of=AS_OF)["respondent"].tolist() == [2, 3]


def test_sample_planted_detractors_and_only_they_are_listed(sample_survey, truth):
    out = follow_ups(sample_survey.data, codebook=sample_survey.codebook, as_of=AS_OF)
    plants = truth["followup"]
    assert sorted(out["respondent"]) == plants["detractors"]
    assert sorted(out.loc[out["priority"] == "urgent", "respondent"]) == plants["escalations"]
    assert out["owner"].notna().all() and out["comment"].str.len().gt(0).all()


def test_rerun_lists_no_one_twice_and_an_edited_answer_relists(tmp_path):
    book, df = _book(), _df()
    first = follow_ups(df, codebook=book, state=tmp_path, as_of=AS_OF)
    assert first["respondent"].tolist() == ["a", "c", "e"]
    again = follow_ups(df, codebook=book, state=tmp_path, as_of=AS_OF + pd.Timedelta(hours=1))
    assert again.empty
    edited = df.copy()
    edited.loc[edited["rid"] == "c", "sat"] = 1  # an answer changes; still flagged
    edited.loc[edited["rid"] == "d", "nps"] = 2  # a new detractor
    third = follow_ups(edited, codebook=book, state=tmp_path, as_of=AS_OF + pd.Timedelta(hours=2))
    assert third[["respondent", "status"]].values.tolist() == [["c", "changed"], ["d", "new"]]
    cases = StateFile(tmp_path).cases()
    assert cases["respondent"].tolist() == ["a", "c", "e", "c", "d"]
    assert cases["case"].tolist() == [1, 2, 3, 4, 5]


def test_suppression_period_delays_a_changed_respondent(tmp_path):
    book, df = _book(), _df()
    follow_ups(df, codebook=book, state=tmp_path, as_of=AS_OF)
    edited = df.assign(sat=df["sat"].where(df["rid"] != "a", 1))
    soon = follow_ups(
        edited, codebook=book, state=tmp_path, as_of=AS_OF + pd.Timedelta(days=3), suppress_days=7
    )
    assert soon.empty
    later = follow_ups(
        edited, codebook=book, state=tmp_path, as_of=AS_OF + pd.Timedelta(days=8), suppress_days=7
    )
    assert later["respondent"].tolist() == ["a"]


def _listing_worker(args):
    state, seed = args
    import numpy as np

    book = Codebook.from_dict({"id": "rid", "items": {"nps": {"type": "nps"}}})
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"rid": [f"r{i:03d}" for i in range(120)], "nps": [2] * 60 + [9] * 60})
    df = df.iloc[rng.permutation(len(df))]
    return follow_ups(df, codebook=book, state=state)["respondent"].tolist()


def test_concurrent_runs_do_not_corrupt_the_state(tmp_path):
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(4) as pool:
        listed = pool.map(_listing_worker, [(str(tmp_path), s) for s in range(8)])
    everyone = [r for run in listed for r in run]
    assert sorted(everyone) == [f"r{i:03d}" for i in range(60)]  # each detractor exactly once
    data = json.loads((tmp_path / "followup_state.json").read_text(encoding="utf-8"))
    assert len(data["cases"]) == 60
    assert sorted(c["case"] for c in data["cases"]) == list(range(1, 61))
    assert not list(tmp_path.glob(".state-*"))  # no temporary file left behind


def test_a_broken_state_file_is_named(tmp_path):
    (tmp_path / "followup_state.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="followup_state.json is not valid JSON"):
        follow_ups(_df(), codebook=_book(), state=tmp_path)


# -- action sheets ---------------------------------------------------------------------------
def _fill(path, rows: dict[str, tuple]):
    """Fill in an action sheet as a team would: respondent -> (status, action, closed on)."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.active
    head = [c.value for c in ws[2]]
    col = {h: i + 1 for i, h in enumerate(head)}
    for r in range(3, ws.max_row + 1):
        rid = ws.cell(r, col["受访者编号"]).value
        if rid in rows:
            status, action, closed = rows[rid]
            ws.cell(r, col["状态"]).value = status
            ws.cell(r, col["采取的行动"]).value = action
            ws.cell(r, col["关闭日期"]).value = closed
    extra = ws.max_row + 1
    ws.cell(extra, col["受访者编号"]).value = "zz"  # an id nobody listed
    ws.cell(extra, col["状态"]).value = "已关闭"
    wb.save(path)
    return extra


def test_sheet_written_filled_in_imported_and_closure_by_hand(tmp_path):
    from openpyxl import load_workbook

    book, df = _book(), _df()
    table = follow_ups(df, codebook=book, state=tmp_path, as_of=AS_OF)
    paths = write_sheets(table, tmp_path, rules=rules_from(book), codebook=book)
    assert [p.name for p in paths] == [
        "followup_20260105-090000_s1.xlsx",
        "followup_20260105-090000_s2.xlsx",
    ]
    ws = load_workbook(paths[0]).active
    assert ws["A1"].value.startswith("回访清单 · s1 · 2 位受访者")
    assert [c.value for c in ws[2]][: len(SHEET_COLUMNS)][:3] == ["受访者编号", "负责方", "优先级"]
    assert "13812345678" not in str([[c.value for c in row] for row in ws.iter_rows()])
    # s1: a closed in time (due 01-02 08:00), e closed late (due 01-14 12:00); s2: c left open.
    bad_row = _fill(
        paths[0],
        {
            "a": ("已关闭", "致电道歉并退款", pd.Timestamp("2026-01-02 07:00")),
            "e": ("closed", "回访", pd.Timestamp("2026-01-20 00:00")),
        },
    )
    _fill(paths[1], {"c": ("搁置", "", None)})
    result = import_sheets(paths, state=tmp_path, as_of=AS_OF)
    assert result.accepted[["respondent", "status"]].values.tolist() == [
        ["a", "closed"],
        ["e", "closed"],
    ]
    rejected = result.rejected[["file", "row", "respondent", "problem"]].values.tolist()
    assert rejected == [
        [str(paths[0]), bad_row, "zz", "unknown_id"],
        [str(paths[1]), 3, "c", "bad_status"],
        [str(paths[1]), 4, "zz", "unknown_id"],
    ]
    cases = StateFile(tmp_path).cases()
    # A date without a time of day is the end of that day.
    assert cases.set_index("respondent").loc["e", "closed_on"] == pd.Timestamp(
        "2026-01-20 23:59:59"
    )
    figures = closure(cases, as_of=pd.Timestamp("2026-01-10"))
    by_hand = {
        # s1: 2 cases, both closed; a in 23 h (01-01 08:00 -> 01-02 07:00), in time;
        # e in 16 d 11 h 59 m 59 s = 395.99972 h, late; median (23 + 395.99972) / 2.
        "s1": [2, 2, 1.0, 1, 0.5, (23 + 395 + 59 / 60 + 59 / 3600) / 2, 0],
        # s2: c open, due 01-04 10:00 < 01-10: overdue.
        "s2": [1, 0, 0.0, 0, None, None, 1],
        "overall": [3, 2, 2 / 3, 1, 0.5, (23 + 395 + 59 / 60 + 59 / 3600) / 2, 1],
    }
    cols = ["cases", "closed", "closure_rate", "in_time", "in_time_rate", "median_hours", "overdue"]
    for owner, want in by_hand.items():
        got = figures.set_index("owner").loc[owner, cols].tolist()
        for g, w in zip(got, want, strict=True):
            assert (pd.isna(g) and w is None) or g == pytest.approx(w)
    late = overdue(cases, as_of=pd.Timestamp("2026-01-10"))
    assert late["respondent"].tolist() == ["c"]
    assert late["hours_over"].item() == pytest.approx(5 * 24 + 14)


def test_closed_without_a_date_is_rejected(tmp_path):
    book = _book()
    table = follow_ups(_df(), codebook=book, state=tmp_path, as_of=AS_OF)
    paths = write_sheets(table, tmp_path, codebook=book, lang="en")
    from openpyxl import load_workbook

    wb = load_workbook(paths[1])
    ws = wb.active
    ws.cell(3, SHEET_COLUMNS.index("status") + 1).value = "closed"
    wb.save(paths[1])
    result = import_sheets(paths, state=tmp_path)  # paths[0]: nothing filled in, no rejection
    assert result.rejected["problem"].tolist() == ["no_closed_on"]
    assert result.accepted.empty


def test_unredacted_sheet_only_on_request_and_says_so(tmp_path):
    from openpyxl import load_workbook

    book, df = _book(), _df()
    table = follow_ups(df, codebook=book, as_of=AS_OF)
    paths = write_sheets(table, tmp_path, codebook=book, original=df.set_index("rid")["c"])
    names = [p.name for p in paths]
    assert names == [
        "followup_20260105-090000_s1.xlsx",
        "followup_20260105-090000_s1.unredacted.xlsx",
        "followup_20260105-090000_s2.xlsx",
        "followup_20260105-090000_s2.unredacted.xlsx",
    ]
    raw = load_workbook(paths[1]).active
    assert raw["A1"].value.startswith("未脱敏")
    assert "13812345678" in str([[c.value for c in row] for row in raw.iter_rows()])


def test_cli_followup_and_import(tmp_path, capsys):
    from cxlab.loop.command import main_followup

    assert main_followup(["--out", str(tmp_path), "--as-of", "2026-01-05 09:00"]) == 0
    sheets = sorted(tmp_path.glob("followup_*.xlsx"))
    assert len(sheets) == 5 and not list(tmp_path.glob("*.unredacted.xlsx"))
    assert main_followup(["--out", str(tmp_path), "--as-of", "2026-01-06 09:00"]) == 0
    assert "0 respondent(s)" in capsys.readouterr().out
    assert main_followup(["import", *map(str, sheets), "--out", str(tmp_path)]) == 0
    assert main_followup(["import", "--out", str(tmp_path)]) == 2
    assert main_followup(["export"]) == 2

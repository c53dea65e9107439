"""Response-quality rules on hand-made frames (each expected row worked out by hand)."""

from __future__ import annotations

import pandas as pd
import pytest

from cxlab import quality


def test_speeders_relative_to_the_median():
    # median of [100, 200, 300, 400, 50, 10] is 150; 30 % of it is 45: only the 10-second row.
    df = pd.DataFrame({"secs": [100, 200, 300, 400, 50, 10]}, index=[1, 2, 3, 4, 5, 6])
    out = quality.speeders(df, "secs")
    assert out["row"].tolist() == [6]
    assert "median 150 s" in out["reason"].iloc[0]
    assert quality.speeders(df, "secs", fraction=0.5)["row"].tolist() == [5, 6]  # < 75 s


def test_speeders_ignore_missing_durations_and_reject_bad_fraction():
    df = pd.DataFrame({"secs": [None, "x", 100, 100]})
    assert quality.speeders(df, "secs").empty
    with pytest.raises(ValueError, match="fraction"):
        quality.speeders(df, "secs", fraction=1.5)


def test_straightlining_needs_a_full_grid_of_min_items():
    df = pd.DataFrame(
        {
            "a1": [5, 5, 3, None],
            "a2": [5, 4, 3, 5],
            "a3": [5, 5, 3, 5],
            "a4": [5, 5, 3, 5],
            "a5": [5, 5, 3, 5],
            "b1": [1, 2, 3, 4],
            "b2": [1, 2, 3, 4],
        }
    )
    grids = {"A": ["a1", "a2", "a3", "a4", "a5"], "B": ["b1", "b2"]}
    out = quality.straightliners(df, grids)
    # row 0 all 5, row 2 all 3; row 1 varies; row 3 incomplete; grid B has 2 items: not judged
    assert out["row"].tolist() == [0, 2]
    assert quality.straightliners(df, grids, min_items=2)["row"].tolist() == [0, 2, 0, 1, 2, 3]


def test_duplicates_by_id_and_by_ip_within_the_window():
    t = pd.to_datetime(
        ["2025-01-01 09:00", "2025-01-01 09:30", "2025-01-01 12:00", "2025-01-01 09:40"]
    )
    df = pd.DataFrame(
        {"id": ["a", "b", "a", "c"], "ip": ["1.1.1.1"] * 4, "q": [5, 5, 5, 4], "t": t}
    )
    by_id = quality.duplicates(df, respondent="id")
    assert by_id["row"].tolist() == [2]
    assert by_id["reason"].iloc[0] == "same respondent id as row 0"
    # same answers (q=5) from one IP: rows 0, 1, 2; row 1 is 30 min after row 0 (inside 60),
    # row 2 is 3 h after row 0 (outside); row 3 answered differently.
    by_ip = quality.duplicates(df, items=["q"], ip="ip", time="t")
    assert by_ip["row"].tolist() == [1]
    assert "1.1.1.1" not in " ".join(by_ip["reason"])  # IP addresses never reach a result


def test_incomplete_from_a_status_column():
    df = pd.DataFrame({"Finished": [1, 0, None, "1", "False"]})
    assert quality.incomplete(df, "Finished")["row"].tolist() == [1, 4]


def test_screen_runs_the_configured_rules_and_skips_off():
    df = pd.DataFrame({"secs": [300, 280, 320, 60, 310], "Finished": [1, 1, 1, 1, 0]})
    rules = [
        quality.QualityRule("speeders", "flag", {"duration": "secs"}),
        quality.QualityRule("incomplete", "off", {"status": "Finished"}),
    ]
    out = quality.screen(df, rules)
    assert out[["row", "rule", "action"]].values.tolist() == [[3, "speeders", "flag"]]
    with pytest.raises(ValueError, match="action"):
        quality.screen(df, [quality.QualityRule("speeders", "drop", {"duration": "secs"})])

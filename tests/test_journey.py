"""cxlab.journey: hand-worked event logs, touchpoints, peak-end, self-service KPIs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cxlab import journey
from cxlab.paths import SAMPLE_DIR, SAMPLE_TRUTH

STEPS = ["view", "cart", "order"]


def log(rows):
    return pd.DataFrame(rows, columns=["customer_id", "step", "timestamp"])


def test_funnel_hand_worked():
    ev = log(
        [
            ("a", "view", "2025-01-01 10:00"),
            ("a", "cart", "2025-01-01 10:05"),
            ("a", "order", "2025-01-01 10:20"),
            # b skips cart: reaches view only, even though an order follows.
            ("b", "view", "2025-01-01 11:00"),
            ("b", "order", "2025-01-01 11:30"),
            # c repeats view and cart; first qualifying times count.
            ("c", "view", "2025-01-01 09:00"),
            ("c", "view", "2025-01-01 09:30"),
            ("c", "cart", "2025-01-01 09:10"),
            ("c", "cart", "2025-01-01 09:40"),
            # d logs cart before view (out of order), then view: cart does not count.
            ("d", "cart", "2025-01-01 08:00"),
            ("d", "view", "2025-01-01 08:10"),
            # e: view and cart at the same second count as in order.
            ("e", "view", "2025-01-01 12:00"),
            ("e", "cart", "2025-01-01 12:00"),
            ("e", "order", "2025-01-01 12:30"),
        ]
    )
    out = journey.funnel(ev, STEPS).set_index("step")
    assert out["customers"].tolist() == [5, 3, 2]
    assert out.loc["cart", "conversion_from_previous"] == pytest.approx(3 / 5)
    assert out.loc["order", "conversion_from_start"] == pytest.approx(2 / 5)
    assert out["drop_off"].tolist() == [0, 2, 1]
    # Time from view to cart: a 5 min, c 10 min, e 0 -> median 5 min.
    assert out.loc["cart", "median_time_from_previous"] == pd.Timedelta(minutes=5)
    # Order after cart: a 15 min, e 30 min -> median 22.5 min.
    assert out.loc["order", "median_time_from_previous"] == pd.Timedelta(minutes=22.5)


def test_funnel_counts_excluded_events():
    ev = log(
        [
            ("a", "view", "2025-01-01 10:00"),
            ("a", "chat", "2025-01-01 10:01"),
            ("a", "cart", None),
            ("a", "cart", "not a date"),
            (None, "view", "2025-01-01 10:00"),
            ("b", "view", "2025-01-02"),
        ]
    )
    out = journey.funnel(ev, STEPS)
    ex = dict(
        zip(out.attrs["exclusions"]["reason"], out.attrs["exclusions"]["events"], strict=True)
    )
    assert ex == {
        "missing customer": 1,
        "missing time": 1,
        "unparseable time": 1,
        "step not in funnel": 1,
    }
    assert out.attrs["events_used"] + sum(ex.values()) == len(ev)
    with pytest.raises(ValueError, match=r"1 event\(s\) have steps not in `steps`: \['chat'\]"):
        journey.funnel(ev.dropna(), STEPS, unknown="raise")


def test_funnel_bad_arguments():
    with pytest.raises(ValueError, match="at least two distinct steps"):
        journey.funnel(log([]), ["view"])
    with pytest.raises(ValueError, match=r"\['ts'\] not in the data"):
        journey.funnel(log([]), STEPS, time="ts")


def test_funnel_on_sample_matches_planted_reach():
    truth = json.loads(SAMPLE_TRUTH.read_text(encoding="utf-8"))["funnel"]
    ev = pd.read_csv(SAMPLE_DIR / "events.csv")
    out = journey.funnel(ev, truth["steps"])
    assert dict(zip(out["step"], out["customers"], strict=True)) == truth["customers_reaching"]
    weakest = out.iloc[1:].sort_values("conversion_from_previous")["step"].iloc[0]
    assert weakest == truth["weakest_step"]
    assert out.attrs["exclusions"].set_index("reason").loc["step not in funnel", "events"] > 0


def test_funnel_by_group(sample_survey):
    ev = pd.read_csv(SAMPLE_DIR / "events.csv").merge(
        sample_survey.data[["resp_id", "channel"]].rename(columns={"resp_id": "customer_id"})
    )
    out = journey.funnel(ev, ["访问", "浏览商品", "加入购物车", "提交订单"], by="channel")
    order = out[out["step"] == "提交订单"].set_index("channel")["conversion_from_previous"]
    assert order.idxmin() == "小程序"


def test_touchpoints_find_planted_weakest(sample_survey, truth):
    out = journey.touchpoints(sample_survey.data, sample_survey.codebook, weight="weight")
    assert out.loc[out["mean"].idxmin(), "touchpoint"] == truth["touchpoints"]["weakest"]
    assert list(dict.fromkeys(out["stage"])) == list(sample_survey.codebook.stages)
    use = out[out["stage"] == "使用"].set_index("touchpoint")
    assert use.loc["tp_delivery", "weakest"] and not use.loc["tp_install", "weakest"]
    mean = sample_survey.data["tp_ad"].mean()
    unweighted = journey.touchpoints(sample_survey.data, sample_survey.codebook).set_index(
        "touchpoint"
    )
    assert unweighted.loc["tp_ad", "mean"] == pytest.approx(mean)


def test_peak_end_by_hand():
    # overall is exactly 1 + peak/2 + end/2: the peak-end model must win and fit perfectly.
    rng = np.random.default_rng(0)
    r = rng.integers(1, 6, (300, 4)).astype(float)
    mid = 3
    dist = np.abs(r - mid) + (r < mid) * 1e-9
    peak = r[np.arange(300), dist.argmax(1)]
    df = pd.DataFrame(r, columns=list("abcd")).assign(overall=1 + peak / 2 + r[:, -1] / 2)
    out = journey.peak_end(df, "overall", list("abcd"), scale=(1, 5)).set_index("model")
    assert out.loc["peak_end", "r2"] == pytest.approx(1.0)
    assert out.loc["mean_peak_end", "p_vs_mean"] < 1e-10


def test_peak_end_excludes_and_counts_thin_respondents():
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.integers(1, 6, (60, 3)).astype(float), columns=list("abc"))
    df["overall"] = df.mean(axis=1) + rng.normal(0, 0.3, 60)
    df.loc[:9, ["b", "c"]] = np.nan  # one touchpoint only: 10 respondents
    df.loc[10:14, "overall"] = np.nan  # no overall rating: 5 more
    out = journey.peak_end(df, "overall", list("abc"))
    assert out.attrs["n_excluded"] == 15 and (out["n"] == 45).all()


def test_self_service_kpis(sample_survey, truth):
    out = journey.self_service(
        sample_survey.data,
        resolved="ss_resolved",
        reused="ss_reused",
        feedback="ss_feedback",
        searched="ss_searched",
        opened="ss_opened",
        satisfaction="ss_sat",
    ).set_index("kpi")
    ss = truth["self_service"]
    assert (
        out.loc["resolution_rate", "ci_low"]
        <= 100 * ss["resolved"]
        <= out.loc["resolution_rate", "ci_high"]
    )
    assert (
        out.loc["relevance_rate", "ci_low"]
        <= 100 * ss["opened_if_searched"]
        <= out.loc["relevance_rate", "ci_high"]
    )
    assert out.loc["positive_feedback_rate", "value"] + out.loc[
        "negative_feedback_rate", "value"
    ] == pytest.approx(100)
    d = sample_survey.data
    assert out.loc["relevance_rate", "n"] == int(
        ((d["ss_searched"] == 1) & d["ss_opened"].notna()).sum()
    )


def test_self_service_hand_worked_and_bad_values():
    df = pd.DataFrame({"r": [1, 0, 1, 1, np.nan], "f": [1, -1, 0, 1, np.nan]})
    out = journey.self_service(df, resolved="r", feedback="f").set_index("kpi")
    assert (
        out.loc["resolution_rate", "value"] == pytest.approx(75)
        and out.loc["resolution_rate", "n"] == 4
    )
    assert out.loc["positive_feedback_rate", "value"] == pytest.approx(200 / 3)
    with pytest.raises(ValueError, match=r"`r` should hold 0/1, but has \[2\.0\]"):
        journey.self_service(df.assign(r=[1, 2, 0, 0, 0]), resolved="r")
    with pytest.raises(ValueError, match="Name at least one KPI"):
        journey.self_service(df)


def test_journey_plots_draw_the_values(sample_survey):
    import matplotlib.pyplot as plt

    from cxlab import plots

    tp = journey.touchpoints(sample_survey.data, sample_survey.codebook)
    ax = plots.plot_journey(tp, ax=plt.figure().gca())
    texts = [t.get_text() for t in ax.texts]
    assert f"{tp['mean'].iloc[4]:.2f}" in texts
    ev = pd.read_csv(SAMPLE_DIR / "events.csv")
    fn = journey.funnel(ev, ["访问", "浏览商品", "加入购物车"])
    ax = plots.plot_funnel(fn, ax=plt.figure().gca())
    assert [p.get_width() for p in ax.patches] == fn["customers"].tolist()

"""cxlab.journey: hand-worked event logs, touchpoints, peak-end, self-service KPIs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from weight_rule import check_weight_rule

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
    out = journey.funnel(ev, STEPS).steps.set_index("step")
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
    ex = dict(zip(out.exclusions["reason"], out.exclusions["events"], strict=True))
    assert ex == {
        "missing customer": 1,
        "missing time": 1,
        "unparseable time": 1,
        "step not in funnel": 1,
    }
    assert out.events_used + sum(ex.values()) == len(ev)
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
    result = journey.funnel(ev, truth["steps"])
    out = result.steps
    assert dict(zip(out["step"], out["customers"], strict=True)) == truth["customers_reaching"]
    weakest = out.iloc[1:].sort_values("conversion_from_previous")["step"].iloc[0]
    assert weakest == truth["weakest_step"]
    assert result.exclusions.set_index("reason").loc["step not in funnel", "events"] > 0


def test_funnel_by_group(sample_survey):
    ev = pd.read_csv(SAMPLE_DIR / "events.csv").merge(
        sample_survey.data[["resp_id", "channel"]].rename(columns={"resp_id": "customer_id"})
    )
    out = journey.funnel(ev, ["访问", "浏览商品", "加入购物车", "提交订单"], by="channel").steps
    order = out[out["step"] == "提交订单"].set_index("channel")["conversion_from_previous"]
    assert order.idxmin() == "小程序"


def test_touchpoints_find_planted_weakest(sample_survey, truth):
    out = journey.touchpoints(sample_survey.data, codebook=sample_survey.codebook, weight="weight")
    assert out.loc[out["mean"].idxmin(), "touchpoint"] == truth["touchpoints"]["weakest"]
    assert list(dict.fromkeys(out["stage"])) == list(sample_survey.codebook.stages)
    use = out[out["stage"] == "使用"].set_index("touchpoint")
    assert use.loc["tp_delivery", "weakest"] and not use.loc["tp_install", "weakest"]
    mean = sample_survey.data["tp_ad"].mean()
    unweighted = journey.touchpoints(sample_survey.data, codebook=sample_survey.codebook).set_index(
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
    out = journey.peak_end(df, "overall", list("abcd"), scale=(1, 5)).models.set_index("model")
    assert out.loc["peak_end", "r2"] == pytest.approx(1.0)
    assert out.loc["mean_peak_end", "p_vs_mean"] < 1e-10


def test_peak_end_excludes_and_counts_thin_respondents():
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.integers(1, 6, (60, 3)).astype(float), columns=list("abc"))
    df["overall"] = df.mean(axis=1) + rng.normal(0, 0.3, 60)
    df.loc[:9, ["b", "c"]] = np.nan  # one touchpoint only: 10 respondents
    df.loc[10:14, "overall"] = np.nan  # no overall rating: 5 more
    out = journey.peak_end(df, "overall", list("abc"))
    assert out.counts["n_excluded"].iloc[0] == 15 and (out.models["n"] == 45).all()


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

    tp = journey.touchpoints(sample_survey.data, codebook=sample_survey.codebook)
    ax = plots.plot_journey(tp, ax=plt.figure().gca())
    texts = [t.get_text() for t in ax.texts]
    assert f"{tp['mean'].iloc[4]:.2f}" in texts
    ev = pd.read_csv(SAMPLE_DIR / "events.csv")
    fn = journey.funnel(ev, ["访问", "浏览商品", "加入购物车"]).steps
    ax = plots.plot_funnel(fn, ax=plt.figure().gca())
    assert [p.get_width() for p in ax.patches] == fn["customers"].tolist()


# -- vocabulary, codes, specs and the weight rule -------------------------------------------------------


def test_funnel_respondent_column_and_with_segment_codes():
    ev = pd.DataFrame(
        {
            "cid": ["a", "a", "b", "b", "c"],
            "step": ["view", "cart", "view", "cart", "view"],
            "timestamp": pd.to_datetime(
                ["2025-01-01 10:00", "2025-01-01 10:05"] * 2 + ["2025-01-01 09:00"]
            ),
        }
    )
    survey = pd.DataFrame({"resp_id": ["a", "b"], "channel": ["app", "web"]})
    tagged = journey.with_segment(
        ev, survey, "channel", respondent="cid", survey_respondent="resp_id"
    )
    assert tagged["channel"].tolist() == ["app", "app", "web", "web", journey.UNMATCHED]
    assert "channel" not in ev  # the caller's log is not modified
    out = journey.funnel(tagged, ["view", "cart"], respondent="cid", by="channel").steps
    assert out.set_index(["channel", "step"])["customers"].to_dict() == {
        ("app", "view"): 1,
        ("app", "cart"): 1,
        ("unmatched", "view"): 1,
        ("unmatched", "cart"): 0,
        ("web", "view"): 1,
        ("web", "cart"): 1,
    }


def test_codes_have_words_in_the_catalogue(sample_survey):
    from cxlab.messages import msg

    d = sample_survey.data
    ss = journey.self_service(d, **journey.self_service_spec(sample_survey.codebook))
    pe = journey.peak_end(d, "overall", sample_survey.codebook.select(role="touchpoint"))
    for key in [f"kpi.{k}" for k in ss["kpi"]] + [f"model.{m}" for m in pe.models["model"]]:
        assert msg(key, "zh") and msg(key, "en")
    for reason in ("missing customer", "missing time", "unparseable time", "step not in funnel"):
        assert msg(f"reason.{reason}", "en")
    assert msg(f"by.{journey.UNMATCHED}", "zh") == "（未匹配）"


def test_self_service_spec_reads_the_ss_prefix(sample_survey):
    from cxlab.codebook import Codebook, CodebookError

    spec = journey.self_service_spec(sample_survey.codebook)
    assert spec == {
        "resolved": "ss_resolved",
        "reused": "ss_reused",
        "searched": "ss_searched",
        "opened": "ss_opened",
        "feedback": "ss_feedback",
        "satisfaction": "ss_sat",
        "scale": (1, 5),
    }
    plain = Codebook.from_dict({"id": "id", "items": {"q": {"type": "binary"}}})
    with pytest.raises(CodebookError, match="role `self_service`"):
        journey.self_service_spec(plain)
    odd = Codebook.from_dict(
        {"id": "id", "items": {"x": {"type": "binary", "role": "self_service"}}}
    )
    with pytest.raises(CodebookError, match="ss_resolved"):
        journey.self_service_spec(odd)


def test_touchpoints_need_touchpoint_items():
    from cxlab.codebook import Codebook, CodebookError

    plain = Codebook.from_dict({"id": "id", "items": {"q": {"type": "scale", "min": 1, "max": 5}}})
    with pytest.raises(CodebookError, match="role `touchpoint`"):
        journey.touchpoints(pd.DataFrame({"q": [1, 2]}), codebook=plain)


RATED = pd.DataFrame(
    {
        "a": [4, 5, 3, 4, 2, 5, 4, 3, 1, 5, 4, 2],
        "b": [2, 3, 4, 3, 1, 5, 4, 4, 2, 3, np.nan, 1],
        "g": list("xyxyxyxyxyxy"),
        "w": [1.0, 2.0, 0.5, 1.5, 1.0, 3.0, 1.0, 2.0, 1.0, 1.0, 2.0, 1.5],
    }
)


@pytest.mark.parametrize("by", [None, "g"])
def test_touchpoints_weight_rule(by):
    check_weight_rule(
        lambda d, w: journey.touchpoints(
            d, items={"a": "s1", "b": "s2"}, scale=(1, 5), by=by, weight=w
        ),
        RATED,
        row=1,
    )


@pytest.mark.parametrize("by", [None, "g"])
def test_self_service_weight_rule(by):
    df = RATED.assign(
        r=[1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1], f=[1, -1, 0, 1, 1, -1, 1, 1, 0, 1, -1, 1]
    )
    check_weight_rule(
        lambda d, w: journey.self_service(
            d, resolved="r", feedback="f", satisfaction="a", by=by, weight=w
        ),
        df,
        row=0,
    )


def test_peak_end_weight_rule_counts_zero_weights_in_n():
    rng = np.random.default_rng(2)
    df = pd.DataFrame(rng.integers(1, 6, (40, 3)).astype(float), columns=list("abc"))
    df["overall"] = df.mean(axis=1) + rng.normal(0, 0.3, 40)
    df["w"] = rng.uniform(0.5, 2, 40)
    check_weight_rule(lambda d, w: journey.peak_end(d, "overall", list("abc"), weight=w), df, row=3)
    zero = df.assign(w=df["w"].where(df.index != 3, 0.0))
    out = journey.peak_end(zero, "overall", list("abc"), weight="w")
    assert out.counts.to_dict("list") == {"n": [40], "n_used": [39], "n_excluded": [0]}

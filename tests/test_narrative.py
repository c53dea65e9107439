"""cxlab.narrative: the same claims in zh and en, read off the result tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tables_for_tests import trend_table

from cxlab import narrative
from cxlab.quadrants import importance_performance


@pytest.mark.parametrize(
    ("change", "significant", "phrase"),
    [
        (5.0, True, "significantly up 5.0 on Q1"),
        (-5.0, True, "significantly down 5.0 on Q1"),
        (5.0, False, "(+5.0) is not significant"),
    ],
)
def test_trend_sentence_in_english(change, significant, phrase):
    s = narrative.trend_sentence(
        trend_table(change, significant), "wave", metric_label="NPS", lang="en"
    )
    assert s.startswith("NPS in Q2 is **") and phrase in s


def test_trend_sentence_of_one_wave_only_states_it():
    one = trend_table(5.0, True).iloc[:1]
    assert narrative.trend_sentence(one, "wave", metric_label="CSAT", unit="%") == (
        "CSAT在 Q1 为 **10.0%**（95% 置信区间 5.0%–15.0%）。"
    )


def test_compare_sentences_in_english():
    res = pd.DataFrame(
        {
            "ch": ["store", "app", "phone"],
            "letter": ["A", "B", "C"],
            "higher_than": ["Bc", "", ""],
            "low_base": [False, False, True],
        }
    )
    out = narrative.compare_sentences(
        res, "ch", metric_label="NPS", group_label="channel", lang="en"
    )
    assert out == [
        "By channel, store scores significantly higher on NPS than app, phone.",
        "phone: base too small to test.",
    ]


def test_driver_points_read_a_quadrant_result_and_stability():
    ri = pd.DataFrame({"driver": ["a", "b"], "importance": [0.3, 0.1], "share": [75.0, 25.0]})
    m = importance_performance(
        pd.DataFrame({"driver": ["a", "b"], "importance": [0.3, 0.1], "performance": [3.0, 4.0]})
    )
    stab = pd.DataFrame(
        {
            "w": ["Q2", "Q2"],
            "driver": ["a", "b"],
            "change": [0.1, -0.01],
            "change_significant": [True, False],
        }
    )
    pts = narrative.driver_points(ri, m, stability=stab, labels={"a": "速度"}, wave="w")
    assert pts[1] == "优先改进（重要性高、表现低于平均）：速度。"
    assert pts[2] == "速度的重要性在 Q2 显著上升（+0.100）。"
    en = narrative.driver_points(
        ri, m, stability=stab.assign(change_significant=False), wave="w", lang="en"
    )
    assert en[-1] == "No driver's importance changed significantly in Q2."


def test_gap_points_in_english():
    sq = pd.DataFrame(
        {
            "level": ["dimension", "dimension", "item"],
            "name": ["reliability", "empathy", "rel1"],
            "gap": [-0.5, 0.3, -0.8],
            "ci_low": [-0.7, 0.1, -1.0],
            "ci_high": [-0.3, 0.5, -0.6],
            "p": [0.001, 0.01, 0.001],
        }
    )
    kano = pd.DataFrame({"feature": ["app", "chat"], "category": ["M", "A"]})
    perception = pd.DataFrame(
        {
            "item": ["speed"],
            "internal_share": [80.0],
            "customer_share": [60.0],
            "gap": [20.0],
            "p": [0.001],
        }
    )
    pts = narrative.gap_points(sq, kano=kano, perception=perception, lang="en")
    assert pts == [
        "The largest service gap is in reliability: perception falls 0.50 points short of "
        "expectation (95% CI 0.30 to 0.70).",
        "Above expectation: empathy.",
        "Largest item gaps: rel1 (-0.80).",
        "Must-be features (their absence dissatisfies): app.",
        "Attractive features (their presence delights): chat.",
        "Staff overrate speed: they think 80% of customers are satisfied; 60% are (20 points apart).",
    ]


def test_journey_points_funnel_peak_end_and_self_service():
    tp = pd.DataFrame(
        {
            "stage": ["买", "用"],
            "touchpoint": ["a", "b"],
            "mean": [3.2, 4.1],
            "ci_low": [3.0, 3.9],
            "ci_high": [3.4, 4.3],
            "top_box": [40.0, 80.0],
        }
    )
    fn = pd.DataFrame(
        {
            "step": ["visit", "cart", "pay"],
            "conversion_from_previous": [np.nan, 0.5, 0.8],
            "conversion_from_start": [1.0, 0.5, 0.4],
            "drop_off": [np.nan, 1000, 200],
        }
    )
    pe = pd.DataFrame(
        {
            "model": ["mean", "mean_peak_end"],
            "r2": [0.5, 0.6],
            "best": [False, True],
            "p_vs_mean": [np.nan, 0.2],
        }
    )
    ss = pd.DataFrame(
        {
            "kpi": ["resolution_rate"],
            "value": [70.0],
            "ci_low": [65.0],
            "ci_high": [75.0],
            "n": [1234],
        }
    )
    pts = narrative.journey_points(tp, funnel=fn, peak_end=pe, self_service=ss, lang="en")
    assert pts[2] == (
        "The funnel loses most from visit to cart: 50% go on, 1,000 drop off; "
        "40.0% reach the last step."
    )
    assert pts[3].startswith("The best-fitting model is") and "(R² = 0.600)" in pts[3]
    assert "nothing significant" in pts[3]
    assert pts[4] == "Self-service resolution rate 70.0% (95% CI 65.0 to 75.0%, base 1,234)."
    zh = narrative.journey_points(tp, funnel=fn, peak_end=pe.assign(best=[True, False]))
    assert zh[3] == "总体满意度主要取决于整个旅程的平均体验；峰值与终值没有带来额外解释力。"

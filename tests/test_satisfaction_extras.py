"""Headline KPIs, narrative sentences, trend and Likert plots, presentation tables."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from tables_for_tests import trend_table
from weight_rule import check_weight_rule

from cxlab import messages, narrative, plots, present, survey
from cxlab.pages import satisfaction as satisfaction_page


def test_kpis_follow_the_codebook(sample_survey):
    d, book = sample_survey.data, sample_survey.codebook
    k = survey.kpis(d, book, weight="weight").set_index("kpi")
    assert list(k.index) == ["nps", "csat", "mean", "ces", "ces_easy"]
    assert k.loc["nps", "value"] == pytest.approx(
        survey.nps(d, "nps", weight="weight")["nps"].iloc[0]
    )
    assert k.loc["csat", "value"] == pytest.approx(
        survey.top_box(d, "overall", scale=(1, 5), weight="weight")["share"].iloc[0]
    )
    assert (k["ci_low"] < k["value"]).all() and (k["value"] < k["ci_high"]).all()


def test_kpis_return_codes_with_words_in_the_catalogue(sample_survey):
    k = survey.kpis(sample_survey.data, sample_survey.codebook)
    assert "label" not in k and set(k["kpi"]) <= set(survey.metrics.KPI_CODES)
    for code in survey.metrics.KPI_CODES:
        assert messages.msg(f"kpi.{code}", "zh") and messages.msg(f"kpi.{code}", "en")
    assert messages.has("note.base_below_2")


def test_kpis_weight_rule(sample_survey):
    d, book = sample_survey.data.head(300), sample_survey.codebook
    check_weight_rule(lambda x, w: survey.kpis(x, book, weight=w), d, weight="weight")


@pytest.mark.parametrize(
    ("change", "significant", "phrase"),
    [(5.0, True, "显著上升 5.0"), (-5.0, True, "显著下降 5.0"), (5.0, False, "不显著")],
)
def test_trend_sentence_claims_only_what_the_test_supports(change, significant, phrase):
    s = narrative.trend_sentence(trend_table(change, significant), "wave", metric_label="NPS")
    assert phrase in s
    if not significant:
        assert "显著上升" not in s and "显著下降" not in s


def test_compare_sentences_follow_letters():
    res = pd.DataFrame(
        {
            "ch": ["门店", "小程序", "电话"],
            "letter": ["A", "B", "C"],
            "higher_than": ["Bc", "", ""],
            "low_base": [False, False, True],
        }
    )
    out = narrative.compare_sentences(res, "ch", metric_label="NPS", group_label="渠道")
    assert out == ["按渠道看，门店的NPS显著高于小程序、电话。", "电话 样本不足，未参与检验。"]
    none = res.assign(higher_than="", low_base=False)
    assert narrative.compare_sentences(none, "ch", metric_label="NPS", group_label="渠道") == [
        "按渠道看，NPS各组之间没有显著差异。"
    ]


def test_key_points_on_sample(sample_survey):
    pts = satisfaction_page.key_points(sample_survey.data, sample_survey.codebook, period="2025Q4")
    assert pts[0].startswith("NPS在 2025Q4") and "显著上升" in pts[0]
    assert any("小程序" in p for p in pts)


def test_key_points_without_nps_are_about_the_outcome(sample_survey):
    book = sample_survey.codebook
    items = {k: v for k, v in book.items.items() if v.type != "nps"}
    no_nps = dataclasses.replace(book, items=items)
    pts = satisfaction_page.key_points(sample_survey.data, no_nps, period="2025Q4", lang="en")
    assert pts[0].startswith("Satisfaction (top-2 box) in 2025Q4 is **")
    assert all("NPS" not in p for p in pts)
    assert any(p.startswith("By 渠道") and "Satisfaction" in p for p in pts)


def test_key_points_without_wave_state_levels(sample_survey):
    book = dataclasses.replace(sample_survey.codebook, wave=None, segments={})
    df = sample_survey.data[sample_survey.data["wave"] == "2025Q4"]
    pts = satisfaction_page.key_points(df, book, period=None, lang="en")
    assert [p.split(" is ")[0] for p in pts] == ["NPS", "Satisfaction (top-2 box)"]


def test_key_points_of_an_effort_only_survey(sample_survey):
    book = sample_survey.codebook
    effort = dataclasses.replace(book, items={"effort": book.items["effort"]}, wave=None)
    pts = satisfaction_page.key_points(sample_survey.data, effort, period=None, lang="en")
    assert pts[0].startswith("Effort (CES mean) is **")


def test_narrative_escapes_values_from_data():
    res = pd.DataFrame(
        {
            "ch": ["<img src=x onerror=alert(1)>", "**b**"],
            "letter": ["A", "B"],
            "higher_than": ["B", ""],
            "low_base": [False, False],
        }
    )
    [s] = narrative.compare_sentences(
        res, "ch", metric_label="NPS", group_label="<script>x</script>", lang="en"
    )
    assert "<" not in s and "&lt;script&gt;" in s and "\\*\\*b\\*\\*" in s


def test_plot_trend_draws_values_and_marks_significant_changes(sample_survey):
    t = survey.trend(sample_survey.data, "nps", "wave", "nps")
    ax = plots.plot_trend(t, "wave")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), t["value"])
    from matplotlib.collections import PathCollection

    markers = [c for c in ax.collections if isinstance(c, PathCollection)]
    marked = np.concatenate([c.get_offsets()[:, 1] for c in markers if len(c.get_offsets())])
    np.testing.assert_allclose(sorted(marked), sorted(t.loc[t["significant"], "value"]))


def test_plot_likert_bars_sum_to_100_and_centre_the_midpoint():
    df = pd.DataFrame({"q": [1, 2, 3, 3, 4, 5, 5, 5]})
    t = survey.likert_table(df, ["q"])
    ax = plots.plot_likert(t)
    widths = [p.get_width() for p in ax.patches]
    assert sum(widths) == pytest.approx(100)
    # Midpoint (3, 25%) straddles zero: it starts at -12.5.
    assert ax.patches[2].get_x() == pytest.approx(-12.5)


def test_present_table_labels_and_escapes(sample_survey):
    res = pd.DataFrame(
        {"item": ["overall"], "n": [3], "note": [""], "comment": ["<script>alert(1)</script>"]}
    )
    html = present.table(res, sample_survey.codebook).to_html()
    assert "总体满意度" in html and "样本量" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "备注" not in html  # an empty note column is dropped


def test_reliability_table(sample_survey):
    book = sample_survey.codebook
    t = survey.reliability_table(
        sample_survey.data, {"p": book.select(role="perception"), "one": ["nps"]}
    )
    assert t["scale"].tolist() == ["p"] and t.loc[0, "k"] == 10

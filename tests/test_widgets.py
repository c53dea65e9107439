"""cxlab.widgets: the explorer's computations, and that the widget wires them."""

from __future__ import annotations

import pandas as pd
import pytest

from cxlab import survey, widgets


def test_metric_options_follow_the_codebook(sample_survey):
    opts = widgets.metric_options(sample_survey.codebook)
    assert opts["NPS"] == ("nps", "nps")
    assert ("top_box", "overall") in opts.values() and ("ces", "effort") in opts.values()
    assert "均值：配送到货" in opts


def test_explore_table_equals_compare_on_the_selection(sample_survey):
    d, book = sample_survey.data, sample_survey.codebook
    out = widgets.explore_table(
        d,
        book,
        metric="nps",
        item="nps",
        by="channel",
        period="2025Q4",
        filters={"region": "华东"},
    )
    sel = d[(d["wave"] == "2025Q4") & (d["region"] == "华东")]
    pd.testing.assert_frame_equal(
        out, survey.compare(sel, "nps", "channel", "nps", weight="weight")
    )
    everyone = widgets.explore_table(
        d, book, metric="mean", item="overall", by="region", period=None
    )
    assert everyone["n"].sum() == d["overall"].notna().sum()


def test_empty_selection_says_so(sample_survey):
    with pytest.raises(ValueError, match="No respondents match"):
        widgets.explore_table(
            sample_survey.data,
            sample_survey.codebook,
            metric="nps",
            item="nps",
            by="channel",
            filters={"region": "火星"},
        )


def test_verbatims_are_redacted_and_from_the_group(sample_survey, truth):
    d, book = sample_survey.data, sample_survey.codebook
    pii_rows = {p["resp_id"] for p in truth["pii"]}
    channel = d.loc[d["resp_id"].isin(pii_rows), "channel"].iloc[0]
    out = widgets.explore_verbatims(d, book, by="channel", group=channel, n=5000)
    assert set(d.loc[out.index, "channel"]) == {channel}
    values = {p["value"] for p in truth["pii"]}
    assert not any(v in c for c in out for v in values)


def test_metric_options_in_english(sample_survey):
    opts = widgets.metric_options(sample_survey.codebook, lang="en")
    assert opts["NPS"] == ("nps", "nps") and "Mean: 配送到货" in opts


def test_explorer_builds_in_both_languages(sample_survey):
    pytest.importorskip("ipywidgets")
    for lang, word in (("zh", "波次"), ("en", "Wave")):
        box = widgets.explorer(sample_survey, lang=lang)
        controls = box.children[0].children
        assert controls[2].description == word and controls[2].value == "2025Q4"
        assert box.children[4].options  # the groups of the first segment, for the verbatims


# The widget itself is exercised in a real JupyterLab by tests/test_browser.py.

"""cxlab.survey against R's survey package (tests/reference/survey_weighted.R) and by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from weight_rule import check_weight_rule

from cxlab import survey

# The data of tests/reference/survey_weighted.R.
REF = pd.DataFrame(
    {
        "s": [10, 9, 8, 7, 6, 0, 10, 3, 9, 5, 9, 2],
        "w": [1, 2, 1, 1, 2, 1, 0.5, 1, 1.5, 1, 3, 0.7],
        "g": list("aaaaaabbbbbb"),
    }
)


def test_weighted_nps_matches_r_survey():
    # R: svymean(~y, svydesign(ids=~1, weights=~w, data=d)); confint(m, df=degf(des))
    out = survey.nps(REF, "s", weight="w").iloc[0]
    assert out["nps"] == pytest.approx(14.6496815286624, abs=1e-9)
    assert out["se"] == pytest.approx(31.1383124756208, abs=1e-9)
    assert out["ci_low"] == pytest.approx(-53.8852821404753, abs=1e-9)
    assert out["ci_high"] == pytest.approx(83.1846451978002, abs=1e-9)
    assert out["n"] == 12
    assert out["promoters"] == pytest.approx(50.95541401274, abs=1e-9)  # svymean(~top2, des)


def test_weighted_nps_by_group_matches_r_svyby():
    # R: svyby(~y, ~g, des, svymean); confint(b, df=degf(des))
    out = survey.nps(REF, "s", by="g", weight="w").set_index("g")
    assert out.loc["a", "nps"] == pytest.approx(0.0, abs=1e-9)
    assert out.loc["a", "se"] == pytest.approx(41.2861411922385, abs=1e-9)
    assert out.loc["b", "nps"] == pytest.approx(29.8701298701299, abs=1e-9)
    assert out.loc["b", "se"] == pytest.approx(42.5839200909330, abs=1e-9)
    assert out.loc["b", "ci_low"] == pytest.approx(-63.8564463085419, abs=1e-9)
    assert out.loc["b", "ci_high"] == pytest.approx(123.5967060488017, abs=1e-9)


def test_weighted_mean_and_sd_match_r():
    # R: svyby(~s, ~g, des, svymean); svyby(~s, ~g, des, svyvar); svymean(~s, des)
    out = survey.mean_score(REF, "s", by="g", weight="w").set_index("g")
    assert out.loc["a", "mean"] == pytest.approx(6.875, abs=1e-12)
    assert out.loc["a", "se"] == pytest.approx(1.16363580877117, abs=1e-9)
    assert out.loc["b", "mean"] == pytest.approx(7.12987012987013, abs=1e-9)
    assert out.loc["b", "se"] == pytest.approx(1.18168300797223, abs=1e-9)
    assert out.loc["a", "sd"] ** 2 == pytest.approx(10.33125, abs=1e-9)
    assert out.loc["b", "sd"] ** 2 == pytest.approx(9.33040984989037, abs=1e-9)
    total = survey.mean_score(REF, "s", weight="w").iloc[0]
    assert total["mean"] == pytest.approx(7.0)
    assert total["se"] == pytest.approx(0.83755, abs=5e-6)


def test_unweighted_nps_se_formula():
    # Hand-worked: 5 promoters (9-10), 5 detractors (0-6) of 12;
    # se = 100 sqrt((p + d - (p - d)^2) / (n - 1)).
    out = survey.nps(REF, "s").iloc[0]
    p, d, n = 5 / 12, 5 / 12, 12
    assert out["nps"] == pytest.approx(100 * (p - d))
    assert out["se"] == pytest.approx(100 * np.sqrt((p + d - (p - d) ** 2) / (n - 1)))
    # R: svymean(~y, svydesign(ids=~1, data=d)) gives SE 27.52409 for the same recoded scores.
    assert out["se"] == pytest.approx(27.52409, abs=5e-6)


def test_nps_rejects_out_of_scale_scores():
    with pytest.raises(ValueError, match=r"`s` should hold NPS answers 0-10.*\[11\.0\]"):
        survey.nps(REF.assign(s=[11, *REF["s"][1:]]), "s")


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_bad_weights_raise(bad):
    df = REF.assign(w=[bad, *REF["w"][1:]])
    with pytest.raises(ValueError, match=r"Weight column `w` has 1 missing, negative or infinite"):
        survey.nps(df, "s", weight="w")


def test_missing_weight_of_an_unanswered_row_is_not_checked():
    df = REF.assign(s=[np.nan, *REF["s"][1:]], w=[np.nan, *REF["w"][1:]])
    assert survey.nps(df, "s", weight="w")["n"].iloc[0] == 11


# -- the weight rule (cxlab.checks): negative raises, weight 0 = left out but counted ------------


@pytest.mark.parametrize("method", ["wald", "adjusted_wald", "bootstrap"])
def test_nps_weight_rule(method):
    check_weight_rule(
        lambda d, w: survey.nps(d, "s", by="g", weight=w, method=method, seed=3, n_boot=200), REF
    )


def test_nps_weight_rule_fractional_scores():
    frac = REF.assign(s=REF["s"].replace({10: 9.5, 8: 7.5}))
    check_weight_rule(lambda d, w: survey.nps(d, "s", by="g", weight=w), frac)


@pytest.mark.parametrize(
    "call",
    [
        lambda d, w: survey.mean_score(d, "s", by="g", weight=w),
        lambda d, w: survey.top_box(d, "s", scale=(0, 10), by="g", weight=w),
        lambda d, w: survey.top_box(d.assign(s=d["s"] + 0.25), "s", scale=(0, 10.25), weight=w),
        lambda d, w: survey.ces(d.assign(s=d["s"] % 7 + 1), "s", by="g", weight=w),
        lambda d, w: survey.counts(d, "g", weight=w),
        lambda d, w: survey.estimate(d, "nps", "s", by="g", weight=w),
        lambda d, w: survey.weighted_mean_table(d["s"], keys=d[["g"]], weights=d[w]),
    ],
    ids=["mean_score", "top_box", "top_box_direct", "ces", "counts", "estimate", "engine"],
)
def test_metrics_weight_rule(call):
    check_weight_rule(call, REF)


def test_top_box_observed_scale_comes_from_the_respondents_who_count():
    # Row 4 holds the only 5: with weight 0 it must not set the top of the observed scale.
    df = pd.DataFrame({"x": [1, 2, 3, 4, 5, 3, 4], "w": [1.0, 1.0, 2.0, 1.0, 1.5, 1.0, 1.0]})
    check_weight_rule(lambda d, w: survey.top_box(d, "x", weight=w), df, row=4)


def test_zero_weight_is_counted_in_n_not_in_n_used():
    out = survey.nps(REF.assign(w=[0.0, *REF["w"][1:]]), "s", weight="w").iloc[0]
    assert (out["n"], out["n_used"]) == (12, 11)


def test_all_missing_item_raises():
    with pytest.raises(ValueError, match="has no answers at all"):
        survey.mean_score(REF.assign(s=np.nan), "s")


def test_one_respondent_group_has_no_interval_and_says_why():
    df = pd.concat([REF, pd.DataFrame({"s": [9], "w": [1.0], "g": ["c"]})], ignore_index=True)
    out = survey.nps(df, "s", by="g").set_index("g")
    assert np.isnan(out.loc["c", "ci_low"])
    assert out.loc["c", "note"] == "base_below_2"


def test_missing_column_lists_columns():
    with pytest.raises(ValueError, match=r"\['nope'\] not in the data. Columns: s, w, g"):
        survey.nps(REF, "nope")


def test_select_wave_latest_and_unknown():
    df = pd.DataFrame({"wave": ["2025Q1", "2025Q2", "2025Q2"], "x": [1, 2, 3]})
    sub, w = survey.select_wave(df, "wave", None)
    assert w == "2025Q2" and len(sub) == 2
    with pytest.raises(ValueError, match=r"waves present: \['2025Q1', '2025Q2'\]"):
        survey.select_wave(df, "wave", "2024Q4")


def test_sample_nps_by_wave_covers_population_truth(sample_survey, truth):
    d = sample_survey.data
    out = survey.nps(d, "nps", by="wave").set_index("wave")
    for wave, true in truth["population"]["nps_by_wave"].items():
        assert out.loc[wave, "ci_low"] <= true <= out.loc[wave, "ci_high"], wave
    # Planted: the 小程序 channel is the least satisfied.
    by_channel = survey.nps(d, "nps", by="channel").set_index("channel")["nps"]
    assert by_channel.idxmin() == "小程序"


def test_fractional_scores_take_the_row_by_row_path_with_the_same_result():
    whole = survey.nps(REF, "s", by="g", weight="w")
    frac = survey.nps(
        REF.assign(s=REF["s"].replace({10: 9.5, 8: 7.5, 0: 0.5})), "s", by="g", weight="w"
    )
    pd.testing.assert_frame_equal(whole, frac)
    share = survey.top_box(REF.assign(s=REF["s"] + 0.25), "s", k=2, scale=(0, 10.25), by="g")
    assert share["n"].sum() == 12


@pytest.mark.parametrize("method", ["adjusted_wald", "bootstrap"])
def test_other_interval_methods(method):
    out = survey.nps(REF, "s", by="g", method=method, seed=1).set_index("g")
    assert (out["ci_low"] < out["nps"]).all() and (out["nps"] < out["ci_high"]).all()
    assert (out["method"] == method).all()


def test_adjusted_wald_by_hand():
    # Sauro & Lewis: n + 3 and 0.75 added to promoter and detractor counts.
    out = survey.nps(REF, "s", method="adjusted_wald").iloc[0]
    p, d = (5 + 0.75) / 15, (5 + 0.75) / 15
    se = 100 * np.sqrt((p + d - (p - d) ** 2) / 15)
    assert out["se"] == pytest.approx(se)
    assert out["ci_low"] == pytest.approx(100 * (p - d) - 1.959963984540054 * se)


def test_bootstrap_is_reproducible_with_a_seed():
    a = survey.nps(REF, "s", method="bootstrap", seed=7)
    b = survey.nps(REF, "s", method="bootstrap", seed=7)
    pd.testing.assert_frame_equal(a, b)

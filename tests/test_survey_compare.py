"""Significance letters, trends, raking and reliability, against R and by hand."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from weight_rule import check_weight_rule

from cxlab import survey

# tests/reference/compare_and_rake.R
A = [4, 5, 3, 4, 2, 5, 4, 3, 4, 5]
B = [2, 3, 3, 1, 4, 2, 3, 2, 5, 2, 3, 1]


def test_welch_t_between_two_groups_matches_r_t_test():
    df = pd.DataFrame({"x": A + B, "g": ["a"] * len(A) + ["b"] * len(B)})
    pairs = survey.compare_pairs(df, "mean", "g", "x", min_base=2)
    # R: t.test(a, b, var.equal = FALSE)
    assert pairs.loc[0, "stat"] == pytest.approx(2.86033284643112, abs=1e-9)
    assert pairs.loc[0, "p"] == pytest.approx(0.00967948273454624, abs=1e-9)


def test_column_proportion_z_matches_r_prop_test():
    g = ["a"] * 80 + ["b"] * 90
    x = [5] * 45 + [1] * 35 + [5] * 30 + [1] * 60
    pairs = survey.compare_pairs(
        pd.DataFrame({"x": x, "g": g}), "top_box", "g", "x", scale=(1, 5), k=1, min_base=2
    )
    # R: prop.test(c(45, 30), c(80, 90), correct = FALSE)$p.value
    assert pairs.loc[0, "p"] == pytest.approx(0.00266759604309079, abs=1e-12)


def three_groups():
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "g": np.repeat(["甲", "乙", "丙", "丁"], [300, 300, 300, 12]),
            "x": np.concatenate(
                [
                    rng.normal(4.0, 1, 300),
                    rng.normal(3.5, 1, 300),
                    rng.normal(3.9, 1, 300),
                    rng.normal(1, 1, 12),
                ]
            ),
        }
    )


def test_letters_mark_higher_groups_and_skip_low_bases():
    out = survey.compare(three_groups(), "mean", "g", "x").set_index("g")
    # Sorted group order gives letters: 丁 A, 丙 B, 乙 C, 甲 D.
    assert out["letter"].to_dict() == {"丁": "A", "丙": "B", "乙": "C", "甲": "D"}
    assert out.loc["丁", "low_base"] and out.loc["丁", "higher_than"] == ""
    assert out.loc["甲", "higher_than"] == "C"  # 4.0 vs 3.5 on 300 each: p far below 0.01
    assert out.loc["丙", "higher_than"] == "C"
    assert "A" not in "".join(out["higher_than"])  # the low base is never tested
    assert out.loc["乙", "higher_than"] == ""


def test_lower_case_letter_between_the_two_levels():
    # 45/80 vs 32/80 top-box: pooled z = 2.057, p = 0.0397 (one pair, so no adjustment).
    g = ["a"] * 80 + ["b"] * 80
    x = [5] * 45 + [1] * 35 + [5] * 32 + [1] * 48
    df = pd.DataFrame({"x": x, "g": g})
    assert survey.compare_pairs(df, "top_box", "g", "x", scale=(1, 5), k=1).loc[
        0, "p_adj"
    ] == pytest.approx(0.0397, abs=5e-4)
    letters = survey.compare(df, "top_box", "g", "x", scale=(1, 5), k=1).set_index("g")[
        "higher_than"
    ]
    assert letters.to_dict() == {"a": "b", "b": ""}


def test_bonferroni_and_fdr():
    df = three_groups()
    raw = survey.compare_pairs(df, "mean", "g", "x", correction="none")
    bon = survey.compare_pairs(df, "mean", "g", "x")
    np.testing.assert_allclose(bon["p_adj"], np.minimum(1, raw["p"] * 3))
    fdr = survey.compare_pairs(df, "mean", "g", "x", correction="fdr")
    assert (fdr["p_adj"] <= bon["p_adj"] + 1e-15).all()
    with pytest.raises(ValueError, match="`correction` should be one of"):
        survey.compare_pairs(df, "mean", "g", "x", correction="holm2")


def test_trend_flags_planted_q4_rise(sample_survey):
    t = survey.trend(sample_survey.data, "nps", "wave", "nps", weight="weight").set_index("wave")
    assert t.loc["2025Q4", "significant"] and t.loc["2025Q4", "change"] > 0
    assert not t.loc["2025Q2", "significant"]
    assert np.isnan(t.loc["2025Q1", "change"])
    row = t.loc["2025Q4"]
    prev = t.loc["2025Q3"]
    assert row["change_se"] == pytest.approx(np.hypot(row["se"], prev["se"]))


def test_compare_on_sample_finds_planted_channel_gap(sample_survey):
    out = survey.compare(sample_survey.data, "nps", "channel", "nps", weight="weight").set_index(
        "channel"
    )
    assert out.loc["门店", "higher_than"].upper().count("B") == 1  # 门店 above 小程序 (letter B)
    assert out.loc["小程序", "higher_than"] == ""


# -- the weight rule (cxlab.checks) ---------------------------------------------------------------


def weighted_groups(n=40, seed=5):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x": rng.integers(1, 6, 3 * n).astype(float),
            "g": np.repeat(["a", "b", "c"], n),
            "q": np.tile(["Q1", "Q2"], 3 * n // 2),
            "w": rng.uniform(0.5, 2.0, 3 * n),
        }
    )


@dataclass(frozen=True)
class PairsAndGroups:
    """compare_pairs' table beside the group estimates it tests (which carry the bases)."""

    pairs: pd.DataFrame
    groups: pd.DataFrame


@pytest.mark.parametrize("metric", ["mean", "top_box", "nps"])
def test_compare_pairs_weight_rule(metric):
    def call(d, w):
        opts = {"weight": w, "min_base": 2, "scale": (1, 5) if metric == "top_box" else None}
        item = "x" if metric != "nps" else "n10"
        d = d.assign(n10=d["x"] * 2)
        return PairsAndGroups(
            survey.compare_pairs(d, metric, "g", item, **opts),
            survey.estimate(d, metric, item, by="g", weight=w, scale=opts["scale"]),
        )

    check_weight_rule(call, weighted_groups())


def test_compare_pairs_reports_the_bases_tested():
    d = weighted_groups()
    d.loc[0, "w"] = 0.0
    pairs = survey.compare_pairs(d, "mean", "g", "x", weight="w", min_base=2)
    assert pairs.loc[0, ["n_used_a", "n_used_b"]].tolist() == [39, 40]


def test_compare_weight_rule():
    check_weight_rule(
        lambda d, w: survey.compare(d, "mean", "g", "x", weight=w, min_base=2), weighted_groups()
    )


def test_trend_weight_rule():
    check_weight_rule(
        lambda d, w: survey.trend(d, "top_box", "q", "x", by="g", weight=w, scale=(1, 5)),
        weighted_groups(),
    )


def test_likert_table_weight_rule():
    check_weight_rule(
        lambda d, w: survey.likert_table(d, ["x"], by="g", weight=w), weighted_groups()
    )


def test_rake_weight_rule():
    base = RAKE.assign(w=[1.0, 2.0, 1.0, 1.0, 0.5, 1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0])
    check_weight_rule(lambda d, w: survey.rake(d, TARGETS, weight=w, tol=1e-12), base)
    zero = survey.rake(base.assign(w=[0.0, *base["w"][1:]]), TARGETS, weight="w", tol=1e-12)
    assert zero.weights.iloc[0] == 0 and (zero.n, zero.n_used) == (12, 11)
    assert zero.weights[zero.weights > 0].mean() == pytest.approx(1.0)


def test_rake_names_the_rows_of_bad_base_weights():
    bad = RAKE.assign(w=[1.0, -1.0, 1.0, 1.0, np.nan, *[1.0] * 7])
    with pytest.raises(ValueError, match=r"Weight column `w` has 2 .* \(rows 1, 4\)"):
        survey.rake(bad, TARGETS, weight="w")


# -- raking ----------------------------------------------------------------------------------------

RAKE = pd.DataFrame(
    {
        "region": list("EEEEENNNSSSS"),
        "tier": ["g", "s", "s", "b", "b", "g", "b", "b", "s", "b", "b", "b"],
    }
)
TARGETS = {"region": {"E": 0.3, "N": 0.3, "S": 0.4}, "tier": {"b": 0.5, "s": 0.3, "g": 0.2}}


def test_rake_matches_r_survey_rake():
    res = survey.rake(RAKE, TARGETS, tol=1e-12, max_iter=1000)
    # R: weights(rake(des, list(~region, ~tier), list(pr, pt))) / mean(...)
    expected = [0.8, 0.9, 0.9, 0.5, 0.5, 1.6, 1.0, 1.0, 1.8, 1.0, 1.0, 1.0]
    np.testing.assert_allclose(res.weights, expected, atol=1e-8)
    assert res.converged
    assert res.efficiency == pytest.approx(100 * survey.kish_n_eff(expected) / 12)
    assert res.margins["weighted"].to_numpy() == pytest.approx(res.margins["target"].to_numpy())


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ({"region": {"E": 0.3, "N": 0.3, "S": 0.3}}, r"`region` sum to 0\.9, not 1"),
        ({"region": {"E": 0.3, "N": 0.3, "S": 0.3, "W": 0.1}}, r"absent from the data: \['W'\]"),
        ({"region": {"E": 0.5, "N": 0.5}}, r"categories without a target: \['S'\]"),
        ({"nope": {"x": 1.0}}, r"\['nope'\] not in the data"),
    ],
)
def test_rake_refuses_bad_targets(targets, message):
    with pytest.raises(ValueError, match=message):
        survey.rake(RAKE, targets)


def test_rake_cap_limits_weights():
    with pytest.warns(RuntimeWarning, match="did not converge"):
        res = survey.rake(RAKE, TARGETS, cap=1.5, max_iter=50)
    assert not res.converged
    assert res.weights.max() <= 1.5 * res.weights.mean() + 1e-12


def test_rake_sample_to_its_targets(sample_survey, truth):
    res = survey.rake(sample_survey.data, truth["weighting_targets"])
    assert res.converged and 50 < res.efficiency < 100
    assert res.n_eff == pytest.approx(survey.kish_n_eff(res.weights))


# -- reliability (R: psych::alpha on the data below; see tests/reference/psych_alpha.R) --------

ITEMS = pd.DataFrame(
    {
        "i1": [4, 5, 3, 4, 2, 5, 4, 3, 4, 5, 2, 3, 4, 4, 5],
        "i2": [4, 4, 3, 5, 2, 5, 3, 3, 4, 4, 1, 3, 5, 4, 5],
        "i3": [3, 5, 2, 4, 3, 4, 4, 2, 3, 5, 2, 2, 4, 3, 4],
        "i4": [5, 4, 3, 4, 1, 5, 4, 4, 5, 4, 2, 3, 3, 4, 5],
    }
)


def test_cronbach_alpha_matches_psych():
    a = survey.cronbach_alpha(ITEMS, list(ITEMS))
    assert a["alpha"] == pytest.approx(0.896876337184424, abs=1e-12)
    assert a["ci_low"] == pytest.approx(0.773586588926851, abs=1e-9)  # $feldt$lower.ci
    assert a["ci_high"] == pytest.approx(0.961315528003014, abs=1e-9)
    assert (a["n"], a["k"]) == (15, 4)


def test_item_analysis_matches_psych():
    t = survey.item_analysis(ITEMS, list(ITEMS)).set_index("item")
    np.testing.assert_allclose(
        t["r_drop"],
        [0.963566782087339, 0.824768068540110, 0.638822310270531, 0.689658088824315],
        atol=1e-9,
    )
    np.testing.assert_allclose(
        t["alpha_if_deleted"],
        [0.800464037122970, 0.846658711217184, 0.912202380952381, 0.898692810457516],
        atol=1e-12,
    )
    np.testing.assert_allclose(
        t["sd"], [1.01418510567422, 1.17513930278601, 1.04653623694457, 1.16291915126588]
    )


def test_alpha_rejects_constant_item_and_too_few_items():
    with pytest.raises(ValueError, match=r"\['c'\] have the same answer"):
        survey.cronbach_alpha(ITEMS.assign(c=3), ["i1", "c"])
    with pytest.raises(ValueError, match="at least two items"):
        survey.cronbach_alpha(ITEMS, ["i1"])


def test_sample_scales_are_reliable(sample_survey):
    per = [c for c in sample_survey.data if c.startswith("per_")]
    assert survey.cronbach_alpha(sample_survey.data, per)["alpha"] > 0.8


def test_likert_table_percentages():
    df = pd.DataFrame({"q": [1, 2, 2, 5, np.nan], "w": [1, 1, 2, 1, 9], "g": list("aabbb")})
    t = survey.likert_table(df, ["q"], weight="w")
    assert dict(zip(t["answer"], t["percent"], strict=True)) == {1: 20.0, 2: 60.0, 5: 20.0}
    by = survey.likert_table(df, ["q"], by="g")
    assert by.groupby("g")["percent"].sum().tolist() == [100.0, 100.0]


def test_trend_estimates_each_wave_as_its_own_sample_as_r_does():
    """Each wave's interval is the one its own sample gives (waves are independent samples), not
    one borrowing the other waves' bases: before, 2025Q2 here read se 39.97, [-42.5, 133.4].

    R 4.x, survey 4.1-1 (the NPS answers recoded to +100 / 0 / -100 in ``nps``):
        for (wv in c("2025Q1", "2025Q2")) {
          des <- svydesign(ids = ~1, weights = ~w, data = d[d$wave == wv, ])
          m <- svymean(~nps, des); confint(m, df = degf(des)) }
    """
    d = pd.DataFrame(
        {
            "wave": ["2025Q1"] * 7 + ["2025Q2"] * 5,
            "q": [10, 9, 6, 3, 8, 10, 7, 9, 2, 10, 5, 10],
            "w": [1, 2, 1, 0.5, 1, 1.5, 1, 2, 1, 1, 0.5, 1],
        }
    )
    r = {  # wave: (estimate, SE, lower, upper)
        "2025Q1": (37.5000000000, 31.5963875424, -39.8135751309, 114.8135751309),
        "2025Q2": (45.4545454545, 42.7840631588, -73.3330572832, 164.2421481923),
    }
    t = survey.trend(d, "nps", "wave", "q", weight="w").set_index("wave")
    for wave, expected in r.items():
        got = t.loc[wave, ["value", "se", "ci_low", "ci_high"]].to_numpy(float)
        np.testing.assert_allclose(got, expected, rtol=1e-9)
    # The same interval as the wave's estimate on its own (the page's KPI table), with groups.
    d["g"] = ["a", "b"] * 6
    by_g = survey.trend(d, "nps", "wave", "q", by="g", weight="w")
    for (g, wave), row in by_g.set_index(["g", "wave"]).iterrows():
        alone = survey.estimate(d[d["wave"] == wave], "nps", "q", by="g", weight="w")
        np.testing.assert_allclose(row["ci_low"], alone.set_index("g").loc[g, "ci_low"])

"""cxlab.gaps: hand-worked examples, scipy/R references, planted sample effects, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from weight_rule import check_weight_rule

from cxlab import gaps, io
from cxlab.paths import SAMPLE_DIR

SMALL = pd.DataFrame(
    {
        "e1": [7, 6, 7, 5, 6, 7],
        "p1": [5, 6, 4, 5, 5, 6],
        "e2": [6, 6, 5, 6, 7, 5],
        "p2": [6, 7, 5, 6, 6, 6],
        "e3": [5, 7, 6, 6, 5, 7],
        "p3": [4, 5, 5, np.nan, 5, 6],
    }
)
PAIRS = {"i1": ("e1", "p1"), "i2": ("e2", "p2"), "i3": ("e3", "p3")}
DIMS = {"i1": "可靠性", "i2": "可靠性", "i3": "响应性"}


def test_item_gap_is_a_paired_t_test():
    out = gaps.servqual(SMALL, PAIRS, dimensions=DIMS).set_index("name")
    # Hand-worked: i1 gaps = -2, 0, -3, 0, -1, -1 -> mean -7/6.
    assert out.loc["i1", "gap"] == pytest.approx(-7 / 6)
    assert out.loc["i1", "expectation"] == pytest.approx(38 / 6)
    ref = stats.ttest_rel(SMALL["p1"], SMALL["e1"])
    assert out.loc["i1", "t"] == pytest.approx(ref.statistic)
    assert out.loc["i1", "p"] == pytest.approx(ref.pvalue)
    # i3 has one missing perception: five pairs, and its means use only those pairs.
    assert out.loc["i3", "n"] == 5
    assert out.loc["i3", "expectation"] == pytest.approx(np.mean([5, 7, 6, 5, 7]))


def test_dimension_and_overall_scores():
    out = gaps.servqual(SMALL, PAIRS, dimensions=DIMS).set_index("name")
    # Respondent dimension gap = mean of their item gaps in it; overall = mean of dimension gaps.
    rel = ((SMALL["p1"] - SMALL["e1"]) + (SMALL["p2"] - SMALL["e2"])) / 2
    assert out.loc["可靠性", "gap"] == pytest.approx(rel.mean())
    res = SMALL["p3"] - SMALL["e3"]
    overall = pd.concat([rel, res], axis=1).mean(axis=1)
    assert out.loc["overall", "gap"] == pytest.approx(overall.mean())
    assert list(out["level"].unique()) == ["item", "dimension", "overall"]


def test_weighted_servqual_with_fixed_and_per_respondent_points():
    fixed = gaps.servqual(
        SMALL, PAIRS, dimensions=DIMS, importance={"可靠性": 70, "响应性": 30}
    ).set_index("name")
    rel = ((SMALL["p1"] - SMALL["e1"]) + (SMALL["p2"] - SMALL["e2"])) / 2
    res = SMALL["p3"] - SMALL["e3"]
    assert fixed.loc["weighted_overall", "gap"] == pytest.approx((0.7 * rel + 0.3 * res).mean())
    per = SMALL.assign(ir=[70, 50, 50, 60, 80, 40], ie=[30, 50, 50, 40, 20, 60])
    out = gaps.servqual(
        per, PAIRS, dimensions=DIMS, importance={"可靠性": "ir", "响应性": "ie"}
    ).set_index("name")
    expect = (per["ir"] / 100 * rel + per["ie"] / 100 * res).mean()
    assert out.loc["weighted_overall", "gap"] == pytest.approx(expect)


def test_wilcoxon_option():
    out = gaps.servqual(SMALL, PAIRS, test="wilcoxon").set_index("name")
    assert out.loc["i1", "p"] == pytest.approx(stats.wilcoxon(SMALL["p1"] - SMALL["e1"]).pvalue)


@pytest.mark.parametrize(
    ("pairs", "kwargs", "message"),
    [
        ({"i1": ("e1", "nope")}, {}, r"lack a column in the data \(i1: \['nope'\]\)"),
        ({"i1": ("e1",)}, {}, r"\['i1'\] need an \(expectation column, perception column\) pair"),
        (
            PAIRS,
            {"scales": {"e1": (1, 7), "p1": (1, 5)}},
            r"different scales for: i1 \(e1 1-7 vs p1 1-5\)",
        ),
        (PAIRS, {"importance": {"可靠性": 70, "响应性": 20}}, r"should sum to 100 .* 6 do not"),
        (PAIRS, {"importance": {"可靠性": 100}}, r"gives no points to dimension\(s\) \['响应性'\]"),
    ],
)
def test_servqual_bad_input(pairs, kwargs, message):
    with pytest.raises(ValueError, match=message):
        gaps.servqual(SMALL, pairs, dimensions=DIMS if "importance" in kwargs else None, **kwargs)


def test_observed_scale_mismatch_is_caught_without_a_codebook():
    df = SMALL.assign(p1=[3, 4, 2, 5, 1, 4], e1=[7, 6, 7, 6, 7, 5])
    df.loc[0, "p1"] = 5
    with pytest.raises(
        ValueError, match=r"different scales for: i1 \(e1 answers up to 7, p1 up to 5\)"
    ):
        gaps.servqual(df, {"i1": ("e1", "p1")})


def test_sample_gaps_cover_planted_truth(sample_survey, truth):
    spec = gaps.servqual_spec(sample_survey.codebook)
    assert spec.labels["rel1"] == "按承诺时间提供服务"
    out = gaps.servqual(
        sample_survey.data,
        spec.pairs,
        dimensions=spec.dimensions,
        importance=spec.importance,
        scales=spec.scales,
    )
    items = out[out["level"] == "item"].set_index("name")
    for item, true in truth["population"]["servqual_item_gaps"].items():
        assert items.loc[item, "ci_low"] <= true <= items.loc[item, "ci_high"], item
    dims_t = out[out["level"] == "dimension"].set_index("name")
    assert dims_t["gap"].idxmin() == truth["servqual"]["largest_gap_dimension"]


# -- IPA ---------------------------------------------------------------------------------------------


def test_ipa_stated_by_hand():
    df = pd.DataFrame(
        {
            "ia": [5, 5, 4],
            "pa": [2, 3, 2],
            "ib": [2, 3, 2],
            "pb": [5, 4, 5],
            "ic": [4, 5, 5],
            "pc": [5, 5, 4],
            "id": [1, 2, 2],
            "pd": [1, 2, 1],
        }
    )
    result = gaps.ipa(
        df,
        {"a": "pa", "b": "pb", "c": "pc", "d": "pd"},
        importance={"a": "ia", "b": "ib", "c": "ic", "d": "id"},
    )
    out = result.points.set_index("attribute")
    # Mean importance: a 4.67, b 2.33, c 4.67, d 1.67 (crosshair 3.33); performance a 2.33, b 4.67, c 4.67, d 1.33 (3.25).
    assert out["quadrant"].to_dict() == {
        "a": "concentrate here",
        "b": "possible overkill",
        "c": "keep up the good work",
        "d": "low priority",
    }
    assert result.crosshair["importance"].iloc[0] == pytest.approx(13 / 4 + 1 / 12)
    # Only "concentrate here" gets a priority.
    assert out["priority"].to_dict() == pytest.approx(
        {"a": 1.0, "b": np.nan, "c": np.nan, "d": np.nan}, nan_ok=True
    )


def test_ipa_derived_importance_is_the_correlation_with_the_outcome(sample_survey):
    d = sample_survey.data
    perf = {"问题解决": "d_resolve", "门店环境": "d_store"}
    out = gaps.ipa(d, perf, outcome="overall", method="derived").points.set_index("attribute")
    both = d[["d_resolve", "d_store", "overall"]].dropna()
    assert out.loc["问题解决", "importance"] == pytest.approx(
        both["d_resolve"].corr(both["overall"])
    )
    with pytest.raises(ValueError, match="needs `outcome`"):
        gaps.ipa(d, perf, method="derived")


# -- Kano --------------------------------------------------------------------------------------------


def test_kano_table_and_coefficients_by_hand():
    # Pairs: (1,5) O, (1,5) O, (1,3) A, (3,5) M, (3,3) I, (5,1) R, (1,1) Q, (2,5) M
    df = pd.DataFrame({"f": [1, 1, 1, 3, 3, 5, 1, 2], "d": [5, 5, 3, 5, 3, 1, 1, 5]})
    out = gaps.kano(df, {"x": "f"}, {"x": "d"}).iloc[0]
    assert (out["O"], out["A"], out["M"], out["I"], out["R"], out["Q"]) == (
        25.0,
        12.5,
        25.0,
        12.5,
        12.5,
        12.5,
    )
    # Tie O = M: M wins (M > O > A > I).
    assert out["category"] == "M"
    assert out["better"] == pytest.approx((12.5 + 25) / 75)
    assert out["worse"] == pytest.approx(-(25 + 25) / 75)


def test_kano_rejects_answers_outside_1_to_5():
    df = pd.DataFrame({"f": [1, 6], "d": [5, 0]})
    with pytest.raises(
        ValueError, match=r"Kano feature 'x': column `f` has 1 answer\(s\) outside 1-5 \(\[6\.0\]"
    ):
        gaps.kano(df, {"x": "f"}, {"x": "d"})
    with pytest.raises(ValueError, match=r"\['y'\] need both"):
        gaps.kano(df, {"x": "f", "y": "f"}, {"x": "d"})


def test_sample_kano_categories_recovered(sample_survey, truth):
    book = sample_survey.codebook
    spec = gaps.kano_spec(book)
    out = gaps.kano(sample_survey.data, spec.functional, spec.dysfunctional).set_index("feature")
    assert out["category"].to_dict() == truth["kano"]


# -- company vs customer -----------------------------------------------------------------------------


def test_perception_gap_matches_r_prop_test():
    staff = pd.DataFrame({"q": [5] * 45 + [2] * 35})
    cust = pd.DataFrame({"q": [4] * 30 + [1] * 60})
    out = gaps.perception_gap(staff, cust, ["q"]).iloc[0]
    assert out["internal_share"] == pytest.approx(56.25) and out["customer_share"] == pytest.approx(
        100 / 3
    )
    assert out["gap"] == pytest.approx(56.25 - 100 / 3)
    # R: prop.test(c(45, 30), c(80, 90), correct = FALSE)$p.value (tests/reference/compare_and_rake.R)
    assert out["p"] == pytest.approx(0.00266759604309079, abs=1e-12)
    se = np.sqrt(0.5625 * 0.4375 / 80 + (1 / 3) * (2 / 3) / 90) * 100
    assert out["ci_low"] == pytest.approx(out["gap"] - 1.959963984540054 * se)


def test_sample_staff_overrate_resolution(sample_survey, truth):
    staff = io.load_survey(SAMPLE_DIR / "staff.csv")
    out = gaps.perception_gap(staff.data, sample_survey.data, truth["staff"]["items"]).set_index(
        "item"
    )
    assert out.loc["d_resolve", "gap"] > 20 and out.loc["d_resolve", "p"] < 1e-6
    true_gap = (
        truth["population"]["top2_staff"]["d_resolve"]
        - truth["population"]["top2_customer"]["d_resolve"]
    )
    assert out.loc["d_resolve", "ci_low"] <= true_gap <= out.loc["d_resolve", "ci_high"]


# -- codes, specs and the weight rule -----------------------------------------------------------------


def test_results_carry_codes_with_words_in_the_catalogue():
    from cxlab.messages import msg

    out = gaps.servqual(SMALL, PAIRS, dimensions=DIMS, importance={"可靠性": 70, "响应性": 30})
    summary = out[out["level"].isin(["overall", "weighted"])]
    assert summary["name"].tolist() == ["overall", "weighted_overall"]
    for level in out["level"].unique():
        assert msg(f"level.{level}", "en")
    assert msg("name.overall", "zh") == "总体" and msg("name.weighted_overall", "en")
    assert [msg(f"category.{c}", "zh") for c in gaps.KANO_CATEGORIES] == [
        "魅力型",
        "期望型",
        "必备型",
        "无差异型",
        "反向型",
        "可疑",
    ]
    assert set(np.unique(gaps.KANO_TABLE)) == set(gaps.KANO_CATEGORIES)


def test_specs_raise_codebook_errors_naming_what_is_missing():
    from cxlab.codebook import Codebook, CodebookError

    plain = Codebook.from_dict({"id": "id", "items": {"q": {"type": "scale", "min": 1, "max": 5}}})
    with pytest.raises(CodebookError, match="role `expectation`"):
        gaps.servqual_spec(plain)
    with pytest.raises(CodebookError, match="role `functional`"):
        gaps.kano_spec(plain)
    lone = Codebook.from_dict(
        {
            "id": "id",
            "items": {
                "kf": {"type": "kano", "role": "functional", "feature": "app"},
                "kd": {"type": "kano", "role": "dysfunctional", "feature": "home"},
            },
        }
    )
    with pytest.raises(CodebookError, match=r"\['app', 'home'\] need both"):
        gaps.kano_spec(lone)


def test_sample_kano_spec_matches_the_codebook(sample_survey):
    book = sample_survey.codebook
    spec = gaps.kano_spec(book)
    assert list(spec.functional.values()) == book.select(role="functional")
    assert set(spec.functional) == set(spec.dysfunctional)


WEIGHTED = SMALL.assign(w=[1.0, 2.0, 0.5, 1.5, 1.0, 3.0], g=["a", "b", "a", "b", "a", "b"])


@pytest.mark.parametrize("by", [None, "g"])
def test_servqual_weight_rule(by):
    check_weight_rule(
        lambda d, w: gaps.servqual(
            d, PAIRS, dimensions=DIMS, by=by, weight=w, importance={"可靠性": 70, "响应性": 30}
        ),
        WEIGHTED,
        row=1,
    )


@pytest.mark.parametrize("method", ["stated", "derived"])
def test_ipa_weight_rule(method):
    df = WEIGHTED.assign(o=[5, 6, 4, 6, 5, 7])
    check_weight_rule(
        lambda d, w: gaps.ipa(
            d,
            {"x": "p1", "y": "p2", "z": "p3"},
            importance={"x": "e1", "y": "e2", "z": "e3"},
            outcome="o",
            method=method,
            weight=w,
        ),
        df,
        row=2,
    )


def test_kano_weight_rule():
    df = pd.DataFrame(
        {
            "f": [1, 1, 1, 3, 3, 5, 1, 2],
            "d": [5, 5, 3, 5, 3, 1, 1, 5],
            "w": [1, 2, 1, 1, 2, 1, 1, 3],
        }
    )
    check_weight_rule(lambda d, w: gaps.kano(d, {"x": "f"}, {"x": "d"}, weight=w), df, row=2)


@pytest.mark.parametrize("side", ["internal", "customer"])
def test_perception_gap_weight_rule_on_each_survey(side):
    staff = pd.DataFrame({"q": [5, 4, 2, 5, 1, 4, 3], "w": [1, 2, 1, 1, 2, 1, 1.5]})
    cust = pd.DataFrame({"q": [4, 1, 2, 2, 5, 3, 1, 4], "w": [1, 1, 2, 1, 1, 3, 1, 0.5]})

    def call(d, w):
        if side == "internal":
            out = gaps.perception_gap(d, cust, ["q"], internal_weight=w, customer_weight="w")
        else:
            out = gaps.perception_gap(staff, d, ["q"], internal_weight="w", customer_weight=w)
        return out.rename(columns={f"{side}_n": "n", f"{side}_n_used": "n_used"})

    check_weight_rule(call, staff if side == "internal" else cust, row=0)

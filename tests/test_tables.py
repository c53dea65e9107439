"""Table books (cxlab.tables): hand-worked tables for every row type, weighted and unweighted;
significance letters against statsmodels / scipy computed here; the effective base against its
formula; the Excel book re-read with openpyxl; the sample survey's planted differences."""

from __future__ import annotations

import importlib

import numpy as np
import openpyxl
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest
from weight_rule import check_weight_rule

from cxlab.codebook import Codebook
from cxlab.tables import BannerVar, TableSpec, crosstab, read_spec, table_book, to_excel, to_html
from cxlab.tables.excel import HEADER_ROW, NUMBER_FORMATS
from cxlab.tables.layout import layouts

NAN = np.nan
crosstab_module = importlib.import_module("cxlab.tables.crosstab")
SEG = ["x"] * 4 + ["y"] * 7  # the 11th respondent answers nothing below but q5/d as marked
W = [1.0, 2.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 5.0]

CODEBOOK = Codebook.from_dict(
    {
        "id": "id",
        "segments": {"seg": "分组"},
        "labels": {"q5": "了解渠道（多选）"},
        "items": {
            "cat": {"type": "category", "label": "是否", "values": {1: "是", 2: "否", 3: "不确定"}},
            "sat": {"type": "scale", "min": 1, "max": 5, "label": "满意度"},
            "rec": {"type": "nps", "label": "推荐意愿"},
            "spend": {"type": "numeric", "label": "花费"},
            "q5_a": {"type": "multi", "set": "q5", "label": "门店"},
            "q5_b": {"type": "multi", "set": "q5", "label": "官网"},
            "q5_c": {"type": "multi", "set": "q5", "label": "小程序"},
        },
    }
)


@pytest.fixture()
def small():
    """Eleven respondents: x = rows 0-3, y = rows 4-10; row 10 answers nothing but weighs 5."""
    return pd.DataFrame(
        {
            "seg": SEG,
            "w": W,
            "cat": [1, 1, 2, 3, 1, 2, 2, 2, 2, 3, NAN],
            "sat": [5, 4, 4, 2, 5, 5, 3, 1, 4, 2, NAN],
            "rec": [10, 9, 7, 3, 10, 6, 6, 8, 9, 0, NAN],
            "spend": [10, 20, 30, 40, 1, 2, 3, 4, 5, 100, NAN],
            "q5_a": [1, 1, 0, NAN, 1, 0, 1, 0, 1, 1, NAN],
            "q5_b": [1, 0, 1, NAN, 1, 0, NAN, 0, 0, 1, NAN],
            "q5_c": [0, 0, 1, NAN, 1, 1, 0, 0, 0, 0, NAN],
        }
    )


def cell(t, row_value, banner_value, column="value"):
    hit = t[(t["row_value"] == row_value) & (t["banner_value"] == banner_value)]
    assert len(hit) == 1, (row_value, banner_value)
    return hit[column].iat[0]


def table(df, row, weight=None, **kw):
    return crosstab(df, row, "seg", codebook=CODEBOOK, weight=weight, **{"min_base": 1, **kw})


# -- hand-worked tables ------------------------------------------------------------------------


def test_category_unweighted_by_hand(small):
    t = table(small, "cat")
    # total: 1,1,2,3,1,2,2,2,2,3 -> 3/10, 5/10, 2/10; x: 1,1,2,3; y: 1,2,2,2,2,3
    want = {
        ("1", "total"): 30.0, ("2", "total"): 50.0, ("3", "total"): 20.0,
        ("1", "x"): 50.0, ("2", "x"): 25.0, ("3", "x"): 25.0,
        ("1", "y"): 100 / 6, ("2", "y"): 400 / 6, ("3", "y"): 100 / 6,
    }  # fmt: skip
    for (code, col), pct in want.items():
        assert cell(t, code, col, "pct") == pytest.approx(pct)
    assert cell(t, "1", "x", "count") == 2
    assert t.groupby("banner_value")["base"].first().to_dict() == {"total": 10, "x": 4, "y": 6}
    assert (t["base_effective"] == t["base"]).all() and (t["base_weighted"] == t["base"]).all()
    assert list(t["row_value"].unique()) == ["1", "2", "3"]  # codebook order
    assert t["row_type"].unique().tolist() == ["category"]


def test_category_codes_found_when_data_holds_labels(small):
    labelled = small.assign(cat=small["cat"].map({1: "是", 2: "否", 3: "不确定"}))
    pd.testing.assert_frame_equal(table(labelled, "cat"), table(small, "cat"))


def test_category_weighted_by_hand(small):
    t = table(small, "cat", weight="w")
    # x: weights 1,2,1,1 on codes 1,1,2,3 -> W 5, code 1: 3 -> 60 %; sum w^2 = 7
    # y: weights 2,1,1,1,1,1 on 1,2,2,2,2,3 -> W 7, code 1: 2 -> 28.57 %; sum w^2 = 9
    assert cell(t, "1", "x", "pct") == pytest.approx(60.0)
    assert cell(t, "1", "y", "pct") == pytest.approx(200 / 7)
    assert cell(t, "2", "total", "pct") == pytest.approx(500 / 12)
    assert cell(t, "1", "x", "base_weighted") == 5
    assert cell(t, "1", "x", "base_effective") == pytest.approx(25 / 7)
    assert cell(t, "1", "y", "base_effective") == pytest.approx(49 / 9)
    assert cell(t, "1", "total", "base_effective") == pytest.approx(144 / 16)
    assert cell(t, "1", "total", "base") == 10  # the weight-5 respondent did not answer


def test_scale_points_nets_mean_sd_by_hand(small):
    t = table(small, "sat")
    assert t["row_value"].unique().tolist() == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "top2",
        "bottom2",
        "mean",
        "sd",
    ]
    # x: 5,4,4,2 -> top2 75, bottom2 25, mean 3.75, sd sqrt(4.75/3)
    assert cell(t, "top2", "x") == 75 and cell(t, "bottom2", "x") == 25
    assert cell(t, "4", "x") == 50
    assert cell(t, "mean", "x") == pytest.approx(3.75)
    assert cell(t, "mean", "x", "sd") == pytest.approx(np.sqrt(4.75 / 3))
    assert cell(t, "sd", "x") == pytest.approx(np.sqrt(4.75 / 3))
    # y: 5,5,3,1,4,2 -> top2 50, bottom2 33.3, mean 20/6, sd sqrt((40/3)/5)
    assert cell(t, "top2", "y") == 50 and cell(t, "bottom2", "y") == pytest.approx(100 / 3)
    assert cell(t, "mean", "y") == pytest.approx(20 / 6)
    assert cell(t, "sd", "y") == pytest.approx(np.sqrt(40 / 3 / 5))
    assert np.isnan(cell(t, "mean", "y", "pct")) and np.isnan(cell(t, "sd", "y", "mean"))


def test_scale_weighted_by_hand(small):
    t = table(small, "sat", weight="w")
    # x: 5(1) 4(2) 4(1) 2(1): top2 4/5, mean 19/5; sum w(x-m)^2 = 4.8, / (5 - 7/5) -> var 4/3
    assert cell(t, "top2", "x") == pytest.approx(80.0)
    assert cell(t, "mean", "x") == pytest.approx(3.8)
    assert cell(t, "sd", "x") == pytest.approx(np.sqrt(4 / 3))
    # the SD equals numpy's unbiased weighted variance with analytic weights
    y = small[small["seg"] == "y"].dropna(subset=["sat"])
    assert cell(t, "sd", "y") == pytest.approx(np.sqrt(np.cov(y["sat"], aweights=y["w"])))
    assert cell(t, "mean", "y") == pytest.approx(25 / 7)


def test_nps_by_hand(small):
    t = table(small, "rec")
    assert t["row_value"].unique().tolist() == ["promoters", "passives", "detractors", "nps"]
    # x: 10,9,7,3 -> 50 / 25 / 25, NPS 25; y: 10,6,6,8,9,0 -> 33.3 / 16.7 / 50, NPS -16.7
    assert [cell(t, v, "x") for v in ("promoters", "passives", "detractors", "nps")] == [
        50,
        25,
        25,
        25,
    ]
    assert cell(t, "nps", "y") == pytest.approx(-100 / 6)
    assert cell(t, "nps", "y", "mean") == pytest.approx(-100 / 6)
    # NPS is the mean of +100/0/-100: its SD is that of the recoded answers
    assert cell(t, "nps", "y", "sd") == pytest.approx(
        np.std([100, -100, -100, 0, 100, -100], ddof=1)
    )
    tw = table(small, "rec", weight="w")
    assert cell(tw, "promoters", "x") == pytest.approx(60.0)  # (1 + 2) / 5
    assert cell(tw, "nps", "x") == pytest.approx(40.0)


def test_numeric_mean_and_median_by_hand(small):
    t = table(small, "spend")
    assert t["row_value"].unique().tolist() == ["mean", "median"]
    assert cell(t, "mean", "x") == 25 and cell(t, "median", "x") == 25  # 10 20 30 40
    assert cell(t, "mean", "y") == pytest.approx(115 / 6) and cell(t, "median", "y") == 3.5
    assert cell(t, "mean", "y", "sd") == pytest.approx(np.std([1, 2, 3, 4, 5, 100], ddof=1))
    tw = table(small, "spend", weight="w")
    # x weights 1,2,1,1: cumulative 1,3,4,5 passes half (2.5) at 20
    assert cell(tw, "median", "x") == 20
    assert cell(tw, "mean", "x") == pytest.approx((10 + 40 + 30 + 40) / 5)
    # total weights 12: sorted 1(2) 2 3 4 5 10 20(2) 30 40 100 reach half (6) exactly at 5,
    # so the median is halfway to the next value, as the unweighted median of an even count
    assert cell(tw, "median", "total") == 7.5


def test_multi_set_by_hand(small):
    t = table(small, "q5")
    assert t["row_type"].unique().tolist() == ["multi"]
    assert t["row_value"].unique().tolist() == ["q5_a", "q5_b", "q5_c"]
    # x answered rows 0-2 (row 3 left the set blank): a 2/3, b 2/3, c 1/3 -> sums past 100
    assert cell(t, "q5_a", "x", "base") == 3
    assert [cell(t, v, "x") for v in ("q5_a", "q5_b", "q5_c")] == pytest.approx(
        [200 / 3, 200 / 3, 100 / 3]
    )
    assert t[t["banner_value"] == "x"]["pct"].sum() > 100
    # y answered rows 4-9; row 6 left q5_b blank but answered the set: it counts as not chosen
    assert cell(t, "q5_a", "y", "base") == 6
    assert [cell(t, v, "y") for v in ("q5_a", "q5_b", "q5_c")] == pytest.approx(
        [400 / 6, 200 / 6, 200 / 6]
    )
    assert cell(t, "q5_b", "total") == pytest.approx(400 / 9)
    tw = table(small, "q5", weight="w")
    # x weights 1,2,1 -> q5_c chosen by row 2 only: 1/4
    assert cell(tw, "q5_c", "x") == pytest.approx(25.0)


def test_no_codebook_tables_categories(small):
    t = crosstab(small, "sat", "seg", min_base=1)
    assert t["row_value"].unique().tolist() == ["1", "2", "3", "4", "5"]
    assert t["row_type"].unique().tolist() == ["category"]


def test_row_nets_replace_top_and_bottom_box(small):
    t = table(small, "sat", nets={"sat": {"满意": [4, 5]}})
    assert "top2" not in set(t["row_value"]) and cell(t, "满意", "x") == 75
    t = table(small, "cat", nets={"cat": {"确定": ["是", 2]}})  # by label or by code
    assert cell(t, "确定", "total") == 80


def test_banner_nets_and_column_letters():
    df = pd.DataFrame({"r": ["华东", "华南", "华北", "华东", "西部"], "q": [1, 2, 1, 2, 1]})
    t = crosstab(df, "q", [BannerVar("r", nets={"南方": ("华东", "华南")})], min_base=1)
    cols = t[t["row_value"] == "1"][["banner_value", "column", "base"]].values.tolist()
    assert cols == [["total", "", 5], ["华东", "A", 2], ["华北", "B", 1], ["华南", "C", 1],
                    ["西部", "D", 1], ["南方", "E", 3]]  # fmt: skip
    with pytest.raises(ValueError, match="南方"):
        crosstab(df, "q", [BannerVar("r", nets={"南方": ("华东", "华中")})])


def test_banner_split_into_several_passes_gives_the_same_table(small, monkeypatch):
    df = small.assign(seg2=list("ababababcab"), seg3=list("pqrpqrpqrpq"))
    want = crosstab(df, ["sat", "q5"], ["seg", "seg2", "seg3"], codebook=CODEBOOK, weight="w")
    monkeypatch.setattr(crosstab_module, "_JOINT_LIMIT", 4)
    got = crosstab(df, ["sat", "q5"], ["seg", "seg2", "seg3"], codebook=CODEBOOK, weight="w")
    pd.testing.assert_frame_equal(got, want)


# -- significance ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def survey():
    """600 respondents, three groups with planted differences, unequal weights."""
    rng = np.random.default_rng(7)
    n = 600
    g = rng.choice(["a", "b", "c"], size=n, p=[0.4, 0.35, 0.25])
    shift = pd.Series(g).map({"a": 0.0, "b": 0.35, "c": -0.3}).to_numpy()
    sat = np.clip(np.round(3.3 + shift + rng.normal(0, 1.1, n)), 1, 5)
    sat[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame({"g": g, "sat": sat, "w": rng.lognormal(0, 0.5, n)})


SAT = Codebook.from_dict({"id": "id", "items": {"sat": {"type": "scale", "min": 1, "max": 5}}})


def _expected_letters(t, pvalue, alpha=0.05, alpha_strong=0.01):
    """Letters from independent p values: pvalue(line, col1, col2) -> (p, est1, est2)."""
    cols = t[t["banner"] == "g"].drop_duplicates("column")[["banner_value", "column"]].values
    out = {}
    for line in t["row_value"].unique():
        for v1, _ in cols:
            s = ""
            for v2, l2 in cols:
                if v1 == v2:
                    continue
                p, e1, e2 = pvalue(line, v1, v2)
                if p < alpha and e1 > e2:
                    s += l2 if p < alpha_strong else l2.lower()
            out[(line, v1)] = s
    return out


def _observed(t, lines):
    g = t[(t["banner"] == "g") & t["row_value"].isin(lines)]
    return {(r, v): s for r, v, s in g[["row_value", "banner_value", "sig"]].values}


def test_letters_unweighted_match_statsmodels_and_scipy(survey):
    t = crosstab(survey, "sat", "g", codebook=SAT)
    answered = survey.dropna(subset=["sat"])

    def pvalue(line, v1, v2):
        x1 = answered.loc[answered["g"] == v1, "sat"]
        x2 = answered.loc[answered["g"] == v2, "sat"]
        if line == "mean":
            return stats.ttest_ind(x1, x2, equal_var=False).pvalue, x1.mean(), x2.mean()
        hit = {"top2": [4, 5], "bottom2": [1, 2]}.get(line, [int(line)] if line.isdigit() else [])
        c1, c2 = x1.isin(hit).sum(), x2.isin(hit).sum()
        return proportions_ztest([c1, c2], [len(x1), len(x2)])[1], c1 / len(x1), c2 / len(x2)

    lines = ["1", "2", "3", "4", "5", "top2", "bottom2", "mean"]
    want = _expected_letters(t[t["row_value"].isin(lines)], pvalue)
    assert _observed(t, lines) == want
    assert any(want.values()), "the planted differences should give letters"
    assert any(s.isupper() for s in want.values()) and any(s.islower() for s in want.values())
    assert (t.loc[t["row_value"] == "sd", "sig"] == "").all()
    assert (t.loc[t["banner"] == "total", "sig"] == "").all()


def test_letters_weighted_use_effective_bases(survey):
    t = crosstab(survey, "sat", "g", codebook=SAT, weight="w")
    answered = survey.dropna(subset=["sat"])

    def summary(v):
        d = answered[answered["g"] == v]
        w = d["w"].to_numpy()
        neff = w.sum() ** 2 / (w**2).sum()
        return d, w, neff

    def pvalue(line, v1, v2):
        (d1, w1, n1), (d2, w2, n2) = summary(v1), summary(v2)
        if line == "mean":
            m1, m2 = np.average(d1["sat"], weights=w1), np.average(d2["sat"], weights=w2)
            s1 = np.sqrt(np.cov(d1["sat"], aweights=w1))
            s2 = np.sqrt(np.cov(d2["sat"], aweights=w2))
            p = stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=False).pvalue
            return p, m1, m2
        hit = {"top2": [4, 5], "bottom2": [1, 2]}.get(line, [int(line)] if line.isdigit() else [])
        p1 = w1[d1["sat"].isin(hit)].sum() / w1.sum()
        p2 = w2[d2["sat"].isin(hit)].sum() / w2.sum()
        return proportions_ztest([p1 * n1, p2 * n2], [n1, n2])[1], p1, p2

    lines = ["1", "2", "3", "4", "5", "top2", "bottom2", "mean"]
    assert _observed(t, lines) == _expected_letters(t[t["row_value"].isin(lines)], pvalue)
    for v in ("a", "b", "c"):
        _, w, neff = summary(v)
        assert cell(t, "mean", v, "base_effective") == pytest.approx(neff, rel=1e-12)
        assert cell(t, "mean", v, "base_weighted") == pytest.approx(w.sum(), rel=1e-12)


def test_letters_under_adjustment_match_multipletests(survey):
    for method in ("bonferroni", "fdr_bh"):
        t = crosstab(survey, "sat", "g", codebook=SAT, adjust=method)
        answered = survey.dropna(subset=["sat"])
        groups = {v: answered.loc[answered["g"] == v, "sat"] for v in ("a", "b", "c")}
        pairs = [("a", "b"), ("a", "c"), ("b", "c")]
        raw = [stats.ttest_ind(groups[a], groups[b], equal_var=False).pvalue for a, b in pairs]
        adj = dict(zip(pairs, multipletests(raw, method=method)[1], strict=True))

        def pvalue(line, v1, v2, adj=adj, groups=groups):
            p = adj.get((v1, v2), adj.get((v2, v1)))
            return p, groups[v1].mean(), groups[v2].mean()

        assert _observed(t, ["mean"]) == _expected_letters(t[t["row_value"] == "mean"], pvalue)


def test_compare_total_arrows_against_the_rest(survey):
    t = crosstab(survey, "sat", "g", codebook=SAT, compare="total")
    answered = survey.dropna(subset=["sat"])
    for v in ("a", "b", "c"):
        x1, x2 = answered.loc[answered["g"] == v, "sat"], answered.loc[answered["g"] != v, "sat"]
        p = stats.ttest_ind(x1, x2, equal_var=False).pvalue
        want = "" if p >= 0.05 else ("▲" if x1.mean() > x2.mean() else "▼") * (2 if p < 0.01 else 1)
        assert cell(t, "mean", v, "sig") == want
        c1, c2 = (x1 >= 4).sum(), (x2 >= 4).sum()
        p = proportions_ztest([c1, c2], [len(x1), len(x2)])[1]
        up = c1 / len(x1) > c2 / len(x2)
        want = "" if p >= 0.05 else ("▲" if up else "▼") * (2 if p < 0.01 else 1)
        assert cell(t, "top2", v, "sig") == want
    assert set(t["sig"]) - {"", "▲", "▼", "▲▲", "▼▼"} == set()
    assert (t["sig"] != "").any()


def test_low_base_columns_are_flagged_and_never_tested(survey):
    small_c = pd.concat([survey[survey["g"] != "c"], survey[survey["g"] == "c"].head(12)])
    t = crosstab(small_c, "sat", "g", codebook=SAT, min_base=30)
    c = t[t["banner_value"] == "c"]
    assert c["low_base"].all() and (c["sig"] == "").all()
    assert not t[t["banner_value"].isin(["a", "b"])]["low_base"].any()
    assert not t["sig"].str.contains("C|c").any()  # nothing is tested against the low base
    assert not t[t["banner_value"].isin(["a", "b"])]["sig"].eq("").all()


def test_net_columns_are_not_tested_against_their_members(survey):
    t = crosstab(survey, "sat", [BannerVar("g", nets={"ab": ("a", "b")})], codebook=SAT)
    ab = t[t["banner_value"] == "ab"]
    assert ab["column"].iat[0] == "D"
    assert not ab["sig"].str.contains("[AaBb]").any()
    assert not t[t["banner_value"].isin(["a", "b"])]["sig"].str.contains("[Dd]").any()
    assert (
        t[t["banner_value"] == "c"]["sig"].str.contains("[Dd]").any()
        or ab["sig"].str.contains("[Cc]").any()
    )


# -- the weight rule and errors ----------------------------------------------------------------


def test_crosstab_weight_rule(small):
    check_weight_rule(
        lambda d, w: crosstab(d, ["cat", "sat", "rec", "spend", "q5"], "seg", weight=w,
                              codebook=CODEBOOK, min_base=1),
        small, weight="w", row=1,
    )  # fmt: skip


def test_table_book_weight_rule(small):
    check_weight_rule(
        lambda d, w: table_book(d, codebook=CODEBOOK, weight=w, min_base=1),
        small, weight="w", row=1,
    )  # fmt: skip
    zero = small.assign(w=small["w"].where(small.index != 1, 0.0))
    book = table_book(zero, codebook=CODEBOOK, weight="w", min_base=1)
    assert (book.tables["n_excluded"] == 1).all()
    assert any("weight 0" in n for t in layouts(book, lang="en") for n in t.notes)


def test_missing_weight_of_a_respondent_who_answered_nothing_is_ignored(small):
    df = small.assign(w=small["w"].where(small.index != 10))
    t = table(df, "sat", weight="w")
    pd.testing.assert_frame_equal(t, table(small, "sat", weight="w"))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"alpha": 0.01, "alpha_strong": 0.05}, "alpha_strong"),
        ({"compare": "rows"}, "compare"),
        ({"adjust": "holm"}, "adjust"),
        ({"min_base": -1}, "min_base"),
    ],
)
def test_bad_options_raise(small, kwargs, match):
    with pytest.raises(ValueError, match=match):
        table(small, "sat", **kwargs)


def test_bad_rows_raise(small):
    with pytest.raises(ValueError, match="sat"):
        table(small.assign(sat=small["sat"].replace(5, 6)), "sat")
    with pytest.raises(ValueError, match="nothing"):
        crosstab(small, "nothing", "seg")
    with pytest.raises(ValueError, match="q5_a"):
        table(small, "q5_a")
    with pytest.raises(ValueError, match="q5_b"):
        table(small.assign(q5_b=small["q5_b"].replace(1, 2)), "q5")


# -- spec and book -----------------------------------------------------------------------------


def test_spec_from_yaml_filters_nets_and_sort(small, tmp_path):
    path = tmp_path / "tables.yaml"
    path.write_text(
        "banner:\n  - column: seg\n    values: [y, x]\n"
        "nets: {sat: {满意: [4, 5]}}\n"
        "tables:\n"
        "  - rows: cat\n    sort: desc\n"
        "  - rows: [sat, rec]\n    title: 两题\n    base: {cat: [1, 2]}\n    base_label: 确定者\n",
        encoding="utf-8",
    )
    book = table_book(small, codebook=CODEBOOK, spec=read_spec(path), min_base=1)
    assert book.banner["banner_value"].tolist() == ["total", "y", "x"]
    first = book.cells[book.cells["table"] == 1]
    assert first["row_value"].unique().tolist() == ["2", "1", "3"]  # 50 %, 30 %, 20 %
    second = book.cells[book.cells["table"] == 2]
    assert second["row"].unique().tolist() == ["sat", "rec"]
    assert "满意" in set(second["row_value"]) and "top2" not in set(second["row_value"])
    assert cell(second[second["row"] == "sat"], "满意", "total", "base") == 8  # cat in 1, 2
    assert book.tables[["title", "base_label", "base_filter"]].values.tolist()[1] == [
        "两题",
        "确定者",
        "cat=1|2",
    ]
    t2 = list(layouts(book, lang="zh"))[1]
    assert t2.title == "两题" and t2.base == "基数：确定者" and len(t2.blocks) == 2


@pytest.mark.parametrize(
    "raw, match",
    [
        ([1], "mapping"),
        ({"banner": "seg"}, "banner"),
        ({"tables": [{"title": "x"}]}, r"tables\[0\]"),
        ({"tables": [{"rows": "q", "colour": 1}]}, "colour"),
        ({"sort": "random"}, "sort"),
        ({"nets": {"q": {"n": {"a": 1}}}}, r"nets\.q\.n"),
    ],
)
def test_bad_spec_names_the_key(raw, match):
    with pytest.raises(ValueError, match=match):
        TableSpec.from_dict(raw, source="t.yaml")


def test_default_book_is_every_closed_item_against_every_segment(small):
    book = table_book(small, codebook=CODEBOOK, min_base=1)
    assert book.tables["rows"].tolist() == ["cat", "sat", "rec", "q5"]  # no numeric item
    assert book.banner["banner"].tolist() == ["total", "seg", "seg"]
    assert book.cells["table"].is_monotonic_increasing


# -- Excel -------------------------------------------------------------------------------------


def test_excel_numbers_equal_the_cell_table(small, tmp_path):
    spec = TableSpec.from_dict(
        {"tables": [{"rows": "cat"}, {"rows": ["sat", "rec"]}, {"rows": "q5"}, {"rows": "spend"}]}
    )
    book = table_book(small, codebook=CODEBOOK, spec=spec, weight="w", min_base=3)
    path = to_excel(book, tmp_path / "book.xlsx", small="grey")  # every number, small ones too
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["目录", "T1", "T2", "T3", "T4"]
    contents = wb["目录"]
    links = [c.hyperlink.location for row in contents.iter_rows() for c in row if c.hyperlink]
    assert links == ["'T1'!A1", "'T2'!A1", "'T3'!A1", "'T4'!A1"]
    n_cols = len(book.banner)
    checked = 0
    for number, cells in book.cells.groupby("table"):
        ws = wb[f"T{number}"]
        assert ws.freeze_panes is not None
        assert any(r.min_row == HEADER_ROW + 1 for r in ws.merged_cells.ranges)
        r = HEADER_ROW + 4  # 1-based first row under the banner header
        for _, block in cells.groupby("row", sort=False):
            if cells["row"].nunique() > 1:
                r += 1  # the item's label
            first = block.iloc[:n_cols]
            for col in ("base", "base_weighted", "base_effective"):
                got = [ws.cell(r, 2 + 2 * c).value for c in range(n_cols)]
                assert got == pytest.approx(first[col].tolist(), rel=1e-12)
                r += 1
            for i in range(len(block) // n_cols):
                line = block.iloc[i * n_cols : (i + 1) * n_cols]
                kind = line["kind"].iat[0]
                scale = 100 if kind == "pct" else 1
                for c in range(n_cols):
                    v = ws.cell(r, 2 + 2 * c)
                    want = line["value"].iat[c]
                    if np.isnan(want):
                        assert v.value is None
                    else:
                        assert v.value * scale == pytest.approx(want, rel=1e-12)
                        assert v.number_format == NUMBER_FORMATS[kind]
                        checked += 1
                    assert (ws.cell(r, 3 + 2 * c).value or "") == line["sig"].iat[c]
                r += 1
    assert checked == book.cells["value"].notna().sum()


@pytest.mark.parametrize("writer", ["excel", "html"])
def test_small_columns_show_their_base_and_no_statistic(small, tmp_path, writer):
    """Issue 16: a column under min_base shows "n < 5" in place of every figure and letter,
    never a number computed from its few respondents, in the workbook and on the page alike;
    ``small="grey"`` (the analyst's own copy) shows the numbers in grey."""
    book = table_book(small, codebook=CODEBOOK, min_base=5)  # x: 4 respondents, y: 6
    low_cells = book.cells[book.cells["low_base"]]
    assert set(low_cells["banner_value"]) == {"x"}
    if writer == "html":
        page = to_html(book, lang="en", style=False)
        assert page.count("<td class=low>n &lt; 5</td>") == len(low_cells)
        assert ">n &lt; 5<" not in to_html(book, lang="en", style=False, small="grey")
        return
    ws = openpyxl.load_workbook(to_excel(book, tmp_path / "b.xlsx"))["T1"]
    x = 1 + 2 * int(np.flatnonzero(book.banner["banner_value"].to_numpy() == "x")[0])
    rows = list(ws.iter_rows(min_row=HEADER_ROW + 4, max_col=2 * len(book.banner) + 1))
    n_lines = book.cells.query("table == 1")["row_value"].nunique()
    lines = rows[1 : 1 + n_lines]  # unweighted: one base row, then the lines
    assert rows[0][x].value == 4  # the base stays
    assert [r[x].value for r in lines] == ["n < 5"] * n_lines
    assert all(r[x + 1].value is None for r in lines)  # no letter beside it


def test_excel_in_english_has_english_headings(small, tmp_path):
    book = table_book(small, codebook=CODEBOOK, min_base=1)
    wb = openpyxl.load_workbook(to_excel(book, tmp_path / "b.xlsx", lang="en"))
    assert wb.sheetnames[0] == "Contents"
    values = [c.value for row in wb["T2"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "Top 2 box" in values and "满意度" in values[0]


# -- the sample survey -------------------------------------------------------------------------


def test_planted_segment_differences_show_as_letters(sample_survey, truth):
    """channel: 小程序 planted -0.4, 门店 +0.1; tier: 金卡 +0.35 over 普通 (ground_truth.json)."""
    assert truth["segments"]["channel_shift"]["小程序"] < truth["segments"]["channel_shift"]["门店"]
    book = sample_survey.codebook
    spec = TableSpec.from_dict({"banner": ["channel", "member_tier"], "tables": ["nps", "overall"]})
    b = table_book(sample_survey.data, codebook=book, spec=spec, weight=book.weight)
    letters = b.banner.set_index("banner_value")["column"]
    for row, line in (("nps", "nps"), ("overall", "mean"), ("overall", "top2")):
        t = b.cells[b.cells["row"] == row]
        assert letters["小程序"] in cell(t, line, "门店", "sig").upper()
        assert letters["普通"] in cell(t, line, "金卡", "sig").upper()
        assert cell(t, line, "小程序", "sig") == ""  # the planted lowest is above no one


def test_base_filter_and_binary_codes_in_words(small):
    cb = Codebook.from_dict(
        {"id": "id", "items": {"cat": {"type": "category", "label": "是否"},
                               "used": {"type": "binary", "label": "用过"}}}
    )  # fmt: skip
    spec = TableSpec.from_dict({"tables": [{"rows": "used", "base": {"cat": [1, 2]}}]})
    df = small.assign(used=[1, 0, 1, 1, 0, 0, 1, 1, 0, 1, NAN])
    t = next(layouts(table_book(df, codebook=cb, spec=spec, min_base=1), lang="zh"))
    assert t.base == "基数：是否 = 1 / 2"
    assert [line[0] for line in t.blocks[0].lines] == ["否", "是"]

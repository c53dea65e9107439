"""PLS path modelling (Wold's algorithm, as R ``plspm``) with bootstrap inference.

:func:`pls_pm` estimates a structural model between constructs, each measured by a block of
items: outer weights and loadings (measurement model), path coefficients and R² (structural
model), effects, reliability, discriminant validity and construct scores.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from cxlab.checks import require_columns, weight_values
from cxlab.codebook import Codebook
from cxlab.index import _algorithm as alg
from cxlab.index.templates import blocks_from_codebook, template

__all__ = ["PLSResult", "pls_pm"]


@dataclass(frozen=True)
class PLSResult:
    """The result of :func:`pls_pm`.

    Attributes
    ----------
    paths : pandas.DataFrame
        One row per path: ``from``, ``to``, ``estimate`` (standardised path coefficient); with
        ``n_boot > 0`` also ``boot_se`` (bootstrap standard deviation), ``t`` (estimate /
        boot_se), ``p`` (two-sided, t distribution with ``n_boot - 1`` df), ``ci_low``,
        ``ci_high`` (percentile interval at level ``1 - alpha``).
    outer : pandas.DataFrame
        One row per item: ``construct``, ``item``, ``mode``, ``weight`` (outer weight, in the
        item's treated metric: standardised when ``scaled``, else raw centred), ``loading``
        (correlation of item and construct score), ``communality`` (loading²).
    r2 : pandas.DataFrame
        One row per endogenous construct: ``construct``, ``r2``, ``r2_adj``
        (1 - (1 - R²)(n_used - 1)/(n_used - k - 1) for k predictors).
    effects : pandas.DataFrame
        One row per pair joined by a directed path: ``from``, ``to``, ``direct``,
        ``indirect``, ``total``; with bootstrap, ``boot_se``, ``ci_low``, ``ci_high`` of
        ``total``.
    reliability : pandas.DataFrame
        One row per construct: ``construct``, ``mode``, ``items``, ``alpha`` (standardised
        Cronbach's α), ``rho_a`` (Dijkstra-Henseler), ``rho_c`` (composite reliability),
        ``ave`` (average variance extracted). NaN for Mode B and single-item blocks.
    htmt : pandas.DataFrame
        One row per pair of Mode A constructs with 2+ items: ``construct_1``, ``construct_2``,
        ``htmt`` (heterotrait-monotrait ratio).
    fornell_larcker : pandas.DataFrame
        ``construct`` then one column per construct: correlations of the construct scores,
        with √AVE on the diagonal.
    scores : pandas.DataFrame
        Construct scores (mean 0, variance 1) of the respondents used, indexed as ``df``.
    gof : pandas.DataFrame
        One row: ``gof`` (√(mean communality × mean R²), blocks of 2+ items), ``n`` (rows with
        every item answered), ``n_used`` (of them with weight > 0), ``n_missing`` (rows dropped
        for a missing answer); with bootstrap, ``n_boot`` and ``n_boot_converged``.
    iterations : int
    converged : bool
    blocks : dict
        Construct -> items, as estimated.
    modes : dict
        Construct -> ``"A"`` or ``"B"``.
    settings : dict
        ``scheme``, ``scaled``, ``weight``, ``tol``, ``max_iter``: what :func:`pls_pm` was
        called with (used to refit, e.g. by :func:`cxlab.index.index_scores`).
    """

    paths: pd.DataFrame
    outer: pd.DataFrame
    r2: pd.DataFrame
    effects: pd.DataFrame
    reliability: pd.DataFrame
    htmt: pd.DataFrame
    fornell_larcker: pd.DataFrame
    scores: pd.DataFrame
    gof: pd.DataFrame
    iterations: int
    converged: bool
    blocks: dict = field(default_factory=dict)
    modes: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    @property
    def structure(self) -> list[tuple[str, str]]:
        """The paths as (from, to) pairs."""
        return list(zip(self.paths["from"], self.paths["to"], strict=True))


def _model(blocks, paths, codebook, modes):
    """Blocks, paths and modes from explicit arguments or a template name and a codebook."""
    if isinstance(blocks, str):
        tpl = template(blocks)
        if codebook is None:
            raise ValueError(
                f"Template {blocks!r} needs `codebook=` to find the items of each construct "
                "(items tagged `construct: <code>`)."
            )
        blocks = blocks_from_codebook(codebook, constructs=tpl.constructs)
        paths = tpl.paths if paths is None else paths
    if not isinstance(blocks, Mapping) or not blocks:
        raise TypeError("`blocks` should map each construct to its items, or name a template.")
    if paths is None:
        raise ValueError("`paths` is required: a list of (from, to) construct pairs.")
    blocks = {
        str(c): [str(i) for i in ([v] if isinstance(v, str) else v)] for c, v in blocks.items()
    }
    paths = [(str(a), str(b)) for a, b in paths]
    modes = {c: "A" for c in blocks} | dict(modes or {})
    return blocks, paths, modes


def _check_model(blocks, paths, modes) -> None:
    """Raise for a model that cannot be estimated, naming the construct."""
    cons = list(blocks)
    unknown = sorted({c for p in paths for c in p} - set(cons)) + sorted(set(modes) - set(cons))
    if unknown:
        raise ValueError(f"Construct(s) {unknown} are in `paths`/`modes` but not in `blocks`.")
    bad = {c: m for c, m in modes.items() if m not in ("A", "B")}
    if bad:
        raise ValueError(f"`modes` should be 'A' (reflective) or 'B' (formative), not {bad}.")
    seen: dict[str, str] = {}
    for c, items in blocks.items():
        if not items:
            raise ValueError(f"Construct `{c}` has no items.")
        if len(items) == 1 and modes[c] == "A":
            raise ValueError(
                f"Construct `{c}` is measured by one item ({items[0]}) in mode A: a reflective "
                "construct needs at least two items. Add items, or declare a single-item "
                f'measure with modes={{"{c}": "B"}} (its score is then the standardised item).'
            )
        for i in items:
            if i in seen:
                raise ValueError(f"Item `{i}` is in two blocks: `{seen[i]}` and `{c}`.")
            seen[i] = c
    if len(set(paths)) < len(paths) or any(a == b for a, b in paths):
        raise ValueError("`paths` repeats a path or has a construct pointing to itself.")
    linked = {c for p in paths for c in p}
    alone = [c for c in cons if c not in linked]
    if alone:
        raise ValueError(
            f"Construct(s) {alone} are disconnected: no path leads to or from them. "
            "Add their paths or leave them out of `blocks`."
        )
    _check_acyclic(cons, paths)


def _check_acyclic(cons, paths) -> None:
    indegree = {c: 0 for c in cons}
    for _, b in paths:
        indegree[b] += 1
    ready = [c for c in cons if indegree[c] == 0]
    while ready:
        c = ready.pop()
        for a, b in paths:
            if a == c:
                indegree[b] -= 1
                if indegree[b] == 0:
                    ready.append(b)
    cycle = [c for c in cons if indegree[c] > 0]
    if cycle:
        raise ValueError(
            f"`paths` has a cycle through construct(s) {cycle}; a PLS path model must be "
            "recursive (no construct may lead back to itself)."
        )


def _data(df, blocks, weight):
    """Complete cases with weight > 0: X (n_used, p), weights, index, and the bases."""
    items = [i for v in blocks.values() for i in v]
    require_columns(df, *items, arg="item(s)")
    x = df[items].apply(pd.to_numeric, errors="coerce")
    complete = x.notna().all(axis=1).to_numpy()
    w = weight_values(df, weight, rows=complete)
    use = complete & (w > 0)
    bases = {
        "n": int(complete.sum()),
        "n_used": int(use.sum()),
        "n_missing": int((~complete).sum()),
    }
    if bases["n_used"] < 3:
        raise ValueError(f"Only {bases['n_used']} respondent(s) answered every item; need 3+.")
    xv = x.to_numpy(dtype=float)[use]
    wv = w[use]
    mean = wv @ xv / wv.sum()
    var = wv @ (xv - mean) ** 2 / wv.sum()
    owner = {i: c for c, v in blocks.items() for i in v}
    flat = [
        i
        for i, v in zip(items, var, strict=True)
        if v <= 1e-12 * max(1.0, mean[items.index(i)] ** 2)
    ]
    if flat:
        raise ValueError(
            f"Item `{flat[0]}` of construct `{owner[flat[0]]}` is constant among the "
            f"{bases['n_used']} respondents used; it carries no information. Drop it from the block."
        )
    return xv, wv, df.index[use], bases


def pls_pm(
    df: pd.DataFrame,
    blocks: Mapping[str, Sequence[str]] | str,
    *,
    paths: Sequence[tuple[str, str]] | None = None,
    modes: Mapping[str, str] | None = None,
    scheme: str = "path",
    scaled: bool = True,
    weight: str | None = None,
    n_boot: int = 0,
    seed: int | None = None,
    alpha: float = 0.05,
    tol: float = 1e-6,
    max_iter: int = 300,
    codebook: Codebook | None = None,
) -> PLSResult:
    """Partial least squares path model (Wold's algorithm, Lohmöller's steps, as R plspm).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent.
    blocks : mapping or str
        Construct -> its item columns; or a template name (``"ecsi"``, ``"acsi"``, ``"ccsi"``),
        whose constructs take the items the ``codebook`` tags with ``construct:``.
    paths : list of (str, str), optional
        Structural paths (from, to); required with explicit ``blocks``, default the
        template's when ``blocks`` names one.
    modes : mapping, optional
        Construct -> ``"A"`` (reflective, the default) or ``"B"`` (formative).
    scheme : {"path", "centroid", "factorial"}
        Inner weighting scheme.
    scaled : bool
        Standardise the items (True) or only centre them (False: outer weights in the items'
        raw metric, as index scores need).
    weight : str, optional
        Weight column (see :mod:`cxlab.checks`): every step uses weighted moments.
    n_boot : int
        Bootstrap resamples for the paths and total effects (0: none).
    seed : int, optional
        Seed of the bootstrap.
    alpha : float
        The intervals cover ``1 - alpha``.
    tol, max_iter : float, int
        Stop when the sum of squared changes of the absolute outer weights is below ``tol``
        (plspm's rule), or after ``max_iter`` iterations (then ``converged`` is False).
    codebook : Codebook, optional
        Needed when ``blocks`` names a template.

    Returns
    -------
    PLSResult
        See :class:`PLSResult` for every table and column.

    Raises
    ------
    ValueError
        Naming the construct: a Mode A construct with one item, a constant item, a construct
        without paths, a cycle in ``paths``; and for missing columns or bad weights.

    Notes
    -----
    Missing answers: listwise. A respondent missing any item of the model is left out and
    counted in ``gof.n_missing``. Items are treated (standardised or centred) with population
    moments, initial outer weights are 1, and each iteration computes scores Y = X W scaled to
    variance 1, inner weights E (centroid: sign of the correlation of adjacent constructs;
    factorial: the correlation; path: regression coefficients on predecessors and correlations
    with successors), inner estimates Z = Y E, then Mode A weights cov(X_block, Z_k) or Mode B
    weights (OLS of Z_k on the block). Path coefficients are OLS on the final scores (Wold,
    1982; Lohmöller, 1989; Tenenhaus et al., 2005). This equals R ``plspm::plspm`` 0.5.1 (to
    1e-12 on the ECSI mobile-phone data), except that a block whose loadings are mostly
    negative has its weights' sign flipped along with its score (plspm flips only the score).
    With ``weight``, every covariance is weighted (weighted PLS, Becker & Ismail, 2016) and
    the bootstrap resamples respondents with weight > 0, carrying their weights.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.standard_normal(200); g = 0.6 * f + 0.8 * rng.standard_normal(200)
    >>> df = pd.DataFrame({"x1": f + rng.standard_normal(200), "x2": f + rng.standard_normal(200),
    ...                    "y1": g + rng.standard_normal(200), "y2": g + rng.standard_normal(200)})
    >>> res = pls_pm(df, {"X": ["x1", "x2"], "Y": ["y1", "y2"]}, paths=[("X", "Y")])
    >>> res.paths.round(3).to_dict("records")
    [{'from': 'X', 'to': 'Y', 'estimate': 0.421}]
    >>> res.outer["loading"].round(3).tolist()
    [0.864, 0.857, 0.893, 0.874]
    """
    blocks, paths, modes = _model(blocks, paths, codebook, modes)
    _check_model(blocks, paths, modes)
    spec = alg.build_spec(blocks, paths, modes, scheme, tol, max_iter)
    x, w, index, bases = _data(df, blocks, weight)
    s, sd = alg.covariances(x, w[None, :], scaled=scaled)
    wts, iterations, converged = alg.outer_weights(s, spec)
    if not converged[0]:
        warnings.warn(
            f"PLS did not converge in {max_iter} iterations (tol {tol:g}); raise `max_iter`.",
            RuntimeWarning,
            stacklevel=2,
        )
    fit = _Fit(blocks, paths, modes, spec, s[0], wts[0], bases)
    boot = _bootstrap(x, w, spec, scaled=scaled, n_boot=n_boot, seed=seed) if n_boot else None
    gof = fit.gof()
    if boot is not None:
        gof["n_boot"], gof["n_boot_converged"] = n_boot, len(boot[0])
    treated = (x - w @ x / w.sum()) / (sd[0] if scaled else 1.0)
    return PLSResult(
        paths=fit.path_table(boot, alpha, n_boot),
        outer=fit.outer_table(),
        r2=fit.r2_table(),
        effects=fit.effect_table(boot, alpha),
        reliability=fit.reliability_table(),
        htmt=fit.htmt_table(),
        fornell_larcker=fit.fornell_larcker_table(),
        scores=pd.DataFrame(treated @ wts[0], index=index, columns=list(blocks)),
        gof=gof,
        iterations=int(iterations[0]),
        converged=bool(converged[0]),
        blocks=blocks,
        modes=modes,
        settings={
            "scheme": scheme,
            "scaled": scaled,
            "weight": weight,
            "tol": tol,
            "max_iter": max_iter,
        },
    )


def _bootstrap(x, w, spec, *, scaled, n_boot, seed, chunk=None):
    """Path coefficients (B, n_paths) and total effects (B, L, L) of converged resamples."""
    rng = np.random.default_rng(seed)
    n = len(x)
    chunk = chunk or max(1, min(n_boot, 4_000_000 // max(n, 1)))
    rows = np.flatnonzero(spec.adj.ravel())
    coefs, totals = [], []
    for start in range(0, n_boot, chunk):
        counts = rng.multinomial(n, np.full(n, 1 / n), size=min(chunk, n_boot - start))
        s, _ = alg.covariances(x, counts * w, scaled=scaled)
        wts, _, ok = alg.outer_weights(s, spec)
        p, _ = alg.path_coefficients(alg.score_correlations(s, wts), spec.adj)
        coefs.append(p.reshape(len(p), -1)[:, rows][ok])
        totals.append(alg.total_effects(p)[ok])
    return np.concatenate(coefs), np.concatenate(totals)


def _boot_columns(est, draws, alpha, *, t_test: bool) -> dict:
    se = draws.std(axis=0, ddof=1)
    out = {"boot_se": se}
    if t_test:
        with np.errstate(divide="ignore", invalid="ignore"):
            t = est / se
        out["t"] = t
        out["p"] = 2 * stats.t.sf(np.abs(t), len(draws) - 1)
    out["ci_low"] = np.quantile(draws, alpha / 2, axis=0)
    out["ci_high"] = np.quantile(draws, 1 - alpha / 2, axis=0)
    return out


class _Fit:
    """The tables of one fitted model (from S and the final weights)."""

    def __init__(self, blocks, paths, modes, spec, s, wts, bases):
        self.blocks, self.paths, self.modes, self.spec = blocks, paths, modes, spec
        self.cons = list(blocks)
        self.items = [i for v in blocks.values() for i in v]
        self.s, self.w, self.bases = s, wts, bases
        self.load = alg.loadings(s[None], wts[None])[0]
        self.r = alg.score_correlations(s[None], wts[None])[0]
        p, r2 = alg.path_coefficients(self.r[None], spec.adj)
        self.p, self.r2 = p[0], r2[0]
        self.total = alg.total_effects(p)[0]
        sd = np.sqrt(np.diag(s))
        self.corr = s / np.outer(sd, sd)
        self.ave = {c: np.nan for c in self.cons}
        for j, c in enumerate(self.cons):
            if modes[c] == "A":
                self.ave[c] = float(np.mean(self.load[self._idx(c), j] ** 2))

    def _idx(self, c):
        return [self.items.index(i) for i in self.blocks[c]]

    def _pos(self, a, b):
        return self.cons.index(a), self.cons.index(b)

    def path_table(self, boot, alpha, n_boot) -> pd.DataFrame:
        est = np.array([self.p[self._pos(a, b)] for a, b in self.paths])
        out = pd.DataFrame(
            {"from": [a for a, _ in self.paths], "to": [b for _, b in self.paths], "estimate": est}
        )
        if boot is not None:
            flat = list(np.flatnonzero(self.spec.adj.ravel()))
            L = len(self.cons)
            cols = [flat.index(i * L + j) for i, j in (self._pos(a, b) for a, b in self.paths)]
            for k, v in _boot_columns(est, boot[0][:, cols], alpha, t_test=True).items():
                out[k] = v
        return out

    def outer_table(self) -> pd.DataFrame:
        rows = []
        for j, c in enumerate(self.cons):
            for i in self._idx(c):
                rows.append((c, self.items[i], self.modes[c], self.w[i, j], self.load[i, j]))
        out = pd.DataFrame(rows, columns=["construct", "item", "mode", "weight", "loading"])
        out["communality"] = out["loading"] ** 2
        return out

    def r2_table(self) -> pd.DataFrame:
        n = self.bases["n_used"]
        rows = []
        for j, c in enumerate(self.cons):
            k = int(self.spec.adj[:, j].sum())
            if k:
                r2 = float(self.r2[j])
                rows.append((c, r2, 1 - (1 - r2) * (n - 1) / (n - k - 1)))
        return pd.DataFrame(rows, columns=["construct", "r2", "r2_adj"])

    def effect_table(self, boot, alpha) -> pd.DataFrame:
        reach = alg.total_effects(self.spec.adj[None].astype(float))[0] > 0
        pairs = [
            (i, j) for i in range(len(self.cons)) for j in range(len(self.cons)) if reach[i, j]
        ]
        direct = np.array([self.p[i, j] for i, j in pairs])
        total = np.array([self.total[i, j] for i, j in pairs])
        out = pd.DataFrame(
            {
                "from": [self.cons[i] for i, _ in pairs],
                "to": [self.cons[j] for _, j in pairs],
                "direct": direct,
                "indirect": total - direct,
                "total": total,
            }
        )
        if boot is not None:
            draws = np.stack([boot[1][:, i, j] for i, j in pairs], axis=1)
            for k, v in _boot_columns(total, draws, alpha, t_test=False).items():
                out[k] = v
        return out

    def reliability_table(self) -> pd.DataFrame:
        rows = []
        for j, c in enumerate(self.cons):
            idx = self._idx(c)
            k = len(idx)
            if self.modes[c] == "B" or k < 2:
                rows.append((c, self.modes[c], k, np.nan, np.nan, np.nan, np.nan))
                continue
            rc = self.corr[np.ix_(idx, idx)]
            alpha = k / (k - 1) * (1 - k / rc.sum())
            lam = self.load[idx, j]
            rho_c = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
            ws = self.w[idx, j] * np.sqrt(np.diag(self.s)[idx])  # weights of standardised items
            off = rc - np.diag(np.diag(rc))
            ww = np.outer(ws, ws)
            rho_a = (ws @ ws) ** 2 * (ws @ off @ ws) / (ws @ (ww - np.diag(np.diag(ww))) @ ws)
            rows.append((c, "A", k, alpha, rho_a, rho_c, self.ave[c]))
        return pd.DataFrame(
            rows, columns=["construct", "mode", "items", "alpha", "rho_a", "rho_c", "ave"]
        )

    def htmt_table(self) -> pd.DataFrame:
        ok = [c for c in self.cons if self.modes[c] == "A" and len(self.blocks[c]) > 1]
        rows = []
        for a_pos, a in enumerate(ok):
            for b in ok[a_pos + 1 :]:
                ia, ib = self._idx(a), self._idx(b)
                hetero = self.corr[np.ix_(ia, ib)].mean()
                mono = [
                    self.corr[np.ix_(i, i)][np.triu_indices(len(i), 1)].mean() for i in (ia, ib)
                ]
                rows.append((a, b, hetero / np.sqrt(mono[0] * mono[1])))
        return pd.DataFrame(rows, columns=["construct_1", "construct_2", "htmt"])

    def fornell_larcker_table(self) -> pd.DataFrame:
        m = self.r.copy()
        np.fill_diagonal(m, [np.sqrt(self.ave[c]) for c in self.cons])
        out = pd.DataFrame(m, columns=self.cons)
        out.insert(0, "construct", self.cons)
        return out

    def gof(self) -> pd.DataFrame:
        multi = [i for c in self.cons if len(self.blocks[c]) > 1 for i in self._idx(c)]
        cols = [j for j, c in enumerate(self.cons) if len(self.blocks[c]) > 1]
        comm = np.concatenate([self.load[self._idx(self.cons[j]), j] ** 2 for j in cols])
        endo = self.spec.adj.sum(axis=0) > 0
        gof = float(np.sqrt(comm.mean() * self.r2[endo].mean())) if multi else np.nan
        return pd.DataFrame([{"gof": gof, **self.bases}])

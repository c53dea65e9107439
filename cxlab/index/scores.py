"""The 0-100 satisfaction index per construct, as ACSI computes it, with bootstrap intervals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.checks import as_list, require_columns, weight_values
from cxlab.codebook import Codebook
from cxlab.index import _algorithm as alg
from cxlab.index.pls import PLSResult, pls_pm

__all__ = ["IndexScores", "index_scores"]


@dataclass(frozen=True)
class IndexScores:
    """The result of :func:`index_scores`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per construct (per group of ``by``): the ``by`` columns, ``construct``,
        ``index`` (0-100), ``ci_low``, ``ci_high`` (bootstrap percentile interval; NaN without
        bootstrap), ``n`` (respondents answering every item), ``n_used`` (of them with
        weight > 0).
    items : pandas.DataFrame
        One row per item: ``construct``, ``item``, ``weight`` (the unscaled model's outer
        weight normalised to sum 1 within the block), ``performance`` (mean answer rescaled
        to 0-100).
    effects : pandas.DataFrame
        ``from``, ``to``, ``total``: total effects between the 0-100 index scores (index
        points gained in ``to`` per index point of ``from``; unstandardised), and
        ``total_std``, the standardised total effect of the model.
    model : PLSResult
        The unscaled model estimated on the items rescaled to 0-100.
    """

    table: pd.DataFrame
    items: pd.DataFrame
    effects: pd.DataFrame
    model: PLSResult


def _scales(items, scale, codebook) -> dict[str, tuple[float, float]]:
    if scale is not None:
        if isinstance(scale, dict):
            missing = [i for i in items if i not in scale]
            if missing:
                raise ValueError(f"`scale` gives no range for item(s) {missing}.")
            return {i: tuple(map(float, scale[i])) for i in items}
        lo, hi = map(float, scale)
        return dict.fromkeys(items, (lo, hi))
    if codebook is None:
        raise ValueError("Give the answer range with `scale=(low, high)` or a `codebook`.")
    out = {}
    for i in items:
        rng = codebook.items[i].range if i in codebook.items else None
        if rng is None or not np.isfinite(rng).all():
            raise ValueError(f"The codebook gives no `min`/`max` for item `{i}`.")
        out[i] = (float(rng[0]), float(rng[1]))
    return out


def _rescaled(df, items, scales) -> pd.DataFrame:
    x = df[items].apply(pd.to_numeric, errors="coerce")
    lo = np.array([scales[i][0] for i in items])
    hi = np.array([scales[i][1] for i in items])
    return (x - lo) / (hi - lo) * 100


def index_scores(
    result: PLSResult,
    df: pd.DataFrame,
    *,
    by: str | list[str] | None = None,
    scale: tuple[float, float] | dict | None = None,
    codebook: Codebook | None = None,
    weight: str | None = None,
    n_boot: int = 1000,
    seed: int | None = None,
    alpha: float = 0.05,
) -> IndexScores:
    """The 0-100 index of every construct, overall or per group, as ACSI computes it.

    Parameters
    ----------
    result : PLSResult
        A model from :func:`cxlab.index.pls_pm` (its blocks, paths, modes and scheme are used).
    df : pandas.DataFrame
        The respondents.
    by : str or list of str, optional
        Group column(s): one index per group.
    scale : (low, high) or mapping item -> (low, high), optional
        The answer range of the items; default each item's ``min``/``max`` in ``codebook``.
    codebook : Codebook, optional
    weight : str, optional
        Weight column (the weight rule of :mod:`cxlab.checks`), for the model and the means.
    n_boot : int
        Bootstrap resamples (respondents resampled within each group, the model refitted
        each time); 0 for none.
    seed : int, optional
    alpha : float
        Intervals cover ``1 - alpha``.

    Returns
    -------
    IndexScores
        ``table``, ``items``, ``effects``, ``model``; see :class:`IndexScores`.

    Notes
    -----
    Items are rescaled to 0-100, 100 (x - low)/(high - low); the model is estimated on them
    unscaled (centred, not standardised: :func:`pls_pm` with ``scaled=False``); each block's
    outer weights are normalised to sum to 1; a construct's index is the weighted sum of its
    items' (weighted) mean rescaled answers (Fornell et al., 1996, ACSI; Ringle & Sarstedt,
    2016, IPMA). Missing answers: listwise over the model's items, as :func:`pls_pm`.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> f = rng.standard_normal(300)
    >>> df = pd.DataFrame({f"q{k}": np.clip(np.round(6 + 1.5 * f + rng.standard_normal(300)),
    ...                    1, 10) for k in range(4)})
    >>> model = pls_pm(df, {"A": ["q0", "q1"], "B": ["q2", "q3"]}, paths=[("A", "B")])
    >>> out = index_scores(model, df, scale=(1, 10), n_boot=200, seed=1)
    >>> out.table[["construct", "index", "n"]].round(1).to_dict("list")
    {'construct': ['A', 'B'], 'index': [53.3, 53.3], 'n': [300, 300]}
    """
    by = as_list(by)
    blocks = result.blocks
    items = [i for v in blocks.values() for i in v]
    require_columns(df, *items, *by, arg="column(s)")
    scales = _scales(items, scale, codebook)
    rescaled = _rescaled(df, items, scales)
    frame = pd.concat([rescaled, df[by]], axis=1)
    if weight is not None:
        frame[weight] = df[weight]
    s = result.settings
    model = pls_pm(
        frame,
        blocks,
        paths=result.structure,
        modes=result.modes,
        scheme=s["scheme"],
        scaled=False,
        weight=weight,
        tol=s["tol"],
        max_iter=s["max_iter"],
    )
    complete = rescaled.notna().all(axis=1).to_numpy()
    w = weight_values(df, weight, rows=complete)
    use = complete & (w > 0)
    x, wv = rescaled.to_numpy(dtype=float)[use], w[use]
    groups = _groups(df, by, complete, use)
    norm = _normalised(model.outer, blocks)
    table = _table(x, wv, groups, norm, blocks, by)
    if n_boot:
        low, high = _boot(x, wv, groups, model, n_boot=n_boot, seed=seed, alpha=alpha)
        table["ci_low"], table["ci_high"] = low.ravel(), high.ravel()
    perf = wv @ x / wv.sum()
    item_table = model.outer[["construct", "item"]].assign(weight=norm, performance=perf)
    return IndexScores(
        table=table,
        items=item_table,
        effects=_index_effects(x, wv, norm, model),
        model=model,
    )


def _groups(df, by, complete, use) -> list[tuple[tuple, np.ndarray, int]]:
    """(key, mask over the used rows, n answering) per group; one group without ``by``."""
    if not by:
        return [((), np.ones(int(use.sum()), dtype=bool), int(complete.sum()))]
    keys = df[by].astype(object).where(df[by].notna(), None)
    out = []
    grouper = by[0] if len(by) == 1 else by
    for key, rows in keys.groupby(grouper, sort=True, dropna=True).groups.items():
        pos = df.index.get_indexer(rows)
        member = np.zeros(len(df), dtype=bool)
        member[pos] = True
        key = key if isinstance(key, tuple) else (key,)
        out.append((key, member[use], int((member & complete).sum())))
    return out


def _normalised(outer: pd.DataFrame, blocks) -> np.ndarray:
    w = outer["weight"].to_numpy()
    sums = outer.groupby("construct", sort=False)["weight"].transform("sum").to_numpy()
    return w / sums


def _index(x, v, norm_w, blocks) -> np.ndarray:
    """Index per construct from weights per row ``v`` (B, n) and normalised weights (B, p)."""
    means = (v @ x) / v.sum(axis=1, keepdims=True)
    out, start = [], 0
    for items in blocks.values():
        sl = slice(start, start + len(items))
        out.append((means[:, sl] * norm_w[:, sl]).sum(axis=1))
        start += len(items)
    return np.stack(out, axis=1)


def _table(x, w, groups, norm, blocks, by) -> pd.DataFrame:
    rows = []
    for key, mask, n in groups:
        idx = _index(x[mask], w[mask][None, :], norm[None, :], blocks)[0]
        for c, value in zip(blocks, idx, strict=True):
            rows.append((*key, c, value, np.nan, np.nan, n, int(mask.sum())))
    cols = [*by, "construct", "index", "ci_low", "ci_high", "n", "n_used"]
    return pd.DataFrame(rows, columns=cols)


def _boot(x, w, groups, model, *, n_boot, seed, alpha):
    """Percentile intervals (groups, constructs) with the model refitted in every resample."""
    rng = np.random.default_rng(seed)
    st = model.settings
    spec = alg.build_spec(
        model.blocks, model.structure, model.modes, st["scheme"], st["tol"], st["max_iter"]
    )
    n = len(x)
    counts = np.zeros((n_boot, n))
    for _, mask, _ in groups:
        pos = np.flatnonzero(mask)
        counts[:, pos] = rng.multinomial(len(pos), np.full(len(pos), 1 / len(pos)), size=n_boot)
    v = counts * w
    s, _ = alg.covariances(x, v, scaled=False)
    wts, _, ok = alg.outer_weights(s, spec)
    raw = (wts * spec.odm).sum(axis=2)
    sums = raw @ spec.odm
    norm = raw / (sums @ spec.odm.T)
    draws = np.stack([_index(x, v * mask, norm, model.blocks)[ok] for _, mask, _ in groups], axis=1)
    return np.quantile(draws, alpha / 2, axis=0), np.quantile(draws, 1 - alpha / 2, axis=0)


def _index_effects(x, w, norm, model) -> pd.DataFrame:
    """Unstandardised total effects between the 0-100 index scores."""
    cons = list(model.blocks)
    odm = np.zeros((x.shape[1], len(cons)))
    start = 0
    for j, items in enumerate(model.blocks.values()):
        odm[start : start + len(items), j] = norm[start : start + len(items)]
        start += len(items)
    s, _ = alg.covariances(x, w[None, :], scaled=False)
    cov = odm.T @ s[0] @ odm
    adj = np.zeros((len(cons), len(cons)), dtype=int)
    for a, b in model.structure:
        adj[cons.index(a), cons.index(b)] = 1
    p, _ = alg.path_coefficients(cov[None], adj)
    total = alg.total_effects(p)[0]
    eff = model.effects[["from", "to"]].copy()
    eff["total"] = [
        total[cons.index(a), cons.index(b)] for a, b in zip(eff["from"], eff["to"], strict=True)
    ]
    eff["total_std"] = model.effects["total"].to_numpy()
    return eff

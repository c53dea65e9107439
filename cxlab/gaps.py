"""Expectation-perception gaps: SERVQUAL, importance-performance analysis, Kano, and the
company-versus-customer perception gap.

All functions are pure: a DataFrame and column names in, a tidy DataFrame out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from cxlab.quadrants import quadrant
from cxlab.survey import require_columns, weighted_mean_table
from cxlab.survey.metrics import as_list, weights_array

__all__ = [
    "KANO_TABLE",
    "ServqualSpec",
    "ipa",
    "kano",
    "perception_gap",
    "servqual",
    "servqual_spec",
]


# -- SERVQUAL -------------------------------------------------------------------------------------


@dataclass
class ServqualSpec:
    """SERVQUAL arguments read from a codebook (see :func:`servqual_spec`)."""

    pairs: dict[str, tuple[str, str]]
    dimensions: dict[str, str]
    importance: dict[str, str]
    scales: dict[str, tuple]
    labels: dict[str, str]


def servqual_spec(codebook) -> ServqualSpec:
    """SERVQUAL arguments from a codebook.

    Returns
    -------
    ServqualSpec
        ``pairs``: item -> (expectation column, perception column) for every
        ``role: expectation`` item with a ``pair`` (the item is the expectation
        column without its ``exp_`` prefix); ``dimensions``: item -> dimension;
        ``importance``: dimension -> column of points of the ``role:
        importance`` items; ``scales``: column -> (min, max); ``labels``: item
        -> the statement (the perception label without a "感知：" prefix).
    """
    pairs, dims, scales, labels = {}, {}, {}, {}
    for name in codebook.select(role="expectation"):
        item = codebook.items[name]
        if item.pair is None:
            raise ValueError(
                f"Codebook {codebook.source}: expectation item `{name}` has no `pair` "
                "(the perception column it is compared with)."
            )
        key = name.removeprefix("exp_")
        pairs[key] = (name, item.pair)
        labels[key] = codebook.label(item.pair).removeprefix("感知：")
        if item.dimension:
            dims[key] = item.dimension
        for col in (name, item.pair):
            it = codebook.items[col]
            scales[col] = (it.min, it.max)
    importance = {
        codebook.items[c].dimension: c
        for c in codebook.select(role="importance")
        if codebook.items[c].dimension
    }
    return ServqualSpec(pairs, dims, importance, scales, labels)


def _check_pairs(data: pd.DataFrame, pairs: Mapping, scales: Mapping | None) -> None:
    if not pairs:
        raise ValueError(
            "`pairs` is empty: map each item to its (expectation, perception) columns."
        )
    broken = [
        item
        for item, cols in pairs.items()
        if not (isinstance(cols, tuple | list) and len(cols) == 2)
    ]
    if broken:
        raise ValueError(f"Item(s) {broken} need an (expectation column, perception column) pair.")
    absent = {item: [c for c in cols if c not in data.columns] for item, cols in pairs.items()}
    absent = {k: v for k, v in absent.items() if v}
    if absent:
        detail = "; ".join(f"{k}: {v}" for k, v in absent.items())
        raise ValueError(
            f"SERVQUAL item(s) lack a column in the data ({detail}). Each item needs both an expectation and a perception column."
        )
    mismatched = []
    for item, (e, p) in pairs.items():
        if scales and e in scales and p in scales:
            if tuple(scales[e]) != tuple(scales[p]):
                mismatched.append(
                    f"{item} ({e} {scales[e][0]:g}-{scales[e][1]:g} vs {p} {scales[p][0]:g}-{scales[p][1]:g})"
                )
        else:
            top_e, top_p = data[e].max(), data[p].max()
            if min(top_e, top_p) <= 5 < max(top_e, top_p):
                mismatched.append(f"{item} ({e} answers up to {top_e:g}, {p} up to {top_p:g})")
    if mismatched:
        raise ValueError(
            f"Expectation and perception are on different scales for: {'; '.join(mismatched)}. "
            "Rescale one of them (a gap between a 7-point and a 5-point answer means nothing)."
        )


def _gap_rows(gap: pd.Series, exp: pd.Series, per: pd.Series, keys, w, alpha, test):
    t = weighted_mean_table(gap, keys=keys, weights=w, alpha=alpha)
    e = weighted_mean_table(exp.where(gap.notna()), keys=keys, weights=w)
    p = weighted_mean_table(per.where(gap.notna()), keys=keys, weights=w)
    out = t.drop(columns=["n_eff", "sd"]).rename(columns={"mean": "gap"})
    out.insert(out.columns.get_loc("n") + 1, "expectation", e["mean"].to_numpy())
    out.insert(out.columns.get_loc("expectation") + 1, "perception", p["mean"].to_numpy())
    with np.errstate(divide="ignore", invalid="ignore"):
        out["t"] = out["gap"] / out["se"]
    if test == "wilcoxon":
        groups = (
            [gap]
            if keys is None
            else [
                g for _, g in gap.groupby([keys[c] for c in keys.columns], dropna=False, sort=True)
            ]
        )
        out["p"] = [
            stats.wilcoxon(g.dropna()).pvalue if g.dropna().ne(0).sum() > 0 else 1.0 for g in groups
        ]
    else:
        out["p"] = 2 * stats.t.sf(np.abs(out["t"]), np.maximum(out["n"] - 1, 1))
    return out


def servqual(
    data: pd.DataFrame,
    pairs: Mapping[str, tuple[str, str]],
    dimensions: Mapping[str, str] | None = None,
    *,
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    importance: Mapping[str, str | float] | None = None,
    scales: Mapping[str, tuple[float, float]] | None = None,
    alpha: float = 0.05,
    test: str = "t",
) -> pd.DataFrame:
    """Expectation-perception gaps per item, per dimension and overall.

    Parameters
    ----------
    pairs : mapping
        Item -> (expectation column, perception column).
    dimensions : mapping, optional
        Item -> dimension (e.g. the five of SERVQUAL: 有形性, 可靠性, 响应性,
        保证性, 移情性). :func:`servqual_spec` reads all of these from a codebook.
    by : str or list of str, optional
        Group columns.
    importance : mapping, optional
        Dimension -> points (a number, the same for everyone) or dimension ->
        column (each respondent's points). Points must sum to 100.
    scales : mapping, optional
        Column -> (min, max), to check that each pair shares a scale.
    test : {"t", "wilcoxon"}
        Paired t-test (weighted: t on the design-based SE) or Wilcoxon signed-rank (unweighted only).

    Returns
    -------
    pandas.DataFrame
        Group columns, ``level`` (``"item"``, ``"dimension"``, ``"overall"``
        and, with ``importance``, ``"weighted"``), ``name``, ``n``,
        ``expectation``, ``perception``, ``gap``, ``se``, ``ci_low``,
        ``ci_high``, ``t``, ``p``.

    Notes
    -----
    gap = perception - expectation (Parasuraman, Zeithaml & Berry, 1988); a
    negative gap means the service fell short. Each respondent's dimension gap
    is the mean of their item gaps in that dimension; the overall (unweighted
    SERVQUAL) score is the mean of their dimension gaps, and the weighted score
    is Σ points/100 · dimension gap. Means, SEs and intervals are those of
    :func:`cxlab.survey.weighted_mean_table`; the test is the paired t-test
    (``scipy.stats.ttest_rel`` unweighted), t = gap / se with n - 1 df.
    """
    if test not in ("t", "wilcoxon"):
        raise ValueError(f"`test` should be 't' or 'wilcoxon', not {test!r}.")
    if test == "wilcoxon" and weight:
        raise ValueError("The Wilcoxon test has no weighted form here; use test='t' with weights.")
    by = as_list(by)
    require_columns(data, weight, *by)
    _check_pairs(data, pairs, scales)
    dimensions = dict(dimensions or {})
    unknown = sorted(set(dimensions) - set(pairs))
    if unknown:
        raise ValueError(f"`dimensions` names item(s) {unknown} that are not in `pairs`.")
    keys = data[by] if by else None
    gaps = {item: data[p].astype(float) - data[e].astype(float) for item, (e, p) in pairs.items()}
    any_answer = pd.concat(gaps, axis=1).notna().any(axis=1)
    w = (
        pd.Series(weights_array(data, weight, any_answer.to_numpy()), index=data.index)
        if weight
        else None
    )

    parts = []
    for item, (e, p) in pairs.items():
        rows = _gap_rows(
            gaps[item], data[e].astype(float), data[p].astype(float), keys, w, alpha, test
        )
        rows.insert(len(by), "level", "item")
        rows.insert(len(by) + 1, "name", item)
        parts.append(rows)

    dim_gap, dim_exp, dim_per = {}, {}, {}
    for dim in dict.fromkeys(dimensions.values()):
        items = [i for i, d in dimensions.items() if d == dim]
        dim_gap[dim] = pd.concat([gaps[i] for i in items], axis=1).mean(axis=1)
        dim_exp[dim] = pd.concat(
            [data[pairs[i][0]].astype(float).where(gaps[i].notna()) for i in items], axis=1
        ).mean(axis=1)
        dim_per[dim] = pd.concat(
            [data[pairs[i][1]].astype(float).where(gaps[i].notna()) for i in items], axis=1
        ).mean(axis=1)
        rows = _gap_rows(dim_gap[dim], dim_exp[dim], dim_per[dim], keys, w, alpha, test)
        rows.insert(len(by), "level", "dimension")
        rows.insert(len(by) + 1, "name", dim)
        parts.append(rows)

    if dim_gap:
        overall = pd.concat(dim_gap, axis=1).mean(axis=1)
        rows = _gap_rows(
            overall,
            pd.concat(dim_exp, axis=1).mean(axis=1),
            pd.concat(dim_per, axis=1).mean(axis=1),
            keys,
            w,
            alpha,
            test,
        )
        rows.insert(len(by), "level", "overall")
        rows.insert(len(by) + 1, "name", "总体")
        parts.append(rows)

    if importance is not None:
        if not dim_gap:
            raise ValueError("`importance` weights dimensions, so `dimensions` is needed too.")
        missing = sorted(set(dim_gap) - set(importance))
        if missing:
            raise ValueError(f"`importance` gives no points to dimension(s) {missing}.")
        points = pd.DataFrame(
            {
                d: (
                    data[v].astype(float)
                    if isinstance(v, str)
                    else pd.Series(float(v), index=data.index)
                )
                for d, v in importance.items()
                if d in dim_gap
            }
        )
        total = points.sum(axis=1, min_count=len(points.columns))
        bad = total.notna() & ((total - 100).abs() > 0.5)
        if bad.any():
            rows_bad = ", ".join(map(str, data.index[bad][:5]))
            raise ValueError(
                f"Importance points should sum to 100 for each respondent, but {int(bad.sum())} do not "
                f"(rows {rows_bad}; e.g. {total[bad].iloc[0]:g}). Columns: {list(importance.values())}."
            )
        score = sum(points[d] / 100 * dim_gap[d] for d in points.columns)
        e = sum(points[d] / 100 * dim_exp[d] for d in points.columns)
        p = sum(points[d] / 100 * dim_per[d] for d in points.columns)
        rows = _gap_rows(score, e, p, keys, w, alpha, test)
        rows.insert(len(by), "level", "weighted")
        rows.insert(len(by) + 1, "name", "加权总体")
        parts.append(rows)
    out = pd.concat(parts, ignore_index=True)
    cols = [
        *by,
        "level",
        "name",
        "n",
        "expectation",
        "perception",
        "gap",
        "se",
        "ci_low",
        "ci_high",
        "t",
        "p",
    ]
    return out[cols]


# -- importance-performance analysis ---------------------------------------------------------------


def ipa(
    data: pd.DataFrame,
    importance: Mapping[str, str] | None,
    performance: Mapping[str, str],
    outcome: str | None = None,
    *,
    method: str = "stated",
    derived: str = "correlation",
    crosshair: str | tuple[float, float] = "mean",
    weight: str | None = None,
) -> pd.DataFrame:
    """Importance-performance analysis: where to act.

    Parameters
    ----------
    importance : mapping or None
        Attribute -> column of stated importance ratings (``method="stated"``).
    performance : mapping
        Attribute -> column of performance ratings.
    outcome : str, optional
        Overall rating, for ``method="derived"``.
    method : {"stated", "derived"}
        Stated: the mean importance rating. Derived: the attribute's
        correlation with the outcome (``derived="correlation"``) or its
        standardised coefficient in a regression of the outcome on all
        attributes (``derived="regression"``).
    crosshair : {"mean", "median"} or (importance, performance)
        Where the quadrants are split (see :func:`cxlab.quadrants.quadrant`).

    Returns
    -------
    pandas.DataFrame
        ``attribute``, ``importance``, ``performance``, ``n``, ``quadrant``
        (concentrate here, keep up the good work, low priority, possible
        overkill); ``attrs`` holds the crosshair values.

    Notes
    -----
    Martilla & James (1977); derived importance as in Deng et al. (2008).
    Means and correlations are weighted when ``weight`` is given; derived
    importance uses respondents with the outcome and all attributes.
    """
    if method not in ("stated", "derived"):
        raise ValueError(f"`method` should be 'stated' or 'derived', not {method!r}.")
    attrs = list(performance)
    require_columns(data, *performance.values(), weight)
    w = (
        pd.Series(weights_array(data, weight, np.ones(len(data), bool)), index=data.index)
        if weight
        else None
    )
    perf = {
        a: weighted_mean_table(data[c].astype(float), weights=w).iloc[0]
        for a, c in performance.items()
    }
    if method == "stated":
        if not importance:
            raise ValueError(
                "`method='stated'` needs `importance`: attribute -> importance column."
            )
        missing = sorted(set(attrs) - set(importance))
        if missing:
            raise ValueError(f"No importance column for attribute(s) {missing}.")
        require_columns(data, *importance.values())
        imp = {
            a: weighted_mean_table(data[importance[a]].astype(float), weights=w).iloc[0]["mean"]
            for a in attrs
        }
    else:
        if outcome is None:
            raise ValueError("`method='derived'` needs `outcome`, the overall rating column.")
        require_columns(data, outcome)
        cols = [performance[a] for a in attrs] + [outcome]
        complete = data[cols].notna().all(axis=1)
        z = data.loc[complete, cols].to_numpy(float)
        from cxlab.drivers._data import weighted_corr

        corr = weighted_corr(z, None if w is None else w[complete].to_numpy())
        if derived == "correlation":
            values = corr[:-1, -1]
        elif derived == "regression":
            values = np.linalg.solve(corr[:-1, :-1], corr[:-1, -1])
        else:
            raise ValueError(f"`derived` should be 'correlation' or 'regression', not {derived!r}.")
        imp = dict(zip(attrs, values, strict=True))
    out = pd.DataFrame(
        {
            "attribute": attrs,
            "importance": [imp[a] for a in attrs],
            "performance": [perf[a]["mean"] for a in attrs],
            "n": [int(perf[a]["n"]) for a in attrs],
        }
    )
    out["quadrant"], ci, cp = quadrant(out["importance"], out["performance"], crosshair=crosshair)
    out.attrs.update(importance_crosshair=ci, performance_crosshair=cp, method=method)
    return out


# -- Kano -------------------------------------------------------------------------------------------

#: Kano evaluation table (Berger et al., 1993): rows = functional answer 1..5, columns =
#: dysfunctional answer 1..5; answers 1 like, 2 must-be, 3 neutral, 4 live with, 5 dislike.
KANO_TABLE = np.array(
    [
        ["Q", "A", "A", "A", "O"],
        ["R", "I", "I", "I", "M"],
        ["R", "I", "I", "I", "M"],
        ["R", "I", "I", "I", "M"],
        ["R", "R", "R", "R", "Q"],
    ]
)
KANO_CATEGORIES = ["A", "O", "M", "I", "R", "Q"]
#: Tie-break when two categories are equally frequent: M > O > A > I (Berger et al., 1993).
_KANO_PRIORITY = {"M": 0, "O": 1, "A": 2, "I": 3, "R": 4, "Q": 5}


def kano(
    data: pd.DataFrame,
    functional: Mapping[str, str],
    dysfunctional: Mapping[str, str],
    *,
    weight: str | None = None,
) -> pd.DataFrame:
    """Kano categories of features from functional / dysfunctional answer pairs.

    Parameters
    ----------
    functional, dysfunctional : mapping
        Feature -> column. Answers are coded 1 like, 2 must-be, 3 neutral,
        4 live with, 5 dislike; respondents missing either answer are left out.

    Returns
    -------
    pandas.DataFrame
        One row per feature: ``feature``, ``n``, the share (percent) of ``A``
        (attractive), ``O`` (one-dimensional), ``M`` (must-be), ``I``
        (indifferent), ``R`` (reverse) and ``Q`` (questionable), the dominant
        ``category`` (ties broken M > O > A > I), and Berger's ``better`` =
        (A + O) / (A + O + M + I) and ``worse`` = -(O + M) / (A + O + M + I).

    Notes
    -----
    Kano et al. (1984); evaluation table and coefficients after Berger et al.
    (1993), see :data:`KANO_TABLE`.
    """
    features = list(functional)
    missing = sorted(set(features) ^ set(dysfunctional))
    if missing:
        raise ValueError(f"Feature(s) {missing} need both a functional and a dysfunctional column.")
    require_columns(data, *functional.values(), *dysfunctional.values(), weight)
    rows = []
    for feat in features:
        f = data[functional[feat]].astype(float)
        d = data[dysfunctional[feat]].astype(float)
        both = f.notna() & d.notna()
        for col, s in ((functional[feat], f), (dysfunctional[feat], d)):
            bad = s[both & ~s.isin([1, 2, 3, 4, 5])]
            if len(bad):
                raise ValueError(
                    f"Kano feature {feat!r}: column `{col}` has {len(bad)} answer(s) outside 1-5 "
                    f"({sorted(set(bad.tolist()))[:5]}, rows {', '.join(map(str, bad.index[:5]))}). "
                    "Kano answers are 1 like, 2 must-be, 3 neutral, 4 live with, 5 dislike."
                )
        if not both.any():
            raise ValueError(f"Kano feature {feat!r}: no respondent answered both questions.")
        cat = KANO_TABLE[f[both].astype(int) - 1, d[both].astype(int) - 1]
        w = (
            np.ones(int(both.sum()))
            if weight is None
            else weights_array(data, weight, both.to_numpy())[both.to_numpy()]
        )
        share = {c: 100 * w[cat == c].sum() / w.sum() for c in KANO_CATEGORIES}
        best = max(KANO_CATEGORIES, key=lambda c: (round(share[c], 9), -_KANO_PRIORITY[c]))
        aomi = share["A"] + share["O"] + share["M"] + share["I"]
        rows.append(
            {
                "feature": feat,
                "n": int(both.sum()),
                **share,
                "category": best,
                "better": (share["A"] + share["O"]) / aomi if aomi else np.nan,
                "worse": -(share["O"] + share["M"]) / aomi if aomi else np.nan,
            }
        )
    return pd.DataFrame(rows)


# -- company vs customer -------------------------------------------------------------------------


def perception_gap(
    internal: pd.DataFrame,
    customer: pd.DataFrame,
    items: Sequence[str],
    *,
    k: int = 2,
    scale: tuple[float, float] | Mapping[str, tuple[float, float]] = (1, 5),
    internal_weight: str | None = None,
    customer_weight: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The same question asked of staff and of customers: how far apart are they?

    Each item's top-``k``-box share (agree / satisfied) is compared between
    the two surveys; a 0/1 item (``scale=(0, 1)``, ``k=1``) is its share of 1s.

    Parameters
    ----------
    internal, customer : pandas.DataFrame
        The staff (or management) survey and the customer survey.
    items : list of str
        Columns present in both.
    scale : (min, max) or mapping item -> (min, max)

    Returns
    -------
    pandas.DataFrame
        One row per item: ``item``, ``internal_n``, ``internal_share``,
        ``customer_n``, ``customer_share`` (percent), ``gap`` (internal -
        customer, percentage points), ``ci_low``, ``ci_high`` (Wald interval
        of the difference), ``z`` and ``p`` (two-proportion z-test with the
        pooled proportion, on effective bases under weights).

    Notes
    -----
    The classic example is Bain & Company's (2005): 80% of firms believed they
    delivered a superior experience, 8% of their customers agreed.
    Unweighted, ``p`` equals R's ``prop.test(..., correct = FALSE)``.
    """
    from cxlab.survey import top_box

    require_columns(internal, *items, internal_weight, arg="item(s) of the internal survey")
    require_columns(customer, *items, customer_weight, arg="item(s) of the customer survey")
    rows = []
    for item in items:
        sc = scale[item] if isinstance(scale, Mapping) else scale
        a = top_box(internal, item, k=k, scale=sc, weight=internal_weight, alpha=alpha).iloc[0]
        b = top_box(customer, item, k=k, scale=sc, weight=customer_weight, alpha=alpha).iloc[0]
        p1, p2, n1, n2 = a["share"] / 100, b["share"] / 100, a["n_eff"], b["n_eff"]
        se = np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        zcrit = stats.norm.ppf(1 - alpha / 2)
        pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        se0 = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (p1 - p2) / se0 if se0 > 0 else 0.0
        rows.append(
            {
                "item": item,
                "internal_n": int(a["n"]),
                "internal_share": 100 * p1,
                "customer_n": int(b["n"]),
                "customer_share": 100 * p2,
                "gap": 100 * (p1 - p2),
                "ci_low": 100 * (p1 - p2 - zcrit * se),
                "ci_high": 100 * (p1 - p2 + zcrit * se),
                "z": z,
                "p": 2 * stats.norm.sf(abs(z)),
            }
        )
    return pd.DataFrame(rows)

"""Expectation-perception gaps: SERVQUAL, importance-performance analysis, Kano, and the
company-versus-customer perception gap.

All functions are pure: a DataFrame and column names in, tidy DataFrames (or a small frozen
dataclass of them) out. Results carry codes, not words: the ``name`` of the SERVQUAL summary rows
is ``overall`` / ``weighted_overall``, Kano categories are the letters of
:data:`KANO_CATEGORIES`; their words are in the message catalogue (``name.overall``,
``category.A``..., see :mod:`cxlab.messages`). Weights follow the weight rule of
:mod:`cxlab.checks`: weighted results report ``n`` (answered) and ``n_used`` (weight > 0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from cxlab.checks import as_list, require_columns, weight_values
from cxlab.codebook import CodebookError
from cxlab.inference import two_proportion_z, weighted_corr
from cxlab.quadrants import ImportancePerformance, importance_performance
from cxlab.survey import top_box, weighted_mean_table

__all__ = [
    "KANO_CATEGORIES",
    "KANO_TABLE",
    "KanoSpec",
    "ServqualSpec",
    "ipa",
    "kano",
    "kano_spec",
    "perception_gap",
    "servqual",
    "servqual_spec",
]


# -- SERVQUAL -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServqualSpec:
    """SERVQUAL arguments read from a codebook (see :func:`servqual_spec`).

    Attributes
    ----------
    pairs : dict
        Item -> (expectation column, perception column).
    dimensions : dict
        Item -> dimension.
    importance : dict
        Dimension -> column of importance points.
    scales : dict
        Column -> (min, max).
    labels : dict
        Item -> the statement, for display.
    """

    pairs: dict[str, tuple[str, str]]
    dimensions: dict[str, str]
    importance: dict[str, str]
    scales: dict[str, tuple]
    labels: dict[str, str]


def servqual_spec(codebook) -> ServqualSpec:
    """SERVQUAL arguments from a codebook.

    Parameters
    ----------
    codebook : cxlab.codebook.Codebook
        Needs ``role: expectation`` items, each with a ``pair`` (its perception column);
        ``dimension`` and ``role: importance`` items are optional.

    Returns
    -------
    ServqualSpec
        ``pairs``: item -> (expectation column, perception column) for every
        ``role: expectation`` item (the item is the expectation column without its ``exp_``
        prefix); ``dimensions``: item -> dimension; ``importance``: dimension -> column of
        points of the ``role: importance`` items; ``scales``: column -> (min, max);
        ``labels``: item -> the statement (the perception label without a "感知：" prefix).

    Raises
    ------
    CodebookError
        The codebook has no expectation item, or one without a ``pair``.

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> book = Codebook.from_dict({"id": "id", "items": {
    ...     "exp_rel1": {"type": "scale", "min": 1, "max": 7, "role": "expectation",
    ...                  "dimension": "可靠性", "pair": "per_rel1"},
    ...     "per_rel1": {"type": "scale", "min": 1, "max": 7, "role": "perception",
    ...                  "label": "感知：准时"}}})
    >>> spec = servqual_spec(book)
    >>> spec.pairs, spec.dimensions, spec.labels
    ({'rel1': ('exp_rel1', 'per_rel1')}, {'rel1': '可靠性'}, {'rel1': '准时'})
    """
    pairs, dims, scales, labels = {}, {}, {}, {}
    for name in codebook.require(role="expectation"):
        item = codebook.items[name]
        if item.pair is None:
            raise CodebookError(
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


def _check_pairs(df: pd.DataFrame, pairs: Mapping, scales: Mapping | None) -> None:
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
    absent = {item: [c for c in cols if c not in df.columns] for item, cols in pairs.items()}
    absent = {k: v for k, v in absent.items() if v}
    if absent:
        detail = "; ".join(f"{k}: {v}" for k, v in absent.items())
        raise ValueError(
            f"SERVQUAL item(s) lack a column in the data ({detail}). "
            "Each item needs both an expectation and a perception column."
        )
    mismatched = _scale_mismatches(df, pairs, scales)
    if mismatched:
        raise ValueError(
            f"Expectation and perception are on different scales for: {'; '.join(mismatched)}. "
            "Rescale one of them (a gap between a 7-point and a 5-point answer means nothing)."
        )


def _scale_mismatches(df: pd.DataFrame, pairs: Mapping, scales: Mapping | None) -> list[str]:
    """Pairs whose two columns are on different scales: by ``scales``, else by the answers."""
    out = []
    for item, (e, p) in pairs.items():
        if scales and e in scales and p in scales:
            if tuple(scales[e]) != tuple(scales[p]):
                (e0, e1), (p0, p1) = scales[e], scales[p]
                out.append(f"{item} ({e} {e0:g}-{e1:g} vs {p} {p0:g}-{p1:g})")
        else:
            top_e, top_p = df[e].max(), df[p].max()
            if min(top_e, top_p) <= 5 < max(top_e, top_p):
                out.append(f"{item} ({e} answers up to {top_e:g}, {p} up to {top_p:g})")
    return out


def _check_servqual_args(df, pairs, dimensions, by, weight, scales, test) -> dict:
    if test not in ("t", "wilcoxon"):
        raise ValueError(f"`test` should be 't' or 'wilcoxon', not {test!r}.")
    if test == "wilcoxon" and weight:
        raise ValueError("The Wilcoxon test has no weighted form here; use test='t' with weights.")
    require_columns(df, weight, *by)
    _check_pairs(df, pairs, scales)
    dimensions = dict(dimensions or {})
    unknown = sorted(set(dimensions) - set(pairs))
    if unknown:
        raise ValueError(f"`dimensions` names item(s) {unknown} that are not in `pairs`.")
    return dimensions


#: A respondent-level score: (gap, expectation, perception), each a Series over the rows.
_Score = tuple[pd.Series, pd.Series, pd.Series]


def _item_scores(df: pd.DataFrame, pairs: Mapping) -> dict[str, _Score]:
    out = {}
    for item, (e, p) in pairs.items():
        exp, per = df[e].astype(float), df[p].astype(float)
        out[item] = (per - exp, exp, per)
    return out


def _mean_of(scores: list[_Score]) -> _Score:
    """Each respondent's mean of several scores (expectation and perception where the gap is)."""
    return tuple(
        pd.concat([s[k].where(s[0].notna()) for s in scores], axis=1).mean(axis=1) for k in range(3)
    )


def _dimension_scores(items: dict[str, _Score], dimensions: Mapping) -> dict[str, _Score]:
    return {
        dim: _mean_of([items[i] for i, d in dimensions.items() if d == dim])
        for dim in dict.fromkeys(dimensions.values())
    }


def _importance_points(df: pd.DataFrame, importance: Mapping, dims: Mapping) -> pd.DataFrame:
    """Each respondent's points per dimension, checked to sum to 100."""
    if not dims:
        raise ValueError("`importance` weights dimensions, so `dimensions` is needed too.")
    missing = sorted(set(dims) - set(importance))
    if missing:
        raise ValueError(f"`importance` gives no points to dimension(s) {missing}.")
    points = pd.DataFrame(
        {
            d: df[v].astype(float) if isinstance(v, str) else pd.Series(float(v), index=df.index)
            for d, v in importance.items()
            if d in dims
        }
    )
    total = points.sum(axis=1, min_count=len(points.columns))
    bad = total.notna() & ((total - 100).abs() > 0.5)
    if bad.any():
        rows_bad = ", ".join(map(str, df.index[bad][:5]))
        raise ValueError(
            f"Importance points should sum to 100 for each respondent, but {int(bad.sum())} "
            f"do not (rows {rows_bad}; e.g. {total[bad].iloc[0]:g}). "
            f"Columns: {list(importance.values())}."
        )
    return points


def _weighted_score(points: pd.DataFrame, dims: dict[str, _Score]) -> _Score:
    return tuple(sum(points[d] / 100 * dims[d][k] for d in points.columns) for k in range(3))


def _gap_rows(df, score: _Score, by, weight, alpha, test) -> pd.DataFrame:
    """The gap table of one score: means with both bases (weight 0 leaves a row out), the test."""
    gap, exp, per = score
    keys = df[by] if by else None
    w = df[weight] if weight else None
    t = weighted_mean_table(gap, keys=keys, weights=w, alpha=alpha)
    e = weighted_mean_table(exp.where(gap.notna()), keys=keys, weights=w)
    p = weighted_mean_table(per.where(gap.notna()), keys=keys, weights=w)
    out = t[[*by, "n", "n_used", "mean", "se", "ci_low", "ci_high"]].rename(columns={"mean": "gap"})
    out.insert(out.columns.get_loc("n_used") + 1, "expectation", e["mean"].to_numpy())
    out.insert(out.columns.get_loc("expectation") + 1, "perception", p["mean"].to_numpy())
    with np.errstate(divide="ignore", invalid="ignore"):
        out["t"] = out["gap"] / out["se"]
    if test == "wilcoxon":  # unweighted only, so every answered row counts
        split = [] if keys is None else [keys[c] for c in keys.columns]
        groups = [g for _, g in gap.groupby(split, dropna=False, sort=True)] if split else [gap]
        out["p"] = [
            stats.wilcoxon(g.dropna()).pvalue if g.dropna().ne(0).sum() > 0 else 1.0 for g in groups
        ]
    else:
        out["p"] = 2 * stats.t.sf(np.abs(out["t"]), np.maximum(out["n_used"] - 1, 1))
    return out


def servqual(
    df: pd.DataFrame,
    pairs: Mapping[str, tuple[str, str]],
    *,
    dimensions: Mapping[str, str] | None = None,
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
    df : pandas.DataFrame
        One row per respondent.
    pairs : mapping
        Item -> (expectation column, perception column).
    dimensions : mapping, optional
        Item -> dimension (e.g. the five of SERVQUAL: 有形性, 可靠性, 响应性,
        保证性, 移情性). :func:`servqual_spec` reads all of these from a codebook.
    by : str or list of str, optional
        Group columns.
    weight : str, optional
        Weight column (the weight rule of :mod:`cxlab.checks`).
    importance : mapping, optional
        Dimension -> points (a number, the same for everyone) or dimension ->
        column (each respondent's points). Points must sum to 100.
    scales : mapping, optional
        Column -> (min, max), to check that each pair shares a scale.
    alpha : float
        Significance level (0.05: 95 % intervals).
    test : {"t", "wilcoxon"}
        Paired t-test (weighted: t on the design-based SE) or Wilcoxon signed-rank
        (unweighted only).

    Returns
    -------
    pandas.DataFrame
        Group columns, ``level`` (``"item"``, ``"dimension"``, ``"overall"`` and, with
        ``importance``, ``"weighted"``), ``name`` (the item, the dimension, or the codes
        ``"overall"`` and ``"weighted_overall"``), ``n`` (respondents with the gap),
        ``n_used`` (of them with weight > 0), ``expectation``, ``perception``, ``gap``,
        ``se``, ``ci_low``, ``ci_high``, ``t``, ``p``.

    Notes
    -----
    gap = perception - expectation (Parasuraman, Zeithaml & Berry, 1988); a
    negative gap means the service fell short. Each respondent's dimension gap
    is the mean of their item gaps in that dimension; the overall (unweighted
    SERVQUAL) score is the mean of their dimension gaps, and the weighted score
    is Σ points/100 · dimension gap. Means, SEs and intervals are those of
    :func:`cxlab.survey.weighted_mean_table`; the test is the paired t-test
    (``scipy.stats.ttest_rel`` unweighted), t = gap / se with n_used - 1 df.

    Examples
    --------
    >>> df = pd.DataFrame({"e1": [7, 6, 7, 5], "p1": [5, 6, 4, 5],
    ...                    "e2": [6, 6, 5, 6], "p2": [6, 7, 5, 6]})
    >>> pairs = {"i1": ("e1", "p1"), "i2": ("e2", "p2")}
    >>> out = servqual(df, pairs, dimensions={"i1": "R", "i2": "R"})
    >>> out[["level", "name", "n", "gap"]].round(3).to_dict("list")
    {'level': ['item', 'item', 'dimension', 'overall'], 'name': ['i1', 'i2', 'R', 'overall'], \
'n': [4, 4, 4, 4], 'gap': [-1.25, 0.25, -0.5, -0.5]}
    """
    by = as_list(by)
    dimensions = _check_servqual_args(df, pairs, dimensions, by, weight, scales, test)
    items = _item_scores(df, pairs)
    dims = _dimension_scores(items, dimensions)
    scores = [("item", name, s) for name, s in items.items()]
    scores += [("dimension", name, s) for name, s in dims.items()]
    if dims:
        scores.append(("overall", "overall", _mean_of(list(dims.values()))))
    if importance is not None:
        points = _importance_points(df, importance, dims)
        scores.append(("weighted", "weighted_overall", _weighted_score(points, dims)))
    parts = []
    for level, name, score in scores:
        rows = _gap_rows(df, score, by, weight, alpha, test)
        rows.insert(len(by), "level", level)
        rows.insert(len(by) + 1, "name", name)
        parts.append(rows)
    cols = ["n", "n_used", "expectation", "perception", "gap", "se", "ci_low", "ci_high", "t", "p"]
    return pd.concat(parts, ignore_index=True)[[*by, "level", "name", *cols]]


# -- importance-performance analysis ---------------------------------------------------------------


def _performance(df: pd.DataFrame, performance: Mapping[str, str], w) -> pd.DataFrame:
    """Mean performance per attribute with both bases."""
    rows = []
    for a, c in performance.items():
        t = weighted_mean_table(df[c].astype(float), weights=w).iloc[0]
        rows.append(
            {"attribute": a, "performance": t["mean"], "n": int(t["n"]), "n_used": int(t["n_used"])}
        )
    return pd.DataFrame(rows)


def _stated_importance(df: pd.DataFrame, importance, attrs: list, w) -> list[float]:
    if not importance:
        raise ValueError("`method='stated'` needs `importance`: attribute -> importance column.")
    missing = sorted(set(attrs) - set(importance))
    if missing:
        raise ValueError(f"No importance column for attribute(s) {missing}.")
    require_columns(df, *importance.values())
    return [
        weighted_mean_table(df[importance[a]].astype(float), weights=w).iloc[0]["mean"]
        for a in attrs
    ]


def _derived_importance(df, performance, attrs, outcome, derived, w) -> np.ndarray:
    if outcome is None:
        raise ValueError("`method='derived'` needs `outcome`, the overall rating column.")
    if derived not in ("correlation", "regression"):
        raise ValueError(f"`derived` should be 'correlation' or 'regression', not {derived!r}.")
    require_columns(df, outcome)
    cols = [performance[a] for a in attrs] + [outcome]
    complete = df[cols].notna().all(axis=1).to_numpy()
    if w is not None:
        complete = complete & (w.to_numpy() > 0)
    corr = weighted_corr(
        df.loc[complete, cols].to_numpy(float), w=None if w is None else w[complete].to_numpy()
    )
    if derived == "correlation":
        return corr[:-1, -1]
    return np.linalg.solve(corr[:-1, :-1], corr[:-1, -1])


def ipa(
    df: pd.DataFrame,
    performance: Mapping[str, str],
    *,
    importance: Mapping[str, str] | None = None,
    outcome: str | None = None,
    method: str = "stated",
    derived: str = "correlation",
    crosshair: str | tuple[float, float] = "mean",
    weight: str | None = None,
) -> ImportancePerformance:
    """Importance-performance analysis: where to act.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent.
    performance : mapping
        Attribute -> column of performance ratings.
    importance : mapping, optional
        Attribute -> column of stated importance ratings (``method="stated"``).
    outcome : str, optional
        Overall rating column, for ``method="derived"``.
    method : {"stated", "derived"}
        Stated: the mean importance rating. Derived: the attribute's correlation with the
        outcome (``derived="correlation"``) or its standardised coefficient in a regression
        of the outcome on all attributes (``derived="regression"``).
    derived : {"correlation", "regression"}
        See ``method``.
    crosshair : {"mean", "median"} or (importance, performance)
        Where the quadrants are split (see :func:`cxlab.quadrants.quadrant`).
    weight : str, optional
        Weight column (the weight rule of :mod:`cxlab.checks`).

    Returns
    -------
    cxlab.quadrants.ImportancePerformance
        ``points``: one row per attribute with ``attribute``, ``importance``,
        ``performance`` (mean rating), ``n`` (respondents who rated it), ``n_used`` (of them
        with weight > 0), ``quadrant`` (a code of :data:`cxlab.quadrants.QUADRANTS`) and
        ``priority`` (1, 2... within "concentrate here"); ``crosshair``: one row,
        ``importance`` and ``performance``, where the axes are split.

    Notes
    -----
    Martilla & James (1977); derived importance as in Deng et al. (2008).
    Means and correlations are weighted when ``weight`` is given; derived
    importance uses respondents with the outcome and all attributes.

    Examples
    --------
    >>> df = pd.DataFrame({"ia": [5, 5, 4], "pa": [2, 3, 2], "ib": [2, 3, 2], "pb": [5, 4, 5]})
    >>> r = ipa(df, {"a": "pa", "b": "pb"}, importance={"a": "ia", "b": "ib"})
    >>> r.points[["attribute", "quadrant"]].to_dict("list")
    {'attribute': ['a', 'b'], 'quadrant': ['concentrate here', 'possible overkill']}
    >>> r.crosshair.round(3).to_dict("list")
    {'importance': [3.5], 'performance': [3.5]}
    """
    if method not in ("stated", "derived"):
        raise ValueError(f"`method` should be 'stated' or 'derived', not {method!r}.")
    attrs = list(performance)
    require_columns(df, *performance.values(), weight)
    w = None if weight is None else pd.Series(weight_values(df, weight), df.index, name=weight)
    points = _performance(df, performance, w)
    if method == "stated":
        imp = _stated_importance(df, importance, attrs, w)
    else:
        imp = _derived_importance(df, performance, attrs, outcome, derived, w)
    points.insert(1, "importance", list(imp))
    return importance_performance(points, crosshair=crosshair)


# -- Kano -------------------------------------------------------------------------------------------

#: Kano category codes (Kano et al., 1984): attractive, one-dimensional, must-be, indifferent,
#: reverse, questionable. Their words: messages ``category.<code>``.
KANO_CATEGORIES = ("A", "O", "M", "I", "R", "Q")
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
#: Tie-break when two categories are equally frequent: M > O > A > I (Berger et al., 1993).
_KANO_PRIORITY = {"M": 0, "O": 1, "A": 2, "I": 3, "R": 4, "Q": 5}


@dataclass(frozen=True)
class KanoSpec:
    """Kano arguments read from a codebook (see :func:`kano_spec`).

    Attributes
    ----------
    functional, dysfunctional : dict
        Feature -> column, for :func:`kano`.
    """

    functional: dict[str, str]
    dysfunctional: dict[str, str]


def kano_spec(codebook) -> KanoSpec:
    """Kano arguments from a codebook: its ``role: functional`` and ``dysfunctional`` items.

    Parameters
    ----------
    codebook : cxlab.codebook.Codebook
        Each functional and dysfunctional item names its ``feature``; every feature needs one
        of each.

    Returns
    -------
    KanoSpec
        ``functional`` and ``dysfunctional``: feature -> column, in codebook order.

    Raises
    ------
    CodebookError
        No functional item, an item without ``feature``, or a feature with only one of the two
        questions.

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> book = Codebook.from_dict({"id": "id", "items": {
    ...     "kf": {"type": "kano", "role": "functional", "feature": "app"},
    ...     "kd": {"type": "kano", "role": "dysfunctional", "feature": "app"}}})
    >>> kano_spec(book)
    KanoSpec(functional={'app': 'kf'}, dysfunctional={'app': 'kd'})
    """
    sides = {}
    for role in ("functional", "dysfunctional"):
        cols = codebook.require(role=role)
        nameless = [c for c in cols if not codebook.items[c].feature]
        if nameless:
            raise CodebookError(
                f"Codebook {codebook.source}: {role} item(s) {nameless} have no `feature`."
            )
        sides[role] = {codebook.items[c].feature: c for c in cols}
    lone = sorted(set(sides["functional"]) ^ set(sides["dysfunctional"]))
    if lone:
        raise CodebookError(
            f"Codebook {codebook.source}: Kano feature(s) {lone} need both a `role: functional` "
            "and a `role: dysfunctional` item."
        )
    return KanoSpec(sides["functional"], sides["dysfunctional"])


def _kano_answers(df: pd.DataFrame, feat: str, fcol: str, dcol: str):
    """The two answers as floats and who gave both; ValueError on answers outside 1-5."""
    f, d = df[fcol].astype(float), df[dcol].astype(float)
    both = f.notna() & d.notna()
    for col, s in ((fcol, f), (dcol, d)):
        bad = s[both & ~s.isin([1, 2, 3, 4, 5])]
        if len(bad):
            raise ValueError(
                f"Kano feature {feat!r}: column `{col}` has {len(bad)} answer(s) outside 1-5 "
                f"({sorted(set(bad.tolist()))[:5]}, rows {', '.join(map(str, bad.index[:5]))}). "
                "Kano answers are 1 like, 2 must-be, 3 neutral, 4 live with, 5 dislike."
            )
    if not both.any():
        raise ValueError(f"Kano feature {feat!r}: no respondent answered both questions.")
    return f, d, both.to_numpy()


def _kano_row(df: pd.DataFrame, feat: str, fcol: str, dcol: str, weight) -> dict:
    f, d, both = _kano_answers(df, feat, fcol, dcol)
    w = weight_values(df, weight, rows=both)
    used = both & (w > 0)
    if not used.any():
        raise ValueError(f"Kano feature {feat!r}: no respondent with weight > 0 answered both.")
    cat = KANO_TABLE[f[used].astype(int) - 1, d[used].astype(int) - 1]
    w = w[used]
    share = {c: 100 * w[cat == c].sum() / w.sum() for c in KANO_CATEGORIES}
    best = max(KANO_CATEGORIES, key=lambda c: (round(share[c], 9), -_KANO_PRIORITY[c]))
    aomi = share["A"] + share["O"] + share["M"] + share["I"]
    return {
        "feature": feat,
        "n": int(both.sum()),
        "n_used": int(used.sum()),
        **share,
        "category": best,
        "better": (share["A"] + share["O"]) / aomi if aomi else np.nan,
        "worse": -(share["O"] + share["M"]) / aomi if aomi else np.nan,
    }


def kano(
    df: pd.DataFrame,
    functional: Mapping[str, str],
    dysfunctional: Mapping[str, str],
    *,
    weight: str | None = None,
) -> pd.DataFrame:
    """Kano categories of features from functional / dysfunctional answer pairs.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent.
    functional, dysfunctional : mapping
        Feature -> column (:func:`kano_spec` reads them from a codebook). Answers are coded
        1 like, 2 must-be, 3 neutral, 4 live with, 5 dislike; respondents missing either
        answer are left out.
    weight : str, optional
        Weight column (the weight rule of :mod:`cxlab.checks`).

    Returns
    -------
    pandas.DataFrame
        One row per feature: ``feature``, ``n`` (respondents who answered both),
        ``n_used`` (of them with weight > 0), the share (percent) of each category of
        :data:`KANO_CATEGORIES` in columns ``A`` (attractive), ``O`` (one-dimensional),
        ``M`` (must-be), ``I`` (indifferent), ``R`` (reverse) and ``Q`` (questionable), the
        dominant ``category`` (a code; ties broken M > O > A > I), and Berger's ``better`` =
        (A + O) / (A + O + M + I) and ``worse`` = -(O + M) / (A + O + M + I).

    Notes
    -----
    Kano et al. (1984); evaluation table and coefficients after Berger et al.
    (1993), see :data:`KANO_TABLE`.

    Examples
    --------
    >>> df = pd.DataFrame({"f": [1, 1, 1, 3], "d": [5, 5, 3, 5]})
    >>> kano(df, {"app": "f"}, {"app": "d"})[["feature", "O", "A", "M", "category"]].to_dict("list")
    {'feature': ['app'], 'O': [50.0], 'A': [25.0], 'M': [25.0], 'category': ['O']}
    """
    features = list(functional)
    missing = sorted(set(features) ^ set(dysfunctional))
    if missing:
        raise ValueError(f"Feature(s) {missing} need both a functional and a dysfunctional column.")
    require_columns(df, *functional.values(), *dysfunctional.values(), weight)
    rows = [_kano_row(df, f, functional[f], dysfunctional[f], weight) for f in features]
    return pd.DataFrame(rows)


# -- company vs customer -------------------------------------------------------------------------


def _top_box_bases(frame: pd.DataFrame, item: str, weight, **options) -> dict:
    """Top-box share of one survey, with both bases and n_eff."""
    r = top_box(frame, item, weight=weight, **options).iloc[0]
    return {
        "n": int(r["n"]),
        "n_used": int(r["n_used"]),
        "p": r["share"] / 100,
        "n_eff": r["n_eff"],
    }


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
    k : int
        Answer points in the box (2: top-2-box).
    scale : (min, max) or mapping item -> (min, max)
        The answer range of the items.
    internal_weight, customer_weight : str, optional
        Weight column of each survey; the weight rule of :mod:`cxlab.checks` applies to each.
    alpha : float
        Significance level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row per item: ``item``, ``internal_n``, ``internal_n_used``,
        ``internal_share``, ``customer_n``, ``customer_n_used``, ``customer_share``
        (percent; ``_n`` respondents who answered, ``_n_used`` those of them with weight
        > 0), ``gap`` (internal - customer, percentage points), ``ci_low``, ``ci_high``
        (Wald interval of the difference), ``z`` and ``p`` (two-proportion z-test with the
        pooled proportion, on effective bases under weights).

    Notes
    -----
    The classic example is Bain & Company's (2005): 80% of firms believed they
    delivered a superior experience, 8% of their customers agreed. The test is
    :func:`cxlab.inference.two_proportion_z`; unweighted, ``p`` equals R's
    ``prop.test(..., correct = FALSE)``.

    Examples
    --------
    >>> staff = pd.DataFrame({"q": [5, 5, 4, 2]})
    >>> cust = pd.DataFrame({"q": [4, 1, 2, 2]})
    >>> perception_gap(staff, cust, ["q"])[["item", "internal_share", "customer_share", "gap"]
    ...     ].to_dict("list")
    {'item': ['q'], 'internal_share': [75.0], 'customer_share': [25.0], 'gap': [50.0]}
    """
    require_columns(internal, *items, internal_weight, arg="item(s) of the internal survey")
    require_columns(customer, *items, customer_weight, arg="item(s) of the customer survey")
    zcrit = stats.norm.ppf(1 - alpha / 2)
    rows = []
    for item in items:
        opts = {
            "k": k,
            "scale": scale[item] if isinstance(scale, Mapping) else scale,
            "alpha": alpha,
        }
        a = _top_box_bases(internal, item, internal_weight, **opts)
        b = _top_box_bases(customer, item, customer_weight, **opts)
        p1, p2, n1, n2 = a["p"], b["p"], a["n_eff"], b["n_eff"]
        se = np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        z, p = two_proportion_z(p1, n1, p2, n2)
        rows.append(
            {
                "item": item,
                "internal_n": a["n"],
                "internal_n_used": a["n_used"],
                "internal_share": 100 * p1,
                "customer_n": b["n"],
                "customer_n_used": b["n_used"],
                "customer_share": 100 * p2,
                "gap": 100 * (p1 - p2),
                "ci_low": 100 * (p1 - p2 - zcrit * se),
                "ci_high": 100 * (p1 - p2 + zcrit * se),
                "z": float(z),
                "p": float(p),
            }
        )
    return pd.DataFrame(rows)

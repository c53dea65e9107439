"""Reliability of multi-item scales, and answer distributions.

Reliability (:func:`cronbach_alpha`, :func:`item_analysis`, :func:`reliability_table`) is
unweighted: it describes how the items hang together in the answers given, as ``psych::alpha``
does, and takes no ``weight``. :func:`likert_table`, a description of the population, is
weighted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cxlab.checks import as_list, require_columns, weight_values
from cxlab.survey import _sums

__all__ = ["cronbach_alpha", "item_analysis", "likert_table", "reliability_table"]


def _complete(df: pd.DataFrame, items: Sequence[str]) -> np.ndarray:
    """The answers of the respondents who answered every item (rows) to each item (columns)."""
    items = list(items)
    if len(items) < 2:
        raise ValueError(f"Reliability needs at least two items, got {items}.")
    require_columns(df, *items, arg="item(s)")
    x = np.column_stack([df[c].to_numpy(dtype=float, na_value=np.nan) for c in items])
    x = x[~np.isnan(x).any(axis=1)]
    if len(x) < 3:
        raise ValueError(
            f"Only {len(x)} respondent(s) answered all of {items}; alpha needs at least 3."
        )
    flat = [c for c, v in zip(items, x.var(axis=0, ddof=1), strict=True) if v == 0]
    if flat:
        raise ValueError(
            f"Item(s) {flat} have the same answer from everyone; they carry no information."
        )
    return x


def _alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def cronbach_alpha(df: pd.DataFrame, items: Sequence[str], *, alpha: float = 0.05) -> pd.Series:
    """Cronbach's alpha of a multi-item scale with its Feldt confidence interval.

    Respondents who answered every item are used (listwise); unweighted.

    Parameters
    ----------
    df : pandas.DataFrame
    items : list of str
        The items of the scale (at least two).
    alpha : float
        Significance level of the interval (it covers 1 - alpha). The reliability coefficient
        itself is the ``alpha`` entry of the result.

    Returns
    -------
    pandas.Series
        ``alpha`` (Cronbach's coefficient), ``ci_low``, ``ci_high``, ``n`` (respondents
        used), ``k`` (items).

    Notes
    -----
    alpha = k/(k-1) · (1 - Σ var(item) / var(total)) (Cronbach, 1951), the
    ``raw_alpha`` of R's ``psych::alpha``. Interval (Feldt, Woodruff & Salih,
    1987): ``1 - (1 - alpha) · F(1 - a/2; n-1, (n-1)(k-1))`` to
    ``1 - (1 - alpha) · F(a/2; ...)``, as ``psych::alpha(...)$feldt`` gives it.

    Examples
    --------
    >>> df = pd.DataFrame({"i1": [4, 5, 3, 4, 2], "i2": [4, 4, 3, 5, 2], "i3": [3, 5, 2, 4, 3]})
    >>> cronbach_alpha(df, ["i1", "i2", "i3"]).round(3).to_dict()
    {'alpha': 0.871, 'ci_low': 0.348, 'ci_high': 0.986, 'n': 5.0, 'k': 3.0}
    """
    x = _complete(df, items)
    n, k = x.shape
    a = _alpha(x)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    return pd.Series(
        {
            "alpha": a,
            "ci_low": 1 - (1 - a) * stats.f.ppf(1 - alpha / 2, df1, df2),
            "ci_high": 1 - (1 - a) * stats.f.ppf(alpha / 2, df1, df2),
            "n": n,
            "k": k,
        }
    )


def item_analysis(df: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    """Per-item statistics of a scale (respondents who answered every item; unweighted).

    Parameters
    ----------
    df : pandas.DataFrame
    items : list of str
        The items of the scale (at least two).

    Returns
    -------
    pandas.DataFrame
        ``item``, ``n``, ``mean``, ``sd``, ``r_drop`` (corrected item-total
        correlation: the item against the sum of the others) and
        ``alpha_if_deleted``.

    Notes
    -----
    As ``r.drop`` and ``alpha.drop$raw_alpha`` of R's ``psych::alpha`` on
    complete data.

    Examples
    --------
    >>> df = pd.DataFrame({"i1": [4, 5, 3, 4, 2], "i2": [4, 4, 3, 5, 2], "i3": [3, 5, 2, 4, 3]})
    >>> item_analysis(df, ["i1", "i2", "i3"])[["item", "mean", "r_drop"]].round(3).to_dict("list")
    {'item': ['i1', 'i2', 'i3'], 'mean': [3.6, 3.6, 3.4], 'r_drop': [0.877, 0.724, 0.668]}
    """
    items = list(items)
    x = _complete(df, items)
    total = x.sum(axis=1)
    rows = []
    for j, c in enumerate(items):
        rest = np.delete(x, j, axis=1)
        rows.append(
            {
                "item": c,
                "n": len(x),
                "mean": x[:, j].mean(),
                "sd": x[:, j].std(ddof=1),
                "r_drop": np.corrcoef(x[:, j], total - x[:, j])[0, 1],
                "alpha_if_deleted": _alpha(rest) if rest.shape[1] > 1 else np.nan,
            }
        )
    return pd.DataFrame(rows)


def likert_table(
    df: pd.DataFrame,
    items: Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
) -> pd.DataFrame:
    """Distribution of answers to each item (long format).

    Parameters
    ----------
    df : pandas.DataFrame
    items : list of str
        Rating columns.
    by : str or list of str, optional
        Group columns: one distribution per group.
    weight : str, optional
        Weight column (weight 0: counted in ``n``, not in ``n_used`` or ``percent``).

    Returns
    -------
    pandas.DataFrame
        ``item``, group columns, ``answer``, ``n`` (respondents giving it), ``n_used`` (those
        with weight > 0) and ``percent`` (weighted when ``weight`` is given; 0-100 within item
        and group; missing answers are left out of the base). Answers given only by
        respondents with weight 0 are left out.

    Examples
    --------
    >>> df = pd.DataFrame({"q": [1, 2, 2, 5, None], "w": [1, 1, 2, 1, 9]})
    >>> likert_table(df, ["q"], weight="w")[["answer", "n", "percent"]].to_dict("list")
    {'answer': [1.0, 2.0, 5.0], 'n': [1, 2, 1], 'percent': [20.0, 60.0, 20.0]}
    """
    by_cols = as_list(by)
    items = list(items)
    require_columns(df, *items, *by_cols, weight)
    gi = _sums.group_index(df, by_cols)
    groups = gi.codes
    parts = [_distribution(df, item, by_cols, groups, gi.size, weight) for item in items]
    return pd.concat(parts, ignore_index=True)


def _distribution(df, item, by_cols, groups, n_groups, weight) -> pd.DataFrame:
    """The rows of :func:`likert_table` for one item: counts per (group, answer) cell with
    ``numpy.bincount``, in the order of ``groupby([*by_cols, answer], sort=True)``."""
    answered = df[item].notna().to_numpy()
    w = weight_values(df, weight, rows=answered)[answered]
    codes, answers = pd.factorize(df[item], sort=True)
    k = max(len(answers), 1)
    rows = np.flatnonzero(answered)
    cell = groups[answered] * k + codes[answered]
    size = n_groups * k
    n = np.bincount(cell, minlength=size)
    used = np.bincount(cell, weights=(w > 0).astype(float), minlength=size)
    wsum = np.bincount(cell, weights=w, minlength=size)
    kept = np.flatnonzero(used > 0)
    example = rows[_sums.first_rows(cell, size)[kept]]
    group = kept // k
    denom = np.bincount(group, weights=wsum[kept], minlength=n_groups)[group]
    return pd.DataFrame(
        {
            "item": [item] * len(kept),
            **{col: df[col].array.take(example) for col in by_cols},
            "answer": answers.take(kept % k),
            "n": n[kept],
            "n_used": used[kept].astype(np.int64),
            "percent": 100 * wsum[kept] / denom,
        }
    )


def reliability_table(
    df: pd.DataFrame, scales: Mapping[str, Sequence[str]], *, alpha: float = 0.05
) -> pd.DataFrame:
    """Cronbach's alpha of several scales, one row each (unweighted).

    Parameters
    ----------
    df : pandas.DataFrame
    scales : mapping of str to list of str
        Scale name -> its items; scales with fewer than two items are skipped.
    alpha : float
        Significance level of the intervals (as :func:`cronbach_alpha`).

    Returns
    -------
    pandas.DataFrame
        ``scale`` (the name given), ``alpha``, ``ci_low``, ``ci_high``, ``n``, ``k`` (see
        :func:`cronbach_alpha`).

    Examples
    --------
    >>> df = pd.DataFrame({"i1": [4, 5, 3, 4, 2], "i2": [4, 4, 3, 5, 2], "i3": [3, 5, 2, 4, 3]})
    >>> reliability_table(df, {"service": ["i1", "i2", "i3"], "one": ["i1"]}).round(3).to_dict("list")
    {'scale': ['service'], 'alpha': [0.871], 'ci_low': [0.348], 'ci_high': [0.986], 'n': [5], 'k': [3]}
    """
    rows = [
        {"scale": name, **cronbach_alpha(df, items, alpha=alpha).to_dict()}
        for name, items in scales.items()
        if len(items) >= 2
    ]
    out = pd.DataFrame(rows, columns=["scale", "alpha", "ci_low", "ci_high", "n", "k"])
    return out.astype({"n": int, "k": int})

"""Reliability of multi-item scales, and answer distributions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cxlab.survey.metrics import as_list, check_weights, require_columns

__all__ = ["cronbach_alpha", "item_analysis", "likert_table", "reliability_table"]


def _complete(data: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    items = list(items)
    if len(items) < 2:
        raise ValueError(f"Reliability needs at least two items, got {items}.")
    require_columns(data, *items, arg="item(s)")
    x = data[items].astype(float).dropna()
    if len(x) < 3:
        raise ValueError(
            f"Only {len(x)} respondent(s) answered all of {items}; alpha needs at least 3."
        )
    flat = [c for c in items if x[c].var(ddof=1) == 0]
    if flat:
        raise ValueError(
            f"Item(s) {flat} have the same answer from everyone; they carry no information."
        )
    return x


def _alpha(x: pd.DataFrame) -> float:
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def cronbach_alpha(data: pd.DataFrame, items: Sequence[str], alpha: float = 0.05) -> pd.Series:
    """Cronbach's alpha of a multi-item scale with its Feldt confidence interval.

    Respondents who answered every item are used (listwise).

    Returns
    -------
    pandas.Series
        ``alpha``, ``ci_low``, ``ci_high``, ``n`` (respondents used), ``k`` (items).

    Notes
    -----
    alpha = k/(k-1) · (1 - Σ var(item) / var(total)) (Cronbach, 1951), the
    ``raw_alpha`` of R's ``psych::alpha``. Interval (Feldt, Woodruff & Salih,
    1987): ``1 - (1 - alpha) · F(1 - a/2; n-1, (n-1)(k-1))`` to
    ``1 - (1 - alpha) · F(a/2; ...)``, as ``psych::alpha(...)$feldt`` gives it.
    """
    x = _complete(data, items)
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


def item_analysis(data: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    """Per-item statistics of a scale (respondents who answered every item).

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
    """
    x = _complete(data, items)
    total = x.sum(axis=1)
    rows = []
    for c in x.columns:
        rest = x.drop(columns=c)
        rows.append(
            {
                "item": c,
                "n": len(x),
                "mean": x[c].mean(),
                "sd": x[c].std(ddof=1),
                "r_drop": np.corrcoef(x[c], total - x[c])[0, 1],
                "alpha_if_deleted": _alpha(rest) if rest.shape[1] > 1 else np.nan,
            }
        )
    return pd.DataFrame(rows)


def likert_table(
    data: pd.DataFrame,
    items: Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
) -> pd.DataFrame:
    """Distribution of answers to each item (long format).

    Returns
    -------
    pandas.DataFrame
        ``item``, group columns, ``answer``, ``n`` (respondents giving it) and
        ``percent`` (weighted when ``weight`` is given; 0-100 within item and
        group; missing answers are left out of the base).
    """
    by_cols = as_list(by)
    items = list(items)
    require_columns(data, *items, *by_cols, weight)
    parts = []
    for item in items:
        answered = data[item].notna()
        w = (
            check_weights(data, weight, answered)
            if weight
            else pd.Series(1.0, index=data.index[answered])
        )
        frame = data.loc[answered, by_cols].assign(answer=data.loc[answered, item], _w=w, _n=1)
        g = (
            frame.groupby([*by_cols, "answer"], dropna=False, observed=True)[["_n", "_w"]]
            .sum()
            .reset_index()
        )
        denom = (
            g.groupby(by_cols, dropna=False)["_w"].transform("sum") if by_cols else g["_w"].sum()
        )
        g["percent"] = 100 * g["_w"] / denom
        g.insert(0, "item", item)
        parts.append(g.rename(columns={"_n": "n"}).drop(columns="_w"))
    return pd.concat(parts, ignore_index=True)


def reliability_table(
    data: pd.DataFrame, scales: dict[str, Sequence[str]], alpha: float = 0.05
) -> pd.DataFrame:
    """Cronbach's alpha of several scales, one row each (scales with fewer than two items are skipped).

    Returns
    -------
    pandas.DataFrame
        ``scale``, ``alpha``, ``ci_low``, ``ci_high``, ``n``, ``k`` (see :func:`cronbach_alpha`).
    """
    rows = [
        {"scale": name, **cronbach_alpha(data, items, alpha=alpha).to_dict()}
        for name, items in scales.items()
        if len(items) >= 2
    ]
    out = pd.DataFrame(rows, columns=["scale", "alpha", "ci_low", "ci_high", "n", "k"])
    return out.astype({"n": int, "k": int})

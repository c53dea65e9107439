"""Significance between groups (crosstab letters) and change across waves."""

from __future__ import annotations

import string
from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from cxlab.survey.metrics import METRICS, as_list, estimate, require_columns

__all__ = ["compare", "compare_pairs", "trend"]

CORRECTIONS = ("bonferroni", "fdr", "none")


def _pair_test(kind: str, a: pd.Series, b: pd.Series) -> tuple[float, float]:
    """Test statistic and two-sided p for the difference of two independent group estimates."""
    if kind == "share":
        # Column-proportion z-test with the pooled proportion, on effective bases.
        p1, p2 = a["value"] / 100, b["value"] / 100
        n1, n2 = a["n_eff"], b["n_eff"]
        pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = 0.0 if se == 0 else (p1 - p2) / se
        return z, 2 * stats.norm.sf(abs(z))
    se = np.sqrt(a["se"] ** 2 + b["se"] ** 2)
    diff = a["value"] - b["value"]
    if se == 0:
        return 0.0, 1.0
    stat = diff / se
    if kind == "mean":
        # Welch's t with Welch-Satterthwaite degrees of freedom on effective bases.
        v1, v2 = a["se"] ** 2, b["se"] ** 2
        df = (v1 + v2) ** 2 / (v1**2 / max(a["n_eff"] - 1, 1) + v2**2 / max(b["n_eff"] - 1, 1))
        return stat, 2 * stats.t.sf(abs(stat), df)
    return stat, 2 * stats.norm.sf(abs(stat))  # NPS: z on the difference of two means of ±100


def _adjust(p: np.ndarray, correction: str) -> np.ndarray:
    if correction not in CORRECTIONS:
        raise ValueError(f"`correction` should be one of {CORRECTIONS}, not {correction!r}.")
    if len(p) == 0 or correction == "none":
        return p
    if correction == "bonferroni":
        return np.minimum(1.0, p * len(p))
    from statsmodels.stats.multitest import multipletests

    return multipletests(p, method="fdr_bh")[1]


def compare_pairs(
    data: pd.DataFrame,
    metric: str,
    by: str,
    item: str | None = None,
    *,
    weight: str | None = None,
    alpha: float = 0.05,
    min_base: int = 30,
    correction: str = "bonferroni",
    scale: tuple[float, float] | None = None,
    k: int = 2,
) -> pd.DataFrame:
    """Every pair of groups of ``by`` tested on one metric.

    Returns
    -------
    pandas.DataFrame
        One row per pair of groups with at least ``min_base`` respondents:
        ``group_a``, ``group_b``, ``value_a``, ``value_b``, ``diff`` (a - b),
        ``stat`` (z or t), ``p``, ``p_adj`` (after ``correction`` over all
        pairs tested).

    Notes
    -----
    Shares (top/bottom box): column-proportion z-test with the pooled
    proportion, as SPSS Custom Tables' column-proportion comparisons.
    Means (mean, CES): Welch's t-test. NPS: z-test on the difference of two
    independent means of the ±100 recoded score. Under weights every test uses
    the design-based SEs and Kish effective bases. Bonferroni multiplies each
    p by the number of pairs (as SPSS does); ``"fdr"`` is Benjamini-Hochberg.
    """
    if not isinstance(by, str):
        raise TypeError(f"`by` should be one column name, not {by!r}.")
    require_columns(data, by)
    est = estimate(data, metric, item, by=by, weight=weight, alpha=alpha, scale=scale, k=k)
    kind = METRICS[metric]
    # The table's SEs treat groups as domains of the whole sample; a two-sample test wants
    # each group's own variance (so that, unweighted, Welch's t equals R's t.test).
    n, n_all = est["n"].astype(float), float(est["n"].sum())
    est["se"] = est["se"] * np.sqrt((n / (n - 1)) / (n_all / (n_all - 1)))
    tested = est[est["n"] >= min_base].reset_index(drop=True)
    rows = []
    for i, j in combinations(range(len(tested)), 2):
        a, b = tested.iloc[i], tested.iloc[j]
        stat, p = _pair_test(kind, a, b)
        rows.append(
            {
                "group_a": a[by],
                "group_b": b[by],
                "value_a": a["value"],
                "value_b": b["value"],
                "diff": a["value"] - b["value"],
                "stat": stat,
                "p": p,
            }
        )
    pairs = pd.DataFrame(
        rows, columns=["group_a", "group_b", "value_a", "value_b", "diff", "stat", "p"]
    )
    pairs["p_adj"] = _adjust(pairs["p"].to_numpy(float), correction)
    return pairs


def compare(
    data: pd.DataFrame,
    metric: str,
    by: str,
    item: str | None = None,
    *,
    weight: str | None = None,
    alpha: float = 0.05,
    alpha_strict: float = 0.01,
    min_base: int = 30,
    correction: str = "bonferroni",
    scale: tuple[float, float] | None = None,
    k: int = 2,
) -> pd.DataFrame:
    """A metric per group with crosstab significance letters.

    Each group gets a letter (A, B, C ... in the order of the table); each
    row lists the letters of the groups it is significantly *higher* than:
    upper case when the adjusted p is below ``alpha_strict``, lower case when
    below ``alpha``. Groups under ``min_base`` respondents are flagged and
    never tested.

    Returns
    -------
    pandas.DataFrame
        ``by``, ``letter``, ``n``, ``n_eff``, ``value``, ``se``, ``ci_low``,
        ``ci_high``, ``higher_than`` (e.g. ``"Bc"``), ``low_base`` (bool).

    Notes
    -----
    Tests and corrections as in :func:`compare_pairs`.
    """
    est = estimate(data, metric, item, by=by, weight=weight, alpha=alpha, scale=scale, k=k)
    pairs = compare_pairs(
        data,
        metric,
        by,
        item,
        weight=weight,
        alpha=alpha,
        min_base=min_base,
        correction=correction,
        scale=scale,
        k=k,
    )
    if len(est) > len(string.ascii_uppercase):
        raise ValueError(
            f"`{by}` has {len(est)} groups; letters run out after 26. Group them first."
        )
    letters = dict(zip(est[by], string.ascii_uppercase, strict=False))
    higher: dict = {g: [] for g in est[by]}
    for r in pairs.itertuples(index=False):
        if r.p_adj >= alpha or r.diff == 0:
            continue
        winner, loser = (r.group_a, r.group_b) if r.diff > 0 else (r.group_b, r.group_a)
        mark = letters[loser] if r.p_adj < alpha_strict else letters[loser].lower()
        higher[winner].append(mark)
    out = est.drop(columns="note").copy()
    out.insert(1, "letter", [letters[g] for g in est[by]])
    out["higher_than"] = ["".join(sorted(higher[g], key=str.upper)) for g in est[by]]
    out["low_base"] = out["n"] < min_base
    return out


def trend(
    data: pd.DataFrame,
    metric: str,
    wave: str,
    item: str | None = None,
    *,
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    alpha: float = 0.05,
    scale: tuple[float, float] | None = None,
    k: int = 2,
) -> pd.DataFrame:
    """A metric per wave, with the change from the previous wave and its significance.

    Waves sort as text (``2025Q1`` < ``2025Q2``; ``2025-06`` < ``2025-07``).

    Returns
    -------
    pandas.DataFrame
        Group columns, ``wave`` (named as the column), ``n``, ``n_eff``,
        ``value``, ``se``, ``ci_low``, ``ci_high``, ``change`` (from the
        previous wave of the same group; NaN for the first), ``change_se``,
        ``p_change`` and ``significant`` (``p_change < alpha``).

    Notes
    -----
    Waves are independent samples, so ``change_se = sqrt(se² + se_prev²)`` and
    the test is a z-test on the change (for shares, the unpooled Wald test).
    """
    by_cols = as_list(by)
    require_columns(data, wave)
    est = estimate(
        data, metric, item, by=[*by_cols, wave], weight=weight, alpha=alpha, scale=scale, k=k
    )
    est = (
        est.drop(columns="note")
        .sort_values([*by_cols, wave], key=lambda s: s.astype(str))
        .reset_index(drop=True)
    )
    grouped = est.groupby(by_cols, sort=False, dropna=False) if by_cols else None
    prev_value = grouped["value"].shift() if grouped is not None else est["value"].shift()
    prev_se = grouped["se"].shift() if grouped is not None else est["se"].shift()
    est["change"] = est["value"] - prev_value
    est["change_se"] = np.sqrt(est["se"] ** 2 + prev_se**2)
    z = est["change"] / est["change_se"]
    est["p_change"] = 2 * stats.norm.sf(np.abs(z))
    est["significant"] = est["p_change"] < alpha
    return est

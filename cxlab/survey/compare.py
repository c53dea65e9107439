"""Significance between groups (crosstab letters) and change across waves.

The tests come from :mod:`cxlab.inference` (one implementation each): the pooled
two-proportion z test for shares, Welch's t for means.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from cxlab.checks import as_list, require_columns
from cxlab.inference import two_proportion_z, welch_t
from cxlab.survey.metrics import METRICS, estimate

__all__ = ["compare", "compare_pairs", "trend"]

CORRECTIONS = ("bonferroni", "fdr", "none")
PAIR_COLUMNS = ["group_a", "group_b", "n_used_a", "n_used_b", "value_a", "value_b", "diff"]


def _pair_tests(kind: str, a: pd.DataFrame, b: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Statistic and two-sided p of ``a - b``, row by row, for two tables of group estimates."""
    if kind == "share":
        # Column-proportion z-test with the pooled proportion, on effective bases.
        z, p = two_proportion_z(a["value"] / 100, a["n_eff"], b["value"] / 100, b["n_eff"])
        return z, p
    if kind == "mean":
        # Welch's t with Welch-Satterthwaite degrees of freedom on effective bases.
        t, _, p = welch_t(a["value"], a["se"], a["n_eff"], b["value"], b["se"], b["n_eff"])
        return t, p
    # NPS: z on the difference of two independent means of the ±100 score.
    se = np.sqrt(a["se"].to_numpy() ** 2 + b["se"].to_numpy() ** 2)
    diff = a["value"].to_numpy() - b["value"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, diff / np.where(se > 0, se, 1), 0.0)
    return z, 2 * stats.norm.sf(np.abs(z))


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
    df: pd.DataFrame,
    metric: str,
    by: str,
    item: str,
    *,
    weight: str | None = None,
    min_base: int = 30,
    correction: str = "bonferroni",
    scale: tuple[float, float] | None = None,
    k: int = 2,
) -> pd.DataFrame:
    """Every pair of groups of ``by`` tested on one metric.

    Parameters
    ----------
    df : pandas.DataFrame
    metric : {"nps", "top_box", "bottom_box", "mean", "ces"}
        As :func:`~cxlab.survey.estimate`.
    by : str
        The grouping column (one).
    item : str
        The analysed column (the 0-10 answer for NPS, the effort rating for CES).
    weight : str, optional
        Weight column (weight 0 leaves a respondent out).
    min_base : int
        Groups with fewer respondents used (``n_used``) are not tested.
    correction : {"bonferroni", "fdr", "none"}
        Multiple-comparison adjustment over all pairs tested.
    scale, k
        Scale end points and box size for the box metrics.

    Returns
    -------
    pandas.DataFrame
        One row per pair of groups with at least ``min_base`` respondents used:
        ``group_a``, ``group_b``, ``n_used_a``, ``n_used_b`` (the bases tested),
        ``value_a``, ``value_b``, ``diff`` (a - b), ``stat`` (z or t), ``p``, ``p_adj``
        (after ``correction``).

    Notes
    -----
    Shares (top/bottom box): column-proportion z-test with the pooled
    proportion (:func:`cxlab.inference.two_proportion_z`), as SPSS Custom Tables'
    column-proportion comparisons. Means (mean, CES): Welch's t-test
    (:func:`cxlab.inference.welch_t`). NPS: z-test on the difference of two
    independent means of the ±100 recoded score. Under weights every test uses
    the design-based SEs and Kish effective bases. Bonferroni multiplies each
    p by the number of pairs (as SPSS does); ``"fdr"`` is Benjamini-Hochberg.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [4, 5, 4, 5, 2, 3, 2, 3], "g": list("aaaabbbb")})
    >>> pairs = compare_pairs(df, "mean", "g", "x", min_base=2)  # as R's t.test(a, b)
    >>> pairs[["group_a", "group_b", "diff"]].to_dict("list"), round(float(pairs["p"][0]), 4)
    ({'group_a': ['a'], 'group_b': ['b'], 'diff': [2.0]}, 0.0027)
    """
    est = _group_estimates(df, metric, by, item, weight=weight, scale=scale, k=k)
    return _pairs(est, METRICS[metric], by, min_base, correction)


def _group_estimates(df: pd.DataFrame, metric: str, by: str, item: str, **options):
    """:func:`~cxlab.survey.estimate` per group of one column ``by`` (checked first)."""
    if not isinstance(by, str):
        raise TypeError(f"`by` should be one column name, not {by!r}.")
    require_columns(df, by)
    return estimate(df, metric, item, by=by, **options)


def _pairs(est: pd.DataFrame, kind: str, by: str, min_base: int, correction: str):
    """The pair table of :func:`compare_pairs` from the group estimates."""
    # The table's SEs treat groups as domains of the whole sample; a two-sample test wants
    # each group's own variance (so that, unweighted, Welch's t equals R's t.test).
    n, n_all = est["n_used"].astype(float), float(est["n_used"].sum())
    est = est.assign(se=est["se"] * np.sqrt((n / (n - 1)) / (n_all / (n_all - 1))))
    tested = est[est["n_used"] >= min_base].reset_index(drop=True)
    ij = np.array(list(combinations(range(len(tested)), 2)), dtype=int).reshape(-1, 2)
    a = tested.iloc[ij[:, 0]].reset_index(drop=True)
    b = tested.iloc[ij[:, 1]].reset_index(drop=True)
    pairs = pd.DataFrame(
        {
            "group_a": a[by],
            "group_b": b[by],
            "n_used_a": a["n_used"],
            "n_used_b": b["n_used"],
            "value_a": a["value"],
            "value_b": b["value"],
            "diff": a["value"] - b["value"],
        },
        columns=PAIR_COLUMNS,
    )
    stat, p = _pair_tests(kind, a, b) if len(pairs) else (np.array([]), np.array([]))
    pairs["stat"] = np.asarray(stat, dtype=float)
    pairs["p"] = np.asarray(p, dtype=float)
    pairs["p_adj"] = _adjust(pairs["p"].to_numpy(float), correction)
    return pairs


def compare(
    df: pd.DataFrame,
    metric: str,
    by: str,
    item: str,
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
    below ``alpha``. Groups under ``min_base`` respondents used are flagged and
    never tested.

    Parameters
    ----------
    df : pandas.DataFrame
    metric : {"nps", "top_box", "bottom_box", "mean", "ces"}
    by : str
        The grouping column (one).
    item : str
        The analysed column (the 0-10 answer for NPS, the effort rating for CES).
    weight : str, optional
        Weight column (weight 0 leaves a respondent out).
    alpha, alpha_strict : float
        Significance levels of lower-case and upper-case letters; ``alpha`` also sets the
        intervals (1 - alpha).
    min_base, correction, scale, k
        As :func:`compare_pairs`.

    Returns
    -------
    pandas.DataFrame
        ``by``, ``letter``, ``n``, ``n_used``, ``n_eff``, ``value``, ``se``, ``ci_low``,
        ``ci_high``, ``higher_than`` (e.g. ``"Bc"``), ``low_base`` (bool).

    Notes
    -----
    Tests and corrections as in :func:`compare_pairs`.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [4, 5, 4, 5, 2, 3, 2, 3], "g": list("aaaabbbb")})
    >>> out = compare(df, "mean", "g", "x", min_base=2)
    >>> out[["g", "letter", "value", "higher_than"]].to_dict("list")
    {'g': ['a', 'b'], 'letter': ['A', 'B'], 'value': [4.5, 2.5], 'higher_than': ['B', '']}
    """
    est = _group_estimates(df, metric, by, item, weight=weight, alpha=alpha, scale=scale, k=k)
    pairs = _pairs(est, METRICS[metric], by, min_base, correction)
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
    out["low_base"] = out["n_used"] < min_base
    return out


def _waves_as_samples(est: pd.DataFrame, wave: str, alpha: float) -> pd.DataFrame:
    """The intervals of a table estimated over all waves at once, made those of each wave's own
    sample (Notes of :func:`trend`).

    One call of :func:`estimate` treats its groups as domains of one sample: the variance carries
    n/(n - 1) and the t quantile n - 1 degrees of freedom, with n the respondents of the whole
    call (``metrics._finish``). Here n is the wave's, so se scales by
    sqrt((n_w/(n_w - 1)) / (n/(n - 1))) and the t quantile has n_w - 1 degrees of freedom: the
    figures of :func:`estimate` on that wave alone (tested), at the cost of one call.
    """
    n_all = float(est["n_used"].sum())
    n_wave = est.groupby(wave, sort=False, dropna=False)["n_used"].transform("sum").astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.sqrt((n_wave / (n_wave - 1)) / (n_all / (n_all - 1)))
        se = est["se"] * factor
    t = stats.t.ppf(1 - alpha / 2, np.maximum(n_wave - 1, 1))
    return est.assign(se=se, ci_low=est["value"] - t * se, ci_high=est["value"] + t * se)


def trend(
    df: pd.DataFrame,
    metric: str,
    wave: str,
    item: str,
    *,
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    alpha: float = 0.05,
    scale: tuple[float, float] | None = None,
    k: int = 2,
) -> pd.DataFrame:
    """A metric per wave, with the change from the previous wave and its significance.

    Waves sort as text (``2025Q1`` < ``2025Q2``; ``2025-06`` < ``2025-07``).

    Parameters
    ----------
    df : pandas.DataFrame
    metric : {"nps", "top_box", "bottom_box", "mean", "ces"}
    wave : str
        The wave column.
    item : str
        The analysed column (the 0-10 answer for NPS, the effort rating for CES).
    by : str or list of str, optional
        Group columns: one trend per group.
    weight : str, optional
        Weight column (weight 0 leaves a respondent out).
    alpha : float
        Significance level of the intervals and of ``significant``.
    scale, k
        Scale end points and box size for the box metrics.

    Returns
    -------
    pandas.DataFrame
        Group columns, the wave column (named as it is), ``n``, ``n_used``, ``n_eff``,
        ``value``, ``se``, ``ci_low``, ``ci_high``, ``change`` (from the
        previous wave of the same group; NaN for the first), ``change_se``,
        ``p_change`` and ``significant`` (``p_change < alpha``).

    Notes
    -----
    Waves are independent samples: a wave's interval is the one its own sample gives (its
    groups are domains of it), as R's ``svymean`` on that wave with
    ``confint(df = degf(design))``, and the same as :func:`estimate` on that wave alone. ``change_se = sqrt(se² + se_prev²)`` and
    the test is a z-test on the change (for shares, the unpooled Wald test).

    Examples
    --------
    >>> df = pd.DataFrame({"q": ["Q1"] * 4 + ["Q2"] * 4, "x": [3, 4, 3, 4, 4, 5, 5, 4]})
    >>> trend(df, "mean", "q", "x")[["q", "value", "change"]].to_dict("list")
    {'q': ['Q1', 'Q2'], 'value': [3.5, 4.5], 'change': [nan, 1.0]}
    """
    by_cols = as_list(by)
    require_columns(df, wave)
    est = estimate(
        df, metric, item, by=[*by_cols, wave], weight=weight, alpha=alpha, scale=scale, k=k
    )
    est = (
        _waves_as_samples(est, wave, alpha)
        .drop(columns="note")
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

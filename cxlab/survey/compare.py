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
from cxlab.survey.metrics import METRICS, estimate_columns

__all__ = ["compare", "compare_pairs", "trend"]

CORRECTIONS = ("bonferroni", "fdr", "none")


def _pair_tests(kind: str, a: dict, b: dict) -> tuple[np.ndarray, np.ndarray]:
    """Statistic and two-sided p of ``a - b``, pair by pair (``value``, ``se``, ``n_eff`` each)."""
    if kind == "share":
        # Column-proportion z-test with the pooled proportion, on effective bases.
        z, p = two_proportion_z(a["value"] / 100, a["n_eff"], b["value"] / 100, b["n_eff"])
        return z, p
    if kind == "mean":
        # Welch's t with Welch-Satterthwaite degrees of freedom on effective bases.
        t, _, p = welch_t(a["value"], a["se"], a["n_eff"], b["value"], b["se"], b["n_eff"])
        return t, p
    # NPS: z on the difference of two independent means of the ±100 score.
    se = np.sqrt(a["se"] ** 2 + b["se"] ** 2)
    diff = a["value"] - b["value"]
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
    groups, est = _group_estimates(df, metric, by, item, weight=weight, scale=scale, k=k)
    t = _tests(est, METRICS[metric], min_base, correction)
    return pd.DataFrame(
        {
            "group_a": groups[t["a"]],
            "group_b": groups[t["b"]],
            "n_used_a": est["n_used"][t["a"]],
            "n_used_b": est["n_used"][t["b"]],
            **{c: t[c] for c in ("value_a", "value_b", "diff", "stat", "p", "p_adj")},
        }
    )


def _group_estimates(df: pd.DataFrame, metric: str, by: str, item: str, **options):
    """The groups of one column ``by`` (checked first), and the columns of their
    :func:`~cxlab.survey.estimate`."""
    if not isinstance(by, str):
        raise TypeError(f"`by` should be one column name, not {by!r}.")
    require_columns(df, by)
    keys, est = estimate_columns(df, metric, item, by=by, **options)
    return keys[by], est


def _tests(est: dict, kind: str, min_base: int, correction: str) -> dict[str, np.ndarray]:
    """Every pair of groups with ``min_base`` respondents used, tested: the positions of its two
    groups (``a``, ``b``) and the figures of :func:`compare_pairs`."""
    # The table's SEs treat groups as domains of the whole sample; a two-sample test wants
    # each group's own variance (so that, unweighted, Welch's t equals R's t.test).
    n = est["n_used"].astype(float)
    n_all = n.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        se = est["se"] * np.sqrt((n / (n - 1)) / (n_all / (n_all - 1)))
    tested = np.flatnonzero(est["n_used"] >= min_base)
    ij = np.array(list(combinations(tested, 2)), dtype=int).reshape(-1, 2)
    a, b = ({"value": est["value"][i], "se": se[i], "n_eff": est["n_eff"][i]} for i in ij.T)
    stat, p = _pair_tests(kind, a, b) if len(ij) else (np.array([]), np.array([]))
    p = np.asarray(p, dtype=float)
    return {
        "a": ij[:, 0],
        "b": ij[:, 1],
        "value_a": a["value"],
        "value_b": b["value"],
        "diff": a["value"] - b["value"],
        "stat": np.asarray(stat, dtype=float),
        "p": p,
        "p_adj": _adjust(p, correction),
    }


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
    opts = {"weight": weight, "alpha": alpha, "scale": scale, "k": k}
    groups, est = _group_estimates(df, metric, by, item, **opts)
    t = _tests(est, METRICS[metric], min_base, correction)
    if len(groups) > len(string.ascii_uppercase):
        raise ValueError(
            f"`{by}` has {len(groups)} groups; letters run out after 26. Group them first."
        )
    letters = list(string.ascii_uppercase[: len(groups)])
    higher: list[list[str]] = [[] for _ in letters]
    for a, b, p_adj, diff in zip(t["a"], t["b"], t["p_adj"], t["diff"], strict=True):
        if p_adj >= alpha or diff == 0:
            continue
        winner, loser = (a, b) if diff > 0 else (b, a)
        higher[winner].append(letters[loser] if p_adj < alpha_strict else letters[loser].lower())
    shown = ("n", "n_used", "n_eff", "value", "se", "ci_low", "ci_high")
    return pd.DataFrame(
        {
            by: groups,
            "letter": letters,
            **{c: est[c] for c in shown},
            "higher_than": ["".join(sorted(h, key=str.upper)) for h in higher],
            "low_base": est["n_used"] < min_base,
        }
    )


def _waves_as_samples(keys: dict, est: dict, wave: str, alpha: float) -> dict:
    """The intervals of estimates over all waves at once, made those of each wave's own sample
    (Notes of :func:`trend`).

    One call of :func:`estimate` treats its groups as domains of one sample: the variance carries
    n/(n - 1) and the t quantile n - 1 degrees of freedom, with n the respondents of the whole
    call (``metrics._finish``). Here n is the wave's, so se scales by
    sqrt((n_w/(n_w - 1)) / (n/(n - 1))) and the t quantile has n_w - 1 degrees of freedom: the
    figures of :func:`estimate` on that wave alone (tested), at the cost of one call.
    """
    n = est["n_used"].astype(float)
    n_all = n.sum()
    codes, _ = pd.factorize(keys[wave], use_na_sentinel=False)
    n_wave = np.bincount(codes, weights=n)[codes]
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.sqrt((n_wave / (n_wave - 1)) / (n_all / (n_all - 1)))
        se = est["se"] * factor
    t = stats.t.ppf(1 - alpha / 2, np.maximum(n_wave - 1, 1))
    return {**est, "se": se, "ci_low": est["value"] - t * se, "ci_high": est["value"] + t * se}


def _text_order(keys: dict, cols: list[str]) -> np.ndarray:
    """The stable row order that sorts ``cols`` compared as text, missing values last (as
    ``DataFrame.sort_values(cols, key=lambda s: s.astype(str))`` sorts)."""
    sort_keys = []
    for col in reversed(cols):  # np.lexsort: the last key sorts first
        text = pd.Series(keys[col]).astype(str)
        missing = text.isna().to_numpy()
        sort_keys += [text.to_numpy(dtype=object, na_value="").astype(str), missing]
    return np.lexsort(sort_keys)


def _previous(keys: dict, by: list[str], n: int) -> np.ndarray:
    """For each row, the row before it of the same ``by`` group (-1 for a group's first row)."""
    gid = np.zeros(n, dtype=np.intp)
    for col in by:
        codes, uniq = pd.factorize(keys[col], use_na_sentinel=False)
        gid = gid * len(uniq) + codes
    order = np.argsort(gid, kind="stable")
    same = gid[order][1:] == gid[order][:-1]
    prev = np.full(n, -1, dtype=np.intp)
    prev[order[1:][same]] = order[:-1][same]
    return prev


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
    keys, est = estimate_columns(
        df, metric, item, by=[*by_cols, wave], weight=weight, alpha=alpha, scale=scale, k=k
    )
    est = _waves_as_samples(keys, est, wave, alpha)
    order = _text_order(keys, [*by_cols, wave])
    keys = {c: v[order] for c, v in keys.items()}
    shown = ("n", "n_used", "n_eff", "value", "se", "ci_low", "ci_high")
    est = {c: est[c][order] for c in shown}
    prev = _previous(keys, by_cols, len(order))
    first = prev < 0
    prev_value = np.where(first, np.nan, est["value"][prev])
    prev_se = np.where(first, np.nan, est["se"][prev])
    change = est["value"] - prev_value
    change_se = np.sqrt(est["se"] ** 2 + prev_se**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * stats.norm.sf(np.abs(change / change_se))
    return pd.DataFrame(
        {
            **keys,
            **est,
            "change": change,
            "change_se": change_se,
            "p_change": p,
            "significant": p < alpha,
        }
    )

"""The estimators: NPS, top box (CSAT), means (CES), all as one weighted mean.

Every function takes a DataFrame ``df`` and column names and returns one row per group with the
group keys as ordinary columns. Estimates are weighted means, so one variance formula serves
them all (see :func:`weighted_mean_table`). Weights follow the weight rule of
:mod:`cxlab.checks`: respondents with weight 0 are left out of every estimate, and each result
reports both bases, ``n`` (respondents with an answer) and ``n_used`` (those with weight > 0).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cxlab.checks import as_list, require_columns, weight_values
from cxlab.survey import _sums

__all__ = [
    "ces",
    "counts",
    "estimate",
    "kpis",
    "mean_score",
    "nps",
    "select_wave",
    "top_box",
    "weighted_mean_table",
]

NPS_METHODS = ("wald", "adjusted_wald", "bootstrap")
#: The ``note`` code of a group too small for an interval (words: message ``note.<code>``).
NO_INTERVAL = "base_below_2"


# -- argument checks shared by every metric ------------------------------------------------------


def _floats(s: pd.Series) -> np.ndarray:
    """A float view of a column (no copy when it already is float64)."""
    if s.dtype == np.float64:
        return s.to_numpy()
    return s.to_numpy(dtype=float, na_value=np.nan)


def _weights(df: pd.DataFrame, weight: str | None, y: np.ndarray) -> np.ndarray | None:
    """The weights of every row (checked on the rows with an answer), or None without ``weight``."""
    return None if weight is None else weight_values(df, weight, rows=y)


def _numeric(df: pd.DataFrame, col: str, arg: str) -> tuple[np.ndarray, float, float]:
    """The column as floats, with its smallest and largest value."""
    s = df[col]
    if not (pd.api.types.is_numeric_dtype(s) or s.isna().all()):
        raise TypeError(
            f"`{arg}` column `{col}` should hold numbers, but has dtype {s.dtype}; "
            "load the survey with cxlab.io.load_survey so answers are parsed."
        )
    y = _floats(s)
    # fmin/fmax skip NaN and give NaN only when every value is missing.
    lo, hi = (np.fmin.reduce(y), np.fmax.reduce(y)) if len(y) else (np.nan, np.nan)
    if np.isnan(lo):
        raise ValueError(f"`{arg}` column `{col}` has no answers at all (every value is missing).")
    return y, float(lo), float(hi)


def _check_range(values, col: str, lo: float, hi: float, what: str, index) -> None:
    """Raise naming the values outside ``lo``-``hi``; ``values`` is ``(array, min, max)``."""
    y, vmin, vmax = values
    if vmin >= lo and vmax <= hi:
        return
    bad = (y < lo) | (y > hi)
    shown = sorted(set(y[bad].tolist()))[:5]
    raise ValueError(
        f"Column `{col}` should hold {what} {lo:g}-{hi:g}, but contains {int(bad.sum())} "
        f"value(s) outside it: {shown} (rows {', '.join(map(str, index[bad][:5]))}). "
        "Recode or drop them first (load_survey with a codebook does this and lists them)."
    )


# -- the one estimator behind every metric ---------------------------------------------------------


def weighted_mean_table(
    y: pd.Series,
    *,
    keys: pd.DataFrame | None = None,
    weights: pd.Series | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Weighted mean of ``y`` per group, with its design-based standard error.

    The engine under every metric, for modules that estimate a mean of a derived series (a
    gap, an indicator); survey columns are easier through :func:`mean_score`.

    Parameters
    ----------
    y : pandas.Series
        Values; NaN rows are left out (they are counted nowhere).
    keys : pandas.DataFrame, optional
        Group keys, aligned with ``y``; missing keys form their own group.
    weights : pandas.Series, optional
        Weights aligned with ``y``, checked by the weight rule (:func:`cxlab.checks.weight_values`)
        on the rows with a value; rows with weight 0 are left out of the estimates.
    alpha : float
        Significance level: intervals cover 1 - alpha.

    Returns
    -------
    pandas.DataFrame
        Group key columns, then ``n`` (rows with a value), ``n_used`` (those with weight > 0),
        ``n_eff``, ``mean``, ``sd``, ``se``, ``ci_low``, ``ci_high``. Groups whose every
        respondent has weight 0 are left out.

    Notes
    -----
    ``mean`` = Σwᵢyᵢ / Σwᵢ. The variance is the Taylor-linearisation (with
    replacement) variance of a ratio estimator, as R's
    ``survey::svymean(~y, svydesign(ids=~1, weights=~w))`` computes it:
    ``var = N/(N-1) · Σ wᵢ²(yᵢ - ȳ)² / (Σwᵢ)²`` over the respondents of the
    group, where N counts all respondents used (groups are domains of
    one sample, as ``svyby(~y, ~g, design, svymean)`` treats them). Without
    weights and groups it reduces to ``s²/n``. ``sd`` is the weighted standard
    deviation ``sqrt(Σwᵢ(yᵢ-ȳ)² / Σwᵢ · n/(n-1))`` within the group
    (``svyvar``). ``n_eff`` is Kish's effective base (Σw)²/Σw². The interval
    is ``mean ± t(1-alpha/2, N-1) · se``, as ``confint(..., df = degf(design))``
    gives it. Groups with fewer than two respondents used get no interval.

    Examples
    --------
    >>> y = pd.Series([4.0, 5.0, 3.0, 4.0])
    >>> t = weighted_mean_table(y, weights=pd.Series([1.0, 2.0, 1.0, 0.0], name="w"))
    >>> t[["n", "n_used", "mean"]].round(3).to_dict("list")
    {'n': [4], 'n_used': [3], 'mean': [4.25]}
    """
    yv = y.to_numpy(dtype=float, na_value=np.nan)
    wv = None
    if weights is not None:
        name = weights.name if weights.name is not None else "weights"
        wv = weight_values(pd.DataFrame({name: weights}), name, rows=yv)
    frame = keys if keys is not None else pd.DataFrame(index=y.index)
    gi = _sums.group_index(frame, [] if keys is None else list(keys.columns))
    return _table(*_finish(gi, _sums.sums(gi, yv, wv), alpha))


def _table(keys: dict, columns: dict) -> pd.DataFrame:
    """A result table: the group keys, then ``columns``, built in one step (with pandas' string
    column labels, adding columns one at a time costs more than the estimates themselves)."""
    return pd.DataFrame({**keys, **columns})


def _finish(gi: _sums.GroupIndex, s: dict[str, np.ndarray], alpha: float) -> tuple[dict, dict]:
    """The group keys of the groups with respondents used, and their estimate columns (those of
    :func:`weighted_mean_table`), from per-group sums: ``_table`` makes the table."""
    keep = s["n_used"] > 0
    n, used = s["n"][keep], s["n_used"][keep]
    n_all = float(used.sum())
    sw, ww, wy, wyy, wwy, wwyy = (s[k][keep] for k in ("w", "ww", "wy", "wyy", "wwy", "wwyy"))
    mean = wy / sw
    # Σw²(y-ȳ)² expanded into sums, so the whole table costs one pass over the rows.
    ss = np.clip(wwyy - 2 * mean * wwy + mean**2 * ww, 0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Groups are domains of one sample: the finite-sample factor and the degrees of
        # freedom come from the whole sample, as svyby() computes them.
        var = np.where(used > 1, n_all / (n_all - 1) * ss / sw**2, np.nan)
        wvar = np.where(
            used > 1, used / (used - 1) * np.clip(wyy - sw * mean**2, 0, None) / sw, np.nan
        )
        se = np.sqrt(var)
        t = stats.t.ppf(1 - alpha / 2, max(n_all - 1, 1))
    keys = {col: gi.keys[col].array[keep] for col in gi.keys.columns}
    return keys, {
        "n": n.astype(int),
        "n_used": used.astype(int),
        "n_eff": sw**2 / ww,
        "mean": mean,
        "sd": np.sqrt(wvar),
        "se": se,
        "ci_low": mean - t * se,
        "ci_high": mean + t * se,
    }


def _observed_range(values, w: np.ndarray | None) -> tuple[float, float]:
    """The smallest and largest answer of the respondents who count (weight > 0)."""
    y, lo, hi = values
    if w is None or not (w == 0).any():
        return lo, hi
    counted = y[w > 0]
    if np.isnan(counted).all():
        return lo, hi
    return float(np.nanmin(counted)), float(np.nanmax(counted))


def _note(n_used: np.ndarray) -> np.ndarray:
    return np.where(n_used < 2, NO_INTERVAL, "").astype(object)


# -- metrics ---------------------------------------------------------------------------------------


def nps(
    df: pd.DataFrame,
    item: str,
    *,
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    alpha: float = 0.05,
    method: str = "wald",
    n_boot: int = 2000,
    seed: int | None = None,
) -> pd.DataFrame:
    """Net Promoter Score per group, with its confidence interval.

    Parameters
    ----------
    df : pandas.DataFrame
    item : str
        Column of 0-10 "how likely to recommend" answers.
    by : str or list of str, optional
        Group columns; respondents with a missing key form their own group.
    weight : str, optional
        Weight column (the weight rule of :mod:`cxlab.checks`: weight 0 leaves a respondent out).
    alpha : float
        Significance level: intervals cover 1 - alpha.
    method : {"wald", "adjusted_wald", "bootstrap"}
        How the interval is computed (see Notes).
    n_boot, seed
        Resamples and seed for ``method="bootstrap"``.

    Returns
    -------
    pandas.DataFrame
        Group columns, then ``n`` (respondents with an answer), ``n_used`` (those with
        weight > 0), ``n_eff`` (Kish effective base), ``promoters``, ``passives``,
        ``detractors`` (percent, 0-100), ``nps`` (points, -100..100), ``se``, ``ci_low``,
        ``ci_high`` (points), ``method`` and ``note`` (``"base_below_2"`` when a group is too
        small for an interval, else empty).

    Notes
    -----
    Promoters answer 9-10, detractors 0-6 (Reichheld, 2003). NPS is the
    (weighted) mean of the answer recoded to +100 / 0 / -100, so its standard
    error is that of a weighted mean (:func:`weighted_mean_table`:
    linearisation, as ``survey::svymean``); unweighted it equals
    ``100·sqrt((p + d - (p - d)²)/(n - 1))``.

    - ``"wald"``: ``nps ± t·se``.
    - ``"adjusted_wald"``: for small bases, add 3 to the base and ¾ to both the
      promoter and detractor counts, and centre the Wald interval on the
      adjusted score (Sauro & Lewis, *Quantifying the User Experience*, 2016,
      ch. 5). Under weights the effective base and effective counts are used.
      ``nps`` itself stays the observed score.
    - ``"bootstrap"``: percentile interval of ``n_boot`` resamples of
      respondents within each group (weights travel with respondents).

    Examples
    --------
    >>> df = pd.DataFrame({"nps": [10, 9, 8, 6, 3, 10], "w": [1, 2, 1, 1, 0, 1]})
    >>> nps(df, "nps")[["n", "promoters", "detractors", "nps"]].round(1).to_dict("list")
    {'n': [6], 'promoters': [50.0], 'detractors': [33.3], 'nps': [16.7]}
    >>> nps(df, "nps", weight="w")[["n", "n_used", "nps"]].round(1).to_dict("list")
    {'n': [6], 'n_used': [5], 'nps': [50.0]}
    """
    if method not in NPS_METHODS:
        raise ValueError(f"`method` should be one of {NPS_METHODS}, not {method!r}.")
    by = as_list(by)
    require_columns(df, item, weight, *by)
    return _table(*_nps(df, item, by, weight, alpha, method, n_boot, seed))


def _nps(df, item, by, weight, alpha, method="wald", n_boot=0, seed=None) -> tuple[dict, dict]:
    """The group keys and the columns of :func:`nps` (arguments checked there)."""
    values = _numeric(df, item, "item")
    _check_range(values, item, 0, 10, "NPS answers", df.index)
    s = values[0]
    w = _weights(df, weight, s)
    gi = _sums.group_index(df, by)
    sums, pro_w, det_w = _nps_sums(gi, values, w)
    keys, est = _finish(gi, sums, alpha)
    keep = sums["n_used"] > 0
    promoters = 100 * pro_w[keep] / sums["w"][keep]
    detractors = 100 * det_w[keep] / sums["w"][keep]
    se, lo, hi = est["se"], est["ci_low"], est["ci_high"]
    if method == "adjusted_wald":
        se, lo, hi = _adjusted_wald(est["n_eff"], promoters, detractors, alpha)
    elif method == "bootstrap":
        lo, hi, se = _bootstrap_mean(_nps_recode(s), gi, w, alpha, n_boot, seed)
    return keys, {
        "n": est["n"],
        "n_used": est["n_used"],
        "n_eff": est["n_eff"],
        "promoters": promoters,
        "passives": 100 - promoters - detractors,
        "detractors": detractors,
        "nps": est["mean"],
        "se": se,
        "ci_low": lo,
        "ci_high": hi,
        "method": [method] * len(promoters),
        "note": _note(est["n_used"]),
    }


def _nps_recode(s: np.ndarray) -> np.ndarray:
    """Answers 0-10 as +100 (9-10), 0 (7-8), -100 (0-6); missing stays missing."""
    recoded = np.where(s >= 9, 100.0, np.where(s <= 6, -100.0, 0.0))
    recoded[np.isnan(s)] = np.nan
    return recoded


def _nps_sums(gi: _sums.GroupIndex, values, w: np.ndarray | None):
    """Per-group sums of the ±100 score, and the weight of promoters and of detractors."""
    s = values[0]
    counts = _sums.value_table(gi, s, w, bounds=values[1:])
    if counts is None:  # fractional answers (not from load_survey): recode row by row
        answered = ~np.isnan(s)
        sums = _sums.direct_sums(gi, _nps_recode(s), w)
        pro_w = _sums.direct_sums(gi, np.where(answered, (s >= 9) * 1.0, np.nan), w)["wy"]
        det_w = _sums.direct_sums(gi, np.where(answered, (s <= 6) * 1.0, np.nan), w)["wy"]
        return sums, pro_w, det_w
    v = counts.values
    sums = counts.sums(np.where(v >= 9, 100.0, np.where(v <= 6, -100.0, 0.0)))
    return sums, counts.w[:, v >= 9].sum(1), counts.w[:, v <= 6].sum(1)


def _adjusted_wald(n_eff, promoters, detractors, alpha: float):
    """Sauro & Lewis' adjusted-Wald (se, ci_low, ci_high) from effective counts."""
    m = n_eff + 3
    p = (promoters / 100 * n_eff + 0.75) / m
    d = (detractors / 100 * n_eff + 0.75) / m
    se = 100 * np.sqrt((p + d - (p - d) ** 2) / m)
    z = stats.norm.ppf(1 - alpha / 2)
    return se, 100 * (p - d) - z * se, 100 * (p - d) + z * se


def _bootstrap_mean(y: np.ndarray, gi: _sums.GroupIndex, w, alpha, n_boot, seed):
    """Percentile bootstrap of a weighted mean within each group (in the order of the tables).

    Respondents with weight 0 are not resampled (they do not count).
    """
    rng = np.random.default_rng(seed)
    ok = ~np.isnan(y) if w is None else ~np.isnan(y) & (w > 0)
    codes, yv = gi.codes[ok], y[ok]
    wv = np.ones_like(yv) if w is None else w[ok]
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(gi.size + 1))
    lo, hi, se = [], [], []
    for g in range(gi.size):
        rows = order[bounds[g] : bounds[g + 1]]
        if len(rows) == 0:
            continue  # not a group present in the data (dropped by the tables too)
        yy, ww = yv[rows], wv[rows]
        m = len(yy)
        if m < 2:
            lo.append(np.nan), hi.append(np.nan), se.append(np.nan)
            continue
        est = np.empty(n_boot)
        # Chunks keep the index matrix near 8 million entries whatever the group size.
        step = max(1, 8_000_000 // m)
        for start in range(0, n_boot, step):
            idx = rng.integers(0, m, size=(min(step, n_boot - start), m))
            est[start : start + len(idx)] = (yy[idx] * ww[idx]).sum(1) / ww[idx].sum(1)
        lo.append(np.quantile(est, alpha / 2))
        hi.append(np.quantile(est, 1 - alpha / 2))
        se.append(est.std(ddof=1))
    return np.array(lo), np.array(hi), np.array(se)


def mean_score(
    df: pd.DataFrame,
    item: str,
    *,
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Mean of a rating per group, with its confidence interval.

    Parameters
    ----------
    df : pandas.DataFrame
    item : str
        Rating column.
    by : str or list of str, optional
        Group columns; a missing key is its own group.
    weight : str, optional
        Weight column (weight 0 leaves a respondent out).
    alpha : float
        Significance level: intervals cover 1 - alpha.

    Returns
    -------
    pandas.DataFrame
        Group columns, then ``n``, ``n_used``, ``n_eff``, ``mean``, ``sd``, ``se``,
        ``ci_low``, ``ci_high`` and ``note`` (``"base_below_2"`` or empty).

    Notes
    -----
    See :func:`weighted_mean_table` for the estimator, its variance
    (``survey::svymean``) and the t interval.

    Examples
    --------
    >>> df = pd.DataFrame({"sat": [4, 5, 3, 4, 2], "g": list("aabbb")})
    >>> mean_score(df, "sat", by="g")[["g", "n", "mean"]].round(2).to_dict("list")
    {'g': ['a', 'b'], 'n': [2, 3], 'mean': [4.5, 3.0]}
    """
    by = as_list(by)
    require_columns(df, item, weight, *by)
    return _table(*_mean(df, item, by, weight, alpha))


def _mean(df, item, by, weight, alpha) -> tuple[dict, dict]:
    """The group keys and the columns of :func:`mean_score` (arguments checked there)."""
    y, lo, hi = _numeric(df, item, "item")
    w = _weights(df, weight, y)
    gi = _sums.group_index(df, by)
    keys, est = _finish(gi, _sums.sums(gi, y, w, bounds=(lo, hi)), alpha)
    return keys, {**est, "note": _note(est["n_used"])}


def top_box(
    df: pd.DataFrame,
    item: str,
    *,
    k: int = 2,
    scale: tuple[float, float] | None = None,
    bottom: bool = False,
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Share of respondents in the top (or bottom) ``k`` answers of a scale: CSAT.

    Parameters
    ----------
    df : pandas.DataFrame
    item : str
        Rating column.
    k : int
        Number of answer points in the box (2: top-2-box).
    scale : (low, high), optional
        The scale's end points; by default the observed minimum and maximum (of the
        respondents with weight > 0), which is wrong if nobody chose an end point, so pass
        it (the codebook has it) whenever you can.
    bottom : bool
        Bottom box instead of top box.
    by : str or list of str, optional
        Group columns.
    weight : str, optional
        Weight column (weight 0 leaves a respondent out).
    alpha : float
        Significance level: intervals cover 1 - alpha.

    Returns
    -------
    pandas.DataFrame
        Group columns, then ``n``, ``n_used``, ``n_eff``, ``share`` (percent, 0-100),
        ``se``, ``ci_low``, ``ci_high`` (percent), ``box`` (the answers
        counted, e.g. ``"4-5"``) and ``note``.

    Notes
    -----
    The share is the weighted mean of the 0/100 indicator, with the
    linearisation variance of :func:`weighted_mean_table` (``survey::svymean``
    on the indicator; unweighted, ``sqrt(p(1-p)/(n-1))``).

    Examples
    --------
    >>> df = pd.DataFrame({"sat": [5, 4, 3, 2, 5]})
    >>> top_box(df, "sat", scale=(1, 5))[["n", "share", "box"]].to_dict("list")
    {'n': [5], 'share': [60.0], 'box': ['4-5']}
    """
    by = as_list(by)
    require_columns(df, item, weight, *by)
    return _table(*_top_box(df, item, k, scale, bottom, by, weight, alpha))


def _top_box(df, item, k, scale, bottom, by, weight, alpha) -> tuple[dict, dict]:
    """The group keys and the columns of :func:`top_box` (arguments checked there)."""
    values = _numeric(df, item, "item")
    y = values[0]
    w = _weights(df, weight, y)
    if scale is None:
        lo, hi = _observed_range(values, w)
    else:
        lo, hi = scale
        _check_range(values, item, lo, hi, "answers", df.index)
    if not 1 <= k <= hi - lo:
        raise ValueError(
            f"`k` should be between 1 and {hi - lo:g} for a {lo:g}-{hi:g} scale, not {k}."
        )
    box = (lo, lo + k - 1) if bottom else (hi - k + 1, hi)
    gi = _sums.group_index(df, by)
    counts = _sums.value_table(gi, y, w, bounds=values[1:])
    if counts is None:
        hit = np.where(np.isnan(y), np.nan, 100.0 * ((y >= box[0]) & (y <= box[1])))
        sums = _sums.direct_sums(gi, hit, w)
    else:
        v = counts.values
        sums = counts.sums(100.0 * ((v >= box[0]) & (v <= box[1])))
    keys, est = _finish(gi, sums, alpha)
    est["share"] = est.pop("mean")
    del est["sd"]
    order = ("n", "n_used", "n_eff", "share", "se", "ci_low", "ci_high")
    out = {c: est[c] for c in order}
    out["box"] = [f"{box[0]:g}-{box[1]:g}"] * len(out["n"])
    out["note"] = _note(est["n_used"])
    return keys, out


def ces(
    df: pd.DataFrame,
    item: str,
    *,
    scale: tuple[float, float] = (1, 7),
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Customer Effort Score: mean effort rating and share finding it easy.

    Parameters
    ----------
    df : pandas.DataFrame
    item : str
        Effort column, coded so that high = easy (CES 2.0, "the company made it
        easy for me to handle my issue", 1 strongly disagree - 7 strongly agree).
    scale : (low, high)
        The scale's end points.
    by : str or list of str, optional
        Group columns.
    weight : str, optional
        Weight column (weight 0 leaves a respondent out).
    alpha : float
        Significance level: intervals cover 1 - alpha.

    Returns
    -------
    pandas.DataFrame
        Group columns, then ``n``, ``n_used``, ``n_eff``, ``mean``, ``se``, ``ci_low``,
        ``ci_high`` (the mean and its interval), ``easy`` (percent answering
        in the top 3 points of a 7-point scale, top 2 of a 5-point one),
        ``easy_ci_low``, ``easy_ci_high`` and ``note``.

    Notes
    -----
    CES 2.0 (Dixon, Freeman & Toman, 2010; CEB). Both figures use the
    estimator of :func:`weighted_mean_table`.

    Examples
    --------
    >>> df = pd.DataFrame({"effort": [7, 6, 5, 2, 4]})
    >>> ces(df, "effort")[["n", "mean", "easy"]].to_dict("list")
    {'n': [5], 'mean': [4.8], 'easy': [60.0]}
    """
    by = as_list(by)
    require_columns(df, item, weight, *by)
    return _table(*_ces(df, item, scale, by, weight, alpha))


def _ces(df, item, scale, by, weight, alpha) -> tuple[dict, dict]:
    """The group keys and the columns of :func:`ces` (arguments checked there)."""
    lo, hi = scale
    _check_range(_numeric(df, item, "item"), item, lo, hi, "effort answers", df.index)
    keys, means = _mean(df, item, by, weight, alpha)
    k = 3 if hi - lo >= 6 else 2
    _, easy = _top_box(df, item, k, scale, False, by, weight, alpha)
    order = ("n", "n_used", "n_eff", "mean", "se", "ci_low", "ci_high")
    return keys, {
        **{c: means[c] for c in order},
        "easy": easy["share"],
        "easy_ci_low": easy["ci_low"],
        "easy_ci_high": easy["ci_high"],
        "note": means["note"],
    }


def counts(
    df: pd.DataFrame,
    by: str | Sequence[str],
    *,
    weight: str | None = None,
) -> pd.DataFrame:
    """Respondents per group, with their share of the total.

    Parameters
    ----------
    df : pandas.DataFrame
    by : str or list of str
        Group columns; a missing key is its own group.
    weight : str, optional
        Weight column (weight 0: counted in ``n``, not in ``n_used`` or any share).

    Returns
    -------
    pandas.DataFrame
        Group columns, ``n``, ``n_used``, ``percent`` (share of the respondents used, 0-100)
        and, with ``weight``, ``weighted_percent``.

    Examples
    --------
    >>> df = pd.DataFrame({"region": ["华东", "华东", "华北", "华北"], "w": [1.0, 3.0, 1.0, 0.0]})
    >>> counts(df, "region", weight="w").round(1).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'region': ['华东', '华北'], 'n': [2, 2], 'n_used': [2, 1], 'percent': [66.7, 33.3],
     'weighted_percent': [80.0, 20.0]}
    """
    by = as_list(by)
    require_columns(df, weight, *by)
    w = weight_values(df, weight)
    gi = _sums.group_index(df, by)
    codes = gi.codes
    n = np.bincount(codes, minlength=gi.size)
    used = np.bincount(codes, weights=(w > 0).astype(float), minlength=gi.size).astype(np.int64)
    seen = np.flatnonzero(n)
    first = _sums.first_rows(codes, gi.size)
    out = {col: df[col].array.take(first[seen]) for col in by}
    with np.errstate(divide="ignore", invalid="ignore"):  # every weight 0: NaN shares, as before
        out.update(n=n[seen], n_used=used[seen], percent=100 * used[seen] / used.sum())
        if weight:
            wsum = np.bincount(codes, weights=w, minlength=gi.size)[seen]
            out["weighted_percent"] = 100 * wsum / wsum.sum()
    return pd.DataFrame(out)


def select_wave(
    df: pd.DataFrame, wave: str | None, period: str | None
) -> tuple[pd.DataFrame, str | None]:
    """Rows of one survey period: the one named, or the latest when ``period`` is empty.

    Parameters
    ----------
    df : pandas.DataFrame
    wave : str or None
        The wave column (None: the survey has none; then every row is returned).
    period : str or None
        The value of ``wave`` to keep; None or empty: the latest. Periods sort as text, so codes like
        ``2025Q1`` or ``2025-06`` order correctly.

    Returns
    -------
    (pandas.DataFrame, str or None)
        The rows of the period and the period chosen; all rows and None without a wave column.

    Examples
    --------
    >>> df = pd.DataFrame({"wave": ["2025Q1", "2025Q2", "2025Q2"], "nps": [9, 10, 6]})
    >>> rows, period = select_wave(df, "wave", None)
    >>> period, len(rows)
    ('2025Q2', 2)
    >>> select_wave(df, "wave", "2025Q1")[0]["nps"].tolist()
    [9]
    """
    if not wave:
        if period:
            raise ValueError(
                f"`period` is {period!r}, but the survey has no wave column (codebook key `wave`)."
            )
        return df, None
    require_columns(df, wave, arg="wave column")
    periods = sorted(df[wave].dropna().astype(str).unique())
    if not periods:
        raise ValueError(f"Wave column `{wave}` is empty.")
    chosen = period or periods[-1]
    if chosen not in periods:
        raise ValueError(f"Period {chosen!r} is not in column `{wave}`; waves present: {periods}.")
    return df[df[wave].astype(str) == chosen], chosen


#: Metrics :func:`estimate` knows, and the kind of statistic each is (for tests between groups).
METRICS = {"nps": "nps", "top_box": "share", "bottom_box": "share", "mean": "mean", "ces": "mean"}
#: The columns of :func:`estimate` after the group columns.
ESTIMATE_COLUMNS = ["n", "n_used", "n_eff", "value", "se", "ci_low", "ci_high", "note"]


def estimate(
    df: pd.DataFrame,
    metric: str,
    item: str,
    *,
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    alpha: float = 0.05,
    scale: tuple[float, float] | None = None,
    k: int = 2,
) -> pd.DataFrame:
    """Any satisfaction metric in one common shape, for comparisons and trends.

    Parameters
    ----------
    df : pandas.DataFrame
    metric : {"nps", "top_box", "bottom_box", "mean", "ces"}
    item : str
        The analysed column (the 0-10 answer for NPS, the effort rating for CES).
    by : str or list of str, optional
        Group columns.
    weight : str, optional
        Weight column (weight 0 leaves a respondent out).
    alpha : float
        Significance level: intervals cover 1 - alpha.
    scale, k
        Scale end points and box size for ``top_box``/``bottom_box`` (``scale`` also for CES).

    Returns
    -------
    pandas.DataFrame
        Group columns, then ``n``, ``n_used``, ``n_eff``, ``value`` (NPS points, percent
        in the box, or mean), ``se``, ``ci_low``, ``ci_high``, ``note``.

    Examples
    --------
    >>> df = pd.DataFrame({"sat": [5, 4, 3, 2, 5]})
    >>> estimate(df, "top_box", "sat", scale=(1, 5))[["n", "value"]].to_dict("list")
    {'n': [5], 'value': [60.0]}
    """
    keys, columns = estimate_columns(
        df, metric, item, by=by, weight=weight, alpha=alpha, scale=scale, k=k
    )
    return _table(keys, columns)


def estimate_columns(
    df: pd.DataFrame,
    metric: str,
    item: str,
    *,
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    alpha: float = 0.05,
    scale: tuple[float, float] | None = None,
    k: int = 2,
) -> tuple[dict, dict]:
    """:func:`estimate` as columns, not yet a table: for the modules of :mod:`cxlab.survey` that
    compute on the estimates (tests between groups, changes between waves) before they make
    one table.

    Parameters
    ----------
    df, metric, item, by, weight, alpha, scale, k
        As :func:`estimate`.

    Returns
    -------
    (dict, dict)
        The group columns (name -> values, one per group), then the columns of
        :func:`estimate` after them (name -> array).

    Examples
    --------
    >>> keys, columns = estimate_columns(pd.DataFrame({"x": [4, 5, 2], "g": list("aab")}),
    ...                                  "mean", "x", by="g")
    >>> list(keys["g"]), columns["value"].tolist()
    (['a', 'b'], [4.5, 2.0])
    """
    if metric not in METRICS:
        raise ValueError(f"`metric` should be one of {sorted(METRICS)}, not {metric!r}.")
    by = as_list(by)
    require_columns(df, item, weight, *by)
    if metric == "nps":
        keys, t = _nps(df, item, by, weight, alpha)
        value = t["nps"]
    elif metric == "ces":
        keys, t = _ces(df, item, scale or (1, 7), by, weight, alpha)
        value = t["mean"]
    elif metric == "mean":
        keys, t = _mean(df, item, by, weight, alpha)
        value = t["mean"]
    else:
        keys, t = _top_box(df, item, k, scale, metric == "bottom_box", by, weight, alpha)
        value = t["share"]
    return keys, {c: value if c == "value" else t[c] for c in ESTIMATE_COLUMNS}


#: The figures :func:`kpis` returns, in order (words: messages ``kpi.<code>``).
KPI_CODES = ("nps", "csat", "mean", "ces", "ces_easy")


def kpis(
    df: pd.DataFrame,
    codebook,
    *,
    weight: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The headline figures a codebook defines: NPS, CSAT (top-2-box and mean), CES.

    Parameters
    ----------
    df : pandas.DataFrame
    codebook : cxlab.codebook.Codebook
        NPS comes from the ``nps`` item, CSAT from the ``role: outcome`` scale,
        CES from the ``role: effort`` scale (each when present).
    weight : str, optional
        Weight column (weight 0 leaves a respondent out).
    alpha : float
        Significance level: intervals cover 1 - alpha.

    Returns
    -------
    pandas.DataFrame
        One row per figure: ``kpi`` (a code of :data:`KPI_CODES`: ``"nps"``, ``"csat"``
        (top-2 box %), ``"mean"``, ``"ces"`` (mean effort), ``"ces_easy"`` (easy %); the
        words are the messages ``kpi.<code>``), ``item``, ``n``, ``n_used``, ``n_eff``,
        ``value``, ``ci_low``, ``ci_high``, ``unit`` (``"points"``, ``"%"`` or ``"mean"``).

    Examples
    --------
    >>> from cxlab.codebook import Codebook, Item
    >>> book = Codebook(id="rid", items={"nps": Item("nps", "nps"),
    ...                                  "sat": Item("sat", "scale", min=1, max=5, role="outcome")})
    >>> df = pd.DataFrame({"nps": [10, 9, 6, 8], "sat": [5, 4, 2, 4]})
    >>> kpis(df, book)[["kpi", "item", "value", "unit"]].to_dict("list")
    {'kpi': ['nps', 'csat', 'mean'], 'item': ['nps', 'sat', 'sat'], 'value': [25.0, 75.0, 3.75], 'unit': ['points', '%', 'mean']}
    """
    parts = []
    for item in codebook.select(type="nps")[:1]:
        _, t = estimate_columns(df, "nps", item, weight=weight, alpha=alpha)
        parts.append(_kpi_row("nps", item, t, "points"))
    for item in codebook.select(role="outcome")[:1]:
        it = codebook.items[item]
        scale = (it.min, it.max)
        _, box = estimate_columns(df, "top_box", item, weight=weight, alpha=alpha, scale=scale)
        parts.append(_kpi_row("csat", item, box, "%"))
        _, t = estimate_columns(df, "mean", item, weight=weight, alpha=alpha)
        parts.append(_kpi_row("mean", item, t, "mean"))
    for item in codebook.select(role="effort")[:1]:
        it = codebook.items[item]
        require_columns(df, item, weight)
        _, t = _ces(df, item, (it.min, it.max), [], weight, alpha)
        parts.append(_kpi_row("ces", item, t, "mean", value="mean"))
        cols = {"value": "easy", "lo": "easy_ci_low", "hi": "easy_ci_high"}
        parts.append(_kpi_row("ces_easy", item, t, "%", **cols))
    return pd.DataFrame(parts, columns=[*_KPI_KEYS, "unit"])


_KPI_KEYS = ("kpi", "item", "n", "n_used", "n_eff", "value", "ci_low", "ci_high")


def _kpi_row(kpi, item, columns, unit, value="value", lo="ci_low", hi="ci_high") -> dict:
    """One row of :func:`kpis` from the first row of the columns of an estimate."""
    cells = [columns[c][0] for c in ("n", "n_used", "n_eff", value, lo, hi)]
    return {**dict(zip(_KPI_KEYS, (kpi, item, *cells), strict=True)), "unit": unit}

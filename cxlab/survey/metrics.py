"""The estimators: NPS, top box (CSAT), means (CES), all as one weighted mean.

Every function takes a DataFrame and column names and returns one row per
group with the group keys as ordinary columns. Estimates are weighted means,
so one variance formula serves them all (see :func:`weighted_mean_table`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cxlab.survey import _sums

__all__ = [
    "ces",
    "counts",
    "estimate",
    "kpis",
    "select_wave",
    "mean_score",
    "nps",
    "top_box",
    "weighted_mean_table",
    "weights_array",
]

NPS_METHODS = ("wald", "adjusted_wald", "bootstrap")


# -- argument checks shared by every metric ------------------------------------------------------


def as_list(by: str | Sequence[str] | None) -> list[str]:
    """``by`` as a list of column names (None: no groups)."""
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def require_columns(data: pd.DataFrame, *columns: str | None, arg: str = "column") -> None:
    """Raise ValueError naming the columns that ``data`` lacks, and listing those it has."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"`data` should be a pandas DataFrame, not {type(data).__name__}.")
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        have = ", ".join(map(str, data.columns[:25])) + (" …" if data.shape[1] > 25 else "")
        raise ValueError(f"{arg} {missing} not in the data. Columns: {have}.")


def weights_array(data: pd.DataFrame, weight: str, rows) -> np.ndarray:
    """Weights as a float array (all rows), checked on the rows used.

    ``rows`` is a boolean mask, or a float array whose non-missing entries mark the rows used.
    """
    w = _float_array(pd.to_numeric(data[weight], errors="coerce"))
    if len(w) and w.min() > 0 and np.isfinite(w.max()):  # fast path; NaN fails both tests
        return w
    rows = np.asarray(rows)
    if rows.dtype != bool:
        rows = ~np.isnan(rows)
    used = w[rows]
    bad = ~np.isfinite(used) | (used <= 0)
    if bad.any():
        first = ", ".join(map(str, data.index[rows][bad][:5]))
        raise ValueError(
            f"Weight column `{weight}` has {int(bad.sum())} missing, zero or negative "
            f"value(s) among the respondents analysed (rows {first}). Fix the weights, "
            "or drop those respondents explicitly before weighting."
        )
    return w


def check_weights(data: pd.DataFrame, weight: str, rows: pd.Series) -> pd.Series:
    """The weights of the rows used, or ValueError if any is missing, zero or negative."""
    mask = np.asarray(rows, dtype=bool)
    return pd.Series(weights_array(data, weight, mask)[mask], index=data.index[mask])


def _float_array(s: pd.Series) -> np.ndarray:
    """A float view of a column (no copy when it already is float64)."""
    if s.dtype == np.float64:
        return s.to_numpy()
    return s.to_numpy(dtype=float, na_value=np.nan)


def _numeric(data: pd.DataFrame, col: str, arg: str) -> tuple[np.ndarray, float, float]:
    """The column as floats, with its smallest and largest value."""
    s = data[col]
    if not (pd.api.types.is_numeric_dtype(s) or s.isna().all()):
        raise TypeError(
            f"`{arg}` column `{col}` should hold numbers, but has dtype {s.dtype}; "
            "load the survey with cxlab.io.load_survey so answers are parsed."
        )
    y = _float_array(s)
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

    Parameters
    ----------
    y : pandas.Series
        Values; NaN rows are left out (they are counted nowhere).
    keys : pandas.DataFrame, optional
        Group keys, aligned with ``y``; missing keys form their own group.
    weights : pandas.Series, optional
        Positive weights aligned with ``y``.
    alpha : float
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        Group key columns, then ``n``, ``n_eff``, ``mean``, ``sd``, ``se``,
        ``ci_low``, ``ci_high``.

    Notes
    -----
    ``mean`` = Σwᵢyᵢ / Σwᵢ. The variance is the Taylor-linearisation (with
    replacement) variance of a ratio estimator, as R's
    ``survey::svymean(~y, svydesign(ids=~1, weights=~w))`` computes it:
    ``var = N/(N-1) · Σ wᵢ²(yᵢ - ȳ)² / (Σwᵢ)²`` over the respondents of the
    group, where N counts all respondents with a value (groups are domains of
    one sample, as ``svyby(~y, ~g, design, svymean)`` treats them). Without
    weights and groups it reduces to ``s²/n``. ``sd`` is the weighted standard
    deviation ``sqrt(Σwᵢ(yᵢ-ȳ)² / Σwᵢ · n/(n-1))`` within the group
    (``svyvar``). ``n_eff`` is Kish's effective base (Σw)²/Σw². The interval
    is ``mean ± t(1-alpha/2, N-1) · se``, as ``confint(..., df = degf(design))``
    gives it. Groups with fewer than two respondents get no interval.
    """
    yv = y.to_numpy(dtype=float, na_value=np.nan)
    wv = None if weights is None else weights.to_numpy(dtype=float, na_value=np.nan)
    gi = _sums.group_index(keys, len(yv))
    return _finish(gi, _sums.sums(gi, yv, wv), alpha)


def _finish(gi: _sums.GroupIndex, s: dict[str, np.ndarray], alpha: float) -> pd.DataFrame:
    """The estimate table from per-group sums (see :func:`weighted_mean_table`)."""
    keep = s["n"] > 0
    n = s["n"][keep]
    n_all = float(n.sum())
    sw, ww, wy, wyy, wwy, wwyy = (s[k][keep] for k in ("w", "ww", "wy", "wyy", "wwy", "wwyy"))
    mean = wy / sw
    # Σw²(y-ȳ)² expanded into sums, so the whole table costs one pass over the rows.
    ss = np.clip(wwyy - 2 * mean * wwy + mean**2 * ww, 0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Groups are domains of one sample: the finite-sample factor and the degrees of
        # freedom come from the whole sample, as svyby() computes them.
        var = np.where(n > 1, n_all / (n_all - 1) * ss / sw**2, np.nan)
        wvar = np.where(n > 1, n / (n - 1) * np.clip(wyy - sw * mean**2, 0, None) / sw, np.nan)
        se = np.sqrt(var)
        t = stats.t.ppf(1 - alpha / 2, max(n_all - 1, 1))
    out = gi.keys.loc[keep].reset_index(drop=True)
    out["n"] = n.astype(int)
    out["n_eff"] = sw**2 / ww
    out["mean"] = mean
    out["sd"] = np.sqrt(wvar)
    out["se"] = se
    out["ci_low"] = mean - t * se
    out["ci_high"] = mean + t * se
    return out


def _groups(data: pd.DataFrame, by: list[str]) -> pd.DataFrame | None:
    return data[by] if by else None


def _note(n: pd.Series) -> pd.Series:
    return pd.Series(np.where(n < 2, "base below 2: no interval", ""), index=n.index)


# -- metrics ---------------------------------------------------------------------------------------


def nps(
    data: pd.DataFrame,
    score: str = "nps",
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
    data : pandas.DataFrame
    score : str
        Column of 0-10 "how likely to recommend" answers.
    by : str or list of str, optional
        Group columns; respondents with a missing key form their own group.
    weight : str, optional
        Weight column (positive numbers).
    alpha : float
        1 - confidence level.
    method : {"wald", "adjusted_wald", "bootstrap"}
        How the interval is computed (see Notes).
    n_boot, seed
        Resamples and seed for ``method="bootstrap"``.

    Returns
    -------
    pandas.DataFrame
        Group columns, then ``n`` (respondents with an answer), ``n_eff``
        (Kish effective base), ``promoters``, ``passives``, ``detractors``
        (percent, 0-100), ``nps`` (points, -100..100), ``se``, ``ci_low``,
        ``ci_high`` (points), ``method`` and ``note`` (why an interval is
        missing, else empty).

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
    """
    if method not in NPS_METHODS:
        raise ValueError(f"`method` should be one of {NPS_METHODS}, not {method!r}.")
    by = as_list(by)
    require_columns(data, score, weight, *by)
    values = _numeric(data, score, "score")
    _check_range(values, score, 0, 10, "NPS answers", data.index)
    s = values[0]
    w = weights_array(data, weight, s) if weight else None
    gi = _sums.group_index(_groups(data, by), len(s))
    counts = _sums.value_table(gi, s, w, bounds=values[1:])
    answered = ~np.isnan(s)
    if counts is None:  # fractional answers (not from load_survey): recode row by row
        recoded = np.where(s >= 9, 100.0, np.where(s <= 6, -100.0, 0.0))
        recoded[~answered] = np.nan
        sums = _sums.direct_sums(gi, recoded, w)
        pro_w = _sums.direct_sums(gi, np.where(answered, (s >= 9) * 1.0, np.nan), w)["wy"]
        det_w = _sums.direct_sums(gi, np.where(answered, (s <= 6) * 1.0, np.nan), w)["wy"]
    else:
        v = counts.values
        sums = counts.sums(np.where(v >= 9, 100.0, np.where(v <= 6, -100.0, 0.0)))
        pro_w = counts.w[:, v >= 9].sum(1)
        det_w = counts.w[:, v <= 6].sum(1)
    table = _finish(gi, sums, alpha)
    keep = sums["n"] > 0

    out = table[by].copy() if by else pd.DataFrame(index=table.index)
    out["n"] = table["n"]
    out["n_eff"] = table["n_eff"]
    out["promoters"] = 100 * pro_w[keep] / sums["w"][keep]
    out["detractors"] = 100 * det_w[keep] / sums["w"][keep]
    out["passives"] = 100 - out["promoters"] - out["detractors"]
    out["nps"] = table["mean"]
    out["se"] = table["se"]
    out["ci_low"] = table["ci_low"]
    out["ci_high"] = table["ci_high"]
    if method == "adjusted_wald":
        m = out["n_eff"] + 3
        p = (out["promoters"] / 100 * out["n_eff"] + 0.75) / m
        d = (out["detractors"] / 100 * out["n_eff"] + 0.75) / m
        se = 100 * np.sqrt((p + d - (p - d) ** 2) / m)
        z = stats.norm.ppf(1 - alpha / 2)
        out["se"] = se
        out["ci_low"] = 100 * (p - d) - z * se
        out["ci_high"] = 100 * (p - d) + z * se
    elif method == "bootstrap":
        recoded = np.where(s >= 9, 100.0, np.where(s <= 6, -100.0, 0.0))
        recoded[~answered] = np.nan
        lo, hi, se = _bootstrap_mean(recoded, gi, w, alpha, n_boot, seed)
        out["se"], out["ci_low"], out["ci_high"] = se, lo, hi
    out["method"] = method
    out["note"] = _note(out["n"])
    cols = [
        *by,
        "n",
        "n_eff",
        "promoters",
        "passives",
        "detractors",
        "nps",
        "se",
        "ci_low",
        "ci_high",
        "method",
        "note",
    ]
    return out[cols]


def _bootstrap_mean(y: np.ndarray, gi: _sums.GroupIndex, w, alpha, n_boot, seed):
    """Percentile bootstrap of a weighted mean within each group (in the order of the tables)."""
    rng = np.random.default_rng(seed)
    ok = ~np.isnan(y)
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
    data: pd.DataFrame,
    item: str,
    *,
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Mean of a rating per group, with its confidence interval.

    Returns
    -------
    pandas.DataFrame
        Group columns, then ``n``, ``n_eff``, ``mean``, ``sd``, ``se``,
        ``ci_low``, ``ci_high`` and ``note``.

    Notes
    -----
    See :func:`weighted_mean_table` for the estimator, its variance
    (``survey::svymean``) and the t interval.
    """
    by = as_list(by)
    require_columns(data, item, weight, *by)
    y, lo, hi = _numeric(data, item, "item")
    w = weights_array(data, weight, y) if weight else None
    gi = _sums.group_index(_groups(data, by), len(y))
    out = _finish(gi, _sums.sums(gi, y, w, bounds=(lo, hi)), alpha)
    out["note"] = _note(out["n"])
    return out


def top_box(
    data: pd.DataFrame,
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
    item : str
        Rating column.
    k : int
        Number of answer points in the box (2: top-2-box).
    scale : (low, high), optional
        The scale's end points; by default the observed minimum and maximum,
        which is wrong if nobody chose an end point, so pass it (the codebook
        has it) whenever you can.
    bottom : bool
        Bottom box instead of top box.

    Returns
    -------
    pandas.DataFrame
        Group columns, then ``n``, ``n_eff``, ``share`` (percent, 0-100),
        ``se``, ``ci_low``, ``ci_high`` (percent), ``box`` (the answers
        counted, e.g. ``"4-5"``) and ``note``.

    Notes
    -----
    The share is the weighted mean of the 0/100 indicator, with the
    linearisation variance of :func:`weighted_mean_table` (``survey::svymean``
    on the indicator; unweighted, ``sqrt(p(1-p)/(n-1))``).
    """
    by = as_list(by)
    require_columns(data, item, weight, *by)
    values = _numeric(data, item, "item")
    y = values[0]
    lo, hi = scale if scale is not None else values[1:]
    _check_range(values, item, lo, hi, "answers", data.index)
    if not 1 <= k <= hi - lo:
        raise ValueError(
            f"`k` should be between 1 and {hi - lo:g} for a {lo:g}-{hi:g} scale, not {k}."
        )
    box = (lo, lo + k - 1) if bottom else (hi - k + 1, hi)
    w = weights_array(data, weight, y) if weight else None
    gi = _sums.group_index(_groups(data, by), len(y))
    counts = _sums.value_table(gi, y, w, bounds=values[1:])
    if counts is None:
        hit = np.where(np.isnan(y), np.nan, 100.0 * ((y >= box[0]) & (y <= box[1])))
        sums = _sums.direct_sums(gi, hit, w)
    else:
        v = counts.values
        sums = counts.sums(100.0 * ((v >= box[0]) & (v <= box[1])))
    t = _finish(gi, sums, alpha)
    out = t.drop(columns=["sd"]).rename(columns={"mean": "share"})
    out["box"] = f"{box[0]:g}-{box[1]:g}"
    out["note"] = _note(out["n"])
    return out


def ces(
    data: pd.DataFrame,
    item: str = "effort",
    *,
    scale: tuple[float, float] = (1, 7),
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Customer Effort Score: mean effort rating and share finding it easy.

    Parameters
    ----------
    item : str
        Effort column, coded so that high = easy (CES 2.0, "the company made it
        easy for me to handle my issue", 1 strongly disagree - 7 strongly agree).
    scale : (low, high)
        The scale's end points.

    Returns
    -------
    pandas.DataFrame
        Group columns, then ``n``, ``n_eff``, ``mean``, ``se``, ``ci_low``,
        ``ci_high`` (the mean and its interval), ``easy`` (percent answering
        in the top 3 points of a 7-point scale, top 2 of a 5-point one),
        ``easy_ci_low``, ``easy_ci_high`` and ``note``.

    Notes
    -----
    CES 2.0 (Dixon, Freeman & Toman, 2010; CEB). Both figures use the
    estimator of :func:`weighted_mean_table`.
    """
    lo, hi = scale
    require_columns(data, item)
    _check_range(_numeric(data, item, "item"), item, lo, hi, "effort answers", data.index)
    means = mean_score(data, item, by=by, weight=weight, alpha=alpha)
    k = 3 if hi - lo >= 6 else 2
    easy = top_box(data, item, k=k, scale=scale, by=by, weight=weight, alpha=alpha)
    out = means.drop(columns=["sd", "note"])
    out["easy"] = easy["share"].to_numpy()
    out["easy_ci_low"] = easy["ci_low"].to_numpy()
    out["easy_ci_high"] = easy["ci_high"].to_numpy()
    out["note"] = means["note"]
    return out


def counts(
    data: pd.DataFrame,
    by: str | Sequence[str],
    *,
    weight: str | None = None,
) -> pd.DataFrame:
    """Respondents per group, with their share of the total.

    Returns
    -------
    pandas.DataFrame
        Group columns (a missing key is its own group), ``n``, ``percent``
        (0-100) and, with ``weight``, ``weighted_percent``.
    """
    by = as_list(by)
    require_columns(data, weight, *by)
    g = data.groupby(by, dropna=False, sort=True, observed=True)
    out = g.size().rename("n").reset_index()
    out["percent"] = 100 * out["n"] / out["n"].sum()
    if weight:
        w = check_weights(data, weight, pd.Series(True, index=data.index))
        sw = w.groupby([data[c] for c in by], dropna=False, sort=True, observed=True).sum()
        out["weighted_percent"] = 100 * sw.to_numpy() / sw.sum()
    return out


def select_wave(
    data: pd.DataFrame, wave_col: str | None, wave: str = ""
) -> tuple[pd.DataFrame, str | None]:
    """Rows of one survey wave: the one named, or the latest when ``wave`` is empty.

    Waves sort as text, so codes like ``2025Q1`` or ``2025-06`` order correctly.

    Returns
    -------
    (pandas.DataFrame, str or None)
        The rows of the wave and its name; all rows and None without a wave column.
    """
    if not wave_col:
        if wave:
            raise ValueError(
                f"`wave` is {wave!r}, but the survey has no wave column (codebook key `wave`)."
            )
        return data, None
    require_columns(data, wave_col, arg="wave column")
    waves = sorted(data[wave_col].dropna().astype(str).unique())
    if not waves:
        raise ValueError(f"Wave column `{wave_col}` is empty.")
    chosen = wave or waves[-1]
    if chosen not in waves:
        raise ValueError(f"Wave {chosen!r} is not in column `{wave_col}`; waves present: {waves}.")
    return data[data[wave_col].astype(str) == chosen], chosen


#: Metrics :func:`estimate` knows, and the kind of statistic each is (for tests between groups).
METRICS = {"nps": "nps", "top_box": "share", "bottom_box": "share", "mean": "mean", "ces": "mean"}


def estimate(
    data: pd.DataFrame,
    metric: str,
    item: str | None = None,
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
    metric : {"nps", "top_box", "bottom_box", "mean", "ces"}
    item : str, optional
        The column; defaults to ``"nps"`` for NPS and ``"effort"`` for CES.
    scale, k
        Scale end points and box size for ``top_box``/``bottom_box``.

    Returns
    -------
    pandas.DataFrame
        Group columns, then ``n``, ``n_eff``, ``value`` (NPS points, percent
        in the box, or mean), ``se``, ``ci_low``, ``ci_high``, ``note``.
    """
    if metric not in METRICS:
        raise ValueError(f"`metric` should be one of {sorted(METRICS)}, not {metric!r}.")
    by_cols = as_list(by)
    if metric == "nps":
        t = nps(data, item or "nps", by=by, weight=weight, alpha=alpha).rename(
            columns={"nps": "value"}
        )
    elif metric in ("top_box", "bottom_box"):
        if item is None:
            raise ValueError(f"`item` is required for metric {metric!r}.")
        t = top_box(
            data,
            item,
            k=k,
            scale=scale,
            bottom=metric == "bottom_box",
            by=by,
            weight=weight,
            alpha=alpha,
        )
        t = t.rename(columns={"share": "value"})
    elif metric == "ces":
        t = ces(data, item or "effort", scale=scale or (1, 7), by=by, weight=weight, alpha=alpha)
        t = t.rename(columns={"mean": "value"})
    else:
        if item is None:
            raise ValueError("`item` is required for metric 'mean'.")
        t = mean_score(data, item, by=by, weight=weight, alpha=alpha).rename(
            columns={"mean": "value"}
        )
    return t[[*by_cols, "n", "n_eff", "value", "se", "ci_low", "ci_high", "note"]]


def kpis(
    data: pd.DataFrame,
    codebook,
    *,
    weight: str | None = None,
    alpha: float = 0.05,
    lang: str = "zh",
) -> pd.DataFrame:
    """The headline figures a codebook defines: NPS, CSAT (top-2-box and mean), CES.

    Parameters
    ----------
    codebook : cxlab.codebook.Codebook
        NPS comes from the ``nps`` item, CSAT from the ``role: outcome`` scale,
        CES from the ``role: effort`` scale (each when present).
    lang : {"zh", "en"}
        Language of the ``label`` column.

    Returns
    -------
    pandas.DataFrame
        One row per figure: ``kpi`` (``"nps"``, ``"csat"``, ``"mean"``,
        ``"ces"``, ``"ces_easy"``), ``item``, ``label``, ``n``, ``n_eff``,
        ``value``, ``ci_low``, ``ci_high``, ``unit`` (``"points"``, ``"%"`` or
        ``"mean"``).
    """
    from cxlab.present import say

    rows = []

    def add(kpi, item, label, table, unit, value="value", lo="ci_low", hi="ci_high"):
        r = table.iloc[0]
        rows.append(
            {
                "kpi": kpi,
                "item": item,
                "label": label,
                "n": r["n"],
                "n_eff": r["n_eff"],
                "value": r[value],
                "ci_low": r[lo],
                "ci_high": r[hi],
                "unit": unit,
            }
        )

    for item in codebook.select(type="nps")[:1]:
        add("nps", item, "NPS", estimate(data, "nps", item, weight=weight, alpha=alpha), "points")
    for item in codebook.select(role="outcome")[:1]:
        it = codebook.items[item]
        scale = (it.min, it.max)
        add(
            "csat",
            item,
            say(lang, f"{it.display}（前两档 %）", f"{it.display} (top-2 box %)"),
            estimate(data, "top_box", item, weight=weight, alpha=alpha, scale=scale),
            "%",
        )
        add(
            "mean",
            item,
            say(lang, f"{it.display}（均值）", f"{it.display} (mean)"),
            estimate(data, "mean", item, weight=weight, alpha=alpha),
            "mean",
        )
    for item in codebook.select(role="effort")[:1]:
        it = codebook.items[item]
        t = ces(data, item, scale=(it.min, it.max), weight=weight, alpha=alpha)
        add(
            "ces",
            item,
            say(lang, f"{it.display}（均值）", f"{it.display} (mean)"),
            t,
            "mean",
            "mean",
        )
        add(
            "ces_easy",
            item,
            say(lang, f"{it.display}（省力 %）", f"{it.display} (easy %)"),
            t,
            "%",
            "easy",
            "easy_ci_low",
            "easy_ci_high",
        )
    return pd.DataFrame(rows)

"""The customer journey: touchpoints by stage, the purchase funnel, peak-end, self-service KPIs.

All functions are pure: a DataFrame and column names in, tidy DataFrames (or a small frozen
dataclass of them) out. Results carry codes (``model``, ``kpi``, ``reason`` values, the
segment :data:`UNMATCHED`); their words are in the message catalogue (``model.peak_end``,
``kpi.resolution_rate``, ``reason.missing time``, ``by.unmatched``; see :mod:`cxlab.messages`).
Weights follow the weight rule of :mod:`cxlab.checks`: weighted results report ``n``
(answered) and ``n_used`` (weight > 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.checks import as_list, require_columns, weight_values
from cxlab.codebook import CodebookError
from cxlab.survey import mean_score, top_box, weighted_mean_table

__all__ = [
    "SELF_SERVICE_PREFIX",
    "UNMATCHED",
    "Funnel",
    "PeakEnd",
    "funnel",
    "peak_end",
    "self_service",
    "self_service_spec",
    "touchpoints",
    "with_segment",
]

#: The segment :func:`with_segment` gives customers of the event log who are not in the survey.
UNMATCHED = "unmatched"


def _top_box_table(df, col, by_cols, weight, **options) -> pd.DataFrame:
    """Top-box share of ``col`` with ``n`` and ``n_used``."""
    tb = top_box(df, col, by=by_cols or None, weight=weight, **options)
    return tb[[*by_cols, "n", "n_used", "share", "ci_low", "ci_high"]]


# -- touchpoints -----------------------------------------------------------------------------------


def _touchpoint_items(codebook, items) -> dict[str, str]:
    if items is None:
        if codebook is None:
            raise ValueError(
                "Give `codebook` (touchpoint items with a `stage`) or `items` (column -> stage)."
            )
        items = {c: codebook.items[c].stage for c in codebook.require(role="touchpoint")}
        missing_stage = [c for c, st in items.items() if not st]
        if missing_stage:
            raise CodebookError(
                f"Touchpoint item(s) {missing_stage} have no `stage` in codebook {codebook.source}."
            )
    if not items:
        raise ValueError("No touchpoints: `items` is empty.")
    return dict(items)


def _stage_order(items: dict, stages, codebook) -> list[str]:
    if stages:
        order = list(stages)
    elif codebook is not None and codebook.stages:
        order = list(codebook.stages)
    else:
        order = list(dict.fromkeys(items.values()))
    unknown = sorted({st for st in items.values() if st not in order})
    if unknown:
        raise ValueError(f"Stage(s) {unknown} are not in the stage order {order}.")
    return order


def _touchpoint_rows(df, col, scale, by_cols, weight, k, alpha) -> pd.DataFrame:
    if df[col].notna().sum() == 0:
        raise ValueError(f"Touchpoint `{col}` has no ratings at all.")
    opts = {"by": by_cols or None, "weight": weight, "alpha": alpha}
    m = mean_score(df, col, **opts)
    part = m[[*by_cols, "n", "n_used", "mean", "ci_low", "ci_high"]].copy()
    tb = top_box(df, col, k=k, scale=scale, **opts)
    part["top_box"] = tb["share"].to_numpy()
    part["top_box_ci_low"] = tb["ci_low"].to_numpy()
    part["top_box_ci_high"] = tb["ci_high"].to_numpy()
    return part


def touchpoints(
    df: pd.DataFrame,
    *,
    codebook=None,
    items: dict[str, str] | None = None,
    stages: Sequence[str] | None = None,
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    scale: tuple[float, float] | None = None,
    k: int = 2,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Satisfaction with each touchpoint, grouped by journey stage.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent.
    codebook : cxlab.codebook.Codebook, optional
        Touchpoints are its ``role: touchpoint`` items with a ``stage``;
        stage order from its ``stages`` key; scale from the items.
    items : mapping touchpoint column -> stage, optional
        Instead of the codebook.
    stages : list of str, optional
        Stage order (default: the codebook's ``stages``, else first appearance).
    by : str or list of str, optional
        Group columns.
    weight : str, optional
        Weight column (the weight rule of :mod:`cxlab.checks`).
    scale : (min, max), optional
        Rating scale (default: from the codebook); top box is the top ``k`` points.
    k : int
        Answer points in the top box.
    alpha : float
        Significance level (0.05: 95 % intervals).

    Returns
    -------
    pandas.DataFrame
        Group columns, then ``stage``, ``touchpoint``, ``n`` (respondents who rated it),
        ``n_used`` (of them with weight > 0), ``mean``, ``ci_low``, ``ci_high``, ``top_box``
        (percent), ``top_box_ci_low``, ``top_box_ci_high`` and ``weakest`` (True for the
        touchpoint with the lowest mean in its stage and group), in journey order.

    Raises
    ------
    CodebookError
        The codebook has no touchpoint item, or one without a stage.

    Examples
    --------
    >>> df = pd.DataFrame({"ad": [4, 5, 3, 4], "shop": [2, 3, 4, 3], "pay": [5, 4, 4, 5]})
    >>> out = touchpoints(df, items={"ad": "aware", "shop": "buy", "pay": "buy"}, scale=(1, 5))
    >>> out[["stage", "touchpoint", "mean", "top_box", "weakest"]].to_dict("list")
    {'stage': ['aware', 'buy', 'buy'], 'touchpoint': ['ad', 'shop', 'pay'], \
'mean': [4.0, 3.0, 4.5], 'top_box': [75.0, 25.0, 100.0], 'weakest': [True, True, False]}
    """
    items = _touchpoint_items(codebook, items)
    order = _stage_order(items, stages, codebook)
    by_cols = as_list(by)
    require_columns(df, *items, *by_cols, weight)
    rows = []
    for col, stage in sorted(items.items(), key=lambda kv: order.index(kv[1])):
        sc = scale
        if sc is None and codebook is not None and col in codebook.items:
            sc = (codebook.items[col].min, codebook.items[col].max)
        part = _touchpoint_rows(df, col, sc, by_cols, weight, k, alpha)
        part.insert(len(by_cols), "stage", stage)
        part.insert(len(by_cols) + 1, "touchpoint", col)
        rows.append(part)
    out = pd.concat(rows, ignore_index=True)
    lowest = out.groupby([*by_cols, "stage"], sort=False, dropna=False)["mean"].transform("min")
    out["weakest"] = out["mean"] == lowest
    return out


# -- funnel ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    """The result of :func:`funnel`.

    Attributes
    ----------
    steps : pandas.DataFrame
        Group column, then one row per step: ``step``, ``customers`` (who reached it),
        ``conversion_from_previous`` and ``conversion_from_start`` (fractions 0-1),
        ``drop_off`` (customers who reached the previous step but not this one) and
        ``median_time_from_previous`` (Timedelta).
    exclusions : pandas.DataFrame
        The events left out: ``reason`` (a code: ``missing customer``, ``missing time``,
        ``unparseable time``, ``step not in funnel``) and ``events``; one row per reason that
        occurred.
    events_used : int
        Events that entered the funnel (with the exclusions, every event of the log).
    """

    steps: pd.DataFrame
    exclusions: pd.DataFrame
    events_used: int


def _check_funnel_args(df, steps, respondent, step, time, by, unknown) -> list:
    if unknown not in ("exclude", "raise"):
        raise ValueError(f"`unknown` should be 'exclude' or 'raise', not {unknown!r}.")
    steps = list(steps)
    if len(steps) < 2 or len(set(steps)) != len(steps):
        raise ValueError(f"`steps` should list at least two distinct steps in order, not {steps}.")
    require_columns(df, respondent, step, time, by, arg="event column(s)")
    return steps


def _usable_events(ev, respondent, step, time, t, steps, unknown):
    """Which events enter the funnel, and how many are left out for each reason."""
    known = ev[step].isin(steps)
    if unknown == "raise" and (~known).any():
        odd = sorted(map(str, ev.loc[~known, step].dropna().unique()))[:10]
        raise ValueError(f"{int((~known).sum())} event(s) have steps not in `steps`: {odd}.")
    # Each event left out is counted once, under the first reason that applies.
    checks = [
        ("missing customer", ev[respondent].isna()),
        ("missing time", ev[time].isna()),
        ("unparseable time", ev[time].notna() & t.isna()),
        ("step not in funnel", ~known),
    ]
    reasons, taken = {}, pd.Series(False, index=ev.index)
    for reason, mask in checks:
        hit = mask & ~taken
        if hit.any():
            reasons[reason] = int(hit.sum())
        taken |= mask
    return ~taken, reasons


def _group_of(ev: pd.DataFrame, respondent: str, by: str) -> pd.Series:
    """Each customer's group; ValueError if a customer has several."""
    groups = ev.groupby(respondent)[by].nunique()
    if (groups > 1).any():
        raise ValueError(
            f"`{by}` should be constant per customer; "
            f"{int((groups > 1).sum())} customers have several values."
        )
    return ev.drop_duplicates(respondent).set_index(respondent)[by]


def _reach_times(work: pd.DataFrame, n_steps: int) -> list[pd.Series]:
    """Per step, the time each customer reached it (index: customer)."""
    times = [work[work["k"] == 0].groupby("id")["t"].min()]
    for k in range(1, n_steps):
        cand = work[work["k"] == k].merge(
            times[-1].rename("prev").rename_axis("id").reset_index(), on="id"
        )
        cand = cand[cand["t"] >= cand["prev"]]
        times.append(cand.groupby("id")["t"].min())
    return times


def _funnel_table(times: list[pd.Series], steps: list, ids) -> pd.DataFrame:
    """The step table of the customers in ``ids`` (None: all)."""
    rows, prev_t, start = [], None, 0
    for k, s in enumerate(steps):
        tk = times[k] if ids is None else times[k][times[k].index.isin(ids)]
        n = len(tk)
        # The first step is its own "previous" step: conversion 1, no drop-off, no time.
        start = n if k == 0 else start
        prev_n = n if k == 0 else rows[-1]["customers"]
        delta = (tk - prev_t.reindex(tk.index)).median() if k and n else pd.NaT
        rows.append(
            {
                "step": s,
                "customers": n,
                "conversion_from_previous": n / prev_n if prev_n else np.nan,
                "conversion_from_start": n / start if start else np.nan,
                "drop_off": prev_n - n,
                "median_time_from_previous": delta,
            }
        )
        prev_t = tk
    return pd.DataFrame(rows)


def funnel(
    df: pd.DataFrame,
    steps: Sequence[str],
    *,
    respondent: str = "customer_id",
    step: str = "step",
    time: str = "timestamp",
    by: str | None = None,
    unknown: str = "exclude",
) -> Funnel:
    """Customers reaching each step of a funnel, from an event log.

    Parameters
    ----------
    df : pandas.DataFrame
        The event log: one row per event (customer, step, time).
    steps : list of str
        The funnel's steps in order.
    respondent, step, time : str
        Column names: the customer id, the step, the time. ``time`` may hold datetimes or
        text that parses as one.
    by : str, optional
        A column constant per customer (e.g. channel): one funnel per group
        (:func:`with_segment` adds a survey column to the log).
    unknown : {"exclude", "raise"}
        What to do with events whose step is not in ``steps``.

    Returns
    -------
    Funnel
        ``steps`` (the step table: group column, ``step``, ``customers``,
        ``conversion_from_previous``, ``conversion_from_start``, ``drop_off``,
        ``median_time_from_previous``), ``exclusions`` (``reason``, ``events``) and
        ``events_used``; see :class:`Funnel`.

    Notes
    -----
    A customer reaches the first step at their earliest event of it, and step
    k at their earliest step-k event at or after the time they reached step
    k - 1 (events with equal times count as in order). So a skipped step ends
    the customer's funnel at the step before it; a repeated step counts once;
    a step logged before its predecessor (a payment callback before any order)
    does not count. Events with a missing or unparseable time, a missing
    customer or an unknown step are left out and counted, never dropped silently.

    Examples
    --------
    >>> log = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c"],
    ...                     "step": ["view", "order", "view", "chat", "view"],
    ...                     "timestamp": ["2025-01-01 10:00", "2025-01-01 10:30",
    ...                                   "2025-01-01 11:00", "2025-01-01 11:05", None]})
    >>> fn = funnel(log, ["view", "order"])
    >>> fn.steps[["step", "customers", "conversion_from_previous"]].to_dict("list")
    {'step': ['view', 'order'], 'customers': [2, 1], 'conversion_from_previous': [1.0, 0.5]}
    >>> fn.exclusions.to_dict("list"), fn.events_used
    ({'reason': ['missing time', 'step not in funnel'], 'events': [1, 1]}, 3)
    """
    steps = _check_funnel_args(df, steps, respondent, step, time, by, unknown)
    ev = df[[respondent, step, time, *([by] if by else [])]]
    t = ev[time]
    if not pd.api.types.is_datetime64_any_dtype(t):
        t = pd.to_datetime(t, errors="coerce", format="mixed")
    ok, reasons = _usable_events(ev, respondent, step, time, t, steps, unknown)
    work = pd.DataFrame(
        {
            "id": ev.loc[ok, respondent],
            "k": pd.Categorical(ev.loc[ok, step], categories=steps).codes,
            "t": t[ok],
        }
    )
    group_of = _group_of(ev.loc[ok], respondent, by) if by else None
    times = _reach_times(work, len(steps))
    frames = []
    for key in [None] if not by else sorted(group_of.dropna().unique().tolist()):
        part = _funnel_table(
            times, steps, None if key is None else set(group_of.index[group_of == key])
        )
        if by:
            part.insert(0, by, key)
        frames.append(part)
    exclusions = pd.DataFrame({"reason": list(reasons), "events": list(reasons.values())})
    return Funnel(pd.concat(frames, ignore_index=True), exclusions, int(ok.sum()))


def with_segment(
    df: pd.DataFrame,
    survey: pd.DataFrame,
    by: str,
    *,
    respondent: str = "customer_id",
    survey_respondent: str | None = None,
) -> pd.DataFrame:
    """The event log with each customer's survey segment added (for ``funnel(by=...)``).

    Parameters
    ----------
    df : pandas.DataFrame
        The event log.
    survey : pandas.DataFrame
        The survey: one row per respondent.
    by : str
        The survey column to add (e.g. ``"channel"``).
    respondent : str
        The customer-id column of the event log.
    survey_respondent : str, optional
        The respondent-id column of the survey (default: the same name as ``respondent``).

    Returns
    -------
    pandas.DataFrame
        A copy of ``df`` with column ``by``; customers of the log who are not in the survey
        get the code :data:`UNMATCHED` (``"unmatched"``) rather than being dropped.

    Examples
    --------
    >>> log = pd.DataFrame({"customer_id": ["a", "b"], "step": ["view", "view"]})
    >>> sv = pd.DataFrame({"resp_id": ["a"], "channel": ["app"]})
    >>> with_segment(log, sv, "channel", survey_respondent="resp_id")["channel"].tolist()
    ['app', 'unmatched']
    """
    survey_respondent = survey_respondent or respondent
    require_columns(survey, survey_respondent, by)
    require_columns(df, respondent, arg="event column(s)")
    lookup = survey.drop_duplicates(survey_respondent).set_index(survey_respondent)[by]
    out = df.copy()
    out[by] = out[respondent].map(lookup).fillna(UNMATCHED)
    return out


# -- peak-end ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeakEnd:
    """The result of :func:`peak_end`.

    Attributes
    ----------
    models : pandas.DataFrame
        One row per model, ``model`` (a code: ``"mean"``, ``"peak_end"``, ``"mean_peak_end"``),
        ``predictors``, ``n``, ``n_used``, ``r2``, ``adj_r2``, ``aic``, ``bic``, ``delta_aic``,
        ``best``, ``f_vs_mean``, ``p_vs_mean``, ``f_vs_peak_end``, ``p_vs_peak_end``.
    counts : pandas.DataFrame
        One row: ``n`` (respondents with the outcome and at least two touchpoint ratings),
        ``n_used`` (of them with weight > 0: the respondents fitted) and ``n_excluded``
        (respondents with fewer than two touchpoint ratings or no outcome).
    """

    models: pd.DataFrame
    counts: pd.DataFrame


#: Peak-end models: code -> predictors.
_MODELS = {"mean": ["mean"], "peak_end": ["peak", "end"], "mean_peak_end": ["mean", "peak", "end"]}


def _peak_end_features(r: pd.DataFrame, mid: float) -> pd.DataFrame:
    """Each respondent's mean, peak (furthest from ``mid``, the lower on a tie) and end."""
    arr = r.to_numpy()
    dist = np.abs(arr - mid) + (arr < mid) * 1e-9  # ties go to the lower rating
    peak = arr[np.arange(len(arr)), np.nanargmax(np.where(np.isnan(arr), -1, dist), axis=1)]
    last = r.ffill(axis=1).iloc[:, -1].to_numpy()
    return pd.DataFrame(
        {"mean": r.mean(axis=1).to_numpy(), "peak": peak, "end": last}, index=r.index
    )


def _model_table(feats: pd.DataFrame, y: np.ndarray, w, n: int) -> pd.DataFrame:
    """Fit the three models (OLS, or WLS under weights) and compare them."""
    import statsmodels.api as sm

    fits = {}
    for name, cols in _MODELS.items():
        x = sm.add_constant(feats[cols].to_numpy())
        fits[name] = (sm.WLS(y, x, weights=w) if w is not None else sm.OLS(y, x)).fit()
    out = pd.DataFrame(
        [
            {
                "model": name,
                "predictors": " + ".join(_MODELS[name]),
                "n": n,
                "n_used": int(f.nobs),
                "r2": f.rsquared,
                "adj_r2": f.rsquared_adj,
                "aic": f.aic,
                "bic": f.bic,
            }
            for name, f in fits.items()
        ]
    )
    out["delta_aic"] = out["aic"] - out["aic"].min()
    out["best"] = out["delta_aic"] == 0
    full = fits["mean_peak_end"]
    for other in ("mean", "peak_end"):
        f, p, _ = full.compare_f_test(fits[other])
        out.loc[out["model"] == "mean_peak_end", f"f_vs_{other}"] = f
        out.loc[out["model"] == "mean_peak_end", f"p_vs_{other}"] = p
    return out


def peak_end(
    df: pd.DataFrame,
    outcome: str,
    touchpoints: Sequence[str],
    *,
    scale: tuple[float, float] | None = None,
    weight: str | None = None,
) -> PeakEnd:
    """Does the outcome follow the peak and the end of the journey more than its average?

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent.
    outcome : str
        The overall rating.
    touchpoints : list of str
        Touchpoint ratings in journey order.
    scale : (min, max), optional
        Rating scale of the touchpoints (its midpoint defines "extreme");
        default: observed minimum and maximum (of respondents with weight above 0).
    weight : str, optional
        Weight column (the weight rule of :mod:`cxlab.checks`).

    Returns
    -------
    PeakEnd
        ``models``: one row per model, ``model`` in ``"mean"`` (outcome ~ mean of the
        touchpoints), ``"peak_end"`` (~ peak + end) and ``"mean_peak_end"`` (~ all three):
        ``predictors``, ``n``, ``n_used`` (respondents fitted), ``r2``, ``adj_r2``, ``aic``,
        ``bic``, ``delta_aic`` (from the best), ``best`` (lowest AIC), and for the full model
        ``f_vs_mean`` / ``p_vs_mean`` (do peak and end add to the mean? nested F-test) and
        ``f_vs_peak_end`` / ``p_vs_peak_end``. ``counts``: ``n``, ``n_used`` and
        ``n_excluded`` (see :class:`PeakEnd`).

    Notes
    -----
    Peak-end rule (Kahneman et al., 1993; Fredrickson & Kahneman, 1993). Per
    respondent: mean = mean of the touchpoints they rated; peak = the rating
    furthest from the scale midpoint (the lower one on a tie: bad moments
    weigh more); end = the last touchpoint they rated. OLS (WLS under weights)
    with statsmodels; AIC and BIC as statsmodels computes them.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 2, 4],
    ...                    "b": [2, 2, 4, 4, 5, 1, 3, 3, 5, 4, 1, 5]})
    >>> df["o"] = [1.5, 2, 3.5, 4, 5, 1, 2.5, 3, 4.5, 4.5, 1.5, 4.5]
    >>> r = peak_end(df, "o", ["a", "b"], scale=(1, 5))
    >>> r.models[["model", "n_used"]].to_dict("list")
    {'model': ['mean', 'peak_end', 'mean_peak_end'], 'n_used': [12, 12, 12]}
    >>> r.counts.to_dict("list")
    {'n': [12], 'n_used': [12], 'n_excluded': [0]}
    """
    tps = list(touchpoints)
    if len(tps) < 2:
        raise ValueError("Peak-end needs at least two touchpoints.")
    require_columns(df, outcome, *tps, weight)
    r = df[tps].astype(float)
    eligible = ((r.notna().sum(axis=1) >= 2) & df[outcome].notna()).to_numpy()
    w = weight_values(df, weight, rows=eligible) if weight else None
    used = eligible if w is None else eligible & (w > 0)
    if used.sum() < 10:
        raise ValueError(
            f"Only {int(used.sum())} respondents (with weight > 0) rated `{outcome}` "
            "and at least two touchpoints."
        )
    counted = r if w is None else r[~(w == 0)]
    lo, hi = scale or (np.nanmin(counted.to_numpy()), np.nanmax(counted.to_numpy()))
    feats = _peak_end_features(r[used], (lo + hi) / 2)
    y = df.loc[used, outcome].astype(float).to_numpy()
    models = _model_table(feats, y, None if w is None else w[used], int(eligible.sum()))
    counts = pd.DataFrame(
        {
            "n": [int(eligible.sum())],
            "n_used": [int(used.sum())],
            "n_excluded": [int((~eligible).sum())],
        }
    )
    return PeakEnd(models, counts)


# -- self-service --------------------------------------------------------------------------------------

#: The prefix that marks self-service columns in a codebook (``ss_resolved``...), and the
#: argument of :func:`self_service` each suffix fills.
SELF_SERVICE_PREFIX = "ss_"
_SELF_SERVICE_SUFFIXES = {
    "resolved": "resolved",
    "reused": "reused",
    "feedback": "feedback",
    "searched": "searched",
    "opened": "opened",
    "sat": "satisfaction",
    "satisfaction": "satisfaction",
}


def self_service_spec(codebook) -> dict:
    """The arguments of :func:`self_service` from a codebook's ``role: self_service`` items.

    A column ``ss_<suffix>`` fills the argument of the same name (``ss_resolved`` ->
    ``resolved``...; ``ss_sat`` -> ``satisfaction``, whose ``min``/``max`` give ``scale``).

    Parameters
    ----------
    codebook : cxlab.codebook.Codebook

    Returns
    -------
    dict
        Keyword arguments for :func:`self_service`: argument -> column, and ``scale``.

    Raises
    ------
    CodebookError
        No ``role: self_service`` item, or none named as above.

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> book = Codebook.from_dict({"id": "id", "items": {
    ...     "ss_resolved": {"type": "binary", "role": "self_service"},
    ...     "ss_sat": {"type": "scale", "min": 1, "max": 5, "role": "self_service"}}})
    >>> self_service_spec(book)
    {'resolved': 'ss_resolved', 'satisfaction': 'ss_sat', 'scale': (1.0, 5.0)}
    """
    spec = {}
    for col in codebook.require(role="self_service"):
        arg = _SELF_SERVICE_SUFFIXES.get(col.removeprefix(SELF_SERVICE_PREFIX))
        if arg and arg not in spec:
            spec[arg] = col
    if not spec:
        names = ", ".join(SELF_SERVICE_PREFIX + s for s in _SELF_SERVICE_SUFFIXES)
        raise CodebookError(
            f"Codebook {codebook.source}: no self-service item is named as cxlab expects ({names})."
        )
    sat = codebook.items[spec["satisfaction"]] if "satisfaction" in spec else None
    if sat is not None and sat.min is not None and sat.max is not None:
        spec["scale"] = (sat.min, sat.max)
    return spec


def _binary(df: pd.DataFrame, col: str) -> pd.Series:
    v = df[col].astype(float)
    bad = v.notna() & ~v.isin([0, 1])
    if bad.any():
        raise ValueError(
            f"`{col}` should hold 0/1, but has {sorted(set(v[bad]))[:5]} "
            f"(rows {', '.join(map(str, v.index[bad][:5]))})."
        )
    return v


def _indicators(df, resolved, reused, feedback, searched, opened) -> list[tuple[str, pd.Series]]:
    """Each KPI's 0/1 indicator per respondent (missing: not in its base)."""
    out = []
    if resolved:
        out.append(("resolution_rate", _binary(df, resolved)))
    if reused:
        out.append(("reuse_rate", _binary(df, reused)))
    if feedback:
        f = df[feedback].astype(float)
        bad = f.notna() & ~f.isin([-1, 0, 1])
        if bad.any():
            raise ValueError(
                f"`{feedback}` should hold 1, -1 or 0, but has {sorted(set(f[bad]))[:5]}."
            )
        rated = f.where(f != 0)
        out.append(("positive_feedback_rate", (rated == 1).astype(float).where(rated.notna())))
        out.append(("negative_feedback_rate", (rated == -1).astype(float).where(rated.notna())))
    if opened:
        o = _binary(df, opened)
        if searched:
            o = o.where(_binary(df, searched) == 1)
        out.append(("relevance_rate", o))
    return out


def _share_table(df, indicator: pd.Series, by_cols, weight, alpha) -> pd.DataFrame:
    keys = df[by_cols] if by_cols else None
    w = df[weight] if weight else None
    t = weighted_mean_table(100 * indicator, keys=keys, weights=w, alpha=alpha)
    return t.rename(columns={"mean": "value"})[
        [*by_cols, "n", "n_used", "value", "ci_low", "ci_high"]
    ]


def self_service(
    df: pd.DataFrame,
    *,
    resolved: str | None = None,
    reused: str | None = None,
    feedback: str | None = None,
    searched: str | None = None,
    opened: str | None = None,
    satisfaction: str | None = None,
    scale: tuple[float, float] = (1, 5),
    k: int = 2,
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Self-service KPIs with their bases and confidence intervals.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent. :func:`self_service_spec` reads the columns below from a
        codebook.
    resolved : str
        0/1: the customer says the self-service answer solved the problem.
    reused : str
        0/1: next time, the customer went back to self-service rather than an agent.
    feedback : str
        1 (useful), -1 (not useful), 0 or missing (no feedback).
    searched, opened : str
        0/1: the customer searched; 0/1: opened a result (relevance base: searchers).
    satisfaction : str
        Rating of the self-service; its top-``k`` box on ``scale``.
    scale : (min, max)
        Answer range of ``satisfaction``.
    k : int
        Answer points in the top box.
    by : str or list of str, optional
        Group columns.
    weight : str, optional
        Weight column (the weight rule of :mod:`cxlab.checks`).
    alpha : float
        Significance level (0.05: 95 % intervals).

    Returns
    -------
    pandas.DataFrame
        One row per KPI (and group): group columns, ``kpi`` (a code:
        ``resolution_rate``, ``reuse_rate``, ``positive_feedback_rate``,
        ``negative_feedback_rate``, ``relevance_rate``, ``satisfaction``), ``n`` (its base),
        ``n_used`` (of them with weight > 0), ``value`` (percent), ``ci_low``, ``ci_high``.

    Notes
    -----
    The KPIs of contact-centre self-service practice (e.g. the KCS and
    COPC CX standards): resolution (self-service success) rate, reuse rate,
    feedback rates among answers rated, relevance (click-through after a
    search) and satisfaction. Each is a (weighted) share with the interval of
    :func:`cxlab.survey.weighted_mean_table`.

    Examples
    --------
    >>> df = pd.DataFrame({"r": [1, 0, 1, 1, None], "f": [1, -1, 0, 1, None]})
    >>> out = self_service(df, resolved="r", feedback="f")
    >>> out[["kpi", "n", "value"]].round(2).to_dict("list")
    {'kpi': ['resolution_rate', 'positive_feedback_rate', 'negative_feedback_rate'], \
'n': [4, 3, 3], 'value': [75.0, 66.67, 33.33]}
    """
    by_cols = as_list(by)
    require_columns(
        df, resolved, reused, feedback, searched, opened, satisfaction, weight, *by_cols
    )
    parts = []
    for kpi, indicator in _indicators(df, resolved, reused, feedback, searched, opened):
        t = _share_table(df, indicator, by_cols, weight, alpha)
        t.insert(len(by_cols), "kpi", kpi)
        parts.append(t)
    if satisfaction:
        tb = _top_box_table(df, satisfaction, by_cols, weight, k=k, scale=scale, alpha=alpha)
        tb = tb.rename(columns={"share": "value"})
        tb.insert(len(by_cols), "kpi", "satisfaction")
        parts.append(tb)
    if not parts:
        raise ValueError(
            "Name at least one KPI column (resolved, reused, feedback, opened, satisfaction)."
        )
    return pd.concat(parts, ignore_index=True)

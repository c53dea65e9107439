"""The customer journey: touchpoints by stage, the purchase funnel, peak-end, self-service KPIs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxlab.survey import require_columns, top_box, weighted_mean_table
from cxlab.survey.metrics import as_list, weights_array

__all__ = ["funnel", "peak_end", "self_service", "touchpoints", "with_segment"]


# -- touchpoints -----------------------------------------------------------------------------------


def touchpoints(
    data: pd.DataFrame,
    codebook=None,
    *,
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
    codebook : Codebook, optional
        Touchpoints are its ``role: touchpoint`` items with a ``stage``;
        stage order from its ``stages`` key; scale from the items.
    items : mapping touchpoint column -> stage, optional
        Instead of the codebook.
    stages : list of str, optional
        Stage order (default: the codebook's ``stages``, else first appearance).
    scale : (min, max), optional
        Rating scale (default: from the codebook); top box is the top ``k`` points.

    Returns
    -------
    pandas.DataFrame
        Group columns, then ``stage``, ``touchpoint``, ``n``, ``mean``,
        ``ci_low``, ``ci_high``, ``top_box`` (percent), ``top_box_ci_low``,
        ``top_box_ci_high`` and ``weakest`` (True for the touchpoint with the
        lowest mean in its stage and group), in journey order.
    """
    if items is None:
        if codebook is None:
            raise ValueError(
                "Give `codebook` (touchpoint items with a `stage`) or `items` (column -> stage)."
            )
        items = {c: codebook.items[c].stage for c in codebook.select(role="touchpoint")}
        missing_stage = [c for c, st in items.items() if not st]
        if missing_stage:
            raise ValueError(
                f"Touchpoint item(s) {missing_stage} have no `stage` in codebook {codebook.source}."
            )
    if not items:
        raise ValueError("No touchpoints: the codebook has no `role: touchpoint` items.")
    order = list(
        stages
        or (
            codebook.stages
            if codebook is not None and codebook.stages
            else dict.fromkeys(items.values())
        )
    )
    unknown = sorted({st for st in items.values() if st not in order})
    if unknown:
        raise ValueError(f"Stage(s) {unknown} are not in the stage order {order}.")
    by_cols = as_list(by)
    require_columns(data, *items, *by_cols, weight)
    rows = []
    for col, stage in sorted(items.items(), key=lambda kv: order.index(kv[1])):
        sc = scale
        if sc is None and codebook is not None and col in codebook.items:
            sc = (codebook.items[col].min, codebook.items[col].max)
        if data[col].notna().sum() == 0:
            raise ValueError(f"Touchpoint `{col}` has no ratings at all.")
        w = (
            pd.Series(weights_array(data, weight, data[col].notna().to_numpy()), index=data.index)
            if weight
            else None
        )
        m = weighted_mean_table(
            data[col].astype(float), keys=data[by_cols] if by_cols else None, weights=w, alpha=alpha
        )
        tb = top_box(data, col, k=k, scale=sc, by=by or None, weight=weight, alpha=alpha)
        part = m[[*by_cols, "n", "mean", "ci_low", "ci_high"]].copy()
        part["top_box"] = tb["share"].to_numpy()
        part["top_box_ci_low"] = tb["ci_low"].to_numpy()
        part["top_box_ci_high"] = tb["ci_high"].to_numpy()
        part.insert(len(by_cols), "stage", stage)
        part.insert(len(by_cols) + 1, "touchpoint", col)
        rows.append(part)
    out = pd.concat(rows, ignore_index=True)
    lowest = out.groupby([*by_cols, "stage"], sort=False, dropna=False)["mean"].transform("min")
    out["weakest"] = out["mean"] == lowest
    return out


# -- funnel ------------------------------------------------------------------------------------------


def funnel(
    events: pd.DataFrame,
    steps: Sequence[str],
    *,
    id: str = "customer_id",
    step: str = "step",
    time: str = "timestamp",
    by: str | None = None,
    unknown: str = "exclude",
) -> pd.DataFrame:
    """Customers reaching each step of a funnel, from an event log.

    Parameters
    ----------
    events : pandas.DataFrame
        One row per event: customer, step, time.
    steps : list of str
        The funnel's steps in order.
    id, step, time : str
        Column names. ``time`` may hold datetimes or text that parses as one.
    by : str, optional
        A column constant per customer (e.g. channel): one funnel per group.
    unknown : {"exclude", "raise"}
        What to do with events whose step is not in ``steps``.

    Returns
    -------
    pandas.DataFrame
        Group column, then one row per step: ``step``, ``customers`` (who
        reached it), ``conversion_from_previous`` and ``conversion_from_start``
        (fractions 0-1), ``drop_off`` (customers who reached the previous step
        but not this one) and ``median_time_from_previous`` (Timedelta).
        ``attrs["exclusions"]`` counts the events left out, by reason.

    Notes
    -----
    A customer reaches the first step at their earliest event of it, and step
    k at their earliest step-k event at or after the time they reached step
    k - 1 (events with equal times count as in order). So a skipped step ends
    the customer's funnel at the step before it; a repeated step counts once;
    a step logged before its predecessor (a payment callback before any order)
    does not count. Events with a missing or unparseable time, a missing
    customer or an unknown step are left out and counted, never dropped silently.
    """
    if unknown not in ("exclude", "raise"):
        raise ValueError(f"`unknown` should be 'exclude' or 'raise', not {unknown!r}.")
    steps = list(steps)
    if len(steps) < 2 or len(set(steps)) != len(steps):
        raise ValueError(f"`steps` should list at least two distinct steps in order, not {steps}.")
    require_columns(events, id, step, time, by, arg="event column(s)")
    ev = events[[id, step, time, *([by] if by else [])]]
    t = ev[time]
    if not pd.api.types.is_datetime64_any_dtype(t):
        t = pd.to_datetime(t, errors="coerce", format="mixed")
    known = ev[step].isin(steps)
    if unknown == "raise" and (~known).any():
        odd = sorted(map(str, ev.loc[~known, step].dropna().unique()))[:10]
        raise ValueError(f"{int((~known).sum())} event(s) have steps not in `steps`: {odd}.")
    # Each event left out is counted once, under the first reason that applies.
    checks = [
        ("missing customer", ev[id].isna()),
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
    ok = ~taken
    work = pd.DataFrame(
        {
            "id": ev.loc[ok, id],
            "k": pd.Categorical(ev.loc[ok, step], categories=steps).codes,
            "t": t[ok],
        }
    )
    if by:
        groups = ev.loc[ok].groupby(id)[by].nunique()
        if (groups > 1).any():
            raise ValueError(
                f"`{by}` should be constant per customer; {int((groups > 1).sum())} customers have several values."
            )
        group_of = ev.loc[ok].drop_duplicates(id).set_index(id)[by]
    reach = work[work["k"] == 0].groupby("id")["t"].min().rename("t0").to_frame()
    times = [reach["t0"]]
    for k in range(1, len(steps)):
        cand = work[work["k"] == k].merge(
            times[-1].rename("prev").rename_axis("id").reset_index(), on="id"
        )
        cand = cand[cand["t"] >= cand["prev"]]
        times.append(cand.groupby("id")["t"].min())
    frames = []
    keys = [None] if not by else sorted(group_of.dropna().unique().tolist())
    for key in keys:
        ids = None if key is None else set(group_of.index[group_of == key])
        rows = []
        prev_t = None
        for k, s in enumerate(steps):
            tk = times[k] if ids is None else times[k][times[k].index.isin(ids)]
            n = len(tk)
            if k == 0:
                start = n
                rows.append(
                    {
                        "step": s,
                        "customers": n,
                        "conversion_from_previous": 1.0 if n else np.nan,
                        "conversion_from_start": 1.0 if n else np.nan,
                        "drop_off": 0,
                        "median_time_from_previous": pd.NaT,
                    }
                )
            else:
                prev_n = rows[-1]["customers"]
                delta = (tk - prev_t.reindex(tk.index)).median() if n else pd.NaT
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
        part = pd.DataFrame(rows)
        if by:
            part.insert(0, by, key)
        frames.append(part)
    out = pd.concat(frames, ignore_index=True)
    out.attrs["exclusions"] = pd.DataFrame(
        {"reason": list(reasons), "events": list(reasons.values())}
    )
    out.attrs["events_used"] = int(ok.sum())
    return out


def with_segment(
    events: pd.DataFrame,
    data: pd.DataFrame,
    segment: str,
    *,
    respondent: str,
    id: str = "customer_id",
) -> pd.DataFrame:
    """The event log with each customer's survey segment added (for ``funnel(by=...)``).

    Customers of the log who are not in the survey get the segment "（未匹配）"
    rather than being dropped.
    """
    require_columns(data, respondent, segment)
    require_columns(events, id, arg="event column(s)")
    lookup = data.drop_duplicates(respondent).set_index(respondent)[segment]
    out = events.copy()
    out[segment] = out[id].map(lookup).fillna("（未匹配）")
    return out


# -- peak-end ----------------------------------------------------------------------------------------


def peak_end(
    data: pd.DataFrame,
    overall: str,
    touchpoints: Sequence[str],
    *,
    scale: tuple[float, float] | None = None,
    weight: str | None = None,
) -> pd.DataFrame:
    """Does the overall rating follow the peak and the end of the journey more than its average?

    Parameters
    ----------
    touchpoints : list of str
        Touchpoint ratings in journey order.
    scale : (min, max), optional
        Rating scale of the touchpoints (its midpoint defines "extreme");
        default: observed minimum and maximum.

    Returns
    -------
    pandas.DataFrame
        One row per model, ``model`` in ``"mean"`` (overall ~ mean of the
        touchpoints), ``"peak_end"`` (~ peak + end) and ``"mean_peak_end"``
        (~ all three): ``predictors``, ``n``, ``r2``, ``adj_r2``, ``aic``,
        ``bic``, ``delta_aic`` (from the best), ``best`` (lowest AIC), and for
        the full model ``f_vs_mean`` / ``p_vs_mean`` (do peak and end add to
        the mean? nested F-test) and ``f_vs_peak_end`` / ``p_vs_peak_end``.
        ``attrs["n_excluded"]`` counts respondents with fewer than two
        touchpoint ratings or no overall rating.

    Notes
    -----
    Peak-end rule (Kahneman et al., 1993; Fredrickson & Kahneman, 1993). Per
    respondent: mean = mean of the touchpoints they rated; peak = the rating
    furthest from the scale midpoint (the lower one on a tie: bad moments
    weigh more); end = the last touchpoint they rated. OLS (WLS under weights)
    with statsmodels; AIC and BIC as statsmodels computes them.
    """
    import statsmodels.api as sm

    tps = list(touchpoints)
    if len(tps) < 2:
        raise ValueError("Peak-end needs at least two touchpoints.")
    require_columns(data, overall, *tps, weight)
    r = data[tps].astype(float)
    lo, hi = scale or (np.nanmin(r.to_numpy()), np.nanmax(r.to_numpy()))
    mid = (lo + hi) / 2
    answered = r.notna().sum(axis=1)
    keep = (answered >= 2) & data[overall].notna()
    if weight:
        keep &= data[weight] > 0
    r, y = r[keep], data.loc[keep, overall].astype(float)
    if len(y) < 10:
        raise ValueError(
            f"Only {len(y)} respondents rated the overall and at least two touchpoints."
        )
    arr = r.to_numpy()
    dist = np.abs(arr - mid) + (arr < mid) * 1e-9  # ties go to the lower rating
    peak = arr[np.arange(len(arr)), np.nanargmax(np.where(np.isnan(arr), -1, dist), axis=1)]
    last = r.ffill(axis=1).iloc[:, -1].to_numpy()
    feats = pd.DataFrame(
        {"mean": r.mean(axis=1).to_numpy(), "peak": peak, "end": last}, index=r.index
    )
    w = None if not weight else data.loc[keep, weight].to_numpy(float)
    models = {
        "mean": ["mean"],
        "peak_end": ["peak", "end"],
        "mean_peak_end": ["mean", "peak", "end"],
    }
    fits = {}
    for name, cols in models.items():
        x = sm.add_constant(feats[cols].to_numpy())
        fits[name] = (
            sm.WLS(y.to_numpy(), x, weights=w) if w is not None else sm.OLS(y.to_numpy(), x)
        ).fit()
    rows = [
        {
            "model": name,
            "predictors": " + ".join(models[name]),
            "n": int(f.nobs),
            "r2": f.rsquared,
            "adj_r2": f.rsquared_adj,
            "aic": f.aic,
            "bic": f.bic,
        }
        for name, f in fits.items()
    ]
    out = pd.DataFrame(rows)
    out["delta_aic"] = out["aic"] - out["aic"].min()
    out["best"] = out["delta_aic"] == 0
    full = fits["mean_peak_end"]
    for other in ("mean", "peak_end"):
        f, p, _ = full.compare_f_test(fits[other])
        out.loc[out["model"] == "mean_peak_end", f"f_vs_{other}"] = f
        out.loc[out["model"] == "mean_peak_end", f"p_vs_{other}"] = p
    out.attrs["n_excluded"] = int((~keep).sum())
    return out


# -- self-service --------------------------------------------------------------------------------------


def self_service(
    data: pd.DataFrame,
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

    Returns
    -------
    pandas.DataFrame
        One row per KPI (and group): group columns, ``kpi`` (``resolution_rate``,
        ``reuse_rate``, ``positive_feedback_rate``, ``negative_feedback_rate``,
        ``relevance_rate``, ``satisfaction``), ``n`` (its base), ``value``
        (percent), ``ci_low``, ``ci_high``.

    Notes
    -----
    The KPIs of contact-centre self-service practice (e.g. the KCS and
    COPC CX standards): resolution (self-service success) rate, reuse rate,
    feedback rates among answers rated, relevance (click-through after a
    search) and satisfaction. Each is a (weighted) share with the interval of
    :func:`cxlab.survey.weighted_mean_table`.
    """
    by_cols = as_list(by)
    require_columns(
        data, resolved, reused, feedback, searched, opened, satisfaction, weight, *by_cols
    )
    parts = []

    def share(name: str, indicator: pd.Series):
        w = (
            pd.Series(weights_array(data, weight, indicator.notna().to_numpy()), index=data.index)
            if weight
            else None
        )
        t = weighted_mean_table(
            100 * indicator, keys=data[by_cols] if by_cols else None, weights=w, alpha=alpha
        )
        t = t.rename(columns={"mean": "value"})[[*by_cols, "n", "value", "ci_low", "ci_high"]]
        t.insert(len(by_cols), "kpi", name)
        parts.append(t)

    def binary(col: str) -> pd.Series:
        v = data[col].astype(float)
        bad = v.notna() & ~v.isin([0, 1])
        if bad.any():
            raise ValueError(
                f"`{col}` should hold 0/1, but has {sorted(set(v[bad]))[:5]} (rows {', '.join(map(str, v.index[bad][:5]))})."
            )
        return v

    if resolved:
        share("resolution_rate", binary(resolved))
    if reused:
        share("reuse_rate", binary(reused))
    if feedback:
        f = data[feedback].astype(float)
        bad = f.notna() & ~f.isin([-1, 0, 1])
        if bad.any():
            raise ValueError(
                f"`{feedback}` should hold 1, -1 or 0, but has {sorted(set(f[bad]))[:5]}."
            )
        rated = f.where(f != 0)
        share("positive_feedback_rate", (rated == 1).astype(float).where(rated.notna()))
        share("negative_feedback_rate", (rated == -1).astype(float).where(rated.notna()))
    if opened:
        o = binary(opened)
        if searched:
            o = o.where(binary(searched) == 1)
        share("relevance_rate", o)
    if satisfaction:
        tb = top_box(
            data, satisfaction, k=k, scale=scale, by=by or None, weight=weight, alpha=alpha
        )
        tb = tb.rename(columns={"share": "value"})[[*by_cols, "n", "value", "ci_low", "ci_high"]]
        tb.insert(len(by_cols), "kpi", "satisfaction")
        parts.append(tb)
    if not parts:
        raise ValueError(
            "Name at least one KPI column (resolved, reused, feedback, opened, satisfaction)."
        )
    return pd.concat(parts, ignore_index=True)

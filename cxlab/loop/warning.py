"""Early warning: control charts of comment volume, negative share, a topic's share and NPS.

:func:`early_warning` counts per segment and period and hands the counts to
:func:`control_chart`, which draws the chart that fits the measure:

===========  ============================  =========================================
metric       chart                         centre and limits (point ``i``, base ``n_i``)
===========  ============================  =========================================
``volume``   u-chart (comments per         ``u`` = comments / respondents,
             respondent); or ``c``          ``ū ± k·sqrt(ū / n_i)``; c: ``c̄ ± k·sqrt(c̄)``
``negative`` p-chart, varying bases        ``p̄ ± k·sqrt(p̄(1 - p̄) / n_i)``, ``n_i`` comments
``topic``    p-chart, varying bases        as ``negative``, share of comments on the topic
``nps``      x-chart of the mean score     ``NPS̄ ± k·s / sqrt(n_i)``, ``s`` the pooled SD of
                                           the +100 / 0 / -100 scores
===========  ============================  =========================================

Centres and the spread come from the *baseline* periods (default: every period before the
watched one, so a surge does not hide in its own limits). A point is flagged when it lies
beyond ``k = 3`` sigma, or ends a run of ``run = 8`` points on one side of the centre
(Western Electric rules 1 and 4; Montgomery, *Introduction to Statistical Quality Control*,
2019, §5.3 and §7.2-7.3). With ``ewma=λ`` the points are smoothed,
``z_t = λ x_t + (1 - λ) z_{t-1}`` from ``z_0`` = centre, and flagged beyond
``centre ± k·sqrt(Σ_j λ²(1-λ)^{2(t-j)} σ_j²)`` (exact with varying bases), which catches small
lasting shifts sooner (Lucas & Saccucci, 1990); the run rule is then off.

The false-alarm rate of the chosen rules is stated for every point (``false_alarm``): the
probability that the point is flagged if the process stays at its centre, exact under the
binomial (p-chart) or Poisson (u- and c-charts) model and under the normal approximation for
NPS and EWMA; for the run rule it is the probability that the point ends a run given the
points before it.

Control charts watch the process as answered: counts are not weighted (no ``weight``
argument).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.checks import as_list, require_columns

__all__ = ["CHARTS", "METRICS", "EarlyWarning", "control_chart", "early_warning", "scan"]

#: Metric -> (default chart, adverse side: the direction that is bad news).
METRICS = {
    "volume": ("u", "high"),
    "negative": ("p", "high"),
    "topic": ("p", "high"),
    "nps": ("x", "low"),
}
CHARTS = ("p", "u", "c", "x")
POINT_COLUMNS = [
    "n",
    "base",
    "count",
    "value",
    "baseline",
    "centre",
    "sigma",
    "lcl",
    "ucl",
    "statistic",
    "beyond",
    "run",
    "signal",
    "alert",
    "false_alarm",
]


@dataclass(frozen=True)
class EarlyWarning:
    """The result of :func:`early_warning`.

    Attributes
    ----------
    points : pandas.DataFrame
        One row per segment and period (see :func:`control_chart`).
    rules : pandas.DataFrame
        One row per rule in use (``beyond``, ``run`` or ``ewma``) and one for ``any`` (the
        union): ``rule``, ``setting`` (k, run length or λ), ``false_alarm`` (mean per-point
        probability of a flag when nothing changed, over the watched period's points),
        ``expected`` (expected false alarms in the watched period: the sum over its points).
    period : str
        The watched period.
    """

    points: pd.DataFrame
    rules: pd.DataFrame
    period: str

    @property
    def alerts(self) -> pd.DataFrame:
        """The watched period's points with an alert (a signal on the adverse side)."""
        p = self.points
        return p[p["alert"] & (p["period"] == self.period)].reset_index(drop=True)


def _centres(t: pd.DataFrame, chart: str, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre and per-point sigma from the baseline rows of each group."""
    b = t["baseline"].to_numpy()
    base = t["base"].to_numpy(dtype=float)
    count = t["count"].to_numpy(dtype=float)
    ok = b & (base > 0)
    groups = pd.Series(g)

    def total(x):
        return groups.map(pd.Series(np.where(ok, x, 0.0)).groupby(g).sum()).to_numpy()

    with np.errstate(invalid="ignore", divide="ignore"):
        if chart in ("p", "u"):
            centre = total(count) / total(base)
            var = centre * (1 - centre) if chart == "p" else centre
            sigma = np.sqrt(var / base)
        elif chart == "c":
            centre = total(count) / total(np.ones_like(base))
            sigma = np.sqrt(centre)
        else:
            value = t["value"].to_numpy(dtype=float)
            second = t["second"].to_numpy(dtype=float)
            centre = total(np.nan_to_num(value) * base) / total(base)
            s2 = total(np.nan_to_num(second) * base) / total(base) - centre**2
            sigma = np.sqrt(np.maximum(s2, 0) / base)
    return centre, sigma


def _tail_probabilities(chart, centre, sigma, lcl, ucl, base):
    """P(above ucl), P(below lcl), P(above centre), P(below centre) of an in-control point."""
    from scipy import stats

    with np.errstate(invalid="ignore", divide="ignore"):
        if chart == "normal":
            z = 1 / np.where(sigma > 0, sigma, np.nan)
            up, low = stats.norm.sf((ucl - centre) * z), stats.norm.cdf((lcl - centre) * z)
            return up, low, np.full_like(up, 0.5), np.full_like(up, 0.5)
        if chart == "p":
            n = np.nan_to_num(base).astype(int)
            dist = stats.binom(n, centre)
            scale = base
        elif chart == "u":
            dist, scale = stats.poisson(centre * base), base
        elif chart == "c":
            dist, scale = stats.poisson(centre), np.ones_like(base)
        # Counts X: value = X / scale; flagged when X > ucl*scale or X < lcl*scale.
        eps = 1e-9
        up = dist.sf(np.floor(ucl * scale + eps))
        low = np.where(lcl > 0, dist.cdf(np.ceil(lcl * scale - eps) - 1), 0.0)
        above = dist.sf(np.floor(centre * scale + eps))
        below = dist.cdf(np.ceil(centre * scale - eps) - 1)
    return up, low, above, below


def _runs(side: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Length of the run of same-side points ending at each point (0 on the centre line)."""
    out = np.zeros(len(side), dtype=int)
    for i in range(len(side)):
        if side[i] == 0:
            continue
        same = i > 0 and g[i] == g[i - 1] and side[i - 1] == side[i]
        out[i] = out[i - 1] + 1 if same else 1
    return out


def _prior_product(p: np.ndarray, g: np.ndarray, width: int) -> np.ndarray:
    """Product of ``p`` over the ``width`` points before each point in its group (0 if fewer)."""
    logp = np.log(np.clip(np.nan_to_num(p), 1e-300, 1))
    out = np.zeros(len(p))
    pos = pd.Series(g).groupby(g).cumcount().to_numpy()
    csum = np.concatenate([[0.0], np.cumsum(logp)])
    idx = np.flatnonzero(pos >= width)
    out[idx] = np.exp(csum[idx] - csum[idx - width])
    return out


def _ewma(value, sigma, centre, g, lam):
    """EWMA statistic and its exact sigma with varying per-point sigmas."""
    z, var = np.empty(len(value)), np.empty(len(value))
    for i in range(len(value)):
        first = i == 0 or g[i] != g[i - 1]
        prev_z = centre[i] if first else z[i - 1]
        prev_v = 0.0 if first else var[i - 1]
        x = value[i] if np.isfinite(value[i]) else prev_z
        s2 = sigma[i] ** 2 if np.isfinite(value[i]) else 0.0
        z[i] = lam * x + (1 - lam) * prev_z
        var[i] = lam**2 * s2 + (1 - lam) ** 2 * prev_v
    return z, np.sqrt(var)


def control_chart(
    df: pd.DataFrame,
    *,
    chart: str,
    wave: str,
    by: str | Sequence[str] | None = None,
    baseline: Sequence | None = None,
    sigma: float = 3.0,
    run: int | None = 8,
    ewma: float | None = None,
    adverse: str = "high",
) -> pd.DataFrame:
    """Control limits and flags for counted points (one chart per group).

    Parameters
    ----------
    df : pandas.DataFrame
        Counted points, one row per group and period: the ``by`` columns, ``wave`` (the period), ``base``
        (respondents or comments), ``count`` (events; p, u and c charts), and for the x chart
        ``value`` (the mean) and ``second`` (the mean of squares).
    chart : {"p", "u", "c", "x"}
    wave : str
        The period column; periods are charted in sorted order.
    by : str or list of str, optional
        Group columns: each group gets its own chart.
    baseline : sequence, optional
        Periods whose points set the centre and spread (default: every period).
    sigma : float
        Limits at ``sigma`` standard deviations (``k``).
    run : int or None
        Flag a point that ends ``run`` points in a row on one side of the centre (None: off).
    ewma : float, optional
        Smoothing weight λ in (0, 1]: chart the EWMA statistic instead (run rule off).
    adverse : {"high", "low"}
        The side on which a signal is bad news (an ``alert``).

    Returns
    -------
    pandas.DataFrame
        The groups and ``period`` (the wave value) with :data:`POINT_COLUMNS`: ``n`` (as given,
        else ``base``), ``base``, ``count``, ``value`` (share, rate, count or mean),
        ``baseline`` (bool), ``centre``, ``sigma`` (of the point, or of the EWMA statistic),
        ``lcl``, ``ucl``, ``statistic`` (the value, or the EWMA), ``beyond`` (beyond the
        limits), ``run`` (ends a run), ``signal`` (``high``, ``low`` or ``""``), ``alert``
        (signal on the adverse side) and ``false_alarm`` (the probability of a flag at this
        point when the process stays at its centre; see the module docstring).

    Examples
    --------
    >>> t = pd.DataFrame({"wave": ["q1", "q2", "q3", "q4"], "base": [200, 180, 220, 200],
    ...                   "count": [20, 19, 21, 50]})
    >>> out = control_chart(t, chart="p", wave="wave", baseline=["q1", "q2", "q3"])
    >>> out[["period", "value", "beyond", "signal"]].round(3).to_dict("list")
    {'period': ['q1', 'q2', 'q3', 'q4'], 'value': [0.1, 0.106, 0.095, 0.25], \
'beyond': [False, False, False, True], 'signal': ['', '', '', 'high']}
    >>> round(float(out["centre"][0]), 4), round(float(out["false_alarm"][3]), 4)
    (0.1, 0.0034)
    """
    if chart not in CHARTS:
        raise ValueError(f"`chart` should be one of {CHARTS}, not {chart!r}.")
    if ewma is not None and not 0 < ewma <= 1:
        raise ValueError(f"`ewma` (λ) should be in (0, 1], not {ewma!r}.")
    if run is not None and run < 2:
        raise ValueError(f"`run` should be at least 2 (or None), not {run!r}.")
    keys = as_list(by)
    require_columns(df, *keys, wave, "base", *(("count",) if chart != "x" else ("value", "second")))
    t = df.copy()
    t["_order"] = t[wave].map({p: i for i, p in enumerate(sorted(t[wave].dropna().unique()))})
    t = t.sort_values([*keys, "_order"], kind="stable").reset_index(drop=True)
    g = t.groupby(keys, sort=False).ngroup().to_numpy() if keys else np.zeros(len(t), int)
    t["baseline"] = t[wave].isin(baseline) if baseline is not None else True
    base = t["base"].to_numpy(dtype=float)
    if chart != "x":
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = base if chart in ("p", "u") else np.ones_like(base)
            t["value"] = np.where(base > 0, t["count"].to_numpy(dtype=float) / scale, np.nan)
    else:
        t["count"] = np.nan
    centre, point_sigma = _centres(t, chart, g)
    value = t["value"].to_numpy(dtype=float)
    if ewma is None:
        stat, s = value, point_sigma
    else:
        stat, s = _ewma(value, point_sigma, centre, g, ewma)
    lcl, ucl = centre - sigma * s, centre + sigma * s
    if chart in ("p", "u", "c"):
        lcl = np.maximum(lcl, 0.0)
    if chart == "p":
        ucl = np.minimum(ucl, 1.0)
    with np.errstate(invalid="ignore"):
        beyond = (stat > ucl) | (stat < lcl)
        side = np.where(np.isfinite(stat), np.sign(stat - centre), 0).astype(int)
    if ewma is not None or run is None:
        ran = np.zeros(len(t), dtype=bool)
    else:
        ran = _runs(side, g) >= run
    t["centre"], t["sigma"], t["lcl"], t["ucl"], t["statistic"] = centre, s, lcl, ucl, stat
    t["beyond"], t["run"] = beyond, ran
    t["signal"] = np.where(beyond | ran, np.where(side > 0, "high", "low"), "")
    t["alert"] = t["signal"] == adverse
    model = "normal" if chart == "x" or ewma is not None else chart
    t["false_alarm"] = _rates(t, model, g, run=None if ewma is not None else run)["any"]
    if "n" not in t:
        t["n"] = t["base"]
    t = t.rename(columns={wave: "period"})
    return t[[*keys, "period", *POINT_COLUMNS]]


def _rates(t: pd.DataFrame, model: str, g: np.ndarray, *, run: int | None) -> dict:
    """Per-point probability of a flag by each rule and by any, if nothing changed."""
    base = t["base"].to_numpy(dtype=float)
    centre, sigma = t["centre"].to_numpy(), t["sigma"].to_numpy()
    lcl, ucl = t["lcl"].to_numpy(), t["ucl"].to_numpy()
    up, low, above, below = _tail_probabilities(model, centre, sigma, lcl, ucl, base)
    out = {"beyond": up + low}
    if run is not None:
        ends_up = _prior_product(above, g, run - 1)
        ends_low = _prior_product(below, g, run - 1)
        out["run"] = above * ends_up + below * ends_low
        # Any: beyond, or ending a run without being beyond.
        out["any"] = out["beyond"] + (above - up) * ends_up + (below - low) * ends_low
    else:
        out["any"] = out["beyond"]
    return {k: np.where(np.isfinite(v), v, np.nan) for k, v in out.items()}


def _counts(df, metric, keys, wave, *, text, item, topic, analyzed, taxonomy) -> pd.DataFrame:
    """Per group and period: ``n`` respondents, the chart's ``base`` and ``count``."""
    groups = [*keys, wave]
    d = df[groups].copy()
    if metric == "nps":
        score = pd.to_numeric(df[item], errors="coerce")
        d["_answered"] = score.notna()
        d["_x"] = np.where(score >= 9, 100.0, np.where(score <= 6, -100.0, 0.0))
        d.loc[~d["_answered"], "_x"] = np.nan
        d["_x2"] = d["_x"] ** 2
        out = d.groupby(groups, sort=True, dropna=False, observed=True).agg(
            n=(wave, "size"),
            base=("_answered", "sum"),
            value=("_x", "mean"),
            second=("_x2", "mean"),
        )
        return out.reset_index()
    has = df[text].notna() & df[text].astype(str).str.strip().ne("")
    if metric == "volume":
        d["_base"], d["_count"] = 1, has
    else:
        if analyzed is None:
            from cxlab.text import analyze

            analyzed = analyze(df[text], taxonomy=taxonomy, progress=False)
        if metric == "negative":
            labelled = analyzed["label"].notna() & has
            d["_base"], d["_count"] = labelled, labelled & (analyzed["label"] == "negative")
        else:
            if topic not in analyzed.columns:
                raise ValueError(f"`topic` {topic!r} is not a topic of the taxonomy.")
            d["_base"], d["_count"] = has, has & analyzed[topic].fillna(False).astype(bool)
    out = d.groupby(groups, sort=True, dropna=False, observed=True).agg(
        n=(wave, "size"), base=("_base", "sum"), count=("_count", "sum")
    )
    return out.reset_index()


def _rules(points, period, *, keys, chart, sigma, run, ewma) -> pd.DataFrame:
    """The rules in use and their false-alarm rates over the watched period's points."""
    model = "normal" if chart == "x" or ewma is not None else chart
    g = points.groupby(keys, sort=False).ngroup().to_numpy() if keys else np.zeros(len(points), int)
    run = None if ewma is not None else run
    rates = _rates(points, model, g, run=run)
    watched = (points["period"] == period).to_numpy()
    settings = [
        ("ewma" if ewma is not None else "beyond", float(ewma if ewma is not None else sigma))
    ]
    if run is not None:
        settings.append(("run", float(run)))
    names = {"ewma": "beyond"}
    rows = [
        {
            "rule": rule,
            "setting": setting,
            "false_alarm": float(np.nanmean(rates[names.get(rule, rule)][watched])),
            "expected": float(np.nansum(rates[names.get(rule, rule)][watched])),
        }
        for rule, setting in settings
    ]
    rows.append(
        {
            "rule": "any",
            "setting": np.nan,
            "false_alarm": float(np.nanmean(rates["any"][watched])),
            "expected": float(np.nansum(rates["any"][watched])),
        }
    )
    return pd.DataFrame(rows)


def early_warning(
    df: pd.DataFrame,
    *,
    metric: str,
    wave: str,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    text: str | None = None,
    item: str | None = None,
    topic: str | None = None,
    chart: str | None = None,
    baseline: Sequence | None = None,
    sigma: float = 3.0,
    run: int | None = 8,
    ewma: float | None = None,
    analyzed: pd.DataFrame | None = None,
    taxonomy=None,
) -> EarlyWarning:
    """Control charts of a comment or NPS measure per segment and period, with alerts.

    Parameters
    ----------
    df : pandas.DataFrame
        Respondents in rows.
    metric : {"volume", "negative", "topic", "nps"}
        Comments per respondent; share of comments that are negative; share of comments
        on ``topic``; NPS of ``item``.
    wave : str
        The period column.
    by : str or list of str, optional
        Segment column(s): one chart per segment.
    period : str, optional
        The watched period (default: the latest).
    text : str
        The comment column (volume, negative, topic).
    item : str
        The NPS column (nps).
    topic : str
        A topic key of the taxonomy (topic).
    chart : {"p", "u", "c", "x"}, optional
        Default by metric (:data:`METRICS`): u for volume (``"c"`` charts raw counts), p for
        shares, x for NPS.
    baseline : sequence, optional
        Periods that set the centre and limits (default: every period before ``period``;
        every period when ``period`` is the first).
    sigma, run, ewma
        As in :func:`control_chart` (limits at 3 sigma, runs of 8, no EWMA).
    analyzed : pandas.DataFrame, optional
        :func:`cxlab.text.analyze` of ``df[text]``, to reuse.
    taxonomy : path or mapping, optional
        For ``topic`` (default: the built-in taxonomy).

    Returns
    -------
    EarlyWarning
        ``points`` (:func:`control_chart`'s columns, with the segments), ``rules`` (the
        rules and their stated false-alarm rates) and ``period``; ``.alerts`` lists the
        watched period's alerts (a signal on the adverse side: up for volume and shares,
        down for NPS).

    Examples
    --------
    >>> df = pd.DataFrame({"wave": ["q1"] * 50 + ["q2"] * 50 + ["q3"] * 50,
    ...     "c": (["退款太慢"] * 5 + ["很好"] * 45) * 2 + ["退款太慢"] * 30 + ["很好"] * 20})
    >>> w = early_warning(df, metric="topic", topic="returns", text="c", wave="wave")
    >>> w.period, w.alerts[["period", "value", "signal"]].to_dict("list")
    ('q3', {'period': ['q3'], 'value': [0.6], 'signal': ['high']})
    >>> w.rules[["rule", "setting"]].to_dict("list")
    {'rule': ['beyond', 'run', 'any'], 'setting': [3.0, 8.0, nan]}
    """
    if metric not in METRICS:
        raise ValueError(f"`metric` should be one of {list(METRICS)}, not {metric!r}.")
    need = {"nps": ("item", item)}.get(metric, ("text", text))
    if need[1] is None:
        raise ValueError(f"metric {metric!r} needs `{need[0]}` (the column to chart).")
    if metric == "topic" and topic is None:
        raise ValueError("metric 'topic' needs `topic` (a topic key such as 'returns').")
    keys = as_list(by)
    require_columns(df, wave, *keys, need[1])
    default_chart, adverse = METRICS[metric]
    chart = chart or default_chart
    table = _counts(
        df,
        metric,
        keys,
        wave,
        text=text,
        item=item,
        topic=topic,
        analyzed=analyzed,
        taxonomy=taxonomy,
    )
    periods = sorted(table[wave].dropna().unique())
    if not periods:
        raise ValueError(f"Column `{wave}` has no periods.")
    period = periods[-1] if period is None else period
    if period not in periods:
        raise ValueError(f"`period` {period!r} is not in `{wave}`; periods: {periods}.")
    if baseline is None:
        baseline = [p for p in periods if p < period] or periods
    points = control_chart(
        table,
        chart=chart,
        wave=wave,
        by=keys or None,
        baseline=baseline,
        sigma=sigma,
        run=run,
        ewma=ewma,
        adverse=adverse,
    )
    points.insert(len(keys) + 1, "chart", chart)
    rules = _rules(points, period, keys=keys, chart=chart, sigma=sigma, run=run, ewma=ewma)
    return EarlyWarning(points, rules, str(period))


def scan(
    df: pd.DataFrame,
    *,
    wave: str,
    text: str | None = None,
    item: str | None = None,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    topics: Sequence[str] | None = None,
    ewma: float | None = None,
    analyzed: pd.DataFrame | None = None,
    taxonomy=None,
) -> EarlyWarning:
    """Every early-warning chart of a survey at once: volume, negative share, each topic, NPS.

    Parameters
    ----------
    df : pandas.DataFrame
    wave : str
        The period column.
    text : str, optional
        The comment column (volume, negative share and topic shares are charted when given).
    item : str, optional
        The NPS column (charted when given).
    by, period, ewma, taxonomy
        As in :func:`early_warning`.
    topics : sequence of str, optional
        Topic keys to chart (default: every topic of the taxonomy).
    analyzed : pandas.DataFrame, optional
        :func:`cxlab.text.analyze` of ``df[text]``, to reuse.

    Returns
    -------
    EarlyWarning
        ``points`` of every chart with two more columns first, ``metric`` and ``topic``
        (empty but for topic shares); ``rules`` per metric and topic with the same two
        columns (``expected`` summed over the charts says how many false alarms the watched
        period should bring if nothing changed); ``alerts`` across every chart.

    Examples
    --------
    >>> df = pd.DataFrame({"wave": ["q1"] * 40 + ["q2"] * 40,
    ...     "c": ["物流太慢了"] * 10 + ["很好"] * 30 + ["物流太慢了"] * 30 + ["很好"] * 10})
    >>> s = scan(df, wave="wave", text="c", topics=["logistics"])
    >>> s.alerts[["metric", "topic", "value"]].to_dict("list")
    {'metric': ['negative', 'topic'], 'topic': ['', 'logistics'], 'value': [0.75, 0.75]}
    """
    if text is None and item is None:
        raise ValueError("`scan` needs `text` (comments) and/or `item` (NPS) to chart.")
    runs: list[tuple[str, str, dict]] = []
    if text is not None:
        if analyzed is None:
            from cxlab.text import analyze

            analyzed = analyze(df[text], taxonomy=taxonomy, progress=False)
        if topics is None:
            from cxlab.text import load_taxonomy

            topics = list(load_taxonomy(taxonomy))
        runs += [("volume", "", {}), ("negative", "", {})]
        runs += [("topic", t, {"topic": t}) for t in topics]
    if item is not None:
        runs.append(("nps", "", {"item": item}))
    points, rules, watched = [], [], None
    for metric, topic, extra in runs:
        w = early_warning(
            df,
            metric=metric,
            wave=wave,
            by=by,
            period=period,
            text=text,
            ewma=ewma,
            analyzed=analyzed,
            taxonomy=taxonomy,
            **extra,
        )
        watched = w.period
        points.append(w.points.assign(metric=metric, topic=topic))
        rules.append(w.rules.assign(metric=metric, topic=topic))
    front = ["metric", "topic"]
    p, r = pd.concat(points, ignore_index=True), pd.concat(rules, ignore_index=True)
    p = p[front + [c for c in p.columns if c not in front]]
    r = r[front + [c for c in r.columns if c not in front]]
    return EarlyWarning(p, r, watched)

"""Plain-language summaries generated from result tables.

Each sentence states only what the table it comes from supports: a change is
called a rise or a fall only when the trend test flags it significant, and a
group is called higher than another only when the significance letters say
so. Functions return lists of sentences (Markdown) in the report language ``lang``
(Chinese by default); the sentences live in the message catalogue
(``cxlab/resources/messages/narrative.yaml``).

Names and labels arrive as plain text (wave values, segment values, item labels, feature and
topic names come from data and codebooks): every one is escaped with
:func:`cxlab.markup.escape_markdown` as it goes into a sentence, so a value is shown as written
and never becomes markup.
"""

from __future__ import annotations

from numbers import Number

import pandas as pd

from cxlab.markup import escape_markdown
from cxlab.messages import check_lang, msg
from cxlab.present import translate_codes

__all__ = [
    "compare_sentences",
    "driver_points",
    "gap_points",
    "journey_points",
    "level_sentence",
    "trend_sentence",
]


class _Safe(str):
    """Markdown built here from the catalogue and escaped values: not escaped again."""


def _field(value):
    """A value for a sentence: numbers as they are (the catalogue formats them), text escaped."""
    if isinstance(value, _Safe) or (isinstance(value, Number) and not isinstance(value, bool)):
        return value
    return escape_markdown(value)


def _say(key: str, lang: str, **fields) -> _Safe:
    """The catalogue sentence ``key`` with every text field escaped."""
    return _Safe(msg(key, lang, **{k: _field(v) for k, v in fields.items()}))


def _namer(labels: dict | None):
    """Column key -> display label (the key itself when there is none)."""
    labels = labels or {}
    return lambda key: labels.get(key, key)


def _join(items, lang: str) -> _Safe:
    return _Safe(msg("narrative.list_sep", lang).join(str(_field(i)) for i in items))


def _listing(pairs, lang: str) -> _Safe:
    """ "名称（值）、…" or "name (value), …" from (name, formatted number) pairs."""
    return _join(
        [_say("narrative.named_value", lang, name=n, value=_Safe(v)) for n, v in pairs], lang
    )


def _points(result) -> pd.DataFrame:
    """The rows of a quadrant result (its ``points``), or the DataFrame itself."""
    return getattr(result, "points", result)


def _fmt(value: float, unit: str) -> _Safe:
    return _Safe(f"{value:.1f}{unit}")


def trend_sentence(
    table: pd.DataFrame,
    wave: str,
    *,
    metric_label: str,
    unit: str = "",
    min_base: int | None = None,
    lang: str = "zh",
) -> str:
    """One sentence on the latest wave of a trend table.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`cxlab.survey.trend` without group columns: ``value``,
        ``ci_low``, ``ci_high``, ``change``, ``p_change``, ``significant``.
    wave : str
        The wave column of ``table``.
    metric_label : str
        What the value is ("NPS").
    unit : str
        Written after the value, its interval bounds ("%").
    min_base : int, optional
        Small bases (``n_used``, else ``n``): a latest wave under it gets no figure ("n < 30"),
        and the change from a wave under it is not mentioned.
    lang : {"zh", "en"}

    Returns
    -------
    str
        The latest value with its 95 % interval; the change from the wave before is called a
        rise or fall only when ``significant`` is True.

    Examples
    --------
    >>> t = pd.DataFrame({"wave": ["Q1", "Q2"], "value": [10.0, 18.0], "ci_low": [5.0, 13.0],
    ...                   "ci_high": [15.0, 23.0], "change": [None, 8.0],
    ...                   "p_change": [None, 0.01], "significant": [False, True]})
    >>> trend_sentence(t, "wave", metric_label="NPS", lang="en")
    'NPS in Q2 is **18.0** (95% CI 13.0 to 23.0), significantly up 8.0 on Q1 (p = 0.01).'
    >>> trend_sentence(t.assign(n_used=[12, 80]), "wave", metric_label="NPS", min_base=30, lang="en")
    'NPS in Q2 is **18.0** (95% CI 13.0 to 23.0).'
    >>> trend_sentence(t.assign(n_used=[80, 12]), "wave", metric_label="NPS", min_base=30, lang="en")
    'NPS in Q2: n < 30, not shown.'
    """
    check_lang(lang)
    t = table.sort_values(wave, key=lambda s: s.astype(str))
    last = t.iloc[-1]
    small = _small_rows(t, min_base)
    if small[-1]:
        return _say("narrative.small", lang, metric=metric_label, period=last[wave], n=min_base)
    head = _say(
        "narrative.trend.head",
        lang,
        metric=metric_label,
        period=last[wave],
        value=_fmt(last["value"], unit),
        low=_fmt(last["ci_low"], unit),
        high=_fmt(last["ci_high"], unit),
    )
    if len(t) < 2 or pd.isna(last["change"]) or small[-2]:
        return _say("narrative.trend.only", lang, head=head)
    fields = {"head": head, "previous": t.iloc[-2][wave], "change": last["change"]}
    if last["significant"]:
        key = "narrative.trend.up" if last["change"] > 0 else "narrative.trend.down"
        return _say(key, lang, **{**fields, "change": abs(last["change"])}, p=last["p_change"])
    return _say("narrative.trend.not_significant", lang, **fields)


def compare_sentences(
    table: pd.DataFrame, by: str, *, metric_label: str, group_label: str, lang: str = "zh"
) -> list[str]:
    """Sentences naming which groups are significantly higher than which.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`cxlab.survey.compare`: the ``by`` column, ``letter``,
        ``higher_than`` (letters of the groups it beats), ``low_base``.
    by : str
        The group column.
    metric_label, group_label : str
        What is compared ("NPS") and what the groups are ("渠道").
    lang : {"zh", "en"}

    Returns
    -------
    list of str
        One sentence per group that beats another, one on groups too small to test, or one
        saying no group differs.

    Examples
    --------
    >>> t = pd.DataFrame({"ch": ["门店", "电话"], "letter": ["A", "B"],
    ...                   "higher_than": ["B", ""], "low_base": [False, False]})
    >>> compare_sentences(t, "ch", metric_label="NPS", group_label="渠道")
    ['按渠道看，门店的NPS显著高于电话。']
    """
    check_lang(lang)
    letter_of = dict(zip(table["letter"], table[by], strict=True))
    out = []
    for row in table.itertuples(index=False):
        beaten = [letter_of[c.upper()] for c in row.higher_than]
        if beaten:
            out.append(
                _say(
                    "narrative.compare.higher",
                    lang,
                    group=group_label,
                    name=getattr(row, by),
                    metric=metric_label,
                    others=_join(beaten, lang),
                )
            )
    low = table.loc[table["low_base"], by].tolist()
    if low:
        out.append(_say("narrative.compare.low_base", lang, names=_join(low, lang)))
    if not out:
        out.append(_say("narrative.compare.none", lang, group=group_label, metric=metric_label))
    return out


def _small_rows(table: pd.DataFrame, min_base: int | None) -> list[bool]:
    """Whether each row's base (``n_used``, else ``n``) is under ``min_base`` (None: never)."""
    column = next((c for c in ("n_used", "n") if c in table), None)
    if min_base is None or column is None:
        return [False] * len(table)
    return [not (b >= min_base) for b in table[column].fillna(0).tolist()]


def level_sentence(
    table: pd.DataFrame,
    *,
    metric_label: str,
    unit: str = "",
    min_base: int | None = None,
    lang: str = "zh",
) -> str:
    """One sentence on a figure and its 95 % interval (a survey without waves).

    Parameters
    ----------
    table : pandas.DataFrame
        An estimate without group columns (:func:`cxlab.survey.estimate`): ``value``,
        ``ci_low``, ``ci_high`` of its first row are read.
    metric_label : str
        What the value is ("NPS").
    unit : str
        Written after the value and its interval bounds ("%").
    min_base : int, optional
        A base (``n_used``, else ``n``) under it gets no figure: "n < 30".
    lang : {"zh", "en"}

    Returns
    -------
    str

    Examples
    --------
    >>> t = pd.DataFrame({"value": [18.0], "ci_low": [13.0], "ci_high": [23.04]})
    >>> level_sentence(t, metric_label="NPS", lang="en")
    'NPS is **18.0** (95% CI 13.0 to 23.0).'
    >>> level_sentence(t.assign(n_used=[9]), metric_label="NPS", min_base=30, lang="en")
    'NPS: n < 30, not shown.'
    """
    check_lang(lang)
    if _small_rows(table.iloc[:1], min_base)[0]:
        return _say("narrative.small_level", lang, metric=metric_label, n=min_base)
    r = table.iloc[0]
    values = {"value": r["value"], "low": r["ci_low"], "high": r["ci_high"]}
    formatted = {k: _fmt(v, unit) for k, v in values.items()}
    return _say("narrative.level", lang, metric=metric_label, **formatted)


def driver_points(
    table: pd.DataFrame,
    matrix,
    *,
    penalty: pd.DataFrame | None = None,
    stability: pd.DataFrame | None = None,
    labels: dict | None = None,
    wave: str | None = None,
    top: int = 3,
    lang: str = "zh",
) -> list[str]:
    """Key points of a driver analysis, each read off one result table.

    Parameters
    ----------
    table : pandas.DataFrame
        The importance table of :func:`cxlab.drivers.relative_importance` (``driver``,
        ``importance``, ``share``).
    matrix : pandas.DataFrame or a quadrant result
        Output of :func:`cxlab.drivers.driver_matrix` (``driver``, ``priority``; a result with
        ``points`` is read through them).
    penalty : pandas.DataFrame, optional
        Output of :func:`cxlab.drivers.penalty_reward` (``driver``, ``type``).
    stability : pandas.DataFrame, optional
        Output of :func:`cxlab.drivers.driver_stability` (the ``wave`` column, ``driver``,
        ``change``, ``change_significant``).
    labels : dict, optional
        Driver -> label.
    wave : str, optional
        The wave column of ``stability``.
    top : int
        Drivers named as the most important.
    lang : {"zh", "en"}

    Returns
    -------
    list of str
        Variance explained and the top drivers; the drivers to fix first (or that there are
        none); basic factors; significant changes of importance in the latest wave.

    Examples
    --------
    >>> ri = pd.DataFrame({"driver": ["a", "b"], "importance": [0.3, 0.1],
    ...                    "share": [75.0, 25.0]})
    >>> m = pd.DataFrame({"driver": ["a", "b"], "priority": [1.0, None]})
    >>> driver_points(ri, m, lang="en")
    ['The drivers explain 40.0% of the variance of the outcome (R²); the most important are \
a (75.0%), b (25.0%).', 'Fix first (important, performing below average): a.']
    """
    check_lang(lang)
    name = _namer(labels)
    points = [_importance_point(table, name, top, lang), _fix_point(matrix, name, lang)]
    if penalty is not None:
        basic = [name(d) for d in penalty.loc[penalty["type"] == "basic", "driver"]]
        if basic:
            points.append(_say("narrative.drivers.basic", lang, names=_join(basic, lang)))
    if stability is not None and wave is not None and "change_significant" in stability:
        points += _stability_points(stability, wave, name, lang)
    return points


def _importance_point(importance: pd.DataFrame, name, top: int, lang: str) -> str:
    t = importance.sort_values("share", ascending=False).head(top)
    r2 = 100 * importance["importance"].sum()
    parts = _listing([(name(r.driver), f"{r.share:.1f}%") for r in t.itertuples()], lang)
    return _say("narrative.drivers.explained", lang, r2=r2, top=parts)


def _fix_point(matrix, name, lang: str) -> str:
    m = _points(matrix)
    fix = [name(d) for d in m.dropna(subset=["priority"]).sort_values("priority")["driver"]]
    if fix:
        return _say("narrative.drivers.fix_first", lang, names=_join(fix, lang))
    return _say("narrative.drivers.nothing_to_fix", lang)


def _stability_points(stability: pd.DataFrame, wave: str, name, lang: str) -> list[str]:
    latest = stability[wave].max()
    moved = stability[(stability[wave] == latest) & stability["change_significant"]]
    out = [
        _say(
            "narrative.drivers.rose" if r.change > 0 else "narrative.drivers.fell",
            lang,
            name=name(r.driver),
            period=latest,
            change=r.change,
        )
        for r in moved.itertuples()
    ]
    return out or [_say("narrative.drivers.stable", lang, period=latest)]


def gap_points(
    table: pd.DataFrame | None,
    *,
    ipa=None,
    kano: pd.DataFrame | None = None,
    perception: pd.DataFrame | None = None,
    labels: dict | None = None,
    alpha: float = 0.05,
    lang: str = "zh",
) -> list[str]:
    """Where to act first, read off the SERVQUAL, IPA, Kano and perception-gap tables.

    Parameters
    ----------
    table : pandas.DataFrame or None
        Output of :func:`cxlab.gaps.servqual` (``level``, ``name``, ``gap``, ``ci_low``,
        ``ci_high``, ``p``); None when the survey has no SERVQUAL pairs.
    ipa : pandas.DataFrame or a quadrant result, optional
        Output of :func:`cxlab.gaps.ipa` (``attribute``, ``importance``, ``quadrant``).
    kano : pandas.DataFrame, optional
        Output of :func:`cxlab.gaps.kano` (``feature``, ``category``).
    perception : pandas.DataFrame, optional
        Output of :func:`cxlab.gaps.perception_gap` (``item``, ``internal_share``,
        ``customer_share``, ``gap``, ``p``).
    labels : dict, optional
        Item or attribute -> label.
    alpha : float
        Gaps count when ``p < alpha``.
    lang : {"zh", "en"}

    Returns
    -------
    list of str
        The largest significant dimension gap, dimensions above expectation, the three largest
        item gaps, the attributes to fix first, must-be and attractive features, and the
        items staff overrate.

    Examples
    --------
    >>> sq = pd.DataFrame({"level": ["dimension", "item"], "name": ["可靠性", "rel1"],
    ...                    "gap": [-0.5, -0.8], "ci_low": [-0.7, -1.0], "ci_high": [-0.3, -0.6],
    ...                    "p": [0.001, 0.001]})
    >>> gap_points(sq, labels={"rel1": "按时"})
    ['服务差距最大的维度是可靠性：感知比期望低 0.50 分（95% 置信区间 0.30–0.70）。', \
'差距最大的题目：按时（-0.80）。']
    """
    check_lang(lang)
    name = _namer(labels)
    points = _servqual_points(table, name, alpha, lang) if table is not None else []
    if ipa is not None:
        points += _ipa_points(_points(ipa), name, lang)
    if kano is not None:
        points += _kano_points(kano, lang)
    if perception is not None:
        points += _perception_points(perception, name, alpha, lang)
    return points


def _servqual_points(servqual: pd.DataFrame, name, alpha: float, lang: str) -> list[str]:
    points = []
    dims = servqual[servqual["level"] == "dimension"].sort_values("gap")
    short = dims[(dims["gap"] < 0) & (dims["p"] < alpha)]
    if len(short):
        w = short.iloc[0]
        points.append(
            _say(
                "narrative.gaps.largest_dimension",
                lang,
                name=w["name"],
                gap=-w["gap"],
                low=-w["ci_high"],
                high=-w["ci_low"],
            )
        )
    above = dims[(dims["gap"] > 0) & (dims["p"] < alpha)]["name"].tolist()
    if above:
        points.append(_say("narrative.gaps.above", lang, names=_join(above, lang)))
    items = servqual[
        (servqual["level"] == "item") & (servqual["gap"] < 0) & (servqual["p"] < alpha)
    ].nsmallest(3, "gap")
    if len(items):
        listed = _listing([(name(r.name), f"{r.gap:.2f}") for r in items.itertuples()], lang)
        points.append(_say("narrative.gaps.items", lang, items=listed))
    return points


def _ipa_points(ipa: pd.DataFrame, name, lang: str) -> list[str]:
    first = (
        ipa[ipa["quadrant"] == "concentrate here"]
        .sort_values("importance", ascending=False)["attribute"]
        .tolist()
    )
    if not first:
        return []
    return [_say("narrative.gaps.fix_first", lang, names=_join(map(name, first), lang))]


def _kano_points(kano: pd.DataFrame, lang: str) -> list[str]:
    points = []
    for category, key in (("M", "narrative.gaps.must_be"), ("A", "narrative.gaps.attractive")):
        features = kano[kano["category"] == category]["feature"].tolist()
        if features:
            points.append(_say(key, lang, names=_join(features, lang)))
    return points


def _perception_points(perception: pd.DataFrame, name, alpha: float, lang: str) -> list[str]:
    over = perception[(perception["gap"] > 0) & (perception["p"] < alpha)].sort_values(
        "gap", ascending=False
    )
    return [
        _say(
            "narrative.gaps.staff_overrate",
            lang,
            name=name(r.item),
            internal=r.internal_share,
            customer=r.customer_share,
            gap=r.gap,
        )
        for r in over.head(3).itertuples()
    ]


def journey_points(
    table: pd.DataFrame | None,
    *,
    funnel: pd.DataFrame | None = None,
    peak_end: pd.DataFrame | None = None,
    self_service: pd.DataFrame | None = None,
    labels: dict | None = None,
    lang: str = "zh",
) -> list[str]:
    """The weakest links of the journey, read off the journey tables.

    Parameters
    ----------
    table : pandas.DataFrame or None
        Output of :func:`cxlab.journey.touchpoints` (``stage``, ``touchpoint``, ``mean``,
        ``ci_low``, ``ci_high``, ``top_box``); None when the survey has no touchpoint items.
    funnel : pandas.DataFrame, optional
        Output of :func:`cxlab.journey.funnel` for one group (``step``,
        ``conversion_from_previous``, ``conversion_from_start``, ``drop_off``).
    peak_end : pandas.DataFrame, optional
        Output of :func:`cxlab.journey.peak_end` (``model``, ``r2``, ``best``, ``p_vs_mean``).
    self_service : pandas.DataFrame, optional
        Output of :func:`cxlab.journey.self_service` (``kpi``, ``value``, ``ci_low``,
        ``ci_high``, ``n``).
    labels : dict, optional
        Touchpoint -> label.
    lang : {"zh", "en"}

    Returns
    -------
    list of str
        The weakest and best touchpoints, the weakest stage, the funnel's largest loss, what
        explains overall satisfaction best, and the self-service resolution rate.

    Examples
    --------
    >>> tp = pd.DataFrame({"stage": ["买", "用"], "touchpoint": ["a", "b"], "mean": [3.2, 4.1],
    ...                    "ci_low": [3.0, 3.9], "ci_high": [3.4, 4.3], "top_box": [40.0, 80.0]})
    >>> journey_points(tp, lang="en")[1]
    'The weakest stage is 买 (mean 3.20).'
    """
    check_lang(lang)
    name = _namer(labels)
    points = _touchpoint_points(table, name, lang) if table is not None else []
    if funnel is not None and len(funnel) > 1:
        points.append(_funnel_point(funnel, lang))
    if peak_end is not None:
        points.append(_peak_end_point(peak_end, lang))
    if self_service is not None:
        res = self_service.set_index("kpi")
        if "resolution_rate" in res.index:
            r = res.loc["resolution_rate"]
            points.append(
                _say(
                    "narrative.journey.resolution",
                    lang,
                    value=r["value"],
                    low=r["ci_low"],
                    high=r["ci_high"],
                    n=int(r["n"]),
                )
            )
    return points


def _touchpoint_points(touchpoints: pd.DataFrame, name, lang: str) -> list[str]:
    w = touchpoints.loc[touchpoints["mean"].idxmin()]
    b = touchpoints.loc[touchpoints["mean"].idxmax()]
    stage_means = touchpoints.groupby("stage", sort=False)["mean"].mean()
    return [
        _say(
            "narrative.journey.weakest_touchpoint",
            lang,
            stage=w["stage"],
            name=name(w["touchpoint"]),
            mean=w["mean"],
            low=w["ci_low"],
            high=w["ci_high"],
            top_box=w["top_box"],
            best=name(b["touchpoint"]),
            best_mean=b["mean"],
        ),
        _say(
            "narrative.journey.weakest_stage",
            lang,
            stage=stage_means.idxmin(),
            mean=stage_means.min(),
        ),
    ]


def _funnel_point(funnel: pd.DataFrame, lang: str) -> str:
    steps = funnel.iloc[1:]
    low = steps.loc[steps["conversion_from_previous"].idxmin()]
    prev = funnel["step"].iloc[funnel.index.get_loc(low.name) - 1]
    return _say(
        "narrative.journey.funnel",
        lang,
        previous=prev,
        step=low["step"],
        rate=100 * low["conversion_from_previous"],
        drop_off=int(low["drop_off"]),
        total=100 * funnel["conversion_from_start"].iloc[-1],
    )


def _peak_end_point(peak_end: pd.DataFrame, lang: str) -> str:
    best = peak_end.loc[peak_end["best"]].iloc[0]
    if best["model"] == "mean":
        return _say("narrative.journey.mean_model", lang)
    p = peak_end.set_index("model").loc["mean_peak_end", "p_vs_mean"]
    return _say(
        "narrative.journey.best_model",
        lang,
        model=translate_codes(pd.Series([best["model"]], dtype=object), "model", lang=lang)[0],
        r2=best["r2"],
        added=_say("narrative.journey.added" if p < 0.05 else "narrative.journey.not_added", lang),
        p=p,
    )

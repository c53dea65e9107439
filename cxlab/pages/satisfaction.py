"""Sections of the satisfaction report (``notebooks/satisfaction.ipynb``).

The headline figures are those the survey has (:func:`headline_metrics`): NPS and the outcome's
top-2 box, or only one of them; a survey with neither is reported through its effort item.
Options (notebook parameters): ``min_base`` (default: the codebook's, else 30), ``n_comments`` (6).

Small bases (``ctx.min_base``): the groups are the segments' values (segment charts and tables,
key points) and the waves (trend chart and table; a change is hidden when either of its two waves
is small); a KPI, scale or item whose base is small shows "n < 30". Groups under it are left out
of the charts (named under them), never tested, and their respondents' comments are not drawn
for the verbatims (nor any comment when the page itself has fewer respondents).
"""

from __future__ import annotations

import pandas as pd

from cxlab import narrative, plots, present, survey
from cxlab.markup import escape_markdown
from cxlab.messages import msg
from cxlab.notebook import ReportContext, report_section
from cxlab.pages.parts import (
    chart_notes,
    figure,
    finish_layout,
    in_large_groups,
    points_markdown,
    trend_cells,
)

__all__ = [
    "distributions",
    "headline_metrics",
    "key_points",
    "kpis",
    "points",
    "reliability",
    "sample",
    "segments",
    "trends",
    "verbatims",
    "warning",
]

REPORT = "satisfaction"


def _scale(ctx: ReportContext, item: str) -> tuple[float, float]:
    it = ctx.codebook.items[item]
    return (it.min, it.max)


def _metrics(ctx: ReportContext) -> list[tuple]:
    """(metric, item, short name) of the NPS and outcome figures the survey has."""
    out = []
    for metric, item, *_ in headline_metrics(ctx.codebook, lang=ctx.lang):
        if metric == "nps":
            out.append((metric, item, "NPS"))
        elif metric == "top_box":
            out.append((metric, item, msg("pages.satisfaction.top_box", ctx.lang)))
    return out


def headline_metrics(codebook, *, lang: str = "zh") -> list[tuple]:
    """The headline figures a survey has, in the order the satisfaction report shows them.

    Parameters
    ----------
    codebook : cxlab.codebook.Codebook
    lang : {"zh", "en"}

    Returns
    -------
    list of tuple
        ``(metric, item, label, unit, scale)`` for :func:`cxlab.survey.estimate`: NPS of the
        first ``nps`` item, the top-2 box of the first outcome; with neither, the mean of the
        first effort item (CES). ``label`` is catalogue text (message ``narrative.satisfaction.*``).

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> book = Codebook.from_dict({"items": {
    ...     "sat": {"type": "scale", "min": 1, "max": 7, "role": "outcome"}}})
    >>> headline_metrics(book, lang="en")
    [('top_box', 'sat', 'Satisfaction (top-2 box)', '%', (1.0, 7.0))]
    """
    out = []
    for item in codebook.select(type="nps")[:1]:
        out.append(("nps", item, "NPS", "", None))
    for item in codebook.select(role="outcome")[:1]:
        it = codebook.items[item]
        csat = msg("narrative.satisfaction.csat", lang)
        out.append(("top_box", item, csat, "%", (it.min, it.max)))
    if not out:
        for item in codebook.select(role="effort")[:1]:
            it = codebook.items[item]
            out.append(("ces", item, msg("narrative.satisfaction.ces", lang), "", (it.min, it.max)))
    return out


def key_points(
    df: pd.DataFrame,
    codebook,
    *,
    period: str | None,
    min_base: int = 30,
    by: list[str] | None = None,
    labels: dict | None = None,
    lang: str = "zh",
) -> list[str]:
    """The key points of a satisfaction report: headline figures to ``period``, segment differences.

    Parameters
    ----------
    df : pandas.DataFrame
        All waves (the trend needs the earlier ones); segment comparisons use ``period`` only.
    codebook : cxlab.codebook.Codebook
        Gives the headline items (:func:`headline_metrics`), the wave column, segments, weight.
    period : str or None
        The wave reported (None: the survey has no waves, or all of them).
    min_base : int
        Groups with fewer respondents are not tested; a wave (or, without waves, a survey)
        with fewer gives no figure, and no change is stated from one.
    by : list of str, optional
        The segment columns compared (default: the codebook's segments).
    labels : dict, optional
        Column -> label (default: the codebook's labels).
    lang : {"zh", "en"}

    Returns
    -------
    list of str
        Markdown: for each headline figure a :func:`cxlab.narrative.trend_sentence` (with
        waves) or a :func:`cxlab.narrative.level_sentence` (without), then the
        :func:`cxlab.narrative.compare_sentences` of the first figure by each segment. Empty when
        the codebook has no headline item.

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> book = Codebook.from_dict({"segments": {"ch": "渠道"}, "items": {
    ...     "nps": {"type": "nps"},
    ...     "sat": {"type": "scale", "min": 1, "max": 5, "role": "outcome"}}})
    >>> d = pd.DataFrame({"ch": ["A"] * 3 + ["B"] * 3,
    ...                   "nps": [10, 9, 8, 0, 3, 6], "sat": [5, 4, 4, 1, 2, 3]})
    >>> key_points(d, book, period=None, min_base=2)[-1]
    '按渠道看，A的NPS显著高于B。'
    >>> [p.split(" is ")[0] for p in key_points(d, book, period=None, min_base=2, lang="en")]
    ['NPS', 'Satisfaction (top-2 box)', 'By 渠道, A scores significantly higher on NPS than B.']
    """
    name = (lambda c: labels.get(c, c)) if labels else codebook.label
    metrics = headline_metrics(codebook, lang=lang)
    current, points = df, _headline_sentences(df, codebook, metrics, period, min_base, lang)
    if codebook.wave and period is not None:
        current = df[df[codebook.wave].astype(str) == str(period)]
    for metric, item, label, _, scale in metrics[:1]:
        for seg in codebook.segments if by is None else by:
            c = survey.compare(
                current, metric, seg, item, weight=codebook.weight, min_base=min_base, scale=scale
            )
            points += narrative.compare_sentences(
                c, seg, metric_label=label, group_label=name(seg), lang=lang
            )
    return points


def _headline_sentences(df, codebook, metrics, period, min_base: int, lang: str) -> list[str]:
    """A trend sentence per headline figure up to ``period``, or its level without waves; no
    figure of a wave under ``min_base``, no change from one."""
    weight, wave = codebook.weight, codebook.wave
    if wave and period is not None:
        upto = df[df[wave].astype(str) <= str(period)]
        return [
            narrative.trend_sentence(
                survey.trend(upto, metric, wave, item, weight=weight, scale=scale),
                wave,
                metric_label=label,
                unit=unit,
                min_base=min_base,
                lang=lang,
            )
            for metric, item, label, unit, scale in metrics
        ]
    return [
        narrative.level_sentence(
            survey.estimate(df, metric, item, weight=weight, scale=scale),
            metric_label=label,
            unit=unit,
            min_base=min_base,
            lang=lang,
        )
        for metric, item, label, unit, scale in metrics
    ]


@report_section(REPORT, "sample")
def sample(ctx: ReportContext) -> list:
    """What was read and kept, the exclusions, and the base of each segment.

    Returns
    -------
    cxlab.notebook.Shown
        Markdown: the records read and kept (:func:`cxlab.present.load_summary`); a table of the
        exclusions when rows were excluded; then a table per segment of its respondents
        (:func:`cxlab.survey.counts`: base, base used, % and weighted %).

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> shown = sample(open_report("satisfaction", lang="en"))
    >>> shown.parts[0]
    'Read **5,000** records from “survey.csv”; all kept, no invalid answers.'
    >>> [type(p).__name__ for p in shown.parts[1:]]
    ['Styler', 'Styler', 'Styler']
    """
    sv, book = ctx.survey, ctx.codebook
    parts = [present.load_summary(sv, lang=ctx.lang)]
    if len(sv.exclusions):
        parts.append(present.table(sv.exclusion_summary(), None, lang=ctx.lang))
    for seg in ctx.segments:
        counts = survey.counts(ctx.df, seg, weight=book.weight)
        parts.append(ctx.table(counts, base=False))  # bases only: the rule shows them
    return parts


@report_section(REPORT, "kpis")
def kpis(ctx: ReportContext) -> list:
    """The headline KPIs of the chosen period.

    Returns
    -------
    cxlab.notebook.Shown
        A table of :func:`cxlab.survey.kpis` (:func:`cxlab.present.kpi_table`); on a unit's page
        (``--each``) also a sentence and the same table of the whole survey, its benchmark.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> shown = kpis(open_report("satisfaction", lang="en"))
    >>> shown.parts[0].data.iloc[:2, 0].tolist()
    ['NPS', '总体满意度 (top-2 box %)']
    """
    book = ctx.codebook
    table = survey.kpis(ctx.df, book, weight=book.weight)
    parts = [ctx.kpi_table(table)]
    if ctx.benchmark is not None:
        whole = survey.kpis(ctx.benchmark, book, weight=book.weight)
        parts += [msg("pages.satisfaction.benchmark", ctx.lang), ctx.kpi_table(whole)]
    return parts


@report_section(REPORT, "points")
def points(ctx: ReportContext) -> list:
    """Key points: headline figures (trend or level) and segment differences.

    Returns
    -------
    cxlab.notebook.Shown
        Markdown: the bullet list of :func:`key_points`, or one sentence saying that nothing
        stands out.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> shown = points(open_report("satisfaction", lang="en"))
    >>> shown.parts[0].splitlines()[0].split(" is ")[0]
    '- NPS in 2025Q4'
    """
    sentences = key_points(
        ctx.survey.data,
        ctx.codebook,
        period=ctx.period,
        min_base=ctx.min_base,
        by=ctx.segments,
        labels=ctx.labels,
        lang=ctx.lang,
    )
    return [points_markdown(sentences, lang=ctx.lang)]


@report_section(REPORT, "trends")
def trends(ctx: ReportContext) -> list:
    """NPS and the outcome's top-2 box per wave (one panel each the survey has).

    Returns
    -------
    cxlab.notebook.Shown
        A figure of the trend of each headline figure (:func:`cxlab.survey.trend`), then the
        table of the first one per wave (value, interval, change and its test). A wave under
        ``min_base`` is left out of the figure (a note under it names it) and shows "n < 30" in
        the table, as does a change from or to it. A figure with no wave to draw gets no panel,
        and the section no chart when none has one.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> fig, table = trends(open_report("satisfaction", lang="en")).parts
    >>> [ax.get_title() for ax in fig.axes], table.data.shape
    (['NPS', '总体满意度 (top-2 box %)'], (4, 11))
    """
    book = ctx.codebook
    panels, tables, notes = [], [], []
    for metric, item, name in _metrics(ctx):
        scale = _scale(ctx, item) if metric == "top_box" else None
        t = survey.trend(ctx.survey.data, metric, book.wave, item, weight=book.weight, scale=scale)
        drawn = ctx.chart_rows(t, book.wave)
        if not drawn.table.empty:  # else every wave is under min_base: the note says so
            panels.append((metric, item, drawn.table))
        notes.append(drawn.note)
        tables.append(ctx.table(t, rename={"value": name}, cells=trend_cells(t)))
    return [*_trend_figure(ctx, panels), *chart_notes(notes), tables[0]]


def _trend_figure(ctx: ReportContext, panels: list) -> list:
    """A panel per headline figure with a wave to draw; no figure when none has one."""
    if not panels:
        return []
    fig, axes = figure(5.5 * len(panels), 3.4, ncols=len(panels), squeeze=False)
    for ax, (metric, item, table) in zip(axes[0], panels, strict=True):
        if metric == "nps":
            title, ylabel = "NPS", "NPS"
        else:
            title = msg("pages.satisfaction.top_box_of", ctx.lang, label=ctx.label(item))
            ylabel = "%"
        plots.plot_trend(table, ctx.codebook.wave, ax=ax, title=title, ylabel=ylabel)
    finish_layout(fig)
    return [fig]


@report_section(REPORT, "segments")
def segments(ctx: ReportContext) -> list:
    """The headline figures by each segment: a chart, then tables with significance letters.

    Returns
    -------
    cxlab.notebook.Shown
        A figure of the first headline figure by each segment (on a unit's page, every segment
        but the ``each`` column; a sentence when none is left), with 95% intervals; then, per
        segment and headline figure, a Markdown heading and the table of
        :func:`cxlab.survey.compare` (letters of the groups it is significantly above). A group
        under ``min_base`` is left out of the figure (named in a note under it), shows "n < 30"
        in place of its figures in the table, and is not tested. A segment with no group to draw
        gets no panel, and the section no chart when none has one (a small unit's page).

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> shown = segments(open_report("satisfaction", lang="en"))
    >>> shown.parts[0].get_suptitle(), shown.parts[1]
    ('NPS by segment with 95% confidence intervals', '**地区: NPS**')
    """
    if not ctx.segments:  # a unit's page, split by the only segment column
        each = ctx.options["each"]
        unit = escape_markdown(str(ctx.option("unit")))
        return [
            msg(
                "pages.satisfaction.unit_no_segment",
                ctx.lang,
                each=escape_markdown(ctx.label(each)),
                unit=unit,
            )
        ]
    figures, notes = _segment_chart(ctx)
    return [*figures, *chart_notes(notes), *_segment_tables(ctx)]


def _segment_chart(ctx: ReportContext) -> tuple[list, list]:
    """NPS by segment (or, without NPS, the outcome's top-2 box), with 95% intervals: a panel
    per segment with a group to draw (no figure when none has one), and the notes naming the
    groups left out."""
    book, lang = ctx.codebook, ctx.lang
    metric, item, _ = _metrics(ctx)[0]
    panels, notes = [], []
    for seg in ctx.segments:
        if metric == "nps":
            t = survey.nps(ctx.df, item, by=seg, weight=book.weight)
        else:
            t = survey.estimate(
                ctx.df, metric, item, by=seg, weight=book.weight, scale=_scale(ctx, item)
            )
        drawn = ctx.chart_rows(t, seg)
        notes.append(drawn.note)
        if not drawn.table.empty:
            panels.append((seg, drawn.table))
    if not panels:
        return [], notes
    fig, axes = figure(4.2 * len(panels), 3.2, ncols=len(panels), sharex=True, squeeze=False)
    for ax, (seg, table) in zip(axes[0], panels, strict=True):
        if metric == "nps":
            plots.plot_nps(table, by=seg, ax=ax, title=ctx.label(seg), lang=lang)
        else:
            plots.plot_estimates(table, "value", by=seg, ax=ax, title=ctx.label(seg), lang=lang)
    if metric == "nps":
        fig.suptitle(msg("pages.satisfaction.nps_by_segment", lang))
    else:
        label = ctx.label(item)
        fig.suptitle(msg("pages.satisfaction.top_box_by_segment", lang, label=label))
    finish_layout(fig)
    return [fig], notes


def _segment_tables(ctx: ReportContext) -> list:
    book = ctx.codebook
    parts = []
    for seg in ctx.segments:
        for metric, item, name in _metrics(ctx):
            what = "NPS" if metric == "nps" else f"{escape_markdown(ctx.label(item))} ({name})"
            parts.append(f"**{escape_markdown(ctx.label(seg))}: {what}**")
            t = survey.compare(
                ctx.df,
                metric,
                seg,
                item,
                weight=book.weight,
                min_base=ctx.min_base,
                scale=_scale(ctx, item) if metric == "top_box" else None,
            )
            parts.append(ctx.table(t, rename={"value": name}))
    return parts


@report_section(REPORT, "distributions")
def distributions(ctx: ReportContext) -> list:
    """Answer distributions of the outcome and the drivers.

    Returns
    -------
    cxlab.notebook.Shown
        One figure: the weighted answer shares of the outcome and each driver
        (:func:`cxlab.survey.likert_table`).

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> [fig] = distributions(open_report("satisfaction", lang="en")).parts
    >>> [ax.get_title() for ax in fig.axes]
    ['Answer distributions (weighted %)']
    """
    book = ctx.codebook
    ratings = [*book.select(role="outcome")[:1], *book.select(role="driver")]
    fig, ax = figure(10, 0.45 * len(ratings) + 1.2)
    plots.plot_likert(
        survey.likert_table(ctx.df, ratings, weight=book.weight),
        labels={c: ctx.label(c) for c in ratings},
        ax=ax,
        title=msg("pages.satisfaction.distributions", ctx.lang),
    )
    finish_layout(fig)
    return [fig]


@report_section(REPORT, "reliability")
def reliability(ctx: ReportContext) -> list:
    """Cronbach's alpha of the rating scales, and the item analysis of the drivers.

    Returns
    -------
    cxlab.notebook.Shown
        A table of :func:`cxlab.survey.reliability_table` (alpha with its interval per scale:
        drivers, expectations, perceptions), and with two drivers or more the table of
        :func:`cxlab.survey.item_analysis` of the drivers.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> alpha, items = reliability(open_report("satisfaction", lang="en")).parts
    >>> alpha.data.iloc[:, 0].tolist(), items.data.shape
    (['Driver ratings', 'Service expectations', 'Service perceptions'], (10, 6))
    """
    book, lang = ctx.codebook, ctx.lang
    scales = {
        msg(f"pages.satisfaction.scale.{role}", lang): book.select(role=role)
        for role in ("driver", "expectation", "perception")
    }
    parts = [ctx.table(survey.reliability_table(ctx.df, scales), digits=3)]
    drivers = book.select(role="driver")
    if len(drivers) >= 2:
        items = survey.item_analysis(ctx.df, drivers)
        parts.append(ctx.table(items, digits=3))
    return parts


@report_section(REPORT, "verbatims")
def verbatims(ctx: ReportContext) -> list:
    """A random draw of comments, redacted.

    Returns
    -------
    cxlab.notebook.Shown
        A one-column table of ``n_comments`` comments (option, default 6) drawn with a fixed
        seed, personal data masked (:func:`cxlab.text.redact`), from respondents whose group in
        every segment has at least ``min_base`` respondents this period; one sentence instead
        when the page itself has fewer respondents than ``min_base``.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> [table] = verbatims(open_report("satisfaction", lang="en", n_comments=4)).parts
    >>> table.data.shape
    (4, 1)
    """
    from cxlab import text

    comment = ctx.codebook.one(type="text")
    if len(ctx.df) < ctx.min_base:
        return [msg("small_base.no_verbatims", ctx.lang, n=len(ctx.df), min_base=ctx.min_base)]
    answered = ctx.df.loc[in_large_groups(ctx.df, ctx.segments, ctx.min_base), comment]
    answered = answered.dropna()
    n = min(int(ctx.option("n_comments", 6)), len(answered))
    examples = answered.sample(n, random_state=0)
    return [ctx.table(text.redact(examples).to_frame("comment"), base=False)]


@report_section(REPORT, "warning")
def warning(ctx: ReportContext) -> list:
    """Early warning (预警) on NPS per owner or segment and wave; the alerts of the latest wave.

    Returns
    -------
    cxlab.notebook.Shown
        A sentence (alerts, and the false alarms expected if nothing changed) and the table of
        the alerts, if any.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> warning(open_report("satisfaction", lang="en")).parts[0][:24]
    'No alert in 2025Q4: ever'
    """
    from cxlab.pages.parts import warning_parts

    return warning_parts(ctx, item=ctx.codebook.one(type="nps"))

"""Sections of the journey and self-service report (``notebooks/journey.ipynb``).

Options (notebook parameters): ``events`` (an event log; the sample ships one), ``steps`` (the
funnel steps in order), ``segment`` (a column that splits the funnel; empty: none), ``min_base``
(default: the codebook's, else 30).

Small bases (``ctx.min_base``): the groups are the touchpoints (respondents rating each: one
under it shows "n < 30" and is left out of the journey map, named under it), the segments of the
funnel (a segment with fewer customers at its first step shows "n < 30" for every conversion),
the peak-end models and the self-service rates (each on its own base).
"""

from __future__ import annotations

from cxlab import journey, narrative, plots
from cxlab.markup import escape_markdown
from cxlab.messages import msg
from cxlab.notebook import ReportContext, report_section
from cxlab.pages.parts import figure, finish_layout, points_markdown

__all__ = ["funnel", "map", "peak_end", "points", "self_service"]

REPORT = "journey"


def _labels(ctx: ReportContext) -> dict[str, str]:
    return {c: ctx.label(c) for c in ctx.codebook.items}


def _touchpoints(ctx: ReportContext):
    book = ctx.codebook
    return ctx.cached(
        "touchpoints", lambda: journey.touchpoints(ctx.df, codebook=book, weight=book.weight)
    )


def _events(ctx: ReportContext):
    from cxlab import io

    return ctx.cached("events", lambda: io.read_events(ctx.input_file("events")))


def _steps(ctx: ReportContext) -> list[str]:
    """The funnel steps: the ``steps`` option, else the log's steps by how many customers reach
    them (most first), which is a funnel's order when steps are taken in sequence."""
    given = ctx.option("steps")
    if given:
        return list(given)
    log = _events(ctx)
    reach = log.groupby("step")["customer_id"].nunique().sort_values(ascending=False, kind="stable")
    return reach.index.astype(str).tolist()


def _funnel(ctx: ReportContext):
    return ctx.cached("funnel", lambda: journey.funnel(_events(ctx), _steps(ctx)))


def _peak_end(ctx: ReportContext):
    book = ctx.codebook

    def compute():
        items = book.require(role="touchpoint", at_least=2)
        first = book.items[items[0]]
        return journey.peak_end(
            ctx.df,
            book.one(role="outcome"),
            items,
            scale=(first.min, first.max),
            weight=book.weight,
        )

    return ctx.cached("peak_end", compute)


def _self_service(ctx: ReportContext):
    book = ctx.codebook
    return ctx.cached(
        "self_service",
        lambda: journey.self_service(ctx.df, **journey.self_service_spec(book), weight=book.weight),
    )


@report_section(REPORT, "map")
def map(ctx: ReportContext) -> list:
    """Mean satisfaction per touchpoint and stage.

    Returns
    -------
    cxlab.notebook.Shown
        The journey map (a figure) and the table of :func:`cxlab.journey.touchpoints` (stage,
        touchpoint, mean and top-box share with intervals, the weakest of each stage).

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> fig, table = map(open_report("journey", lang="en")).parts
    >>> table.data.iloc[:2, :2].values.tolist()
    [['认知', '广告宣传'], ['考虑', '线上浏览']]
    """
    tp, labels = _touchpoints(ctx), _labels(ctx)
    drawn = ctx.chart_rows(tp, "touchpoint", labels=labels)
    shown = []
    if not drawn.table.empty:  # else every touchpoint is under min_base: the note says so
        fig, ax = figure(11, 3)
        title = msg("pages.journey.map_title", ctx.lang)
        plots.plot_journey(drawn.table, labels=labels, ax=ax, title=title, lang=ctx.lang)
        finish_layout(fig)
        shown.append(fig)
    table = ctx.table(tp, digits=2, values={"touchpoint": labels})
    return [*shown, *([drawn.note] if drawn.note else []), table]


@report_section(REPORT, "funnel")
def funnel(ctx: ReportContext) -> list:
    """The purchase funnel from the event log, and split by a segment when one is given.

    Returns
    -------
    cxlab.notebook.Shown
        A figure and the tables of :func:`cxlab.journey.funnel` over the ``steps`` (option): the
        steps (customers, conversion, drop-off, median time) and the events left out. With the
        option ``segment``, also the steps by segment, or a sentence saying why they are missing
        (the survey lacks the column, or has no respondent id to match the event log on).

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> steps = ["访问", "浏览商品", "加入购物车", "提交订单", "完成支付"]
    >>> fig, table, left_out = funnel(open_report("journey", lang="en", steps=steps)).parts
    >>> table.data.iloc[:, 1].tolist()
    [5000, 4242, 2528, 1015, 905]
    """
    book, lang = ctx.codebook, ctx.lang
    result = _funnel(ctx)
    fig, ax = figure(7, 3.2)
    plots.plot_funnel(result.steps, ax=ax, title=msg("pages.journey.funnel_title", lang))
    finish_layout(fig)
    parts = [
        fig,
        ctx.table(result.steps, digits=3, base=False),
        ctx.table(result.exclusions, base=False),
    ]
    segment = ctx.option("segment")
    if not segment:
        return parts
    if segment not in ctx.survey.data.columns:
        return [*parts, msg("pages.journey.no_segment", lang, segment=escape_markdown(segment))]
    if book.id is None:
        return [*parts, msg("pages.journey.no_id", lang)]
    matched = journey.with_segment(
        _events(ctx), ctx.survey.data, segment, survey_respondent=book.id
    )
    by_seg = journey.funnel(matched, ctx.option("steps"), by=segment).steps
    unmatched = {journey.UNMATCHED: msg(f"by.{journey.UNMATCHED}", lang)}
    first = by_seg.groupby(segment, dropna=False, sort=False)["customers"].transform("max")
    table = ctx.table(by_seg, digits=3, values={segment: unmatched}, base=first.tolist())
    return [*parts, table]


@report_section(REPORT, "peak_end")
def peak_end(ctx: ReportContext) -> list:
    """Average, peak-end and both: which explains the outcome best.

    Returns
    -------
    cxlab.notebook.Shown
        A figure and the models table of :func:`cxlab.journey.peak_end` (fit of the mean, the
        peak-end and the combined model, the best marked, and their F tests).

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> fig, table = peak_end(open_report("journey", lang="en")).parts
    >>> table.data.iloc[:, 0].tolist()
    ['Mean model', 'Peak-end model', 'Mean + peak-end model']
    """
    pe = _peak_end(ctx)
    fig, ax = figure(6, 3.2)
    label = ctx.label(ctx.codebook.one(role="outcome"))
    title = msg("pages.journey.peak_end_title", ctx.lang, label=label)
    plots.plot_peak_end(pe.models, ax=ax, title=title, lang=ctx.lang)
    finish_layout(fig)
    return [fig, ctx.table(pe.models, digits=3)]


@report_section(REPORT, "self_service")
def self_service(ctx: ReportContext) -> list:
    """Self-service KPIs.

    Returns
    -------
    cxlab.notebook.Shown
        The table of :func:`cxlab.journey.self_service` (each rate the survey's self-service
        items give, with its base and interval).

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> [table] = self_service(open_report("journey", lang="en")).parts
    >>> table.data.iloc[:2, 0].tolist()
    ['Resolution rate', 'Reuse rate']
    """
    return [ctx.table(_self_service(ctx), digits=1)]


@report_section(REPORT, "points")
def points(ctx: ReportContext) -> list:
    """The weakest links, from every journey result the survey has.

    Returns
    -------
    cxlab.notebook.Shown
        Markdown: the bullet list of :func:`cxlab.narrative.journey_points` (touchpoints,
        funnel, peak-end and self-service, those the survey has), or one sentence saying that
        nothing stands out.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> steps = ["访问", "浏览商品", "加入购物车", "提交订单", "完成支付"]
    >>> [text] = points(open_report("journey", lang="en", steps=steps)).parts
    >>> text.splitlines()[0].split(":")[0]
    '- The weakest touchpoint is 配送到货 (使用)'
    """
    sentences = narrative.journey_points(
        _touchpoints(ctx) if ctx.runs("map", show=False) else None,
        funnel=_funnel(ctx).steps if ctx.runs("funnel", show=False) else None,
        peak_end=_peak_end(ctx).models if ctx.runs("peak_end", show=False) else None,
        self_service=_self_service(ctx) if ctx.runs("self_service", show=False) else None,
        labels=_labels(ctx),
        lang=ctx.lang,
    )
    return [points_markdown(sentences, lang=ctx.lang)]

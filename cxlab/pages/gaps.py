"""Sections of the expectation-perception gap report (``notebooks/gaps.ipynb``).

Options (notebook parameters): ``staff`` (a staff survey file; the sample ships one),
``ipa_method`` ("derived"), ``top_items`` (10), ``min_base`` (default: the codebook's, else 30).

Small bases (``ctx.min_base``): the groups are the rows of each table, a SERVQUAL dimension or
item (respondents answering both sides), an IPA attribute, a Kano feature and a side of the
staff-customer comparison; one under it shows "n < 30" in place of its statistics and is left
out of the charts (SERVQUAL, IPA, Kano), named under them.
"""

from __future__ import annotations

from cxlab import gaps, narrative, plots
from cxlab.markup import bounded, escape_markdown
from cxlab.messages import msg
from cxlab.notebook import ReportContext, report_section
from cxlab.pages.parts import chart_notes, figure, finish_layout, points_markdown

__all__ = ["ipa", "items", "kano", "perception_cells", "points", "servqual", "staff"]

REPORT = "gaps"


def _spec(ctx: ReportContext):
    return ctx.cached("servqual_spec", lambda: gaps.servqual_spec(ctx.codebook))


def _servqual(ctx: ReportContext):
    """The SERVQUAL table of the chosen period (dimensions and items), and why the weighted
    overall gap is missing when the importance points could not be used (else None)."""

    def compute():
        spec = _spec(ctx)
        args = {"dimensions": spec.dimensions, "weight": ctx.codebook.weight, "scales": spec.scales}
        if not spec.importance:
            return gaps.servqual(ctx.df, spec.pairs, **args), None
        if not _importance_fits(spec):
            return gaps.servqual(ctx.df, spec.pairs, **args), msg(
                "pages.gaps.importance_partial", ctx.lang
            )
        try:
            table = gaps.servqual(ctx.df, spec.pairs, importance=spec.importance, **args)
        except ValueError as e:  # the points do not sum to 100: not every importance item listed
            reason = escape_markdown(bounded(e, one_line=True))
            table = gaps.servqual(ctx.df, spec.pairs, **args)
            return table, msg("pages.gaps.importance_unused", ctx.lang, reason=reason)
        return table, None

    return ctx.cached("servqual", compute)


def _importance_fits(spec) -> bool:
    """Whether the importance points cover exactly the dimensions of the pairs (their points sum
    to 100 only then); otherwise the weighted overall gap is left out."""
    return set(spec.importance) == set(spec.dimensions.values())


def _names(lang: str) -> dict[str, str]:
    return {c: msg(f"name.{c}", lang) for c in ("overall", "weighted_overall")}


def _ipa(ctx: ReportContext):
    book = ctx.codebook

    def compute():
        performance = {ctx.label(c): c for c in book.require(role="driver", at_least=2)}
        return gaps.ipa(
            ctx.df,
            performance,
            outcome=book.one(role="outcome"),
            method=ctx.option("ipa_method", "derived"),
            weight=book.weight,
        )

    return ctx.cached("ipa", compute)


def _kano(ctx: ReportContext):
    def compute():
        spec = gaps.kano_spec(ctx.codebook)
        return gaps.kano(ctx.df, spec.functional, spec.dysfunctional, weight=ctx.codebook.weight)

    return ctx.cached("kano", compute)


def _perception(ctx: ReportContext):
    """The staff-customer gap, or None when the staff survey shares no item."""
    from cxlab import io

    def compute():
        st = io.load_survey(ctx.input_file("staff"))
        shared = [c for c in st.codebook.items if c in ctx.df.columns]
        if not shared:
            return None
        return gaps.perception_gap(st.data, ctx.df, shared, customer_weight=ctx.codebook.weight)

    return ctx.cached("perception", compute)


@report_section(REPORT, "servqual")
def servqual(ctx: ReportContext) -> list:
    """The gap of each SERVQUAL dimension and overall, with 95% intervals.

    Returns
    -------
    cxlab.notebook.Shown
        A figure and the table of the dimension and overall rows of :func:`cxlab.gaps.servqual`
        (expectation, perception, gap with its interval and test), and a sentence when the
        weighted overall gap is left out because the importance points cannot be used.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> fig, table = servqual(open_report("gaps", lang="en")).parts
    >>> table.data.iloc[-3:, 1].tolist()
    ['移情性', 'Overall', 'Weighted overall']
    """
    lang = ctx.lang
    sq, note = _servqual(ctx)
    dims = sq[sq["level"] != "item"]
    names = _names(lang)
    drawn = ctx.chart_rows(dims, "name", labels=names)
    shown = _gap_chart(ctx, drawn, names, msg("pages.gaps.dimensions_title", lang), 3.2)
    table = ctx.table(dims, digits=2, values={"name": names})
    return [*shown, *([drawn.note] if drawn.note else []), table, *([note] if note else [])]


def _gap_chart(ctx: ReportContext, drawn, labels: dict, title: str, height: float) -> list:
    """The gaps of the rows a chart may draw, with their intervals, as ``[figure]``; ``[]`` when
    every row is under min_base (the note under it says so)."""
    if drawn.table.empty:
        return []
    fig, ax = figure(8, height)
    rows = drawn.table.assign(name=drawn.table["name"].replace(labels))
    plots.plot_estimates(
        rows.rename(columns={"gap": "value"}),
        "value",
        by="name",
        ax=ax,
        lang=ctx.lang,
        title=title,
        xlabel=msg("pages.gaps.gap_axis", ctx.lang),
    )
    finish_layout(fig)
    return [fig]


@report_section(REPORT, "items")
def items(ctx: ReportContext) -> list:
    """The largest item gaps.

    Returns
    -------
    cxlab.notebook.Shown
        A figure and the table of the ``top_items`` (option, default 10) item rows of
        :func:`cxlab.gaps.servqual` whose perception falls furthest below expectation.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> fig, table = items(open_report("gaps", lang="en", top_items=3)).parts
    >>> table.data.iloc[:2, 1].tolist(), table.data.shape
    (['按承诺时间提供服务', '第一次就把事情做对'], (3, 11))
    """
    lang, labels = ctx.lang, _spec(ctx).labels
    sq, _ = _servqual(ctx)
    top = sq[sq["level"] == "item"].nsmallest(int(ctx.option("top_items", 10)), "gap")
    drawn = ctx.chart_rows(top, "name", labels=labels)
    title = msg("pages.gaps.items_title", lang)
    shown = _gap_chart(ctx, drawn, labels, title, 0.4 * len(top) + 1)
    table = ctx.table(top, digits=2, values={"name": labels})
    return [*shown, *([drawn.note] if drawn.note else []), table]


@report_section(REPORT, "ipa")
def ipa(ctx: ReportContext) -> list:
    """Importance-performance analysis of the drivers.

    Returns
    -------
    cxlab.notebook.Shown
        A quadrant chart and the points table of :func:`cxlab.gaps.ipa` (importance derived from
        the outcome or stated, option ``ipa_method``; performance; quadrant and priority).

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> fig, table = ipa(open_report("gaps", lang="en")).parts
    >>> table.data.iloc[:2][["Attribute", "Quadrant"]].values.tolist()
    [['问题解决', 'Concentrate here'], ['产品质量', 'Keep up the good work']]
    """
    lang = ctx.lang
    result = _ipa(ctx)
    cross = result.crosshair.iloc[0]
    if ctx.option("ipa_method", "derived") == "derived":
        ylabel = msg("pages.gaps.ipa_y", lang, label=ctx.label(ctx.codebook.one(role="outcome")))
    else:
        ylabel = msg("pages.gaps.ipa_y_stated", lang)
    drawn = ctx.chart_rows(result.points, "attribute")
    shown = []
    if not drawn.table.empty:  # else every attribute is under min_base: the note says so
        fig, ax = figure(7, 5)
        plots.plot_quadrants(
            drawn.table,
            label="attribute",
            crosshair=(cross["importance"], cross["performance"]),
            ax=ax,
            lang=lang,
            title=msg("pages.drivers.matrix_title", lang),
            ylabel=ylabel,
            xlabel=msg("pages.drivers.performance", lang),
        )
        finish_layout(fig)
        shown.append(fig)
    return [*shown, *chart_notes([drawn.note]), ctx.table(result.points, digits=3)]


@report_section(REPORT, "kano")
def kano(ctx: ReportContext) -> list:
    """Kano categories with the better-worse diagram.

    Returns
    -------
    cxlab.notebook.Shown
        The better-worse diagram and the table of :func:`cxlab.gaps.kano` (answer shares per
        category, the category, better and worse coefficients of each feature).

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> fig, table = kano(open_report("gaps", lang="en")).parts
    >>> table.data.iloc[:2][["Feature", "Category"]].values.tolist()
    [['小程序下单', 'One-dimensional'], ['送货上门', 'Must-be']]
    """
    table = _kano(ctx)
    drawn = ctx.chart_rows(table, "feature")
    shown = []
    if not drawn.table.empty:  # else every feature is under min_base: the note says so
        fig, ax = figure(6, 5)
        title = msg("pages.gaps.kano_title", ctx.lang)
        plots.plot_kano(drawn.table, ax=ax, title=title, lang=ctx.lang)
        finish_layout(fig)
        shown.append(fig)
    return [*shown, *chart_notes([drawn.note]), ctx.table(table, digits=2)]


@report_section(REPORT, "staff")
def staff(ctx: ReportContext) -> list:
    """Staff's view of customers against the customers' own ratings.

    Returns
    -------
    cxlab.notebook.Shown
        The table of :func:`cxlab.gaps.perception_gap` for the items the staff survey (option
        ``staff``; the sample ships one) shares with this one, or a sentence when it shares none.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> [table] = staff(open_report("gaps", lang="en")).parts
    >>> table.data.iloc[:, 0].tolist()
    ['问题解决', '配送速度', '服务态度', '产品质量']
    """
    perception = _perception(ctx)
    if perception is None:
        return [msg("pages.gaps.no_shared_items", ctx.lang)]
    return [ctx.table(perception, digits=1, base=False, cells=perception_cells(perception))]


def perception_cells(table) -> dict:
    """The base of each cell of a staff-customer table: each side's base for its share, the
    smaller side for the gap and its test.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`cxlab.gaps.perception_gap`.

    Returns
    -------
    dict
        ``cells`` for :func:`cxlab.present.small_cells`.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"item": ["q"], "internal_n_used": [12], "internal_share": [50.0],
    ...                   "customer_n_used": [400], "customer_share": [40.0], "gap": [10.0]})
    >>> perception_cells(t)["gap"], perception_cells(t)["customer_share"]
    ([12], 'customer_n_used')
    """
    both = table[["internal_n_used", "customer_n_used"]].min(axis=1).tolist()
    cells = {c: both for c in ("gap", "ci_low", "ci_high", "z", "p") if c in table}
    return {**cells, "internal_share": "internal_n_used", "customer_share": "customer_n_used"}


@report_section(REPORT, "points")
def points(ctx: ReportContext) -> list:
    """Where to act first, from every gap result the survey has.

    Returns
    -------
    cxlab.notebook.Shown
        Markdown: the bullet list of :func:`cxlab.narrative.gap_points` (SERVQUAL, IPA, Kano and
        staff results, those the survey has), or one sentence saying that nothing stands out.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> [text] = points(open_report("gaps", lang="en")).parts
    >>> text.splitlines()[0].split(":")[0]
    '- The largest service gap is in 可靠性'
    """
    labels = {**ctx.labels}
    servqual_table = None
    if ctx.runs("servqual", show=False):
        servqual_table, _ = _servqual(ctx)
        labels = {**_spec(ctx).labels, **labels}
    sentences = narrative.gap_points(
        servqual_table,
        ipa=_ipa(ctx).points if ctx.runs("ipa", show=False) else None,
        kano=_kano(ctx) if ctx.runs("kano", show=False) else None,
        perception=_perception(ctx) if ctx.runs("staff", show=False) else None,
        labels=labels,
        lang=ctx.lang,
    )
    return [points_markdown(sentences, lang=ctx.lang)]

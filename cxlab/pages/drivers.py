"""Sections of the key-driver report (``notebooks/drivers.ipynb``).

No progress bars: a page is read after the run (a bar would be a widget, with its script).
Options (notebook parameters): ``outcome`` (default: the codebook's ``role: outcome`` item),
``method`` ("shapley"), ``n_boot`` (500), ``low`` (2), ``high`` (5), ``seed`` (1), ``min_base``
(default: the codebook's, else 30).

Small bases (``ctx.min_base``): the groups are the models (the page's model, one per wave for
stability: a model on fewer respondents shows "n < 30" in place of its fit, coefficients and
importance) and the cells of penalty-reward (a driver's low side and high side: a side rated by
fewer respondents shows "n < 30" for its penalty or reward and test, and the driver gets no type
or key point from it); a driver answered by fewer respondents shows "n < 30" in the matrix and is
left out of its chart (named under it).
"""

from __future__ import annotations

import numpy as np

from cxlab import drivers as kda
from cxlab import narrative, plots
from cxlab.markup import escape_markdown
from cxlab.messages import msg
from cxlab.notebook import ReportContext, report_section
from cxlab.pages.parts import chart_notes, figure, finish_layout, points_markdown

__all__ = [
    "fit",
    "importance",
    "matrix",
    "penalty",
    "penalty_cells",
    "points",
    "promoters",
    "stability",
]

REPORT = "drivers"


def _outcome(ctx: ReportContext) -> str:
    """The outcome column: the ``outcome`` option, else the codebook's outcome item."""
    return ctx.option("outcome") or ctx.codebook.one(role="outcome")


def _drivers(ctx: ReportContext) -> list[str]:
    return ctx.codebook.require(role="driver", at_least=2)


def _labels(ctx: ReportContext) -> dict[str, str]:
    return {c: ctx.label(c) for c in _drivers(ctx)}


def _importance(ctx: ReportContext):
    book = ctx.codebook
    return ctx.cached(
        "importance",
        lambda: kda.relative_importance(
            ctx.df,
            _outcome(ctx),
            _drivers(ctx),
            method=ctx.option("method", "shapley"),
            weight=book.weight,
            n_boot=int(ctx.option("n_boot", 500)),
            seed=ctx.option("seed", 1),
            progress=False,
        ),
    )


def _matrix(ctx: ReportContext):
    return ctx.cached(
        "matrix",
        lambda: kda.driver_matrix(
            ctx.df,
            _outcome(ctx),
            _drivers(ctx),
            weight=ctx.codebook.weight,
            method=ctx.option("method", "shapley"),
        ),
    )


def _cutoffs(ctx: ReportContext) -> tuple[float, float]:
    """``low`` and ``high`` (options), else the bottom-2 box and the top box of the drivers' scale
    (2 and 5 on a 1-5 scale, as the report always used)."""
    items = [ctx.codebook.items[d] for d in _drivers(ctx)]
    lo = min((i.min for i in items if i.min is not None), default=1)
    hi = max((i.max for i in items if i.max is not None), default=5)
    return ctx.option("low", lo + 1), ctx.option("high", hi)


def _penalty_drivers(ctx: ReportContext) -> tuple[list[str], list[str]]:
    """The drivers with ratings on both sides of the cut-offs, and those without."""
    low, high = _cutoffs(ctx)
    both = [d for d in _drivers(ctx) if (ctx.df[d] <= low).any() and (ctx.df[d] >= high).any()]
    return both, [d for d in _drivers(ctx) if d not in both]


def _penalty(ctx: ReportContext):
    low, high = _cutoffs(ctx)
    return ctx.cached(
        "penalty",
        lambda: kda.penalty_reward(
            ctx.df,
            _outcome(ctx),
            _penalty_drivers(ctx)[0],
            low=low,
            high=high,
            weight=ctx.codebook.weight,
        ),
    )


def _regression(ctx: ReportContext):
    book = ctx.codebook
    return ctx.cached(
        "regression",
        lambda: kda.regression(ctx.df, _outcome(ctx), _drivers(ctx), weight=book.weight),
    )


def _model_base(ctx: ReportContext, rows: int) -> list[int]:
    """The base of the page's model (respondents used by its regression), once per table row."""
    return [int(_regression(ctx).fit["n_used"].iloc[0])] * rows


def penalty_cells(table) -> dict:
    """The base of each cell of a penalty-reward table: the low side for the penalty, the high
    side for the reward, the smaller side for what needs both.

    Parameters
    ----------
    table : pandas.DataFrame
        The table of :func:`cxlab.drivers.penalty_reward` (``n_low``, ``n_high``...).

    Returns
    -------
    dict
        ``cells`` for :func:`cxlab.present.small_cells`.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"driver": ["q"], "n_low": [1], "n_high": [80], "penalty": [-0.2],
    ...                   "penalty_p": [0.99], "reward": [0.4], "reward_p": [0.01],
    ...                   "asymmetry": [0.2], "type": ["basic"]})
    >>> sorted(penalty_cells(t).items())
    [('asymmetry', [1]), ('penalty', 'n_low'), ('penalty_p', 'n_low'), ('reward', 'n_high'), ('reward_p', 'n_high'), ('type', [1])]
    """
    both = table[["n_low", "n_high"]].min(axis=1).tolist()
    sides = {"penalty": "n_low", "penalty_p": "n_low", "reward": "n_high", "reward_p": "n_high"}
    return {**sides, "asymmetry": both, "type": both}


def _stability(ctx: ReportContext):
    book = ctx.codebook
    return ctx.cached(
        "stability",
        lambda: kda.driver_stability(
            ctx.survey.data,
            _outcome(ctx),
            _drivers(ctx),
            book.wave,
            method=ctx.option("method", "shapley"),
            weight=book.weight,
            n_boot=min(int(ctx.option("n_boot", 500)), 200),
            seed=ctx.option("seed", 1),
            progress=False,
        ),
    )


@report_section(REPORT, "fit")
def fit(ctx: ReportContext) -> list:
    """The outcome and the number of drivers; the regression's fit and coefficients.

    Returns
    -------
    cxlab.notebook.Shown
        Markdown: the outcome and the number of drivers; then the tables of
        :func:`cxlab.drivers.regression`: its fit (base, R², F test) and its coefficients
        (standardised, with intervals and VIF).

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> line, fit_table, coefficients = fit(open_report("drivers", lang="en")).parts
    >>> line, coefficients.data.shape
    ('Outcome: 总体满意度 · 10 drivers', (10, 9))
    """
    lang = ctx.lang
    y = _outcome(ctx)
    line = msg(
        "pages.drivers.header", lang, outcome=escape_markdown(ctx.label(y)), n=len(_drivers(ctx))
    )
    reg = _regression(ctx)
    return [
        line,
        ctx.table(reg.fit, digits=3),
        ctx.table(reg.coefficients, digits=3, base=_model_base(ctx, len(reg.coefficients))),
    ]


@report_section(REPORT, "importance")
def importance(ctx: ReportContext) -> list:
    """Relative importance (share of R²) with bootstrap intervals.

    Returns
    -------
    cxlab.notebook.Shown
        A figure and the table of :func:`cxlab.drivers.relative_importance` (importance, share
        of R², rank, bootstrap interval of ``n_boot`` resamples; options ``method``, ``n_boot``,
        ``seed``).

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> fig, table = importance(open_report("drivers", lang="en", n_boot=50)).parts
    >>> table.data.iloc[:3, 0].tolist()
    ['问题解决', '产品质量', '配送速度']
    """
    ri = _importance(ctx)
    fig, ax = figure(8, 0.4 * len(_drivers(ctx)) + 1)
    title = msg("pages.drivers.importance_title", ctx.lang, label=ctx.label(_outcome(ctx)))
    plots.plot_importance(ri.table, labels=_labels(ctx), ax=ax, title=title, lang=ctx.lang)
    finish_layout(fig)
    return [fig, ctx.table(ri.table, digits=3, base=_model_base(ctx, len(ri.table)))]


@report_section(REPORT, "matrix")
def matrix(ctx: ReportContext) -> list:
    """Importance against performance, split at the means.

    Returns
    -------
    cxlab.notebook.Shown
        A quadrant chart and the table of :func:`cxlab.drivers.driver_matrix` (importance,
        performance, quadrant and priority of each driver).

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> fig, table = matrix(open_report("drivers", lang="en")).parts
    >>> table.data.iloc[:2][[table.data.columns[0], "Quadrant"]].values.tolist()
    [['问题解决', 'Concentrate here'], ['产品质量', 'Keep up the good work']]
    """
    lang = ctx.lang
    m = _matrix(ctx)
    drawn = ctx.chart_rows(m.points, "driver", labels=_labels(ctx))
    shown = []
    if not drawn.table.empty:  # else every driver is under min_base: the note says so
        fig, ax = figure(7, 5)
        plots.plot_quadrants(
            drawn.table,
            crosshair=m.crosshair,
            labels=_labels(ctx),
            ax=ax,
            title=msg("pages.drivers.matrix_title", lang),
            ylabel=msg("pages.drivers.matrix_y", lang),
            xlabel=msg("pages.drivers.performance", lang),
            lang=lang,
        )
        finish_layout(fig)
        shown.append(fig)
    return [*shown, *chart_notes([drawn.note]), ctx.table(m.points, digits=2)]


@report_section(REPORT, "penalty")
def penalty(ctx: ReportContext) -> list:
    """Penalty for low and reward for high ratings.

    Returns
    -------
    cxlab.notebook.Shown
        A figure and the table of :func:`cxlab.drivers.penalty_reward` (penalty, reward, their
        tests and the driver's type; options ``low`` and ``high``, by default the bottom-2 box
        and the top box of the drivers' scale), and a sentence naming the drivers left out for having
        no rating on one side of the cut-offs. A side rated by fewer than ``min_base``
        respondents shows "n < 30" for its estimate and test (and the driver no type), is not
        drawn, and a note under the figure names it.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> cut, fig, table = penalty(open_report("drivers", lang="en")).parts
    >>> cut
    'Low: a rating of 2 or less; high: 5 or more.'
    >>> table.data.iloc[:2, [0, 8]].values.tolist()
    [['问题解决', 'Basic (dissatisfies when missing)'], ['产品质量', 'Performance (linear)']]
    """
    used, left_out = _penalty_drivers(ctx)
    low, high = _cutoffs(ctx)
    cut = msg("pages.drivers.penalty_cutoffs", ctx.lang, low=low, high=high)
    note = []
    if left_out:
        sep = "、" if ctx.lang == "zh" else ", "
        names = sep.join(escape_markdown(ctx.label(d)) for d in left_out)
        note = [msg("pages.drivers.penalty_left_out", ctx.lang, drivers=names, low=low, high=high)]
    if not used:
        return [cut, *note]
    pr = _penalty(ctx)
    drawn, small = _penalty_drawn(ctx, pr.table)
    fig, ax = figure(8, 0.4 * len(used) + 1)
    plots.plot_penalty_reward(drawn, labels=_labels(ctx), ax=ax, lang=ctx.lang)
    finish_layout(fig)
    table = ctx.table(pr.table, digits=3, base=False, cells=penalty_cells(pr.table))
    return [cut, fig, *small, table, *note]


def _penalty_drawn(ctx: ReportContext, table):
    """The penalty-reward table to draw (a side under ``min_base`` without a bar), and the note
    naming those sides (no part when there is none)."""
    drawn = table.copy()
    cells = []
    for side, est in (("low", "penalty"), ("high", "reward")):
        small = drawn[f"n_{side}"] < ctx.min_base
        drawn.loc[small, est] = np.nan
        cells += [
            msg(f"small_base.side.{side}", ctx.lang, driver=escape_markdown(ctx.label(d)))
            for d in drawn.loc[small, "driver"]
        ]
    if not cells:
        return drawn, []
    sep = msg("small_base.sep", ctx.lang)
    note = msg("small_base.left_out_side", ctx.lang, min_base=ctx.min_base, cells=sep.join(cells))
    return drawn, [note]


@report_section(REPORT, "promoters")
def promoters(ctx: ReportContext) -> list:
    """Odds ratios of being a promoter or a detractor per rating point of each driver.

    Returns
    -------
    cxlab.notebook.Shown
        The coefficients table of :func:`cxlab.drivers.logit_drivers` (both models, odds ratios
        with intervals).

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> [table] = promoters(open_report("drivers", lang="en")).parts
    >>> table.data.iloc[:, 0].unique().tolist()
    ['Promoter model', 'Detractor model']
    """
    book = ctx.codebook
    logit = kda.logit_drivers(ctx.df, book.one(type="nps"), _drivers(ctx), weight=book.weight)
    used = logit.fit.set_index("model")["n_used"]
    base = logit.coefficients["model"].map(used).tolist()  # each model's respondents used
    return [ctx.table(logit.coefficients, digits=3, base=base)]


@report_section(REPORT, "stability")
def stability(ctx: ReportContext) -> list:
    """Importance per wave, and its changes in the latest wave.

    Returns
    -------
    cxlab.notebook.Shown
        The tables of :func:`cxlab.drivers.driver_stability`: the fit per wave, then the
        importance of each driver in the latest wave with its change since the wave before. A
        wave whose model rests on fewer than ``min_base`` respondents shows "n < 30" for its
        fit and importance, and so does a change from or to it.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> fits, latest = stability(open_report("drivers", lang="en", n_boot=50)).parts
    >>> fits.data.iloc[:, 0].tolist(), latest.data.iloc[:, 0].unique().tolist()
    (['2025Q1', '2025Q2', '2025Q3', '2025Q4'], ['2025Q4'])
    """
    book = ctx.codebook
    st = _stability(ctx)
    table = st.table
    latest = table[table[book.wave] == table[book.wave].max()]
    return [ctx.table(st.fit, digits=3), ctx.table(latest, digits=3, **_latest_bases(ctx, st))]


#: Columns of the stability table that compare the latest wave with the one before.
STABILITY_CHANGE = (
    "change",
    "change_ci_low",
    "change_ci_high",
    "rank_change",
    "rank_change_ci_low",
    "rank_change_ci_high",
    "change_significant",
    "rank_significant",
)


def _latest_bases(ctx: ReportContext, st) -> dict:
    """``base`` and ``cells`` of the latest wave's importance table: that wave's model base, and
    for the changes the smaller of it and the wave before's."""
    fit = st.fit.sort_values(ctx.codebook.wave)
    bases = fit["n_used"].tolist()
    latest, before = bases[-1], (bases[-2] if len(bases) > 1 else bases[-1])
    rows = int((st.table[ctx.codebook.wave] == st.table[ctx.codebook.wave].max()).sum())
    change = [min(latest, before)] * rows
    return {"base": [latest] * rows, "cells": dict.fromkeys(STABILITY_CHANGE, change)}


@report_section(REPORT, "points")
def points(ctx: ReportContext) -> list:
    """Key points read off the importance, matrix, penalty and (with waves) stability results.

    Returns
    -------
    cxlab.notebook.Shown
        Markdown: the bullet list of :func:`cxlab.narrative.driver_points`, or one sentence
        saying that nothing stands out.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> [text] = points(open_report("drivers", lang="en", n_boot=50)).parts
    >>> text.splitlines()[0].split(";")[0]
    '- The drivers explain 67.5% of the variance of the outcome (R²)'
    """
    book = ctx.codebook
    stab = _stability(ctx).table if ctx.runs("stability", show=False) else None
    pr = _penalty(ctx).table
    sentences = narrative.driver_points(
        _importance(ctx).table,
        _matrix(ctx).points,
        penalty=pr[pr[["n_low", "n_high"]].min(axis=1) >= ctx.min_base],
        stability=stab,
        labels=_labels(ctx),
        wave=book.wave,
        lang=ctx.lang,
    )
    return [points_markdown(sentences, lang=ctx.lang)]

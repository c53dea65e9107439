"""Sections of the key-driver report (``notebooks/drivers.ipynb``).

No progress bars: a page is read after the run (a bar would be a widget, with its script).
Options (notebook parameters): ``outcome`` (default: the codebook's ``role: outcome`` item),
``method`` ("shapley"), ``n_boot`` (500), ``low`` (2), ``high`` (5), ``seed`` (1).
"""

from __future__ import annotations

from cxlab import drivers as kda
from cxlab import narrative, plots, present
from cxlab.markup import escape_markdown
from cxlab.messages import msg
from cxlab.notebook import ReportContext, report_section
from cxlab.pages.parts import figure, points_markdown

__all__ = ["fit", "importance", "matrix", "outcome", "penalty", "points", "promoters", "stability"]

REPORT = "drivers"


def outcome(ctx: ReportContext) -> str:
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
            outcome(ctx),
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
            outcome(ctx),
            _drivers(ctx),
            weight=ctx.codebook.weight,
            method=ctx.option("method", "shapley"),
        ),
    )


def _penalty(ctx: ReportContext):
    return ctx.cached(
        "penalty",
        lambda: kda.penalty_reward(
            ctx.df,
            outcome(ctx),
            _drivers(ctx),
            low=ctx.option("low", 2),
            high=ctx.option("high", 5),
            weight=ctx.codebook.weight,
        ),
    )


def _stability(ctx: ReportContext):
    book = ctx.codebook
    return ctx.cached(
        "stability",
        lambda: kda.driver_stability(
            ctx.survey.data,
            outcome(ctx),
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
    """The outcome and the number of drivers; the regression's fit and coefficients."""
    book, lang = ctx.codebook, ctx.lang
    y = outcome(ctx)
    line = msg(
        "pages.drivers.header", lang, outcome=escape_markdown(ctx.label(y)), n=len(_drivers(ctx))
    )
    reg = kda.regression(ctx.df, y, _drivers(ctx), weight=book.weight)
    return [
        line,
        present.table(reg.fit, book, digits=3, lang=lang),
        present.table(reg.coefficients, book, digits=3, lang=lang),
    ]


@report_section(REPORT, "importance")
def importance(ctx: ReportContext) -> list:
    """Relative importance (share of R²) with bootstrap intervals."""
    ri = _importance(ctx)
    fig, ax = figure(8, 0.4 * len(_drivers(ctx)) + 1)
    title = msg("pages.drivers.importance_title", ctx.lang, label=ctx.label(outcome(ctx)))
    plots.plot_importance(ri.table, labels=_labels(ctx), ax=ax, title=title, lang=ctx.lang)
    fig.tight_layout()
    return [fig, present.table(ri.table, ctx.codebook, digits=3, lang=ctx.lang)]


@report_section(REPORT, "matrix")
def matrix(ctx: ReportContext) -> list:
    """Importance against performance, split at the means."""
    lang = ctx.lang
    m = _matrix(ctx)
    fig, ax = figure(7, 5)
    plots.plot_quadrants(
        m,
        labels=_labels(ctx),
        ax=ax,
        title=msg("pages.drivers.matrix_title", lang),
        ylabel=msg("pages.drivers.matrix_y", lang),
        xlabel=msg("pages.drivers.performance", lang),
        lang=lang,
    )
    fig.tight_layout()
    return [fig, present.table(m.points, ctx.codebook, digits=2, lang=lang)]


@report_section(REPORT, "penalty")
def penalty(ctx: ReportContext) -> list:
    """Penalty for low and reward for high ratings."""
    pr = _penalty(ctx)
    fig, ax = figure(8, 0.4 * len(_drivers(ctx)) + 1)
    plots.plot_penalty_reward(pr.table, labels=_labels(ctx), ax=ax, lang=ctx.lang)
    fig.tight_layout()
    return [fig, present.table(pr.table, ctx.codebook, digits=3, lang=ctx.lang)]


@report_section(REPORT, "promoters")
def promoters(ctx: ReportContext) -> list:
    """Odds ratios of being a promoter or a detractor per rating point of each driver."""
    book = ctx.codebook
    logit = kda.logit_drivers(ctx.df, book.one(type="nps"), _drivers(ctx), weight=book.weight)
    return [present.table(logit.coefficients, book, digits=3, lang=ctx.lang)]


@report_section(REPORT, "stability")
def stability(ctx: ReportContext) -> list:
    """Importance per wave, and its changes in the latest wave."""
    book, lang = ctx.codebook, ctx.lang
    st = _stability(ctx)
    table = st.table
    latest = table[table[book.wave] == table[book.wave].max()]
    return [
        present.table(st.fit, book, digits=3, lang=lang),
        present.table(latest, book, digits=3, lang=lang),
    ]


@report_section(REPORT, "points")
def points(ctx: ReportContext) -> list:
    """Key points read off the importance, matrix, penalty and (with waves) stability results."""
    book = ctx.codebook
    stab = _stability(ctx).table if ctx.runs("stability", show=False) else None
    sentences = narrative.driver_points(
        _importance(ctx).table,
        _matrix(ctx).points,
        penalty=_penalty(ctx).table,
        stability=stab,
        labels=_labels(ctx),
        wave=book.wave,
        lang=ctx.lang,
    )
    return [points_markdown(sentences, lang=ctx.lang)]

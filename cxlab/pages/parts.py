"""Small pieces the section functions of :mod:`cxlab.pages` share: figures, bullet lists, and
the small-base pieces (bases of trend changes, notes under charts, respondents whose comments may
be shown)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cxlab.messages import msg

__all__ = [
    "TREND_CHANGE",
    "chart_notes",
    "figure",
    "finish_layout",
    "in_large_groups",
    "points_markdown",
    "trend_cells",
    "warning_parts",
]


def figure(width: float, height: float, *, ncols: int = 1, **kwargs):
    """A figure outside pyplot's state, drawn by Agg, and its Axes (an array when ``ncols > 1``).

    Parameters
    ----------
    width, height : float
        Size in inches.
    ncols : int
        Side-by-side panels.
    **kwargs
        Passed to :meth:`matplotlib.figure.Figure.subplots` (``sharex``, ``squeeze``).

    Returns
    -------
    (matplotlib.figure.Figure, Axes or array of Axes)

    Notes
    -----
    The figure has its Agg canvas from the start, so that its layout (``tight_layout``) and the
    PNG the page shows are computed by one renderer, which measures each label once. A figure
    without one gets a fresh renderer for the PNG, and every text is measured again: about a
    third of a chart's drawing time. The pixels are the same.

    Examples
    --------
    >>> fig, axes = figure(8, 3, ncols=2)
    >>> len(axes), fig.get_size_inches().tolist(), type(fig.canvas).__name__
    (2, [8.0, 3.0], 'FigureCanvasAgg')
    """
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig, fig.subplots(1, ncols, **kwargs)


def finish_layout(fig: Figure) -> None:
    """Lay a figure out once, with matplotlib's tight layout, and leave no layout engine on it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure whose axes are drawn (titles, labels, legends in place).

    Notes
    -----
    ``Figure.tight_layout`` leaves a placeholder layout engine on the figure, and
    ``print_figure`` then lays the whole figure out in a draw of its own before the draw that
    makes the PNG (it does so for any engine, to let a constrained layout settle). Without an
    engine the PNG costs one draw, not two; the layout, done here, is the same.

    Examples
    --------
    >>> fig, ax = figure(4, 3)
    >>> finish_layout(fig)
    >>> fig.get_layout_engine() is None
    True
    """
    fig.tight_layout()
    fig.set_layout_engine(None)


def _bullets(sentences: Sequence[str]) -> str:
    """Markdown sentences as a bullet list (the sentences are Markdown already)."""
    return "\n".join(f"- {s}" for s in sentences)


def points_markdown(sentences: Sequence[str], *, lang: str = "zh") -> str:
    """Key points as a bullet list, or one sentence saying that none stands out.

    Parameters
    ----------
    sentences : sequence of str
        Key points, Markdown already (from :mod:`cxlab.narrative`, values escaped there).
    lang : {"zh", "en"}
        Language of the sentence for no key points.

    Returns
    -------
    str
        Markdown: one ``- `` line per sentence, or the message ``pages.no_points``.

    Examples
    --------
    >>> print(points_markdown(["NPS is **14.4**.", "Wait times fell."]))
    - NPS is **14.4**.
    - Wait times fell.
    >>> points_markdown([], lang="en")
    'Nothing stands out: no difference or change here is significant.'
    """
    return _bullets(sentences) if sentences else msg("pages.no_points", lang)


def warning_parts(ctx, *, text: str | None = None, item: str | None = None, analyzed=None) -> list:
    """The early-warning section of a report: the sentence, and the alerts of the latest period.

    Charts are drawn per the codebook's ``owner`` column (else its first segment) and period,
    with the limits from the earlier periods (:func:`cxlab.loop.warning.scan`). When the
    period has an alert, the part carries :data:`cxlab.reports.ALERT_MARK` so the index marks
    the page.

    Parameters
    ----------
    ctx : cxlab.notebook.ReportContext
    text, item : str, optional
        The comment column and the NPS column to chart.
    analyzed : pandas.DataFrame, optional
        :func:`cxlab.text.analyze` of every comment, to reuse.

    Returns
    -------
    list
        Markdown (with the mark when there is an alert) and the alerts table, if any.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> parts = warning_parts(open_report("satisfaction", lang="en"), item="nps")
    >>> parts[0].startswith("No alert in 2025Q4")
    True
    """
    from cxlab.loop.page import alerts_table, warning_text
    from cxlab.loop.warning import scan
    from cxlab.reports import ALERT_MARK

    book = ctx.codebook
    by = getattr(book, "owner", None) or next(iter(ctx.segments), None)
    found = scan(
        ctx.survey.data,
        wave=book.wave,
        text=text,
        item=item,
        by=by,
        period=ctx.period,
        analyzed=analyzed,
        taxonomy=ctx.option("taxonomy"),
    )
    sentence = warning_text(found, lang=ctx.lang)
    if found.alerts.empty:
        return [sentence]
    return [sentence + "\n\n" + ALERT_MARK, ctx.table(alerts_table(found, lang=ctx.lang), digits=3)]


def trend_cells(table: pd.DataFrame) -> dict:
    """The base of each change of a trend table: the smaller of its two waves' bases.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`cxlab.survey.trend` (or :func:`cxlab.text.sentiment_trend`): one
        row per wave in order, with ``n_used`` and the change columns.

    Returns
    -------
    dict
        ``cells`` for :func:`cxlab.present.small_cells`: each change column present ->
        per-row base (the first wave's own base, as it has no change).

    Examples
    --------
    >>> t = pd.DataFrame({"wave": ["Q1", "Q2", "Q3"], "n_used": [100, 8, 90],
    ...                   "change": [None, 1.0, 2.0], "p_change": [None, 0.5, 0.1]})
    >>> {k: list(v) for k, v in trend_cells(t).items()}
    {'change': [100.0, 8.0, 8.0], 'p_change': [100.0, 8.0, 8.0]}
    """
    n = table["n_used"].astype(float).reset_index(drop=True)
    both = n.where(n < n.shift(1), n.shift(1)).fillna(n).tolist()
    return {c: both for c in TREND_CHANGE if c in table}


#: Columns of a trend table that compare a wave with the one before.
TREND_CHANGE = ("change", "change_se", "p_change", "significant")


def chart_notes(notes) -> list[str]:
    """The notes under a figure (the groups each panel left out), as one Markdown part.

    Parameters
    ----------
    notes : iterable of str or None
        :attr:`cxlab.present.LeftOut.note` of each panel.

    Returns
    -------
    list of str
        One part joining the distinct notes, or no part when no panel left a group out.

    Examples
    --------
    >>> chart_notes([None, "*n < 30: A*", "*n < 30: A*"])
    ['*n < 30: A*']
    """
    said = list(dict.fromkeys(n for n in notes if n))
    return ["\n\n".join(said)] if said else []


def in_large_groups(df: pd.DataFrame, by, min_base: int) -> pd.Series:
    """Which respondents belong, in every grouping column, to a group of at least ``min_base``.

    Parameters
    ----------
    df : pandas.DataFrame
    by : str or list of str
        Grouping columns (the codebook's segments); a missing value is a group of its own.
    min_base : int

    Returns
    -------
    pandas.Series of bool
        Same index as ``df``: True where the respondent's comments may be shown.

    Examples
    --------
    >>> d = pd.DataFrame({"r": ["N"] * 3 + ["S"], "c": ["a", "b", "a", "a"]})
    >>> in_large_groups(d, ["r", "c"], 2).tolist()
    [True, False, True, False]
    """
    from cxlab.checks import as_list

    keep = pd.Series(True, index=df.index)
    for col in as_list(by):
        size = df.groupby(col, dropna=False)[col].transform("size")
        keep &= size >= min_base
    return keep

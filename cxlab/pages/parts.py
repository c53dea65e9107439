"""Small pieces the section functions of :mod:`cxlab.pages` share: figures, bullet lists."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from cxlab.messages import msg

__all__ = ["figure", "points_markdown"]


def figure(width: float, height: float, *, ncols: int = 1, **kwargs):
    """A figure outside pyplot's state, and its Axes (an array when ``ncols > 1``).

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

    Examples
    --------
    >>> fig, axes = figure(8, 3, ncols=2)
    >>> len(axes), fig.get_size_inches().tolist()
    (2, [8.0, 3.0])
    """
    fig = Figure(figsize=(width, height))
    return fig, fig.subplots(1, ncols, **kwargs)


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
    from cxlab import present
    from cxlab.loop.page import alerts_table, warning_text
    from cxlab.loop.warning import scan
    from cxlab.reports import ALERT_MARK

    book = ctx.codebook
    by = getattr(book, "owner", None) or next(iter(book.segments), None)
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
    return [
        sentence + "\n\n" + ALERT_MARK,
        present.table(alerts_table(found, lang=ctx.lang), book, digits=3, lang=ctx.lang),
    ]

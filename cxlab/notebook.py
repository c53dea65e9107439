"""The header every report notebook starts with: one call from the parameters to the survey.

A report notebook's first cell after ``parameters`` is::

    from cxlab.notebook import open_report
    ctx = open_report("satisfaction", data=data, codebook=codebook, period=period, lang=lang)
    ctx.show_header()

and each section starts with ``if ctx.runs("trends"):``, which says in one sentence why a section
is left out when the survey lacks what it needs (see :mod:`cxlab.sections`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cxlab import sections
from cxlab.codebook import Codebook
from cxlab.messages import check_lang, msg

__all__ = ["ReportContext", "open_report"]


@dataclass(frozen=True)
class ReportContext:
    """What a report notebook works with, built by :func:`open_report`.

    Attributes
    ----------
    report : str
        The report's name (a key of :data:`cxlab.sections.REPORTS`).
    survey : cxlab.io.Survey
        The whole survey as loaded (every wave).
    codebook : Codebook
    df : pandas.DataFrame
        The respondents of the chosen period (every respondent when the survey has no wave).
    period : str or None
        The period shown (the latest wave when none was asked for), or None without a wave.
    lang : {"zh", "en"}
    title : str
        The page title: the ``title`` parameter, else the survey name, else the report's name.
    labels : dict
        Display label of every column the codebook names.
    plan : pandas.DataFrame
        :func:`cxlab.sections.plan` for this report and survey.
    """

    report: str
    survey: object
    codebook: Codebook
    df: pd.DataFrame
    period: str | None
    lang: str
    title: str
    labels: dict[str, str] = field(default_factory=dict)
    plan: pd.DataFrame = field(default_factory=pd.DataFrame)

    def runs(self, section: str, *, show: bool = True) -> bool:
        """Whether a section runs; if not, show one sentence saying what the survey lacks."""
        row = self.plan[self.plan["section"] == section]
        if row.empty:
            raise ValueError(
                f"Report {self.report!r} has no section {section!r}; "
                f"sections: {self.plan['section'].tolist()}."
            )
        ok = bool(row["runs"].iloc[0])
        if not ok and show:
            _display_markdown(msg("section.left_out", self.lang, missing=row["missing"].iloc[0]))
        return ok

    def label(self, column: str) -> str:
        """The display label of a column."""
        return self.labels.get(column, column)

    def header(self) -> str:
        """The Markdown line under the page title: survey, period and base."""
        from cxlab.markup import escape_markdown

        period = self.period if self.period is not None else msg("period.all", self.lang)
        return msg(
            "header.line",
            self.lang,
            title=escape_markdown(self.title),
            period=escape_markdown(str(period)),
            n=f"{len(self.df):,}",
        )

    def show_header(self) -> None:
        """Display :meth:`header` in the notebook."""
        _display_markdown(self.header())


def _display_markdown(text: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(text))


def open_report(
    report: str,
    *,
    data: str | Path | None = "",
    codebook: str | Path | None = "",
    period: str = "",
    lang: str = "zh",
    title: str = "",
    inputs: Iterable[str] = (),
) -> ReportContext:
    """Load the survey for a report notebook and choose its period.

    Parameters
    ----------
    report : str
        The report's name (``"satisfaction"``...).
    data, codebook : str or Path
        The notebook's parameters: the survey file (empty: the bundled sample) and its codebook
        (empty: the codebook beside the data file).
    period : str
        The wave to report (empty: the latest).
    lang : {"zh", "en"}
    title : str
        Page title (empty: the survey name from the codebook).
    inputs : iterable of str
        Extra files the report was given (``"events"``, ``"staff"``), for the section plan.

    Returns
    -------
    ReportContext
    """
    from cxlab import io, survey
    from cxlab.paths import resolve_data

    check_lang(lang)
    sv = io.load_survey(resolve_data(data), codebook=codebook or None)
    book = sv.codebook
    df, shown = survey.select_wave(sv.data, book.wave, period)
    labels = {c: book.label(c) for c in book.columns}
    name = title or book.name or msg(f"report.{report}", lang)
    return ReportContext(
        report=report,
        survey=sv,
        codebook=book,
        df=df,
        period=shown,
        lang=lang,
        title=name,
        labels=labels,
        plan=sections.plan(book, report, inputs=inputs),
    )

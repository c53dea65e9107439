"""The header every report notebook starts with, and how a section is shown.

A report notebook's first cell after ``parameters`` is::

    from cxlab import pages
    from cxlab.notebook import open_report, show

    ctx = open_report("satisfaction", data=data, codebook=codebook, period=period, lang=lang,
                      title=title, min_base=min_base)
    ctx.show_header()

and each section is one call, ``show(pages.satisfaction.trends(ctx))``. A section function
(:mod:`cxlab.pages`) returns a :class:`Shown`: the parts the notebook displays (Markdown text,
tables from :meth:`ReportContext.table`, matplotlib figures), or one sentence saying what the
survey lacks when the section's needs (:mod:`cxlab.sections`) are not met.

Small bases: :attr:`ReportContext.min_base` (the ``min_base`` parameter, else the codebook's
``min_base``, else 30) goes into every table a section shows through :meth:`ReportContext.table`
(rows and cells under it show "n < 30", :func:`cxlab.present.suppress_small`) and every chart
through :meth:`ReportContext.chart_rows` (groups under it left out, named in a note).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cxlab import sections
from cxlab.codebook import Codebook
from cxlab.markup import escape_markdown
from cxlab.messages import check_lang, msg

__all__ = ["ReportContext", "Shown", "open_report", "report_context", "report_section", "show"]


@dataclass(frozen=True)
class ReportContext:
    """What a report's section functions work with, built by :func:`open_report`.

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
        Display label of every column the codebook names, in the report language where the
        codebook gives one per language.
    plan : pandas.DataFrame
        :func:`cxlab.sections.plan` for this report and survey (``missing`` in ``lang``).
    options : dict
        The report's other parameters (``min_base``, ``n_boot``, ``events``...).
    segments : list of str
        (Property) the codebook's segment columns, less the ``each`` column on a unit's page.
    min_base : int
        (Property) the small-base threshold of the page, see :meth:`table`.
    sample : bool
        Whether the survey is the bundled sample (which ships an event log and a staff survey).
    benchmark : pandas.DataFrame or None
        On a unit's page (``cxlab report NAME --each COLUMN``): the whole survey's respondents of
        the period; ``survey`` and ``df`` then hold the unit's respondents only.
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
    options: Mapping[str, object] = field(default_factory=dict)
    sample: bool = False
    #: With ``--each``: the whole survey's respondents of the period, as the unit's benchmark.
    benchmark: pd.DataFrame | None = None
    #: Results shared between sections (the key points reuse the importance bootstrap...).
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    def missing(self, section: str) -> str | None:
        """What the survey lacks for a section, in words (None: the section runs)."""
        row = self.plan[self.plan["section"] == section]
        if row.empty:
            raise ValueError(
                f"Report {self.report!r} has no section {section!r}; "
                f"sections: {self.plan['section'].tolist()}."
            )
        return None if bool(row["runs"].iloc[0]) else str(row["missing"].iloc[0])

    def runs(self, section: str, *, show: bool = True) -> bool:
        """Whether a section's needs are met; if not and ``show``, display the sentence saying
        what the survey lacks (for notebooks whose sections are cells, ``if ctx.runs(...):``)."""
        lack = self.missing(section)
        if lack is not None and show:
            _display([msg("section.left_out", self.lang, missing=lack)])
        return lack is None

    def label(self, column: str) -> str:
        """The display label of a column (plain text: escape it before it goes into Markdown)."""
        return self.labels.get(column, column)

    def option(self, name: str, default=None):
        """A report parameter; ``default`` when it was not given or is empty."""
        value = self.options.get(name)
        return default if value is None or value == "" else value

    @property
    def segments(self) -> list[str]:
        """The segment columns the page breaks its results down by: the codebook's segments,
        less the ``each`` column on a unit's page (its respondents are all one group of it)."""
        each = self.options.get("each") or ""
        return [c for c in self.codebook.segments if c != each]

    @property
    def min_base(self) -> int:
        """Fewest respondents a group, unit or cell needs on this page
        (:func:`cxlab.codebook.page_min_base`: the parameter, else the codebook's, else 30)."""
        from cxlab.codebook import page_min_base

        codebook_value = getattr(self.codebook, "min_base", None)
        return page_min_base(parameter=self.option("min_base"), codebook_value=codebook_value)

    def table(self, table: pd.DataFrame, *, digits: int = 1, base=None, **options):
        """:func:`cxlab.present.table` in the page's language, with its codebook and
        :attr:`min_base`: a row or cell under it shows "n < 30" in place of its statistics.

        ``base`` (False: no row base, e.g. a table of bases or of one sample; ``cells`` still
        apply), ``keep``, ``cells``, ``rename`` and ``values`` are passed on (see
        :func:`cxlab.present.small_cells`)."""
        from cxlab import present

        return present.table(
            table,
            self.codebook,
            lang=self.lang,
            digits=digits,
            min_base=self.min_base,
            base=base,
            **options,
        )

    def kpi_table(self, table: pd.DataFrame, *, digits: int = 1):
        """:func:`cxlab.present.kpi_table` with the page's language, codebook and min_base."""
        from cxlab import present

        return present.kpi_table(
            table, self.codebook, lang=self.lang, digits=digits, min_base=self.min_base
        )

    def chart_rows(self, table: pd.DataFrame, by: str, *, base=None, labels=None):
        """The rows a chart may draw, and the note naming the groups under :attr:`min_base`
        (:func:`cxlab.present.leave_out_small`)."""
        from cxlab import present

        return present.leave_out_small(
            table, by, min_base=self.min_base, lang=self.lang, base=base, labels=labels
        )

    def cached(self, key: str, compute: Callable[[], object]):
        """``compute()`` once per context; later calls return the same result."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    def input_file(self, name: str) -> str | Path | None:
        """An extra input of the report (``events``, ``staff``): the parameter, else the
        sample's file when the report runs on the sample survey, else None."""
        from cxlab.paths import SAMPLE_DIR

        given = self.option(name)
        if given:
            return given
        return SAMPLE_DIR / f"{name}.csv" if self.sample else None

    def header(self) -> str:
        """The Markdown line under the page title: survey, period and base, and a note when the
        row number stands in for a respondent id."""
        if self.codebook.wave is None:  # no waves: nothing to say about one
            line = msg(
                "header.line_no_wave",
                self.lang,
                title=escape_markdown(self.title),
                n=f"{len(self.df):,}",
            )
        else:
            period = self.period if self.period is not None else msg("period.all", self.lang)
            line = msg(
                "header.line",
                self.lang,
                title=escape_markdown(self.title),
                period=escape_markdown(period),
                n=f"{len(self.df):,}",
            )
        if self.benchmark is not None:
            line += "\n\n" + msg(
                "header.unit",
                self.lang,
                by=escape_markdown(self.label(self.option("each"))),
                unit=escape_markdown(str(self.option("unit"))),
                n=f"{len(self.benchmark):,}",
            )
        if self.codebook.id is None:
            line += "\n\n" + msg("header.row_id", self.lang)
        return line

    def show_header(self) -> None:
        """Display :meth:`header` in the notebook."""
        show(self.header())


@dataclass(frozen=True)
class Shown:
    """What a section shows.

    Attributes
    ----------
    section : str
        The section's key.
    parts : tuple
        In order: Markdown text (``str``), tables (a pandas Styler or DataFrame), matplotlib
        figures.
    missing : str or None
        What the survey lacks, when the section is left out (its one part says so); None when
        it ran.
    """

    section: str
    parts: tuple = ()
    missing: str | None = None

    @property
    def ran(self) -> bool:
        """Whether the section ran (its needs were met)."""
        return self.missing is None


def report_section(report: str, key: str):
    """Decorate a section function ``f(ctx) -> list of parts`` of a report.

    The wrapped function returns a :class:`Shown`; when the section's needs are not met it does
    not call ``f`` and returns the sentence ``section.left_out`` naming what is missing. Its
    docstring gets the Parameters every section function shares (before its Returns), and its
    Returns (which says what the parts are) gets the sentence on a section left out; without a
    Returns section, a general one is added.

    Parameters
    ----------
    report : str
        A report of :data:`cxlab.sections.REPORTS`.
    key : str
        The section's key there (``"trends"``).

    Returns
    -------
    callable
        The decorator.

    Examples
    --------
    >>> @report_section("voice", "trend")
    ... def trend(ctx):
    ...     return ["a figure"]
    >>> book = Codebook.from_dict({"items": {"c": {"type": "text"}}})
    >>> from types import SimpleNamespace
    >>> sv = SimpleNamespace(data=pd.DataFrame({"c": ["ok"]}), codebook=book)
    >>> shown = trend(report_context("voice", sv, lang="en"))
    >>> shown.ran, shown.parts[0]
    (False, '*Section left out: the survey lacks a wave column (add `wave: <column>` to the codebook).*')
    """
    if key not in {s.key for s in sections.REPORTS[report]}:
        raise ValueError(f"Report {report!r} has no section {key!r} in cxlab.sections.REPORTS.")

    def wrap(f):
        @functools.wraps(f)
        def run(ctx: ReportContext) -> Shown:
            if ctx.report != report:
                raise ValueError(f"{f.__qualname__} is a {report} section; ctx is {ctx.report}.")
            lack = ctx.missing(key)
            if lack is not None:
                return Shown(key, (msg("section.left_out", ctx.lang, missing=lack),), lack)
            return Shown(key, tuple(f(ctx)))

        run.__doc__ = _section_doc(f.__doc__, report, key)
        return run

    return wrap


_SECTION_PARAMETERS = """Parameters
----------
ctx : cxlab.notebook.ReportContext
    Of the {report} report (:func:`cxlab.notebook.open_report`).
"""
_SECTION_RETURNS = """Returns
-------
cxlab.notebook.Shown
    The parts to show.
"""
_SECTION_LEFT_OUT = """    When the survey lacks what the section needs (``cxlab.sections.REPORTS["{report}"]``,
    section ``{key}``), its one part is a sentence saying so and ``missing`` names it.
"""


def _section_doc(doc: str | None, report: str, key: str) -> str:
    """A section function's docstring with the shared Parameters inserted before its Returns
    (or before its Examples, with a general Returns), and the left-out sentence under Returns."""
    doc = inspect.cleandoc(doc or "")
    fill = {"report": report, "key": key}
    head, sep, rest = doc.partition("\n\nReturns\n-------\n")
    if sep:
        returns, gap, tail = rest.partition("\n\n")
        returns = f"Returns\n-------\n{returns}\n"
    else:
        head, gap, tail = doc.partition("\n\nExamples\n--------\n")
        returns, tail = _SECTION_RETURNS, f"Examples\n--------\n{tail}" if gap else ""
    parts = [head, _SECTION_PARAMETERS.format(**fill), returns + _SECTION_LEFT_OUT.format(**fill)]
    return "\n\n".join(p.rstrip() for p in parts) + ("\n\n" + tail if tail else "\n")


def show(shown) -> None:
    """Display a section's parts in the notebook (Markdown for text; figures closed after).

    Parameters
    ----------
    shown : Shown, str, or a list of parts

    Examples
    --------
    >>> show(Shown("kpis", ("**text**",)))  # outside a notebook IPython prints the object
    <IPython.core.display.Markdown object>
    """
    parts = shown.parts if isinstance(shown, Shown) else shown
    _display([parts] if isinstance(parts, str) else parts)


def _display(parts) -> None:
    from IPython.display import Markdown, display
    from matplotlib.figure import Figure

    for part in parts:
        if isinstance(part, str):
            display(Markdown(part))
        elif isinstance(part, Figure):
            display(part)
            _close(part)
        else:
            display(part)


def _close(fig) -> None:
    """Close a figure pyplot may hold, so the inline backend does not show it a second time."""
    import matplotlib.pyplot as plt

    plt.close(fig)


def report_context(
    report: str,
    survey,
    *,
    period: str = "",
    lang: str = "zh",
    title: str = "",
    sample: bool = False,
    **options,
) -> ReportContext:
    """A :class:`ReportContext` for a survey already loaded (see :func:`open_report`).

    Parameters
    ----------
    report : str
    survey : cxlab.io.Survey
        Its ``data`` and ``codebook`` (any object with them, such as a test's stand-in).
    period, lang, title
        As for :func:`open_report`.
    sample : bool
        Whether ``survey`` is the bundled sample (its event log and staff survey are inputs).
    **options
        The report's other parameters.

    Returns
    -------
    ReportContext

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> book = Codebook.from_dict({"id": "id", "items": {"q": {"type": "nps"}}})
    >>> sv = SimpleNamespace(data=pd.DataFrame({"id": [1, 2], "q": [9, 10]}), codebook=book)
    >>> ctx = report_context("satisfaction", sv, lang="en")
    >>> ctx.period, ctx.title, ctx.runs("kpis"), ctx.runs("trends", show=False)
    (None, 'Customer satisfaction', True, False)
    """
    from cxlab import survey as metrics
    from cxlab.check import inputs_for

    check_lang(lang)
    book = survey.codebook
    benchmark = None
    each, unit = options.get("each") or "", options.get("unit")
    if each:
        if each not in survey.data.columns:
            raise ValueError(f"`each` names column `{each}`, which the survey does not have.")
        benchmark, _ = metrics.select_wave(survey.data, book.wave, period)
        in_unit = survey.data[each].astype(str) == str(unit)
        survey = dataclasses.replace(survey, data=survey.data[in_unit])
    df, shown = metrics.select_wave(survey.data, book.wave, period)
    inputs = inputs_for({k: str(v) for k, v in options.items() if v}, sample=sample)
    return ReportContext(
        report=report,
        survey=survey,
        codebook=book,
        df=df,
        period=shown,
        lang=lang,
        title=title or book.title(lang=lang) or msg(f"report.{report}", lang),
        labels={c: book.label(c, lang=lang) for c in book.columns},
        plan=sections.plan(book, report, inputs=inputs, lang=lang),
        options=options,
        sample=sample,
        benchmark=benchmark,
    )


def open_report(
    report: str,
    *,
    data: str | Path | None = "",
    codebook: str | Path | None = "",
    period: str = "",
    lang: str = "zh",
    title: str = "",
    **options,
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
        The wave value to report (empty: the latest).
    lang : {"zh", "en"}
    title : str
        Page title (empty: the survey name from the codebook).
    **options
        The report's other parameters (``min_base=30``, ``events="events.csv"``...), read by
        its section functions.

    Returns
    -------
    ReportContext

    Examples
    --------
    >>> ctx = open_report("drivers", lang="en", n_boot=0)
    >>> ctx.period, ctx.runs("stability", show=False), ctx.option("n_boot"), ctx.option("seed", 1)
    ('2025Q4', True, 0, 1)
    """
    from cxlab import io
    from cxlab.check import take_preloaded
    from cxlab.paths import resolve_data

    check_lang(lang)
    # A report kernel forked by `cxlab report` may find the survey loaded before the fork.
    sv = take_preloaded(data, codebook=codebook or None)
    sv = sv or io.load_survey(resolve_data(data), codebook=codebook or None)
    return report_context(
        report, sv, period=period, lang=lang, title=title, sample=not data, **options
    )

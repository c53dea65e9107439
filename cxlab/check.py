"""``cxlab check``: validate a survey and its codebook, and say which report sections it feeds.

Runs before any kernel starts (``cxlab report`` calls it first): the codebook is validated against
the data by :func:`cxlab.io.load_survey` (columns exist, ranges and label sets fit, missing codes
do not clash), the exclusions are summarised, and :func:`cxlab.sections.plan` lists for each
report which sections will run and what the others lack.

A ``cxlab report`` command reads the survey once for the check and the ``--each`` unit bases
(:func:`load_checked` keeps it while its files are unchanged). This module imports pandas (the
survey needs it) but nothing heavier: no scipy, no statsmodels.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cxlab import sections

__all__ = [
    "SurveyCheck",
    "check_survey",
    "describe",
    "inputs_for",
    "load_checked",
    "plan_pages",
    "preload_survey",
    "take_preloaded",
    "unit_counts",
]


@dataclass(frozen=True)
class SurveyCheck:
    """The result of :func:`check_survey`.

    Attributes
    ----------
    survey : cxlab.io.Survey
        The loaded survey.
    plan : pandas.DataFrame
        :func:`cxlab.sections.plan` of every report checked, concatenated.
    applicable : dict
        Report name -> whether any of its (non-summary) sections runs.
    """

    survey: object
    plan: pd.DataFrame
    applicable: dict[str, bool]


def inputs_for(parameters: dict[str, str], *, sample: bool) -> set[str]:
    """The extra input files a report run has: named by parameters, or bundled with the sample.

    Parameters
    ----------
    parameters : dict
        The ``-p`` parameters (``events``, ``staff``).
    sample : bool
        Whether the run uses the bundled sample survey, which ships an event log and a staff
        survey.

    Returns
    -------
    set of str

    Examples
    --------
    >>> sorted(inputs_for({}, sample=True)), sorted(inputs_for({"events": "e.csv"}, sample=False))
    (['events', 'staff'], ['events'])
    """
    given = {k for k in ("events", "staff") if parameters.get(k)}
    return given | ({"events", "staff"} if sample else set())


def _identity(path: Path | None) -> tuple:
    if path is None:
        return (None,)
    try:
        stat = os.stat(path)
    except OSError:
        return (str(path), None)
    return (str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)


def load_checked(data: str | Path | None, *, codebook: str | Path | None = None):
    """:func:`cxlab.io.load_survey` of a survey, read once while its files stay unchanged.

    Parameters
    ----------
    data : str or Path or None
        The survey file; None or empty for the bundled sample.
    codebook : str or Path, optional
        The codebook (default: the one beside the data, as the loader finds it).

    Returns
    -------
    cxlab.io.Survey
        The same object again for the same data and codebook files, as long as neither file's
        size or modification time changed; otherwise the survey is loaded anew. Treat it as
        read-only (copy a table before changing it).

    Examples
    --------
    >>> load_checked(None) is load_checked("")
    True
    """
    from cxlab.paths import resolve_data

    given, data_id, book_id = _identities(data, codebook)
    return _load(str(resolve_data(data)), given, data_id, book_id)


@functools.lru_cache(maxsize=4)
def _load(data: str, codebook: str | None, data_id: tuple, book_id: tuple):
    from cxlab import io

    return io.load_survey(data, codebook=codebook)


#: The survey :func:`preload_survey` loaded, with the file identities it was loaded from.
_preloaded: dict = {}


def _identities(data: str | Path | None, codebook: str | Path | None) -> tuple:
    from cxlab.io import find_codebook
    from cxlab.paths import resolve_data

    path = resolve_data(data)
    book = Path(codebook) if codebook else find_codebook(path)
    return (str(codebook) if codebook else None, _identity(path), _identity(book))


def preload_survey(data: str | Path | None, *, codebook: str | Path | None = None) -> None:
    """Load a survey now, for :func:`take_preloaded` to hand to one later caller.

    Used by :mod:`cxlab.zygote` before it forks the kernels of ``cxlab report --each``: each
    forked kernel finds the survey in memory (copy-on-write) instead of reading it again.

    Parameters
    ----------
    data : str or Path or None
        The survey file; None or empty for the bundled sample.
    codebook : str or Path, optional
        The codebook (default: the one beside the data).

    Examples
    --------
    >>> preload_survey(None)
    >>> take_preloaded(None) is not None, take_preloaded(None)  # taken once only
    (True, None)
    """
    _preloaded.clear()
    _preloaded.update(key=_identities(data, codebook), survey=load_checked(data, codebook=codebook))


def take_preloaded(
    data: str | Path | None, *, codebook: str | Path | None = None, keep: bool = False
):
    """The survey :func:`preload_survey` loaded, if it was loaded from these very files.

    Parameters
    ----------
    data, codebook
        As given to :func:`cxlab.io.load_survey` (data None or empty: the sample).
    keep : bool
        Leave it for the next caller (:mod:`cxlab.rehearsal`, which works on a copy).

    Returns
    -------
    cxlab.io.Survey or None
        The preloaded survey, handed out once (a second call gets None and loads its own):
        only when the data and codebook files are the ones it was loaded from, with the same
        size and modification time. None if nothing was preloaded or the files differ.

    Examples
    --------
    >>> take_preloaded("no/such/survey.csv") is None
    True
    """
    if not _preloaded or _preloaded["key"] != _identities(data, codebook):
        return None
    survey = _preloaded["survey"]
    if not keep:
        _preloaded.clear()
    return survey


def check_survey(
    data: str | Path | None,
    *,
    codebook: str | Path | None = None,
    reports: Iterable[str] | None = None,
    inputs: Iterable[str] = (),
) -> SurveyCheck:
    """Load a survey with its codebook and plan every report's sections.

    Parameters
    ----------
    data : str or Path or None
        The survey file; None for the bundled sample (as :func:`cxlab.paths.resolve_data`).
    codebook : str or Path, optional
        The codebook (default: the one beside the data).
    reports : iterable of str, optional
        Reports to plan (default: every report of :data:`cxlab.sections.REPORTS`).
    inputs : iterable of str
        Extra files the runs have (see :func:`inputs_for`).

    Returns
    -------
    SurveyCheck
        ``survey``, ``plan`` (columns of :func:`cxlab.sections.plan`) and ``applicable``.

    Raises
    ------
    cxlab.io.SurveyError, cxlab.codebook.CodebookError
        The data or the codebook cannot be used; the message says what to fix.

    Examples
    --------
    >>> c = check_survey(None, reports=["satisfaction"], inputs=["events", "staff"])
    >>> bool(c.plan["runs"].all()), c.applicable
    (True, {'satisfaction': True})
    """
    sv = load_checked(data, codebook=codebook)
    names = list(reports) if reports is not None else list(sections.REPORTS)
    plans = [sections.plan(sv.codebook, r, inputs=inputs) for r in names]
    return SurveyCheck(
        survey=sv,
        plan=pd.concat(plans, ignore_index=True)
        if plans
        else pd.DataFrame(columns=["report", "section", "runs", "missing"]),
        applicable={r: sections.applicable(sv.codebook, r, inputs=inputs) for r in names},
    )


def describe(result: SurveyCheck) -> str:
    """The check as lines for a terminal: the survey, its exclusions, each report's sections.

    Parameters
    ----------
    result : SurveyCheck

    Returns
    -------
    str

    Examples
    --------
    >>> print(describe(check_survey(None, reports=["voice"])).splitlines()[-1])
    voice: ... of ... sections
    """
    sv = result.survey
    ex = sv.exclusions
    actions = ex["action"].value_counts().to_dict() if len(ex) else {}
    lines = [
        f"survey: {sv.source} ({sv.n_read:,} records, {len(sv.data):,} kept)",
        f"codebook: {sv.codebook.source}",
    ]
    if sv.codebook.id is None:
        lines.append("respondent id: none in the codebook; the row number in the file is the id")
    if len(ex):
        lines.append("exclusions: " + ", ".join(f"{n:,} {a}" for a, n in sorted(actions.items())))
        summary = sv.exclusion_summary()
        lines += ["  " + line for line in summary.to_string(index=False).splitlines()]
    else:
        lines.append("exclusions: none")
    for report, rows in result.plan.groupby("report", sort=False):
        runs = int(rows["runs"].sum())
        if result.applicable[report]:
            lines.append(f"{report}: {runs} of {len(rows)} sections")
        else:
            lines.append(f"{report}: not applicable (no section can run)")
        for r in rows.itertuples():
            if not r.runs:
                lines.append(f"  - {r.section}: left out, needs {r.missing}")
    return "\n".join(lines)


def unit_counts(sv, each: str, *, period: str = "") -> dict[str, int]:
    """Respondents of each value of ``each`` in a period: the units of ``cxlab report --each``.

    Parameters
    ----------
    sv : cxlab.io.Survey
        The survey.
    each : str
        The column with one page per value (a store, region or channel column).
    period : str
        The value of the codebook's wave column to count in; empty: the latest.

    Returns
    -------
    dict
        Unit value (as text) -> respondents in the period, for every value that occurs in the
        survey (a unit without respondents in the period has 0), sorted by value. Rows without
        a value get no page.

    Raises
    ------
    ValueError
        The survey has no column ``each`` (the message lists its segments), or no such period.

    Examples
    --------
    >>> bases = unit_counts(load_checked(None), "region", period="2025Q4")
    >>> list(bases), bases["华东"]
    (['华东', '华北', '华南', '港台', '西部'], 446)
    """
    from cxlab.survey import select_wave

    book = sv.codebook
    if each not in sv.data.columns:
        segments = ", ".join(book.segments) or "none"
        raise ValueError(f"--each {each!r}: the survey has no such column (segments: {segments}).")
    try:
        rows, _ = select_wave(sv.data, book.wave, period)
    except ValueError as e:
        raise ValueError(f"--each {each}: {e}") from None
    units = sorted({str(v) for v in sv.data[each].dropna()})
    counts = rows[each].dropna().astype(str).value_counts()
    return {u: int(counts.get(u, 0)) for u in units}


def _without_unit(sv, each: str, *, period: str = "") -> int:
    """Respondents of the period with no value of ``each`` (on no unit's page)."""
    from cxlab.survey import select_wave

    rows, _ = select_wave(sv.data, sv.codebook.wave, period)
    return int(rows[each].isna().sum())


def plan_pages(
    data: str | Path | None,
    *,
    codebook: str | Path | None = None,
    reports: Iterable[str] = (),
    inputs: Iterable[str] = (),
    each: str | None = None,
    periods: Iterable[str] = ("",),
) -> dict:
    """What ``cxlab report`` must know of the survey before any kernel runs a cell.

    The runner asks this of the process its kernels are forked from (:mod:`cxlab.zygote`), which
    loads the survey for them anyway, so that the runner itself never imports pandas; where
    kernels are not forked, it calls this function itself. Either way the survey stays loaded
    (:func:`load_checked`) for :func:`preload_survey`.

    Parameters
    ----------
    data : str or Path or None
        The survey file; None or empty for the bundled sample.
    codebook : str or Path, optional
        The codebook (default: the one beside the data).
    reports : iterable of str
        Report names to plan (:data:`cxlab.sections.REPORTS`; other names are not planned).
    inputs : iterable of str
        Extra files the runs have (see :func:`inputs_for`).
    each : str, optional
        ``--each`` column: count its units in each of ``periods``.
    periods : iterable of str
        The periods the pages report (empty string: the latest).

    Returns
    -------
    dict
        Plain values (it crosses a pipe as JSON): ``loaded`` (whether the survey could be
        read), ``applicable`` (report -> bool, for the
        reports planned), ``bases`` (period -> :func:`unit_counts`, or None without ``each``),
        ``no_unit`` (period -> respondents without a value of ``each``, on no unit's page; None
        without ``each``),
        ``min_base`` (the codebook's ``min_base:``, or None when it has none or the
        survey was not needed and could not be read) and ``each_label`` (language -> the
        codebook's label of ``each``, what pages and the index call the units; None without
        ``each``).

    Raises
    ------
    ValueError
        The data or the codebook cannot be used (when a report is planned or ``each`` is
        given; a notebook outside :data:`cxlab.sections.REPORTS` may not read the survey),
        or ``each`` is not a column, or a period is not in the survey.

    Examples
    --------
    >>> facts = plan_pages(None, reports=["voice"], each="region", periods=["2025Q4"])
    >>> facts["applicable"], facts["bases"]["2025Q4"]["华东"], facts["min_base"]
    ({'voice': True}, 446, None)
    >>> facts["each_label"]["zh"]
    '地区'

    """
    known = [r for r in reports if r in sections.REPORTS]
    try:
        sv = load_checked(data, codebook=codebook)
    except ValueError:
        if known or each:
            raise
        return {
            "loaded": False,
            "applicable": {},
            "bases": None,
            "no_unit": None,
            "min_base": None,
            "each_label": None,
        }
    inputs = set(inputs)
    return {
        "loaded": True,
        "applicable": {r: sections.applicable(sv.codebook, r, inputs=inputs) for r in known},
        "bases": {p: unit_counts(sv, each, period=p) for p in dict.fromkeys(periods)}
        if each
        else None,
        "no_unit": {p: _without_unit(sv, each, period=p) for p in dict.fromkeys(periods)}
        if each
        else None,
        "min_base": sv.codebook.min_base,
        "each_label": each_labels(sv.codebook, each) if each else None,
    }


def each_labels(codebook, each: str) -> dict[str, str]:
    """What pages call the units of ``--each COLUMN``: the column's codebook label per language.

    Parameters
    ----------
    codebook : Codebook
        The survey's codebook.
    each : str
        The ``--each`` column.

    Returns
    -------
    dict
        Language (:data:`cxlab.messages.LANGUAGES`) -> label (the column name where the
        codebook gives none).

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> book = Codebook.from_dict({"items": {"q": {"type": "nps"}}, "segments": {"region": "地区"}})
    >>> each_labels(book, "region")["zh"]
    '地区'
    """
    from cxlab.messages import LANGUAGES

    return {lang: codebook.label(each, lang=lang) for lang in LANGUAGES}

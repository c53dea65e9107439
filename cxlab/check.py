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
    "preload_survey",
    "take_preloaded",
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


def take_preloaded(data: str | Path | None, *, codebook: str | Path | None = None):
    """The survey :func:`preload_survey` loaded, if it was loaded from these very files.

    Parameters
    ----------
    data, codebook
        As given to :func:`cxlab.io.load_survey` (data None or empty: the sample).

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

"""Reading survey exports: formats, encodings, the codebook, and exclusions.

Only this package knows about file formats. :func:`load_survey` returns a
:class:`Survey` whose ``data`` holds the clean values and whose ``exclusions``
account for every value or row that could not be used, with the reason. No row
of the file disappears without a line in ``exclusions``, and no value is lost
silently: non-finite numbers, repeated column names, unread workbook sheets,
lines in another text encoding and merged Excel cells are each either an
exclusion line or a :class:`SurveyError` naming what to fix.

Modules: :mod:`~cxlab.io.read` (files as they are), :mod:`~cxlab.io.encoding`
(text encodings, line by line), :mod:`~cxlab.io.codebook_file` (safe YAML),
:mod:`~cxlab.io.validate` (values against the codebook), :mod:`~cxlab.io.ledger`
(the exclusions table).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cxlab.codebook import Codebook
from cxlab.io.codebook_file import find_codebook, parse_codebook, read_codebook
from cxlab.io.encoding import detect_encoding
from cxlab.io.errors import SurveyError
from cxlab.io.ledger import (
    EXCLUSION_COLUMNS,
    FILLED,
    FLAGGED,
    ROW_DROPPED,
    SET_MISSING,
    Ledger,
    empty_exclusions,
    summarise,
)
from cxlab.io.read import TABLE_SUFFIXES, RawTable, file_sha256, read_events, read_table
from cxlab.io.screening import screen_quality
from cxlab.io.validate import check_columns, derive_wave, infer_codebook, validate

__all__ = [
    "EXCLUSION_COLUMNS",
    "FILLED",
    "FLAGGED",
    "ROW_DROPPED",
    "SET_MISSING",
    "TABLE_SUFFIXES",
    "RawTable",
    "Survey",
    "SurveyError",
    "derive_wave",
    "detect_encoding",
    "drafted_codebook",
    "file_sha256",
    "find_codebook",
    "infer_codebook",
    "load_survey",
    "parse_codebook",
    "read_codebook",
    "read_export",
    "read_events",
    "read_table",
]


@dataclass
class Survey:
    """A loaded survey.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per kept respondent; the index (named ``row``) is the record's
        position in the file, counting the first row after the header as 1.
        Numeric items are floats (missing codes and rejected values are NaN),
        segments and categories are text, dates are datetimes.
    codebook : Codebook
    exclusions : pandas.DataFrame
        Columns ``row``, ``column``, ``value`` (as read), ``reason`` and
        ``action`` (``"row dropped"``, ``"set to missing"``, ``"filled from merged cell"``, or
        ``"flagged"`` for a respondent a response-quality rule flagged and kept).
    source : pathlib.Path or None
        The file read.
    encoding : str or None
        The text encoding detected for CSV/TSV files.
    sha256 : str or None
        Checksum of the file's bytes, for report provenance.
    n_read : int
        Records in the file (rows of ``data`` plus dropped rows).
    value_labels : dict
        Value labels per column where the file carried them (SPSS).
    source_sheet : str or None
        The sheet read from an Excel workbook.
    platform : str or None
        The survey platform that wrote the export (``wjx``, ``tencent``, ``qualtrics``,
        ``spss``), or None for a plain table.

    Without an id column in the codebook, the index (the row number in the file) is the
    respondent id.
    """

    data: pd.DataFrame
    codebook: Codebook
    exclusions: pd.DataFrame = field(default_factory=empty_exclusions)
    source: Path | None = None
    encoding: str | None = None
    sha256: str | None = None
    n_read: int = 0
    value_labels: dict[str, dict] = field(default_factory=dict)
    source_sheet: str | None = None
    platform: str | None = None

    def label(self, column: str) -> str:
        """Display label of a column (from the codebook).

        Parameters
        ----------
        column : str

        Returns
        -------
        str
            See :meth:`cxlab.codebook.Codebook.label`.
        """
        return self.codebook.label(column)

    def exclusion_summary(self) -> pd.DataFrame:
        """Exclusions counted by column, reason and action, with the first rows of each.

        Returns
        -------
        pandas.DataFrame
            Columns ``column``, ``reason``, ``action``, ``count``, ``rows``
            (up to five row numbers, as text).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
        >>> _ = path.write_text("rid,nps\\na1,11\\na2,1e309\\na3,12\\n", encoding="utf-8")
        >>> sv = load_survey(path, codebook={"id": "rid", "items": {"nps": {"type": "nps"}}})
        >>> sv.exclusion_summary()[["reason", "count", "rows"]].to_dict("list")
        {'reason': ['outside the answer range 0-10', 'not a finite number'], 'count': [2, 1], 'rows': ['1, 3', '2']}
        """
        return summarise(self.exclusions)

    def __repr__(self) -> str:
        dropped = int((self.exclusions["action"] == ROW_DROPPED).sum())
        return (
            f"Survey({self.codebook.name or self.source}: {len(self.data)} respondents kept of "
            f"{self.n_read} read, {dropped} rows dropped, {len(self.exclusions)} exclusions)"
        )


def _resolve_codebook(codebook, path: Path, export) -> Codebook:
    if codebook is None:
        found = find_codebook(path)
        if found:
            return read_codebook(found)
        return drafted_codebook(export, path)
    if isinstance(codebook, Codebook):
        return codebook
    if isinstance(codebook, Mapping):
        return Codebook.from_dict(codebook)
    return read_codebook(codebook)


def drafted_codebook(export, path: Path) -> Codebook:
    """The codebook :mod:`cxlab.draft` guesses for an export that came without one.

    Its ``source`` says so, and reports show it: run ``cxlab codebook draft`` to write the draft
    to a file, check it, and keep it beside the data.

    Parameters
    ----------
    export : cxlab.platforms.Export
        The export as read (:func:`read_export`).
    path : Path
        The file, named in the codebook's ``source``.

    Returns
    -------
    Codebook

    Examples
    --------
    >>> from cxlab.paths import SAMPLE_DATA
    >>> book = drafted_codebook(read_export(SAMPLE_DATA), SAMPLE_DATA)
    >>> book.id, book.one(type="nps"), book.source[:24]
    ('resp_id', 'nps', 'drafted from survey.csv ')
    """
    from cxlab.draft import draft_codebook

    draft = draft_codebook(
        export.df,
        source=path.name,
        labels=export.labels,
        value_labels=export.value_labels,
        meta=export.meta,
        grids=export.grids,
        sets=export.sets,
    )
    return parse_codebook(
        draft.text,
        source=f"drafted from {path.name} (no codebook beside it: "
        f"`cxlab codebook draft {path.name} -o codebook.yaml` writes it to check)",
    )


def read_export(path: str | Path, *, platform: str | None = None, sheet: str | None = None):
    """Read a survey export as its platform wrote it (问卷星, 腾讯问卷, Qualtrics, SPSS, plain).

    Parameters
    ----------
    path : str or Path
    platform : {"wjx", "tencent", "qualtrics", "spss"}, optional
        Detected from the file when None.
    sheet : str, optional
        The sheet of a workbook.

    Returns
    -------
    cxlab.platforms.Export
        Answers with short stable column names, question texts, meta columns (id, submit time,
        duration, IP...), grids, multiple-choice sets, and every recoded cell.

    Raises
    ------
    SurveyError
        The file cannot be read, or its platform's layout is broken (the message says where).

    Examples
    --------
    >>> from cxlab.paths import SAMPLE_DATA
    >>> e = read_export(SAMPLE_DATA)
    >>> e.platform, len(e.df)
    (None, 5000)
    """
    path = Path(path)
    if platform == "spss" or path.suffix.lower() in (".sav", ".zsav"):
        from cxlab.platforms import read_spss_export

        return read_spss_export(path)
    return _export_of(read_table(path, sheet=sheet), platform, path)


def _export_of(table: RawTable, platform: str | None, path: Path):
    from cxlab import platforms

    df = table.df
    cells = [[str(c) for c in df.columns]]
    head = df.head(2).astype(object).where(df.head(2).notna(), None)
    found = platform or platforms.detect_platform(
        cells + [["" if v is None else str(v) for v in row] for row in head.values.tolist()]
    )
    if found is None:
        return platforms.Export(df=df, value_labels=dict(table.value_labels))
    raw = pd.DataFrame(cells + df.astype(object).where(df.notna(), None).values.tolist())
    try:
        return platforms.parse_export(raw, platform=found)
    except platforms.ExportError as e:
        raise SurveyError(f"Survey file {path} ({found} export): {e}") from None


def _accounted(exclusions: pd.DataFrame) -> pd.DataFrame:
    """Exclusions without the rejected values of rows that were dropped anyway."""
    dropped_rows = exclusions.loc[exclusions["action"] == ROW_DROPPED, "row"]
    keep = (exclusions["action"] == ROW_DROPPED) | ~exclusions["row"].isin(dropped_rows)
    return exclusions[keep].reset_index(drop=True)


def _raise_strict(exclusions: pd.DataFrame, path: Path) -> None:
    summary = summarise(exclusions)
    first = summary.iloc[0]
    raise SurveyError(
        f"Survey file {path}, column `{first['column']}`: {first['count']} value(s) "
        f"rejected ({first['reason']}), first in row(s) {first['rows']}. "
        f"{len(exclusions)} problem(s) in all across {summary['column'].nunique()} column(s). "
        "Fix the export or the codebook, or load with strict=False to keep the "
        "rest and inspect `survey.exclusions`."
    )


def load_survey(
    path: str | Path,
    *,
    codebook: str | Path | Codebook | Mapping | None = None,
    strict: bool = False,
    sheet: str | None = None,
    platform: str | None = None,
) -> Survey:
    """Load a survey export with its codebook, accounting for every row.

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8, UTF-8 with BOM, UTF-16, GB18030/GBK or Big5, detected),
        TSV, Excel ``.xlsx``, SPSS ``.sav`` (value labels kept) or Parquet.
    codebook : path, Codebook, mapping or None
        The codebook. None looks beside the data for ``<stem>.codebook.yaml``
        or ``codebook.yaml``; if there is none, the codebook is drafted from the
        export (:mod:`cxlab.draft`) and its ``source`` says so.
    strict : bool
        Raise :class:`SurveyError` on the first kind of problem instead of
        recording it in ``exclusions``.
    sheet : str, optional
        The sheet of an Excel workbook to read. A workbook with more than one
        sheet holding data needs it; the sheet read is ``Survey.source_sheet``.
    platform : {"wjx", "tencent", "qualtrics", "spss"}, optional
        The survey platform that wrote the file; detected from its header when None
        (see :func:`read_export`). Platform exports get short column names (``Q3``).

    Returns
    -------
    Survey
        ``data`` (clean values), ``codebook``, ``exclusions`` (one line per
        rejected value, dropped row or filled merged cell, with the reason) and
        provenance (``source``, ``source_sheet``, ``encoding``, ``sha256``, ``n_read``).

    Raises
    ------
    SurveyError
        The file cannot be read as one table (missing, empty, another format than
        its name says, lines in two text encodings, a repeated column name, several
        sheets with data and no ``sheet``), a column the codebook names is missing,
        or (``strict=True``) any value had to be rejected or filled in.
    CodebookError
        The codebook is not valid.

    Notes
    -----
    Missing codes (``missing_codes`` in the codebook) become NaN and are not
    exclusions: they are answers of "don't know" or "refused". Values that are
    not numbers, not finite (``inf``, ``1e309``), not whole numbers, or outside an
    item's range become NaN and are listed in ``exclusions`` with the action
    ``"set to missing"``. Empty rows, rows without an id and repeated ids (after
    the first) are dropped and listed with the action ``"row dropped"``. The value
    of a merged Excel range is copied into every cell it covers, each listed with
    the action ``"filled from merged cell"``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = path.write_text("rid,nps\\na1,10\\na2,inf\\na2,3\\n", encoding="utf-8")
    >>> sv = load_survey(path, codebook={"id": "rid", "items": {"nps": {"type": "nps"}}})
    >>> sv.data["nps"].tolist()
    [10.0, nan]
    >>> sv.exclusions[["row", "reason"]].to_dict("list")["reason"]
    ['not a finite number', 'duplicate respondent id (first seen in row 2)']
    """
    path = Path(path)
    table = read_table(path, sheet=sheet)
    export = _export_of(table, platform, path)
    book = _resolve_codebook(codebook, path, export)
    df = export.df
    check_columns(df, book, path)
    ledger = Ledger()
    ledger.extend(table.notes)
    _recoded(export, ledger)
    value_labels = {**table.value_labels, **export.value_labels}
    clean = validate(df, book, value_labels, ledger)
    clean = screen_quality(clean, book, export.meta, ledger)
    private = [c for c in (export.meta.get("ip"), book.quality.get("duplicates", {}).get("ip"))]
    clean = clean.drop(columns=[c for c in private if c and c in clean.columns])
    exclusions = _accounted(ledger.frame())
    if strict and not exclusions[exclusions["action"] != FLAGGED].empty:
        _raise_strict(exclusions[exclusions["action"] != FLAGGED], path)
    return Survey(
        data=clean,
        codebook=book,
        exclusions=exclusions,
        source=path,
        encoding=table.encoding,
        sha256=table.sha256 or file_sha256(path),
        n_read=len(df),
        value_labels=value_labels,
        source_sheet=table.sheet,
        platform=export.platform,
    )


def _recoded(export, ledger: Ledger) -> None:
    """Cells the platform reader set to missing (skipped, not shown, (空)...) go in the ledger."""
    rec = export.recoded
    if rec is None or rec.empty:
        return
    for (column, reason), part in rec.groupby(["column", "reason"], sort=False):
        ledger.add(part["row"], column, part["value"], reason, SET_MISSING)

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
from cxlab.io.codebook_file import find_codebook, read_codebook
from cxlab.io.encoding import detect_encoding
from cxlab.io.errors import SurveyError
from cxlab.io.ledger import (
    EXCLUSION_COLUMNS,
    FILLED,
    ROW_DROPPED,
    SET_MISSING,
    Ledger,
    empty_exclusions,
    summarise,
)
from cxlab.io.read import TABLE_SUFFIXES, RawTable, file_sha256, read_events, read_table
from cxlab.io.validate import check_columns, infer_codebook, validate

__all__ = [
    "EXCLUSION_COLUMNS",
    "FILLED",
    "ROW_DROPPED",
    "SET_MISSING",
    "TABLE_SUFFIXES",
    "RawTable",
    "Survey",
    "SurveyError",
    "detect_encoding",
    "file_sha256",
    "find_codebook",
    "infer_codebook",
    "load_survey",
    "read_codebook",
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
        ``action`` (``"row dropped"``, ``"set to missing"`` or ``"filled from merged cell"``).
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
        >>> sv = load_survey(path, {"id": "rid", "items": {"nps": {"type": "nps"}}})
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


def _resolve_codebook(codebook, path: Path, df: pd.DataFrame) -> Codebook:
    if codebook is None:
        found = find_codebook(path)
        if found:
            return read_codebook(found)
        return infer_codebook(df, source=f"inferred from {path.name}")
    if isinstance(codebook, Codebook):
        return codebook
    if isinstance(codebook, Mapping):
        return Codebook.from_dict(codebook)
    return read_codebook(codebook)


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
    codebook: str | Path | Codebook | Mapping | None = None,
    *,
    strict: bool = False,
    sheet: str | None = None,
) -> Survey:
    """Load a survey export with its codebook, accounting for every row.

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8, UTF-8 with BOM, UTF-16, GB18030/GBK or Big5, detected),
        TSV, Excel ``.xlsx``, SPSS ``.sav`` (value labels kept) or Parquet.
    codebook : path, Codebook, mapping or None
        The codebook. None looks beside the data for ``<stem>.codebook.yaml``
        or ``codebook.yaml``, and infers a minimal one if there is none.
    strict : bool
        Raise :class:`SurveyError` on the first kind of problem instead of
        recording it in ``exclusions``.
    sheet : str, optional
        The sheet of an Excel workbook to read. A workbook with more than one
        sheet holding data needs it; the sheet read is ``Survey.source_sheet``.

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
    >>> sv = load_survey(path, {"id": "rid", "items": {"nps": {"type": "nps"}}})
    >>> sv.data["nps"].tolist()
    [10.0, nan]
    >>> sv.exclusions[["row", "reason"]].to_dict("list")["reason"]
    ['not a finite number', 'duplicate respondent id (first seen in row 2)']
    """
    path = Path(path)
    table = read_table(path, sheet=sheet)
    book = _resolve_codebook(codebook, path, table.df)
    check_columns(table.df, book, path)
    ledger = Ledger()
    ledger.extend(table.notes)
    clean = validate(table.df, book, table.value_labels, ledger)
    exclusions = _accounted(ledger.frame())
    if strict and not exclusions.empty:
        _raise_strict(exclusions, path)
    return Survey(
        data=clean,
        codebook=book,
        exclusions=exclusions,
        source=path,
        encoding=table.encoding,
        sha256=table.sha256 or file_sha256(path),
        n_read=len(table.df),
        value_labels=dict(table.value_labels),
        source_sheet=table.sheet,
    )

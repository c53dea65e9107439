"""Qualtrics CSV exports: three header rows (names, question text, ImportId) or two.

Conventions read (see the README of tests/fixtures/platforms for where they come from):

- row 1 holds the column names (``StartDate``, ``EndDate``, ``Status``, ``IPAddress``,
  ``Progress``, ``Duration (in seconds)``, ``Finished``, ``RecordedDate``, ``ResponseId`` ...,
  ``Q1``, ``Q2_1``), row 2 the question text (``How satisfied are you with... - Speed``), and
  in the current export row 3 a JSON ImportId per column (``{"ImportId":"QID2_1"}``; the option
  columns of a multiple-answer question split into columns carry a ``choiceId``);
- the legacy export has two header rows, the first naming the meta columns ``V1`` ... ``V10``
  and the second naming them (``ResponseID``, ``StartDate``, ``Finished`` ...);
- answers are choice numbers (recode values) or choice text, as chosen when exporting.
"""

from __future__ import annotations

import json
import re

import pandas as pd

from cxlab.platforms.common import (
    ExportBuilder,
    ExportError,
    cell_text,
    header_cells,
    meta_values,
    numbers,
)

__all__ = ["QUALTRICS_META", "import_id", "parse_qualtrics"]

#: Qualtrics meta columns -> Export.meta role (EndDate is the submit time without RecordedDate).
QUALTRICS_META = {
    "ResponseId": "id",
    "ResponseID": "id",
    "RecordedDate": "submitted",
    "EndDate": "submitted",
    "StartDate": "started",
    "Duration (in seconds)": "duration",
    "IPAddress": "ip",
    "Finished": "status",
    "DistributionChannel": "source",
}
SUB = re.compile(r"^(.+)_(\d+)$")


def import_id(cell: str) -> dict | None:
    """The parsed ImportId cell of row 3, or None when the cell is not one.

    Parameters
    ----------
    cell : str
        One cell of the third header row (``{"ImportId":"QID3"}``).

    Returns
    -------
    dict or None
        The JSON object (``ImportId``, and ``choiceId`` for a multiple-answer option column),
        or None when the cell is not an ImportId.

    Examples
    --------
    >>> import_id('{"ImportId":"QID3","choiceId":"2"}')
    {'ImportId': 'QID3', 'choiceId': '2'}
    >>> import_id("Q3") is None
    True
    """
    if not isinstance(cell, str) or '"ImportId"' not in cell:
        return None
    try:
        obj = json.loads(cell)
    except json.JSONDecodeError:
        return None
    return obj if isinstance(obj, dict) else None


def _headers(raw: pd.DataFrame) -> tuple[list[str], list[str], list[dict | None], int]:
    names, texts = header_cells(raw, 0), header_cells(raw, 1)
    ids = [import_id(c) for c in header_cells(raw, 2)]
    skip = 3 if any(ids) else 2
    if skip == 2:
        ids = [None] * len(names)
    legacy = [i for i, n in enumerate(names) if re.fullmatch(r"V\d+", n) and texts[i]]
    if any(texts[i] in QUALTRICS_META for i in legacy):
        names = [texts[i] if i in legacy else n for i, n in enumerate(names)]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ExportError(
            f"Qualtrics export: column name(s) {dup} appear more than once in header row 1. "
            "Export again with unique question export tags."
        )
    return names, texts, ids, skip


def _groups(names: list[str], ids: list[dict | None]) -> dict[str, tuple[str, list[int]]]:
    """Question stem -> (kind or None, column positions): grids and split multiple answers."""
    found: dict[str, tuple[str, list[int]]] = {}
    for pos, name in enumerate(names):
        m = SUB.match(name)
        if not m or name in QUALTRICS_META:
            continue
        # Without the ImportId row the answers tell a split multiple answer from a grid.
        kind = ("set" if "choiceId" in ids[pos] else "grid") if ids[pos] else None
        found.setdefault(m.group(1), (kind, []))[1].append(pos)
    return {stem: v for stem, v in found.items() if len(v[1]) >= 2}


def _meta(b: ExportBuilder, name: str, values: pd.Series, label: str) -> None:
    role = QUALTRICS_META[name]
    b.add(name, meta_values(b, name, values, role, times=("submitted", "started")), label)
    if role and not (role == "submitted" and "submitted" in b.meta):
        b.meta[role] = name


def parse_qualtrics(raw: pd.DataFrame) -> tuple[ExportBuilder, str]:
    """Read a Qualtrics CSV export (all cells text, header rows included) into a builder.

    Parameters
    ----------
    raw : pandas.DataFrame
        The whole file, read with ``header=None, dtype=str``.

    Returns
    -------
    tuple of (ExportBuilder, str)
        The filled builder and the form (``code`` when most answers are numbers, else ``text``).

    Examples
    --------
    >>> raw = pd.DataFrame([
    ...     ["StartDate", "EndDate", "ResponseId", "Q1", "Q2_1", "Q2_2"],
    ...     ["Start Date", "End Date", "Response ID", "How satisfied are you?",
    ...      "Rate us - Speed", "Rate us - Price"],
    ...     ['{"ImportId":"startDate"}', '{"ImportId":"endDate"}', '{"ImportId":"_recordId"}',
    ...      '{"ImportId":"QID1"}', '{"ImportId":"QID2_1"}', '{"ImportId":"QID2_2"}'],
    ...     ["2024-03-05 10:00:00", "2024-03-05 10:02:05", "R_1", "5", "4", "3"],
    ...     ["2024-03-06 11:00:00", "2024-03-06 11:01:38", "R_2", "4", "5", "4"]])
    >>> b, form = parse_qualtrics(raw)
    >>> e = b.export("qualtrics", form)
    >>> form, e.grids, e.labels["Q2_1"]
    ('code', {'Q2': ['Q2_1', 'Q2_2']}, 'Rate us - Speed')
    >>> e.meta
    {'started': 'StartDate', 'submitted': 'EndDate', 'id': 'ResponseId'}
    """
    names, texts, ids, skip = _headers(raw)
    data = raw.iloc[skip:].map(cell_text).reset_index(drop=True)
    data.index = pd.RangeIndex(1, len(data) + 1, name="row")
    data.columns = range(data.shape[1])
    groups = _groups(names, ids)
    in_group = {pos: stem for stem, (_, cols) in groups.items() for pos in cols}
    answers = [p for p, n in enumerate(names) if n not in QUALTRICS_META]
    numeric = sum(numbers(data[p]) is not None for p in answers)
    form = "code" if answers and numeric >= 0.6 * len(answers) else "text"
    b = ExportBuilder(data.index)
    order = sorted(("RecordedDate" not in n, p) for p, n in enumerate(names))
    for _, pos in order:  # RecordedDate first: it is the submit time when both exist
        name, label = names[pos], texts[pos] if texts[pos] != names[pos] else None
        if name in QUALTRICS_META:
            _meta(b, name, data[pos], label)
        elif pos not in in_group:
            b.answer(name, data[pos], label, form)
        elif pos == groups[in_group[pos]][1][0]:
            kind, cols = groups[in_group[pos]]
            # The option is the end of the question text: "How did you hear? - Email".
            subs = [((texts[p] or names[p]).rsplit(" - ", 1)[-1], data[p]) for p in cols]
            b.group(in_group[pos], "", subs, form, kind=kind, names=[names[p] for p in cols])
            for p in cols:
                b.labels[names[p]] = texts[p] or names[p]
    b.columns = {n: b.columns[n] for n in names if n in b.columns}
    return b, form

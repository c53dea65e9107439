"""Action sheets: one ``.xlsx`` per owner listing whom to call back, and their import.

:func:`write_sheets` writes the follow-up list (:func:`cxlab.loop.followups.follow_ups`) as one
workbook per owner: a title line, a header row, then one row per respondent with the reason in
words, the lowest-rated driver, the *redacted* comment, the submit time and due time, and empty
columns the team fills in: status (a drop-down of :data:`~cxlab.loop.followups.STATUSES` in the
sheet's language), action taken, closed on. Given ``original`` (the ``--unredacted`` option of
``cxlab followup``, never a report page) it writes a second workbook per owner whose first
line says it holds personal data.

:func:`import_sheets` reads returned sheets back into the state file, and rejects rows whose
id is unknown, whose status is not allowed, or that are closed without a valid date, naming the
file and the row as Excel numbers it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cxlab.loop.followups import CLOSED, STATUSES, StateFile, key
from cxlab.messages import LANGUAGES, check_lang, msg

__all__ = ["SHEET_COLUMNS", "Imported", "import_sheets", "read_sheet", "sheet_rows", "write_sheets"]

#: Columns of an action sheet, in order (headers are ``loop.col.<code>`` in the catalogue).
SHEET_COLUMNS = [
    "respondent",
    "owner",
    "priority",
    "rules",
    "reason",
    "lowest_driver",
    "comment",
    "topics",
    "submitted",
    "due",
    "status",
    "action",
    "closed_on",
]
#: Columns the team fills in.
FILLED = ("status", "action", "closed_on")
WIDTHS = {
    "reason": 48,
    "comment": 48,
    "action": 30,
    "rules": 18,
    "topics": 16,
    "submitted": 17,
    "due": 17,
    "closed_on": 12,
}
#: Columns that hold dates: wide enough for yyyy-mm-dd hh:mm, not wrapped.
DATE_COLUMNS = ("submitted", "due", "closed_on")
#: Row of the header (0-based): the title line is above it.
HEADER_ROW = 1
#: Problems of an imported row (``loop.reject.<code>`` says them in words).
PROBLEMS = ("unknown_id", "bad_status", "no_closed_on", "bad_date")


def sheet_rows(table: pd.DataFrame, *, rules=None, codebook=None, lang: str = "zh") -> pd.DataFrame:
    """The follow-up list as an action sheet shows it: words, in ``lang``.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`cxlab.loop.followups.follow_ups`.
    rules : mapping, optional
        Rule name -> :class:`cxlab.loop.alerts.Rule`, for the rules' labels.
    codebook : cxlab.codebook.Codebook, optional
        For item labels.
    lang : {"zh", "en"}

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SHEET_COLUMNS` (codes turned into words; ``status``, ``action`` and
        ``closed_on`` empty).

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> from cxlab.loop.followups import follow_ups
    >>> book = Codebook.from_dict({"id": "rid", "items": {"nps": {"type": "nps",
    ...     "label": {"zh": "推荐意愿", "en": "Likelihood to recommend"}}}})
    >>> t = follow_ups(pd.DataFrame({"rid": ["a", "b"], "nps": [3, 10]}), codebook=book,
    ...                as_of=pd.Timestamp("2026-01-05 09:00"))
    >>> sheet_rows(t, codebook=book, lang="en")[["respondent", "priority", "reason"]].to_dict("list")
    {'respondent': ['a'], 'priority': ['high'], 'reason': ['detractor: Likelihood to recommend 3 (≤ 6)']}
    """
    from cxlab.loop.alerts import explain

    check_lang(lang)
    out = pd.DataFrame(index=table.index)
    out["respondent"] = table["respondent"]
    out["owner"] = table["owner"]
    out["priority"] = table["priority"].map(lambda p: msg(f"priority.{p}", lang))

    def rule_names(names: str) -> str:
        shown = [rules[n].display(lang) if rules and n in rules else n for n in names.split(";")]
        return "；".join(shown) if lang == "zh" else "; ".join(shown)

    out["rules"] = table["rules"].map(rule_names)
    out["reason"] = table["evidence"].map(
        lambda e: explain(e, rules=rules, codebook=codebook, lang=lang)
    )
    out["lowest_driver"] = [
        "" if pd.isna(d) else f"{codebook.label(d, lang=lang) if codebook else d} {v:g}"
        for d, v in zip(table["lowest_driver"], table["lowest_rating"], strict=True)
    ]
    out["comment"] = table["comment"]
    out["topics"] = table["topics"].map(lambda t: _topics(t, lang))
    out["submitted"], out["due"] = table["submitted"], table["due"]
    for col in FILLED:
        out[col] = ""
    return out[SHEET_COLUMNS].reset_index(drop=True)


def _topics(topics, lang: str) -> str:
    from cxlab.messages import has

    if not isinstance(topics, str) or not topics:
        return ""
    words = [
        msg(f"loop.topic.{t}", lang) if has(f"loop.topic.{t}") else t for t in topics.split(";")
    ]
    return "、".join(words) if lang == "zh" else ", ".join(words)


def _file_part(value) -> str:
    text = "unassigned" if pd.isna(value) or value == "" else str(value)
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text)[:60]


def _write_one(path: Path, rows: pd.DataFrame, *, first_line: str, lang: str, comment_header: str):
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"remove_timezone": True})
    ws = wb.add_worksheet(msg("loop.sheet.name", lang))
    base = {"font_name": "Microsoft YaHei", "font_size": 10, "valign": "top"}
    title = wb.add_format({**base, "bold": True, "font_size": 12})
    head = wb.add_format(
        {**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}
    )
    fill = wb.add_format({**base, "bg_color": "#FFF2CC", "border": 1})
    wrap = wb.add_format({**base, "text_wrap": True})
    when = wb.add_format({**base, "num_format": "yyyy-mm-dd hh:mm"})
    day = wb.add_format({**base, "bg_color": "#FFF2CC", "border": 1, "num_format": "yyyy-mm-dd"})
    ws.write(0, 0, first_line, title)
    for j, col in enumerate(SHEET_COLUMNS):
        header = comment_header if col == "comment" else msg(f"loop.col.{col}", lang)
        ws.write(HEADER_ROW, j, header, head)
        wrapped = col in WIDTHS and col not in DATE_COLUMNS
        ws.set_column(j, j, WIDTHS.get(col, 12), wrap if wrapped else None)
    for i, row in enumerate(rows.itertuples(index=False), start=HEADER_ROW + 1):
        ws.set_row(i, 15 * _lines(row))
        for j, col in enumerate(SHEET_COLUMNS):
            v = getattr(row, col)
            if col in ("submitted", "due"):
                if pd.notna(v):
                    ws.write_datetime(i, j, pd.Timestamp(v).to_pydatetime(), when)
            elif col in FILLED:
                ws.write_blank(i, j, None, day if col == "closed_on" else fill)
            elif isinstance(v, float | np.floating | int | np.integer) and not pd.isna(v):
                ws.write_number(i, j, float(v))
            else:
                ws.write_string(i, j, "" if pd.isna(v) else str(v))
    last = HEADER_ROW + max(len(rows), 1) + 200
    status_col = SHEET_COLUMNS.index("status")
    ws.data_validation(
        HEADER_ROW + 1,
        status_col,
        last,
        status_col,
        {"validate": "list", "source": [msg(f"status.{s}", lang) for s in STATUSES]},
    )
    closed_col = SHEET_COLUMNS.index("closed_on")
    ws.data_validation(
        HEADER_ROW + 1,
        closed_col,
        last,
        closed_col,
        {"validate": "date", "criteria": ">", "value": pd.Timestamp("2000-01-01").to_pydatetime()},
    )
    ws.freeze_panes(HEADER_ROW + 1, 1)
    # Printed as a team would: landscape A4, every column on one page wide, headers repeated.
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW)
    wb.close()


def write_sheets(
    table: pd.DataFrame,
    out: str | Path,
    *,
    rules=None,
    codebook=None,
    by: str = "owner",
    lang: str = "zh",
    stamp: str | None = None,
    original: Mapping | pd.Series | None = None,
) -> list[Path]:
    """Write one action sheet (``.xlsx``) per owner.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`cxlab.loop.followups.follow_ups`.
    out : str or Path
        The folder (created if needed).
    rules, codebook
        For labels (see :func:`sheet_rows`).
    by : str
        The column of ``table`` that splits the sheets (default ``owner``).
    lang : {"zh", "en"}
        The sheets' language.
    stamp : str, optional
        Put into the file names (default: the listing time, ``YYYYMMDD-HHMMSS``), so a later
        run never overwrites sheets a team is filling in.
    original : mapping or Series, optional
        Respondent id -> the comment as written. Given, each owner also gets an
        ``.unredacted.xlsx`` workbook whose first line says it holds personal data. Only the
        ``--unredacted`` option of ``cxlab followup`` passes it; never a report page.

    Returns
    -------
    list of Path
        The workbooks written, by owner (the unredacted one after its redacted one).

    Examples
    --------
    >>> import tempfile
    >>> from cxlab.codebook import Codebook
    >>> from cxlab.loop.followups import follow_ups
    >>> book = Codebook.from_dict({"id": "rid", "owner": "store", "items": {"nps": {"type": "nps"}}})
    >>> t = follow_ups(pd.DataFrame({"rid": ["a", "b"], "store": ["s1", "s2"], "nps": [3, 5]}),
    ...                codebook=book, as_of=pd.Timestamp("2026-01-05 09:00"))
    >>> [p.name for p in write_sheets(t, tempfile.mkdtemp(), codebook=book)]
    ['followup_20260105-090000_s1.xlsx', 'followup_20260105-090000_s2.xlsx']
    """
    check_lang(lang)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if stamp is None:
        listed = table["listed_at"].max() if len(table) else pd.Timestamp.now()
        stamp = pd.Timestamp(listed).strftime("%Y%m%d-%H%M%S")
    rows = sheet_rows(table, rules=rules, codebook=codebook, lang=lang)
    rows["_by"] = table[by].to_numpy() if by in table else np.nan
    paths = []
    for value, part in rows.groupby("_by", sort=True, dropna=False):
        part = part.drop(columns="_by")
        name = f"followup_{stamp}_{_file_part(value)}"
        owner = msg("loop.unassigned", lang) if pd.isna(value) else str(value)
        path = out / f"{name}.xlsx"
        first = msg("loop.sheet.title", lang, owner=owner, n=len(part), stamp=stamp)
        _write_one(
            path, part, first_line=first, lang=lang, comment_header=msg("loop.col.comment", lang)
        )
        paths.append(path)
        if original is not None:
            raw = pd.Series(original)
            raw.index = raw.index.map(key)
            part = part.assign(comment=part["respondent"].map(key).map(raw))
            path = out / f"{name}.unredacted.xlsx"
            _write_one(
                path,
                part,
                first_line=msg("loop.sheet.unredacted", lang, owner=owner),
                lang=lang,
                comment_header=msg("loop.col.comment_unredacted", lang),
            )
            paths.append(path)
    return paths


# -- import ----------------------------------------------------------------------------------
def _header_codes() -> dict[str, str]:
    """Header text in any language (or the code itself) -> column code."""
    out = {}
    for col in SHEET_COLUMNS:
        out[col] = col
        for lang in LANGUAGES:
            out[msg(f"loop.col.{col}", lang)] = col
    for lang in LANGUAGES:
        out[msg("loop.col.comment_unredacted", lang)] = "comment"
    return out


def _status_codes() -> dict[str, str]:
    out = {}
    for s in STATUSES:
        out[s] = s
        for lang in LANGUAGES:
            out[msg(f"status.{s}", lang).lower()] = s
    return out


def _header(rows: list, path) -> tuple[int, dict[int, str]]:
    """The header row's position and its columns (position -> code)."""
    codes = _header_codes()
    for h, header in enumerate(rows[:10]):
        cols = {
            j: codes[str(c).strip()]
            for j, c in enumerate(header)
            if c is not None and str(c).strip() in codes
        }
        if "respondent" in cols.values() and "status" in cols.values():
            return h, cols
    raise ValueError(f"{path}: no header row with the columns of an action sheet (id, status).")


def read_sheet(path: str | Path) -> pd.DataFrame:
    """The filled-in columns of one returned action sheet.

    Parameters
    ----------
    path : str or Path
        An action sheet written by :func:`write_sheets` (any language, redacted or not).

    Returns
    -------
    pandas.DataFrame
        ``file``, ``row`` (the row number Excel shows), ``respondent``, ``status``,
        ``action``, ``closed_on`` (cells as read); rows without an id are skipped.

    Raises
    ------
    ValueError
        The file has no header row with the sheet's columns.

    Examples
    --------
    >>> import tempfile
    >>> from cxlab.codebook import Codebook
    >>> from cxlab.loop.followups import follow_ups
    >>> book = Codebook.from_dict({"id": "rid", "owner": "store", "items": {"nps": {"type": "nps"}}})
    >>> t = follow_ups(pd.DataFrame({"rid": ["a", "b"], "store": ["s1", "s1"], "nps": [3, 5]}),
    ...                codebook=book, as_of=pd.Timestamp("2026-01-05 09:00"))
    >>> path = write_sheets(t, tempfile.mkdtemp(), codebook=book)[0]
    >>> read_sheet(path)["respondent"].tolist()
    ['a', 'b']
    """
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()
    h, cols = _header(rows, path)
    out = []
    for r, values in enumerate(rows[h + 1 :], start=h + 2):
        cells = {cols[j]: v for j, v in enumerate(values) if j in cols}
        if cells.get("respondent") in (None, ""):
            continue
        out.append(
            {"file": str(path), "row": r, **{c: cells.get(c) for c in ("respondent", *FILLED)}}
        )
    return pd.DataFrame(out, columns=["file", "row", "respondent", *FILLED])


def _blank(value) -> bool:
    """An empty cell (None, NaN after concatenation, or only spaces)."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or (not isinstance(value, pd.Timestamp) and pd.isna(value))


def _closed_on(value):
    """A closing time: a date without a time of day is the end of that day; None if unreadable."""
    if _blank(value):
        return pd.NaT
    t = pd.to_datetime(value, errors="coerce")
    if pd.isna(t):
        return None
    if t == t.normalize():
        t = t + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)
    return t


@dataclass(frozen=True)
class Imported:
    """The result of :func:`import_sheets`.

    Attributes
    ----------
    accepted : pandas.DataFrame
        Rows applied to the state: ``file``, ``row``, ``respondent``, ``case``, ``status``,
        ``action``, ``closed_on``.
    rejected : pandas.DataFrame
        Rows left out: ``file``, ``row``, ``respondent``, ``problem`` (one of ``unknown_id``,
        ``bad_status``, ``no_closed_on``, ``bad_date``), ``value`` (the cell at fault).
    """

    accepted: pd.DataFrame
    rejected: pd.DataFrame


def _check_row(r: dict, latest: dict, statuses: dict) -> tuple[dict | None, dict | None]:
    rid = key(r["respondent"])
    bad = {"file": r["file"], "row": r["row"], "respondent": rid}
    if rid not in latest:
        return None, {**bad, "problem": "unknown_id", "value": rid}
    raw = r["status"]
    text = "" if _blank(raw) else str(raw).strip()
    if not text:
        return None, None  # nothing filled in yet
    status = statuses.get(text.lower())
    if status is None:
        return None, {**bad, "problem": "bad_status", "value": text}
    closed = _closed_on(r["closed_on"])
    if closed is None:
        return None, {**bad, "problem": "bad_date", "value": str(r["closed_on"])}
    if status in CLOSED and pd.isna(closed):
        return None, {**bad, "problem": "no_closed_on", "value": ""}
    action = "" if _blank(r["action"]) else str(r["action"]).strip()
    return {
        "file": r["file"],
        "row": r["row"],
        "respondent": rid,
        "case": latest[rid]["case"],
        "status": status,
        "action": action,
        "closed_on": closed,
    }, None


def import_sheets(files: Iterable[str | Path], *, state, as_of=None) -> Imported:
    """Read returned action sheets into the state: status, action taken, closing date.

    Parameters
    ----------
    files : iterable of path
        Action sheets as the teams return them.
    state : folder, file or :class:`cxlab.loop.followups.StateFile`
        The state the sheets were listed from.
    as_of : timestamp, optional
        Recorded as the update time (default now).

    Returns
    -------
    Imported
        ``accepted`` rows (applied to each respondent's latest case) and ``rejected`` rows
        (unknown id, a status not in :data:`~cxlab.loop.followups.STATUSES` or its words,
        closed without a date, an unreadable date), each with its file and Excel row number.
        Rows whose status is empty are skipped (nothing filled in yet).

    Examples
    --------
    >>> import tempfile
    >>> from cxlab.loop.followups import StateFile
    >>> s = StateFile(tempfile.mkdtemp())
    >>> import_sheets([], state=s).rejected.empty
    True
    """
    state = state if isinstance(state, StateFile) else StateFile(state)
    read = [read_sheet(f) for f in files]
    rows = (
        pd.concat(read, ignore_index=True)
        if read
        else pd.DataFrame(columns=["file", "row", "respondent", *FILLED])
    )
    statuses = _status_codes()
    now = (pd.Timestamp.now() if as_of is None else pd.Timestamp(as_of)).floor("s").isoformat()
    accepted, rejected = [], []
    with state.update() as data:
        latest = {c["respondent"]: c for c in data["cases"]}
        for r in rows.to_dict("records"):
            ok, bad = _check_row(r, latest, statuses)
            if bad:
                rejected.append(bad)
            if ok:
                accepted.append(ok)
                case = latest[ok["respondent"]]
                case.update(
                    status=ok["status"],
                    action=ok["action"],
                    updated_at=now,
                    closed_on=None if pd.isna(ok["closed_on"]) else ok["closed_on"].isoformat(),
                )
    return Imported(
        pd.DataFrame(
            accepted, columns=["file", "row", "respondent", "case", "status", "action", "closed_on"]
        ),
        pd.DataFrame(rejected, columns=["file", "row", "respondent", "problem", "value"]),
    )


def _lines(row) -> int:
    """Text lines the row's wrapped cells need (a Chinese character is about two width units);
    spreadsheet programs do not grow a written row by themselves when a file is printed."""
    need = 1
    for col, width in WIDTHS.items():
        if col in DATE_COLUMNS or not hasattr(row, col):
            continue
        text = getattr(row, col)
        if isinstance(text, str) and text:
            units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
            need = max(need, -(-units // max(int(width) - 1, 1)))
    return min(need, 12)

"""Reading survey exports as they are: text tables, Excel workbooks, SPSS and Parquet files.

Nothing here interprets values; :mod:`cxlab.io.validate` does. What reading itself changes
(a merged Excel cell copied into the cells it covers) is returned as exclusion lines.
"""

from __future__ import annotations

import csv
import hashlib
import io as _stdio
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cxlab.io.encoding import to_utf8
from cxlab.io.errors import SurveyError, line_list
from cxlab.io.ledger import EXCLUSION_COLUMNS, FILLED

__all__ = ["TABLE_SUFFIXES", "RawTable", "file_sha256", "read_events", "read_table"]

TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
TABLE_SUFFIXES = TEXT_SUFFIXES | EXCEL_SUFFIXES | {".sav", ".zsav", ".parquet", ".pq"}
#: File signatures of formats people rename to .csv by mistake.
_MAGIC = {
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls) or another Office file",
    b"PAR1": "a Parquet file",
    b"$FL2": "an SPSS .sav file",
    b"$FL3": "an SPSS .zsav file",
    b"%PDF": "a PDF document",
}


@dataclass(frozen=True)
class RawTable:
    """A survey export read as it is.

    Attributes
    ----------
    df : pandas.DataFrame
        Text files give text cells (pandas' ``str`` dtype, blank cells missing); other formats
        keep the types they store. The index (named ``row``) counts records from 1.
    encoding : str or None
        Detected encoding of a text file.
    value_labels : dict
        SPSS value labels per column (empty for other formats).
    sheet : str or None
        The Excel sheet read.
    notes : pandas.DataFrame
        Values reading filled in (merged Excel cells), in the layout of
        :data:`cxlab.io.ledger.EXCLUSION_COLUMNS`.
    sha256 : str or None
        Checksum of the file's bytes.
    """

    df: pd.DataFrame
    encoding: str | None = None
    value_labels: Mapping[str, dict] = field(default_factory=dict)
    sheet: str | None = None
    notes: pd.DataFrame | None = None
    sha256: str | None = None


def file_sha256(path: str | Path) -> str | None:
    """SHA-256 of a file's bytes (None when it is not a readable file), for provenance.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    str or None
        64 hexadecimal digits.

    Examples
    --------
    >>> file_sha256("/no/such/file") is None
    True
    """
    path = Path(path)
    if not path.is_file():
        return None
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_table(path: str | Path, *, sheet: str | None = None) -> RawTable:
    """Read a survey export as it is, without interpreting values.

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.txt`` (separator ``,``, tab or ``;``, from the header), ``.tsv`` (tab),
        ``.xlsx``/``.xlsm``, ``.sav``/``.zsav`` (SPSS) or ``.parquet``.
    sheet : str, optional
        The sheet of a workbook to read. Without it a workbook must have one sheet with data.

    Returns
    -------
    RawTable
        ``df`` (the cells, index counting records from 1), ``encoding``, ``value_labels``,
        ``sheet``, ``notes`` (merged cells filled) and ``sha256``.

    Raises
    ------
    SurveyError
        The file is missing, empty, of another format than its name says, mixes text
        encodings (naming the lines), has a row with more cells than the header (naming the
        line), repeats a column name (naming both columns), or is a workbook with several
        sheets with data and no ``sheet``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = path.write_bytes("rid,region\\na1,华东\\n".encode("gbk"))
    >>> table = read_table(path)
    >>> table.encoding, table.df.to_dict("list")
    ('gb18030', {'rid': ['a1'], 'region': ['华东']})
    """
    path = Path(path)
    if not path.exists():
        raise SurveyError(f"Survey file {path} does not exist.")
    if not path.is_file():
        raise SurveyError(f"Survey file {path} is a folder, not a file.")
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise SurveyError(
            f"Survey file {path}: cannot read `{path.suffix}` files; "
            f"use one of {sorted(TABLE_SUFFIXES)}."
        )
    if sheet is not None and suffix not in EXCEL_SUFFIXES:
        raise SurveyError(f"Survey file {path}: sheet={sheet!r} applies to Excel workbooks only.")
    if suffix in TEXT_SUFFIXES:
        table = _read_text(path, tab=suffix == ".tsv")
    elif suffix in EXCEL_SUFFIXES:
        table = _read_excel(path, sheet)
    else:
        table = _read_typed(path, suffix)
    df = table.df
    names = [str(c).strip() for c in df.columns]
    _refuse_duplicates(names, path)
    df.columns = names
    df.index = pd.RangeIndex(1, len(df) + 1, name="row")
    return table


def read_events(path: str | Path) -> pd.DataFrame:
    """Read an event log (one row per event) as it is: CSV in any supported encoding, xlsx or Parquet.

    Times stay as read; :func:`cxlab.journey.funnel` parses them and counts
    the ones it cannot use.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    pandas.DataFrame
        The file's columns (text as Python strings), index from 0.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "e.csv"
    >>> _ = path.write_text("customer_id,step\\nR1,访问\\n", encoding="utf-8")
    >>> read_events(path).to_dict("list")
    {'customer_id': ['R1'], 'step': ['访问']}
    """
    df = read_table(path).df.reset_index(drop=True)
    text = [c for c in df.columns if isinstance(df[c].dtype, pd.StringDtype)]
    return df.astype(dict.fromkeys(text, object)) if text else df


# -- text tables ---------------------------------------------------------------------------------


def _refuse_duplicates(names: list[str], path: Path) -> None:
    first: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if name in first:
            raise SurveyError(
                f"Survey file {path}: columns {first[name]} and {i} are both named `{name}`; "
                "rename one of them (a reader would otherwise rename the second and a value "
                "would go unread)."
            )
        first[name] = i


def _refuse_other_formats(raw: bytes, path: Path) -> None:
    if raw.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(_stdio.BytesIO(raw)) as z:
                excel = any(n.startswith("xl/") for n in z.namelist())
        except zipfile.BadZipFile:
            excel = False
        what = "an Excel workbook" if excel else "a zip archive"
        raise SurveyError(
            f"Survey file {path} is {what}, not a text table: "
            + (
                "rename it to .xlsx (or save it from Excel as 'CSV UTF-8')."
                if excel
                else "unpack it first."
            )
        )
    for magic, what in _MAGIC.items():
        if raw.startswith(magic):
            raise SurveyError(
                f"Survey file {path} is {what}, not a text table; give it its own extension "
                "or export it as CSV UTF-8."
            )


def _header(data: bytes, tab: bool) -> tuple[str, list[str]]:
    """The separator and the column names, from the first record of UTF-8 ``data``."""
    head = data[: 1 << 16].decode("utf-8", errors="ignore")
    first_line = head.split("\n", 1)[0]
    # Excel's "Unicode text" is tab-separated, some European-locale exports use ";".
    sep = "\t" if tab else max([",", "\t", ";"], key=first_line.count)
    fields = next(csv.reader(_stdio.StringIO(head), delimiter=sep), [])
    names = [f.strip() or f"Unnamed: {i}" for i, f in enumerate(fields)]
    return sep, names


def _read_text(path: Path, *, tab: bool) -> RawTable:
    raw = path.read_bytes()
    _refuse_other_formats(raw, path)
    sha = hashlib.sha256(raw).hexdigest()
    encoding, data = to_utf8(raw, path=path)
    del raw
    sep, names = _header(data, tab)
    _refuse_duplicates(names, path)
    try:
        df = _parse_arrow(data, sep, names)
    except ValueError:  # pyarrow.ArrowInvalid: an irregular row, which the careful parser names
        df = _parse_rows(data, sep, names, path)
    df.columns = names
    return RawTable(df=df, encoding=encoding, sha256=sha)


def _parse_arrow(data: bytes, sep: str, names: list[str]) -> pd.DataFrame:
    """Every cell as text with pyarrow's parser; raises on any row of the wrong width."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    cols = [f"c{i}" for i in range(len(names))]
    table = pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(column_names=cols, skip_rows=1),
        parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(cols, pa.string()),
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )
    text = pd.StringDtype("pyarrow", na_value=np.nan)
    return table.to_pandas(types_mapper={pa.string(): text}.get)


def _parse_rows(data: bytes, sep: str, names: list[str], path: Path) -> pd.DataFrame:
    """Row by row: short rows are padded, a row with extra non-empty cells is refused."""
    reader = csv.reader(_stdio.StringIO(data.decode("utf-8"), newline=""), delimiter=sep)
    next(reader, None)
    width = len(names)
    rows, long_lines = [], []
    for fields in reader:
        if not fields:
            continue  # a blank line holds no record
        if len(fields) > width:
            if any(f for f in fields[width:]):
                long_lines.append(reader.line_num)
                continue
            fields = fields[:width]
        rows.append([f if f != "" else None for f in fields] + [None] * (width - len(fields)))
    if long_lines:
        raise SurveyError(
            f"Survey file {path}: more cells than the header's {width} columns on "
            f"{line_list(long_lines)}; a value there would have no column. Quote cells that "
            f"contain `{sep}`, or fix the header."
        )
    return pd.DataFrame(rows, columns=range(width), dtype=object)


# -- workbooks -----------------------------------------------------------------------------------


def _open_workbook(path: Path):
    from openpyxl import load_workbook

    try:
        # Not read-only: merged cell ranges are only known in the full mode.
        return load_workbook(path, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a broken file
        raise SurveyError(
            f"Survey file {path} is not a readable Excel workbook ({type(e).__name__}: {e}). "
            "Open and save it in Excel, or export it as CSV UTF-8."
        ) from None


def _pick_sheet(wb, sheet: str | None, path: Path):
    titles = wb.sheetnames
    quoted = ", ".join(repr(t) for t in titles)
    if sheet is not None:
        if sheet not in titles:
            raise SurveyError(f"Survey file {path} has no sheet {sheet!r}; its sheets: {quoted}.")
        return wb[sheet]
    used = [ws for ws in wb.worksheets if _has_values(ws)]
    if len(used) > 1:
        names = ", ".join(repr(ws.title) for ws in used)
        raise SurveyError(
            f"Survey file {path} has {len(used)} sheets with data: {names}. Name the one to "
            f"read, e.g. load_survey(path, sheet={used[0].title!r}) (only one is ever read, "
            "so none is left out unseen)."
        )
    return used[0] if used else wb.worksheets[0]


def _has_values(ws) -> bool:
    return any(v is not None for row in ws.iter_rows(values_only=True) for v in row)


def _cell(v):
    # As pandas reads workbooks: a whole float is an int, blank text is missing.
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and v == "":
        return None
    return v


def _fill_merged(ws, rows: list[list], path: Path) -> pd.DataFrame:
    """Copy each merged range's value into every cell it covers; one note per filled cell."""
    top, left = ws.min_row, ws.min_column
    header = rows[0] if rows else []
    notes = []
    for rng in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        if rng.min_row <= top:
            raise SurveyError(
                f"Survey file {path}, sheet {ws.title!r}: header cells {rng.coord} are merged; "
                "unmerge them and give "
                "each column its own name."
            )
        value = rows[rng.min_row - top][rng.min_col - left]
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) == (rng.min_row, rng.min_col):
                    continue
                rows[r - top][c - left] = value
                name = header[c - left] if c - left < len(header) else None
                notes.append(
                    {
                        "row": r - top,
                        "column": str(name).strip() if name is not None else f"Unnamed: {c - left}",
                        "value": value,
                        "reason": f"merged cells {rng.coord}: value copied from "
                        f"{rng.coord.split(':')[0]}",
                        "action": FILLED,
                    }
                )
    return pd.DataFrame(notes, columns=EXCLUSION_COLUMNS)


def _read_excel(path: Path, sheet: str | None) -> RawTable:
    wb = _open_workbook(path)
    ws = _pick_sheet(wb, sheet, path)
    rows = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    notes = _fill_merged(ws, rows, path) if ws.merged_cells.ranges else None
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not rows:
        raise SurveyError(f"Survey file {path} is empty: sheet {ws.title!r} has no header.")
    names = [f"Unnamed: {i}" if v is None else str(v).strip() for i, v in enumerate(rows[0])]
    df = pd.DataFrame(rows[1:], columns=range(len(names)), dtype=object)
    df.columns = names
    return RawTable(df=df, sheet=ws.title, notes=notes, sha256=file_sha256(path))


# -- typed formats -------------------------------------------------------------------------------


def _read_typed(path: Path, suffix: str) -> RawTable:
    try:
        if suffix in (".sav", ".zsav"):
            import pyreadstat

            df, meta = pyreadstat.read_sav(path, apply_value_formats=False)
            labels = {k: dict(v) for k, v in meta.variable_value_labels.items()}
            return RawTable(df=df, value_labels=labels, sha256=file_sha256(path))
        return RawTable(df=pd.read_parquet(path), sha256=file_sha256(path))
    except SurveyError:
        raise
    except Exception as e:  # each reader raises its own kinds
        kind = "SPSS" if suffix in (".sav", ".zsav") else "Parquet"
        raise SurveyError(
            f"Survey file {path} is not a readable {kind} file ({type(e).__name__}: {e})."
        ) from None

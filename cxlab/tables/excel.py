"""The table book as an Excel workbook: a contents sheet and one sheet per table.

Written with XlsxWriter: a write-only library that is fast on large books (each cell is one
call, no object tree), and writes number formats, merged headers, frozen panes and internal
links exactly. openpyxl, already a dependency, reads workbooks (the tests re-read the book
with it); writing 100 styled sheets is several times slower with it.

One sheet per table rather than one long sheet: a sheet freezes one header block, so each
table keeps its banner and its bases in view while scrolling, prints on its own, and the
contents sheet links to it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cxlab.messages import check_lang, msg
from cxlab.tables.book import Book
from cxlab.tables.layout import TableLayout, banner_header, layouts

__all__ = ["NUMBER_FORMATS", "sheet_name", "to_excel"]

#: Excel number format of each kind of line (percentages are stored as fractions: 0.452).
NUMBER_FORMATS = {"pct": "0.0%", "mean": "0.00", "sd": "0.00", "median": "0.00", "nps": "0.0"}
GREY = "#9E9E9E"
HEAD = "#DDEBF7"
SIG = "#C00000"
#: First row of the banner header on a table sheet (rows above: title, base, link back).
HEADER_ROW = 4


def sheet_name(number: int) -> str:
    """The sheet of table ``number`` (titles can be long or repeat; sheet names cannot).

    Parameters
    ----------
    number : int

    Returns
    -------
    str

    Examples
    --------
    >>> sheet_name(7)
    'T7'
    """
    return f"T{number}"


def _formats(wb) -> dict:
    def f(**kw):
        return wb.add_format({"font_name": "Microsoft YaHei", "font_size": 10, **kw})

    out = {
        "title": f(bold=True, font_size=13),
        "text": f(),
        "note": f(italic=True, font_color="#595959"),
        "link": f(font_color="#0563C1", underline=1),
        "head": f(bold=True, bg_color=HEAD, align="center", valign="vcenter", border=1),
        "head_left": f(bold=True, bg_color=HEAD, valign="vcenter", border=1, text_wrap=True),
        "letter": f(bold=True, bg_color=HEAD, align="center", font_color=SIG, border=1),
        "block": f(bold=True, top=1),
        "label": f(indent=1),
        "base_label": f(bold=True, bg_color="#F2F2F2"),
    }
    for grey in (False, True):
        color = {"font_color": GREY} if grey else {}
        g = "_grey" if grey else ""
        out["base" + g] = f(num_format="#,##0", bg_color="#F2F2F2", **color)
        out["base_w" + g] = f(num_format="#,##0.0", bg_color="#F2F2F2", **color)
        for kind, num in NUMBER_FORMATS.items():
            out[kind + g] = f(num_format=num, **color)
    out["sig"] = f(bold=True, font_color=SIG, align="left")
    out["small"] = f(font_color=GREY, align="right")
    return out


def _header(ws, fmt, header, first_row: int) -> None:
    """Banner variable labels, value labels and letters; each banner column spans two cells."""
    col = 1
    for var_label, values in header:
        span = 2 * len(values)
        if span > 1:
            ws.merge_range(first_row, col, first_row, col + span - 1, var_label, fmt["head"])
        for value_label, letter in values:
            ws.merge_range(first_row + 1, col, first_row + 1, col + 1, value_label, fmt["head"])
            ws.merge_range(first_row + 2, col, first_row + 2, col + 1, letter or "", fmt["letter"])
            col += 2
    for r in range(3):
        ws.write_blank(first_row + r, 0, None, fmt["head_left"])


def _bases(ws, fmt, r: int, block, weighted: bool, lang: str) -> int:
    rows = [("tables.base", block.base, "base")]
    if weighted:
        rows += [
            ("tables.base_weighted", block.base_weighted, "base_w"),
            ("tables.base_effective", block.base_effective, "base_w"),
        ]
    for key, values, style in rows:
        ws.write_string(r, 0, msg(key, lang), fmt["base_label"])
        for c, (v, low) in enumerate(zip(values, block.low, strict=True)):
            ws.write_number(r, 1 + 2 * c, float(v), fmt[style + ("_grey" if low else "")])
            ws.write_blank(r, 2 + 2 * c, None, fmt["base"])
        r += 1
    return r


def _lines(ws, fmt, r: int, block, marker: str) -> int:
    for label, kind, values, sigs in block.lines:
        ws.write_string(r, 0, label, fmt["label"])
        scale = 0.01 if kind == "pct" else 1.0
        for c, (v, s, low) in enumerate(zip(values, sigs, block.low, strict=True)):
            if low and block.hidden:
                ws.write_string(r, 1 + 2 * c, marker, fmt["small"])
            elif not np.isnan(v):
                ws.write_number(r, 1 + 2 * c, v * scale, fmt[kind + ("_grey" if low else "")])
            if s:
                ws.write_string(r, 2 + 2 * c, s, fmt["sig"])
        r += 1
    return r


def _table_sheet(
    wb, fmt, layout: TableLayout, header, weighted: bool, lang: str, marker: str
) -> None:
    ws = wb.add_worksheet(sheet_name(layout.number))
    n_cols = sum(len(v) for _, v in header)
    ws.set_column(0, 0, 32)
    for c in range(n_cols):
        ws.set_column(1 + 2 * c, 1 + 2 * c, 8.5)
        ws.set_column(2 + 2 * c, 2 + 2 * c, 4)
    ws.write_string(
        0, 0, f"{msg('tables.table', lang)} {layout.number}  {layout.title}", fmt["title"]
    )
    ws.write_string(1, 0, layout.base, fmt["text"])
    ws.write_url(
        2,
        0,
        f"internal:'{msg('tables.contents', lang)}'!A1",
        fmt["link"],
        string=msg("tables.back", lang),
    )
    _header(ws, fmt, header, HEADER_ROW)
    r = HEADER_ROW + 3
    freeze = None
    for block in layout.blocks:
        if len(layout.blocks) > 1:
            ws.write_string(r, 0, block.label, fmt["block"])
            r += 1
        r = _bases(ws, fmt, r, block, weighted, lang)
        freeze = freeze or r
        r = _lines(ws, fmt, r, block, marker)
    ws.freeze_panes(freeze if len(layout.blocks) == 1 else HEADER_ROW + 3, 1)
    r += 1
    for note in layout.notes:
        ws.write_string(r, 0, note, fmt["note"])
        r += 1
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW, HEADER_ROW + 2)


def _contents(wb, fmt, book: Book, tables: list[TableLayout], lang: str) -> None:
    ws = wb.add_worksheet(msg("tables.contents", lang))
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 48)
    ws.set_column(2, 2, 36)
    name = book.codebook.name if book.codebook is not None and book.codebook.name else ""
    ws.write_string(0, 0, f"{msg('report.tables', lang)}  {name}".strip(), fmt["title"])
    weighting = (
        msg("tables.weighted_by", lang, weight=book.weight)
        if book.weight
        else msg("tables.unweighted", lang)
    )
    ws.write_string(1, 0, weighting, fmt["text"])
    r = 3
    for key in ("tables.table", "tables.title", "tables.base"):
        ws.write_string(
            r,
            ("tables.table", "tables.title", "tables.base").index(key),
            msg(key, lang),
            fmt["head_left"],
        )
    for t in tables:
        r += 1
        ws.write_url(
            r, 0, f"internal:'{sheet_name(t.number)}'!A1", fmt["link"], string=sheet_name(t.number)
        )
        ws.write_string(r, 1, t.title, fmt["text"])
        ws.write_string(r, 2, t.base, fmt["text"])
    ws.freeze_panes(4, 0)
    ws.fit_to_pages(1, 0)


def to_excel(book: Book, path: str | Path, *, lang: str = "zh", small: str = "hide") -> Path:
    """Write a table book to an Excel workbook: a contents sheet, then one sheet per table.

    Parameters
    ----------
    book : Book
        From :func:`~cxlab.tables.table_book`.
    path : str or Path
        The ``.xlsx`` file to write (replaced if it exists).
    lang : {"zh", "en"}
        Language of headings and notes; item and value labels come from the codebook.
    small : {"hide", "grey"}
        Columns under the book's ``min_base``: "n < 30" in place of their statistics (the
        default: workbooks are mailed on), or their numbers in grey for the analyst's own copy
        (see :func:`~cxlab.tables.layout.layouts`).

    Returns
    -------
    Path
        The file written.

    Notes
    -----
    Every number is a number: percentages as fractions with a ``0.0%`` format, means and SDs
    ``0.00``, NPS ``0.0``, bases ``#,##0``; the significance letters sit in their own cell to
    the right of each value, so a reader can compute with every figure. The banner header is
    merged over each variable, panes are frozen below the bases and right of the labels, low
    bases are grey (their statistics withheld unless ``small="grey"``), and the notes under each table say how it was tested.

    Examples
    --------
    >>> import pathlib, tempfile, pandas as pd
    >>> from cxlab.codebook import Codebook
    >>> from cxlab.tables import table_book
    >>> cb = Codebook.from_dict({"id": "id", "segments": ["seg"],
    ...                          "items": {"q": {"type": "nps"}}})
    >>> b = table_book(pd.DataFrame({"q": [9, 3], "seg": ["x", "y"]}), codebook=cb)
    >>> p = to_excel(b, pathlib.Path(tempfile.mkdtemp()) / "book.xlsx")
    >>> import openpyxl; openpyxl.load_workbook(p).sheetnames
    ['目录', 'T1']
    """
    import xlsxwriter

    check_lang(lang)
    path = Path(path)
    header = banner_header(book, lang=lang)
    tables = list(layouts(book, lang=lang, small=small))
    marker = msg("small_base.marker", lang, min_base=f"{book.min_base:g}")
    wb = xlsxwriter.Workbook(str(path))
    try:
        fmt = _formats(wb)
        _contents(wb, fmt, book, tables, lang)
        for layout in tables:
            _table_sheet(wb, fmt, layout, header, bool(book.weight), lang, marker)
    finally:
        wb.close()
    return path

"""A table of a book laid out for a reader: labels, bases, lines and notes (Excel and HTML).

Nothing is computed here: every number comes from :attr:`Book.cells`; words come from the
codebook (item, value and segment labels) and the message catalogue (``tables.yaml``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.messages import check_lang, has, msg
from cxlab.tables.book import Book
from cxlab.tables.crosstab import TOTAL

__all__ = ["SMALL", "Block", "TableLayout", "banner_header", "check_small", "layouts"]


@dataclass(frozen=True)
class Block:
    """One row item of a table: its label, bases per column, and its lines.

    Attributes
    ----------
    label : str
    base, base_weighted, base_effective : numpy.ndarray
        Per banner column.
    low : numpy.ndarray of bool
        Columns under the minimum base.
    lines : list of (label, kind, values, sigs)
        ``values`` and ``sigs`` per banner column; ``kind`` as in the cell table. With
        ``small="hide"`` the values of low columns are NaN and their sigs empty.
    hidden : bool
        Low columns' statistics are withheld: a reader sees the small-base marker there.
    """

    label: str
    base: np.ndarray
    base_weighted: np.ndarray
    base_effective: np.ndarray
    low: np.ndarray
    lines: list[tuple[str, str, np.ndarray, np.ndarray]]
    hidden: bool = False


@dataclass(frozen=True)
class TableLayout:
    """A table as a reader sees it.

    Attributes
    ----------
    number : int
    title : str
    base : str
        The base in words ("基数：全部受访者").
    blocks : list of Block
    notes : list of str
    """

    number: int
    title: str
    base: str
    blocks: list[Block]
    notes: list[str]


def _text(value) -> str | None:
    """A text field of the tables frame, None when empty or missing."""
    return None if value is None or pd.isna(value) or value == "" else str(value)


def _filter_text(book: Book, base_filter: str | None) -> str | None:
    """``channel=电话; ss_used=1`` with the codebook's column labels: ``渠道 = 电话；...``."""
    if base_filter is None:
        return None
    parts = []
    for part in base_filter.split("; "):
        column, _, values = part.partition("=")
        label = book.codebook.label(column) if book.codebook is not None else column
        parts.append(f"{label} = {' / '.join(values.split('|'))}")
    return "; ".join(parts)


def _code_label(column: str, code: str, lang: str) -> str | None:
    key = f"{column}.{code}"
    return msg(key, lang) if has(key) else None


def _line_label(book: Book, row: str, row_type: str, value: str, lang: str) -> str:
    known = _code_label("row_value", value, lang)
    if known is not None:
        return known
    if row_type == "binary" and value in ("0", "1"):
        return msg(f"tables.binary.{value}", lang)
    cb = book.codebook
    if cb is not None and row_type == "category" and row in cb.items and cb.items[row].values:
        return cb.items[row].values.get(value, value)
    if cb is not None and row_type == "multi":
        return cb.label(value)
    return value


def _item_label(book: Book, row: str) -> str:
    return book.codebook.label(row) if book.codebook is not None else row


def banner_header(book: Book, *, lang: str = "zh") -> list[tuple[str, list[tuple[str, str]]]]:
    """The banner as a reader sees it: each variable's label and its (value label, letter) pairs.

    Parameters
    ----------
    book : Book
    lang : {"zh", "en"}

    Returns
    -------
    list of (str, list of (str, str))
        Total first, then each banner variable in order.

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> from cxlab.tables.book import table_book
    >>> cb = Codebook.from_dict({"id": "id", "segments": {"seg": "分组"},
    ...                          "items": {"q": {"type": "nps"}}})
    >>> b = table_book(pd.DataFrame({"q": [9, 3], "seg": ["x", "y"]}), codebook=cb)
    >>> banner_header(b, lang="en")
    [('Total', [('Total', '')]), ('分组', [('x', 'A'), ('y', 'B')])]
    """
    check_lang(lang)
    out: list[tuple[str, list[tuple[str, str]]]] = []
    for var, cols in book.banner.groupby("banner", sort=False):
        if var == TOTAL:
            label = msg("banner.total", lang)
            values = [(msg("banner_value.total", lang), "")]
        else:
            label = book.codebook.label(var) if book.codebook is not None else var
            values = list(zip(cols["banner_value"].astype(str), cols["column"], strict=True))
        out.append((label, values))
    return out


def _notes(book: Book, table: pd.Series, cells: pd.DataFrame, lang: str, small: str) -> list[str]:
    fields = {"alpha": f"{book.alpha:g}", "alpha_strong": f"{book.alpha_strong:g}"}
    notes = [msg(f"tables.note.{book.compare}", lang, **fields)]
    if book.adjust:
        notes.append(msg(f"tables.note.adjust.{book.adjust}", lang))
    if book.weight:
        notes.append(msg("tables.note.weighted", lang))
    if cells["low_base"].any():
        key = "tables.note.low_base" if small == "grey" else "tables.note.low_base_hidden"
        notes.append(msg(key, lang, min_base=f"{book.min_base:g}"))
    if book.banner["members"].notna().any():
        notes.append(msg("tables.note.nets", lang))
    if (cells["row_type"] == "multi").any():
        notes.append(msg("tables.note.multi", lang))
    if table["n_excluded"] > 0:
        notes.append(msg("tables.note.zero_weight", lang, n=int(table["n_excluded"])))
    return notes


def _block(book: Book, cells: pd.DataFrame, n_cols: int, lang: str, small: str) -> Block:
    first = cells.iloc[:n_cols]
    row, row_type = first["row"].iat[0], first["row_type"].iat[0]
    n_lines = len(cells) // n_cols
    low = first["low_base"].to_numpy()
    values = cells["value"].to_numpy(dtype=float).reshape(n_lines, n_cols)
    sigs = cells["sig"].to_numpy().reshape(n_lines, n_cols)
    if small == "hide":  # never a figure computed from fewer than min_base respondents
        values, sigs = values.copy(), sigs.copy()
        values[:, low], sigs[:, low] = np.nan, ""
    keys = cells["row_value"].to_numpy()[::n_cols]
    kinds = cells["kind"].to_numpy()[::n_cols]
    lines = [
        (_line_label(book, row, row_type, k, lang), kind, values[i], sigs[i])
        for i, (k, kind) in enumerate(zip(keys, kinds, strict=True))
    ]
    return Block(
        label=_item_label(book, row),
        base=first["base"].to_numpy(),
        base_weighted=first["base_weighted"].to_numpy(),
        base_effective=first["base_effective"].to_numpy(),
        low=low,
        lines=lines,
        hidden=small == "hide",
    )


SMALL = ("hide", "grey")


def check_small(small: str) -> str:
    """``small`` if it is one of :data:`SMALL`, else a ValueError saying what it may be.

    Parameters
    ----------
    small : str
        How columns under ``min_base`` are shown.

    Returns
    -------
    str
        ``small`` unchanged.

    Examples
    --------
    >>> check_small("grey")
    'grey'
    """
    if small not in SMALL:
        raise ValueError(f"`small` should be 'hide' or 'grey', not {small!r}.")
    return small


def layouts(book: Book, *, lang: str = "zh", small: str = "hide") -> Iterator[TableLayout]:
    """Every table of a book laid out for a reader, in book order.

    Parameters
    ----------
    book : Book
    lang : {"zh", "en"}
    small : {"hide", "grey"}
        Columns whose base is under the book's ``min_base``: ``"hide"`` (for anything shared)
        withholds their statistics and letters, and readers see "n < 30" with the base;
        ``"grey"`` shows them in grey, untested (the market-research convention, for the
        analyst's own workbook). Small columns are never tested either way.

    Yields
    ------
    TableLayout

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> from cxlab.tables.book import table_book
    >>> cb = Codebook.from_dict({"id": "id", "segments": ["seg"],
    ...                          "items": {"q": {"type": "nps", "label": "推荐"}}})
    >>> b = table_book(pd.DataFrame({"q": [9, 3], "seg": ["x", "y"]}), codebook=cb)
    >>> t = next(layouts(b, lang="en"))
    >>> t.title, t.base, [line[0] for line in t.blocks[0].lines]
    ('推荐', 'Base: all respondents', ['Promoters (9-10)', 'Passives (7-8)', \
'Detractors (0-6)', 'NPS'])
    """
    check_lang(lang)
    check_small(small)
    n_cols = len(book.banner)
    tables = book.tables.set_index("table")
    for number, cells in book.cells.groupby("table", sort=False):
        table = tables.loc[number]
        blocks = [
            _block(book, block, n_cols, lang, small)
            for _, block in cells.groupby("row", sort=False)
        ]
        title = _text(table["title"]) or " / ".join(b.label for b in blocks)
        base = (
            _text(table["base_label"])
            or _filter_text(book, _text(table["base_filter"]))
            or msg("tables.base_all", lang)
        )
        yield TableLayout(
            number=int(number),
            title=title,
            base=msg("tables.base_of", lang, base=base),
            blocks=blocks,
            notes=_notes(book, table, cells, lang, small),
        )

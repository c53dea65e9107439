"""The table book as HTML for the report page: the same tables as the Excel book, with letters
beside the numbers and low-base columns in grey."""

from __future__ import annotations

from html import escape

import numpy as np

from cxlab.messages import check_lang, msg
from cxlab.tables.book import Book
from cxlab.tables.layout import Block, TableLayout, banner_header, layouts

__all__ = ["STYLE", "to_html"]

#: The page style of the tables (inlined once, before the first table).
STYLE = """<style>
.cx-book{border-collapse:collapse;font-size:12px;margin:.4em 0 .2em}
.cx-book th,.cx-book td{padding:2px 6px;border-bottom:1px solid #e6e6e6;white-space:nowrap}
.cx-book thead th{background:#ddebf7;text-align:center;border:1px solid #c9d9ea}
.cx-book td{text-align:right}.cx-book td.l{text-align:left;padding-left:1em}
.cx-book tr.base td{background:#f2f2f2}.cx-book tr.base td.l{font-weight:600;padding-left:6px}
.cx-book tr.item td{font-weight:600;text-align:left;border-top:1px solid #999}
.cx-book .s{color:#c00000;font-weight:700;font-size:10px;margin-left:2px}
.cx-book .low{color:#9e9e9e}.cx-book th.letter{color:#c00000}
.cx-notes{font-size:11px;color:#595959;margin:0 0 1.6em}
</style>"""

_DIGITS = {"pct": 1, "mean": 2, "sd": 2, "median": 2, "nps": 1}


def _head(header) -> str:
    rows = ["<tr><th></th>", "<tr><th></th>", "<tr><th></th>"]
    for var_label, values in header:
        rows[0] += f'<th colspan="{len(values)}">{escape(var_label)}</th>'
        for value_label, letter in values:
            rows[1] += f"<th>{escape(value_label)}</th>"
            rows[2] += f'<th class="letter">{escape(letter)}</th>'
    return "<thead>" + "".join(r + "</tr>" for r in rows) + "</thead>"


def _cell(value: float, sig: str, kind: str, low: bool, marker: str) -> str:
    if marker:
        return f"<td class=low>{escape(marker)}</td>"
    text = "" if np.isnan(value) else f"{value:,.{_DIGITS[kind]}f}"
    mark = f'<span class="s">{escape(sig)}</span>' if sig else ""
    return f"<td{' class=low' if low else ''}>{text}{mark}</td>"


def _block(block: Block, stacked: bool, weighted: bool, lang: str, min_base: float) -> str:
    n_cols = len(block.base) + 1
    out = (
        f'<tr class="item"><td colspan="{n_cols}">{escape(block.label)}</td></tr>'
        if stacked
        else ""
    )
    bases = [("tables.base", block.base, 0)]
    if weighted:
        bases += [("tables.base_weighted", block.base_weighted, 1)]
        bases += [("tables.base_effective", block.base_effective, 1)]
    for key, values, digits in bases:
        cells = "".join(
            f"<td{' class=low' if low else ''}>{v:,.{digits}f}</td>"
            for v, low in zip(values, block.low, strict=True)
        )
        out += f'<tr class="base"><td class="l">{escape(msg(key, lang))}</td>{cells}</tr>'
    marker = msg("small_base.marker", lang, min_base=f"{min_base:g}")
    for label, kind, values, sigs in block.lines:
        cells = "".join(
            _cell(v, s, kind, low, marker if low and block.hidden else "")
            for v, s, low in zip(values, sigs, block.low, strict=True)
        )
        out += f'<tr><td class="l">{escape(label)}</td>{cells}</tr>'
    return out


def _table(layout: TableLayout, head: str, weighted: bool, lang: str, min_base: float) -> str:
    stacked = len(layout.blocks) > 1
    body = "".join(_block(b, stacked, weighted, lang, min_base) for b in layout.blocks)
    notes = "<br>".join(escape(n) for n in layout.notes)
    title = f"{msg('tables.table', lang)} {layout.number}  {layout.title}"
    return (
        f"<h3>{escape(title)}</h3><div>{escape(layout.base)}</div>"
        f'<table class="cx-book">{head}<tbody>{body}</tbody></table>'
        f'<p class="cx-notes">{notes}</p>'
    )


def to_html(
    book: Book, *, lang: str = "zh", tables=None, style: bool = True, small: str = "hide"
) -> str:
    """The tables of a book as HTML: banner header, bases, lines with their letters, notes.

    Parameters
    ----------
    book : Book
        From :func:`~cxlab.tables.table_book`.
    lang : {"zh", "en"}
        Language of headings and notes; labels come from the codebook.
    tables : list of int, optional
        Table numbers to show (None: every table).
    style : bool
        Put :data:`STYLE` in front.
    small : {"hide", "grey"}
        Columns under the book's ``min_base``: "n < 30" in place of their statistics (the
        default, for pages that are shared), or their statistics in grey (see
        :func:`~cxlab.tables.layout.layouts`).

    Returns
    -------
    str
        HTML; every text is escaped. Low-base columns carry the class ``low`` (grey).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlab.codebook import Codebook
    >>> from cxlab.tables import table_book
    >>> cb = Codebook.from_dict({"id": "id", "segments": ["seg"],
    ...                          "items": {"q": {"type": "nps", "label": "推荐"}}})
    >>> b = table_book(pd.DataFrame({"q": [9, 3], "seg": ["x", "y"]}), codebook=cb)
    >>> page = to_html(b, lang="en", style=False)
    >>> page[:30], "Promoters (9-10)" in page, page.count("class=low"), page.count(">n &lt; 30<")
    ('<h3>Table 1  推荐</h3><div>Base:', True, 15, 12)
    >>> to_html(b, lang="en", style=False, small="grey").count(">n &lt; 30<")
    0
    """
    check_lang(lang)
    head = _head(banner_header(book, lang=lang))
    weighted = bool(book.weight)
    wanted = None if tables is None else set(tables)
    parts = [
        _table(layout, head, weighted, lang, book.min_base)
        for layout in layouts(book, lang=lang, small=small)
        if wanted is None or layout.number in wanted
    ]
    return (STYLE if style else "") + "".join(parts)

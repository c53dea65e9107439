"""Table books: banner tables with bases, nets and significance letters.

- :func:`crosstab`: row items against Total and segment columns, one tidy row per cell.
- :func:`table_book`: every table of a spec (default: every closed item) as a :class:`Book`.
- :mod:`cxlab.tables.spec`: the optional table spec (YAML beside the codebook).
- :func:`to_excel` and :func:`to_html`: the book for readers (presentation, with ``lang``).
- :func:`main_tables`: the ``cxlab tables`` command.
"""

from cxlab.tables.book import Book, table_book
from cxlab.tables.command import find_spec, main_tables
from cxlab.tables.crosstab import CELL_COLUMNS, TOTAL, BannerPlan, crosstab, plan_banner
from cxlab.tables.excel import to_excel
from cxlab.tables.html import to_html
from cxlab.tables.spec import BannerVar, TableDef, TableSpec, default_spec, read_spec

__all__ = [
    "CELL_COLUMNS",
    "TOTAL",
    "BannerPlan",
    "BannerVar",
    "Book",
    "TableDef",
    "TableSpec",
    "crosstab",
    "default_spec",
    "find_spec",
    "main_tables",
    "plan_banner",
    "read_spec",
    "table_book",
    "to_excel",
    "to_html",
]

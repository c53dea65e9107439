"""Section functions of the report notebooks: one module per report, one function per section.

Each function takes the :class:`cxlab.notebook.ReportContext` of :func:`cxlab.notebook.open_report`
and returns a :class:`cxlab.notebook.Shown` (Markdown, tables, figures) that
:func:`cxlab.notebook.show` displays. The sections and what each needs are declared once in
:data:`cxlab.sections.REPORTS`; a section whose needs the survey does not meet returns one sentence
saying what is missing and how to add it, and never fails because the survey lacks an item type.

Charts leave out the groups, waves and rows under the page's ``min_base`` and a note under them
names what was left out; a chart (or a panel of one) with nothing left to draw is not shown, so
that a small unit's page has no empty boxes, only the note and the table with its "n < 30" cells.

Every value from data, a codebook or a parameter that goes into Markdown here is escaped with
:func:`cxlab.markup.escape_markdown`; tables go through :func:`cxlab.present.table`, which escapes
cells and headers.

The report modules are imported on first use (``pages.voice`` loads the text models only when a
voice report runs).
"""

from __future__ import annotations

import importlib

__all__ = ["drivers", "gaps", "journey", "parts", "satisfaction", "voice"]


def __getattr__(name: str):
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

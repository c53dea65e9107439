"""Table books: banner tables with bases, nets and significance letters (issue 14).

- :func:`crosstab`: row items against Total and segment columns, one tidy row per cell.
- :mod:`cxlab.tables.spec`: the optional table spec (YAML beside the codebook).
"""

from cxlab.tables.crosstab import CELL_COLUMNS, TOTAL, BannerPlan, crosstab, plan_banner
from cxlab.tables.spec import BannerVar, TableDef, TableSpec, default_spec, read_spec

__all__ = [
    "CELL_COLUMNS",
    "TOTAL",
    "BannerPlan",
    "BannerVar",
    "TableDef",
    "TableSpec",
    "crosstab",
    "default_spec",
    "plan_banner",
    "read_spec",
]

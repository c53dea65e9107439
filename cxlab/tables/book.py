"""The table book: every table of a spec (or every closed item) against one banner."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.codebook import Codebook
from cxlab.tables.crosstab import CELL_COLUMNS, TOTAL, crosstab, plan_banner
from cxlab.tables.spec import TableDef, TableSpec, default_spec, value_mask

__all__ = ["Book", "table_book"]

#: Row types whose categories a spec may sort (scale points and statistics keep their order).
SORTABLE = frozenset({"category", "multi"})


@dataclass(frozen=True)
class Book:
    """A table book: the cells of every table, the tables, the banner and the test settings.

    Attributes
    ----------
    cells : pandas.DataFrame
        ``table`` (its number, from 1) and the columns of :func:`~cxlab.tables.crosstab`, table
        by table in book order.
    tables : pandas.DataFrame
        One row per table: ``table``, ``title`` (None: the first item's label), ``rows`` (the
        items, comma-separated), ``base_label`` (None: every respondent), ``base_filter``
        (``column=value|value; ...``, empty without a filter), ``n_excluded`` (respondents in
        the table's Total with weight 0, left out).
    banner : pandas.DataFrame
        One row per banner column: ``banner``, ``banner_value``, ``column``, ``members`` (the
        values a net combines, else None).
    codebook : Codebook or None
        For labels.
    weight : str or None
    alpha, alpha_strong : float
    compare : str
    adjust : str or None
    min_base : float
    """

    cells: pd.DataFrame
    tables: pd.DataFrame
    banner: pd.DataFrame
    codebook: Codebook | None
    weight: str | None
    alpha: float
    alpha_strong: float
    compare: str
    adjust: str | None
    min_base: float


def _filter(df: pd.DataFrame, table: TableDef) -> np.ndarray | None:
    if not table.base:
        return None
    mask = np.ones(len(df), dtype=bool)
    for column, values in table.base.items():
        if column not in df.columns:
            raise ValueError(
                f"Table of {list(table.rows)}: base filter column `{column}` is not in the data."
            )
        mask &= value_mask(df[column], list(values))
    return mask


def _sorted(cells: pd.DataFrame, order: str, nets) -> pd.DataFrame:
    """Categories of sortable rows by their Total value (nets and statistics stay below)."""
    if order == "none":
        return cells
    parts = []
    for _, block in cells.groupby("row", sort=False):
        if block["row_type"].iat[0] not in SORTABLE:
            parts.append(block)
            continue
        total = block[block["banner"] == TOTAL].set_index("row_value")["value"]
        row_nets = nets.get(block["row"].iat[0], {})
        cats = [v for v in total.index if v not in row_nets]
        ranked = total.loc[cats].sort_values(ascending=order == "asc", kind="stable").index
        rank = {v: i for i, v in enumerate(ranked)}
        key = np.array([rank.get(v, len(rank)) for v in block["row_value"]])
        parts.append(block.iloc[np.argsort(key, kind="stable")])
    return pd.concat(parts)


def table_book(
    df: pd.DataFrame,
    *,
    codebook: Codebook,
    spec: TableSpec | None = None,
    weight: str | None = None,
    alpha: float = 0.05,
    alpha_strong: float = 0.01,
    compare: str = "columns",
    adjust: str | None = None,
    min_base: float = 30,
) -> Book:
    """Every table of a spec against its banner (default: every closed item, every segment).

    Parameters
    ----------
    df : pandas.DataFrame
    codebook : Codebook
    spec : TableSpec, optional
        Banner, tables, nets and sort order (:mod:`cxlab.tables.spec`); None: the default book.
    weight : str, optional
        Weight column (the weight rule of :mod:`cxlab.checks`).
    alpha, alpha_strong, compare, adjust, min_base
        As in :func:`~cxlab.tables.crosstab`.

    Returns
    -------
    Book
        ``cells``, ``tables``, ``banner`` and the settings; see :class:`Book`.

    Notes
    -----
    The banner is encoded once for the whole book; a table with a base filter uses the same
    banner columns over its respondents, so every table of a book has the same columns.

    Examples
    --------
    >>> book = Codebook.from_dict({"id": "id", "segments": ["seg"],
    ...                            "items": {"q": {"type": "scale", "min": 1, "max": 3}}})
    >>> df = pd.DataFrame({"q": [1, 2, 2, 1, 1, 2, 2, 3], "seg": list("xxxxyyyy")})
    >>> b = table_book(df, codebook=book, min_base=2)
    >>> b.tables[["table", "rows"]].values.tolist(), b.banner["column"].tolist()
    ([[1, 'q']], ['', 'A', 'B'])
    >>> b.cells.query("row_value == 'mean'")[["banner_value", "value"]].values.tolist()
    [['total', 1.75], ['x', 1.5], ['y', 2.0]]
    """
    spec = default_spec(codebook, spec=spec)
    plan = plan_banner(df, list(spec.banner))
    options = dict(
        weight=weight,
        codebook=codebook,
        alpha=alpha,
        alpha_strong=alpha_strong,
        compare=compare,
        adjust=adjust,
        min_base=min_base,
    )
    cells, rows = [], []
    for number, table in enumerate(spec.tables, start=1):
        mask = _filter(df, table)
        sub, sub_plan = (df, plan) if mask is None else (df.loc[mask], plan.subset(mask))
        nets = {**spec.nets, **table.nets}
        t = crosstab(sub, list(table.rows), sub_plan, nets=nets, **options)
        t = _sorted(t, table.sort or spec.sort, nets)
        t.insert(0, "table", number)
        cells.append(t)
        total = t[t["banner"] == TOTAL]
        rows.append(
            {
                "table": number,
                "title": table.title,
                "rows": ",".join(table.rows),
                "base_label": table.base_label,
                "base_filter": "; ".join(f"{c}={'|'.join(v)}" for c, v in table.base.items()),
                "n_excluded": int((total["n"] - total["n_used"]).max()),
            }
        )
    return Book(
        cells=pd.concat(cells, ignore_index=True)[["table", *CELL_COLUMNS]],
        tables=pd.DataFrame(rows),
        banner=plan.columns,
        codebook=codebook,
        weight=weight,
        alpha=alpha,
        alpha_strong=alpha_strong,
        compare=compare,
        adjust=adjust,
        min_base=min_base,
    )

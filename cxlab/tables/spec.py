"""The table spec: which tables a book holds, against which banner (an optional YAML file).

A table spec sits beside the codebook (``tables.yaml``) and says what a market researcher would
set up in Q or SPSS Custom Tables: the banner (segment columns, the order of their values, nets of
values such as 华东+华南 = 南方), the tables (rows, title, a base filter), nets of row codes, and
the sort order of categories. Every key is optional; without a spec the book is every closed item
against Total plus every segment (:func:`default_spec`)::

    banner:
      - region                            # a segment column: every value, sorted
      - column: channel
        values: [门店, 官网, 小程序, 电话]  # these values, in this order
        nets: {线上: [官网, 小程序]}
    nets:                                 # row nets of an item, in every table of the book
      overall: {满意: [4, 5], 不满意: [1, 2]}
    sort: none                            # categories as coded; desc/asc: by the Total column
    tables:
      - rows: overall
        title: 总体满意度
      - rows: [ss_resolved, ss_reused]    # several items stacked in one table
        title: 自助服务
        base: {ss_used: 1}                # only respondents with ss_used = 1
        base_label: 使用过自助服务的顾客
        sort: desc

Without ``tables``, the book is every closed item against the spec's banner; without
``banner``, the banner is every segment of the codebook.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from cxlab.codebook import Codebook

__all__ = [
    "CLOSED_TYPES",
    "BannerVar",
    "TableDef",
    "TableSpec",
    "closed_rows",
    "default_spec",
    "read_spec",
    "value_key",
    "value_mask",
]

#: Item types a default book tables (multi items are tabled once per ``set``).
CLOSED_TYPES = ("category", "binary", "kano", "scale", "nps", "multi")
SORTS = ("none", "desc", "asc")
SPEC_KEYS = frozenset({"banner", "tables", "nets", "sort"})
BANNER_KEYS = frozenset({"column", "values", "nets"})
TABLE_KEYS = frozenset({"rows", "title", "base", "base_label", "nets", "sort"})


def value_key(value: Any) -> str:
    """A code as text, the same whether it was read as ``1``, ``1.0`` or ``"1"``.

    Parameters
    ----------
    value : object
        A code or a category value.

    Returns
    -------
    str

    Examples
    --------
    >>> value_key(1.0), value_key(2), value_key("华东")
    ('1', '2', '华东')
    """
    if isinstance(value, float | np.floating) and float(value).is_integer():
        value = int(value)
    elif isinstance(value, np.integer):
        value = int(value)
    return str(value)


def value_mask(series: pd.Series, values) -> np.ndarray:
    """Rows of ``series`` whose value is one of ``values`` (compared as :func:`value_key`).

    Parameters
    ----------
    series : pandas.Series
    values : object or list
        One value or several.

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> value_mask(pd.Series([1.0, 2.0, None]), [1]).tolist()
    [True, False, False]
    """
    wanted = {value_key(v) for v in (values if isinstance(values, list | tuple) else [values])}
    codes, uniques = pd.factorize(series)
    hit = np.array([value_key(u) in wanted for u in uniques] + [False])
    return hit[codes]


@dataclass(frozen=True)
class BannerVar:
    """One banner variable: a segment column, its values in order, and nets of its values.

    Attributes
    ----------
    column : str
    values : tuple of str, optional
        The values shown, in order (as :func:`value_key`); None: every value, sorted.
    nets : mapping str -> tuple of str
        Net name -> the values it combines (华东, 华南 -> 南方).
    """

    column: str
    values: tuple[str, ...] | None = None
    nets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class TableDef:
    """One table of a book.

    Attributes
    ----------
    rows : tuple of str
        Items (or multiple-response sets) down the side, stacked in this order.
    title : str, optional
        Title (None: the label of the first item).
    base : mapping str -> tuple of str
        Base filter: column -> the values a respondent needs to be in the table.
    base_label : str, optional
        The base in words, e.g. "customers who contacted service".
    nets : mapping str -> mapping str -> tuple of str
        Item -> {net name: codes}; replaces the default top-2/bottom-2 of a scale.
    sort : {"none", "desc", "asc"}, optional
        Order of categories by the Total column (None: the spec's default).
    """

    rows: tuple[str, ...]
    title: str | None = None
    base: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    base_label: str | None = None
    nets: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    sort: str | None = None


@dataclass(frozen=True)
class TableSpec:
    """A parsed table spec (see the module docstring for the YAML keys).

    Attributes
    ----------
    banner : tuple of BannerVar, optional
        None: every segment of the codebook.
    tables : tuple of TableDef, optional
        None: every closed item (:func:`closed_rows`), one table each.
    nets : mapping str -> mapping str -> tuple of str
        Row nets per item, for every table.
    sort : {"none", "desc", "asc"}
    source : str
        Where the spec came from, for messages.
    """

    banner: tuple[BannerVar, ...] | None = None
    tables: tuple[TableDef, ...] | None = None
    nets: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    sort: str = "none"
    source: str = "<spec>"

    @classmethod
    def from_dict(cls, spec: Any, source: str = "<spec>") -> TableSpec:
        """Validate a parsed spec (a mapping) and build a :class:`TableSpec`.

        Parameters
        ----------
        spec : mapping or None
            The parsed YAML (None or empty: all defaults).
        source : str
            The file name, for messages.

        Returns
        -------
        TableSpec

        Raises
        ------
        ValueError
            Naming ``source``, the key and what is wrong with it.

        Examples
        --------
        >>> s = TableSpec.from_dict({"banner": [{"column": "region",
        ...                                      "nets": {"南方": ["华东", "华南"]}}],
        ...                          "tables": [{"rows": "q1", "base": {"used": 1}}]})
        >>> s.banner[0].nets, s.tables[0].rows, s.tables[0].base
        ({'南方': ('华东', '华南')}, ('q1',), {'used': ('1',)})
        """
        fail = _failer(source)
        spec = {} if spec is None else spec
        if not isinstance(spec, Mapping):
            raise fail("", f"should be a mapping (banner, tables, nets, sort), not {spec!r}.")
        _unknown(spec, SPEC_KEYS, "", fail)
        banner = None
        if spec.get("banner") is not None:
            if not isinstance(spec["banner"], list):
                raise fail("banner", "should be a list of segment columns.")
            banner = tuple(
                _banner_var(b, f"banner[{i}]", fail) for i, b in enumerate(spec["banner"])
            )
        tables = None
        if spec.get("tables") is not None:
            if not isinstance(spec["tables"], list) or not spec["tables"]:
                raise fail("tables", "should be a non-empty list of tables (each with `rows`).")
            tables = tuple(_table(t, f"tables[{i}]", fail) for i, t in enumerate(spec["tables"]))
        return cls(
            banner=banner,
            tables=tables,
            nets=_item_nets(spec.get("nets"), "nets", fail),
            sort=_sort(spec.get("sort", "none"), "sort", fail) or "none",
            source=source,
        )


def _failer(source: str):
    def fail(key: str, problem: str) -> ValueError:
        where = f"`{key}` " if key else ""
        return ValueError(f"Table spec {source}: {where}{problem}")

    return fail


def _unknown(raw: Mapping, known: frozenset, key: str, fail) -> None:
    extra = sorted(map(str, set(raw) - known))
    if extra:
        name = f"{key}.{extra[0]}" if key else extra[0]
        raise fail(name, f"is not a key here; known keys: {sorted(known)}.")


def _codes(raw: Any, key: str, fail) -> tuple[str, ...]:
    values = raw if isinstance(raw, list) else [raw]
    if not values or any(isinstance(v, Mapping | list) or v is None for v in values):
        raise fail(key, f"should be a value or a list of values, not {raw!r}.")
    return tuple(value_key(v) for v in values)


def _nets(raw: Any, key: str, fail) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise fail(key, "should be a mapping net name -> list of values.")
    return {str(name): _codes(v, f"{key}.{name}", fail) for name, v in raw.items()}


def _item_nets(raw: Any, key: str, fail) -> dict[str, dict[str, tuple[str, ...]]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise fail(key, "should be a mapping item -> {net name: [codes]}.")
    return {str(item): _nets(v, f"{key}.{item}", fail) for item, v in raw.items()}


def _sort(raw: Any, key: str, fail) -> str | None:
    if raw is None:
        return None
    if raw not in SORTS:
        raise fail(key, f"is {raw!r}; expected one of {list(SORTS)}.")
    return raw


def _banner_var(raw: Any, key: str, fail) -> BannerVar:
    if isinstance(raw, str):
        return BannerVar(raw)
    if not isinstance(raw, Mapping) or not isinstance(raw.get("column"), str):
        raise fail(key, f"should be a column name or a mapping with `column`, not {raw!r}.")
    _unknown(raw, BANNER_KEYS, key, fail)
    values = raw.get("values")
    return BannerVar(
        column=raw["column"],
        values=None if values is None else _codes(values, f"{key}.values", fail),
        nets=_nets(raw.get("nets"), f"{key}.nets", fail),
    )


def _table(raw: Any, key: str, fail) -> TableDef:
    if isinstance(raw, str):
        raw = {"rows": raw}
    if not isinstance(raw, Mapping) or "rows" not in raw:
        raise fail(key, f"should be a mapping with at least `rows`, not {raw!r}.")
    _unknown(raw, TABLE_KEYS, key, fail)
    rows = raw["rows"] if isinstance(raw["rows"], list) else [raw["rows"]]
    if not rows or not all(isinstance(r, str) for r in rows):
        raise fail(f"{key}.rows", "should be an item name or a list of item names.")
    base = raw.get("base") or {}
    if not isinstance(base, Mapping):
        raise fail(f"{key}.base", "should be a mapping column -> value(s) kept.")
    for k in ("title", "base_label"):
        if raw.get(k) is not None and not isinstance(raw[k], str):
            raise fail(f"{key}.{k}", f"should be text, not {raw[k]!r}.")
    return TableDef(
        rows=tuple(rows),
        title=raw.get("title"),
        base={str(c): _codes(v, f"{key}.base.{c}", fail) for c, v in base.items()},
        base_label=raw.get("base_label"),
        nets=_item_nets(raw.get("nets"), f"{key}.nets", fail),
        sort=_sort(raw.get("sort"), f"{key}.sort", fail),
    )


def read_spec(path: str | Path) -> TableSpec:
    """Read a table spec YAML file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    TableSpec

    Raises
    ------
    ValueError
        The file is not valid YAML or not a valid spec (the message names the file and key).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tables.yaml"
    >>> _ = p.write_text("banner: [region]\\nsort: desc\\n", encoding="utf-8")
    >>> s = read_spec(p)
    >>> s.banner[0].column, s.sort, s.tables
    ('region', 'desc', None)
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise ValueError(f"Table spec {path} is not valid YAML: {e}") from None
    return TableSpec.from_dict(raw, source=str(path))


def closed_rows(codebook: Codebook) -> list[str]:
    """Every closed item of a codebook, in codebook order; a multi set once, by its ``set``.

    Parameters
    ----------
    codebook : Codebook

    Returns
    -------
    list of str
        Item names (and set names for ``multi`` items).

    Examples
    --------
    >>> book = Codebook.from_dict({"id": "id", "items": {
    ...     "q1": {"type": "scale", "min": 1, "max": 5}, "c": {"type": "text"},
    ...     "q5_1": {"type": "multi", "set": "q5"}, "q5_2": {"type": "multi", "set": "q5"}}})
    >>> closed_rows(book)
    ['q1', 'q5']
    """
    out: list[str] = []
    for name, item in codebook.items.items():
        if item.type not in CLOSED_TYPES:
            continue
        row = item.set if item.type == "multi" else name
        if row not in out:
            out.append(row)
    return out


def default_spec(
    codebook: Codebook, *, spec: TableSpec | None = None, without: Iterable[str] = ()
) -> TableSpec:
    """A spec with its defaults filled in: the banner and the tables, from the codebook.

    Parameters
    ----------
    codebook : Codebook
    spec : TableSpec, optional
        A spec whose missing banner or tables are filled in (None: an empty spec).
    without : iterable of str
        Banner columns to leave out: on a unit's page (``cxlab report tables --each COLUMN``)
        its own column, whose only value is the unit (a column equal to the total).

    Returns
    -------
    TableSpec
        ``banner`` (every segment when the spec has none) and ``tables`` (one per closed item
        when the spec has none) both set.

    Examples
    --------
    >>> book = Codebook.from_dict({"id": "id", "segments": ["region"],
    ...                            "items": {"q1": {"type": "nps"}}})
    >>> s = default_spec(book)
    >>> [b.column for b in s.banner], [t.rows for t in s.tables]
    (['region'], [('q1',)])
    >>> [b.column for b in default_spec(book, without=["region"]).banner]
    []
    """
    spec = spec or TableSpec()
    banner = (
        spec.banner if spec.banner is not None else tuple(BannerVar(s) for s in codebook.segments)
    )
    left_out = set(without)
    banner = tuple(b for b in banner if b.column not in left_out)
    tables = spec.tables
    if tables is None:
        tables = tuple(TableDef(rows=(r,)) for r in closed_rows(codebook))
    return TableSpec(
        banner=banner, tables=tables, nets=spec.nets, sort=spec.sort, source=spec.source
    )

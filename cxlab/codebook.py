"""The codebook: what each column of a survey export is.

A codebook is a YAML file beside the data (see DESIGN.md). This module holds its
model and validation; reading the YAML file is :func:`cxlab.io.read_codebook`.

Top-level keys
--------------
name : str, optional
    Survey title, shown in reports.
id : str
    Column with the unique respondent id.
weight, wave : str, optional
    Column with the respondent weight; column with the survey wave (period).
segments : list of str, or mapping column -> label
    Columns used to split tables (region, channel, ...).
labels : mapping column -> label, optional
    Display labels for non-item columns (id, wave, weight, segments).
missing_codes : list of numbers, optional
    Codes meaning "don't know" / "refused" in every numeric item; they become missing.
items : mapping column -> item
    Each item has a ``type`` (one of :data:`ITEM_TYPES`) and optionally ``label``,
    ``min``/``max`` (required for ``scale``), ``role``, ``dimension``, ``pair``
    (the perception column paired with an expectation item), ``feature`` (Kano),
    ``stage`` (journey), ``construct`` (the latent construct an item measures in an index
    model, e.g. ``satisfaction``; see :mod:`cxlab.index`), ``values`` (code -> label for
    ``category``) and
    ``missing_codes`` (replaces the global ones for this item; ``[]`` for none,
    e.g. on a 0-100 points item where 98 and 99 are real answers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Item types and the range of answers each accepts (None: set by the item).
ITEM_TYPES: dict[str, tuple[float, float] | None] = {
    "nps": (0, 10),
    "scale": None,
    "kano": (1, 5),
    "binary": (0, 1),
    "numeric": None,
    "category": None,
    "text": None,
    "date": None,
}
NUMERIC_TYPES = frozenset({"nps", "scale", "kano", "binary", "numeric"})
#: Types whose answers must be whole numbers.
INTEGER_TYPES = frozenset({"nps", "scale", "kano", "binary"})
ITEM_KEYS = frozenset(
    {
        "type",
        "label",
        "min",
        "max",
        "role",
        "dimension",
        "pair",
        "feature",
        "stage",
        "construct",
        "values",
        "missing_codes",
    }
)
TOP_KEYS = frozenset(
    {"name", "id", "weight", "wave", "segments", "labels", "missing_codes", "items", "stages"}
)


class CodebookError(ValueError):
    """A codebook that cannot be used: the message names the file and the key."""


@dataclass(frozen=True)
class Item:
    """One survey question (a column) as the codebook describes it."""

    name: str
    type: str
    label: str | None = None
    min: float | None = None
    max: float | None = None
    role: str | None = None
    dimension: str | None = None
    pair: str | None = None
    feature: str | None = None
    stage: str | None = None
    construct: str | None = None
    values: Mapping[str, str] | None = None
    missing_codes: tuple[float, ...] | None = None

    @property
    def display(self) -> str:
        """The label a reader sees: the codebook label, else the column name."""
        return self.label or self.name

    @property
    def range(self) -> tuple[float, float] | None:
        """Valid answer range ``(low, high)``, or None when any value is accepted."""
        fixed = ITEM_TYPES[self.type]
        if fixed is not None:
            return fixed
        if self.min is None and self.max is None:
            return None
        lo = float("-inf") if self.min is None else self.min
        hi = float("inf") if self.max is None else self.max
        return (lo, hi)


@dataclass(frozen=True)
class Codebook:
    """What each column of a survey is; see the module docstring for the keys."""

    id: str
    items: Mapping[str, Item]
    name: str | None = None
    weight: str | None = None
    wave: str | None = None
    segments: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    missing_codes: tuple[float, ...] = ()
    stages: tuple[str, ...] = ()
    source: str = "<codebook>"

    # -- lookups ---------------------------------------------------------------
    def label(self, column: str) -> str:
        """Display label of any column: item label, segment or other label, else its name."""
        if column in self.items and self.items[column].label:
            return self.items[column].label
        if column in self.segments and self.segments[column]:
            return self.segments[column]
        return self.labels.get(column, column)

    def select(self, *, type: str | None = None, role: str | None = None) -> list[str]:
        """Item columns of a given type and/or role, in codebook order."""
        return [
            name
            for name, item in self.items.items()
            if (type is None or item.type == type) and (role is None or item.role == role)
        ]

    def require(
        self, *, type: str | None = None, role: str | None = None, at_least: int = 1
    ) -> list[str]:
        """Like :meth:`select`, but raise :class:`CodebookError` when fewer than ``at_least`` match.

        The message names the type or role the codebook lacks and how to add it.
        """
        found = self.select(type=type, role=role)
        if len(found) < at_least:
            what = " and ".join(
                f"{k} `{v}`" for k, v in (("type", type), ("role", role)) if v is not None
            )
            example = ", ".join(f"{k}: {v}" for k, v in (("type", type), ("role", role)) if v)
            raise CodebookError(
                f"Codebook {self.source}: needs at least {at_least} item(s) with {what}, "
                f"and has {len(found)}. Add `{example}` to the item(s) under `items`."
            )
        return found

    def one(self, *, type: str | None = None, role: str | None = None) -> str:
        """The first item of a type and/or role; :class:`CodebookError` if there is none."""
        return self.require(type=type, role=role)[0]

    @property
    def columns(self) -> list[str]:
        """Every column the codebook names (id, weight, wave, segments, items)."""
        cols = [self.id, self.weight, self.wave, *self.segments, *self.items]
        return list(dict.fromkeys(c for c in cols if c))

    def missing_for(self, item: str) -> tuple[float, ...]:
        """Missing codes that apply to one item: its own if it sets them, else the global ones."""
        own = self.items[item].missing_codes
        return self.missing_codes if own is None else own

    # -- construction ----------------------------------------------------------
    @classmethod
    def from_dict(cls, spec: Any, source: str = "<codebook>") -> Codebook:
        """Validate a parsed codebook (a mapping) and build a :class:`Codebook`.

        Raises
        ------
        CodebookError
            Naming ``source``, the key and what is wrong with it.
        """

        def fail(key: str, problem: str) -> CodebookError:
            return CodebookError(f"Codebook {source}: `{key}` {problem}")

        if not isinstance(spec, Mapping):
            raise CodebookError(
                f"Codebook {source} should be a mapping of keys (id, items, ...), "
                f"but it is a {type(spec).__name__}."
            )
        unknown = sorted(set(spec) - TOP_KEYS)
        if unknown:
            raise fail(unknown[0], f"is not a codebook key; known keys: {sorted(TOP_KEYS)}.")
        for key in ("id", "items"):
            if key not in spec or spec[key] in (None, "", {}):
                raise fail(key, "is required and missing.")
        for key in ("id", "weight", "wave", "name"):
            if spec.get(key) is not None and not isinstance(spec[key], str):
                raise fail(key, f"should be a column name (text), not {spec[key]!r}.")

        segments = spec.get("segments") or {}
        if isinstance(segments, list):
            if not all(isinstance(s, str) for s in segments):
                raise fail("segments", "should list column names.")
            segments = {s: "" for s in segments}
        elif not isinstance(segments, Mapping):
            raise fail("segments", "should be a list of columns or a mapping column -> label.")

        labels = spec.get("labels") or {}
        if not isinstance(labels, Mapping):
            raise fail("labels", "should be a mapping column -> label.")

        missing = _codes(spec.get("missing_codes"), lambda p: fail("missing_codes", p))

        stages = spec.get("stages") or []
        if not isinstance(stages, list) or not all(isinstance(s, str) for s in stages):
            raise fail("stages", "should list journey stage names in order.")

        raw_items = spec["items"]
        if not isinstance(raw_items, Mapping):
            raise fail("items", "should be a mapping column -> {type: ..., ...}.")
        items: dict[str, Item] = {}
        for name, raw in raw_items.items():
            items[str(name)] = _item(str(name), raw, missing, fail)

        for name, item in items.items():
            if item.pair is not None and item.pair not in items:
                raise fail(f"items.{name}.pair", f"names `{item.pair}`, which is not an item.")
            if item.stage is not None and stages and item.stage not in stages:
                raise fail(
                    f"items.{name}.stage", f"is {item.stage!r}, not one of `stages` {stages}."
                )

        return cls(
            id=spec["id"],
            items=items,
            name=spec.get("name"),
            weight=spec.get("weight"),
            wave=spec.get("wave"),
            segments={str(k): (v or "") for k, v in segments.items()},
            labels={str(k): str(v) for k, v in labels.items()},
            missing_codes=missing,
            stages=tuple(stages),
            source=source,
        )


def _codes(value: Any, fail) -> tuple[float, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        raise fail(f"should be a list of numbers, not {value!r}.")
    return tuple(float(v) for v in value)


def _item(name: str, raw: Any, global_missing: tuple[float, ...], fail) -> Item:
    key = f"items.{name}"
    if not isinstance(raw, Mapping):
        raise fail(key, f"should be a mapping with at least `type`, not {raw!r}.")
    unknown = sorted(set(raw) - ITEM_KEYS)
    if unknown:
        raise fail(f"{key}.{unknown[0]}", f"is not an item key; known keys: {sorted(ITEM_KEYS)}.")
    kind = raw.get("type")
    if kind not in ITEM_TYPES:
        raise fail(f"{key}.type", f"is {kind!r}; expected one of {sorted(ITEM_TYPES)}.")
    bounds = {}
    for b in ("min", "max"):
        v = raw.get(b)
        if v is not None and (not isinstance(v, int | float) or isinstance(v, bool)):
            raise fail(f"{key}.{b}", f"should be a number, not {v!r}.")
        bounds[b] = None if v is None else float(v)
    if kind == "scale" and (bounds["min"] is None or bounds["max"] is None):
        raise fail(key, "is a `scale` item and needs both `min` and `max` (e.g. min: 1, max: 5).")
    if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] >= bounds["max"]:
        raise fail(key, f"has min {bounds['min']:g} >= max {bounds['max']:g}.")
    if kind in ("nps", "kano", "binary") and (
        bounds["min"] is not None or bounds["max"] is not None
    ):
        raise fail(key, f"is a `{kind}` item, whose range is fixed; remove `min`/`max`.")
    values = raw.get("values")
    if values is not None:
        if kind != "category" or not isinstance(values, Mapping):
            raise fail(f"{key}.values", "is a mapping code -> label, allowed on `category` items.")
        values = {str(k): str(v) for k, v in values.items()}
    own_missing = (
        _codes(raw["missing_codes"], lambda p: fail(f"{key}.missing_codes", p))
        if "missing_codes" in raw
        else None
    )
    for k in ("label", "role", "dimension", "pair", "feature", "stage", "construct"):
        if raw.get(k) is not None and not isinstance(raw[k], str):
            raise fail(f"{key}.{k}", f"should be text, not {raw[k]!r}.")
    item = Item(
        name=name,
        type=kind,
        label=raw.get("label"),
        min=bounds["min"],
        max=bounds["max"],
        role=raw.get("role"),
        dimension=raw.get("dimension"),
        pair=raw.get("pair"),
        feature=raw.get("feature"),
        stage=raw.get("stage"),
        construct=raw.get("construct"),
        values=values,
        missing_codes=own_missing,
    )
    rng = item.range
    if kind in NUMERIC_TYPES and rng is not None:
        codes = global_missing if own_missing is None else own_missing
        clash = [c for c in codes if rng[0] <= c <= rng[1]]
        if clash:
            raise fail(
                key,
                f"has answers {rng[0]:g}-{rng[1]:g}, but missing code(s) {clash} fall inside "
                "that range; a real answer would be erased. Use codes outside the scale, "
                "or give the item its own `missing_codes` (`[]` for none).",
            )
    return item

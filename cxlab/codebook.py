"""The codebook: what each column of a survey export is.

A codebook is a YAML file beside the data (see DESIGN.md). This module holds its
model and validation; reading the YAML file is :func:`cxlab.io.read_codebook`.

Top-level keys
--------------
name : str or mapping, optional
    Survey title, shown in reports (one text, or one per language).
id : str, optional
    Column with the unique respondent id. Without one, the record's row number in the file is
    the respondent id (reports say so).
weight : str, optional
    Column with the respondent weight.
wave : str or mapping, optional
    Column with the survey wave, or ``{from: <submit-time column>, every: month|quarter}`` to
    derive the wave (``2025-11`` or ``2025Q4``) from the time each answer was submitted.
submitted : str, optional
    Column with the submit time (read as a date-time).
quality : mapping, optional
    Response-quality rules (:mod:`cxlab.quality`): ``speeders``, ``straightlining``,
    ``duplicates``, ``incomplete``, each ``{action: flag|exclude|off, ...options}``.
owner : str, optional
    Column naming who follows up a flagged respondent (store, region, team): one action
    sheet per owner (:mod:`cxlab.loop`).
alerts : mapping, optional
    Alert rules: rule name -> ``{when: <condition>, priority: urgent|high|medium|low,
    label: ...}``, e.g. ``detractor: {when: nps <= 6, priority: high}``; the condition
    language is in :mod:`cxlab.loop.alerts`.
min_base : int, optional
    Fewest respondents a group, unit or cell needs for its statistics, tests and comments to
    be shown on a report page (default 30, :data:`MIN_BASE`); a report's
    ``min_base`` parameter overrides it.
sentiment_model : str, optional
    A sentiment model saved by :meth:`cxlab.text.learn.SentimentModel.save` (a path relative
    to the codebook's folder): the voice report scores the comments with it (the report's
    ``sentiment_model`` parameter overrides it). The file must exist.
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
    ``stage`` (journey), ``values`` (code -> label for ``category``; for rating items, the
    answer texts: a built-in set of :mod:`cxlab.labelsets` such as ``satisfaction_5_zh`` or a
    mapping ``{非常满意: 5, ...}``), ``grid`` (the rating grid an item belongs to), ``set`` (the
    multiple-choice question a ``multi`` 0/1 item is an option of), ``construct`` (the latent
    construct of an index model) and
    ``missing_codes`` (replaces the global ones for this item; ``[]`` for none,
    e.g. on a 0-100 points item where 98 and 99 are real answers).

Labels (``label`` of an item, the values of ``segments`` and ``labels``) may be one text or one
per report language: ``label: {zh: 总体满意度, en: Overall satisfaction}``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Item types and the range of answers each accepts (None: set by the item).
ITEM_TYPES: dict[str, tuple[float, float] | None] = {
    "nps": (0, 10),
    "scale": None,
    "kano": (1, 5),
    "binary": (0, 1),
    "multi": (0, 1),
    "numeric": None,
    "category": None,
    "text": None,
    "date": None,
}
NUMERIC_TYPES = frozenset({"nps", "scale", "kano", "binary", "multi", "numeric"})
#: Types whose answers must be whole numbers.
INTEGER_TYPES = frozenset({"nps", "scale", "kano", "binary", "multi"})
#: Types whose answers may be given as text and coded through ``values``.
RATING_TYPES = frozenset({"nps", "scale", "kano"})
#: Where the survey name's per-language texts are kept in ``Codebook.label_by_lang``.
NAME_KEY = "(name)"
#: Ways to derive a wave from the submit time.
WAVE_EVERY = ("month", "quarter")
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
        "values",
        "missing_codes",
        "grid",
        "set",
        "construct",
    }
)
TOP_KEYS = frozenset(
    {
        "name",
        "id",
        "weight",
        "wave",
        "submitted",
        "segments",
        "labels",
        "missing_codes",
        "items",
        "stages",
        "quality",
        "owner",
        "alerts",
        "min_base",
        "sentiment_model",
    }
)


#: Longest message a :class:`CodebookError` carries (it is quoted into logs, pages and the index).
MAX_MESSAGE = 2000
#: Fewest respondents a group, unit or cell needs on a report page unless the report's
#: ``min_base`` parameter or the codebook's ``min_base:`` says otherwise.
MIN_BASE = 30


def page_min_base(*, parameter=None, codebook_value: int | None = None) -> int:
    """The small-base rule of a page: the ``min_base`` parameter when given (> 0), else the
    codebook's ``min_base:``, else :data:`MIN_BASE`.

    One rule for the page's tables (:attr:`cxlab.notebook.ReportContext.min_base`), the
    runner's small-unit pages and footer, and the index.

    Parameters
    ----------
    parameter : int or str, optional
        The report's ``min_base`` parameter; None, empty or 0 when not given.
    codebook_value : int, optional
        The codebook's ``min_base:`` (:attr:`Codebook.min_base`).

    Returns
    -------
    int

    Examples
    --------
    >>> page_min_base(), page_min_base(parameter=0, codebook_value=50)
    (30, 50)
    >>> page_min_base(parameter="20", codebook_value=50)
    20
    """
    return int(parameter or codebook_value or MIN_BASE)


def clip(text: str, *, limit: int = MAX_MESSAGE) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out.

    Parameters
    ----------
    text : str
        Any text (or a value, through its ``str()``).
    limit : int
        Most characters of ``text`` kept.

    Returns
    -------
    str
        ``text`` itself when it is short enough, else its first ``limit`` characters followed by
        `` … (N more characters)``.

    Examples
    --------
    >>> clip("abcdefghij", limit=4)
    'abcd … (6 more characters)'
    >>> clip("short")
    'short'
    """
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]} … ({len(text) - limit} more characters)"


def show(value: Any, *, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters, for quoting a bad value in a message.

    Parameters
    ----------
    value : object
        The value to quote.
    limit : int
        Most characters of its ``repr`` kept (see :func:`clip`).

    Returns
    -------
    str
        The ``repr``, cut by :func:`clip`.

    Examples
    --------
    >>> show("9" * 200, limit=8)
    "'9999999 … (194 more characters)"
    >>> show([1, 2])
    '[1, 2]'
    """
    return clip(repr(value), limit=limit)


class CodebookError(ValueError):
    """A codebook that cannot be used: the message names the file and the key.

    The message is cut to :data:`MAX_MESSAGE` characters.
    """

    def __init__(self, message: str = "") -> None:
        super().__init__(clip(message))


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
    values: Mapping[str, str] | str | None = None
    missing_codes: tuple[float, ...] | None = None
    grid: str | None = None
    set: str | None = None
    construct: str | None = None
    #: Labels per report language, when the codebook gives them (``{zh: ..., en: ...}``).
    label_by_lang: Mapping[str, str] = field(default_factory=dict)

    @property
    def display(self) -> str:
        """The label a reader sees: the codebook label, else the column name.

        Examples
        --------
        >>> Item("nps", "nps", label="推荐意愿").display, Item("q1", "text").display
        ('推荐意愿', 'q1')
        """
        return self.label or self.name

    @property
    def range(self) -> tuple[float, float] | None:
        """Valid answer range ``(low, high)``, or None when any value is accepted.

        Examples
        --------
        >>> Item("nps", "nps").range, Item("pts", "numeric", min=0).range, Item("t", "text").range
        ((0, 10), (0, inf), None)
        """
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

    id: str | None
    items: Mapping[str, Item]
    name: str | None = None
    weight: str | None = None
    wave: str | None = None
    segments: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    missing_codes: tuple[float, ...] = ()
    stages: tuple[str, ...] = ()
    source: str = "<codebook>"
    #: ``(submit-time column, "month" | "quarter")`` when the wave is derived (``wave: {from}``).
    wave_from: tuple[str, str] | None = None
    submitted: str | None = None
    #: Response-quality rules: rule name -> {action, options...} (see :mod:`cxlab.quality`).
    quality: Mapping[str, Mapping] = field(default_factory=dict)
    #: Labels of any column per report language: column -> {lang: label}.
    label_by_lang: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: Column naming who follows up a flagged respondent (``owner:``).
    owner: str | None = None
    #: Alert rules as written: rule name -> {when, priority, label} (see :mod:`cxlab.loop.alerts`).
    alerts: Mapping[str, Mapping] = field(default_factory=dict)
    #: Fewest respondents a group shows statistics for (``min_base:``); None: the default.
    min_base: int | None = None
    #: The sentiment model file (``sentiment_model:``), resolved against the codebook's folder.
    sentiment_model: str | None = None

    # -- lookups ---------------------------------------------------------------
    def label(self, column: str, *, lang: str | None = None) -> str:
        """Display label of any column: item label, segment or other label, else its name.

        Parameters
        ----------
        column : str
        lang : {"zh", "en"}, optional
            The report language: a label given per language (``{zh: ..., en: ...}``) is shown
            in it; a single label is shown in every language.

        Returns
        -------
        str

        Examples
        --------
        >>> book = Codebook.from_dict({"id": "rid", "segments": {"region": "地区"},
        ...                            "items": {"nps": {"type": "nps", "label": "推荐意愿"}}})
        >>> book.label("nps"), book.label("region"), book.label("rid")
        ('推荐意愿', '地区', 'rid')
        >>> book = Codebook.from_dict({"items": {"sat": {"type": "scale", "min": 1, "max": 5,
        ...     "label": {"zh": "总体满意度", "en": "Overall satisfaction"}}}})
        >>> book.label("sat"), book.label("sat", lang="en")
        ('总体满意度', 'Overall satisfaction')
        """
        if lang is not None and lang in self.label_by_lang.get(column, {}):
            return self.label_by_lang[column][lang]
        if column in self.items and self.items[column].label:
            return self.items[column].label
        if column in self.segments and self.segments[column]:
            return self.segments[column]
        return self.labels.get(column, column)

    def title(self, *, lang: str | None = None) -> str | None:
        """The survey's name (``name:``), in the report language when given per language.

        Parameters
        ----------
        lang : {"zh", "en"}, optional

        Returns
        -------
        str or None

        Examples
        --------
        >>> book = Codebook.from_dict({"name": {"zh": "门店调研", "en": "Store survey"},
        ...                            "items": {"q": {"type": "nps"}}})
        >>> book.title(), book.title(lang="en")
        ('门店调研', 'Store survey')
        """
        return self.label_by_lang.get(NAME_KEY, {}).get(lang or "", self.name)

    def select(self, *, type: str | None = None, role: str | None = None) -> list[str]:
        """Item columns of a given type and/or role, in codebook order.

        Parameters
        ----------
        type, role : str, optional
            Keep items of this type (:data:`ITEM_TYPES`) and/or role; None keeps all.

        Returns
        -------
        list of str
            Possibly empty; :meth:`require` and :meth:`one` raise instead.

        Examples
        --------
        >>> book = Codebook.from_dict({"id": "rid", "items": {
        ...     "nps": {"type": "nps"}, "speed": {"type": "scale", "min": 1, "max": 5,
        ...     "role": "driver"}}})
        >>> book.select(type="scale"), book.select(role="outcome")
        (['speed'], [])
        """
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

        Parameters
        ----------
        type, role : str, optional
            As in :meth:`select`.
        at_least : int
            How many matching items are needed.

        Returns
        -------
        list of str

        Examples
        --------
        >>> book = Codebook.from_dict({"id": "rid", "items": {"nps": {"type": "nps"}}})
        >>> book.require(type="nps")
        ['nps']
        >>> book.require(role="driver", at_least=2)
        Traceback (most recent call last):
        ...
        cxlab.codebook.CodebookError: Codebook <codebook>: needs at least 2 item(s) with role `driver`, and has 0. Add `role: driver` to the item(s) under `items`.
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
        """The first item of a type and/or role; :class:`CodebookError` if there is none.

        Parameters
        ----------
        type, role : str, optional

        Returns
        -------
        str

        Examples
        --------
        >>> Codebook.from_dict({"id": "rid", "items": {"nps": {"type": "nps"}}}).one(type="nps")
        'nps'
        """
        return self.require(type=type, role=role)[0]

    @property
    def columns(self) -> list[str]:
        """Every column the codebook names (id, weight, wave, segments, items), once each.

        Examples
        --------
        >>> Codebook.from_dict({"id": "rid", "weight": "w", "items": {"nps": {"type": "nps"}}}).columns
        ['rid', 'w', 'nps']
        """
        derived = self.wave if self.wave_from else None
        cols = [self.id, self.weight, self.wave, self.submitted, *self.segments, *self.items]
        return list(dict.fromkeys(c for c in cols if c and c != derived))

    def missing_for(self, item: str) -> tuple[float, ...]:
        """Missing codes that apply to one item: its own if it sets them, else the global ones.

        Parameters
        ----------
        item : str

        Returns
        -------
        tuple of float

        Examples
        --------
        >>> book = Codebook.from_dict({"id": "r", "missing_codes": [98], "items": {
        ...     "nps": {"type": "nps"}, "pts": {"type": "numeric", "missing_codes": []}}})
        >>> book.missing_for("nps"), book.missing_for("pts")
        ((98.0,), ())
        """
        own = self.items[item].missing_codes
        return self.missing_codes if own is None else own

    # -- construction ----------------------------------------------------------
    @classmethod
    def from_dict(cls, spec: Any, source: str = "<codebook>") -> Codebook:
        """Validate a parsed codebook (a mapping) and build a :class:`Codebook`.

        Parameters
        ----------
        spec : mapping
            The codebook's keys, as read from YAML (see the module docstring).
        source : str
            Where it came from (a file name), for messages.

        Returns
        -------
        Codebook

        Raises
        ------
        CodebookError
            Naming ``source``, the key and what is wrong with it (an unknown key, a missing
            ``id`` or ``items``, a bound or missing code that is not a finite number, a missing
            code inside an item's answer range...). Messages are clipped to
            :data:`MAX_MESSAGE` characters.

        Examples
        --------
        >>> book = Codebook.from_dict({"id": "rid", "items": {"sat": {"type": "scale",
        ...                            "min": 1, "max": 5}}})
        >>> book.items["sat"].range
        (1.0, 5.0)
        >>> Codebook.from_dict({"id": "rid", "items": {"sat": {"type": "scale",
        ...                     "min": float("nan"), "max": 5}}})
        Traceback (most recent call last):
        ...
        cxlab.codebook.CodebookError: Codebook <codebook>: `items.sat.min` should be a finite number, not nan.
        """

        def fail(key: str, problem: str) -> CodebookError:
            return CodebookError(f"Codebook {source}: `{key}` {problem}")

        _check_top(spec, source, fail)
        by_lang: dict[str, dict[str, str]] = {}
        segments = _segments(spec.get("segments"), fail, by_lang)
        labels = spec.get("labels") or {}
        if not isinstance(labels, Mapping):
            raise fail("labels", "should be a mapping column -> label.")
        labels = {
            str(k): _label(v, f"labels.{k}", fail, by_lang, str(k)) for k, v in labels.items()
        }
        missing = _codes(spec.get("missing_codes"), lambda p: fail("missing_codes", p))
        stages = spec.get("stages") or []
        if not isinstance(stages, list) or not all(isinstance(s, str) for s in stages):
            raise fail("stages", "should list journey stage names in order.")
        items = _items(spec["items"], missing, stages, fail)
        by_lang.update({n: dict(i.label_by_lang) for n, i in items.items() if i.label_by_lang})
        wave, wave_from = _wave(spec.get("wave"), fail)
        name = _label(spec.get("name"), "name", fail, by_lang, NAME_KEY) or None
        submitted = spec.get("submitted") or (wave_from[0] if wave_from else None)
        return cls(
            id=spec.get("id"),
            items=items,
            name=name,
            weight=spec.get("weight"),
            wave=wave,
            segments=segments,
            labels=labels,
            missing_codes=missing,
            stages=tuple(stages),
            source=source,
            wave_from=wave_from,
            submitted=submitted,
            quality=_quality(spec.get("quality"), fail),
            label_by_lang=by_lang,
            owner=spec.get("owner"),
            alerts=_alerts(spec.get("alerts"), items, fail),
            min_base=_min_base(spec.get("min_base"), fail),
            sentiment_model=_model_file(spec.get("sentiment_model"), source, fail),
        )


def _check_top(spec: Any, source: str, fail) -> None:
    if not isinstance(spec, Mapping):
        raise CodebookError(
            f"Codebook {source} should be a mapping of keys (id, items, ...), "
            f"but it is a {type(spec).__name__}."
        )
    unknown = sorted(str(k) for k in set(spec) - TOP_KEYS)
    if unknown:
        raise fail(
            clip(unknown[0], limit=80), f"is not a codebook key; known keys: {sorted(TOP_KEYS)}."
        )
    if "items" not in spec or spec["items"] in (None, "", {}):
        raise fail("items", "is required and missing.")
    if "id" in spec and spec["id"] in (None, ""):
        raise fail("id", "is empty; name the id column, or leave `id` out to use row numbers.")
    for key in ("id", "weight", "submitted", "owner"):
        if spec.get(key) is not None and not isinstance(spec[key], str):
            raise fail(key, f"should be a column name (text), not {show(spec[key])}.")


def _min_base(value: Any, fail) -> int | None:
    """The ``min_base`` key: a whole number >= 1, or None when absent."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise fail("min_base", f"should be a whole number of respondents >= 1, not {show(value)}.")
    return value


def _label(value: Any, key: str, fail, by_lang: dict, column: str) -> str:
    """One label (text), recording per-language labels ``{zh: ..., en: ...}`` in ``by_lang``."""
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, Mapping):
        from cxlab.messages import LANGUAGES

        texts = {str(k): v for k, v in value.items()}
        unknown = sorted(set(texts) - set(LANGUAGES))
        if unknown or not texts or not all(isinstance(v, str) for v in texts.values()):
            raise fail(key, f"should be a text or {{zh: ..., en: ...}}, not {show(value)}.")
        by_lang[column] = texts
        return texts.get(LANGUAGES[0]) or next(iter(texts.values()))
    raise fail(key, f"should be a text or {{zh: ..., en: ...}}, not {show(value)}.")


def _segments(segments: Any, fail, by_lang: dict) -> dict[str, str]:
    segments = segments or {}
    if isinstance(segments, list):
        if not all(isinstance(s, str) for s in segments):
            raise fail("segments", "should list column names.")
        return {s: "" for s in segments}
    if not isinstance(segments, Mapping):
        raise fail("segments", "should be a list of columns or a mapping column -> label.")
    return {str(k): _label(v, f"segments.{k}", fail, by_lang, str(k)) for k, v in segments.items()}


def _wave(value: Any, fail) -> tuple[str | None, tuple[str, str] | None]:
    """``wave``: a column name, or ``{from: column, every: month|quarter[, name: column]}``."""
    if value is None or isinstance(value, str):
        return value, None
    if not isinstance(value, Mapping) or not isinstance(value.get("from"), str):
        raise fail(
            "wave",
            f"should be a column name or {{from: column, every: quarter}}, not {show(value)}.",
        )
    every = value.get("every", "quarter")
    if every not in WAVE_EVERY or set(value) - {"from", "every", "name"}:
        raise fail(
            "wave", f"derives waves with `every: month` or `every: quarter`, not {show(value)}."
        )
    return str(value.get("name") or "wave"), (value["from"], every)


def _quality(value: Any, fail) -> dict[str, dict]:
    if value is None:
        return {}
    from cxlab.quality import ACTIONS, RULES

    if not isinstance(value, Mapping):
        raise fail("quality", f"should be a mapping rule -> settings, not {show(value)}.")
    out = {}
    for rule, settings in value.items():
        if rule not in RULES:
            raise fail(
                f"quality.{clip(str(rule), limit=80)}",
                f"is not a quality rule; rules: {list(RULES)}.",
            )
        settings = dict(settings or {})
        if settings.get("action", "flag") not in ACTIONS:
            raise fail(f"quality.{rule}.action", f"should be one of {list(ACTIONS)}.")
        out[str(rule)] = settings
    return out


def _alerts(value: Any, items: Mapping[str, Item], fail) -> dict[str, dict]:
    """``alerts``: rule name -> {when, priority, label}; conditions checked against the items."""
    if value is None:
        return {}
    from cxlab.loop.alerts import RuleError, parse_rules

    try:
        parse_rules(value, items=items)
    except RuleError as e:
        key = "alerts" if e.key == "alerts" else f"alerts.{clip(e.key, limit=80)}"
        raise fail(key, e.problem) from None
    return {str(k): dict(v) for k, v in value.items()}


def _items(raw_items: Any, missing: tuple[float, ...], stages: list[str], fail) -> dict:
    if not isinstance(raw_items, Mapping):
        raise fail("items", "should be a mapping column -> {type: ..., ...}.")
    items = {str(name): _item(str(name), raw, missing, fail) for name, raw in raw_items.items()}
    for name, item in items.items():
        if item.pair is not None and item.pair not in items:
            raise fail(f"items.{name}.pair", f"names `{item.pair}`, which is not an item.")
        if item.stage is not None and stages and item.stage not in stages:
            raise fail(f"items.{name}.stage", f"is {item.stage!r}, not one of `stages` {stages}.")
    return items


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _finite(v: int | float) -> bool:
    try:
        return math.isfinite(v)
    except OverflowError:  # an integer too large for a float
        return False


def _codes(value: Any, fail) -> tuple[float, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(_is_number(v) for v in value):
        raise fail(f"should be a list of numbers, not {show(value)}.")
    if not all(_finite(v) for v in value):
        raise fail(f"should hold finite numbers, not {show(value)}.")
    return tuple(float(v) for v in value)


def _bounds(raw: Mapping, key: str, kind: str, fail) -> tuple[float | None, float | None]:
    bounds = []
    for b in ("min", "max"):
        v = raw.get(b)
        if v is not None and not _is_number(v):
            raise fail(f"{key}.{b}", f"should be a number, not {show(v)}.")
        if v is not None and not _finite(v):
            raise fail(f"{key}.{b}", f"should be a finite number, not {show(v)}.")
        bounds.append(None if v is None else float(v))
    lo, hi = bounds
    if kind == "scale" and (lo is None or hi is None):
        raise fail(key, "is a `scale` item and needs both `min` and `max` (e.g. min: 1, max: 5).")
    if lo is not None and hi is not None and lo >= hi:
        raise fail(key, f"has min {lo:g} >= max {hi:g}.")
    if kind in ("nps", "kano", "binary") and (lo is not None or hi is not None):
        raise fail(key, f"is a `{kind}` item, whose range is fixed; remove `min`/`max`.")
    return lo, hi


def _check_missing_codes(item: Item, codes: tuple[float, ...], key: str, fail) -> None:
    rng = item.range
    if item.type not in NUMERIC_TYPES or rng is None:
        return
    clash = [c for c in codes if rng[0] <= c <= rng[1]]
    if clash:
        raise fail(
            key,
            f"has answers {rng[0]:g}-{rng[1]:g}, but missing code(s) {clash} fall inside "
            "that range; a real answer would be erased. Use codes outside the scale, "
            "or give the item its own `missing_codes` (`[]` for none).",
        )


def _model_file(value: Any, source: str, fail) -> str | None:
    """The ``sentiment_model:`` file, relative to the codebook's folder; it must exist."""
    from pathlib import Path

    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise fail(
            "sentiment_model", f"should be the path of a saved model file, not {show(value)}."
        )
    folder = Path(source).parent if source != "<codebook>" else Path()
    path = (folder / value).resolve()
    if not path.is_file():
        raise fail(
            "sentiment_model",
            f"names {clip(value, limit=300)}, but {path} does not exist (the path is relative "
            "to the codebook's folder; a model is saved by SentimentModel.save).",
        )
    return str(path)


def _item(name: str, raw: Any, global_missing: tuple[float, ...], fail) -> Item:
    key = f"items.{name}"
    if not isinstance(raw, Mapping):
        raise fail(key, f"should be a mapping with at least `type`, not {show(raw)}.")
    unknown = sorted(str(k) for k in set(raw) - ITEM_KEYS)
    if unknown:
        raise fail(
            f"{key}.{clip(unknown[0], limit=80)}",
            f"is not an item key; known keys: {sorted(ITEM_KEYS)}.",
        )
    kind = raw.get("type")
    if kind not in ITEM_TYPES:
        raise fail(f"{key}.type", f"is {show(kind)}; expected one of {sorted(ITEM_TYPES)}.")
    lo, hi = _bounds(raw, key, kind, fail)
    values = _values(raw.get("values"), kind, f"{key}.values", fail)
    own_missing = (
        _codes(raw["missing_codes"], lambda p: fail(f"{key}.missing_codes", p))
        if "missing_codes" in raw
        else None
    )
    for k in ("role", "dimension", "pair", "feature", "stage", "grid", "set", "construct"):
        if raw.get(k) is not None and not isinstance(raw[k], str):
            raise fail(f"{key}.{k}", f"should be text, not {show(raw[k])}.")
    if kind == "multi" and not raw.get("set"):
        raise fail(
            key,
            "is a `multi` item (an option of a multiple-choice question): add `set: <question>`.",
        )
    by_lang: dict[str, dict[str, str]] = {}
    label = _label(raw.get("label"), f"{key}.label", fail, by_lang, name) or None
    item = Item(
        name=name,
        type=kind,
        label=label,
        min=lo,
        max=hi,
        role=raw.get("role"),
        dimension=raw.get("dimension"),
        pair=raw.get("pair"),
        feature=raw.get("feature"),
        stage=raw.get("stage"),
        values=values,
        missing_codes=own_missing,
        grid=raw.get("grid"),
        set=raw.get("set"),
        construct=raw.get("construct"),
        label_by_lang=by_lang.get(name, {}),
    )
    _check_missing_codes(item, global_missing if own_missing is None else own_missing, key, fail)
    return item


def _values(values: Any, kind: str, key: str, fail) -> Mapping[str, Any] | str | None:
    """``values``: code -> label on categories; answer texts -> codes on rating items."""
    if values is None:
        return None
    if kind == "category":
        if not isinstance(values, Mapping):
            raise fail(key, "is a mapping code -> label on a `category` item.")
        return {str(k): str(v) for k, v in values.items()}
    if kind not in RATING_TYPES:
        raise fail(key, f"is allowed on `category` and rating items ({sorted(RATING_TYPES)}).")
    from cxlab.labelsets import LABEL_SETS

    if isinstance(values, str):
        if values not in LABEL_SETS:
            raise fail(key, f"names no built-in label set; sets: {sorted(LABEL_SETS)}.")
        return values
    if not isinstance(values, Mapping) or not all(_is_number(v) for v in values.values()):
        raise fail(
            key, "should name a label set or map answer texts to codes ({非常满意: 5, ...})."
        )
    return {str(k): v for k, v in values.items()}

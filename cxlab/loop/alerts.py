"""Alert rules: which respondents someone must call back, written in the codebook.

A codebook's ``alerts:`` key names rules; each has a condition (``when``), a ``priority`` and
optionally a ``label``::

    owner: region                      # who follows up: a column (store, region, team)
    alerts:
      detractor:
        when: nps <= 6
        priority: high
      complaint:
        when: nps <= 6 and comment mentions 退款|投诉 and comment is negative
        priority: urgent
        label: {zh: 投诉的贬损者, en: Detractor with a complaint}
      any_low:
        when: any driver <= 1 and not comment is positive
        priority: medium

The condition language
----------------------
=================================  ==========================================================
``ITEM <= 6``                      a rating compared with a number (``< <= > >= == !=``)
``any ROLE <= 1``                  some item with that role (``driver``...); ``all ROLE`` every
``TEXT mentions 退款|投诉``         the comment contains one of the words (simplified, any case)
``TEXT about returns``             the comment is tagged with a topic of the taxonomy
``TEXT is negative``               the comment's sentiment (``negative``, ``neutral``, ``positive``)
``A and B``, ``A or B``, ``not A``  combined; ``not`` binds tightest, then ``and``, then ``or``
``( ... )``                        grouping; ```a column``` quotes a name with spaces
=================================  ==========================================================

A missing answer satisfies no comparison (so ``not nps >= 7`` holds for a missing NPS).
Comments are read redacted (:func:`cxlab.text.redact`) and normalised
(:func:`cxlab.text.normalize`) before words are looked for.

Priorities and their service levels (hours from the submit time to the call back) are
:data:`SERVICE_HOURS`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "OPERATORS",
    "SENTIMENTS",
    "SERVICE_HOURS",
    "Rule",
    "RuleError",
    "TextAnalysis",
    "default_rules",
    "evaluate",
    "evidence",
    "explain",
    "analyze_texts",
    "text_columns",
    "parse_condition",
    "parse_rules",
    "rules_from",
]

#: Priority -> service level in hours (the time allowed from submission to the call back),
#: most urgent first.
SERVICE_HOURS: dict[str, float] = {"urgent": 24.0, "high": 48.0, "medium": 120.0, "low": 240.0}
#: Sentiment labels of :func:`cxlab.text.analyze`.
SENTIMENTS = ("negative", "neutral", "positive")
OPERATORS = {
    "<=": np.less_equal,
    "<": np.less,
    ">=": np.greater_equal,
    ">": np.greater,
    "==": np.equal,
    "!=": np.not_equal,
}
#: How a comparison is written for readers.
SIGNS = {"<=": "≤", "<": "<", ">=": "≥", ">": ">", "==": "=", "!=": "≠"}
RULE_KEYS = frozenset({"when", "priority", "label"})
_TOKEN = re.compile(
    r"\s*(?:(?P<op><=|>=|==|!=|<|>)|(?P<punct>[()|])|`(?P<quoted>[^`]+)`|(?P<word>[^\s()|<>=!`]+))"
)
_KEYWORDS = frozenset({"and", "or", "not", "any", "all", "mentions", "about", "is"})


class RuleError(ValueError):
    """A rule that cannot be used; ``key`` is where (``complaint.when``), ``problem`` what."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"`{key}` {problem}")
        self.key, self.problem = key, problem


# -- the condition tree ----------------------------------------------------------------------
@dataclass(frozen=True)
class Compare:
    """``column op threshold`` on a rating."""

    column: str
    op: str
    threshold: float


@dataclass(frozen=True)
class Quantified:
    """``any|all role op threshold``: items of a role (the columns are filled in from the codebook)."""

    quantifier: str
    role: str
    op: str
    threshold: float
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mentions:
    """``column mentions w1|w2``."""

    column: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class About:
    """``column about topic``."""

    column: str
    topic: str


@dataclass(frozen=True)
class Feeling:
    """``column is negative|neutral|positive``."""

    column: str
    label: str


@dataclass(frozen=True)
class Combine:
    """``and``/``or`` of parts, or ``not`` of one part."""

    kind: str
    parts: tuple


@dataclass(frozen=True)
class Rule:
    """One alert rule.

    Attributes
    ----------
    name : str
        The rule's key under ``alerts:``.
    when : str
        The condition as written.
    priority : str
        A key of :data:`SERVICE_HOURS`.
    condition : object
        The parsed condition (a tree of small frozen dataclasses).
    label : str or mapping
        The rule's label (one text or ``{zh: ..., en: ...}``); empty: the name is shown.
    """

    name: str
    when: str
    priority: str
    condition: Any
    label: Any = ""

    def display(self, lang: str = "zh") -> str:
        """The label a reader sees in ``lang`` (else the name).

        Examples
        --------
        >>> r = parse_rules({"d": {"when": "nps <= 6", "priority": "high",
        ...                        "label": {"zh": "贬损者", "en": "Detractor"}}})["d"]
        >>> r.display("en"), parse_rules({"d": {"when": "nps <= 6"}})["d"].display()
        ('Detractor', 'd')
        """
        if isinstance(self.label, Mapping):
            return str(self.label.get(lang) or next(iter(self.label.values()), "") or self.name)
        return self.label or self.name


# -- parsing ---------------------------------------------------------------------------------
def _tokens(text: str, key: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise RuleError(key, f"cannot be read at {text[pos : pos + 20]!r} (in {text!r}).")
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "word" and value in _KEYWORDS:
            kind = "keyword"
        out.append((kind if kind != "quoted" else "word", value))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str, key: str) -> None:
        self.text, self.key = text, key
        self.toks = _tokens(text, key)
        self.i = 0

    def fail(self, problem: str) -> RuleError:
        return RuleError(self.key, f"{problem} (in {self.text!r}).")

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, kind: str | None = None, value: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (kind and tok[0] != kind) or (value and tok[1] != value):
            want = value or {"word": "a name or word", "op": "a comparison such as <="}.get(
                kind or "", "more"
            )
            got = "the end" if tok is None else repr(tok[1])
            raise self.fail(f"expects {want} but finds {got}")
        self.i += 1
        return tok[1]

    def at(self, value: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[1] == value and tok[0] in ("keyword", "punct")

    def parse(self):
        if not self.toks:
            raise RuleError(self.key, "is empty; write a condition such as `nps <= 6`.")
        node = self.either()
        if self.peek() is not None:
            raise self.fail(f"has {self.peek()[1]!r} where `and`, `or` or the end belongs")
        return node

    def either(self):
        parts = [self.both()]
        while self.at("or"):
            self.i += 1
            parts.append(self.both())
        return parts[0] if len(parts) == 1 else Combine("or", tuple(parts))

    def both(self):
        parts = [self.negation()]
        while self.at("and"):
            self.i += 1
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else Combine("and", tuple(parts))

    def negation(self):
        if self.at("not"):
            self.i += 1
            return Combine("not", (self.negation(),))
        if self.at("("):
            self.i += 1
            node = self.either()
            self.take("punct", ")")
            return node
        return self.atom()

    def number(self) -> float:
        raw = self.take("word")
        try:
            value = float(raw)
        except ValueError:
            raise self.fail(f"compares with {raw!r}, which is not a number") from None
        if not np.isfinite(value):
            raise self.fail(f"compares with {raw!r}; use a finite number")
        return value

    def atom(self):
        if self.at("any") or self.at("all"):
            quantifier = self.take()
            role = self.take("word")
            return Quantified(quantifier, role, self.take("op"), self.number())
        column = self.take("word")
        tok = self.peek()
        if tok is not None and tok[0] == "op":
            return Compare(column, self.take("op"), self.number())
        verb = self.take("keyword") if tok is not None and tok[0] == "keyword" else None
        if verb == "mentions":
            words = [self.take("word")]
            while self.at("|"):
                self.i += 1
                words.append(self.take("word"))
            return Mentions(column, tuple(words))
        if verb == "about":
            return About(column, self.take("word"))
        if verb == "is":
            label = self.take("word")
            if label not in SENTIMENTS:
                raise self.fail(f"asks `is {label}`; a sentiment is one of {list(SENTIMENTS)}")
            return Feeling(column, label)
        raise self.fail(
            f"has `{column}` followed by {repr(tok[1]) if tok else 'nothing'}; expected a "
            "comparison (<=, ...), `mentions`, `about` or `is`"
        )


def parse_condition(text: str, *, key: str = "when") -> Any:
    """Parse one condition of the rule language (see the module docstring).

    Parameters
    ----------
    text : str
        The condition, e.g. ``"nps <= 6 and comment is negative"``.
    key : str
        Where it was written, for messages.

    Returns
    -------
    object
        The condition tree (``Compare``, ``Quantified``, ``Mentions``, ``About``, ``Feeling``,
        ``Combine``).

    Raises
    ------
    RuleError
        The text cannot be read; the message quotes where.

    Examples
    --------
    >>> parse_condition("nps <= 6")
    Compare(column='nps', op='<=', threshold=6.0)
    >>> parse_condition("not c is positive").kind
    'not'
    >>> parse_condition("nps <=")
    Traceback (most recent call last):
    ...
    cxlab.loop.alerts.RuleError: `when` expects a name or word but finds the end (in 'nps <=').
    """
    if not isinstance(text, str):
        raise RuleError(key, f"should be a condition (text), not {type(text).__name__}.")
    return _Parser(text, key).parse()


def _atoms(node) -> list:
    if isinstance(node, Combine):
        return [a for p in node.parts for a in _atoms(p)]
    return [node]


def _check_columns(node, items: Mapping, key: str) -> Any:
    """Check the columns a condition names against the codebook items; fill in roles."""
    from cxlab.codebook import NUMERIC_TYPES

    if isinstance(node, Combine):
        return Combine(node.kind, tuple(_check_columns(p, items, key) for p in node.parts))
    if isinstance(node, Quantified):
        cols = tuple(n for n, i in items.items() if i.role == node.role and i.type in NUMERIC_TYPES)
        if not cols:
            raise RuleError(
                key,
                f"asks for `{node.quantifier} {node.role}`, but no rating item "
                f"has `role: {node.role}`.",
            )
        return Quantified(node.quantifier, node.role, node.op, node.threshold, cols)
    column = node.column
    if column not in items:
        raise RuleError(key, f"names `{column}`, which is not an item of the codebook.")
    kind = items[column].type
    if isinstance(node, Compare) and kind not in NUMERIC_TYPES:
        raise RuleError(key, f"compares `{column}` with a number, but it is a `{kind}` item.")
    if not isinstance(node, Compare) and kind != "text":
        raise RuleError(key, f"reads `{column}` as a comment, but it is a `{kind}` item.")
    return node


def parse_rules(spec: Any, *, items: Mapping | None = None) -> dict[str, Rule]:
    """Parse the ``alerts:`` mapping of a codebook.

    Parameters
    ----------
    spec : mapping
        Rule name -> ``{when: condition, priority: ..., label: ...}`` (priority defaults to
        ``medium``).
    items : mapping, optional
        The codebook's items (name -> :class:`cxlab.codebook.Item`): when given, every column
        a condition names must be an item of the right type, and ``any ROLE`` must match one.

    Returns
    -------
    dict
        Rule name -> :class:`Rule`, in the order written.

    Raises
    ------
    RuleError
        Naming the rule and key (``complaint.when``) and what is wrong.

    Examples
    --------
    >>> rules = parse_rules({"detractor": {"when": "nps <= 6", "priority": "high"}})
    >>> rules["detractor"].priority, rules["detractor"].condition.threshold
    ('high', 6.0)
    >>> parse_rules({"x": {"when": "nps <= 6", "priority": "soon"}})
    Traceback (most recent call last):
    ...
    cxlab.loop.alerts.RuleError: `x.priority` is 'soon'; priorities: ['urgent', 'high', 'medium', 'low'].
    """
    if not isinstance(spec, Mapping) or not spec:
        raise RuleError("alerts", "should map rule names to {when: ..., priority: ...}.")
    out = {}
    for name, raw in spec.items():
        name = str(name)
        if not isinstance(raw, Mapping):
            raise RuleError(name, "should be a mapping {when: ..., priority: ...}.")
        unknown = sorted(str(k) for k in set(raw) - RULE_KEYS)
        if unknown:
            raise RuleError(
                f"{name}.{unknown[0]}", f"is not a rule key; keys: {sorted(RULE_KEYS)}."
            )
        if "when" not in raw:
            raise RuleError(name, "needs `when: <condition>`, e.g. `when: nps <= 6`.")
        priority = raw.get("priority", "medium")
        if priority not in SERVICE_HOURS:
            raise RuleError(
                f"{name}.priority", f"is {priority!r}; priorities: {list(SERVICE_HOURS)}."
            )
        label = raw.get("label") or ""
        if not isinstance(label, str | Mapping):
            raise RuleError(f"{name}.label", "should be a text or {zh: ..., en: ...}.")
        condition = parse_condition(raw["when"], key=f"{name}.when")
        if items is not None:
            condition = _check_columns(condition, items, f"{name}.when")
        out[name] = Rule(name, raw["when"], priority, condition, label)
    return out


def default_rules(codebook) -> dict[str, Rule]:
    """Rules for a codebook without ``alerts:``: detractors, and unhappy with the outcome.

    ``detractor``: the NPS item at 6 or below (priority ``high``: the 48-hour call back);
    ``unhappy``: the outcome item in its bottom two answers (priority ``medium``).

    Parameters
    ----------
    codebook : cxlab.codebook.Codebook

    Returns
    -------
    dict
        Rule name -> :class:`Rule` (empty when the codebook has neither item).

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> book = Codebook.from_dict({"items": {"nps": {"type": "nps"}, "sat": {"type": "scale",
    ...     "min": 1, "max": 5, "role": "outcome"}}})
    >>> {k: r.when for k, r in default_rules(book).items()}
    {'detractor': 'nps <= 6', 'unhappy': 'sat <= 2'}
    """
    spec: dict[str, dict] = {}
    nps = codebook.select(type="nps")
    if nps:
        spec["detractor"] = {"when": f"`{nps[0]}` <= 6", "priority": "high"}
    outcome = codebook.select(role="outcome")
    if outcome and codebook.items[outcome[0]].min is not None:
        low = codebook.items[outcome[0]].min + 1
        spec["unhappy"] = {"when": f"`{outcome[0]}` <= {low:g}", "priority": "medium"}
    rules = parse_rules(spec, items=codebook.items) if spec else {}
    return {
        k: Rule(r.name, r.when.replace("`", ""), r.priority, r.condition) for k, r in rules.items()
    }


def rules_from(codebook) -> dict[str, Rule]:
    """The codebook's ``alerts:`` rules, or :func:`default_rules` when it has none.

    Parameters
    ----------
    codebook : cxlab.codebook.Codebook

    Returns
    -------
    dict
        Rule name -> :class:`Rule`.

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> book = Codebook.from_dict({"items": {"nps": {"type": "nps"}},
    ...     "alerts": {"zero": {"when": "nps == 0", "priority": "urgent"}}})
    >>> list(rules_from(book))
    ['zero']
    """
    if codebook.alerts:
        return parse_rules(codebook.alerts, items=codebook.items)
    return default_rules(codebook)


# -- evaluation ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TextAnalysis:
    """The analysed comments of one text column, as rules read them.

    Attributes
    ----------
    analyzed : pandas.DataFrame
        :func:`cxlab.text.analyze` of the column (``redacted``, ``label``, topic columns...).
    normalized : pandas.Series
        The redacted comment normalised (simplified script, half-width, lower case).
    """

    analyzed: pd.DataFrame
    normalized: pd.Series

    @classmethod
    def of(cls, texts: pd.Series, *, taxonomy=None) -> TextAnalysis:
        """Analyse a Series of comments (:func:`cxlab.text.analyze`, then normalise).

        Examples
        --------
        >>> t = TextAnalysis.of(pd.Series(["我要投訴", None]))
        >>> t.normalized.tolist()
        ['我要投诉', nan]
        """
        from cxlab import text

        analyzed = text.analyze(texts, taxonomy=taxonomy, progress=False)
        redacted = analyzed["redacted"]
        has = redacted.notna()
        normalized = pd.Series(np.nan, index=texts.index, dtype=object)
        if has.any():
            normalized[has] = text.normalize(redacted[has].astype(str)).to_numpy()
        return cls(analyzed, normalized)

    def subset(self, index) -> TextAnalysis:
        """The same analysis for some rows (labels of ``index``)."""
        return TextAnalysis(self.analyzed.loc[index], self.normalized.loc[index])


def text_columns(rules: Mapping[str, Rule]) -> list[str]:
    """The text columns the rules read, in order of first use.

    Parameters
    ----------
    rules : mapping
        Rule name -> :class:`Rule`.

    Returns
    -------
    list of str

    Examples
    --------
    >>> text_columns(parse_rules({"r": {"when": "nps <= 6 or c is negative"}}))
    ['c']
    """
    cols = [
        a.column
        for r in rules.values()
        for a in _atoms(r.condition)
        if isinstance(a, Mentions | About | Feeling)
    ]
    return list(dict.fromkeys(cols))


def analyze_texts(
    df: pd.DataFrame,
    rules: Mapping[str, Rule],
    *,
    taxonomy=None,
    analyzed: Mapping[str, TextAnalysis] | None = None,
) -> dict[str, TextAnalysis]:
    """The :class:`TextAnalysis` of every text column the rules read (given ones reused).

    Parameters
    ----------
    df : pandas.DataFrame
    rules : mapping
        Rule name -> :class:`Rule`.
    taxonomy : path or mapping, optional
        Topic taxonomy for ``about`` (default: the built-in one).
    analyzed : mapping, optional
        Column -> :class:`TextAnalysis` already computed for these rows.

    Returns
    -------
    dict
        Column -> :class:`TextAnalysis`.

    Examples
    --------
    >>> df = pd.DataFrame({"c": ["退款太慢", None]})
    >>> rules = parse_rules({"r": {"when": "c mentions 退款"}})
    >>> list(analyze_texts(df, rules))
    ['c']
    """
    out = dict(analyzed or {})
    for col in text_columns(rules):
        if col not in out:
            out[col] = TextAnalysis.of(df[col], taxonomy=taxonomy)
    return out


def _mask(node, df: pd.DataFrame, texts: Mapping[str, TextAnalysis]) -> np.ndarray:
    if isinstance(node, Combine):
        masks = [_mask(p, df, texts) for p in node.parts]
        if node.kind == "not":
            return ~masks[0]
        return np.logical_and.reduce(masks) if node.kind == "and" else np.logical_or.reduce(masks)
    if isinstance(node, Compare):
        values = pd.to_numeric(df[node.column], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        with np.errstate(invalid="ignore"):
            return OPERATORS[node.op](values, node.threshold) & ~np.isnan(values)
    if isinstance(node, Quantified):
        values = (
            df[list(node.columns)]
            .apply(pd.to_numeric, errors="coerce")
            .to_numpy(dtype=float, na_value=np.nan)
        )
        with np.errstate(invalid="ignore"):
            hit = OPERATORS[node.op](values, node.threshold) & ~np.isnan(values)
        if node.quantifier == "any":
            return hit.any(axis=1)
        return hit.all(axis=1)
    t = texts[node.column]
    if isinstance(node, Mentions):
        pattern = "|".join(re.escape(w) for w in _normal_words(node.words))
        return t.normalized.str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)
    if isinstance(node, About):
        if node.topic not in t.analyzed.columns:
            raise ValueError(
                f"Rule asks `{node.column} about {node.topic}`, but the taxonomy has no topic "
                f"`{node.topic}`; topics: {[c for c in t.analyzed.columns if t.analyzed[c].dtype == bool]}."
            )
        return t.analyzed[node.topic].fillna(False).to_numpy(dtype=bool)
    return (t.analyzed["label"] == node.label).fillna(False).to_numpy(dtype=bool)


def _normal_words(words: tuple[str, ...]) -> list[str]:
    from cxlab import text

    return [w for w in text.normalize(list(words)) if w]


def evaluate(
    df: pd.DataFrame,
    rules: Mapping[str, Rule],
    *,
    taxonomy=None,
    analyzed: Mapping[str, TextAnalysis] | None = None,
) -> pd.DataFrame:
    """Which respondents each rule flags.

    Parameters
    ----------
    df : pandas.DataFrame
        The survey (respondents in rows).
    rules : mapping
        Rule name -> :class:`Rule` (:func:`rules_from`, :func:`parse_rules`).
    taxonomy : path or mapping, optional
        Topic taxonomy for ``about`` conditions (default: the built-in one).
    analyzed : mapping, optional
        Text column -> :class:`TextAnalysis` of ``df``'s rows, to reuse an analysis.

    Returns
    -------
    pandas.DataFrame
        Same index as ``df``; one bool column per rule, in the rules' order.

    Examples
    --------
    >>> df = pd.DataFrame({"nps": [3, 9, None], "c": ["退款太慢了，很失望", "很好", None]})
    >>> rules = parse_rules({"d": {"when": "nps <= 6"},
    ...                      "refund": {"when": "c mentions 退款 and c is negative"},
    ...                      "quiet": {"when": "not c is positive and not nps >= 7"}})
    >>> evaluate(df, rules).to_dict("list")
    {'d': [True, False, False], 'refund': [True, False, False], 'quiet': [True, False, True]}
    """
    from cxlab.checks import require_columns

    names = [
        c
        for r in rules.values()
        for a in _atoms(r.condition)
        for c in (a.columns if isinstance(a, Quantified) else (a.column,))
    ]
    require_columns(df, *dict.fromkeys(names), arg="rule column(s)")
    texts = analyze_texts(df, rules, taxonomy=taxonomy, analyzed=analyzed)
    return pd.DataFrame(
        {name: _mask(rule.condition, df, texts) for name, rule in rules.items()}, index=df.index
    )


def _value(v) -> float | None:
    v = pd.to_numeric(v, errors="coerce")
    return None if pd.isna(v) else float(v)


def _evidence_of(node, row: pd.Series, pos: int, texts: Mapping[str, TextAnalysis]) -> list[dict]:
    """The true atoms behind a true node at one row, as codes (and, or: the true parts)."""
    if isinstance(node, Combine):
        if node.kind == "not":
            return [{"kind": "not", "part": _describe(node.parts[0])}]
        out = []
        for p in node.parts:
            if bool(_mask(p, row.to_frame().T, _row_texts(texts, pos))[0]):
                out.extend(_evidence_of(p, row, pos, texts))
        return out
    if isinstance(node, Compare):
        return [{**_describe(node), "value": _value(row[node.column])}]
    if isinstance(node, Quantified):
        hits = []
        for c in node.columns:
            v = _value(row[c])
            if v is not None and OPERATORS[node.op](v, node.threshold):
                hits.append(
                    {
                        "kind": "compare",
                        "column": c,
                        "op": node.op,
                        "threshold": node.threshold,
                        "value": v,
                    }
                )
        return hits
    t = texts[node.column]
    if isinstance(node, Mentions):
        norm = t.normalized.iloc[pos]
        found = [w for w, n in zip(node.words, _normal_words(node.words), strict=True) if n in norm]
        return [{**_describe(node), "words": found}]
    return [_describe(node)]


def _row_texts(texts: Mapping[str, TextAnalysis], pos: int) -> dict[str, TextAnalysis]:
    return {
        c: TextAnalysis(t.analyzed.iloc[[pos]], t.normalized.iloc[[pos]]) for c, t in texts.items()
    }


def _describe(node) -> dict:
    if isinstance(node, Compare):
        return {
            "kind": "compare",
            "column": node.column,
            "op": node.op,
            "threshold": node.threshold,
        }
    if isinstance(node, Quantified):
        return {
            "kind": node.quantifier,
            "role": node.role,
            "op": node.op,
            "threshold": node.threshold,
        }
    if isinstance(node, Mentions):
        return {"kind": "mentions", "column": node.column, "words": list(node.words)}
    if isinstance(node, About):
        return {"kind": "about", "column": node.column, "topic": node.topic}
    if isinstance(node, Feeling):
        return {"kind": "sentiment", "column": node.column, "label": node.label}
    return {"kind": node.kind, "parts": [_describe(p) for p in node.parts]}


def evidence(
    df: pd.DataFrame,
    rules: Mapping[str, Rule],
    hits: pd.DataFrame,
    *,
    texts: Mapping[str, TextAnalysis],
) -> pd.Series:
    """Why each flagged respondent was flagged, as codes (no words): one list per row.

    Parameters
    ----------
    df : pandas.DataFrame
    rules : mapping
        Rule name -> :class:`Rule`.
    hits : pandas.DataFrame
        :func:`evaluate` of ``df``.
    texts : mapping
        :func:`analyze_texts` of ``df``.

    Returns
    -------
    pandas.Series
        Same index as ``df``: for each row, a list of ``{"rule": name, "facts": [...]}``
        for the rules it hit (empty when none); a fact is a dict with ``kind``
        (``compare``, ``mentions``, ``about``, ``sentiment``, ``not``), the ``column`` and
        what held (``op``, ``threshold``, ``value``; ``words``; ``topic``; ``label``).
        :func:`explain` turns it into words.

    Examples
    --------
    >>> df = pd.DataFrame({"nps": [3, 9]})
    >>> rules = parse_rules({"d": {"when": "nps <= 6"}})
    >>> evidence(df, rules, evaluate(df, rules), texts={}).tolist()
    [[{'rule': 'd', 'facts': [{'kind': 'compare', 'column': 'nps', 'op': '<=', 'threshold': 6.0, 'value': 3.0}]}], []]
    """
    out = []
    for pos, (label, row) in enumerate(df.iterrows()):
        flagged = [name for name in rules if bool(hits.at[label, name])]
        out.append(
            [
                {"rule": name, "facts": _evidence_of(rules[name].condition, row, pos, texts)}
                for name in flagged
            ]
        )
    return pd.Series(out, index=df.index, dtype=object)


def _number(v: float) -> str:
    return f"{v:g}"


def _fact_words(fact: dict, codebook, lang: str) -> str:
    from cxlab.messages import msg

    kind = fact["kind"]
    if kind == "compare":
        label = codebook.label(fact["column"], lang=lang) if codebook else fact["column"]
        value = "—" if fact.get("value") is None else _number(fact["value"])
        return msg(
            "loop.fact.compare",
            lang,
            label=label,
            value=value,
            op=SIGNS[fact["op"]],
            threshold=_number(fact["threshold"]),
        )
    if kind in ("any", "all"):
        return msg(
            f"loop.fact.{kind}",
            lang,
            role=fact["role"],
            op=SIGNS[fact["op"]],
            threshold=_number(fact["threshold"]),
        )
    label = codebook.label(fact["column"], lang=lang) if codebook and "column" in fact else ""
    if kind == "mentions":
        return msg("loop.fact.mentions", lang, label=label, words="、".join(fact["words"]))
    if kind == "about":
        return msg("loop.fact.about", lang, label=label, topic=_topic_label(fact["topic"], lang))
    if kind == "sentiment":
        return msg(
            "loop.fact.sentiment",
            lang,
            label=label,
            sentiment=msg(f"loop.sentiment.{fact['label']}", lang),
        )
    if kind == "not":
        return msg("loop.fact.not", lang, fact=_fact_words(fact["part"], codebook, lang))
    joiner = msg(f"loop.fact.join_{kind}", lang)
    return "（" + joiner.join(_fact_words(p, codebook, lang) for p in fact["parts"]) + "）"


def _topic_label(topic: str, lang: str) -> str:
    from cxlab.messages import has, msg

    key = f"loop.topic.{topic}"
    return msg(key, lang) if has(key) else topic


def explain(
    facts: list, *, rules: Mapping[str, Rule] | None = None, codebook=None, lang: str = "zh"
) -> str:
    """The reason a respondent was flagged, in words (presentation: takes ``lang``).

    Parameters
    ----------
    facts : list
        One entry of :func:`evidence` (a list of ``{"rule", "facts"}``).
    rules : mapping, optional
        Rule name -> :class:`Rule`, for the rules' labels.
    codebook : cxlab.codebook.Codebook, optional
        For the items' labels.
    lang : {"zh", "en"}

    Returns
    -------
    str
        One sentence per rule hit: the rule's label and what held, e.g.
        ``"detractor: nps 3 (<= 6)"``.

    Examples
    --------
    >>> facts = [{"rule": "d", "facts": [{"kind": "compare", "column": "nps", "op": "<=",
    ...           "threshold": 6.0, "value": 3.0}]}]
    >>> explain(facts, lang="en")
    'd: nps 3 (≤ 6)'
    >>> explain(facts)
    'd：nps 3 分（≤ 6）'
    """
    from cxlab.messages import msg

    parts = []
    for hit in facts:
        name = hit["rule"]
        title = rules[name].display(lang) if rules and name in rules else name
        words = msg("loop.fact.join_and", lang).join(
            _fact_words(f, codebook, lang) for f in hit["facts"]
        )
        parts.append(msg("loop.reason", lang, rule=title, facts=words))
    return msg("loop.reason.join", lang).join(parts)

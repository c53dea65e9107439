"""What every platform reader shares: the :class:`Export` result, its builder and small parsers.

This is an internal module of :mod:`cxlab.platforms` (public names so the platform modules can
share them); users import from :mod:`cxlab.platforms`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "META_ROLES",
    "RECODED_COLUMNS",
    "Export",
    "ExportBuilder",
    "ExportError",
    "cell_text",
    "classify_group",
    "duration_seconds",
    "header_cells",
    "meta_values",
    "numbers",
    "split_options",
]

#: Columns of :attr:`Export.recoded`.
RECODED_COLUMNS = ("row", "column", "value", "reason")
#: Roles a platform reader may fill in :attr:`Export.meta`.
META_ROLES = ("id", "submitted", "started", "duration", "ip", "status", "source")


class ExportError(ValueError):
    """A platform export that cannot be read as it is; the message names the row/column and fix."""


@dataclass(frozen=True)
class Export:
    """A survey export as read from its platform's file.

    Attributes
    ----------
    df : pandas.DataFrame
        Answers, one row per response; the index (``row``) is the record's position in the file,
        the first data row being 1. Short stable column names (``Q3``, ``Q4_2``; Qualtrics and
        SPSS keep their own names; meta columns keep the platform's names).
    platform : str or None
        ``"wjx"``, ``"tencent"``, ``"qualtrics"``, ``"spss"``, or None for a plain table.
    form : str or None
        ``"code"`` (answers as option numbers), ``"text"`` (answers as option text) or None.
    labels : dict
        Column -> question text, a sub-item's or option's text appended (``请评价：物流速度``).
    value_labels : dict
        Column -> {code: answer text}, where the file carries them.
    meta : dict
        Role -> column for ``id``, ``submitted``, ``started``, ``duration`` (seconds, numeric),
        ``ip``, ``status`` and ``source``, where the platform has them.
    grids : dict
        Matrix question -> its sub-item columns.
    sets : dict
        Multiple-choice question -> its 0/1 option columns.
    rankings : dict
        Ranking question -> its option columns (each holds the option's rank, 1 = first).
    recoded : pandas.DataFrame
        Every cell the reader set to missing or changed: ``row``, ``column`` (the column of
        ``df``; for a text-form answer split into option columns, the question, a key of
        ``sets`` or ``rankings``), ``value`` (as in the file) and ``reason`` (``skipped (wjx
        -3)``, ``not shown (wjx -2)``, ``empty answer (空)``, ``skipped (跳过)``, ``not ranked
        (0)``, ``not a duration``, ``multiple-response set <name>: 0/1``).
    """

    df: pd.DataFrame
    platform: str | None = None
    form: str | None = None
    labels: dict = field(default_factory=dict)
    value_labels: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    grids: dict = field(default_factory=dict)
    sets: dict = field(default_factory=dict)
    rankings: dict = field(default_factory=dict)
    recoded: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({c: pd.Series(dtype=object) for c in RECODED_COLUMNS})
    )


def cell_text(value) -> str | float:
    """A cell as stripped text (NaN when empty); ``5.0`` read from Excel becomes ``"5"``.

    Parameters
    ----------
    value : object
        One cell as read (str, number, None or NaN).

    Returns
    -------
    str or float
        The stripped text, or NaN for an empty cell (``""``, ``"nan"``, None, NaN).

    Examples
    --------
    >>> cell_text(" 非常满意 "), cell_text("5.0"), cell_text("")
    ('非常满意', '5', nan)
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    s = str(value).strip()
    if not s or s.lower() == "nan":
        return np.nan
    if re.fullmatch(r"-?\d+\.0+", s):
        s = s.split(".")[0]
    return s


def header_cells(raw: pd.DataFrame, row: int) -> list[str]:
    """The cells of one header row as stripped strings ("" where empty).

    Parameters
    ----------
    raw : pandas.DataFrame
        The file's cell grid (read with ``header=None, dtype=str``).
    row : int
        Position of the header row (0 for the first).

    Returns
    -------
    list of str
        One string per column (cleaned by :func:`cell_text`); empty when the file has fewer
        rows.

    Examples
    --------
    >>> header_cells(pd.DataFrame([[" 序号 ", None, "5.0"]]), 0)
    ['序号', '', '5']
    >>> header_cells(pd.DataFrame([["a"]]), 3)
    []
    """
    if row >= len(raw):
        return []
    return [("" if pd.isna(c) else str(c)) for c in map(cell_text, raw.iloc[row].tolist())]


def numbers(values: pd.Series) -> pd.Series | None:
    """The column as floats when every non-empty cell is a number, else None.

    Parameters
    ----------
    values : pandas.Series
        Text cells (NaN where empty); full-width digits (``２``) count as numbers.

    Returns
    -------
    pandas.Series or None
        The cells as floats (NaN where empty), or None when a non-empty cell is not a number.

    Examples
    --------
    >>> numbers(pd.Series(["1", "２", None])).tolist()
    [1.0, 2.0, nan]
    >>> numbers(pd.Series(["1", "满意"])) is None
    True
    """
    text = values.map(lambda v: unicodedata.normalize("NFKC", v) if isinstance(v, str) else v)
    out = pd.to_numeric(text, errors="coerce").astype(float)
    return out if (out.notna() | values.isna()).all() else None


_DURATION = re.compile(
    r"^(?:(\d+(?:\.\d+)?)\s*(?:小时|时|h))?\s*(?:(\d+(?:\.\d+)?)\s*(?:分钟|分|min|m))?"
    r"\s*(?:(\d+(?:\.\d+)?)\s*(?:秒钟|秒|s|sec)?)?$",
    re.I,
)


def _seconds(text: str) -> float | None:
    t = unicodedata.normalize("NFKC", text).strip()
    clock = re.fullmatch(r"(\d+):(\d{1,2})(?::(\d{1,2}))?", t)
    if clock:
        parts = [int(g) for g in clock.groups() if g is not None]
        return float(sum(v * 60**i for i, v in enumerate(reversed(parts))))
    m = _DURATION.match(t)
    if not t or not m or not any(m.groups()):
        return None
    h, mi, s = (float(g) if g else 0.0 for g in m.groups())
    return h * 3600 + mi * 60 + s


def duration_seconds(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Completion times as seconds: ``125秒``, ``2分5秒``, ``00:02:05``, ``125``.

    Parameters
    ----------
    values : pandas.Series
        Text cells of a duration column (NaN where empty).

    Returns
    -------
    seconds : pandas.Series
        Floats (NaN where empty or not a duration).
    bad : pandas.Series
        True where a non-empty cell was not a duration.

    Examples
    --------
    >>> s, bad = duration_seconds(pd.Series(["125秒", "2分5秒", "00:02:05", "125", "很久", None]))
    >>> s.tolist(), bad.tolist()
    ([125.0, 125.0, 125.0, 125.0, nan, nan], [False, False, False, False, True, False])
    """
    parsed = values.map(lambda v: _seconds(v) if isinstance(v, str) else None)
    seconds = pd.to_numeric(parsed, errors="coerce").astype(float)
    return seconds, values.notna() & seconds.isna()


def meta_values(
    b: ExportBuilder, name: str, values: pd.Series, role: str | None, *, times=("submitted",)
) -> pd.Series:
    """A meta column's cells as their role wants them: seconds for a duration, datetimes for a time.

    Parameters
    ----------
    b : ExportBuilder
        Records the duration cells that are not durations (the value as read).
    name : str
        The column.
    values : pandas.Series
        Its text cells.
    role : str or None
        Its ``Export.meta`` role.
    times : tuple of str
        The roles holding a date and time; they become datetimes when every non-empty cell parses.

    Returns
    -------
    pandas.Series

    Examples
    --------
    >>> b = ExportBuilder(pd.RangeIndex(2))
    >>> meta_values(b, "t", pd.Series(["125秒", "很久"]), "duration").tolist()
    [125.0, nan]
    >>> b.export(None, None).recoded["value"].tolist()
    ['很久']
    """
    if role == "duration":
        seconds, bad = duration_seconds(values)
        b.record(name, bad, values, "not a duration")
        return seconds
    if role in times:
        t = pd.to_datetime(values, errors="coerce", format="mixed")
        return t if (t.notna() | values.isna()).all() else values
    return values


def split_options(answers: pd.Series, sep: str) -> tuple[pd.Series, list[str]]:
    """Split joined answers (``微信┋朋友推荐``) into lists, with the options in a stable order.

    The order is the one the answers imply (an option listed before another in some answer
    comes first), ties broken by first appearance: for multiple choice, where the platform joins
    the chosen options in questionnaire order, this is the questionnaire order.

    Parameters
    ----------
    answers : pandas.Series
        Text cells, each the chosen options joined by ``sep`` (NaN where unanswered).
    sep : str
        The separator (问卷星: ``┋`` for multiple choice, ``→`` for rankings).

    Returns
    -------
    lists : pandas.Series
        Each answer as a list of options (None where unanswered).
    options : list of str
        Every option seen, in the order described above.

    Examples
    --------
    >>> lists, options = split_options(pd.Series(["b┋c", "a┋b", None]), "┋")
    >>> options, lists.tolist()
    (['a', 'b', 'c'], [['b', 'c'], ['a', 'b'], None])
    """
    lists = answers.map(
        lambda v: [p.strip() for p in v.split(sep) if p.strip()] if isinstance(v, str) else None
    )
    seen: list[str] = []
    after: dict[str, set[str]] = {}
    for parts in lists.dropna():
        for i, p in enumerate(parts):
            if p not in seen:
                seen.append(p)
            after.setdefault(p, set()).update(parts[:i])
    order: list[str] = []
    while len(order) < len(seen):
        ready = [o for o in seen if o not in order and after.get(o, set()) <= set(order)]
        order.append(ready[0] if ready else next(o for o in seen if o not in order))
    return lists, order


def _is_ranking(values: pd.DataFrame) -> bool:
    k = values.shape[1]
    nonzero = values.where(values != 0)
    if not nonzero.stack().dropna().between(1, k).all() or nonzero.max().max() < 2:
        return False
    return all(r.dropna().is_unique for _, r in nonzero.iterrows())


def classify_group(values: pd.DataFrame, *, options: Iterable[str] | None = None) -> str:
    """Whether the sub-item columns of one question are a ``set``, a ``ranking`` or a ``grid``.

    Parameters
    ----------
    values : pandas.DataFrame
        The question's sub-item columns (text cells, NaN where empty).
    options : iterable of str, optional
        The sub-items' texts: a column whose only answer is its own option text is a
        multiple-choice option (腾讯问卷 writes the chosen option into its column).

    Returns
    -------
    str
        ``set`` (answers only 0/1, or the option's own text), ``ranking`` (whole numbers
        1..k, no rank twice in a response) or ``grid``.

    Examples
    --------
    >>> classify_group(pd.DataFrame({"a": ["1", "0"], "b": ["0", "1"]}))
    'set'
    >>> classify_group(pd.DataFrame({"a": ["1", "2"], "b": ["2", "1"], "c": ["3", "3"]}))
    'ranking'
    >>> classify_group(pd.DataFrame({"a": ["5", "4"], "b": ["5", "3"]}))
    'grid'
    """
    cols = {c: numbers(values[c]) for c in values}
    if all(v is not None for v in cols.values()) and values.notna().any().any():
        nums = pd.DataFrame(cols)
        stacked = nums.stack().dropna()
        if stacked.isin([0, 1]).all():
            return "set"
        if (stacked == np.round(stacked)).all() and _is_ranking(nums):
            return "ranking"
        return "grid"
    if options is not None:
        opts = list(options)
        if all(values[c].dropna().isin([o, "1"]).all() for c, o in zip(values, opts, strict=True)):
            return "set"
    return "grid"


class ExportBuilder:
    """Collects the columns of an export, what they are, and every cell changed on the way.

    Examples
    --------
    >>> b = ExportBuilder(pd.RangeIndex(1, 3, name="row"))
    >>> s = b.missing("Q1", pd.Series(["5", "-3"], index=b.index), {"-3": "skipped"})
    >>> b.add("Q1", s, "总体满意度")
    >>> e = b.export("wjx", "code")
    >>> e.df["Q1"].tolist(), e.recoded.to_dict("list")
    (['5', nan], {'row': [2], 'column': ['Q1'], 'value': ['-3'], 'reason': ['skipped']})
    """

    def __init__(self, index: pd.Index) -> None:
        self.index = index
        self.columns: dict[str, pd.Series] = {}
        self.labels: dict[str, str] = {}
        self.value_labels: dict[str, dict] = {}
        self.meta: dict[str, str] = {}
        self.grids: dict[str, list[str]] = {}
        self.sets: dict[str, list[str]] = {}
        self.rankings: dict[str, list[str]] = {}
        self.parts: list[pd.DataFrame] = []

    def add(self, name: str, values: pd.Series, label: str | None = None) -> None:
        """Add a column (its name must be new)."""
        if name in self.columns:
            raise ExportError(
                f"Column name {name!r} would appear twice in the export; the file has two "
                "columns for the same question. Rename one of them in the header row."
            )
        self.columns[name] = pd.Series(values.to_numpy(), index=self.index, name=name)
        if label:
            self.labels[name] = label

    def record(self, column: str, mask: pd.Series, raw: pd.Series, reason: str) -> None:
        """List the cells of ``raw`` where ``mask`` holds as changed for ``reason``."""
        rows = mask[mask].index
        if len(rows):
            self.parts.append(
                pd.DataFrame(
                    {"row": rows, "column": column, "value": raw[rows].tolist(), "reason": reason}
                )
            )

    def missing(self, column: str, values: pd.Series, markers: Mapping[str, str]) -> pd.Series:
        """Set the cells equal to a marker (``-3``, ``(空)``) to missing, recording each."""
        out = values.copy()
        for marker, reason in markers.items():
            hit = values == marker
            self.record(column, hit, values, reason)
            out = out.mask(hit)
        return out

    def answer(self, name: str, values: pd.Series, label: str | None, form: str | None) -> None:
        """Add an answer column: numbers become floats in the code form, text stays text."""
        nums = numbers(values) if form == "code" else None
        self.add(name, values if nums is None else nums, label)

    def group(
        self,
        question: str,
        label: str,
        subs: list[tuple[str, pd.Series]],
        form: str | None,
        *,
        kind: str | None = None,
        names: list[str] | None = None,
    ) -> str:
        """Add the sub-item columns of one question as a set, a ranking or a grid.

        ``subs`` holds (sub-item text, cells) in file order; the columns are named
        ``<question>_1`` ... unless ``names`` are given. Returns the kind (``kind``, else found
        by :func:`classify_group`).
        """
        texts = [t for t, _ in subs]
        frame = pd.DataFrame({i: v.to_numpy() for i, (_, v) in enumerate(subs)})
        kind = kind or classify_group(frame, options=texts)
        names = names or [f"{question}_{k}" for k in range(1, len(subs) + 1)]
        answered = frame.notna().any(axis=1).to_numpy()
        for name, text, (_, values) in zip(names, texts, subs, strict=True):
            sub_label = f"{label}：{text}" if label else text
            if kind == "set":
                # A response that chose any option of the question says 0 to the others.
                chosen = values.notna() & ~values.isin(["0"])
                self.add(name, chosen.astype(float).where(answered), sub_label)
            elif kind == "ranking":
                ranks = numbers(values)
                unranked = ranks == 0
                self.record(name, unranked, values, "not ranked (0)")
                self.add(name, ranks.mask(unranked), sub_label)
            else:
                self.answer(name, values, sub_label, form)
        {"set": self.sets, "ranking": self.rankings, "grid": self.grids}[kind][question] = names
        return kind

    def export(self, platform: str | None, form: str | None) -> Export:
        """The collected :class:`Export`."""
        df = pd.DataFrame(self.columns, index=self.index)
        if self.parts:
            recoded = pd.concat(self.parts, ignore_index=True)
            recoded["row"] = recoded["row"].astype(int)
            recoded = recoded.sort_values(["row", "column"], kind="stable", ignore_index=True)
        else:
            recoded = Export(df).recoded
        return Export(
            df=df,
            platform=platform,
            form=form,
            labels=self.labels,
            value_labels=self.value_labels,
            meta=self.meta,
            grids=self.grids,
            sets=self.sets,
            rankings=self.rankings,
            recoded=recoded,
        )

"""Draft a codebook from a survey export: a YAML a person only has to check.

:func:`draft_codebook` looks at every column of an export (its name, the question text a platform
gave it, and its answers) and guesses what it is: the respondent id, the submit time (and from it
the wave), segments, NPS items, rating scales with their range or answer texts, open comments,
multiple-choice sets, and the roles of the ratings (overall satisfaction as the outcome, the items
of a rating grid as drivers). Every guess is written with a YAML comment saying why, and the
decisions a person has to take are listed at the top of the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.labelsets import match_label_set

__all__ = ["Draft", "draft_codebook"]

#: Common rating-scale lengths: an observed maximum is rounded up to the next of these.
SCALE_MAXIMA = (3, 4, 5, 7, 10)
ID_NAMES = re.compile(
    r"^(序号|编号|答卷编号|答卷id|用户id|客户编号|会员号|id|rid|uid|uuid|resp(ondent)?_?id|"
    r"response_?id|record_?id|(customer|cust|member|user)_?id)$",
    re.I,
)
WEIGHT_NAMES = re.compile(r"^(w|wt|wgt|weights?|权重|加权|样本权重)$", re.I)
WAVE_NAMES = re.compile(r"^(wave|波次|期次|调查期|period|quarter|季度|月份|month)$", re.I)
TIME_NAMES = re.compile(
    r"(提交|答卷时间|结束|完成|submit|enddate|recordeddate|end_?time|时间)", re.I
)
SEGMENT_NAMES = re.compile(
    r"(地区|区域|大区|省|城市|渠道|门店|店|性别|年龄|学历|职业|收入|会员|等级|类型|类别|产品|品牌|"
    r"region|area|city|channel|store|shop|branch|gender|sex|age|tier|segment|type|provider|brand)",
    re.I,
)
NPS_WORDS = re.compile(r"(推荐|介绍给|nps|recommend)", re.I)
OUTCOME_WORDS = re.compile(
    r"(总体满意|整体满意|总体评价|总体而言|overall|satisf|csat|cusa|满意度)", re.I
)
EFFORT_WORDS = re.compile(r"(省力|费力|容易|effort|ces\b|easy)", re.I)
#: Drivers the draft assigns at most (exact relative importance grows as 2^p).
MAX_DRIVERS = 15
GRID_NAME = re.compile(r"^(.*?)[_.\-]?\(?(\d+)\)?$")


@dataclass(frozen=True)
class Draft:
    """A drafted codebook.

    Attributes
    ----------
    text : str
        The codebook as YAML, with a comment on every guess.
    decisions : pandas.DataFrame
        One row per column: ``column``, ``guess`` (what it was taken for), ``reason`` and
        ``review`` (True where a person should decide).
    """

    text: str
    decisions: pd.DataFrame


def _q(value) -> str:
    """A YAML scalar: JSON strings are valid double-quoted YAML."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value)


def _numeric(s: pd.Series) -> pd.Series | None:
    v = pd.to_numeric(s, errors="coerce")
    return v if v.notna().sum() and v.notna().sum() >= 0.95 * s.notna().sum() else None


#: Items sharing a short prefix (``d_speed``, ``d_price``) form a grid too.
GRID_PREFIX = re.compile(r"^([A-Za-z]{1,6})_[A-Za-z]+$")


def _grid_of(name: str) -> str | None:
    m = GRID_NAME.match(str(name))
    if m and m.group(1):
        return m.group(1)
    m = GRID_PREFIX.match(str(name))
    return m.group(1) if m else None


#: "Don't know" / "refused" codes that sit above a rating scale (98 and 99 beside 1-5 answers).
HIGH_CODES = frozenset({97.0, 98.0, 99.0, 997.0, 998.0, 999.0, 9999.0})


def _missing_codes(frame: pd.DataFrame) -> list[float]:
    """Codes that mean "no answer" in ratings.

    Negative codes (-99, -3, -2 ...) in columns whose other answers are >= 0, and the usual high
    codes (97, 98, 99, 999 ...) in columns whose other answers are whole numbers up to 11.
    """
    codes: set[float] = set()
    for col in frame:
        v = _numeric(frame[col])
        if v is None:
            continue
        v = v.dropna()
        neg = v[v < 0]
        if len(neg) and (v >= 0).sum() >= 0.8 * len(v) and neg.nunique() <= 3:
            codes.update(float(x) for x in neg.unique())
        high = v[v.isin(HIGH_CODES)]
        rest = v[~v.isin(HIGH_CODES) & (v >= 0)]
        if len(high) and len(rest) >= 0.8 * len(v) and rest.max() <= 11:
            if np.allclose(rest, np.round(rest)):
                codes.update(float(x) for x in high.unique())
    return sorted(codes)


class _Drafter:
    def __init__(self, df, labels, value_labels, meta, grids, sets):
        self.df = df
        self.labels = dict(labels or {})
        self.value_labels = dict(value_labels or {})
        self.meta = dict(meta or {})
        self.grids = {k: list(v) for k, v in (grids or {}).items()}
        self.sets = {k: list(v) for k, v in (sets or {}).items()}
        self.rows: list[dict] = []
        self.items: dict[str, tuple[dict, str]] = {}
        self.top: dict[str, tuple[object, str]] = {}
        self.segments: dict[str, str] = {}
        self.missing = _missing_codes(df)

    def note(self, column, guess, reason, review=False):
        self.rows.append({"column": column, "guess": guess, "reason": reason, "review": review})

    def text_of(self, col) -> str:
        return f"{col} {self.labels.get(col, '')}"

    # -- steps -----------------------------------------------------------------------------
    def find_id(self):
        col = self.meta.get("id")
        reason = "the platform's response id"
        if col is None:
            cands = [c for c in self.df if ID_NAMES.match(str(c).strip())]
            col = next(
                (c for c in cands if self.df[c].notna().all() and self.df[c].is_unique), None
            )
            reason = "named like an id, unique and never empty"
        if col is None:
            self.note("(id)", "none", "no unique id column: the row number is the id", True)
            return
        self.top["id"] = (col, reason)
        self.note(col, "id", reason)

    def find_wave(self) -> bool:
        """A column named like a wave (波次, wave, quarter ...) with a few distinct values."""
        for c in self.df:
            s = self.df[c].dropna()
            if WAVE_NAMES.match(str(c).strip()) and 1 < s.nunique() <= 60:
                self.top["wave"] = (c, f"named like a wave, {s.nunique()} distinct values")
                self.note(c, "wave", "named like a wave")
                return True
        return False

    def find_time(self):
        col = self.meta.get("submitted")
        if col is None:
            for c in self.df:
                if c in self.used or not TIME_NAMES.search(str(c)):
                    continue
                t = pd.to_datetime(self.df[c], errors="coerce", format="mixed")
                if t.notna().mean() >= 0.9:
                    col = c
                    break
        if col is None:
            return
        t = pd.to_datetime(self.df[col], errors="coerce", format="mixed")
        quarters = t.dt.to_period("Q").nunique()
        months = t.dt.to_period("M").nunique()
        if quarters >= 2:
            every, why = "quarter", f"answers span {quarters} quarters"
        elif months >= 2:
            every, why = "month", f"answers span {months} months of one quarter"
        else:
            self.note(col, "submit time", "all answers fall in one month: no wave", True)
            self.top["submitted"] = (col, "submit time")
            return
        self.top["wave"] = ({"from": col, "every": every}, f"wave by {every}: {why}")
        self.note(col, f"wave by {every}", why, True)

    def find_weight(self):
        for c in self.df:
            if c in self.used or not WEIGHT_NAMES.match(str(c).strip()):
                continue
            v = _numeric(self.df[c])
            if v is not None and (v.dropna() >= 0).all() and v.nunique() > 1:
                self.top["weight"] = (c, "named like a weight, numbers >= 0")
                self.note(c, "weight", "named like a weight, numbers >= 0", True)
                return

    @property
    def used(self) -> set:
        cols = {v for k, (v, _) in self.top.items() if isinstance(v, str)}
        wave = self.top.get("wave")
        if wave and isinstance(wave[0], dict):
            cols.add(wave[0]["from"])
        return cols | set(self.items) | set(self.segments) | set(self.meta.values())

    def classify(self):
        set_of = {c: name for name, cols in self.sets.items() for c in cols}
        grid_of = {c: name for name, cols in self.grids.items() for c in cols}
        if not self.grids:  # name patterns such as qual_1 ... qual_8 or CUSA1 ... CUSA3
            by_stem: dict[str, list[str]] = {}
            for c in self.df:
                stem = _grid_of(c)
                if stem:
                    by_stem.setdefault(stem, []).append(c)
            grid_of = {c: s for s, cols in by_stem.items() if len(cols) >= 2 for c in cols}
        for col in self.df:
            if col in self.used:
                continue
            if col in set_of:
                self.items[col] = (
                    {"type": "multi", "set": set_of[col]},
                    f"an option of multiple-choice question {set_of[col]!r}",
                )
                self.note(col, "multi", f"option of {set_of[col]}")
                continue
            self.classify_one(col, grid_of.get(col))

    def classify_one(self, col, grid):
        s = self.df[col]
        label = self.labels.get(col)
        if s.notna().sum() == 0:
            self.note(col, "skipped", "empty column", True)
            return
        if pd.api.types.is_datetime64_any_dtype(s):
            self.note(col, "time", "a date/time column")
            return
        num = _numeric(s)
        if num is None:
            return self.classify_text(col, s, label, grid)
        v = num[~num.isin(self.missing)].dropna()
        whole = bool(np.all(np.isclose(v, np.round(v))))
        lo, hi, distinct = float(v.min()), float(v.max()), v.nunique()
        if whole and set(v.unique()) <= {0, 1}:
            self.items[col] = ({"type": "binary"}, "answers are only 0 and 1")
            self.note(col, "binary", "answers are only 0 and 1")
        elif whole and lo >= 0 and hi <= 10 and hi >= 9 and NPS_WORDS.search(self.text_of(col)):
            self.items[col] = ({"type": "nps"}, "answers 0-10 and the question asks to recommend")
            self.note(col, "nps", "0-10 answers, recommend in the question")
        elif whole and col in self.segment_like() and distinct <= 12:
            self.segments[col] = label or ""
            self.note(col, "segment", f"{distinct} distinct codes, named like a segment", True)
        elif whole and lo >= 0 and hi <= 11 and distinct <= 11:
            self.rating(col, grid, lo, hi)
        else:
            self.items[col] = ({"type": "numeric"}, f"numbers from {lo:g} to {hi:g}")
            self.note(col, "numeric", f"numbers from {lo:g} to {hi:g}")

    def segment_like(self) -> set:
        return {c for c in self.df if SEGMENT_NAMES.search(self.text_of(c))}

    def rating(self, col, grid, lo, hi):
        by_name = [c for c in self.df if _grid_of(c) == grid] if grid else []
        members = self.grids.get(grid) or by_name or [col]
        answers = [pd.to_numeric(self.df[c], errors="coerce") for c in members if c in self.df]
        top = max(float(a[~a.isin(self.missing)].max()) for a in answers)
        high = next((m for m in SCALE_MAXIMA if m >= top), top)
        low = 0 if lo == 0 else 1
        spec = {"type": "scale", "min": low, "max": high}
        why = f"whole numbers {lo:g}-{hi:g}" + (
            f"; scale {low}-{high:g} taken from its grid {grid!r}" if grid else ""
        )
        review = high != hi
        if grid:
            spec["grid"] = grid
        self.items[col] = (spec, why)
        self.note(col, f"scale {low}-{high:g}", why, review)

    def classify_text(self, col, s, label, grid=None):
        answers = s.dropna().astype(str).str.strip()
        found = match_label_set(answers.unique())
        if found is not None:
            name, low, high = found
            spec = {"type": "scale", "min": low, "max": high, "values": name}
            if grid:
                spec["grid"] = grid
            self.items[col] = (spec, f"answers are the labels of the {name} scale")
            self.note(col, f"scale ({name})", "answer texts match a built-in label set")
            return
        distinct = answers.nunique()
        mean_len = answers.str.len().mean()
        few = distinct <= max(2, 0.2 * len(answers)) or col in self.segment_like()
        if distinct <= 12 and few and mean_len < 20:
            self.segments[col] = label or ""
            self.note(col, "segment", f"{distinct} distinct answers", True)
            return
        if mean_len >= 4:
            self.items[col] = ({"type": "text"}, f"free text, {mean_len:.0f} characters on average")
            self.note(col, "text", "free text")
            return
        self.items[col] = ({"type": "category"}, f"{distinct} distinct short answers")
        self.note(col, "category", f"{distinct} distinct short answers", True)

    def roles(self):
        ratings = [c for c, (spec, _) in self.items.items() if spec["type"] in ("scale", "nps")]
        scales = [c for c in ratings if self.items[c][0]["type"] == "scale"]
        outcome = next((c for c in scales if OUTCOME_WORDS.search(self.text_of(c))), None)
        if outcome is None:
            self.note("(outcome)", "none", "no item reads as overall satisfaction", True)
            return
        self.set_role(outcome, "outcome", "its name or question reads as overall satisfaction")
        own = self.items[outcome][0].get("grid")
        others = [c for c in scales if c != outcome and not (own and self.spec(c, "grid") == own)]
        for c in others:
            if EFFORT_WORDS.search(self.text_of(c)):
                self.set_role(c, "effort", "the question asks about effort")
        self.drivers(outcome, [c for c in others if "role" not in self.items[c][0]])

    def spec(self, col, key):
        return self.items[col][0].get(key)

    def drivers(self, outcome, candidates, limit: int = MAX_DRIVERS):
        """Grids on the outcome's scale become drivers, whole grids, up to ``limit`` items."""
        scale = (self.spec(outcome, "min"), self.spec(outcome, "max"))
        grids: dict[str, list[str]] = {}
        for c in candidates:
            if self.spec(c, "grid") and (self.spec(c, "min"), self.spec(c, "max")) == scale:
                grids.setdefault(self.spec(c, "grid"), []).append(c)
        chosen: list[str] = []
        for name, cols in grids.items():
            if len(chosen) + len(cols) > limit:
                self.note(f"(grid {name})", "not drivers", f"more than {limit} drivers", True)
                continue
            chosen += cols
        for c in chosen:
            self.set_role(c, "driver", f"an item of a rating grid on the outcome's scale {scale}")

    def set_role(self, col, role, why):
        spec, reason = self.items[col]
        self.items[col] = ({**spec, "role": role}, f"{reason}; role {role}: {why}")
        self.note(col, f"role {role}", why, role != "driver")

    # -- output ----------------------------------------------------------------------------
    def yaml(self, source: str | None) -> str:
        review = [r for r in self.rows if r["review"]]
        out = [f"# Codebook drafted by `cxlab codebook draft` from {source or 'an export'}."]
        out.append("# Check every line; these guesses need a decision:")
        out += [f"#   - {r['column']}: {r['guess']} ({r['reason']})" for r in review] or [
            "#   none"
        ]
        out.append(f"name: {_q(str(source or 'survey'))}")
        for key in ("id", "weight", "submitted"):
            if key in self.top:
                col, why = self.top[key]
                out.append(f"{key}: {_q(col)}  # {why}")
        if "id" not in self.top:
            out.append("# id: none found; the row number in the file is the respondent id")
        if "wave" in self.top:
            spec, why = self.top["wave"]
            if isinstance(spec, str):
                out.append(f"wave: {_q(spec)}  # {why}")
            else:
                out.append(f"wave: {{from: {_q(spec['from'])}, every: {spec['every']}}}  # {why}")
        if self.segments:
            out.append("segments:  # few distinct answers: columns to split tables by")
            out += [f"  {_q(c)}: {_q(lab)}" for c, lab in self.segments.items()]
        if self.missing:
            out.append(
                f"missing_codes: {json.dumps(self.missing)}  # codes outside the ratings: no answer"
            )
        out.append("items:")
        for col, (spec, why) in self.items.items():
            fields = [f"{k}: {_q(v)}" for k, v in spec.items()]
            if col in self.labels and self.labels[col]:
                fields.insert(1, f"label: {_q(self.labels[col])}")
            out.append(f"  {_q(col)}: {{{', '.join(fields)}}}  # {why}")
        return "\n".join(out) + "\n"


def draft_codebook(
    df: pd.DataFrame,
    *,
    source: str | None = None,
    labels: Mapping[str, str] | None = None,
    value_labels: Mapping[str, Mapping] | None = None,
    meta: Mapping[str, str] | None = None,
    grids: Mapping[str, Sequence[str]] | None = None,
    sets: Mapping[str, Sequence[str]] | None = None,
) -> Draft:
    """Draft a codebook for an export.

    Parameters
    ----------
    df : pandas.DataFrame
        The export as read (answers as numbers or as answer texts).
    source : str, optional
        The file name, written into the draft.
    labels : mapping, optional
        Column -> question text (from the platform's header), used as labels and for hints.
    value_labels : mapping, optional
        Column -> {code: answer text} (SPSS, 问卷星 text form).
    meta : mapping, optional
        What a platform reader recognised: ``id``, ``submitted``, ``duration``, ``ip``,
        ``status`` -> column.
    grids : mapping, optional
        Matrix question -> its sub-item columns (else found from names such as ``qual_1``).
    sets : mapping, optional
        Multiple-choice question -> its 0/1 option columns.

    Returns
    -------
    Draft
        ``text`` (the YAML) and ``decisions`` (one row per column with the guess and why).

    Notes
    -----
    Rules, in order: a platform's id or a unique column named like an id; a submit time (wave by
    quarter when answers span two quarters or more, else by month); answers only 0/1 (binary);
    0-10 answers whose question asks to recommend (NPS); few codes in a column named like a
    segment (segment); whole numbers up to 11 (a rating scale, its maximum rounded up to 3, 4,
    5, 7 or 10 over its grid); answer texts of a known label set (a scale with ``values``); few
    distinct short texts (segment); longer texts (open comments). The outcome is the first scale
    whose name or question reads as overall satisfaction, and the other grid items are drivers.

    Examples
    --------
    >>> df = pd.DataFrame({"cusa": [5, 6, 7, 3], "qual_1": [4, 5, 6, 2], "qual_2": [5, 5, 7, 1],
    ...                    "region": ["North", "South", "North", "South"]})
    >>> d = draft_codebook(df, source="corp.csv")
    >>> d.decisions[["column", "guess"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['(id)', 'none'], ['cusa', 'scale 1-7'], ['qual_1', 'scale 1-7'], ['qual_2', 'scale 1-7'],
     ['region', 'segment'], ['cusa', 'role outcome'], ['qual_1', 'role driver'],
     ['qual_2', 'role driver']]
    """
    d = _Drafter(df, labels, value_labels, meta, grids, sets)
    d.find_id()
    d.find_weight()
    if not d.find_wave():
        d.find_time()
    d.classify()
    d.roles()
    return Draft(text=d.yaml(source), decisions=pd.DataFrame(d.rows))

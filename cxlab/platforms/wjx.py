"""问卷星 (wjx.cn) downloads: 按选项序号 (the code form) and 按选项文本 (the text form).

Conventions read (see the README of tests/fixtures/platforms for where they come from):

- six meta columns first: 序号, 提交答卷时间, 所用时间 (``125秒``), 来源, 来源详情, 来自IP
  (``113.88.12.34(广东-深圳)``);
- a question is headed ``3、您对本次服务的总体满意度：``;
- the sub-items of a matrix, multiple-choice or ranking question are headed ``第4题(物流速度)``
  (code form, one column per option or row), or ``4、(物流速度)`` / ``4、请评价(物流速度)``
  (text form matrices);
- in the text form a multiple choice is one cell joined with ``┋``, a ranking one cell joined with
  ``→``, and an option's fill-in follows it in ``〖...〗``;
- in the code form ``-2`` marks a question not shown (display logic), ``-3`` one skipped (jump
  logic); ``(空)`` is an empty text answer and ``(跳过)`` a skipped question in the text form.
"""

from __future__ import annotations

import re

import pandas as pd

from cxlab.platforms.common import (
    ExportBuilder,
    ExportError,
    cell_text,
    header_cells,
    meta_values,
    numbers,
    split_options,
)

__all__ = ["WJX_META", "parse_wjx", "wjx_form"]

#: 问卷星's meta columns -> Export.meta role (None: kept, no role).
WJX_META = {
    "序号": "id",
    "提交答卷时间": "submitted",
    "所用时间": "duration",
    "来源": "source",
    "来源详情": None,
    "来自IP": "ip",
}
QUESTION = re.compile(r"^(\d+)\s*[、．.]\s*(.*)$", re.S)
SUB_ITEM = re.compile(r"^第\s*(\d+)\s*题\s*[(（](.*)[)）]\s*$", re.S)
TRAILING = re.compile(r"^(.*?)[(（]([^()（）]+)[)）]\s*$", re.S)
IP_PLACE = re.compile(r"^\s*([0-9A-Fa-f.:]+)\s*[(（](.*)[)）]\s*$")
FILL = re.compile(r"〖(.*?)〗", re.S)
TEXT_MARKERS = {
    "(空)": "empty answer (空)",
    "（空）": "empty answer (空)",
    "(跳过)": "skipped (跳过)",
    "（跳过）": "skipped (跳过)",
}
CODE_MARKERS = {"-2": "not shown (wjx -2)", "-3": "skipped (wjx -3)", **TEXT_MARKERS}


def _clean_label(text: str) -> str:
    return text.strip().rstrip("：:").strip()


def _layout(header: list[str]) -> list[tuple]:
    """Header cells -> items in file order: ("meta"|"other", pos, name) or ("q", n, text, cols)."""
    items: list[tuple] = []
    questions: dict[int, dict] = {}
    for pos, name in enumerate(header):
        sub, q = SUB_ITEM.match(name), QUESTION.match(name)
        if name in WJX_META or not (sub or q):
            items.append(("meta" if name in WJX_META else "other", pos, name))
            continue
        n = int((sub or q).group(1))
        if n not in questions:
            questions[n] = {"text": "", "cols": []}
            items.append(("q", n, questions[n]))
        if sub:
            questions[n]["cols"].append((pos, sub.group(2).strip(), True))
        else:
            questions[n]["cols"].append((pos, q.group(2).strip(), False))
    for q in questions.values():
        subs = [c for c in q["cols"] if c[2]]
        heads = [c for c in q["cols"] if not c[2]]
        if len(heads) == 1 and not subs:
            q["text"] = _clean_label(heads[0][1])
            continue
        q["text"] = ""
        cols = []
        for pos, text, is_sub in q["cols"]:
            m = None if is_sub else TRAILING.match(text)
            if m:
                q["text"] = q["text"] or _clean_label(m.group(1))
                text = m.group(2)
            cols.append((pos, text.strip(), True))
        q["cols"] = cols
    return items


def wjx_form(header: list[str], cells: pd.DataFrame) -> str:
    """Guess whether a 问卷星 download holds option numbers (``code``) or option text (``text``).

    Joined answers (``┋``, ``→``) or text-form matrix headers (``4、(物流速度)``) mean text; else
    the code form when most question columns hold only numbers.

    Parameters
    ----------
    header : list of str
        The header row (:func:`~cxlab.platforms.common.header_cells`).
    cells : pandas.DataFrame
        The data rows below it as text cells, columns numbered by position.

    Returns
    -------
    str
        ``"code"`` or ``"text"``.

    Examples
    --------
    >>> wjx_form(["序号", "1、性别"], pd.DataFrame({0: ["1"], 1: ["2"]}))
    'code'
    >>> wjx_form(["序号", "1、性别"], pd.DataFrame({0: ["1"], 1: ["男"]}))
    'text'
    """
    qcols = [i for i, h in enumerate(header) if QUESTION.match(h) or SUB_ITEM.match(h)]
    if not qcols:
        return "text"
    answers = cells.iloc[:, qcols]
    joined = answers.apply(lambda c: c.str.contains("┋|→", regex=True, na=False)).any().any()
    numbered = [int(QUESTION.match(header[i]).group(1)) for i in qcols if QUESTION.match(header[i])]
    if joined or len(numbered) != len(set(numbered)):
        return "text"
    marked = answers.mask(answers.isin(list(CODE_MARKERS)))
    numeric = sum(numbers(marked[c]) is not None for c in marked)
    return "code" if numeric >= 0.6 * len(qcols) else "text"


def _meta(b: ExportBuilder, name: str, values: pd.Series) -> None:
    role = WJX_META[name]
    if role == "ip":
        parts = values.map(lambda v: IP_PLACE.match(v) if isinstance(v, str) else None)
        if parts.notna().any():
            b.add(name, parts.map(lambda m: m.group(1) if m else None).where(parts.notna(), values))
            b.add(f"{name}地区", parts.map(lambda m: m.group(2) if m else None))
            b.meta[role] = name
            return
    b.add(name, meta_values(b, name, values, role))
    if role:
        b.meta[role] = name


def _fills(b: ExportBuilder, name: str, label: str, values: pd.Series) -> pd.Series:
    """Move the fill-ins of options (``其他〖自填〗``) into ``<name>_other``; return the rest."""
    if not values.str.contains("〖", regex=False, na=False).any():
        return values
    fills = values.map(lambda v: "；".join(FILL.findall(v)) if isinstance(v, str) else v)
    b.add(f"{name}_other", fills.map(lambda v: v if v else float("nan")), f"{label}：〖〗")
    return values.map(lambda v: FILL.sub("", v).strip() if isinstance(v, str) else v)


def _expand(b: ExportBuilder, name: str, label: str, values: pd.Series, sep: str) -> None:
    lists, options = split_options(values, sep)
    cols = [f"{name}_{k}" for k in range(1, len(options) + 1)]
    for col, option in zip(cols, options, strict=True):
        if sep == "┋":
            out = lists.map(lambda x, o=option: float(o in x) if x is not None else None)
        else:
            out = lists.map(lambda x, o=option: float(x.index(o) + 1) if x and o in x else None)
        b.add(col, out.astype(float), f"{label}：{option}" if label else option)
    (b.sets if sep == "┋" else b.rankings)[name] = cols


def _question(b: ExportBuilder, data: pd.DataFrame, n: int, q: dict, form: str) -> None:
    name, label = f"Q{n}", q["text"]
    markers = CODE_MARKERS if form == "code" else TEXT_MARKERS
    if len(q["cols"]) == 1 and not q["cols"][0][2]:
        values = b.missing(name, data.iloc[:, q["cols"][0][0]], markers)
        if form == "text":
            values = _fills(b, name, label, values)
            for sep in ("┋", "→"):
                if values.str.contains(sep, regex=False, na=False).any():
                    return _expand(b, name, label, values, sep)
        return b.answer(name, values, label, form)
    subs = []
    for k, (pos, text, _) in enumerate(q["cols"], start=1):
        subs.append((text, b.missing(f"{name}_{k}", data.iloc[:, pos], markers)))
    b.group(name, label, subs, form)


def parse_wjx(raw: pd.DataFrame, *, form: str | None = None) -> tuple[ExportBuilder, str]:
    """Read a 问卷星 download (header row + data rows, all cells text) into a builder.

    Parameters
    ----------
    raw : pandas.DataFrame
        The whole file, read with ``header=None, dtype=str``.
    form : {"code", "text"}, optional
        Which download this is; guessed by :func:`wjx_form` when None.

    Returns
    -------
    tuple of (ExportBuilder, str)
        The filled builder and the form.

    Examples
    --------
    >>> raw = pd.DataFrame([
    ...     ["序号", "提交答卷时间", "所用时间", "1、您的性别：", "2、您对本次服务的总体满意度："],
    ...     ["1", "2024/3/5 10:00:00", "125秒", "2", "5"],
    ...     ["2", "2024/3/6 11:00:00", "98秒", "1", "-3"]])
    >>> b, form = parse_wjx(raw)
    >>> e = b.export("wjx", form)
    >>> form, e.labels["Q2"], e.df["Q2"].tolist(), e.df["所用时间"].tolist()
    ('code', '您对本次服务的总体满意度', [5.0, nan], [125.0, 98.0])
    """
    header = header_cells(raw, 0)
    data = raw.iloc[1:].map(cell_text).reset_index(drop=True)
    data.index = pd.RangeIndex(1, len(data) + 1, name="row")
    data.columns = range(data.shape[1])
    form = form or wjx_form(header, data)
    if form not in ("code", "text"):
        raise ExportError(f"`form` should be 'code' or 'text', not {form!r}.")
    b = ExportBuilder(data.index)
    for item in _layout(header):
        if item[0] == "q":
            _question(b, data, item[1], item[2], form)
        elif item[0] == "meta":
            _meta(b, item[2], data[item[1]])
        else:
            b.add(item[2], data[item[1]])
    return b, form

"""腾讯问卷 (wj.qq.com) downloads, Excel or CSV.

Conventions read (see the README of tests/fixtures/platforms for where they come from):

- meta columns 编号, 开始答题时间, 结束答题时间, 答题时长 (seconds), 地理位置国家和地区,
  地理位置省, 地理位置市, 自定义字段, and where enabled 用户类型, 用户标识, 昵称, IP, UA,
  Referrer, 清洗数据结果, 审核状态 ...;
- a question is headed ``7.您向朋友推荐我们的可能性有多大？``;
- each option of a multiple-choice question and each row of a matrix has its own column headed
  ``5.您通过哪些渠道了解我们？:微信`` (question, ``:``, option); a chosen option's cell holds
  the option text (or 1), an unchosen one is empty;
- the blanks of a fill-in question are headed ``3.您来自于：_填空1``;
- a CSV line may end with a comma, which gives an empty last column.
"""

from __future__ import annotations

import re

import pandas as pd

from cxlab.platforms.common import (
    ExportBuilder,
    cell_text,
    header_cells,
    meta_values,
    numbers,
)

__all__ = ["TENCENT_META", "parse_tencent"]

#: 腾讯问卷's meta columns -> Export.meta role (None: kept, no role).
TENCENT_META = {
    "编号": "id",
    "开始答题时间": "started",
    "结束答题时间": "submitted",
    "答题时长": "duration",
    "IP": "ip",
    "Referrer": "source",
    "审核状态": "status",
    "地理位置国家和地区": None,
    "地理位置省": None,
    "地理位置市": None,
    "自定义字段": None,
    "用户类型": None,
    "用户标识": None,
    "昵称": None,
    "UA": None,
    "语言": None,
    "清洗数据结果": None,
    "智能清洗数据无效概率": None,
}
QUESTION = re.compile(r"^(\d+)\s*[.．、]\s*(.+)$", re.S)
BLANK = re.compile(r"^(.*)_(填空\d*)$", re.S)


def _split(text: str) -> tuple[str, str | None]:
    """``问题:选项`` -> (问题, 选项); ``问题_填空1`` -> (问题, 填空1)."""
    blank = BLANK.match(text)
    if blank:
        return blank.group(1).strip(), blank.group(2)
    if ":" in text:
        head, _, option = text.rpartition(":")
        if head.strip() and option.strip():
            return head.strip(), option.strip()
    return text.strip(), None


def _layout(header: list[str]) -> list[tuple]:
    items: list[tuple] = []
    questions: dict[int, dict] = {}
    for pos, name in enumerate(header):
        m = QUESTION.match(name)
        if name in TENCENT_META or not m:
            items.append(("meta" if name in TENCENT_META else "other", pos, name))
            continue
        n = int(m.group(1))
        text, sub = _split(m.group(2))
        if n not in questions:
            questions[n] = {"text": text.rstrip("：:").strip(), "cols": []}
            items.append(("q", n, questions[n]))
        questions[n]["cols"].append((pos, sub))
    return items


def tencent_form(cells: pd.DataFrame, qcols: list[int]) -> str:
    """``code`` when most question columns hold only numbers, else ``text``."""
    numeric = sum(numbers(cells[c]) is not None for c in qcols)
    return "code" if qcols and numeric >= 0.6 * len(qcols) else "text"


def _meta(b: ExportBuilder, name: str, values: pd.Series) -> None:
    role = TENCENT_META[name]
    b.add(name, meta_values(b, name, values, role, times=("started", "submitted")))
    if role:
        b.meta[role] = name


def _question(b: ExportBuilder, data: pd.DataFrame, n: int, q: dict, form: str) -> None:
    name, label = f"Q{n}", q["text"]
    main = [pos for pos, sub in q["cols"] if sub is None]
    blanks = [(pos, sub) for pos, sub in q["cols"] if sub and sub.startswith("填空")]
    options = [(sub, data[pos]) for pos, sub in q["cols"] if sub and not sub.startswith("填空")]
    if main:
        b.answer(name, data[main[0]], label, form)
    if options:
        b.group(name, label, options, form)
    alone = not main and not options
    for k, (pos, sub) in enumerate(blanks, start=1):
        # The blanks of a fill-in question are its sub-items; beside options they are "other".
        col = f"{name}_{k}" if alone else f"{name}_other" + (str(k) if len(blanks) > 1 else "")
        b.add(col, data[pos], f"{label}：{sub}")


def parse_tencent(raw: pd.DataFrame, *, form: str | None = None) -> tuple[ExportBuilder, str]:
    """Read a 腾讯问卷 download (header row + data rows, all cells text) into a builder.

    Parameters
    ----------
    raw : pandas.DataFrame
        The whole file, read with ``header=None, dtype=str``.
    form : {"code", "text"}, optional
        Guessed from the answers when None.

    Returns
    -------
    tuple of (ExportBuilder, str)
        The filled builder and the form.

    Examples
    --------
    >>> raw = pd.DataFrame([
    ...     ["编号", "开始答题时间", "结束答题时间", "答题时长", "1.您的性别",
    ...      "2.您通过哪些渠道了解我们？:微信", "2.您通过哪些渠道了解我们？:微博"],
    ...     ["1", "2024-03-05 10:00:00", "2024-03-05 10:02:05", "125", "女", "微信", ""],
    ...     ["2", "2024-03-06 11:00:00", "2024-03-06 11:01:38", "98", "男", "", "微博"]])
    >>> b, form = parse_tencent(raw)
    >>> e = b.export("tencent", form)
    >>> form, e.sets, e.df["Q2_1"].tolist(), e.meta["duration"]
    ('text', {'Q2': ['Q2_1', 'Q2_2']}, [1.0, 0.0], '答题时长')
    """
    header = header_cells(raw, 0)
    data = raw.iloc[1:].map(cell_text).reset_index(drop=True)
    data.index = pd.RangeIndex(1, len(data) + 1, name="row")
    data.columns = range(data.shape[1])
    items = _layout(header)
    qcols = [pos for it in items if it[0] == "q" for pos, _ in it[2]["cols"]]
    form = form or tencent_form(data, qcols)
    b = ExportBuilder(data.index)
    for item in items:
        if item[0] == "meta":
            _meta(b, item[2], data[item[1]])
        elif item[0] == "other":
            b.add(item[2], data[item[1]])
        else:
            _question(b, data, item[1], item[2], form)
    return b, form

"""Survey-platform exports: 问卷星, 腾讯问卷, Qualtrics, SPSS, or a plain table.

:func:`parse_export` takes a file as read by the loader (every cell text, no header) and returns an
:class:`Export`: the answers with short stable column names, the question texts, what the meta
columns are (id, submit time, duration ...), which columns form a rating grid, a multiple-choice
set or a ranking, and every cell that was set to missing or changed on the way (``recoded``), so
the loader can list them: no value is lost silently. :func:`detect_platform` recognises the
platform from the header rows; :func:`read_spss_export` reads a ``.sav`` file;
:func:`pair_forms` joins the code and text downloads of the same 问卷星 answers.
"""

from __future__ import annotations

import pandas as pd

from cxlab.platforms.common import (
    META_ROLES,
    RECODED_COLUMNS,
    Export,
    ExportBuilder,
    ExportError,
    cell_text,
    header_cells,
)
from cxlab.platforms.qualtrics import import_id, parse_qualtrics
from cxlab.platforms.spss import read_spss_export
from cxlab.platforms.tencent import TENCENT_META, parse_tencent
from cxlab.platforms.wjx import WJX_META, parse_wjx

__all__ = [
    "META_ROLES",
    "PLATFORMS",
    "RECODED_COLUMNS",
    "Export",
    "ExportError",
    "detect_platform",
    "pair_forms",
    "parse_export",
    "read_spss_export",
]

#: Platforms :func:`parse_export` reads (``spss`` through :func:`read_spss_export`).
PLATFORMS = ("wjx", "tencent", "qualtrics", "spss")


def detect_platform(header_rows: list[list[str]]) -> str | None:
    """The platform that wrote a file, from its first rows (as strings), or None.

    Parameters
    ----------
    header_rows : list of list of str
        The first rows of the file (three are enough), every cell as text.

    Returns
    -------
    str or None
        ``"wjx"`` (three or more of 序号, 提交答卷时间, 所用时间, 来源, 来源详情, 来自IP),
        ``"tencent"`` (three or more of 编号, 开始答题时间, 结束答题时间, 答题时长, 地理位置...),
        ``"qualtrics"`` (ResponseId / StartDate+EndDate in row 1 with their texts "Response ID" /
        "Start Date" in row 2, an ImportId row, or the legacy ``V1`` ... header with ResponseID
        below), else None.

    Examples
    --------
    >>> detect_platform([["序号", "提交答卷时间", "所用时间", "1、性别"]])
    'wjx'
    >>> detect_platform([["编号", "开始答题时间", "结束答题时间", "答题时长", "1.性别"]])
    'tencent'
    >>> detect_platform([["StartDate", "EndDate", "ResponseId", "Q1"], ["Start Date"]])
    'qualtrics'
    >>> detect_platform([["id", "q1"]]) is None
    True
    >>> detect_platform([["StartDate", "EndDate", "q1"], ["2024-01-01", "2024-01-02", "5"]]) is None
    True
    """
    rows = [[str(c).strip() for c in r] for r in header_rows]
    first = set(rows[0]) if rows else set()
    if len(first & set(WJX_META)) >= 3:
        return "wjx"
    if len(first & set(TENCENT_META)) >= 3:
        return "tencent"
    second = set(rows[1]) if len(rows) > 1 else set()
    # Qualtrics names in row 1 are not enough (a plain table may have a StartDate column):
    # row 2 must hold Qualtrics' texts for them, or row 3 the ImportIds.
    named = "ResponseId" in first or {"StartDate", "EndDate"} <= first
    if named and second & {"Response ID", "Start Date", "End Date", "Recorded Date"}:
        return "qualtrics"
    if "V1" in first and "ResponseID" in second:
        return "qualtrics"
    if len(rows) > 2 and any(import_id(c) for c in rows[2]):
        return "qualtrics"
    return None


def _drop_blank_columns(raw: pd.DataFrame) -> pd.DataFrame:
    """Drop columns with no header and no data (a CSV line ending in a comma); refuse others."""
    header = header_cells(raw, 0)
    keep = []
    for pos, name in enumerate(header):
        if name:
            keep.append(pos)
        elif raw.iloc[1:, pos].map(cell_text).notna().any():
            raise ExportError(
                f"Column {pos + 1} has answers but no name in the header row. "
                "Give it a name in the file, or delete the column."
            )
    return raw.iloc[:, keep]


def _generic(raw: pd.DataFrame) -> ExportBuilder:
    header = header_cells(raw, 0)
    dup = sorted({n for n in header if header.count(n) > 1})
    if dup:
        raise ExportError(
            f"Column name(s) {dup} appear more than once in the header row. Rename them."
        )
    data = raw.iloc[1:].map(cell_text)
    b = ExportBuilder(pd.RangeIndex(1, len(data) + 1, name="row"))
    for pos, name in enumerate(header):
        b.add(name, data.iloc[:, pos])
    return b


def parse_export(
    raw: pd.DataFrame, *, platform: str | None = None, form: str | None = None
) -> Export:
    """Read a survey-platform export from its raw cells.

    Parameters
    ----------
    raw : pandas.DataFrame
        The whole file read with ``header=None, dtype=str`` (header rows included).
    platform : {"wjx", "tencent", "qualtrics"}, optional
        The platform; found by :func:`detect_platform` when None. A file no platform claims is
        read as a plain table with one header row (``platform=None``, names kept).
    form : {"code", "text"}, optional
        For 问卷星 and 腾讯问卷: answers as option numbers or option text; guessed when None.

    Returns
    -------
    Export
        See :class:`Export`; ``df`` has one row per data row of the file, indexed from 1.

    Raises
    ------
    ExportError
        An empty file, an unknown platform, a nameless column with answers, a duplicate name.

    Examples
    --------
    >>> raw = pd.DataFrame([["序号", "提交答卷时间", "所用时间", "1、您对本次服务的总体满意度：",
    ...                      "第2题(微信)", "第2题(微博)"],
    ...                     ["1", "2024/3/5 10:00:00", "125秒", "5", "1", "0"],
    ...                     ["2", "2024/3/6 11:00:00", "98秒", "-3", "-2", "-2"]])
    >>> e = parse_export(raw)
    >>> e.platform, e.form, list(e.df.columns)
    ('wjx', 'code', ['序号', '提交答卷时间', '所用时间', 'Q1', 'Q2_1', 'Q2_2'])
    >>> e.meta["duration"], e.df["所用时间"].tolist(), e.sets
    ('所用时间', [125.0, 98.0], {'Q2': ['Q2_1', 'Q2_2']})
    >>> e.recoded[["row", "column", "reason"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [[2, 'Q1', 'skipped (wjx -3)'], [2, 'Q2_1', 'not shown (wjx -2)'],
     [2, 'Q2_2', 'not shown (wjx -2)']]
    """
    if raw.empty or raw.shape[0] < 1:
        raise ExportError("The file is empty: it needs a header row and at least one data row.")
    raw = raw.astype(object).where(raw.notna(), None)
    raw = _drop_blank_columns(raw)
    rows = [header_cells(raw, i) for i in range(min(3, len(raw)))]
    platform = platform or detect_platform(rows)
    if platform == "wjx":
        b, form = parse_wjx(raw, form=form)
    elif platform == "tencent":
        b, form = parse_tencent(raw, form=form)
    elif platform == "qualtrics":
        b, form = parse_qualtrics(raw)
    elif platform is None:
        b, form = _generic(raw), None
    elif platform == "spss":
        raise ExportError("SPSS files are read from their path: use read_spss_export(path).")
    else:
        raise ExportError(f"Unknown platform {platform!r}; use one of {PLATFORMS} or None.")
    return b.export(platform, form)


def pair_forms(code: Export, text: Export) -> Export:
    """Join the code and text downloads of the same answers (问卷星 按序号 + 按文本).

    Either download can be read alone; together, the code form gains the answer texts
    (``value_labels``, learnt from the cells the two files share) and the question texts the
    text form has and the code form lacks.

    Parameters
    ----------
    code, text : Export
        The two downloads, read by :func:`parse_export` (same respondents, same order).

    Returns
    -------
    Export
        The code form, with ``value_labels`` for every column whose codes map one-to-one to texts.

    Examples
    --------
    >>> h = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的性别："]
    >>> c = parse_export(pd.DataFrame([h, ["1", "", "", "", "", "", "2"],
    ...                                   ["2", "", "", "", "", "", "1"]]))
    >>> t = parse_export(pd.DataFrame([h, ["1", "", "", "", "", "", "女"],
    ...                                   ["2", "", "", "", "", "", "男"]]))
    >>> pair_forms(c, t).value_labels
    {'Q1': {1.0: '男', 2.0: '女'}}
    """
    if code.form != "code" or text.form != "text" or len(code.df) != len(text.df):
        raise ExportError(
            f"pair_forms needs a code-form and a text-form export of the same {len(code.df)} "
            f"responses; got forms {code.form!r} and {text.form!r} with {len(code.df)} and "
            f"{len(text.df)} rows."
        )
    value_labels = dict(code.value_labels)
    meta = set(code.meta.values())
    for col in code.df.columns.intersection(text.df.columns):
        c, t = code.df[col], text.df[col]
        if col in meta or not pd.api.types.is_numeric_dtype(c) or pd.api.types.is_numeric_dtype(t):
            continue
        pairs = pd.DataFrame({"c": c, "t": t}).dropna().drop_duplicates()
        if len(pairs) and pairs["c"].is_unique and pairs["t"].is_unique:
            value_labels[col] = dict(sorted(zip(pairs["c"], pairs["t"], strict=True)))
    labels = {**code.labels, **{k: v for k, v in text.labels.items() if k in code.df}}
    return Export(
        df=code.df,
        platform=code.platform,
        form=code.form,
        labels=labels,
        value_labels=value_labels,
        meta=code.meta,
        grids=code.grids,
        sets=code.sets,
        rankings=code.rankings,
        recoded=code.recoded,
    )

"""Presentation of tidy results in notebooks: labels a reader understands, rounded numbers.

Analysis functions return snake_case columns, codes and unrounded numbers; this module turns
them into what a report shows, in the report language (``lang="zh"``, the default, or
``"en"``). Every word comes from the message catalogue (:mod:`cxlab.messages`):

- a column header ``col`` shows ``heading.<col>`` (else the codebook label, else the name);
- a value ``v`` of a column ``col`` shows ``<col>.<v>`` when the catalogue has that key
  (``kpi.nps``, ``quadrant.concentrate here``, ``name.overall``), else ``by.<v>`` (codes
  that may stand in any group column, such as ``unmatched``), else the value itself;
- values of ``item``, ``driver`` and ``outcome`` show as codebook labels.

Small bases (issue 16): given ``min_base``, :func:`table` shows every row (a group, unit or
cell) whose base is under it with its labels and base only, each statistic replaced by the
marker "n < 30" (:func:`suppress_small`); charts leave such groups out and say so in a note
under the chart (:func:`leave_out_small`). Analysis functions keep returning every number:
suppression is presentation, applied once here. Report pages reach it through
:meth:`cxlab.notebook.ReportContext.table`, which passes the page's ``min_base``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.codebook import Codebook
from cxlab.markup import escape_markdown
from cxlab.messages import check_lang, has, msg

__all__ = [
    "LeftOut",
    "column_label",
    "kpi_table",
    "leave_out_small",
    "load_summary",
    "say",
    "small_cells",
    "suppress_small",
    "table",
    "translate_codes",
]


#: Columns whose values are survey columns, shown as their codebook labels.
LABELLED_COLUMNS = ("item", "driver", "outcome")
#: p-value columns, shown with three significant digits.
P_COLUMNS = ("p", "p_adj", "p_change", "penalty_p", "reward_p", "f_p")
#: Count columns, shown as whole numbers with thousands separators.
COUNT_COLUMNS = ("n", "n_used", "count", "n_eff")


def say(lang: str, zh: str, en: str) -> str:
    """The text in the report language; for notebook cells only (the package uses the catalogue).

    Parameters
    ----------
    lang : {"zh", "en"}
    zh, en : str
        The text in each language.

    Returns
    -------
    str

    Examples
    --------
    >>> say("en", "样本", "Base")
    'Base'
    """
    check_lang(lang)
    return en if lang == "en" else zh


def column_label(column: str, codebook: Codebook | None, *, lang: str = "zh") -> str:
    """What a reader sees as a column header.

    Parameters
    ----------
    column : str
        A result column (``"n"``, ``"ci_low"``...) or a survey column.
    codebook : cxlab.codebook.Codebook or None
        Labels survey columns (None: no survey labels).
    lang : {"zh", "en"}

    Returns
    -------
    str
        The catalogue's ``heading.<column>``, else the codebook label, else ``column``.

    Examples
    --------
    >>> column_label("n", None, lang="en"), column_label("ci_low", None), column_label("region", None)
    ('Base', '置信区间下限', 'region')
    """
    if has(f"heading.{column}"):
        return msg(f"heading.{column}", lang)
    return codebook.label(column, lang=lang) if codebook is not None else column


def translate_codes(values: pd.Series, column: str, *, lang: str = "zh") -> pd.Series:
    """The values of a result column in words, where the catalogue knows them.

    Parameters
    ----------
    values : pandas.Series
        A column of a result table.
    column : str
        Its name: a value ``v`` shows the catalogue's ``<column>.<v>``, else ``by.<v>``,
        else stays as it is.
    lang : {"zh", "en"}

    Returns
    -------
    pandas.Series
        Same index; only string values that have a key are replaced.

    Examples
    --------
    >>> translate_codes(pd.Series(["concentrate here", "other"]), "quadrant", lang="en").tolist()
    ['Concentrate here', 'other']
    >>> translate_codes(pd.Series(["row dropped", 3]), "action").tolist()
    ['剔除该行', 3]
    """
    check_lang(lang)
    words = {}
    for v in {v for v in values if isinstance(v, str)}:
        for key in (f"{column}.{v}", f"by.{v}"):
            if has(key):
                words[v] = msg(key, lang)
                break
    if not words:
        return values
    return values.map(lambda v: words.get(v, v) if isinstance(v, str) else v)


def table(
    table: pd.DataFrame,
    codebook: Codebook | None,
    *,
    lang: str = "zh",
    digits: int = 1,
    rename: Mapping[str, str] | None = None,
    values: Mapping[str, Mapping] | None = None,
    min_base: int | None = None,
    base=None,
    keep: Sequence[str] = (),
    cells: Mapping[str, object] | None = None,
):
    """A result table ready to show: words for codes, labelled headers, rounded numbers, no index.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of an analysis function.
    codebook : cxlab.codebook.Codebook or None
        Labels survey columns (None: none), in the headers and in ``item``, ``driver`` and ``outcome``.
    lang : {"zh", "en"}
    digits : int
        Decimals of the numbers (counts are whole, p values three significant digits).
    rename : mapping, optional
        Column -> header, in place of the catalogue's.
    values : mapping, optional
        Column -> {value: label}, applied before any other translation
        (``{"name": {"rel1": "按承诺时间提供服务"}}``).
    min_base : int, optional
        Rows (and ``cells``) whose base is under it show the marker "n < ``min_base``" in place
        of every statistic (:func:`suppress_small`); None: no suppression.
    base, keep, cells
        What the base of a row and of a cell is, as for :func:`small_cells`.

    Returns
    -------
    pandas.io.formats.style.Styler
        The table; ``.data`` holds the translated frame. Columns ``method`` and ``note`` are
        dropped when they say nothing (one method, no notes), and ``n_used`` when it equals
        ``n`` (no respondent with weight 0); lists are joined; durations show
        as H:MM:SS; True shows as "yes", False as blank; missing text as "(missing)".

    Examples
    --------
    >>> t = pd.DataFrame({"quadrant": ["concentrate here"], "n": [12], "p": [0.01234]})
    >>> table(t, None, lang="en").data.to_dict("list")
    {'Quadrant': ['Concentrate here'], 'Base': [12], 'p': [0.01234]}
    >>> g = pd.DataFrame({"region": ["N", "S"], "n": [40, 3], "value": [12.5, 80.0]})
    >>> table(g, None, lang="en", min_base=30).data.to_dict("list")
    {'region': ['N', 'S'], 'Base': [40, 3], 'Value': [12.5, 'n < 30']}
    """
    small = None
    if min_base is not None:
        small = (small_cells(table, min_base=min_base, base=base, keep=keep, cells=cells), min_base)
    return _render(
        table, codebook, lang=lang, digits=digits, rename=rename, values=values, small=small
    )


def _render(result, codebook, *, lang, digits, rename=None, values=None, small=None):
    """The steps of :func:`table`: drop, translate, format, hide small bases, label, style."""
    check_lang(lang)
    df = _drop_silent_columns(result)
    df = _translate_values(df, codebook, lang=lang, values=values)
    df = _format_cells(df, lang=lang)
    hidden = None
    if small is not None:
        mask, min_base = small
        hidden = mask[df.columns]
        df = _mark(df, hidden, msg("small_base.marker", lang, min_base=min_base))
    names = {c: (rename or {}).get(c, column_label(c, codebook, lang=lang)) for c in df.columns}
    styler = _style(df.rename(columns=names), names, digits)
    data = styler.data
    if hidden is not None and hidden.to_numpy().any() and data.columns.is_unique:
        # The page styles these cells (grey, kept on one line): see the report template.
        classes = np.where(hidden.to_numpy(), "cx-small", "")
        styler = styler.set_td_classes(
            pd.DataFrame(classes, index=data.index, columns=data.columns)
        )
    return styler


def _drop_silent_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Without ``method`` when it holds one value, ``note`` when it is empty, and the bases used
    (``n_used``, ``<side>_n_used``) when they equal the bases (no respondent with weight 0)."""
    drop = [
        used
        for used in df.columns
        if str(used).endswith("n_used")
        and (base := str(used)[: -len("_used")]) in df
        and df[used].equals(df[base].astype(df[used].dtype))
    ]
    if "method" in df and df["method"].nunique(dropna=True) <= 1:
        drop.append("method")
    if "note" in df and df["note"].nunique(dropna=True) <= 1 and not df["note"].astype(bool).any():
        drop.append("note")
    return df.drop(columns=drop)


def _translate_values(
    df: pd.DataFrame, codebook: Codebook | None, *, lang: str, values: Mapping | None
) -> pd.DataFrame:
    """Explicit ``values`` maps first, then codebook labels, then the catalogue's codes."""
    given = values or {}
    new = {}
    for j, (col, s) in enumerate(df.items()):
        if col in given:
            new[j] = s.map(lambda v, m=given[col]: m.get(v, v))
        elif codebook is not None and col in LABELLED_COLUMNS:
            new[j] = s.map(lambda c: codebook.label(c, lang=lang))
        elif _is_text(s):
            new[j] = translate_codes(s, col, lang=lang)
    return _with_columns(df, new)


def _with_columns(df: pd.DataFrame, new: Mapping[int, pd.Series]) -> pd.DataFrame:
    """A copy of ``df`` with the columns at the positions of ``new`` replaced."""
    out = df.copy()
    for j, s in new.items():
        out.isetitem(j, s)
    return out


def _is_text(s: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)


def _format_cells(df: pd.DataFrame, *, lang: str) -> pd.DataFrame:
    """Lists joined, durations as H:MM:SS, booleans as yes/blank, missing text named."""
    yes, missing, sep = (
        msg(k, lang) for k in ("present.yes", "present.missing", "present.list_sep")
    )
    new = {}
    for j, (_, column) in enumerate(df.items()):
        s = column
        if s.dtype == object and s.map(lambda v: isinstance(v, list)).any():  # lists: object only
            s = s.map(lambda v: sep.join(map(str, v)) if isinstance(v, list) else v)
        if pd.api.types.is_timedelta64_dtype(s.dtype):
            s = s.map(lambda td: _duration(td, lang=lang))
        elif s.dtype == bool:
            s = s.map({True: yes, False: ""})
        elif _is_text(s) and s.isna().any():
            s = s.where(s.notna(), missing)
        if s is not column:
            new[j] = s
    return _with_columns(df, new) if new else df


def _style(df: pd.DataFrame, names: Mapping[str, str], digits: int):
    counts = [names[c] for c in COUNT_COLUMNS if c in names]
    pvalues = [names[c] for c in P_COLUMNS if c in names]
    # Styler escapes neither cell text nor headers by itself; comments, labels and group values
    # may hold markup.
    styler = df.style.hide(axis="index").format(precision=digits, na_rep="—", escape="html")
    styler = styler.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    if counts:
        styler = styler.format("{:,.0f}", subset=counts)
    if pvalues:
        styler = styler.format(_p_text, subset=pvalues, na_rep="—")
    return styler


def _p_text(v) -> str:
    """A p value with three significant digits; text (the small-base marker) as it is."""
    return v if isinstance(v, str) else f"{v:.3g}"


def _duration(td, *, lang: str) -> str:
    """A duration as H:MM:SS (days added in front when there are any)."""
    if pd.isna(td):
        return "—"
    secs = int(round(td.total_seconds()))
    days, secs = divmod(secs, 86400)
    h, rest = divmod(secs, 3600)
    m, s = divmod(rest, 60)
    return (msg("present.days", lang, days=days) if days else "") + f"{h}:{m:02d}:{s:02d}"


# -- small bases -----------------------------------------------------------------------------
#: Columns that describe a row's base rather than estimate anything: never hidden.
BASE_COLUMNS = (*COUNT_COLUMNS, "low_base")


def _is_base_column(name) -> bool:
    """``n``, ``n_used``, ``n_eff``, ``count``, ``n_<side>``, ``<side>_n``, ``<side>_n_used``."""
    name = str(name)
    return name in BASE_COLUMNS or name.startswith("n_") or name.endswith(("_n", "_n_used"))


def _label_columns(table: pd.DataFrame) -> list[str]:
    """The leading columns that name a row: those before the first float or boolean column
    (group values, codes, and the whole-number bases beside them)."""
    out = []
    for col in table.columns:
        kind = table[col].dtype
        if pd.api.types.is_float_dtype(kind) or pd.api.types.is_bool_dtype(kind):
            break
        out.append(col)
    return out


def _bases(table: pd.DataFrame, base) -> np.ndarray | None:
    """The base of each row: a column, per-row values, or None (no row base)."""
    if base is None:
        base = next((c for c in ("n_used", "n") if c in table), False)
    if base is False:
        return None
    if isinstance(base, str):
        if base not in table:
            raise ValueError(f"`base` names column `{base}`, which the table does not have.")
        values = table[base]
    else:
        values = pd.Series(list(base), dtype="float64")
        if len(values) != len(table):
            raise ValueError(f"`base` has {len(values)} values for a table of {len(table)} rows.")
    return pd.to_numeric(pd.Series(values).reset_index(drop=True), errors="coerce").to_numpy(float)


def small_cells(
    table: pd.DataFrame,
    *,
    min_base: int,
    base=None,
    keep: Sequence[str] = (),
    cells: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """Which cells of a result table hold a statistic of a base under ``min_base``.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of an analysis function, one row per group, unit or cell.
    min_base : int
        Fewest respondents a statistic may rest on.
    base : str, sequence, False or None
        The base of each row: a column name, or one value per row (e.g. a segment's base
        repeated on each of its rows); None: ``n_used`` when the table has it, else ``n``, else
        no row base; False: no row base.
    keep : sequence of str
        Further columns never hidden (beyond the labels and bases).
    cells : mapping, optional
        Column -> its own base (a column name or one value per row), for statistics resting on
        part of a row (the low side of a penalty-reward row: ``{"penalty": "n_low"}``). These
        columns are judged by their own base only.

    Returns
    -------
    pandas.DataFrame of bool
        Same shape and columns as ``table`` (a fresh index); True where the cell is a
        statistic whose base is under ``min_base``.

    Notes
    -----
    Labels are the leading columns before the first float or boolean one (group values,
    codes and the bases beside them); bases are ``n``, ``n_used``, ``n_eff``, ``count``,
    ``low_base`` and columns named ``n_*``, ``*_n`` or ``*_n_used``. Every other column is a
    statistic. A missing base counts as 0: nothing is shown whose base is unknown.

    Examples
    --------
    >>> t = pd.DataFrame({"g": ["a", "b"], "n": [50, 4], "value": [1.5, 9.0], "p": [0.2, 0.01]})
    >>> small_cells(t, min_base=30).to_dict("list")
    {'g': [False, False], 'n': [False, False], 'value': [False, True], 'p': [False, True]}
    """
    if min_base is None or min_base < 0:
        raise ValueError(f"`min_base` should be a number >= 0, not {min_base!r}.")
    cells = dict(cells or {})
    mask = np.zeros((len(table), len(table.columns)), dtype=bool)
    rows = _bases(table, base)
    kept = set(_label_columns(table)) | set(keep)
    kept |= {c for c in table.columns if _is_base_column(c)}
    kept |= {b for b in [base, *cells.values()] if isinstance(b, str)}
    if rows is not None:
        small = ~(np.nan_to_num(rows, nan=0.0) >= min_base)
        for j, col in enumerate(table.columns):
            if col not in kept and col not in cells:
                mask[:, j] = small
    for col, cell_base in cells.items():
        if col in table:
            own = ~(np.nan_to_num(_bases(table, cell_base), nan=0.0) >= min_base)
            mask[:, table.columns == col] = own[:, None]
    return pd.DataFrame(mask, columns=table.columns)


def _mark(df: pd.DataFrame, mask: pd.DataFrame, marker: str) -> pd.DataFrame:
    """``df`` with ``marker`` in every masked cell (the masked columns become text columns)."""
    hide = mask.to_numpy()
    new = {}
    for j, (_, s) in enumerate(df.items()):
        if hide[:, j].any():
            values = s.astype(object).to_numpy(copy=True)
            values[hide[:, j]] = marker
            new[j] = pd.Series(values, index=df.index, dtype=object)
    return _with_columns(df, new)


def suppress_small(
    table: pd.DataFrame,
    *,
    min_base: int,
    lang: str = "zh",
    base=None,
    keep: Sequence[str] = (),
    cells: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """A result table with the statistics of every row or cell under ``min_base`` replaced by
    the marker "n < ``min_base``": the rule of issue 16 for shared pages.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of an analysis function.
    min_base : int
    lang : {"zh", "en"}
        Language of the marker (message ``small_base.marker``).
    base, keep, cells
        As for :func:`small_cells`.

    Returns
    -------
    pandas.DataFrame
        The same rows, columns and index; labels and bases unchanged; a hidden statistic's
        column holds text (the marker) and the other rows' numbers unchanged.

    Examples
    --------
    >>> t = pd.DataFrame({"g": ["a", "b"], "n": [50, 4], "value": [1.5, 9.0]})
    >>> suppress_small(t, min_base=30, lang="en").to_dict("list")
    {'g': ['a', 'b'], 'n': [50, 4], 'value': [1.5, 'n < 30']}
    """
    check_lang(lang)
    mask = small_cells(table, min_base=min_base, base=base, keep=keep, cells=cells)
    mask.index = table.index
    return _mark(table, mask, msg("small_base.marker", lang, min_base=min_base))


@dataclass(frozen=True)
class LeftOut:
    """The rows of a chart's table with a base of at least ``min_base``, and the note saying
    which groups were left out.

    Attributes
    ----------
    table : pandas.DataFrame
        The rows kept (index as in the input).
    groups : list
        The values of ``by`` left out, in table order.
    note : str or None
        Markdown for under the chart ("n < 30 的群组未显示：华南"), None when none was left out.
    """

    table: pd.DataFrame
    groups: list
    note: str | None


def leave_out_small(
    table: pd.DataFrame,
    by: str,
    *,
    min_base: int,
    lang: str = "zh",
    base=None,
    labels: Mapping | None = None,
) -> LeftOut:
    """The rows a chart may draw: groups under ``min_base`` left out, and named in a note.

    Parameters
    ----------
    table : pandas.DataFrame
        A result table with one row per group (or several rows per group with the same base).
    by : str
        The column naming the group (its values appear in the note).
    min_base : int
    lang : {"zh", "en"}
    base : str, sequence or None
        The base of each row, as for :func:`small_cells` (None: ``n_used``, else ``n``).
    labels : mapping, optional
        Group value -> the name the note shows.

    Returns
    -------
    LeftOut

    Examples
    --------
    >>> t = pd.DataFrame({"region": ["华东", "华南"], "n": [300, 8], "value": [31.0, 75.0]})
    >>> out = leave_out_small(t, "region", min_base=30)
    >>> out.table["region"].tolist(), out.note
    (['华东'], '*n < 30 的群组未显示：华南*')
    """
    check_lang(lang)
    bases = _bases(table, base)
    if bases is None:
        raise ValueError("`base`: the table has no `n_used` or `n` column; name its base.")
    small = ~(np.nan_to_num(bases, nan=0.0) >= min_base)
    groups = list(dict.fromkeys(table.loc[small, by].tolist()))
    if not groups:
        return LeftOut(table, [], None)
    sep = msg("small_base.sep", lang)
    names = sep.join(escape_markdown(str((labels or {}).get(g, g))) for g in groups)
    note = msg("small_base.left_out", lang, min_base=min_base, groups=names)
    return LeftOut(table.loc[~small], groups, note)


def kpi_table(
    table: pd.DataFrame,
    codebook: Codebook,
    *,
    lang: str = "zh",
    digits: int = 1,
    min_base: int | None = None,
):
    """The headline KPIs of :func:`cxlab.survey.kpis`, each named after its codebook item.

    Parameters
    ----------
    table : pandas.DataFrame
        With ``kpi`` (a code: ``nps``, ``csat``, ``mean``, ``ces``, ``ces_easy``) and ``item``;
        every other column is shown as :func:`table` shows it (``unit`` and ``label`` are
        dropped).
    codebook : cxlab.codebook.Codebook
        Gives the item labels.
    lang : {"zh", "en"}
    digits : int
    min_base : int, optional
        A KPI whose base (``n_used``, else ``n``) is under it shows "n < ``min_base``".

    Returns
    -------
    pandas.io.formats.style.Styler
        ``kpi`` reads e.g. "总体满意度（前两档 %）" (catalogue key ``kpi_of.<kpi>``).

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> book = Codebook.from_dict({"id": "id", "items": {"sat": {"label": "Overall",
    ...                            "type": "scale", "min": 1, "max": 5}}})
    >>> k = pd.DataFrame({"kpi": ["csat"], "item": ["sat"], "value": [71.0], "unit": ["%"]})
    >>> kpi_table(k, book, lang="en").data.to_dict("list")
    {'KPI': ['Overall (top-2 box %)'], 'Value': [71.0]}
    """
    check_lang(lang)
    df = table.copy()
    df["kpi"] = [
        msg(f"kpi_of.{k}", lang, item=codebook.label(i, lang=lang)) if has(f"kpi_of.{k}") else k
        for k, i in zip(df["kpi"], df["item"], strict=True)
    ]
    shown = df.drop(columns=[c for c in ("item", "unit", "label") if c in df])
    small = None if min_base is None else (small_cells(shown, min_base=min_base), min_base)
    return _render(shown, codebook, lang=lang, digits=digits, small=small)


def load_summary(survey, *, lang: str = "zh") -> str:
    """One Markdown paragraph on what was read, kept and set aside (nothing lost silently).

    Parameters
    ----------
    survey : cxlab.io.Survey
        A loaded survey (its ``exclusions``, ``n_read``, ``data`` and ``source``).
    lang : {"zh", "en"}

    Returns
    -------
    str
        Markdown (the file name escaped).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from pathlib import Path
    >>> s = SimpleNamespace(exclusions=pd.DataFrame({"action": ["row dropped"]}), n_read=3,
    ...                     data=pd.DataFrame({"a": [1, 2]}), source=Path("survey.csv"))
    >>> load_summary(s, lang="en").split(";")[1]
    ' kept **2**, dropped **1** rows and set **0** invalid answers to missing (listed below with the reason).'
    """
    ex = survey.exclusions
    fields = {
        "name": escape_markdown(survey.source.name if survey.source else "data"),
        "read": survey.n_read,
        "kept": len(survey.data),
        "dropped": int((ex["action"] == "row dropped").sum()),
        "cells": int((ex["action"] == "set to missing").sum()),
    }
    return msg("present.load_summary" if len(ex) else "present.load_summary_clean", lang, **fields)

"""Presentation of tidy results in notebooks: labels a reader understands, rounded numbers.

Analysis functions return snake_case columns, codes and unrounded numbers; this module turns
them into what a report shows, in the report language (``lang="zh"``, the default, or
``"en"``). Every word comes from the message catalogue (:mod:`cxlab.messages`):

- a column header ``col`` shows ``heading.<col>`` (else the codebook label, else the name);
- a value ``v`` of a column ``col`` shows ``<col>.<v>`` when the catalogue has that key
  (``kpi.nps``, ``quadrant.concentrate here``, ``name.overall``), else ``by.<v>`` (codes
  that may stand in any group column, such as ``unmatched``), else the value itself;
- values of ``item``, ``driver`` and ``outcome`` show as codebook labels.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cxlab.codebook import Codebook
from cxlab.markup import escape_markdown
from cxlab.messages import check_lang, has, msg

__all__ = [
    "column_label",
    "kpi_table",
    "load_summary",
    "say",
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
    """
    return _render(table, codebook, lang=lang, digits=digits, rename=rename, values=values)


def _render(result, codebook, *, lang, digits, rename=None, values=None):
    """The steps of :func:`table`: drop, translate, format, label, style."""
    check_lang(lang)
    df = _drop_silent_columns(result)
    df = _translate_values(df, codebook, lang=lang, values=values)
    df = _format_cells(df, lang=lang)
    names = {c: (rename or {}).get(c, column_label(c, codebook, lang=lang)) for c in df.columns}
    return _style(df.rename(columns=names), names, digits)


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
    df = df.copy()
    given = values or {}
    for col in df.columns:
        if col in given:
            df[col] = df[col].map(lambda v, m=given[col]: m.get(v, v))
        elif codebook is not None and col in LABELLED_COLUMNS:
            df[col] = df[col].map(lambda c: codebook.label(c, lang=lang))
        elif _is_text(df[col]):
            df[col] = translate_codes(df[col], col, lang=lang)
    return df


def _is_text(s: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)


def _format_cells(df: pd.DataFrame, *, lang: str) -> pd.DataFrame:
    """Lists joined, durations as H:MM:SS, booleans as yes/blank, missing text named."""
    yes, missing, sep = (
        msg(k, lang) for k in ("present.yes", "present.missing", "present.list_sep")
    )
    for col in df.columns:
        if df[col].map(lambda v: isinstance(v, list)).any():
            df[col] = df[col].map(lambda v: sep.join(map(str, v)) if isinstance(v, list) else v)
        if pd.api.types.is_timedelta64_dtype(df[col]):
            df[col] = df[col].map(lambda td: _duration(td, lang=lang))
        elif df[col].dtype == bool:
            df[col] = df[col].map({True: yes, False: ""})
        elif _is_text(df[col]):
            df[col] = df[col].where(df[col].notna(), missing)
    return df


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
        styler = styler.format("{:.3g}", subset=pvalues, na_rep="—")
    return styler


def _duration(td, *, lang: str) -> str:
    """A duration as H:MM:SS (days added in front when there are any)."""
    if pd.isna(td):
        return "—"
    secs = int(round(td.total_seconds()))
    days, secs = divmod(secs, 86400)
    h, rest = divmod(secs, 3600)
    m, s = divmod(rest, 60)
    return (msg("present.days", lang, days=days) if days else "") + f"{h}:{m:02d}:{s:02d}"


def kpi_table(table: pd.DataFrame, codebook: Codebook, *, lang: str = "zh", digits: int = 1):
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
    return _render(shown, codebook, lang=lang, digits=digits)


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

"""Presentation of tidy results in notebooks: labels a reader understands, rounded numbers.

Analysis functions return snake_case columns and unrounded numbers; this module
turns them into what a report shows (Chinese by default, English with
``lang="en"``), using codebook labels for survey columns.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cxlab.codebook import Codebook

__all__ = ["COLUMN_LABELS", "column_label", "load_summary", "table"]

COLUMN_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "n": "样本量",
        "n_eff": "有效样本量",
        "percent": "占比%",
        "weighted_percent": "加权占比%",
        "promoters": "推荐者%",
        "passives": "中立者%",
        "detractors": "贬损者%",
        "nps": "NPS",
        "mean": "均值",
        "sd": "标准差",
        "se": "标准误",
        "share": "占比%",
        "ci_low": "置信区间下限",
        "ci_high": "置信区间上限",
        "easy": "省力占比%",
        "easy_ci_low": "省力占比下限",
        "easy_ci_high": "省力占比上限",
        "box": "计入选项",
        "method": "方法",
        "note": "备注",
        "column": "字段",
        "reason": "原因",
        "action": "处理",
        "count": "条数",
        "rows": "行号（前 5 个）",
        "comment": "意见原文（已脱敏）",
        "label": "指标",
        "value": "数值",
        "letter": "列标",
        "higher_than": "显著高于",
        "low_base": "样本不足",
        "alpha": "Cronbach α",
        "scale": "量表",
        "k": "题数",
        "item": "题目",
        "r_drop": "校正题总相关",
        "alpha_if_deleted": "删除该题后 α",
        "wave": "波次",
        "change": "变化",
        "p_change": "变化 p 值",
        "change_se": "变化标准误",
        "p": "p 值",
        "p_adj": "校正后 p 值",
        "significant": "显著",
    },
    "en": {
        "n": "Base",
        "n_eff": "Effective base",
        "percent": "%",
        "weighted_percent": "Weighted %",
        "promoters": "Promoters %",
        "passives": "Passives %",
        "detractors": "Detractors %",
        "nps": "NPS",
        "mean": "Mean",
        "sd": "SD",
        "se": "SE",
        "share": "Share %",
        "ci_low": "CI low",
        "ci_high": "CI high",
        "easy": "Easy %",
        "easy_ci_low": "Easy % CI low",
        "easy_ci_high": "Easy % CI high",
        "box": "Answers counted",
        "method": "Method",
        "note": "Note",
        "column": "Column",
        "reason": "Reason",
        "action": "Action",
        "count": "Count",
        "rows": "Rows (first 5)",
        "comment": "Comment (redacted)",
        "label": "Measure",
        "value": "Value",
        "letter": "Column",
        "higher_than": "Significantly above",
        "low_base": "Low base",
        "alpha": "Cronbach's alpha",
        "scale": "Scale",
        "k": "Items",
        "item": "Item",
        "r_drop": "Corrected item-total r",
        "alpha_if_deleted": "Alpha if deleted",
        "wave": "Wave",
        "change": "Change",
        "p_change": "p (change)",
        "change_se": "SE (change)",
        "p": "p",
        "p_adj": "Adjusted p",
        "significant": "Significant",
    },
}


def column_label(column: str, codebook: Codebook | None = None, lang: str = "zh") -> str:
    """What a reader sees for a column: a result label, else the codebook label, else the name."""
    labels = COLUMN_LABELS.get(lang, COLUMN_LABELS["zh"])
    if column in labels:
        return labels[column]
    return codebook.label(column) if codebook is not None else column


def table(
    result: pd.DataFrame,
    codebook: Codebook | None = None,
    *,
    lang: str = "zh",
    digits: int = 1,
    rename: Mapping[str, str] | None = None,
):
    """A result table ready to show: labelled headers, rounded numbers, no index.

    Columns ``method`` and ``note`` are dropped when they say nothing (one
    method, no notes). Returns a pandas ``Styler``.
    """
    df = result.copy()
    for col in ("method", "note"):
        if (
            col in df
            and (df[col].nunique(dropna=True) <= 1)
            and (col != "note" or not df[col].astype(bool).any())
        ):
            df = df.drop(columns=col)
    if codebook is not None and "item" in df:
        df["item"] = df["item"].map(codebook.label)
    yes = "是" if lang == "zh" else "yes"
    for col in df.columns:
        if df[col].dtype == bool:
            df[col] = df[col].map({True: yes, False: ""})
        elif df[col].dtype == object:
            df[col] = df[col].where(df[col].notna(), "（缺失）" if lang == "zh" else "(missing)")
    names = {c: (rename or {}).get(c, column_label(c, codebook, lang)) for c in df.columns}
    df = df.rename(columns=names)
    counts = [names[c] for c in ("n", "count") if c in names]
    pvalues = [names[c] for c in ("p", "p_adj", "p_change") if c in names]
    # Styler does not escape cell text by itself; comments may hold markup.
    styler = df.style.hide(axis="index").format(precision=digits, na_rep="—", escape="html")
    if counts:
        styler = styler.format("{:,.0f}", subset=counts)
    if pvalues:
        styler = styler.format("{:.3g}", subset=pvalues, na_rep="—")
    return styler


def load_summary(survey, lang: str = "zh") -> str:
    """One Markdown paragraph on what was read, kept and set aside (nothing lost silently)."""
    ex = survey.exclusions
    dropped = int((ex["action"] == "row dropped").sum())
    cells = int((ex["action"] == "set to missing").sum())
    name = survey.source.name if survey.source else "data"
    if lang == "en":
        return (
            f"Read **{survey.n_read:,}** records from `{name}`; kept **{len(survey.data):,}**, "
            f"dropped **{dropped:,}** rows and set **{cells:,}** invalid answers to missing "
            "(listed below with the reason)."
            if len(ex)
            else f"Read **{survey.n_read:,}** records from `{name}`; all kept, no invalid answers."
        )
    if len(ex):
        return (
            f"从 `{name}` 读取 **{survey.n_read:,}** 条记录，保留 **{len(survey.data):,}** 条；"
            f"剔除 **{dropped:,}** 行，另有 **{cells:,}** 个无效答案按缺失处理（原因见下表）。"
        )
    return f"从 `{name}` 读取 **{survey.n_read:,}** 条记录，全部保留，没有无效答案。"

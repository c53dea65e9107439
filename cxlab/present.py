"""Presentation of tidy results in notebooks: labels a reader understands, rounded numbers.

Analysis functions return snake_case columns and unrounded numbers; this module
turns them into what a report shows (Chinese by default, English with
``lang="en"``), using codebook labels for survey columns.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cxlab.codebook import Codebook

__all__ = ["COLUMN_LABELS", "column_label", "load_summary", "say", "table"]

LANGUAGES = ("zh", "en")


def say(lang: str, zh: str, en: str) -> str:
    """The text in the report language (``"zh"``, the default of every report, or ``"en"``)."""
    if lang not in LANGUAGES:
        raise ValueError(f"`lang` should be one of {LANGUAGES}, not {lang!r}.")
    return en if lang == "en" else zh


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
        "driver": "驱动因素",
        "importance": "重要性",
        "rank": "排名",
        "coef": "系数",
        "std_coef": "标准化系数",
        "t": "t 值",
        "vif": "VIF",
        "performance": "表现",
        "quadrant": "象限",
        "priority": "优先顺序",
        "n_low": "低分人数",
        "n_high": "高分人数",
        "penalty": "低分惩罚",
        "penalty_p": "惩罚 p 值",
        "reward": "高分奖励",
        "reward_p": "奖励 p 值",
        "asymmetry": "不对称度",
        "type": "类型",
        "model": "模型",
        "odds_ratio": "优势比",
        "or_ci_low": "优势比下限",
        "or_ci_high": "优势比上限",
        "r2": "R²",
        "adj_r2": "调整 R²",
        "f": "F 值",
        "f_p": "F 检验 p 值",
        "outcome": "结果变量",
        "n_excluded": "剔除（缺失）",
        "rank_ci_low": "排名下限",
        "rank_ci_high": "排名上限",
        "change_ci_low": "变化下限",
        "change_ci_high": "变化上限",
        "change_significant": "变化显著",
        "rank_change": "排名变化",
        "rank_change_ci_low": "排名变化下限",
        "rank_change_ci_high": "排名变化上限",
        "rank_significant": "排名变化显著",
        "level": "层级",
        "name": "名称",
        "expectation": "期望",
        "perception": "感知",
        "gap": "差距",
        "attribute": "属性",
        "feature": "功能",
        "category": "类别",
        "better": "Better 系数",
        "worse": "Worse 系数",
        "internal_n": "员工样本量",
        "internal_share": "员工认为满意 %",
        "customer_n": "顾客样本量",
        "customer_share": "顾客满意 %",
        "z": "z 值",
        "stage": "阶段",
        "touchpoint": "触点",
        "top_box": "满意（前两档）%",
        "top_box_ci_low": "满意下限",
        "top_box_ci_high": "满意上限",
        "weakest": "阶段最弱",
        "step": "步骤",
        "customers": "到达人数",
        "conversion_from_previous": "上一步转化率",
        "conversion_from_start": "累计转化率",
        "drop_off": "流失人数",
        "median_time_from_previous": "距上一步中位时长",
        "events": "事件数",
        "predictors": "自变量",
        "aic": "AIC",
        "bic": "BIC",
        "delta_aic": "ΔAIC",
        "best": "最优",
        "f_vs_mean": "相对平均模型 F",
        "p_vs_mean": "相对平均模型 p",
        "f_vs_peak_end": "相对峰终模型 F",
        "p_vs_peak_end": "相对峰终模型 p",
        "kpi": "指标",
        "topic": "话题",
        "comments": "评论数",
        "mean_sentiment": "平均情感",
        "negative_share": "负面占比%",
        "examples": "示例原话（已脱敏）",
        "keyword": "关键词",
        "redacted": "原话（已脱敏）",
        "score": "得分",
        "label_sentiment": "情感",
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
        "driver": "Driver",
        "importance": "Importance",
        "rank": "Rank",
        "coef": "Coefficient",
        "std_coef": "Std. coefficient",
        "t": "t",
        "vif": "VIF",
        "performance": "Performance",
        "quadrant": "Quadrant",
        "priority": "Priority",
        "n_low": "Low raters",
        "n_high": "High raters",
        "penalty": "Penalty",
        "penalty_p": "p (penalty)",
        "reward": "Reward",
        "reward_p": "p (reward)",
        "asymmetry": "Asymmetry",
        "type": "Type",
        "model": "Model",
        "odds_ratio": "Odds ratio",
        "or_ci_low": "OR CI low",
        "or_ci_high": "OR CI high",
        "r2": "R²",
        "adj_r2": "Adj. R²",
        "f": "F",
        "f_p": "p (F)",
        "outcome": "Outcome",
        "n_excluded": "Excluded (missing)",
        "rank_ci_low": "Rank CI low",
        "rank_ci_high": "Rank CI high",
        "change_ci_low": "Change CI low",
        "change_ci_high": "Change CI high",
        "change_significant": "Change significant",
        "rank_change": "Rank change",
        "rank_change_ci_low": "Rank change CI low",
        "rank_change_ci_high": "Rank change CI high",
        "rank_significant": "Rank change significant",
        "level": "Level",
        "name": "Name",
        "expectation": "Expectation",
        "perception": "Perception",
        "gap": "Gap",
        "attribute": "Attribute",
        "feature": "Feature",
        "category": "Category",
        "better": "Better",
        "worse": "Worse",
        "internal_n": "Staff base",
        "internal_share": "Staff: satisfied %",
        "customer_n": "Customer base",
        "customer_share": "Customers: satisfied %",
        "z": "z",
        "stage": "Stage",
        "touchpoint": "Touchpoint",
        "top_box": "Top box %",
        "top_box_ci_low": "Top box CI low",
        "top_box_ci_high": "Top box CI high",
        "weakest": "Weakest in stage",
        "step": "Step",
        "customers": "Customers",
        "conversion_from_previous": "Conversion from previous",
        "conversion_from_start": "Conversion from start",
        "drop_off": "Drop-off",
        "median_time_from_previous": "Median time from previous",
        "events": "Events",
        "predictors": "Predictors",
        "aic": "AIC",
        "bic": "BIC",
        "delta_aic": "ΔAIC",
        "best": "Best",
        "f_vs_mean": "F vs mean model",
        "p_vs_mean": "p vs mean model",
        "f_vs_peak_end": "F vs peak-end model",
        "p_vs_peak_end": "p vs peak-end model",
        "kpi": "KPI",
        "topic": "Topic",
        "comments": "Comments",
        "mean_sentiment": "Mean sentiment",
        "negative_share": "Negative %",
        "examples": "Examples (redacted)",
        "keyword": "Keyword",
        "redacted": "Comment (redacted)",
        "score": "Score",
        "label_sentiment": "Sentiment",
    },
}


#: Chinese names of category values that results carry (penalty-reward types, Kano categories).
TYPE_LABELS = {
    "basic": "基本型（不满足则不满）",
    "excitement": "兴奋型（满足则惊喜）",
    "performance": "期望型（线性）",
    "weak": "无显著影响",
    "promoter": "推荐者模型",
    "detractor": "贬损者模型",
    "ordinal": "有序模型",
    "item": "题目",
    "dimension": "维度",
    "overall": "总体",
    "weighted": "加权总体",
    "A": "魅力型 A",
    "O": "期望型 O",
    "M": "必备型 M",
    "I": "无差异型 I",
    "R": "反向型 R",
    "Q": "可疑 Q",
    "mean": "平均值模型",
    "peak_end": "峰终模型",
    "mean_peak_end": "平均 + 峰终模型",
    "resolution_rate": "自助解决率",
    "reuse_rate": "自助复用率",
    "positive_feedback_rate": "正面评价率",
    "negative_feedback_rate": "负面评价率",
    "relevance_rate": "搜索结果打开率",
    "satisfaction": "自助服务满意度（前两档 %）",
    "step not in funnel": "不在漏斗中的步骤",
    "missing customer": "缺少顾客编号",
    "missing time": "缺少时间",
    "unparseable time": "无法解析的时间",
    "positive": "正面",
    "negative": "负面",
    "neutral": "中性",
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
    values: Mapping[str, Mapping] | None = None,
):
    """A result table ready to show: labelled headers, rounded numbers, no index.

    Columns ``method`` and ``note`` are dropped when they say nothing (one
    method, no notes). Values of ``item``, ``driver`` and ``outcome`` columns
    show as codebook labels; ``values`` maps other columns' values to labels
    (``{"name": {"rel1": "按承诺时间提供服务"}}``). Returns a pandas ``Styler``.
    """
    df = result.copy()
    for col in ("method", "note"):
        if (
            col in df
            and (df[col].nunique(dropna=True) <= 1)
            and (col != "note" or not df[col].astype(bool).any())
        ):
            df = df.drop(columns=col)
    for col, mapping in (values or {}).items():
        if col in df:
            df[col] = df[col].map(lambda v, m=mapping: m.get(v, v))
    if codebook is not None:
        for col in ("item", "driver", "outcome"):
            if col in df:
                df[col] = df[col].map(codebook.label)
    if "quadrant" in df and lang == "zh":
        from cxlab.messages import msg

        df["quadrant"] = df["quadrant"].map(lambda c: msg(f"quadrant.{c}", lang))
    for col in ("type", "model", "level", "category", "kpi", "reason", "label"):
        if col in df and lang == "zh":
            df[col] = df[col].map(lambda v: TYPE_LABELS.get(v, v))
    yes = "是" if lang == "zh" else "yes"
    for col in df.columns:
        if df[col].map(lambda v: isinstance(v, list)).any():
            df[col] = df[col].map(lambda v: " ｜ ".join(map(str, v)) if isinstance(v, list) else v)
        if pd.api.types.is_timedelta64_dtype(df[col]):
            df[col] = df[col].map(_duration)
        elif df[col].dtype == bool:
            df[col] = df[col].map({True: yes, False: ""})
        elif df[col].dtype == object:
            df[col] = df[col].where(df[col].notna(), "（缺失）" if lang == "zh" else "(missing)")
    names = {c: (rename or {}).get(c, column_label(c, codebook, lang)) for c in df.columns}
    df = df.rename(columns=names)
    counts = [names[c] for c in ("n", "count") if c in names]
    pvalues = [
        names[c] for c in ("p", "p_adj", "p_change", "penalty_p", "reward_p", "f_p") if c in names
    ]
    # Styler does not escape cell text by itself; comments may hold markup.
    styler = df.style.hide(axis="index").format(precision=digits, na_rep="—", escape="html")
    if counts:
        styler = styler.format("{:,.0f}", subset=counts)
    if pvalues:
        styler = styler.format("{:.3g}", subset=pvalues, na_rep="—")
    return styler


def _duration(td) -> str:
    """A duration as H:MM:SS (days added in front when there are any)."""
    if pd.isna(td):
        return "—"
    secs = int(round(td.total_seconds()))
    days, secs = divmod(secs, 86400)
    h, rest = divmod(secs, 3600)
    m, s = divmod(rest, 60)
    return (f"{days} 天 " if days else "") + f"{h}:{m:02d}:{s:02d}"


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

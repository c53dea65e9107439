"""Plain-language summaries generated from result tables.

Each sentence states only what the table it comes from supports: a change is
called a rise or a fall only when the trend test flags it significant, and a
group is called higher than another only when the significance letters say
so. Functions return lists of sentences (Markdown), Chinese by default.
"""

from __future__ import annotations

import pandas as pd

__all__ = [
    "compare_sentences",
    "driver_points",
    "gap_points",
    "satisfaction_points",
    "trend_sentence",
]


def _fmt(value: float, unit: str) -> str:
    return f"{value:.1f}{unit}"


def trend_sentence(
    trend: pd.DataFrame, wave: str, *, metric_label: str, unit: str = "", lang: str = "zh"
) -> str:
    """One sentence on the latest wave of a :func:`cxlab.survey.trend` table (no group columns)."""
    t = trend.sort_values(wave, key=lambda s: s.astype(str))
    last = t.iloc[-1]
    head = f"{metric_label}在 {last[wave]} 为 **{_fmt(last['value'], unit)}**（95% 置信区间 {_fmt(last['ci_low'], unit)}–{_fmt(last['ci_high'], unit)}）"
    if lang == "en":
        head = f"{metric_label} in {last[wave]} is **{_fmt(last['value'], unit)}** (95% CI {_fmt(last['ci_low'], unit)} to {_fmt(last['ci_high'], unit)})"
    if len(t) < 2 or pd.isna(last["change"]):
        return head + ("." if lang == "en" else "。")
    prev = t.iloc[-2][wave]
    change = last["change"]
    if last["significant"]:
        if lang == "en":
            word = "up" if change > 0 else "down"
            return f"{head}, significantly {word} {abs(change):.1f} on {prev} (p = {last['p_change']:.3g})."
        word = "显著上升" if change > 0 else "显著下降"
        return f"{head}，较 {prev} {word} {abs(change):.1f}（p = {last['p_change']:.3g}）。"
    if lang == "en":
        return f"{head}; the change from {prev} ({change:+.1f}) is not significant."
    return f"{head}；与 {prev} 相比变化 {change:+.1f}，不显著。"


def compare_sentences(
    result: pd.DataFrame, by: str, *, metric_label: str, group_label: str, lang: str = "zh"
) -> list[str]:
    """Sentences naming which groups are significantly higher than which (from :func:`cxlab.survey.compare`)."""
    letter_of = dict(zip(result["letter"], result[by], strict=True))
    out = []
    for row in result.itertuples(index=False):
        beaten = [letter_of[c.upper()] for c in row.higher_than]
        if not beaten:
            continue
        names = "、".join(map(str, beaten)) if lang == "zh" else ", ".join(map(str, beaten))
        name = getattr(row, by)
        if lang == "en":
            out.append(
                f"By {group_label}, {name} scores significantly higher on {metric_label} than {names}."
            )
        else:
            out.append(f"按{group_label}看，{name}的{metric_label}显著高于{names}。")
    low = result.loc[result["low_base"], by].tolist()
    if low:
        names = "、".join(map(str, low))
        out.append(
            f"{names} 样本不足，未参与检验。"
            if lang == "zh"
            else f"{', '.join(map(str, low))}: base too small to test."
        )
    if not out:
        out.append(
            f"按{group_label}看，{metric_label}各组之间没有显著差异。"
            if lang == "zh"
            else f"By {group_label}, no group differs significantly on {metric_label}."
        )
    return out


def satisfaction_points(
    data: pd.DataFrame, codebook, *, wave: str | None, min_base: int = 30, lang: str = "zh"
) -> list[str]:
    """The key points of a satisfaction report: NPS and CSAT trend to ``wave``, segment differences.

    Parameters
    ----------
    data : pandas.DataFrame
        All waves (the trend needs the earlier ones); segment comparisons use ``wave`` only.
    codebook : cxlab.codebook.Codebook
        Gives the NPS item, the outcome scale, the wave column, segments and weight.
    wave : str or None
        The wave reported (None: the survey has no waves).
    """
    from cxlab import survey

    nps_col = codebook.select(type="nps")[0]
    outcome = codebook.select(role="outcome")[0]
    scale = (codebook.items[outcome].min, codebook.items[outcome].max)
    current = data
    points = []
    if codebook.wave and wave is not None:
        upto = data[data[codebook.wave].astype(str) <= str(wave)]
        current = data[data[codebook.wave].astype(str) == str(wave)]
        csat = "满意度（前两档）" if lang == "zh" else "Satisfaction (top-2 box)"
        for metric, item, label, unit in [
            ("nps", nps_col, "NPS", ""),
            ("top_box", outcome, csat, "%"),
        ]:
            t = survey.trend(upto, metric, codebook.wave, item, weight=codebook.weight, scale=scale)
            points.append(
                trend_sentence(t, codebook.wave, metric_label=label, unit=unit, lang=lang)
            )
    for seg in codebook.segments:
        c = survey.compare(current, "nps", seg, nps_col, weight=codebook.weight, min_base=min_base)
        points += compare_sentences(
            c, seg, metric_label="NPS", group_label=codebook.label(seg), lang=lang
        )
    return points


def driver_points(
    importance: pd.DataFrame,
    matrix: pd.DataFrame,
    penalty: pd.DataFrame | None = None,
    stability: pd.DataFrame | None = None,
    *,
    labels: dict | None = None,
    wave: str | None = None,
    top: int = 3,
) -> list[str]:
    """Key points of a driver analysis, each read off one result table.

    Parameters
    ----------
    importance : output of :func:`cxlab.drivers.relative_importance`
    matrix : output of :func:`cxlab.drivers.driver_matrix`
    penalty : output of :func:`cxlab.drivers.penalty_reward`, optional
    stability : output of :func:`cxlab.drivers.driver_stability`, optional
    wave : the wave column of ``stability``
    """

    def name(d):
        return (labels or {}).get(d, d)

    t = importance.sort_values("share", ascending=False).head(top)
    parts = "、".join(f"{name(r.driver)}（{r.share:.1f}%）" for r in t.itertuples())
    r2 = importance["importance"].sum()
    points = [f"驱动因素共解释结果变量 {100 * r2:.1f}% 的差异（R²）；最重要的是 {parts}。"]
    fix = matrix.dropna(subset=["priority"]).sort_values("priority")
    if len(fix):
        points.append(
            "优先改进（重要性高、表现低于平均）："
            + "、".join(name(d) for d in fix["driver"])
            + "。"
        )
    else:
        points.append("没有重要性高而表现低于平均的驱动因素。")
    if penalty is not None:
        basic = penalty.loc[penalty["type"] == "basic", "driver"].tolist()
        if basic:
            points.append(
                "低分惩罚明显大于高分奖励（基本型，做不好就扣分）："
                + "、".join(map(name, basic))
                + "。"
            )
    if stability is not None and wave is not None and "change_significant" in stability:
        last = stability[stability[wave] == stability[wave].max()]
        moved = last[last["change_significant"]]
        for r in moved.itertuples():
            word = "上升" if r.change > 0 else "下降"
            points.append(
                f"{name(r.driver)}的重要性在 {getattr(r, wave)} 显著{word}（{r.change:+.3f}）。"
            )
        if not len(moved):
            points.append(
                f"与上一波次相比，{stability[wave].max()} 各驱动因素的重要性没有显著变化。"
            )
    return points


KANO_NAMES = {
    "A": "魅力型",
    "O": "期望型",
    "M": "必备型",
    "I": "无差异型",
    "R": "反向型",
    "Q": "可疑",
}


def gap_points(
    servqual: pd.DataFrame,
    ipa: pd.DataFrame | None = None,
    kano: pd.DataFrame | None = None,
    perception: pd.DataFrame | None = None,
    *,
    labels: dict | None = None,
    alpha: float = 0.05,
) -> list[str]:
    """Where to act first, read off the SERVQUAL, IPA, Kano and perception-gap tables."""

    def name(key):
        return (labels or {}).get(key, key)

    points = []
    dims = servqual[servqual["level"] == "dimension"].sort_values("gap")
    short = dims[(dims["gap"] < 0) & (dims["p"] < alpha)]
    if len(short):
        worst = short.iloc[0]
        points.append(
            f"服务差距最大的维度是{worst['name']}：感知比期望低 {-worst['gap']:.2f} 分"
            f"（95% 置信区间 {-worst['ci_high']:.2f}–{-worst['ci_low']:.2f}）。"
        )
    above = dims[(dims["gap"] > 0) & (dims["p"] < alpha)]
    if len(above):
        points.append("超出期望的维度：" + "、".join(above["name"]) + "。")
    items = servqual[
        (servqual["level"] == "item") & (servqual["gap"] < 0) & (servqual["p"] < alpha)
    ].nsmallest(3, "gap")
    if len(items):
        points.append(
            "差距最大的题目："
            + "、".join(f"{name(r.name)}（{r.gap:.2f}）" for r in items.itertuples())
            + "。"
        )
    if ipa is not None:
        first = ipa[ipa["quadrant"] == "concentrate here"].sort_values(
            "importance", ascending=False
        )
        if len(first):
            points.append(
                "重要而表现偏低、应优先改进：" + "、".join(map(name, first["attribute"])) + "。"
            )
    if kano is not None:
        must = kano[kano["category"] == "M"]["feature"].tolist()
        attractive = kano[kano["category"] == "A"]["feature"].tolist()
        if must:
            points.append("必备型功能（做不到会引起不满）：" + "、".join(must) + "。")
        if attractive:
            points.append("魅力型功能（做到会带来惊喜）：" + "、".join(attractive) + "。")
    if perception is not None:
        over = perception[(perception["gap"] > 0) & (perception["p"] < alpha)].sort_values(
            "gap", ascending=False
        )
        for r in over.head(3).itertuples():
            points.append(
                f"员工高估了{name(r.item)}：员工认为 {r.internal_share:.0f}% 的顾客满意，"
                f"顾客实际为 {r.customer_share:.0f}%（差 {r.gap:.0f} 个百分点）。"
            )
    return points


SELF_SERVICE_NAMES = {
    "resolution_rate": "自助解决率",
    "reuse_rate": "自助复用率",
    "positive_feedback_rate": "正面评价率",
    "negative_feedback_rate": "负面评价率",
    "relevance_rate": "搜索结果打开率",
    "satisfaction": "自助服务满意度（前两档）",
}


def journey_points(
    touchpoints: pd.DataFrame,
    funnel: pd.DataFrame | None = None,
    peak_end: pd.DataFrame | None = None,
    self_service: pd.DataFrame | None = None,
    *,
    labels: dict | None = None,
) -> list[str]:
    """The weakest links of the journey, read off the journey tables."""

    def name(key):
        return (labels or {}).get(key, key)

    points = []
    worst = touchpoints.loc[touchpoints["mean"].idxmin()]
    best = touchpoints.loc[touchpoints["mean"].idxmax()]
    points.append(
        f"最薄弱的触点是{worst['stage']}阶段的{name(worst['touchpoint'])}：均值 {worst['mean']:.2f}"
        f"（95% 置信区间 {worst['ci_low']:.2f}–{worst['ci_high']:.2f}），满意（前两档）仅 {worst['top_box']:.0f}%；"
        f"最好的是{name(best['touchpoint'])}（{best['mean']:.2f}）。"
    )
    stage_means = touchpoints.groupby("stage", sort=False)["mean"].mean()
    points.append(f"阶段均值最低的是{stage_means.idxmin()}（{stage_means.min():.2f}）。")
    if funnel is not None and len(funnel) > 1:
        steps = funnel.iloc[1:]
        low = steps.loc[steps["conversion_from_previous"].idxmin()]
        prev = funnel["step"].iloc[funnel.index.get_loc(low.name) - 1]
        points.append(
            f"漏斗流失最大的一步是从{prev}到{low['step']}：转化率 {100 * low['conversion_from_previous']:.0f}%，"
            f"流失 {int(low['drop_off']):,} 人；从首步到末步总转化率 {100 * funnel['conversion_from_start'].iloc[-1]:.1f}%。"
        )
    if peak_end is not None:
        best_model = peak_end.loc[peak_end["best"]].iloc[0]
        full = peak_end.set_index("model").loc["mean_peak_end"]
        if best_model["model"] == "mean":
            points.append("总体满意度主要取决于整个旅程的平均体验；峰值与终值没有带来额外解释力。")
        else:
            extra = "显著" if full["p_vs_mean"] < 0.05 else "不显著"
            points.append(
                f"拟合最好的模型是“{best_model['predictors']}”（R² = {best_model['r2']:.3f}）；"
                f"在平均体验之外，峰值与终值的额外解释力{extra}（F 检验 p = {full['p_vs_mean']:.3g}）。"
            )
    if self_service is not None:
        res = self_service.set_index("kpi")
        if "resolution_rate" in res.index:
            r = res.loc["resolution_rate"]
            points.append(
                f"{SELF_SERVICE_NAMES['resolution_rate']} {r['value']:.1f}%（95% 置信区间 {r['ci_low']:.1f}–{r['ci_high']:.1f}%，"
                f"基数 {int(r['n']):,}）。"
            )
    return points

"""Plain-language summaries generated from result tables.

Each sentence states only what the table it comes from supports: a change is
called a rise or a fall only when the trend test flags it significant, and a
group is called higher than another only when the significance letters say
so. Functions return lists of sentences (Markdown), Chinese by default.
"""

from __future__ import annotations

import pandas as pd

from cxlab.present import say as _say

__all__ = [
    "compare_sentences",
    "driver_points",
    "gap_points",
    "satisfaction_points",
    "trend_sentence",
]


def _namer(labels: dict | None):
    """Column key -> display label (the key itself when there is none)."""
    labels = labels or {}
    return lambda key: labels.get(key, key)


def _listing(pairs, lang: str) -> str:
    """ "名称（值）、…" or "name (value), …" from (name, formatted value) pairs."""
    return _join([f"{n}（{v}）" if lang == "zh" else f"{n} ({v})" for n, v in pairs], lang)


def _join(items, lang: str) -> str:
    return (", " if lang == "en" else "、").join(map(str, items))


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
    lang: str = "zh",
) -> list[str]:
    """Key points of a driver analysis, each read off one result table.

    Parameters
    ----------
    importance : output of :func:`cxlab.drivers.relative_importance`
    matrix : output of :func:`cxlab.drivers.driver_matrix`
    penalty : output of :func:`cxlab.drivers.penalty_reward`, optional
    stability : output of :func:`cxlab.drivers.driver_stability`, optional
    wave : the wave column of ``stability``
    lang : {"zh", "en"}
    """

    name = _namer(labels)

    t = importance.sort_values("share", ascending=False).head(top)
    r2 = 100 * importance["importance"].sum()
    parts = _listing([(name(r.driver), f"{r.share:.1f}%") for r in t.itertuples()], lang)
    points = [
        _say(
            lang,
            f"驱动因素共解释结果变量 {r2:.1f}% 的差异（R²）；最重要的是 {parts}。",
            f"The drivers explain {r2:.1f}% of the variance of the outcome (R²); the most important are {parts}.",
        )
    ]
    fix = [name(d) for d in matrix.dropna(subset=["priority"]).sort_values("priority")["driver"]]
    if fix:
        points.append(
            _say(
                lang,
                f"优先改进（重要性高、表现低于平均）：{_join(fix, lang)}。",
                f"Fix first (important, performing below average): {_join(fix, lang)}.",
            )
        )
    else:
        points.append(
            _say(
                lang,
                "没有重要性高而表现低于平均的驱动因素。",
                "No important driver performs below average.",
            )
        )
    if penalty is not None:
        basic = [name(d) for d in penalty.loc[penalty["type"] == "basic", "driver"]]
        if basic:
            points.append(
                _say(
                    lang,
                    f"低分惩罚明显大于高分奖励（基本型，做不好就扣分）：{_join(basic, lang)}。",
                    f"Low ratings cost more than high ratings earn (basic factors): {_join(basic, lang)}.",
                )
            )
    if stability is not None and wave is not None and "change_significant" in stability:
        latest = stability[wave].max()
        moved = stability[(stability[wave] == latest) & stability["change_significant"]]
        for r in moved.itertuples():
            points.append(
                _say(
                    lang,
                    f"{name(r.driver)}的重要性在 {latest} 显著{'上升' if r.change > 0 else '下降'}（{r.change:+.3f}）。",
                    f"The importance of {name(r.driver)} {'rose' if r.change > 0 else 'fell'} significantly in {latest} ({r.change:+.3f}).",
                )
            )
        if not len(moved):
            points.append(
                _say(
                    lang,
                    f"与上一波次相比，{latest} 各驱动因素的重要性没有显著变化。",
                    f"No driver's importance changed significantly in {latest}.",
                )
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
    lang: str = "zh",
) -> list[str]:
    """Where to act first, read off the SERVQUAL, IPA, Kano and perception-gap tables."""

    name = _namer(labels)

    points = []
    dims = servqual[servqual["level"] == "dimension"].sort_values("gap")
    short = dims[(dims["gap"] < 0) & (dims["p"] < alpha)]
    if len(short):
        w = short.iloc[0]
        points.append(
            _say(
                lang,
                f"服务差距最大的维度是{w['name']}：感知比期望低 {-w['gap']:.2f} 分（95% 置信区间 {-w['ci_high']:.2f}–{-w['ci_low']:.2f}）。",
                f"The largest service gap is in {w['name']}: perception falls {-w['gap']:.2f} points short of expectation "
                f"(95% CI {-w['ci_high']:.2f} to {-w['ci_low']:.2f}).",
            )
        )
    above = dims[(dims["gap"] > 0) & (dims["p"] < alpha)]["name"].tolist()
    if above:
        points.append(
            _say(
                lang,
                f"超出期望的维度：{_join(above, lang)}。",
                f"Above expectation: {_join(above, lang)}.",
            )
        )
    items = servqual[
        (servqual["level"] == "item") & (servqual["gap"] < 0) & (servqual["p"] < alpha)
    ].nsmallest(3, "gap")
    if len(items):
        listed = _listing([(name(r.name), f"{r.gap:.2f}") for r in items.itertuples()], lang)
        points.append(_say(lang, f"差距最大的题目：{listed}。", f"Largest item gaps: {listed}."))
    if ipa is not None:
        first = (
            ipa[ipa["quadrant"] == "concentrate here"]
            .sort_values("importance", ascending=False)["attribute"]
            .tolist()
        )
        if first:
            points.append(
                _say(
                    lang,
                    f"重要而表现偏低、应优先改进：{_join(map(name, first), lang)}。",
                    f"Important but under-performing, to fix first: {_join(map(name, first), lang)}.",
                )
            )
    if kano is not None:
        must = kano[kano["category"] == "M"]["feature"].tolist()
        attractive = kano[kano["category"] == "A"]["feature"].tolist()
        if must:
            points.append(
                _say(
                    lang,
                    f"必备型功能（做不到会引起不满）：{_join(must, lang)}。",
                    f"Must-be features (their absence dissatisfies): {_join(must, lang)}.",
                )
            )
        if attractive:
            points.append(
                _say(
                    lang,
                    f"魅力型功能（做到会带来惊喜）：{_join(attractive, lang)}。",
                    f"Attractive features (their presence delights): {_join(attractive, lang)}.",
                )
            )
    if perception is not None:
        over = perception[(perception["gap"] > 0) & (perception["p"] < alpha)].sort_values(
            "gap", ascending=False
        )
        for r in over.head(3).itertuples():
            points.append(
                _say(
                    lang,
                    f"员工高估了{name(r.item)}：员工认为 {r.internal_share:.0f}% 的顾客满意，顾客实际为 {r.customer_share:.0f}%（差 {r.gap:.0f} 个百分点）。",
                    f"Staff overrate {name(r.item)}: they think {r.internal_share:.0f}% of customers are satisfied; "
                    f"{r.customer_share:.0f}% are ({r.gap:.0f} points apart).",
                )
            )
    return points


def journey_points(
    touchpoints: pd.DataFrame,
    funnel: pd.DataFrame | None = None,
    peak_end: pd.DataFrame | None = None,
    self_service: pd.DataFrame | None = None,
    *,
    labels: dict | None = None,
    lang: str = "zh",
) -> list[str]:
    """The weakest links of the journey, read off the journey tables."""

    name = _namer(labels)

    points = []
    w = touchpoints.loc[touchpoints["mean"].idxmin()]
    b = touchpoints.loc[touchpoints["mean"].idxmax()]
    points.append(
        _say(
            lang,
            f"最薄弱的触点是{w['stage']}阶段的{name(w['touchpoint'])}：均值 {w['mean']:.2f}"
            f"（95% 置信区间 {w['ci_low']:.2f}–{w['ci_high']:.2f}），满意（前两档）仅 {w['top_box']:.0f}%；"
            f"最好的是{name(b['touchpoint'])}（{b['mean']:.2f}）。",
            f"The weakest touchpoint is {name(w['touchpoint'])} ({w['stage']}): mean {w['mean']:.2f} "
            f"(95% CI {w['ci_low']:.2f} to {w['ci_high']:.2f}), only {w['top_box']:.0f}% satisfied (top-2 box); "
            f"the best is {name(b['touchpoint'])} ({b['mean']:.2f}).",
        )
    )
    stage_means = touchpoints.groupby("stage", sort=False)["mean"].mean()
    points.append(
        _say(
            lang,
            f"阶段均值最低的是{stage_means.idxmin()}（{stage_means.min():.2f}）。",
            f"The weakest stage is {stage_means.idxmin()} (mean {stage_means.min():.2f}).",
        )
    )
    if funnel is not None and len(funnel) > 1:
        steps = funnel.iloc[1:]
        low = steps.loc[steps["conversion_from_previous"].idxmin()]
        prev = funnel["step"].iloc[funnel.index.get_loc(low.name) - 1]
        total = 100 * funnel["conversion_from_start"].iloc[-1]
        rate = 100 * low["conversion_from_previous"]
        points.append(
            _say(
                lang,
                f"漏斗流失最大的一步是从{prev}到{low['step']}：转化率 {rate:.0f}%，流失 {int(low['drop_off']):,} 人；"
                f"从首步到末步总转化率 {total:.1f}%。",
                f"The funnel loses most from {prev} to {low['step']}: {rate:.0f}% go on, {int(low['drop_off']):,} drop off; "
                f"{total:.1f}% reach the last step.",
            )
        )
    if peak_end is not None:
        best = peak_end.loc[peak_end["best"]].iloc[0]
        full = peak_end.set_index("model").loc["mean_peak_end"]
        if best["model"] == "mean":
            points.append(
                _say(
                    lang,
                    "总体满意度主要取决于整个旅程的平均体验；峰值与终值没有带来额外解释力。",
                    "Overall satisfaction follows the average of the journey; peak and end add nothing.",
                )
            )
        else:
            sig = full["p_vs_mean"] < 0.05
            points.append(
                _say(
                    lang,
                    f"拟合最好的模型是“{best['predictors']}”（R² = {best['r2']:.3f}）；"
                    f"在平均体验之外，峰值与终值的额外解释力{'显著' if sig else '不显著'}（F 检验 p = {full['p_vs_mean']:.3g}）。",
                    f'The best-fitting model is "{best["predictors"]}" (R² = {best["r2"]:.3f}); beyond the average, peak and '
                    f"end add {'significantly' if sig else 'nothing significant'} (F test p = {full['p_vs_mean']:.3g}).",
                )
            )
    if self_service is not None:
        res = self_service.set_index("kpi")
        if "resolution_rate" in res.index:
            r = res.loc["resolution_rate"]
            points.append(
                _say(
                    lang,
                    f"自助解决率 {r['value']:.1f}%（95% 置信区间 {r['ci_low']:.1f}–{r['ci_high']:.1f}%，基数 {int(r['n']):,}）。",
                    f"Self-service resolution rate {r['value']:.1f}% (95% CI {r['ci_low']:.1f} to {r['ci_high']:.1f}%, base {int(r['n']):,}).",
                )
            )
    return points

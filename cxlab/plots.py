"""Charts of tidy analysis results, with Chinese labels that render everywhere.

Plot functions take the DataFrame an analysis function returned, draw on
``ax`` (or the current Axes) and return it; they compute nothing statistical.
Importing this module registers the Noto Sans CJK font that the
``noto-cjk-sans-otc`` package installs (SIL Open Font License), so simplified
and traditional labels render without any system font.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes

__all__ = [
    "CJK_FONT",
    "plot_estimates",
    "plot_funnel",
    "plot_importance",
    "plot_journey",
    "plot_kano",
    "plot_likert",
    "plot_nps",
    "plot_peak_end",
    "plot_penalty_reward",
    "plot_quadrants",
    "plot_topics",
    "plot_trend",
    "use_cjk_font",
]

#: The face used for Chinese text; the collection's SC face also covers traditional characters.
CJK_FONT = "Noto Sans CJK SC"
#: Words the charts draw themselves, by report language.
TEXT = {
    "zh": {
        "missing": "（缺失）",
        "share_r2": "占 R² 的比例（%）",
        "penalty": "低分惩罚",
        "reward": "高分奖励",
        "effect": "对结果变量的影响",
        "kano": ["魅力型 A", "期望型 O", "必备型 M", "无差异型 I"],
        "worse": "不满足时的不满程度 |Worse|",
        "better": "满足时的满意提升 Better",
        "stage_mean": "阶段均值",
        "models": {
            "mean": "平均值",
            "peak_end": "峰值 + 终值",
            "mean_peak_end": "平均 + 峰值 + 终值",
        },
        "not_negative": "非负面",
        "negative": "负面",
        "topic_share": "提及该话题的评论占比（%）",
        "performance": "表现",
        "importance": "重要性",
    },
    "en": {
        "missing": "(missing)",
        "share_r2": "Share of R² (%)",
        "penalty": "Penalty (low rating)",
        "reward": "Reward (high rating)",
        "effect": "Effect on the outcome",
        "kano": ["Attractive A", "One-dimensional O", "Must-be M", "Indifferent I"],
        "worse": "Dissatisfaction when absent |Worse|",
        "better": "Satisfaction when present (Better)",
        "stage_mean": "Stage mean",
        "models": {"mean": "Mean", "peak_end": "Peak + end", "mean_peak_end": "Mean + peak + end"},
        "not_negative": "Not negative",
        "negative": "Negative",
        "topic_share": "Comments mentioning the topic (%)",
        "performance": "Performance",
        "importance": "Importance",
    },
}
QUADRANT_EN = {
    "concentrate here": "Concentrate here",
    "keep up the good work": "Keep up the good work",
    "low priority": "Low priority",
    "possible overkill": "Possible overkill",
}


def _t(lang: str) -> dict:
    if lang not in TEXT:
        raise ValueError(f"`lang` should be one of {sorted(TEXT)}, not {lang!r}.")
    return TEXT[lang]


PALETTE = {"promoters": "#2a9d8f", "passives": "#bfbfbf", "detractors": "#e76f51", "bar": "#457b9d"}


def _font_path() -> Path:
    import noto_cjk_sans_otc

    return Path(str(noto_cjk_sans_otc.FONT_PATH))


def use_cjk_font() -> str:
    """Register Noto Sans CJK with matplotlib and make it the default sans-serif font.

    Returns
    -------
    str
        The font family name now first in ``font.sans-serif``.
    """
    names = {f.name for f in font_manager.fontManager.ttflist}
    if CJK_FONT not in names:
        font_manager.fontManager.addfont(str(_font_path()))
    mpl.rcParams["font.family"] = "sans-serif"
    rest = [f for f in mpl.rcParams["font.sans-serif"] if f != CJK_FONT]
    mpl.rcParams["font.sans-serif"] = [CJK_FONT, *rest]
    # Noto CJK's minus sign is fine, but the ASCII hyphen keeps numbers aligned with DejaVu.
    mpl.rcParams["axes.unicode_minus"] = False
    return CJK_FONT


use_cjk_font()


def _label(group_cols: Sequence[str], table: pd.DataFrame, lang: str = "zh") -> list[str]:
    missing = _t(lang)["missing"]
    return [
        " / ".join(missing if pd.isna(v) else str(v) for v in row)
        for row in table[list(group_cols)].itertuples(index=False)
    ]


def plot_estimates(
    table: pd.DataFrame,
    value: str,
    *,
    by: str | Sequence[str],
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    lang: str = "zh",
    **kwargs,
) -> Axes:
    """Horizontal bars of an estimate per group with its confidence interval.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of an analysis function with ``value``, ``ci_low`` and ``ci_high``.
    value : str
        The column to draw (``"nps"``, ``"mean"``, ``"share"`` ...).
    by : str or list of str
        Group columns of ``table``, joined into the bar labels.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh`.
    """
    by = [by] if isinstance(by, str) else list(by)
    ax = ax or plt.gca()
    labels = _label(by, table, lang)
    y = np.arange(len(table))
    est = table[value].to_numpy(dtype=float)
    err = np.vstack([est - table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float) - est])
    kwargs.setdefault("color", PALETTE["bar"])
    ax.barh(y, est, xerr=err, capsize=3, **kwargs)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    for yi, v in zip(y, est, strict=True):
        ax.annotate(
            f"{v:.1f}",
            (v, yi),
            xytext=(4 if v >= 0 else -4, -9),
            textcoords="offset points",
            ha="left" if v >= 0 else "right",
            fontsize=8,
        )
    if title:
        ax.set_title(title)
    ax.set_xlabel(xlabel if xlabel is not None else value)
    return ax


def plot_nps(
    table: pd.DataFrame,
    *,
    by: str | Sequence[str],
    ax: Axes | None = None,
    title: str | None = None,
    **kwargs,
) -> Axes:
    """NPS per group with its confidence interval (the output of :func:`cxlab.survey.nps`)."""
    return plot_estimates(table, "nps", by=by, ax=ax, title=title, xlabel="NPS", **kwargs)


def plot_trend(
    trend: pd.DataFrame,
    wave: str,
    *,
    by: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    ylabel: str | None = None,
    **kwargs,
) -> Axes:
    """A metric across waves with its confidence band; significant changes marked.

    Parameters
    ----------
    trend : pandas.DataFrame
        Output of :func:`cxlab.survey.trend` (``value``, ``ci_low``, ``ci_high``,
        ``change``, ``significant``).
    wave : str
        The wave column of ``trend``.
    by : str, optional
        A group column of ``trend``: one line per group.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Notes
    -----
    A filled triangle (▲ up, ▼ down) marks a wave whose change from the
    previous wave is significant (``significant`` is True).
    """
    ax = ax or plt.gca()
    waves = sorted(trend[wave].astype(str).unique())
    x_of = {w: i for i, w in enumerate(waves)}
    groups = [(None, trend)] if by is None else list(trend.groupby(by, sort=True))
    for name, g in groups:
        g = g.sort_values(wave, key=lambda s: s.astype(str))
        x = g[wave].astype(str).map(x_of).to_numpy()
        line = ax.plot(
            x, g["value"], marker="o", label=None if name is None else str(name), **kwargs
        )[0]
        ax.fill_between(
            x, g["ci_low"], g["ci_high"], color=line.get_color(), alpha=0.15, linewidth=0
        )
        sig = g["significant"].to_numpy(bool)
        up = sig & (g["change"].to_numpy() > 0)
        down = sig & (g["change"].to_numpy() < 0)
        ax.scatter(
            x[up], g["value"].to_numpy()[up], marker="^", s=120, color=line.get_color(), zorder=3
        )
        ax.scatter(
            x[down],
            g["value"].to_numpy()[down],
            marker="v",
            s=120,
            color=line.get_color(),
            zorder=3,
        )
    ax.set_xticks(range(len(waves)), waves)
    if by is not None:
        ax.legend(frameon=False, fontsize=8)
    if title:
        ax.set_title(title)
    if ylabel:
        ax.set_ylabel(ylabel)
    return ax


def plot_likert(
    table: pd.DataFrame,
    *,
    labels: dict | None = None,
    answer_labels: dict | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Diverging stacked bars of answer distributions (the output of :func:`cxlab.survey.likert_table`).

    Answers below the scale midpoint extend left of zero, those above extend
    right; the midpoint answer (odd scales) is split evenly across zero.

    Parameters
    ----------
    table : pandas.DataFrame
        ``item``, ``answer``, ``percent`` (no group columns).
    labels : dict, optional
        Item -> label (codebook labels).
    answer_labels : dict, optional
        Answer value -> label for the legend.
    """
    ax = ax or plt.gca()
    wide = table.pivot_table(
        index="item", columns="answer", values="percent", aggfunc="sum", sort=False
    ).fillna(0.0)
    answers = sorted(wide.columns)
    mid = (answers[0] + answers[-1]) / 2
    neg = [a for a in answers if a < mid]
    colors = plt.get_cmap("RdBu")(np.linspace(0.1, 0.9, len(answers)))
    if mid in answers:
        colors[answers.index(mid)] = mpl.colors.to_rgba(
            "#c8c8c8"
        )  # the diverging map's white would vanish
    y = np.arange(len(wide))
    left = -(wide[neg].sum(axis=1) + (wide[mid] / 2 if mid in wide else 0)).to_numpy()
    for a, color in zip(answers, colors, strict=True):
        width = wide[a].to_numpy()
        name = (answer_labels or {}).get(a, f"{a:g}")
        ax.barh(y, width, left=left, color=color, label=name, edgecolor="white", linewidth=0.5)
        left = left + width
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [(labels or {}).get(i, i) for i in wide.index])
    ax.invert_yaxis()
    ax.set_xlabel("%")
    ax.legend(
        ncol=len(answers), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize=8
    )
    if title:
        ax.set_title(title, pad=24)
    return ax


def plot_importance(
    importance: pd.DataFrame,
    *,
    labels: dict | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    lang: str = "zh",
    **kwargs,
) -> Axes:
    """Share of R² per driver with its bootstrap interval (the output of :func:`cxlab.drivers.relative_importance`)."""
    ax = ax or plt.gca()
    t = importance.sort_values("share", ascending=True)
    y = np.arange(len(t))
    kwargs.setdefault("color", PALETTE["bar"])
    xerr = None
    if "ci_low" in t:
        scale = t["share"] / t["importance"]
        xerr = np.vstack([t["share"] - t["ci_low"] * scale, t["ci_high"] * scale - t["share"]])
    ax.barh(y, t["share"], xerr=xerr, capsize=3, **kwargs)
    ax.set_yticks(y, [(labels or {}).get(d, d) for d in t["driver"]])
    ax.set_xlabel(_t(lang)["share_r2"])
    if title:
        ax.set_title(title)
    return ax


def plot_quadrants(
    table: pd.DataFrame,
    *,
    x: str = "performance",
    y: str = "importance",
    label: str = "driver",
    labels: dict | None = None,
    crosshair: tuple[float, float] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    lang: str = "zh",
    **kwargs,
) -> Axes:
    """Importance x performance scatter with crosshair lines and quadrant names.

    ``table`` is a :class:`cxlab.quadrants.ImportancePerformance` (as
    :func:`cxlab.drivers.driver_matrix` returns it): its ``points`` are drawn, split at its
    ``crosshair`` unless ``crosshair`` (importance, performance) is given. A plain DataFrame
    needs ``crosshair``.
    """
    from cxlab.messages import msg
    from cxlab.quadrants import ImportancePerformance

    ax = ax or plt.gca()
    if isinstance(table, ImportancePerformance):
        crosshair = crosshair or tuple(table.crosshair.loc[0, ["importance", "performance"]])
        table = table.points
    if crosshair is None:
        raise ValueError("`crosshair` (importance, performance) is needed with a DataFrame.")
    ci, cp = crosshair
    kwargs.setdefault("color", PALETTE["bar"])
    ax.scatter(table[x], table[y], zorder=3, **kwargs)
    for _, r in table.iterrows():
        ax.annotate(
            (labels or {}).get(r[label], r[label]),
            (r[x], r[y]),
            xytext=(4, 3),
            textcoords="offset points",
            fontsize=8,
        )
    ax.axvline(cp, color="grey", linestyle="--", linewidth=0.8)
    ax.axhline(ci, color="grey", linestyle="--", linewidth=0.8)
    corners = {
        "concentrate here": (0.02, 0.98, "left", "top"),
        "keep up the good work": (0.98, 0.98, "right", "top"),
        "low priority": (0.02, 0.02, "left", "bottom"),
        "possible overkill": (0.98, 0.02, "right", "bottom"),
    }
    for key, (tx, ty, ha, va) in corners.items():
        ax.text(
            tx,
            ty,
            msg(f"quadrant.{key}", lang),
            transform=ax.transAxes,
            ha=ha,
            va=va,
            color="#888888",
            fontsize=9,
        )
    ax.set_xlabel(xlabel or _t(lang)["performance"])
    ax.set_ylabel(ylabel or _t(lang)["importance"])
    if title:
        ax.set_title(title)
    return ax


def plot_penalty_reward(
    table: pd.DataFrame,
    *,
    labels: dict | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    lang: str = "zh",
) -> Axes:
    """Penalty (left) and reward (right) per driver (the output of :func:`cxlab.drivers.penalty_reward`)."""
    ax = ax or plt.gca()
    t = table.iloc[::-1]
    y = np.arange(len(t))
    ax.barh(y, t["penalty"], color=PALETTE["detractors"], label=_t(lang)["penalty"])
    ax.barh(y, t["reward"], color=PALETTE["promoters"], label=_t(lang)["reward"])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [(labels or {}).get(d, d) for d in t["driver"]])
    ax.legend(frameon=False, fontsize=8)
    ax.set_xlabel(_t(lang)["effect"])
    if title:
        ax.set_title(title)
    return ax


def plot_kano(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    lang: str = "zh",
    **kwargs,
) -> Axes:
    """Better-worse diagram of Kano features (the output of :func:`cxlab.gaps.kano`).

    x = |worse| (how much its absence dissatisfies), y = better (how much its
    presence satisfies); lines at 0.5 split must-be (right, low), one-dimensional
    (right, high), attractive (left, high) and indifferent (left, low).
    """
    ax = ax or plt.gca()
    kwargs.setdefault("color", PALETTE["bar"])
    x, y = table["worse"].abs(), table["better"]
    ax.scatter(x, y, zorder=3, **kwargs)
    for xi, yi, name in zip(x, y, table["feature"], strict=True):
        ax.annotate(str(name), (xi, yi), xytext=(4, 3), textcoords="offset points", fontsize=9)
    ax.axvline(0.5, color="grey", linestyle="--", linewidth=0.8)
    ax.axhline(0.5, color="grey", linestyle="--", linewidth=0.8)
    for (tx, ty, ha, va), text in zip(
        [
            (0.02, 0.98, "left", "top"),
            (0.98, 0.98, "right", "top"),
            (0.98, 0.02, "right", "bottom"),
            (0.02, 0.02, "left", "bottom"),
        ],
        _t(lang)["kano"],
        strict=True,
    ):
        ax.text(tx, ty, text, transform=ax.transAxes, ha=ha, va=va, color="#888888", fontsize=9)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(_t(lang)["worse"])
    ax.set_ylabel(_t(lang)["better"])
    if title:
        ax.set_title(title)
    return ax


def plot_journey(
    table: pd.DataFrame,
    *,
    labels: dict | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    value: str = "mean",
    cmap: str = "RdYlGn",
    lang: str = "zh",
    **kwargs,
) -> Axes:
    """Journey map: touchpoints as a heat strip under their stages, with the satisfaction curve.

    ``table`` is the output of :func:`cxlab.journey.touchpoints` (no group
    columns). Each touchpoint is a cell coloured by ``value``; the line joins
    the stage means (touchpoint means averaged within a stage); the weakest
    touchpoint of each stage is outlined.
    """
    from matplotlib.patches import Rectangle

    ax = ax or plt.gca()
    t = table.reset_index(drop=True)
    vals = t[value].to_numpy(float)
    norm = mpl.colors.Normalize(vmin=np.nanmin(vals) - 0.2, vmax=np.nanmax(vals) + 0.2)
    colours = plt.get_cmap(cmap)(norm(vals))
    for i, r in t.iterrows():
        ax.add_patch(Rectangle((i, 0), 1, 1, facecolor=colours[i], edgecolor="white", linewidth=2))
        if r.get("weakest", False):
            ax.add_patch(
                Rectangle(
                    (i + 0.04, 0.04), 0.92, 0.92, fill=False, edgecolor="#b00020", linewidth=2
                )
            )
        ax.text(
            i + 0.5,
            0.62,
            (labels or {}).get(r["touchpoint"], r["touchpoint"]),
            ha="center",
            va="center",
            fontsize=8,
        )
        ax.text(
            i + 0.5, 0.32, f"{r[value]:.2f}", ha="center", va="center", fontsize=9, weight="bold"
        )
    stages = list(dict.fromkeys(t["stage"]))
    centres, means = [], []
    for st in stages:
        idx = np.flatnonzero(t["stage"].to_numpy() == st)
        ax.text(idx.mean() + 0.5, 1.08, st, ha="center", va="bottom", fontsize=10, weight="bold")
        centres.append(idx.mean() + 0.5)
        means.append(vals[idx].mean())
    ax2 = ax.twinx()
    kwargs.setdefault("color", "#1d3557")
    ax2.plot(centres, means, marker="o", **kwargs)
    ax2.set_ylabel(_t(lang)["stage_mean"])
    ax.set_xlim(0, len(t))
    ax.set_ylim(0, 1.3)
    ax.set_yticks([])
    ax.set_xticks([])
    if title:
        ax.set_title(title, pad=18)
    return ax


def plot_funnel(
    table: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None, **kwargs
) -> Axes:
    """Funnel chart: customers reaching each step, with conversion from the previous step
    (the output of :func:`cxlab.journey.funnel`, one group)."""
    ax = ax or plt.gca()
    t = table.reset_index(drop=True)
    y = np.arange(len(t))
    width = t["customers"].to_numpy(float)
    kwargs.setdefault("color", PALETTE["bar"])
    ax.barh(y, width, left=(width.max() - width) / 2, **kwargs)
    for i, r in t.iterrows():
        text = f"{int(r['customers']):,}"
        if i:
            text += f"（{100 * r['conversion_from_previous']:.0f}%）"
        ax.text(
            width.max() / 2,
            i,
            text,
            ha="center",
            va="center",
            color="white",
            fontsize=9,
            weight="bold",
        )
    ax.set_yticks(y, t["step"])
    ax.invert_yaxis()
    ax.set_xticks([])
    if title:
        ax.set_title(title)
    return ax


def plot_peak_end(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    lang: str = "zh",
    **kwargs,
) -> Axes:
    """R² of the mean, peak-end and combined models (the output of :func:`cxlab.journey.peak_end`)."""
    ax = ax or plt.gca()
    names = _t(lang)["models"]
    colours = [PALETTE["promoters"] if b else PALETTE["bar"] for b in table["best"]]
    ax.bar([names.get(m, m) for m in table["model"]], table["r2"], color=colours, **kwargs)
    for i, (r2, d) in enumerate(zip(table["r2"], table["delta_aic"], strict=True)):
        ax.text(i, r2, f"R²={r2:.3f}\nΔAIC={d:.0f}", ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("R²")
    ax.set_ylim(0, min(1, table["r2"].max() * 1.25))
    if title:
        ax.set_title(title)
    return ax


def plot_topics(
    summary: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None, lang: str = "zh"
) -> Axes:
    """Share of comments per topic, the negative part in red (the output of :func:`cxlab.text.topic_summary`, one group)."""
    ax = ax or plt.gca()
    t = summary.sort_values("share")
    y = np.arange(len(t))
    neg = (t["share"] * t["negative_share"].fillna(0) / 100).to_numpy()
    ax.barh(y, t["share"] - neg, left=neg, color=PALETTE["bar"], label=_t(lang)["not_negative"])
    ax.barh(y, neg, color=PALETTE["detractors"], label=_t(lang)["negative"])
    ax.set_yticks(y, t["label"])
    ax.set_xlabel(_t(lang)["topic_share"])
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    if title:
        ax.set_title(title)
    return ax

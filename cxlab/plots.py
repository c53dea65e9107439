"""Charts of tidy analysis results, with Chinese labels that render everywhere.

Plot functions take the result an analysis function returned as ``table``, draw on ``ax``
(or the current Axes) and return it; they compute nothing statistical. Words a chart draws
itself come from the message catalogue (:mod:`cxlab.messages`, keys ``plot.*``) in the
language ``lang``; titles and axis labels passed in are drawn as given.
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

from cxlab.checks import as_list
from cxlab.messages import check_lang, msg
from cxlab.present import translate_codes

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
PALETTE = {"promoters": "#2a9d8f", "passives": "#bfbfbf", "detractors": "#e76f51", "bar": "#457b9d"}


def _font_path() -> Path:
    import noto_cjk_sans_otc

    return Path(str(noto_cjk_sans_otc.FONT_PATH))


def use_cjk_font() -> str:
    """Register Noto Sans CJK with matplotlib and make it the default sans-serif font.

    Also turns off mathtext (``text.parse_math``): text drawn from data is shown as written.

    Returns
    -------
    str
        The font family name now first in ``font.sans-serif``.

    Examples
    --------
    >>> use_cjk_font()
    'Noto Sans CJK SC'
    """
    names = {f.name for f in font_manager.fontManager.ttflist}
    if CJK_FONT not in names:
        font_manager.fontManager.addfont(str(_font_path()))
    mpl.rcParams["font.family"] = "sans-serif"
    rest = [f for f in mpl.rcParams["font.sans-serif"] if f != CJK_FONT]
    mpl.rcParams["font.sans-serif"] = [CJK_FONT, *rest]
    # Noto CJK's minus sign is fine, but the ASCII hyphen keeps numbers aligned with DejaVu.
    mpl.rcParams["axes.unicode_minus"] = False
    # Labels come from data and codebooks: a "$" in one is a character, not the start of math
    # (mathtext would draw it as a formula, or fail to draw the figure at all).
    mpl.rcParams["text.parse_math"] = False
    return CJK_FONT


use_cjk_font()


def _words(codes, column: str, lang: str) -> list:
    """Codes of a result column in words (catalogue ``<column>.<code>``; the code if none)."""
    return translate_codes(pd.Series(list(codes), dtype=object), column, lang=lang).tolist()


def _axes(ax: Axes | None) -> Axes:
    return ax if ax is not None else plt.gca()


def _label(group_cols: Sequence[str], table: pd.DataFrame, lang: str = "zh") -> list[str]:
    missing = msg("present.missing", lang)
    return [
        " / ".join(missing if pd.isna(v) else str(v) for v in row)
        for row in table[list(group_cols)].itertuples(index=False)
    ]


def _finish(ax: Axes, title: str | None, *, pad: float | None = None) -> Axes:
    if title:
        ax.set_title(title, pad=pad)
    return ax


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
        Group columns of ``table``, joined into the bar labels (a missing group shows as
        "(missing)").
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: the current Axes).
    title, xlabel : str, optional
        Drawn as given (the x label defaults to ``value``).
    lang : {"zh", "en"}
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes
        One bar per row of ``table``, top to bottom, its width the estimate.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> t = pd.DataFrame({"ch": ["门店", "电话"], "mean": [4.1, 3.6],
    ...                   "ci_low": [3.9, 3.3], "ci_high": [4.3, 3.9]})
    >>> ax = plot_estimates(t, "mean", by="ch", ax=Figure().subplots())
    >>> [float(p.get_width()) for p in ax.patches]
    [4.1, 3.6]
    """
    check_lang(lang)
    by = as_list(by)
    ax = _axes(ax)
    y = np.arange(len(table))
    est = table[value].to_numpy(dtype=float)
    err = np.vstack([est - table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float) - est])
    kwargs.setdefault("color", PALETTE["bar"])
    ax.barh(y, est, xerr=err, capsize=3, **kwargs)
    ax.set_yticks(y, _label(by, table, lang))
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
    ax.set_xlabel(xlabel if xlabel is not None else value)
    return _finish(ax, title)


def plot_nps(
    table: pd.DataFrame,
    *,
    by: str | Sequence[str],
    ax: Axes | None = None,
    title: str | None = None,
    lang: str = "zh",
    **kwargs,
) -> Axes:
    """NPS per group with its confidence interval (the output of :func:`cxlab.survey.nps`).

    Parameters
    ----------
    table : pandas.DataFrame
        With ``nps``, ``ci_low``, ``ci_high`` and the ``by`` columns.
    by : str or list of str
        Group columns.
    ax, title, lang, **kwargs
        As in :func:`plot_estimates`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> t = pd.DataFrame({"ch": ["A", "B"], "nps": [20.0, -5.0],
    ...                   "ci_low": [10.0, -15.0], "ci_high": [30.0, 5.0]})
    >>> ax = plot_nps(t, by="ch", ax=Figure().subplots())
    >>> [float(p.get_width()) for p in ax.patches], ax.get_xlabel()
    ([20.0, -5.0], 'NPS')
    """
    return plot_estimates(
        table, "nps", by=by, ax=ax, title=title, xlabel="NPS", lang=lang, **kwargs
    )


def plot_trend(
    table: pd.DataFrame,
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
    table : pandas.DataFrame
        Output of :func:`cxlab.survey.trend` (``value``, ``ci_low``, ``ci_high``,
        ``change``, ``significant``).
    wave : str
        The wave column of ``table``.
    by : str, optional
        A group column of ``table``: one line per group, with a legend.
    ax : matplotlib.axes.Axes, optional
    title, ylabel : str, optional
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes
        One line per group, the waves in sorted order on the x axis.

    Notes
    -----
    A filled triangle (▲ up, ▼ down) marks a wave whose change from the
    previous wave is significant (``significant`` is True).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> t = pd.DataFrame({"wave": ["Q1", "Q2"], "value": [10.0, 18.0], "ci_low": [5.0, 13.0],
    ...                   "ci_high": [15.0, 23.0], "change": [np.nan, 8.0],
    ...                   "significant": [False, True]})
    >>> ax = plot_trend(t, "wave", ax=Figure().subplots())
    >>> ax.lines[0].get_ydata().tolist(), len(ax.collections)
    ([10.0, 18.0], 3)
    """
    ax = _axes(ax)
    waves = sorted(table[wave].astype(str).unique())
    x_of = {w: i for i, w in enumerate(waves)}
    groups = [(None, table)] if by is None else list(table.groupby(by, sort=True))
    for name, g in groups:
        g = g.sort_values(wave, key=lambda s: s.astype(str))
        _trend_line(ax, g[wave].astype(str).map(x_of).to_numpy(), g, name, kwargs)
    ax.set_xticks(range(len(waves)), waves)
    if by is not None:
        ax.legend(frameon=False, fontsize=8)
    if ylabel:
        ax.set_ylabel(ylabel)
    return _finish(ax, title)


def _trend_line(ax: Axes, x: np.ndarray, g: pd.DataFrame, name, kwargs: dict) -> None:
    """One group's line, its confidence band, and triangles on its significant changes."""
    value = g["value"].to_numpy()
    line = ax.plot(x, g["value"], marker="o", label=None if name is None else str(name), **kwargs)
    colour = line[0].get_color()
    ax.fill_between(x, g["ci_low"], g["ci_high"], color=colour, alpha=0.15, linewidth=0)
    sig = g["significant"].to_numpy(bool)
    change = g["change"].to_numpy()
    for marker, moved in (("^", sig & (change > 0)), ("v", sig & (change < 0))):
        ax.scatter(x[moved], value[moved], marker=marker, s=120, color=colour, zorder=3)


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
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        One bar segment per item and answer, its width the percent.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> t = pd.DataFrame({"item": ["q"] * 3, "answer": [1, 2, 3], "percent": [20.0, 30.0, 50.0]})
    >>> ax = plot_likert(t, ax=Figure().subplots())
    >>> [(float(p.get_x()), float(p.get_width())) for p in ax.patches]
    [(-35.0, 20.0), (-15.0, 30.0), (15.0, 50.0)]
    """
    ax = _axes(ax)
    wide = table.pivot_table(
        index="item", columns="answer", values="percent", aggfunc="sum", sort=False
    ).fillna(0.0)
    answers = sorted(wide.columns)
    mid = (answers[0] + answers[-1]) / 2
    neg = [a for a in answers if a < mid]
    colors = plt.get_cmap("RdBu")(np.linspace(0.1, 0.9, len(answers)))
    if mid in answers:
        # The diverging map's white would vanish.
        colors[answers.index(mid)] = mpl.colors.to_rgba("#c8c8c8")
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
    return _finish(ax, title, pad=24)


def plot_importance(
    table: pd.DataFrame,
    *,
    labels: dict | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    lang: str = "zh",
    **kwargs,
) -> Axes:
    """Share of R² per driver with its bootstrap interval (the output of :func:`cxlab.drivers.relative_importance`).

    Parameters
    ----------
    table : pandas.DataFrame
        ``driver``, ``importance``, ``share`` and optionally ``ci_low``, ``ci_high`` (of
        ``importance``; drawn rescaled to the share).
    labels : dict, optional
        Driver -> label.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    lang : {"zh", "en"}
        Language of the x label.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes
        One bar per driver, the largest share on top.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> t = pd.DataFrame({"driver": ["a", "b"], "importance": [0.3, 0.1], "share": [75.0, 25.0]})
    >>> ax = plot_importance(t, ax=Figure().subplots(), lang="en")
    >>> [float(p.get_width()) for p in ax.patches], ax.get_xlabel()
    ([25.0, 75.0], 'Share of R² (%)')
    """
    ax = _axes(ax)
    t = table.sort_values("share", ascending=True)
    y = np.arange(len(t))
    kwargs.setdefault("color", PALETTE["bar"])
    xerr = None
    if "ci_low" in t:
        scale = t["share"] / t["importance"]
        xerr = np.vstack([t["share"] - t["ci_low"] * scale, t["ci_high"] * scale - t["share"]])
    ax.barh(y, t["share"], xerr=xerr, capsize=3, **kwargs)
    ax.set_yticks(y, [(labels or {}).get(d, d) for d in t["driver"]])
    ax.set_xlabel(msg("plot.share_r2", lang))
    return _finish(ax, title)


#: Where each quadrant's name is written (axes fraction x, y, alignment), performance on x.
QUADRANT_CORNERS = {
    "concentrate here": (0.02, 0.98, "left", "top"),
    "keep up the good work": (0.98, 0.98, "right", "top"),
    "low priority": (0.02, 0.02, "left", "bottom"),
    "possible overkill": (0.98, 0.02, "right", "bottom"),
}


def plot_quadrants(
    table,
    *,
    x: str = "performance",
    y: str = "importance",
    label: str = "driver",
    labels: dict | None = None,
    crosshair=None,
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    lang: str = "zh",
    **kwargs,
) -> Axes:
    """Importance x performance scatter with crosshair lines and quadrant names.

    Parameters
    ----------
    table : cxlab.quadrants.ImportancePerformance or pandas.DataFrame
        A result with ``points`` (one row per attribute) and ``crosshair`` (one row:
        ``importance``, ``performance``), as :func:`cxlab.quadrants.importance_performance`
        returns; or the points alone, with ``crosshair`` given.
    x, y : str
        Columns on the axes.
    label : str
        Column that names each point (``"driver"``, ``"attribute"``).
    labels : dict, optional
        Value of ``label`` -> text.
    crosshair : (importance, performance) or pandas.DataFrame, optional
        Where the axes are split; default: ``table.crosshair``.
    ax : matplotlib.axes.Axes, optional
    title, xlabel, ylabel : str, optional
        The axis labels default to "performance" and "importance" in ``lang``.
    lang : {"zh", "en"}
        Language of the quadrant names (catalogue ``quadrant.<code>``) and default labels.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.scatter`.

    Returns
    -------
    matplotlib.axes.Axes
        One point per attribute; a dashed vertical line at the performance crosshair and a
        horizontal one at the importance crosshair.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from cxlab.quadrants import importance_performance
    >>> r = importance_performance(pd.DataFrame({"driver": ["a", "b"],
    ...     "importance": [0.5, 0.1], "performance": [3.0, 4.0]}))
    >>> ax = plot_quadrants(r, ax=Figure().subplots(), lang="en")
    >>> ax.collections[0].get_offsets()[:, 0].tolist(), ax.lines[0].get_xdata()[0]
    ([3.0, 4.0], 3.5)
    >>> ax.texts[-4].get_text()
    'Concentrate here'
    """
    check_lang(lang)
    points, (ci, cp) = _points_and_crosshair(table, crosshair)
    ax = _axes(ax)
    kwargs.setdefault("color", PALETTE["bar"])
    ax.scatter(points[x], points[y], zorder=3, **kwargs)
    for _, r in points.iterrows():
        ax.annotate(
            (labels or {}).get(r[label], r[label]),
            (r[x], r[y]),
            xytext=(4, 3),
            textcoords="offset points",
            fontsize=8,
        )
    ax.axvline(cp, color="grey", linestyle="--", linewidth=0.8)
    ax.axhline(ci, color="grey", linestyle="--", linewidth=0.8)
    _corner_names(ax, {msg(f"quadrant.{k}", lang): c for k, c in QUADRANT_CORNERS.items()})
    ax.set_xlabel(xlabel or msg("plot.performance", lang))
    ax.set_ylabel(ylabel or msg("plot.importance", lang))
    return _finish(ax, title)


def _points_and_crosshair(table, crosshair) -> tuple[pd.DataFrame, tuple[float, float]]:
    """The points to draw and the (importance, performance) crosshair of a quadrant result."""
    points = getattr(table, "points", table)
    if crosshair is None:
        crosshair = getattr(table, "crosshair", None)
    if crosshair is None:
        raise ValueError(
            "plot_quadrants needs a crosshair: pass the result of "
            "cxlab.quadrants.importance_performance (with .points and .crosshair), or "
            "crosshair=(importance, performance)."
        )
    if isinstance(crosshair, pd.DataFrame):
        crosshair = (crosshair["importance"].iloc[0], crosshair["performance"].iloc[0])
    ci, cp = crosshair
    return points, (float(ci), float(cp))


def _corner_names(ax: Axes, corners: dict) -> None:
    """Grey names in the corners of the Axes: text -> (x, y, ha, va) in axes fractions."""
    for text, (tx, ty, ha, va) in corners.items():
        ax.text(tx, ty, text, transform=ax.transAxes, ha=ha, va=va, color="#888888", fontsize=9)


def plot_penalty_reward(
    table: pd.DataFrame,
    *,
    labels: dict | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    lang: str = "zh",
) -> Axes:
    """Penalty (left) and reward (right) per driver (the output of :func:`cxlab.drivers.penalty_reward`).

    Parameters
    ----------
    table : pandas.DataFrame
        ``driver``, ``penalty``, ``reward``.
    labels : dict, optional
        Driver -> label.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    lang : {"zh", "en"}
        Language of the legend and x label.

    Returns
    -------
    matplotlib.axes.Axes
        Penalty bars (one per driver, first driver on top), then reward bars.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> t = pd.DataFrame({"driver": ["a", "b"], "penalty": [-0.5, -0.1], "reward": [0.1, 0.4]})
    >>> ax = plot_penalty_reward(t, ax=Figure().subplots())
    >>> [float(p.get_width()) for p in ax.patches]
    [-0.1, -0.5, 0.4, 0.1]
    """
    ax = _axes(ax)
    t = table.iloc[::-1]
    y = np.arange(len(t))
    ax.barh(y, t["penalty"], color=PALETTE["detractors"], label=msg("plot.penalty", lang))
    ax.barh(y, t["reward"], color=PALETTE["promoters"], label=msg("plot.reward", lang))
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [(labels or {}).get(d, d) for d in t["driver"]])
    ax.legend(frameon=False, fontsize=8)
    ax.set_xlabel(msg("plot.effect", lang))
    return _finish(ax, title)


#: Where each Kano category's name is written: attractive top left, one-dimensional top
#: right, must-be bottom right, indifferent bottom left.
KANO_CORNERS = {
    "A": (0.02, 0.98, "left", "top"),
    "O": (0.98, 0.98, "right", "top"),
    "M": (0.98, 0.02, "right", "bottom"),
    "I": (0.02, 0.02, "left", "bottom"),
}


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

    Parameters
    ----------
    table : pandas.DataFrame
        ``feature``, ``better``, ``worse``.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    lang : {"zh", "en"}
        Language of the category names (catalogue ``category.<code>``, else the letter) and
        axis labels.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.scatter`.

    Returns
    -------
    matplotlib.axes.Axes
        One point per feature at (|worse|, better).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> t = pd.DataFrame({"feature": ["app"], "better": [0.7], "worse": [-0.2]})
    >>> ax = plot_kano(t, ax=Figure().subplots(), lang="en")
    >>> ax.collections[0].get_offsets().tolist(), ax.get_xlabel()
    ([[0.2, 0.7]], 'Dissatisfaction when absent |Worse|')
    """
    ax = _axes(ax)
    kwargs.setdefault("color", PALETTE["bar"])
    x, y = table["worse"].abs(), table["better"]
    ax.scatter(x, y, zorder=3, **kwargs)
    for xi, yi, name in zip(x, y, table["feature"], strict=True):
        ax.annotate(str(name), (xi, yi), xytext=(4, 3), textcoords="offset points", fontsize=9)
    ax.axvline(0.5, color="grey", linestyle="--", linewidth=0.8)
    ax.axhline(0.5, color="grey", linestyle="--", linewidth=0.8)
    names = _words(KANO_CORNERS, "category", lang)
    _corner_names(ax, dict(zip(names, KANO_CORNERS.values(), strict=True)))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(msg("plot.worse", lang))
    ax.set_ylabel(msg("plot.better", lang))
    return _finish(ax, title)


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

    Each touchpoint is a cell coloured by ``value``; the line joins the stage means
    (touchpoint means averaged within a stage); the weakest touchpoint of each stage is
    outlined.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`cxlab.journey.touchpoints` (no group columns): ``stage``,
        ``touchpoint``, ``value`` and optionally ``weakest``.
    labels : dict, optional
        Touchpoint -> label.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    value : str
        The column that colours the cells and is written in them.
    cmap : str
        A matplotlib colour map.
    lang : {"zh", "en"}
        Language of the curve's axis label.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` for the stage curve.

    Returns
    -------
    matplotlib.axes.Axes
        The strip; the stage curve is on its twin Axes.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> t = pd.DataFrame({"stage": ["买", "买", "用"], "touchpoint": ["a", "b", "c"],
    ...                   "mean": [3.5, 4.25, 4.0], "weakest": [True, False, True]})
    >>> ax = plot_journey(t, ax=Figure().subplots())
    >>> [x.get_text() for x in ax.texts if "." in x.get_text()]
    ['3.50', '4.25', '4.00']
    """
    ax = _axes(ax)
    t = table.reset_index(drop=True)
    vals = t[value].to_numpy(float)
    _journey_cells(ax, t, vals, value=value, labels=labels or {}, cmap=cmap)
    centres, means = _stage_means(ax, t, vals)
    ax2 = ax.twinx()
    kwargs.setdefault("color", "#1d3557")
    ax2.plot(centres, means, marker="o", **kwargs)
    ax2.set_ylabel(msg("plot.stage_mean", lang))
    ax.set_xlim(0, len(t))
    ax.set_ylim(0, 1.3)
    ax.set_yticks([])
    ax.set_xticks([])
    return _finish(ax, title, pad=18)


def _journey_cells(
    ax: Axes, t: pd.DataFrame, vals: np.ndarray, *, value: str, labels: dict, cmap: str
) -> None:
    """One coloured cell per touchpoint with its label and value; the weakest outlined."""
    from matplotlib.patches import Rectangle

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
        name = labels.get(r["touchpoint"], r["touchpoint"])
        ax.text(i + 0.5, 0.62, name, ha="center", va="center", fontsize=8)
        ax.text(
            i + 0.5, 0.32, f"{r[value]:.2f}", ha="center", va="center", fontsize=9, weight="bold"
        )


def _stage_means(ax: Axes, t: pd.DataFrame, vals: np.ndarray) -> tuple[list, list]:
    """Stage names above their cells; the x centre and mean value of each stage."""
    centres, means = [], []
    for st in dict.fromkeys(t["stage"]):
        idx = np.flatnonzero(t["stage"].to_numpy() == st)
        ax.text(idx.mean() + 0.5, 1.08, st, ha="center", va="bottom", fontsize=10, weight="bold")
        centres.append(idx.mean() + 0.5)
        means.append(vals[idx].mean())
    return centres, means


def plot_funnel(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    lang: str = "zh",
    **kwargs,
) -> Axes:
    """Funnel chart: customers reaching each step, with conversion from the previous step.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`cxlab.journey.funnel` for one group: ``step``, ``customers``,
        ``conversion_from_previous``.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    lang : {"zh", "en"}
        Punctuation of the bar texts (catalogue ``plot.funnel_step``).
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes
        One centred bar per step, its width the customers.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> t = pd.DataFrame({"step": ["访问", "下单"], "customers": [200, 50],
    ...                   "conversion_from_previous": [np.nan, 0.25]})
    >>> ax = plot_funnel(t, ax=Figure().subplots(), lang="en")
    >>> [float(p.get_width()) for p in ax.patches], ax.texts[1].get_text()
    ([200.0, 50.0], '50 (25%)')
    """
    ax = _axes(ax)
    t = table.reset_index(drop=True)
    y = np.arange(len(t))
    width = t["customers"].to_numpy(float)
    kwargs.setdefault("color", PALETTE["bar"])
    ax.barh(y, width, left=(width.max() - width) / 2, **kwargs)
    for i, r in t.iterrows():
        customers = int(r["customers"])
        text = (
            msg(
                "plot.funnel_step",
                lang,
                customers=customers,
                conversion=100 * r["conversion_from_previous"],
            )
            if i
            else f"{customers:,}"
        )
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
    return _finish(ax, title)


def plot_peak_end(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    lang: str = "zh",
    **kwargs,
) -> Axes:
    """R² of the mean, peak-end and combined models (the output of :func:`cxlab.journey.peak_end`).

    Parameters
    ----------
    table : pandas.DataFrame
        ``model``, ``r2``, ``delta_aic``, ``best``.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    lang : {"zh", "en"}
        Language of the model names (catalogue ``model.<code>``, else the code).
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.bar`.

    Returns
    -------
    matplotlib.axes.Axes
        One bar per model, its height R²; the best model's bar in green.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> t = pd.DataFrame({"model": ["mean", "peak_end"], "r2": [0.3, 0.4],
    ...                   "delta_aic": [12.0, 0.0], "best": [False, True]})
    >>> ax = plot_peak_end(t, ax=Figure().subplots(), lang="en")
    >>> [float(p.get_height()) for p in ax.patches], ax.texts[0].get_text().split()
    ([0.3, 0.4], ['R²=0.300', 'ΔAIC=12'])
    """
    ax = _axes(ax)
    names = _words(table["model"], "model", lang)
    colours = [PALETTE["promoters"] if b else PALETTE["bar"] for b in table["best"]]
    ax.bar(names, table["r2"], color=colours, **kwargs)
    for i, (r2, d) in enumerate(zip(table["r2"], table["delta_aic"], strict=True)):
        ax.text(i, r2, f"R²={r2:.3f}\nΔAIC={d:.0f}", ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("R²")
    ax.set_ylim(0, min(1, table["r2"].max() * 1.25))
    return _finish(ax, title)


def plot_topics(
    table: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None, lang: str = "zh"
) -> Axes:
    """Share of comments per topic, the negative part in red (the output of :func:`cxlab.text.topic_summary`, one group).

    Parameters
    ----------
    table : pandas.DataFrame
        ``label`` (the topic's name), ``share`` and ``negative_share`` (percent of the topic's
        comments).
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    lang : {"zh", "en"}
        Language of the legend and x label.

    Returns
    -------
    matplotlib.axes.Axes
        Per topic (largest at the top) a negative bar from 0 and the rest after it; the two
        add up to ``share``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> t = pd.DataFrame({"label": ["物流", "价格"], "share": [40.0, 10.0],
    ...                   "negative_share": [50.0, 0.0]})
    >>> ax = plot_topics(t, ax=Figure().subplots())
    >>> [float(p.get_width()) for p in ax.patches]
    [10.0, 20.0, 0.0, 20.0]
    """
    ax = _axes(ax)
    t = table.sort_values("share")
    y = np.arange(len(t))
    neg = (t["share"] * t["negative_share"].fillna(0) / 100).to_numpy()
    ax.barh(
        y, t["share"] - neg, left=neg, color=PALETTE["bar"], label=msg("plot.not_negative", lang)
    )
    ax.barh(y, neg, color=PALETTE["detractors"], label=msg("plot.negative", lang))
    ax.set_yticks(y, t["label"])
    ax.set_xlabel(msg("plot.topic_share", lang))
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    return _finish(ax, title)

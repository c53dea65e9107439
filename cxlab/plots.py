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

__all__ = ["CJK_FONT", "plot_estimates", "plot_nps", "use_cjk_font"]

#: The face used for Chinese text; the collection's SC face also covers traditional characters.
CJK_FONT = "Noto Sans CJK SC"
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


def _label(group_cols: Sequence[str], table: pd.DataFrame) -> list[str]:
    return [
        " / ".join("（缺失）" if pd.isna(v) else str(v) for v in row)
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
    labels = _label(by, table)
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

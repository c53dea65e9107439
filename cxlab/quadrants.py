"""Importance x performance quadrants, shared by IPA (cxlab.gaps) and the driver matrix (cxlab.drivers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["QUADRANTS", "quadrant"]

#: Quadrant keys (Martilla & James, 1977) and their Chinese labels.
QUADRANTS = {
    "concentrate here": "重点改进",
    "keep up the good work": "继续保持",
    "low priority": "次要改进",
    "possible overkill": "可能过度投入",
}


def quadrant(
    importance: pd.Series, performance: pd.Series, *, crosshair: str | tuple[float, float] = "mean"
) -> tuple[pd.Series, float, float]:
    """The IPA quadrant of each attribute.

    Parameters
    ----------
    importance, performance : pandas.Series
        One value per attribute.
    crosshair : {"mean", "median"} or (importance, performance)
        Where the axes are split: the mean or median of the attributes
        (data-centred, as Martilla & James recommend), or fixed values
        (e.g. the scale midpoint).

    Returns
    -------
    (pandas.Series, float, float)
        The quadrant key per attribute (see :data:`QUADRANTS`), and the
        importance and performance crosshair values. An attribute exactly on
        a crosshair counts as high.
    """
    if isinstance(crosshair, tuple):
        ci, cp = crosshair
    elif crosshair in ("mean", "median"):
        ci, cp = getattr(importance, crosshair)(), getattr(performance, crosshair)()
    else:
        raise ValueError(
            f"`crosshair` should be 'mean', 'median' or (importance, performance), not {crosshair!r}."
        )
    hi_imp, hi_perf = importance >= ci, performance >= cp
    q = np.select(
        [hi_imp & ~hi_perf, hi_imp & hi_perf, ~hi_imp & ~hi_perf],
        ["concentrate here", "keep up the good work", "low priority"],
        "possible overkill",
    )
    return pd.Series(q, index=importance.index), float(ci), float(cp)

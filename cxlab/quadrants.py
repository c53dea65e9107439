"""Importance x performance: the one quadrant analysis behind IPA (cxlab.gaps) and the driver
matrix (cxlab.drivers)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["QUADRANTS", "ImportancePerformance", "importance_performance", "quadrant"]

#: Quadrant codes (Martilla & James, 1977), in reading order; words: messages ``quadrant.<code>``.
QUADRANTS = ("concentrate here", "keep up the good work", "low priority", "possible overkill")


@dataclass(frozen=True)
class ImportancePerformance:
    """The result of :func:`importance_performance`.

    Attributes
    ----------
    points : pandas.DataFrame
        The input rows with ``quadrant`` (a code of :data:`QUADRANTS`) and ``priority`` (1, 2, ...
        for the rows in "concentrate here", most important first; NaN otherwise).
    crosshair : pandas.DataFrame
        One row: ``importance`` and ``performance``, where the axes are split.
    """

    points: pd.DataFrame
    crosshair: pd.DataFrame


def quadrant(
    importance: pd.Series, performance: pd.Series, *, crosshair: str | tuple[float, float] = "mean"
) -> tuple[pd.Series, float, float]:
    """The IPA quadrant of each attribute.

    Parameters
    ----------
    importance, performance : pandas.Series
        One value per attribute.
    crosshair : {"mean", "median"} or (importance, performance)
        Where the axes are split: the mean or median of the attributes (data-centred, as
        Martilla & James recommend), or fixed values (e.g. the scale midpoint).

    Returns
    -------
    (pandas.Series, float, float)
        The quadrant code per attribute (see :data:`QUADRANTS`), and the importance and
        performance crosshair values. An attribute exactly on a crosshair counts as high.

    Examples
    --------
    >>> q, ci, cp = quadrant(pd.Series([0.5, 0.1]), pd.Series([3.0, 4.0]))
    >>> q.tolist(), ci, cp
    (['concentrate here', 'possible overkill'], 0.3, 3.5)
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
        list(QUADRANTS[:3]),
        QUADRANTS[3],
    )
    return pd.Series(q, index=importance.index), float(ci), float(cp)


def importance_performance(
    points: pd.DataFrame, *, crosshair: str | tuple[float, float] = "mean"
) -> ImportancePerformance:
    """Quadrants and the "fix first" order of attributes placed by importance and performance.

    Parameters
    ----------
    points : pandas.DataFrame
        One row per attribute with at least ``importance`` and ``performance`` columns.
    crosshair : {"mean", "median"} or (importance, performance)
        See :func:`quadrant`.

    Returns
    -------
    ImportancePerformance
        ``points`` (a copy, with ``quadrant`` and ``priority``) and ``crosshair``.

    Notes
    -----
    Martilla & James (1977). Priority ranks the attributes of "concentrate here" (important,
    performing below the crosshair) by importance.

    Examples
    --------
    >>> t = pd.DataFrame({"attribute": ["a", "b", "c"], "importance": [0.5, 0.4, 0.1],
    ...                   "performance": [3.0, 3.2, 4.0]})
    >>> r = importance_performance(t)
    >>> r.points[["attribute", "quadrant", "priority"]].to_dict("list")
    {'attribute': ['a', 'b', 'c'], 'quadrant': ['concentrate here', 'concentrate here', \
'possible overkill'], 'priority': [1.0, 2.0, nan]}
    """
    out = points.copy()
    out["quadrant"], ci, cp = quadrant(out["importance"], out["performance"], crosshair=crosshair)
    fix = out[out["quadrant"] == QUADRANTS[0]].sort_values("importance", ascending=False)
    out["priority"] = pd.Series(np.arange(1, len(fix) + 1), index=fix.index, dtype=float)
    return ImportancePerformance(
        points=out, crosshair=pd.DataFrame({"importance": [ci], "performance": [cp]})
    )

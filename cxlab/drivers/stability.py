"""Driver importance across waves (with its uncertainty), and the importance x performance matrix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.drivers.importance import importance_table
from cxlab.drivers.modeldata import model_data
from cxlab.quadrants import ImportancePerformance, importance_performance

__all__ = ["Stability", "driver_matrix", "driver_stability"]


@dataclass(frozen=True)
class Stability:
    """The result of :func:`driver_stability`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per wave and driver (see :func:`driver_stability`).
    fit : pandas.DataFrame
        One row per wave: the wave (named as the wave column), ``n`` (respondents with the
        outcome and every driver), ``n_used`` (those with a weight above 0), ``n_excluded``
        (left out listwise), ``r2``.
    """

    table: pd.DataFrame
    fit: pd.DataFrame


def _ranks(imp: np.ndarray) -> np.ndarray:
    """Rank of each driver (1 = most important) along the last axis; ties in driver order."""
    order = np.argsort(-imp, axis=-1, kind="stable")
    return np.argsort(order, axis=-1, kind="stable") + 1


def driver_stability(
    df: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    wave: str,
    *,
    method: str = "shapley",
    weight: str | None = None,
    n_boot: int = 500,
    alpha: float = 0.05,
    seed: int | None = None,
    progress: bool | None = None,
) -> Stability:
    """Relative importance per wave, and whether a driver's importance or rank changed.

    Parameters
    ----------
    df : pandas.DataFrame
    outcome : str
        The outcome column.
    drivers : list of str
        Driver columns; respondents missing any of them (or the outcome, or the wave) are
        left out listwise and counted.
    wave : str
        Wave column; waves sort as text.
    method : {"shapley", "johnson"}
        As in :func:`cxlab.drivers.relative_importance`.
    weight : str, optional
        Weight column; the weight rule of :mod:`cxlab.checks` applies.
    n_boot : int
        Resamples per wave (at least 100 for the change tests to mean much; 0: importance
        and changes without intervals or tests).
    alpha : float
        Significance level of the intervals and change tests.
    seed : int, optional
        Seed of the bootstrap (each wave draws from its own spawned stream).
    progress : bool, optional
        Show a progress bar per wave.

    Returns
    -------
    Stability
        ``table``: one row per wave and driver, the wave (named as the column), ``driver``,
        ``importance``, ``share``, ``rank``, and against the previous wave (NaN for the
        first): ``change``, ``rank_change``. With ``n_boot > 0`` also ``ci_low``,
        ``ci_high``, ``rank_ci_low``, ``rank_ci_high``, ``change_ci_low``,
        ``change_ci_high``, ``change_significant``, ``rank_change_ci_low``,
        ``rank_change_ci_high``, ``rank_significant`` (False for the first wave).
        ``fit``: one row per wave, the wave, ``n``, ``n_used``, ``n_excluded``, ``r2``.

    Notes
    -----
    Waves are independent samples, so pairing the b-th resample of one wave
    with the b-th of the next draws from the distribution of the difference;
    a change is significant when its percentile interval excludes 0.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5] * 8, "b": [2, 1, 4, 3, 5, 3, 2, 5, 4, 1] * 4,
    ...                    "wave": ["W1"] * 20 + ["W2"] * 20})
    >>> df["y"] = np.where(df["wave"] == "W1", df["a"], df["b"]) + [0, 1, 0, -1] * 10
    >>> st = driver_stability(df, "y", ["a", "b"], "wave", n_boot=0)
    >>> st.table[["wave", "driver", "rank", "rank_change"]].to_dict("list")
    {'wave': ['W1', 'W1', 'W2', 'W2'], 'driver': ['a', 'b', 'a', 'b'], 'rank': [1, 2, 2, 1], \
'rank_change': [nan, nan, 1.0, -1.0]}
    >>> st.fit[["wave", "n", "n_used"]].to_dict("list")
    {'wave': ['W1', 'W2'], 'n': [20, 20], 'n_used': [20, 20]}
    """
    if n_boot < 0:
        raise ValueError(f"`n_boot` should be 0 or a positive number of resamples, not {n_boot}.")
    used = model_data(df, outcome, drivers, weight=weight, extra=[wave]).index
    waves = sorted(df.loc[used, wave].astype(str).unique())
    labels = df[wave].astype(str).where(df[wave].notna())
    tables, fits, prev = [], [], None
    for wv, ss in zip(waves, np.random.SeedSequence(seed).spawn(len(waves)), strict=True):
        md = model_data(df[labels == wv], outcome, drivers, weight=weight)
        t, reps = importance_table(
            md, method=method, n_boot=n_boot, alpha=alpha, seed=ss, progress=progress, desc=wv
        )
        cur = _with_ranks(t, reps, alpha)
        tables.append(_with_changes(t, cur, prev, alpha).assign(**{wave: wv}))
        fits.append({wave: wv, **md.bases(), "r2": float(t["importance"].sum())})
        prev = cur
    table = pd.concat(tables, ignore_index=True)
    return Stability(table=table[[wave, *table.columns[:-1]]], fit=pd.DataFrame(fits))


def _with_ranks(t: pd.DataFrame, reps: np.ndarray, alpha: float) -> tuple:
    """Set ``rank`` (ties in driver order) and its interval on ``t``; return what the next wave
    compares with: (importance, replicates, rank, replicate ranks)."""
    imp = t["importance"].to_numpy()
    rank, rank_reps = _ranks(imp), _ranks(reps)
    t["rank"] = rank
    if len(reps):
        t["rank_ci_low"] = np.quantile(rank_reps, alpha / 2, axis=0)
        t["rank_ci_high"] = np.quantile(rank_reps, 1 - alpha / 2, axis=0)
    return imp, reps, rank, rank_reps


def _with_changes(t: pd.DataFrame, cur: tuple, prev: tuple | None, alpha: float) -> pd.DataFrame:
    """Add the change columns against the previous wave (NaN / False for the first wave)."""
    imp, reps, rank, rank_reps = cur
    boot = len(reps) > 0
    if prev is None:
        t["change"] = np.nan
        if boot:
            t["change_ci_low"] = t["change_ci_high"] = np.nan
        t["rank_change"] = np.nan
        if boot:
            t["rank_change_ci_low"] = t["rank_change_ci_high"] = np.nan
            t["change_significant"] = t["rank_significant"] = False
        return t
    p_imp, p_reps, p_rank, p_rank_reps = prev
    lo, hi = alpha / 2, 1 - alpha / 2
    t["change"] = imp - p_imp
    if boot:
        diff = reps - p_reps
        t["change_ci_low"] = np.quantile(diff, lo, axis=0)
        t["change_ci_high"] = np.quantile(diff, hi, axis=0)
    t["rank_change"] = (rank - p_rank).astype(float)
    if boot:
        rdiff = rank_reps - p_rank_reps
        t["rank_change_ci_low"] = np.quantile(rdiff, lo, axis=0)
        t["rank_change_ci_high"] = np.quantile(rdiff, hi, axis=0)
        t["change_significant"] = ~((t["change_ci_low"] <= 0) & (0 <= t["change_ci_high"]))
        t["rank_significant"] = ~((t["rank_change_ci_low"] <= 0) & (0 <= t["rank_change_ci_high"]))
    return t


def driver_matrix(
    df: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    weight: str | None = None,
    method: str = "shapley",
    crosshair: str | tuple[float, float] = "mean",
) -> ImportancePerformance:
    """Importance x performance of each driver, its quadrant and the "fix first" order.

    Parameters
    ----------
    df : pandas.DataFrame
    outcome : str
        The outcome column.
    drivers : list of str
        Driver columns (ratings on one scale); respondents missing any of them (or the
        outcome) are left out listwise.
    weight : str, optional
        Weight column; the weight rule of :mod:`cxlab.checks` applies.
    method : {"shapley", "johnson"}
        Relative-importance method, as in :func:`cxlab.drivers.relative_importance`.
    crosshair : {"mean", "median"} or (importance, performance)
        Where the axes are split (see :func:`cxlab.quadrants.quadrant`).

    Returns
    -------
    cxlab.quadrants.ImportancePerformance
        ``points``: one row per driver, ``driver``, ``importance`` (share of R², percent),
        ``performance`` (weighted mean rating), ``n`` (respondents with the outcome and every
        driver), ``n_used`` (those with a weight above 0), ``quadrant`` (codes of
        :data:`cxlab.quadrants.QUADRANTS`) and ``priority`` (1, 2, ... for the drivers in
        "concentrate here", most important first; NaN otherwise). ``crosshair``: one row,
        ``importance`` and ``performance``.

    Notes
    -----
    Derived importance (relative importance of the driver regression) against
    mean performance, split at the mean of each axis by default (Martilla &
    James, 1977).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5] * 4, "b": [2, 1, 4, 3, 5, 3, 2, 5, 4, 1] * 2})
    >>> df["y"] = df["a"] + df["b"] // 2 + [0, 1, 0, -1] * 5
    >>> m = driver_matrix(df, "y", ["a", "b"], crosshair=(50, 3.5))
    >>> m.points[["driver", "importance", "quadrant", "priority"]].round(1).to_dict("list")
    {'driver': ['a', 'b'], 'importance': [69.6, 30.4], 'quadrant': ['concentrate here', \
'low priority'], 'priority': [1.0, nan]}
    >>> m.crosshair.to_dict("records")
    [{'importance': 50.0, 'performance': 3.5}]
    """
    md = model_data(df, outcome, drivers, weight=weight)
    table, _ = importance_table(md, method=method)
    points = pd.DataFrame(
        {
            "driver": table["driver"],
            "importance": table["share"],
            "performance": np.average(md.x, axis=0, weights=md.w),
            "n": md.n,
            "n_used": md.n_used,
        }
    )
    return importance_performance(points, crosshair=crosshair)

"""Driver importance across waves (with its uncertainty), and the importance x performance matrix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxlab.drivers._data import model_data, weighted_corr
from cxlab.drivers.importance import bootstrap_importance, importance_of, relative_importance
from cxlab.quadrants import quadrant

__all__ = ["driver_matrix", "driver_stability"]


def _ranks(imp: np.ndarray) -> np.ndarray:
    """Rank of each driver (1 = most important) along the last axis."""
    order = np.argsort(-imp, axis=-1, kind="stable")
    return np.argsort(order, axis=-1, kind="stable") + 1


def driver_stability(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    wave: str,
    *,
    method: str = "shapley",
    weight: str | None = None,
    bootstrap: int = 500,
    alpha: float = 0.05,
    seed: int | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Relative importance per wave, and whether a driver's importance or rank changed.

    Parameters
    ----------
    wave : str
        Wave column; waves sort as text.
    bootstrap : int
        Resamples per wave (at least 100 for the change tests to mean much).

    Returns
    -------
    pandas.DataFrame
        One row per wave and driver: ``wave`` (named as the column),
        ``driver``, ``n``, ``importance``, ``share``, ``rank``, ``ci_low``,
        ``ci_high``, ``rank_ci_low``, ``rank_ci_high``, and against the
        previous wave (NaN for the first): ``change``, ``change_ci_low``,
        ``change_ci_high``, ``change_significant``, ``rank_change``,
        ``rank_change_ci_low``, ``rank_change_ci_high``, ``rank_significant``.

    Notes
    -----
    Waves are independent samples, so pairing the b-th resample of one wave
    with the b-th of the next draws from the distribution of the difference;
    a change is significant when its percentile interval excludes 0.
    """
    if bootstrap < 1:
        raise ValueError("`bootstrap` should be a positive number of resamples.")
    md_all = model_data(data, outcome, drivers, weight, extra=[wave])
    waves = sorted(data.loc[md_all.index, wave].astype(str).unique())
    seeds = np.random.SeedSequence(seed).spawn(len(waves))
    rows, prev = [], None
    for wv, ss in zip(waves, seeds, strict=True):
        subset = data.loc[md_all.index][data.loc[md_all.index, wave].astype(str) == wv]
        md = model_data(subset, outcome, drivers, weight)
        z = np.column_stack([md.x, md.y])
        imp = importance_of(weighted_corr(z, md.w)[None], method)[0]
        reps = bootstrap_importance(
            z, md.w, method, bootstrap, np.random.default_rng(ss), progress=progress, desc=f"{wv}"
        )
        rank, rank_reps = _ranks(imp), _ranks(reps)
        lo, hi = alpha / 2, 1 - alpha / 2
        for j, d in enumerate(md.drivers):
            row = {
                wave: wv,
                "driver": d,
                "n": len(md.y),
                "importance": imp[j],
                "share": 100 * imp[j] / imp.sum(),
                "rank": int(rank[j]),
                "ci_low": np.quantile(reps[:, j], lo),
                "ci_high": np.quantile(reps[:, j], hi),
                "rank_ci_low": np.quantile(rank_reps[:, j], lo),
                "rank_ci_high": np.quantile(rank_reps[:, j], hi),
            }
            if prev is not None:
                p_imp, p_reps, p_rank, p_rank_reps = prev
                diff = reps[:, j] - p_reps[:, j]
                rdiff = rank_reps[:, j] - p_rank_reps[:, j]
                row.update(
                    change=imp[j] - p_imp[j],
                    change_ci_low=np.quantile(diff, lo),
                    change_ci_high=np.quantile(diff, hi),
                    rank_change=int(rank[j] - p_rank[j]),
                    rank_change_ci_low=np.quantile(rdiff, lo),
                    rank_change_ci_high=np.quantile(rdiff, hi),
                )
                row["change_significant"] = not row["change_ci_low"] <= 0 <= row["change_ci_high"]
                row["rank_significant"] = (
                    not row["rank_change_ci_low"] <= 0 <= row["rank_change_ci_high"]
                )
            rows.append(row)
        prev = (imp, reps, rank, rank_reps)
    out = pd.DataFrame(rows)
    for col, fill in (("change_significant", False), ("rank_significant", False)):
        out[col] = out[col].astype("boolean").fillna(fill).astype(bool) if col in out else False
    return out


def driver_matrix(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    weight: str | None = None,
    method: str = "shapley",
    crosshair: str | tuple[float, float] = "mean",
) -> pd.DataFrame:
    """Importance x performance of each driver, its quadrant and the "fix first" order.

    Returns
    -------
    pandas.DataFrame
        One row per driver: ``driver``, ``importance`` (share of R², percent),
        ``performance`` (weighted mean rating), ``quadrant`` (keys of
        :data:`cxlab.quadrants.QUADRANTS`) and ``priority`` (1, 2, ... for the
        drivers in "concentrate here", most important first; NaN otherwise).
        ``attrs`` holds the crosshair values.

    Notes
    -----
    Derived importance (relative importance of the driver regression) against
    mean performance, split at the mean of each axis by default (Martilla &
    James, 1977).
    """
    ri = relative_importance(data, outcome, drivers, method, weight=weight)
    md = model_data(data, outcome, drivers, weight)
    perf = np.average(md.x, axis=0, weights=md.w)
    out = pd.DataFrame({"driver": ri["driver"], "importance": ri["share"], "performance": perf})
    out["quadrant"], ci, cp = quadrant(out["importance"], out["performance"], crosshair=crosshair)
    fix = out[out["quadrant"] == "concentrate here"].sort_values("importance", ascending=False)
    out["priority"] = pd.Series(np.arange(1, len(fix) + 1), index=fix.index, dtype=float)
    out.attrs.update(importance_crosshair=ci, performance_crosshair=cp, r2=ri.attrs["r2"])
    return out

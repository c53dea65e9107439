"""Relative importance of drivers: exact Shapley (LMG) and Johnson's relative weights."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxlab.drivers._data import model_data, weighted_corr
from cxlab.drivers._subsets import all_subset_r2, shapley_from_r2

__all__ = ["bootstrap_importance", "relative_importance"]

METHODS = ("shapley", "johnson")


def _johnson(corr: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights for a batch of correlation matrices (outcome last)."""
    rxx, rxy = corr[:, :-1, :-1], corr[:, :-1, -1]
    vals, vecs = np.linalg.eigh(rxx)
    lam = (vecs * np.sqrt(np.clip(vals, 0, None))[:, None, :]) @ np.swapaxes(vecs, 1, 2)
    beta = np.linalg.solve(lam, rxy[..., None])[..., 0]
    return np.einsum("bjk,bk->bj", lam**2, beta**2)


def importance_of(corr: np.ndarray, method: str) -> np.ndarray:
    """Importance per driver for a batch of correlation matrices ``(B, p+1, p+1)`` -> ``(B, p)``."""
    if method not in METHODS:
        raise ValueError(f"`method` should be one of {METHODS}, not {method!r}.")
    if method == "johnson":
        return _johnson(corr)
    p = corr.shape[-1] - 1
    return shapley_from_r2(all_subset_r2(corr), p)


def bootstrap_importance(
    z: np.ndarray,
    w: np.ndarray | None,
    method: str,
    n_boot: int,
    rng: np.random.Generator,
    *,
    progress: bool | None = None,
    desc: str = "bootstrap",
) -> np.ndarray:
    """Importance in ``n_boot`` resamples of the rows of ``z`` (drivers, outcome last) -> ``(n_boot, p)``.

    Each resample draws n rows with replacement; weights travel with their rows.
    """
    from tqdm.auto import tqdm

    n = len(z)
    base = np.ones(n) if w is None else w
    out = []
    chunk = max(1, min(200, 2_000_000 // max(n * z.shape[1], 1)))
    with tqdm(
        total=n_boot, desc=desc, disable=None if progress is None else not progress, leave=False
    ) as bar:
        for start in range(0, n_boot, chunk):
            k = min(chunk, n_boot - start)
            counts = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(k)])
            wt = counts * base
            total = wt.sum(1)
            mean = wt @ z / total[:, None]
            cov = np.matmul(np.swapaxes(wt[:, :, None] * z[None], 1, 2), z) / total[:, None, None]
            cov -= mean[:, :, None] * mean[:, None, :]
            s = np.sqrt(np.einsum("bii->bi", cov))
            out.append(importance_of(cov / (s[:, :, None] * s[:, None, :]), method))
            bar.update(k)
    return np.concatenate(out)


def relative_importance(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    method: str = "shapley",
    *,
    weight: str | None = None,
    bootstrap: int = 0,
    alpha: float = 0.05,
    seed: int | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """How much of the outcome's explained variance each driver accounts for.

    Parameters
    ----------
    data : pandas.DataFrame
    outcome : str
        The outcome column (overall satisfaction, likelihood to recommend).
    drivers : list of str
        Driver columns; respondents missing any of them (or the outcome) are
        left out listwise and counted.
    method : {"shapley", "johnson"}
        Exact Shapley value of R² (= LMG), or Johnson's relative weights.
    weight : str, optional
        Weight column (a weighted correlation matrix is used).
    bootstrap : int
        Resamples for percentile intervals (0: none).
    alpha : float
        1 - confidence level of the intervals.
    seed : int, optional
        Seed of the bootstrap.
    progress : bool, optional
        Show a progress bar during the bootstrap (default: when on a terminal or in a notebook).

    Returns
    -------
    pandas.DataFrame
        One row per driver, in the order given: ``driver``, ``importance``
        (its part of R²; the parts sum to the model's R²), ``share`` (percent
        of R², sums to 100), ``rank`` (1 = most important) and, with
        ``bootstrap > 0``, ``ci_low``/``ci_high`` (importance, percentile
        interval). ``attrs`` holds ``r2``, ``n`` and ``n_excluded``.

    Notes
    -----
    Shapley / LMG (Lindeman, Merenda & Gold, 1980; Grömping, 2006): each
    driver's R² increment averaged over all p! orders of entry, computed
    exactly from the R² of all 2^p subsets, themselves read off the
    correlation matrix by sweep operations in Gray-code order (no refit on
    the rows); it equals R's ``relaimpo::calc.relimp(type = "lmg")``.
    Johnson (2000): with Rxx = QΛQ', Λ½ = QΛ^½Q', β = Λ½⁻¹ rxy and
    εⱼ = Σₖ (Λ½)ⱼₖ² βₖ².
    """
    md = model_data(data, outcome, drivers, weight)
    z = np.column_stack([md.x, md.y])
    corr = weighted_corr(z, md.w)
    imp = importance_of(corr[None], method)[0]
    r2 = float(imp.sum())
    out = pd.DataFrame({"driver": md.drivers, "importance": imp, "share": 100 * imp / r2})
    out["rank"] = out["importance"].rank(ascending=False, method="min").astype(int)
    if bootstrap:
        reps = bootstrap_importance(
            z, md.w, method, bootstrap, np.random.default_rng(seed), progress=progress
        )
        out["ci_low"] = np.quantile(reps, alpha / 2, axis=0)
        out["ci_high"] = np.quantile(reps, 1 - alpha / 2, axis=0)
    out.attrs.update(r2=r2, n=len(md.y), n_excluded=md.n_excluded, method=method)
    return out

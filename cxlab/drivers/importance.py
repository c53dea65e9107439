"""Relative importance of drivers: exact Shapley (LMG) and Johnson's relative weights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.drivers.modeldata import ModelData, model_data
from cxlab.drivers.subsets import all_subset_r2, shapley_from_r2
from cxlab.inference import weighted_corr

__all__ = [
    "METHODS",
    "Importance",
    "importance_of",
    "importance_table",
    "relative_importance",
]

#: Relative-importance methods: exact Shapley value of R² (= LMG), Johnson's relative weights.
METHODS = ("shapley", "johnson")


@dataclass(frozen=True)
class Importance:
    """The result of :func:`relative_importance`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per driver, in the order given: ``driver``, ``importance`` (its part of R²;
        the parts sum to the model's R²), ``share`` (percent of R², sums to 100), ``rank``
        (1 = most important) and, with ``n_boot > 0``, ``ci_low``/``ci_high`` (percentile
        interval of ``importance``).
    fit : pandas.DataFrame
        One row: ``outcome``, ``method``, ``r2``, ``n`` (respondents with the outcome and every
        driver), ``n_used`` (those with a weight above 0), ``n_excluded`` (left out listwise),
        ``n_boot``.
    """

    table: pd.DataFrame
    fit: pd.DataFrame


def _johnson(corr: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights for a batch of correlation matrices (outcome last)."""
    rxx, rxy = corr[:, :-1, :-1], corr[:, :-1, -1]
    vals, vecs = np.linalg.eigh(rxx)
    lam = (vecs * np.sqrt(np.clip(vals, 0, None))[:, None, :]) @ np.swapaxes(vecs, 1, 2)
    beta = np.linalg.solve(lam, rxy[..., None])[..., 0]
    return np.einsum("bjk,bk->bj", lam**2, beta**2)


def importance_of(corr: np.ndarray, *, method: str = "shapley") -> np.ndarray:
    """Importance of each driver for a batch of correlation matrices.

    Parameters
    ----------
    corr : numpy.ndarray, shape (B, p + 1, p + 1)
        Correlation matrices of the drivers and the outcome (outcome last).
    method : {"shapley", "johnson"}

    Returns
    -------
    numpy.ndarray, shape (B, p)
        Each driver's part of R² (see :func:`relative_importance`).

    Examples
    --------
    >>> corr = np.array([[[1.0, 0.5, 0.6], [0.5, 1.0, 0.3], [0.6, 0.3, 1.0]]])
    >>> importance_of(corr).round(4).tolist()
    [[0.315, 0.045]]
    >>> importance_of(corr, method="johnson").round(4).tolist()
    [[0.315, 0.045]]
    """
    if method not in METHODS:
        raise ValueError(f"`method` should be one of {METHODS}, not {method!r}.")
    if method == "johnson":
        return _johnson(corr)
    p = corr.shape[-1] - 1
    return shapley_from_r2(all_subset_r2(corr), p)


def _resample_corr(z: np.ndarray, base: np.ndarray, k: int, rng: np.random.Generator):
    """Weighted correlation matrices of ``k`` resamples of the rows of ``z`` -> ``(k, q, q)``."""
    n = len(z)
    counts = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(k)])
    wt = counts * base
    total = wt.sum(1)
    mean = wt @ z / total[:, None]
    cov = np.matmul(np.swapaxes(wt[:, :, None] * z[None], 1, 2), z) / total[:, None, None]
    cov -= mean[:, :, None] * mean[:, None, :]
    s = np.sqrt(np.einsum("bii->bi", cov))
    return cov / (s[:, :, None] * s[:, None, :])


def _bootstrap_importance(
    z: np.ndarray,
    *,
    w: np.ndarray | None = None,
    method: str = "shapley",
    n_boot: int,
    seed=None,
    progress: bool | None = None,
    desc: str = "bootstrap",
) -> np.ndarray:
    """Importance of each driver in ``n_boot`` resamples of the rows of ``z``.

    Parameters
    ----------
    z : numpy.ndarray, shape (n, p + 1)
        Drivers and the outcome (outcome last), one row per respondent.
    w : numpy.ndarray, optional
        Weights of the rows (> 0); they travel with their rows.
    method : {"shapley", "johnson"}
    n_boot : int
        Resamples; each draws n rows with replacement.
    seed : int, numpy.random.SeedSequence or numpy.random.Generator, optional
    progress : bool, optional
        Show a progress bar (default: when on a terminal or in a notebook).
    desc : str
        Label of the progress bar.

    Returns
    -------
    numpy.ndarray, shape (n_boot, p)

    Examples
    --------
    >>> z = np.array([[1, 2, 1], [2, 1, 2], [2, 3, 3], [4, 3, 4], [5, 5, 5], [1, 3, 2.0]])
    >>> _bootstrap_importance(z, n_boot=3, seed=0, progress=False).shape
    (3, 2)
    """
    from tqdm.auto import tqdm

    rng = np.random.default_rng(seed)
    base = np.ones(len(z)) if w is None else w
    out = []
    chunk = max(1, min(200, 2_000_000 // max(len(z) * z.shape[1], 1)))
    with tqdm(
        total=n_boot, desc=desc, disable=None if progress is None else not progress, leave=False
    ) as bar:
        for start in range(0, n_boot, chunk):
            k = min(chunk, n_boot - start)
            out.append(importance_of(_resample_corr(z, base, k, rng), method=method))
            bar.update(k)
    return np.concatenate(out) if out else np.empty((0, z.shape[1] - 1))


def importance_table(
    md: ModelData,
    *,
    method: str = "shapley",
    n_boot: int = 0,
    alpha: float = 0.05,
    seed=None,
    progress: bool | None = None,
    desc: str = "bootstrap",
) -> tuple[pd.DataFrame, np.ndarray]:
    """The ``table`` of :class:`Importance` for prepared rows, and the bootstrap replicates.

    Parameters
    ----------
    md : ModelData
        From :func:`cxlab.drivers.modeldata.model_data`.
    method, n_boot, alpha, seed, progress, desc
        As in :func:`relative_importance` (``desc`` labels the progress bar).

    Returns
    -------
    (pandas.DataFrame, numpy.ndarray)
        The table (columns as :attr:`Importance.table`) and the ``(n_boot, p)`` replicates.

    Examples
    --------
    >>> from cxlab.drivers.modeldata import model_data
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5] * 4, "b": [2, 1, 4, 3, 5, 3, 2, 5, 4, 1] * 2})
    >>> df["y"] = df["a"] + df["b"] // 2 + [0, 1, 0, -1] * 5
    >>> table, reps = importance_table(model_data(df, "y", ["a", "b"]))
    >>> table["rank"].tolist(), reps.shape
    ([1, 2], (0, 2))
    """
    z = md.z
    imp = importance_of(weighted_corr(z, w=md.w)[None], method=method)[0]
    out = pd.DataFrame({"driver": md.drivers, "importance": imp, "share": 100 * imp / imp.sum()})
    out["rank"] = out["importance"].rank(ascending=False, method="min").astype(int)
    reps = np.empty((0, len(md.drivers)))
    if n_boot:
        reps = _bootstrap_importance(
            z, w=md.w, method=method, n_boot=n_boot, seed=seed, progress=progress, desc=desc
        )
        out["ci_low"] = np.quantile(reps, alpha / 2, axis=0)
        out["ci_high"] = np.quantile(reps, 1 - alpha / 2, axis=0)
    return out, reps


def relative_importance(
    df: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    method: str = "shapley",
    weight: str | None = None,
    n_boot: int = 0,
    alpha: float = 0.05,
    seed: int | None = None,
    progress: bool | None = None,
) -> Importance:
    """How much of the outcome's explained variance each driver accounts for.

    Parameters
    ----------
    df : pandas.DataFrame
    outcome : str
        The outcome column (overall satisfaction, likelihood to recommend).
    drivers : list of str
        Driver columns; respondents missing any of them (or the outcome) are
        left out listwise and counted.
    method : {"shapley", "johnson"}
        Exact Shapley value of R² (= LMG), or Johnson's relative weights.
    weight : str, optional
        Weight column (a weighted correlation matrix is used); the weight rule of
        :mod:`cxlab.checks` applies.
    n_boot : int
        Resamples for percentile intervals (0: none).
    alpha : float
        Significance level: the intervals cover 1 - alpha.
    seed : int, optional
        Seed of the bootstrap.
    progress : bool, optional
        Show a progress bar during the bootstrap (default: when on a terminal or in a notebook).

    Returns
    -------
    Importance
        ``table`` (``driver``, ``importance``, ``share``, ``rank``, and ``ci_low``/``ci_high``
        with ``n_boot > 0``) and ``fit`` (``outcome``, ``method``, ``r2``, ``n``, ``n_used``,
        ``n_excluded``, ``n_boot``); see :class:`Importance`.

    Notes
    -----
    Shapley / LMG (Lindeman, Merenda & Gold, 1980; Grömping, 2006): each
    driver's R² increment averaged over all p! orders of entry, computed
    exactly from the R² of all 2^p subsets, themselves read off the
    correlation matrix by sweep operations in Gray-code order (no refit on
    the rows); it equals R's ``relaimpo::calc.relimp(type = "lmg")``.
    Johnson (2000): with Rxx = QΛQ', Λ½ = QΛ^½Q', β = Λ½⁻¹ rxy and
    εⱼ = Σₖ (Λ½)ⱼₖ² βₖ².

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5] * 4, "b": [2, 1, 4, 3, 5, 3, 2, 5, 4, 1] * 2})
    >>> df["y"] = df["a"] + df["b"] // 2 + [0, 1, 0, -1] * 5
    >>> ri = relative_importance(df, "y", ["a", "b"])
    >>> ri.table.round(3).to_dict("list")
    {'driver': ['a', 'b'], 'importance': [0.585, 0.255], 'share': [69.618, 30.382], 'rank': [1, 2]}
    >>> ri.fit[["r2", "n", "n_used", "n_excluded"]].round(3).to_dict("records")
    [{'r2': 0.84, 'n': 20, 'n_used': 20, 'n_excluded': 0}]
    """
    md = model_data(df, outcome, drivers, weight=weight)
    table, _ = importance_table(
        md, method=method, n_boot=n_boot, alpha=alpha, seed=seed, progress=progress
    )
    fit = pd.DataFrame(
        [
            {
                "outcome": outcome,
                "method": method,
                "r2": float(table["importance"].sum()),
                **md.bases(),
                "n_boot": n_boot,
            }
        ]
    )
    return Importance(table=table, fit=fit)

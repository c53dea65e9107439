"""Rim weighting (raking) of respondents to population margins."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.survey.metrics import require_columns

__all__ = ["RakeResult", "kish_n_eff", "rake"]


def kish_n_eff(weights) -> float:
    """Kish's effective base, (Σw)² / Σw² (Kish, *Survey Sampling*, 1965)."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w**2).sum())


@dataclass
class RakeResult:
    """What :func:`rake` returns.

    Attributes
    ----------
    weights : pandas.Series
        One weight per respondent (aligned with the input rows), scaled to mean 1.
    converged : bool
        Whether every margin is within ``tol`` of its target.
    iterations : int
        Full passes over the margins.
    max_error : float
        Largest absolute difference between a weighted share and its target.
    n, n_eff, efficiency
        Respondents, Kish effective base, and efficiency = 100 · n_eff / n.
    margins : pandas.DataFrame
        ``variable``, ``category``, ``target``, ``unweighted`` and ``weighted``
        shares (fractions).
    """

    weights: pd.Series
    converged: bool
    iterations: int
    max_error: float
    n: int
    n_eff: float
    efficiency: float
    margins: pd.DataFrame


def _check_targets(data: pd.DataFrame, targets: Mapping[str, Mapping]) -> dict[str, pd.Series]:
    if not isinstance(targets, Mapping) or not targets:
        raise TypeError("`targets` should map each column to {category: share}.")
    require_columns(data, *targets, arg="target variable(s)")
    out = {}
    for var, shares in targets.items():
        t = pd.Series(dict(shares), dtype=float)
        if (t < 0).any() or t.isna().any():
            raise ValueError(f"Targets for `{var}` must be non-negative numbers: {dict(shares)}.")
        if abs(t.sum() - 1) > 1e-6:
            raise ValueError(
                f"Targets for `{var}` sum to {t.sum():.6g}, not 1. Give shares as fractions that add up to 1."
            )
        col = data[var]
        if col.isna().any():
            rows = ", ".join(map(str, col.index[col.isna()][:5]))
            raise ValueError(
                f"`{var}` is missing for {int(col.isna().sum())} respondent(s) (rows {rows}); "
                "rim weighting needs every respondent's category. Impute or drop them first."
            )
        present = set(col.unique())
        absent = sorted(map(str, set(t.index) - present))
        if absent:
            raise ValueError(
                f"Targets for `{var}` name categories absent from the data: {absent}. "
                f"Categories present: {sorted(map(str, present))}."
            )
        untargeted = sorted(map(str, present - set(t.index)))
        if untargeted:
            raise ValueError(
                f"`{var}` has categories without a target: {untargeted}. Add them to the targets."
            )
        zero = sorted(map(str, t.index[t == 0]))
        if zero:
            raise ValueError(
                f"Targets for `{var}` give share 0 to {zero}, which have respondents; "
                "drop those respondents instead."
            )
        out[var] = t
    return out


def rake(
    data: pd.DataFrame,
    targets: Mapping[str, Mapping],
    *,
    weight: str | None = None,
    max_iter: int = 100,
    tol: float = 1e-6,
    cap: float | None = None,
) -> RakeResult:
    """Rim weighting: iterative proportional fitting of weights to marginal targets.

    Parameters
    ----------
    targets : mapping
        ``{column: {category: share}}``; each variable's shares sum to 1, and
        every category in the data has one.
    weight : str, optional
        Column of base (design) weights to start from; ones by default.
    max_iter, tol
        Passes over the margins at most, and the largest tolerated difference
        between a weighted share and its target.
    cap : float, optional
        Largest weight allowed, as a multiple of the mean weight; weights are
        trimmed to it after each pass and raking goes on (trimming trades
        margin accuracy for efficiency).

    Returns
    -------
    RakeResult

    Notes
    -----
    Deming & Stephan (1940). Each pass multiplies every respondent's weight by
    target / achieved share of their category, one variable after another.
    ``survey::rake()`` in R does the same (its ``epsilon`` compares weighted
    totals rather than shares). Efficiency = 100 · n_eff / n with Kish's
    n_eff = (Σw)²/Σw².
    """
    checked = _check_targets(data, targets)
    n = len(data)
    w = (
        np.ones(n)
        if weight is None
        else pd.to_numeric(data[weight], errors="coerce").to_numpy(float)
    )
    if weight is not None and (np.isnan(w).any() or (w <= 0).any()):
        raise ValueError(f"Base weight column `{weight}` has missing, zero or negative values.")
    codes = {v: pd.Categorical(data[v], categories=t.index).codes for v, t in checked.items()}
    shares = {v: t.to_numpy() for v, t in checked.items()}

    def error(w: np.ndarray) -> float:
        total = w.sum()
        return max(
            float(
                np.abs(
                    np.bincount(codes[v], weights=w, minlength=len(shares[v])) / total - shares[v]
                ).max()
            )
            for v in checked
        )

    iterations, err = 0, error(w)
    while err > tol and iterations < max_iter:
        for v in checked:
            achieved = np.bincount(codes[v], weights=w, minlength=len(shares[v])) / w.sum()
            w = w * (shares[v] / achieved)[codes[v]]
        if cap is not None:
            # Trimming lowers the mean, so trim again until no weight exceeds cap x mean.
            while w.max() > cap * w.mean() * (1 + 1e-12):
                w = np.minimum(w, cap * w.mean())
        iterations += 1
        err = error(w)
    converged = err <= tol
    if not converged:
        warnings.warn(
            f"Raking did not converge in {max_iter} passes (largest margin error {err:.2g}); "
            "targets may conflict, or `cap` is too tight.",
            RuntimeWarning,
            stacklevel=2,
        )
    w = w / w.mean()
    rows = []
    for v, t in checked.items():
        unw = data[v].value_counts(normalize=True)
        wtd = pd.Series(w, index=data.index).groupby(data[v]).sum() / w.sum()
        for cat, target in t.items():
            rows.append(
                {
                    "variable": v,
                    "category": cat,
                    "target": target,
                    "unweighted": float(unw.get(cat, 0.0)),
                    "weighted": float(wtd.get(cat, 0.0)),
                }
            )
    n_eff = kish_n_eff(w)
    return RakeResult(
        weights=pd.Series(w, index=data.index, name="rake_weight"),
        converged=converged,
        iterations=iterations,
        max_error=err,
        n=n,
        n_eff=n_eff,
        efficiency=100 * n_eff / n,
        margins=pd.DataFrame(rows),
    )

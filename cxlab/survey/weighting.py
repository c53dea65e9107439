"""Rim weighting (raking) of respondents to population margins."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.checks import require_columns, weight_values

__all__ = ["RakeResult", "kish_n_eff", "rake"]


def kish_n_eff(weights) -> float:
    """Kish's effective base, (Σw)² / Σw² (Kish, *Survey Sampling*, 1965).

    Parameters
    ----------
    weights : array-like of float
        Weights (zeros add nothing).

    Returns
    -------
    float

    Examples
    --------
    >>> kish_n_eff([1, 1, 1, 1]), round(kish_n_eff([0.5, 0.5, 1.5, 1.5]), 3)
    (4.0, 3.2)
    """
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w**2).sum())


@dataclass(frozen=True)
class RakeResult:
    """What :func:`rake` returns.

    Attributes
    ----------
    weights : pandas.Series
        One weight per respondent (aligned with the input rows), scaled to mean 1 over the
        respondents used; 0 for those whose base weight is 0.
    converged : bool
        Whether every margin is within ``tol`` of its target.
    iterations : int
        Full passes over the margins.
    max_error : float
        Largest absolute difference between a weighted share and its target.
    n, n_used, n_eff, efficiency
        Respondents, those with a base weight above 0, Kish effective base, and
        efficiency = 100 · n_eff / n_used.
    margins : pandas.DataFrame
        ``variable``, ``category``, ``target``, ``unweighted`` and ``weighted``
        shares (fractions, over the respondents used), ``n`` and ``n_used`` (respondents in
        the category, and those of them with a base weight above 0).
    """

    weights: pd.Series
    converged: bool
    iterations: int
    max_error: float
    n: int
    n_used: int
    n_eff: float
    efficiency: float
    margins: pd.DataFrame


def _check_targets(
    df: pd.DataFrame, targets: Mapping[str, Mapping], used: np.ndarray
) -> dict[str, pd.Series]:
    """Each target variable's shares, checked against the categories of the respondents used."""
    if not isinstance(targets, Mapping) or not targets:
        raise TypeError("`targets` should map each column to {category: share}.")
    require_columns(df, *targets, arg="target variable(s)")
    out = {}
    for var, shares in targets.items():
        t = pd.Series(dict(shares), dtype=float)
        if (t < 0).any() or t.isna().any():
            raise ValueError(f"Targets for `{var}` must be non-negative numbers: {dict(shares)}.")
        if abs(t.sum() - 1) > 1e-6:
            raise ValueError(
                f"Targets for `{var}` sum to {t.sum():.6g}, not 1. "
                "Give shares as fractions that add up to 1."
            )
        _check_categories(df[var], t, used)
        out[var] = t
    return out


def _check_categories(col: pd.Series, t: pd.Series, used: np.ndarray) -> None:
    """Every respondent used has a category with a target above 0, and every target is present."""
    var = col.name
    missing = col.isna().to_numpy() & used
    if missing.any():
        rows = ", ".join(map(str, col.index[missing][:5]))
        raise ValueError(
            f"`{var}` is missing for {int(missing.sum())} respondent(s) (rows {rows}); "
            "rim weighting needs every respondent's category. Impute or drop them first."
        )
    present = set(col[used].unique())
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


def rake(
    df: pd.DataFrame,
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
    df : pandas.DataFrame
    targets : mapping
        ``{column: {category: share}}``; each variable's shares sum to 1, and
        every category in the data has one.
    weight : str, optional
        Column of base (design) weights to start from; ones by default. The weight rule
        applies: a missing or negative base weight raises naming the rows; a respondent with
        base weight 0 stays at 0 and is left out of every share.
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
    totals rather than shares). Efficiency = 100 · n_eff / n_used with Kish's
    n_eff = (Σw)²/Σw².

    Examples
    --------
    >>> df = pd.DataFrame({"sex": ["f", "f", "f", "m"]})
    >>> res = rake(df, {"sex": {"f": 0.5, "m": 0.5}})
    >>> res.weights.round(3).tolist(), res.converged
    ([0.667, 0.667, 0.667, 2.0], True)
    >>> res.margins[["category", "unweighted", "weighted"]].to_dict("list")
    {'category': ['f', 'm'], 'unweighted': [0.75, 0.25], 'weighted': [0.5, 0.5]}
    """
    w = weight_values(df, weight)
    used = w > 0
    checked = _check_targets(df, targets, used)
    # Respondents with weight 0 keep it (weights are multiplied); their category is irrelevant.
    codes = {
        v: np.where(used, pd.Categorical(df[v], categories=t.index).codes, 0)
        for v, t in checked.items()
    }
    shares = {v: t.to_numpy() for v, t in checked.items()}
    w, iterations, err = _ipf(w, codes, shares, cap, tol, max_iter)
    converged = err <= tol
    if not converged:
        warnings.warn(
            f"Raking did not converge in {max_iter} passes (largest margin error {err:.2g}); "
            "targets may conflict, or `cap` is too tight.",
            RuntimeWarning,
            stacklevel=2,
        )
    w = w / w[used].mean()
    n_used = int(used.sum())
    n_eff = kish_n_eff(w)
    return RakeResult(
        weights=pd.Series(w, index=df.index, name="rake_weight"),
        converged=converged,
        iterations=iterations,
        max_error=err,
        n=len(df),
        n_used=n_used,
        n_eff=n_eff,
        efficiency=100 * n_eff / n_used,
        margins=_margins(df, checked, w, used),
    )


def _ipf(w, codes, shares, cap, tol, max_iter) -> tuple[np.ndarray, int, float]:
    """Iterative proportional fitting: (weights, passes, largest margin error)."""

    def achieved(v, w):
        return np.bincount(codes[v], weights=w, minlength=len(shares[v])) / w.sum()

    def error(w: np.ndarray) -> float:
        return max(float(np.abs(achieved(v, w) - shares[v]).max()) for v in shares)

    iterations, err = 0, error(w)
    while err > tol and iterations < max_iter:
        for v in shares:
            w = w * (shares[v] / achieved(v, w))[codes[v]]
        if cap is not None:
            # Trimming lowers the mean, so trim again until no weight exceeds cap x mean.
            mean = w[w > 0].mean()
            while w.max() > cap * mean * (1 + 1e-12):
                w = np.minimum(w, cap * mean)
                mean = w[w > 0].mean()
        iterations += 1
        err = error(w)
    return w, iterations, err


def _margins(df, checked, w, used) -> pd.DataFrame:
    """Target, unweighted and weighted share and bases of every category (respondents used)."""
    rows = []
    for v, t in checked.items():
        col = df[v]
        n = col.value_counts()
        n_used = col[used].value_counts()
        wtd = pd.Series(w, index=df.index).groupby(col).sum() / w.sum()
        for cat, target in t.items():
            rows.append(
                {
                    "variable": v,
                    "category": cat,
                    "target": target,
                    "unweighted": float(n_used.get(cat, 0) / used.sum()),
                    "weighted": float(wtd.get(cat, 0.0)),
                    "n": int(n.get(cat, 0)),
                    "n_used": int(n_used.get(cat, 0)),
                }
            )
    return pd.DataFrame(rows)

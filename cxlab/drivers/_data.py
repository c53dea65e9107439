"""Shared input checks for driver models: listwise rows, constant and collinear drivers."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.survey import require_columns


@dataclass
class ModelData:
    """Complete cases for a driver model."""

    x: np.ndarray  # (n, p)
    y: np.ndarray  # (n,)
    w: np.ndarray | None  # (n,) or None
    drivers: list[str]
    outcome: str
    index: pd.Index  # rows used
    n_excluded: int  # rows dropped listwise


def model_data(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    weight: str | None = None,
    *,
    extra: Sequence[str] = (),
) -> ModelData:
    """Rows with a value in the outcome, every driver (and the weight), checked for a fit.

    Raises
    ------
    ValueError
        No drivers, a driver named twice, p >= n, a constant driver, or drivers
        that are perfectly collinear (each message names the drivers).
    """
    drivers = list(drivers)
    if not drivers:
        raise ValueError("`drivers` is empty; name at least one driver column.")
    dup = sorted({d for d in drivers if drivers.count(d) > 1})
    if dup:
        raise ValueError(f"Driver(s) {dup} are listed more than once.")
    if outcome in drivers:
        raise ValueError(f"The outcome `{outcome}` is also listed as a driver.")
    require_columns(data, outcome, *drivers, weight, *extra)
    numeric = [outcome, *drivers, *([weight] if weight else [])]
    text = [c for c in numeric if not pd.api.types.is_numeric_dtype(data[c])]
    if text:
        raise TypeError(
            f"Column(s) {text} should hold numbers; load the survey with cxlab.io.load_survey."
        )
    complete = data[numeric].notna().all(axis=1)
    for c in extra:
        complete &= data[c].notna()
    if weight:
        complete &= data[weight] > 0
    used = data.loc[complete, [*numeric, *extra]]
    n, p = len(used), len(drivers)
    if used[outcome].isna().all() or n == 0:
        raise ValueError(
            f"No respondent has the outcome `{outcome}` and all drivers {drivers}; "
            f"outcome missing in {int(data[outcome].isna().sum())} of {len(data)} rows."
        )
    if p >= n:
        raise ValueError(
            f"{p} drivers but only {n} complete respondents: a model needs more respondents "
            "than drivers (and at least 10 per driver to be stable). Use fewer drivers."
        )
    x = used[drivers].to_numpy(dtype=float)
    flat = [d for d, s in zip(drivers, x.std(axis=0), strict=True) if s == 0]
    if flat:
        raise ValueError(
            f"Driver(s) {flat} have the same value for every respondent used; drop them."
        )
    if used[outcome].nunique() < 2:
        raise ValueError(f"The outcome `{outcome}` is constant among the respondents used.")
    _check_collinear(x, drivers)
    if n < 10 * p:
        warnings.warn(
            f"Only {n} complete respondents for {p} drivers (fewer than 10 per driver); "
            "estimates will be unstable.",
            UserWarning,
            stacklevel=3,
        )
    return ModelData(
        x=x,
        y=used[outcome].to_numpy(dtype=float),
        w=used[weight].to_numpy(dtype=float) if weight else None,
        drivers=drivers,
        outcome=outcome,
        index=used.index,
        n_excluded=int((~complete).sum()),
    )


def _check_collinear(x: np.ndarray, drivers: list[str]) -> None:
    corr = np.corrcoef(x, rowvar=False) if x.shape[1] > 1 else np.ones((1, 1))
    vals, vecs = np.linalg.eigh(np.atleast_2d(corr))
    if vals[0] > 1e-10:
        return
    loading = np.abs(vecs[:, 0])
    involved = [d for d, v in zip(drivers, loading, strict=True) if v > 1e-6]
    raise ValueError(
        f"Drivers {involved} are perfectly collinear (one is an exact linear combination "
        "of the others); drop one of them."
    )


def weighted_corr(z: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """(Weighted) correlation matrix of the columns of ``z``."""
    if w is None:
        return np.corrcoef(z, rowvar=False)
    w = w / w.sum()
    d = z - w @ z
    cov = (d * w[:, None]).T @ d
    s = np.sqrt(np.diag(cov))
    return cov / np.outer(s, s)

"""The rows and checks every driver model shares: listwise complete cases, the weight rule,
constant and collinear drivers.

Used by every function of :mod:`cxlab.drivers`; public so that other model code (and its tests)
can build on the same rows and bases.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.checks import require_columns, weight_values

__all__ = ["ModelData", "model_data"]


@dataclass(frozen=True)
class ModelData:
    """The respondents a driver model uses, as arrays.

    Attributes
    ----------
    x : numpy.ndarray
        Driver ratings, shape ``(n_used, p)``.
    y : numpy.ndarray
        Outcome, shape ``(n_used,)``.
    w : numpy.ndarray or None
        Weights (all > 0) of the rows used; None without a weight column.
    drivers : list of str
    outcome : str
    index : pandas.Index
        Labels of the rows used.
    n : int
        Respondents with the outcome and every driver (and every ``extra`` column).
    n_used : int
        Those of them with a weight above 0 (= ``n`` unweighted): the rows in ``x``.
    n_excluded : int
        Rows left out listwise because the outcome, a driver or an ``extra`` column is missing.
    """

    x: np.ndarray
    y: np.ndarray
    w: np.ndarray | None
    drivers: list[str]
    outcome: str
    index: pd.Index
    n: int
    n_used: int
    n_excluded: int

    @property
    def z(self) -> np.ndarray:
        """Drivers and the outcome side by side (outcome last), shape ``(n_used, p + 1)``."""
        return np.column_stack([self.x, self.y])

    def bases(self) -> dict[str, int]:
        """``{"n": ..., "n_used": ..., "n_excluded": ...}``, for a result's fit table."""
        return {"n": self.n, "n_used": self.n_used, "n_excluded": self.n_excluded}


def model_data(
    df: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    weight: str | None = None,
    extra: Sequence[str] = (),
) -> ModelData:
    """Rows with the outcome and every driver, weighted by the weight rule, checked for a fit.

    Parameters
    ----------
    df : pandas.DataFrame
    outcome : str
        The dependent column.
    drivers : list of str
        Driver columns; a respondent missing any of them (or the outcome) is left out listwise
        and counted in ``n_excluded``.
    weight : str, optional
        Weight column, checked by :func:`cxlab.checks.weight_values` on the complete rows:
        a missing, negative or infinite weight raises; a weight of 0 leaves the respondent out
        of the model (``n_used``) but not of ``n``.
    extra : list of str
        Further columns a row needs a value in (e.g. the wave).

    Returns
    -------
    ModelData
        The arrays and bases of the rows used.

    Raises
    ------
    ValueError
        No drivers, a driver named twice or also the outcome, a weight breaking the weight rule,
        no complete respondent, p >= n_used, a constant driver or outcome, or drivers that are
        perfectly collinear (each message names the columns).
    TypeError
        The outcome or a driver does not hold numbers.

    Warns
    -----
    UserWarning
        Fewer than 10 respondents used per driver.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5] * 4, "b": [2, 1, 4, 3, 5, 3, 2, 5, 4, 1] * 2,
    ...                    "w": [1.0, 0.0] + [1.0] * 18})
    >>> df["y"] = df["a"] + df["b"] // 2 + [0, 1, 0, -1] * 5
    >>> df.loc[3, "y"] = None  # left out listwise; row 1 (weight 0) counts in n only
    >>> md = model_data(df, "y", ["a"], weight="w")
    >>> md.bases(), md.y[:3].tolist(), md.w[:3].tolist()
    ({'n': 19, 'n_used': 18, 'n_excluded': 1}, [2.0, 5.0, 7.0], [1.0, 1.0, 1.0])
    """
    drivers = _check_names(outcome, drivers)
    require_columns(df, outcome, *drivers, weight, *extra)
    text = [c for c in (outcome, *drivers) if not pd.api.types.is_numeric_dtype(df[c])]
    if text:
        raise TypeError(
            f"Column(s) {text} should hold numbers; load the survey with cxlab.io.load_survey."
        )
    complete = df[[outcome, *drivers, *extra]].notna().all(axis=1).to_numpy()
    w = weight_values(df, weight, rows=complete)
    used = complete & (w > 0)
    n_used = int(used.sum())
    if n_used == 0:
        raise ValueError(
            f"No respondent has the outcome `{outcome}` and all drivers {drivers}"
            + (f" with a weight above 0 in `{weight}`" if weight else "")
            + f"; outcome missing in {int(df[outcome].isna().sum())} of {len(df)} rows."
        )
    x = df.loc[used, drivers].to_numpy(dtype=float)
    y = df.loc[used, outcome].to_numpy(dtype=float)
    _check_fit(x, y, drivers, outcome)
    return ModelData(
        x=x,
        y=y,
        w=w[used] if weight else None,
        drivers=drivers,
        outcome=outcome,
        index=df.index[used],
        n=int(complete.sum()),
        n_used=n_used,
        n_excluded=int((~complete).sum()),
    )


def _check_names(outcome: str, drivers: Sequence[str]) -> list[str]:
    drivers = list(drivers)
    if not drivers:
        raise ValueError("`drivers` is empty; name at least one driver column.")
    dup = sorted({d for d in drivers if drivers.count(d) > 1})
    if dup:
        raise ValueError(f"Driver(s) {dup} are listed more than once.")
    if outcome in drivers:
        raise ValueError(f"The outcome `{outcome}` is also listed as a driver.")
    return drivers


def _check_fit(x: np.ndarray, y: np.ndarray, drivers: list[str], outcome: str) -> None:
    """Raise unless a model of ``y`` on ``x`` can be fitted; warn when it will be unstable."""
    n, p = x.shape
    if p >= n:
        raise ValueError(
            f"{p} drivers but only {n} complete respondents: a model needs more respondents "
            "than drivers (and at least 10 per driver to be stable). Use fewer drivers."
        )
    flat = [d for d, s in zip(drivers, x.std(axis=0), strict=True) if s == 0]
    if flat:
        raise ValueError(
            f"Driver(s) {flat} have the same value for every respondent used; drop them."
        )
    if len(np.unique(y)) < 2:
        raise ValueError(f"The outcome `{outcome}` is constant among the respondents used.")
    _check_collinear(x, drivers)
    if n < 10 * p:
        warnings.warn(
            f"Only {n} complete respondents for {p} drivers (fewer than 10 per driver); "
            "estimates will be unstable.",
            UserWarning,
            stacklevel=4,
        )


def _check_collinear(x: np.ndarray, drivers: Sequence[str]) -> None:
    """Raise ValueError naming the drivers if the columns of ``x`` are perfectly collinear.

    Parameters
    ----------
    x : numpy.ndarray
        Shape ``(n, p)``, no constant column.
    drivers : list of str
        The names of the columns, for the message.

    Examples
    --------
    >>> x = np.array([[1.0, 2.0, 0.0], [2.0, 4.0, 1.0], [3.0, 6.0, 0.0], [4.0, 8.0, 2.0]])
    >>> _check_collinear(x[:, [0, 2]], ["a", "c"])
    >>> _check_collinear(x, ["a", "b", "c"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Drivers ['a', 'b'] are perfectly collinear (one is an exact linear ...
    """
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

"""Argument checks every analysis module shares: columns that must exist, and the one weight rule.

The weight rule (stated once, used by every function that takes ``weight``):

- ``weight=None`` means every respondent counts once.
- Weights must be numbers and finite. A missing, negative or infinite weight raises
  :class:`ValueError` naming the column, how many rows are affected and the first of them.
- A weight of 0 is allowed: that respondent does not count. Results report both bases,
  ``n`` (respondents with an answer) and ``n_used`` (those of them with a weight above 0).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["as_list", "require_columns", "weight_values"]


def as_list(by: str | Sequence[str] | None) -> list[str]:
    """Column name(s) as a list (None: an empty list).

    Parameters
    ----------
    by : str, list of str or None
        One column name, several, or none.

    Returns
    -------
    list of str
        A new list (the caller's list is not shared).

    Examples
    --------
    >>> as_list("region"), as_list(["region", "channel"]), as_list(None)
    (['region'], ['region', 'channel'], [])
    """
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def require_columns(df: pd.DataFrame, *columns: str | None, arg: str = "column") -> None:
    """Raise if ``df`` is not a DataFrame or lacks any of ``columns`` (None entries are skipped).

    Parameters
    ----------
    df : pandas.DataFrame
    *columns : str or None
        Column names the caller needs.
    arg : str
        What the columns are, for the message (``"item(s)"``, ``"weight"``...).

    Returns
    -------
    None
        Returns only when every column is there.

    Raises
    ------
    TypeError
        ``df`` is not a DataFrame.
    ValueError
        Naming the missing columns and listing those ``df`` has.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"nps": [9]}), "nps")
    >>> require_columns(pd.DataFrame({"nps": [9]}), "csat", arg="item")
    Traceback (most recent call last):
    ...
    ValueError: item ['csat'] not in the data. Columns: nps.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"`df` should be a pandas DataFrame, not {type(df).__name__}.")
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        have = ", ".join(map(str, df.columns[:25])) + (" …" if df.shape[1] > 25 else "")
        raise ValueError(f"{arg} {missing} not in the data. Columns: {have}.")


def weight_values(df: pd.DataFrame, weight: str | None, *, rows=None) -> np.ndarray:
    """The weights of every row of ``df`` as floats, checked by the one weight rule.

    Parameters
    ----------
    df : pandas.DataFrame
    weight : str or None
        Weight column; None gives ones.
    rows : array-like of bool, or of float, optional
        The rows analysed (a float array marks them by its non-missing entries). Only their
        weights are checked; default every row.

    Returns
    -------
    numpy.ndarray
        ``len(df)`` floats. Rows with weight 0 are kept (as 0): callers count them in ``n``
        and leave them out of ``n_used`` and of every estimate.

    Raises
    ------
    ValueError
        A checked weight is missing, not a number, negative or infinite; the message names
        the column, the count and the first rows.

    Examples
    --------
    >>> df = pd.DataFrame({"w": [1.0, 0.0, 2.5]})
    >>> weight_values(df, "w")
    array([1. , 0. , 2.5])
    >>> weight_values(df, None)
    array([1., 1., 1.])
    >>> weight_values(pd.DataFrame({"w": [1.0, -1.0]}), "w")
    Traceback (most recent call last):
    ...
    ValueError: Weight column `w` has 1 missing, negative or infinite value(s) (rows 1). ...
    """
    if weight is None:
        return np.ones(len(df))
    require_columns(df, weight, arg="weight")
    s = df[weight]
    if s.dtype == np.float64:
        w = s.to_numpy()
    else:
        w = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if len(w) and w.min() >= 0 and np.isfinite(w.max()):  # fast path; NaN fails both tests
        return w
    mask = np.ones(len(w), dtype=bool)
    if rows is not None:
        mask = np.asarray(rows)
        if mask.dtype != bool:
            mask = ~np.isnan(mask.astype(float))
    bad = mask & ~(np.isfinite(w) & (w >= 0))
    if bad.any():
        first = ", ".join(map(str, df.index[bad][:5]))
        raise ValueError(
            f"Weight column `{weight}` has {int(bad.sum())} missing, negative or infinite "
            f"value(s) (rows {first}). Weights must be finite and >= 0 (0 leaves a respondent "
            "out); fix them, or drop those respondents explicitly before weighting."
        )
    return w

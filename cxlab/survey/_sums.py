"""Per-group weighted sums in one pass over the rows (the engine under every estimate).

Rows are mapped to integer group codes once; sums are ``numpy.bincount`` calls. When
the values are small integers (rating scales, NPS 0-10) a (group x value) table of
counts, Σw and Σw² is built instead, and every moment of any recoding of the values
(the NPS ±100 score, a top-box indicator) is read off that small table.

Rows with weight 0 add nothing to the weighted sums; they are counted in ``n`` and left out of
``n_used`` (the weight rule of :mod:`cxlab.checks`).

Internal to :mod:`cxlab.survey` (the estimators of :mod:`cxlab.survey.metrics` are its only
callers); other modules estimate through :func:`cxlab.survey.weighted_mean_table`.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "SUM_COLUMNS",
    "GroupIndex",
    "ValueTable",
    "direct_sums",
    "first_rows",
    "group_index",
    "sums",
    "value_table",
]

#: Above this many (group x value) cells the table trick is not used.
_MAX_CELLS = 2_000_000
SUM_COLUMNS = ("n", "n_used", "w", "ww", "wy", "wyy", "wwy", "wwyy")


@dataclass
class GroupIndex:
    """Group code of every row, and the key values of every possible group.

    Codes are kept per key column (small integers) and combined chunk by chunk,
    so no row-length array of combined codes is built unless asked for.
    """

    parts: list[np.ndarray]
    dims: tuple[int, ...]
    keys: pd.DataFrame
    size: int
    n_rows: int
    lookup: np.ndarray | None = None  # combined code -> compact code, when compacted

    def chunk(self, sl: slice) -> np.ndarray:
        """Group codes of the rows in ``sl``."""
        if not self.parts:
            return np.zeros(len(range(*sl.indices(self.n_rows))), dtype=np.intp)
        code = self.parts[0][sl].astype(np.intp)
        for part, dim in zip(self.parts[1:], self.dims[1:], strict=True):
            code *= dim
            code += part[sl]
        return code if self.lookup is None else self.lookup[code]

    @property
    def codes(self) -> np.ndarray:
        """Group codes of all rows."""
        return self.chunk(slice(None))


def group_index(df: pd.DataFrame, by: list[str]) -> GroupIndex:
    """Integer group codes for the rows of ``df`` grouped by the columns ``by``.

    Groups sort as ``DataFrame.groupby(sort=True)`` sorts them (categories in
    their order, other values ascending); a missing key is its own group, last.

    Parameters
    ----------
    df : pandas.DataFrame
        The rows to group (only the ``by`` columns and the row count are read).
    by : list of str
        Group columns; empty: one group of every row.

    Returns
    -------
    GroupIndex
        ``codes`` (one code per row), ``keys`` (a DataFrame of the ``by`` values of every
        possible group, row ``g`` for code ``g``) and ``size`` (the number of groups).

    Examples
    --------
    >>> gi = group_index(pd.DataFrame({"g": ["b", "a", None, "b"]}), ["g"])
    >>> gi.codes.tolist(), gi.keys["g"].tolist()
    ([1, 0, 2, 1], ['a', 'b', nan])
    """
    n_rows = len(df)
    if not by:
        return GroupIndex([], (1,), pd.DataFrame(index=[0]), 1, n_rows)
    parts, levels = [], []
    for col in by:
        s = df[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes = s.cat.codes.to_numpy()
            uniq = np.asarray(s.cat.categories, dtype=object)
        else:
            codes, uniq = pd.factorize(s, sort=True, use_na_sentinel=True)
            uniq = np.asarray(uniq, dtype=object)
        if (codes < 0).any():  # missing key: its own group, after the others
            codes = np.where(codes < 0, len(uniq), codes)
        parts.append(codes)
        levels.append(np.append(uniq, np.nan))
    dims = tuple(len(lv) for lv in levels)
    size = int(np.prod(dims))
    gi = GroupIndex(parts, dims, pd.DataFrame(), size, n_rows)
    if size > _MAX_CELLS:
        present, _ = np.unique(gi.codes, return_inverse=True)
        lookup = np.full(size, -1, dtype=np.intp)
        lookup[present] = np.arange(len(present))
        combos = np.unravel_index(present, dims)
        gi.lookup, gi.size = lookup, len(present)
    else:
        combos = np.unravel_index(np.arange(size), dims)
    gi.keys = pd.DataFrame({col: lv[c] for col, lv, c in zip(by, levels, combos, strict=True)})
    return gi


def first_rows(codes: np.ndarray, size: int) -> np.ndarray:
    """For each code ``0 .. size - 1``, the first row that has it (``len(codes)`` if none does):
    a respondent of each group, whose key values are the group's, with their own dtype.

    Parameters
    ----------
    codes : numpy.ndarray of int
        A code per row (:attr:`GroupIndex.codes`, or cells of groups and answers).
    size : int
        How many codes there may be.

    Returns
    -------
    numpy.ndarray of int

    Examples
    --------
    >>> first_rows(np.array([2, 0, 2, 0]), 3).tolist()
    [1, 4, 0]
    """
    first = np.full(size, len(codes))
    np.minimum.at(first, codes, np.arange(len(codes)))
    return first


@dataclass
class ValueTable:
    """Counts, counts with weight > 0, Σw and Σw² per (group, value) for small-integer values."""

    values: np.ndarray  # (K,)
    count: np.ndarray  # (G, K)
    used: np.ndarray  # (G, K)
    w: np.ndarray  # (G, K)
    ww: np.ndarray  # (G, K)

    def sums(self, recode: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Per-group sums of the values, or of ``recode`` (one number per value)."""
        v = self.values if recode is None else recode
        return {
            "n": self.count.sum(1),
            "n_used": self.used.sum(1),
            "w": self.w.sum(1),
            "ww": self.ww.sum(1),
            "wy": self.w @ v,
            "wyy": self.w @ v**2,
            "wwy": self.ww @ v,
            "wwyy": self.ww @ v**2,
        }


#: Rows per chunk: small enough for the temporaries to stay in cache.
_CHUNK = 1 << 16


def _threads(n_blocks: int) -> int:
    return max(1, min(n_blocks, os.cpu_count() or 1, 4))


def _has_zero(w: np.ndarray | None) -> bool:
    """Whether any weight is 0 (then ``n_used`` needs its own count)."""
    return w is not None and bool((w == 0).any())


def value_table(
    gi: GroupIndex,
    y: np.ndarray,
    w: np.ndarray | None,
    *,
    bounds: tuple[float, float] | None = None,
) -> ValueTable | None:
    """The (group x value) table of ``y`` (NaN rows left out), or None if ``y`` is not small-integer.

    Parameters
    ----------
    gi : GroupIndex
        The group of every row (:func:`group_index`).
    y : numpy.ndarray
        The values, one per row; NaN: no answer.
    w : numpy.ndarray or None
        Weights, one per row, already checked by :func:`cxlab.checks.weight_values`.
    bounds : (float, float), optional
        ``y``'s known minimum and maximum, saving two passes.

    Returns
    -------
    ValueTable or None
        ``values`` (the K integers from min to max) and, per (group, value), ``count``,
        ``used`` (with weight > 0), ``w`` (Σw) and ``ww`` (Σw²); None when a value is
        fractional or the table would be too large (then use :func:`direct_sums`).

    Examples
    --------
    >>> gi = group_index(pd.DataFrame(index=range(4)), [])
    >>> t = value_table(gi, np.array([1.0, 3.0, 3.0, np.nan]), np.array([1.0, 0.0, 2.0, 1.0]))
    >>> t.values.tolist(), t.count.tolist(), t.used.tolist(), t.w.tolist()
    ([1.0, 2.0, 3.0], [[1.0, 0.0, 2.0]], [[1.0, 0.0, 1.0]], [[1.0, 0.0, 2.0]])
    """
    if bounds is None:
        if np.isnan(y).all():
            return None
        bounds = (float(np.nanmin(y)), float(np.nanmax(y)))
    lo, hi = bounds
    k = int(hi - lo) + 1
    m = gi.size * k
    if m > _MAX_CELLS:
        return None

    zeros = _has_zero(w)

    def block(sl: slice):
        """(count, used, Σw, Σw²) per cell for the rows of ``sl``, or None on a fractional value."""
        offset = y[sl] - lo
        codes = gi.chunk(sl)
        wc = None if w is None else w[sl]
        ok = ~np.isnan(offset)
        if not ok.all():
            offset, codes = offset[ok], codes[ok]
            wc = None if wc is None else wc[ok]
        index = offset.astype(np.intp)
        if not np.array_equal(index, offset):
            return None
        cell = codes * k + index
        count = np.bincount(cell, minlength=m).astype(float)
        if wc is None:
            return count, count, count, count
        used = np.bincount(cell[wc > 0], minlength=m).astype(float) if zeros else count
        return (
            count,
            used,
            np.bincount(cell, weights=wc, minlength=m),
            np.bincount(cell, weights=wc * wc, minlength=m),
        )

    blocks = [slice(start, start + _CHUNK) for start in range(0, len(y), _CHUNK)]
    # numpy releases the GIL in the element-wise work, so two threads share the chunks.
    with ThreadPoolExecutor(max_workers=_threads(len(blocks))) as pool:
        results = list(pool.map(block, blocks))
    if any(r is None for r in results):
        return None  # fractional values: no table
    count, used, sw, sww = (np.sum([r[i] for r in results], axis=0) for i in range(4))
    shape = (gi.size, k)
    return ValueTable(
        np.arange(lo, hi + 1),
        count.reshape(shape),
        used.reshape(shape),
        sw.reshape(shape),
        sww.reshape(shape),
    )


def direct_sums(gi: GroupIndex, y: np.ndarray, w: np.ndarray | None) -> dict[str, np.ndarray]:
    """Per-group sums of any values, one bincount each.

    Parameters
    ----------
    gi : GroupIndex
        The group of every row (:func:`group_index`).
    y : numpy.ndarray
        The values, one per row; NaN rows are left out.
    w : numpy.ndarray or None
        Weights, one per row, already checked by :func:`cxlab.checks.weight_values`.

    Returns
    -------
    dict of str to numpy.ndarray
        One array per group for each key of :data:`SUM_COLUMNS`: ``n`` (rows with a value),
        ``n_used`` (of them with weight > 0), ``w`` (Σw), ``ww`` (Σw²), ``wy`` (Σwy),
        ``wyy`` (Σwy²), ``wwy`` (Σw²y), ``wwyy`` (Σw²y²).

    Examples
    --------
    >>> gi = group_index(pd.DataFrame({"g": ["a", "a", "b"]}), ["g"])
    >>> s = direct_sums(gi, np.array([1.5, 2.5, 4.0]), np.array([1.0, 0.0, 2.0]))
    >>> s["n"].tolist(), s["n_used"].tolist(), s["wy"].tolist()
    ([2.0, 1.0, 0.0], [1.0, 1.0, 0.0], [1.5, 8.0, 0.0])
    """
    ok = ~np.isnan(y)
    c, yy = gi.codes[ok], y[ok]
    ww_ = np.ones_like(yy) if w is None else w[ok]

    def b(weights=None):
        return np.bincount(c, weights=weights, minlength=gi.size).astype(float)

    wy = ww_ * yy
    w2 = ww_ * ww_
    n = b()
    return {
        "n": n,
        "n_used": b((ww_ > 0).astype(float)) if _has_zero(w) else n,
        "w": b(ww_),
        "ww": b(w2),
        "wy": b(wy),
        "wyy": b(wy * yy),
        "wwy": b(w2 * yy),
        "wwyy": b(w2 * yy * yy),
    }


def sums(
    gi: GroupIndex,
    y: np.ndarray,
    w: np.ndarray | None,
    *,
    bounds: tuple[float, float] | None = None,
) -> dict[str, np.ndarray]:
    """Per-group sums of ``y``: by the value table when it applies, else directly.

    Parameters
    ----------
    gi : GroupIndex
        The group of every row (:func:`group_index`).
    y : numpy.ndarray
        The values, one per row; NaN rows are left out.
    w : numpy.ndarray or None
        Weights, one per row, already checked by :func:`cxlab.checks.weight_values`.
    bounds : (float, float), optional
        ``y``'s known minimum and maximum, as in :func:`value_table`.

    Returns
    -------
    dict of str to numpy.ndarray
        The sums of :func:`direct_sums` (the same numbers, whichever way they are computed).

    Examples
    --------
    >>> gi = group_index(pd.DataFrame({"g": ["a", "a", "b"]}), ["g"])
    >>> s = sums(gi, np.array([1.0, 2.0, 4.0]), None)
    >>> s["n"].tolist(), s["wy"].tolist(), s["wyy"].tolist()
    ([2.0, 1.0, 0.0], [3.0, 4.0, 0.0], [5.0, 16.0, 0.0])
    """
    table = value_table(gi, y, w, bounds=bounds)
    return table.sums() if table is not None else direct_sums(gi, y, w)

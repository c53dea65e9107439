"""R² of every subset of drivers, from correlation matrices, without refitting.

The R² of a regression on a subset S of standardised drivers is
``1 - A[y, y]`` once the correlation matrix A has been swept on the members of
S (Goodnight, 1979). Walking all subsets in Gray-code order changes one member
per step, so each step costs one sweep (or reverse sweep) of O(p²).

Python-level overhead is amortised by running many walks side by side: the
last ``m`` drivers are swept once per combination (2^m start states) and the
walks over the first ``p - m`` drivers run in lock-step over all start states
(and over all bootstrap replicates). Rows and columns of the start-state
drivers are never read again during a walk, so they are dropped, and each step
works on (p - m + 1)² numbers per walk.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["all_subset_r2", "shapley_from_r2", "sweep"]

#: Lock-step walks wanted per step, to keep numpy's per-call overhead small.
_TARGET_BATCH = 2048


def sweep(a: np.ndarray, k: int, *, inverse: bool = False) -> None:
    """Sweep (or reverse-sweep) a batch of symmetric matrices on row/column ``k``, in place.

    Parameters
    ----------
    a : numpy.ndarray, shape (B, q, q)
        Symmetric matrices; changed in place.
    k : int
        The pivot.
    inverse : bool
        Reverse sweep (undoes a sweep on ``k``).

    Notes
    -----
    Goodnight (1979). After sweeping a correlation matrix on the drivers of a subset S,
    ``1 - a[y, y]`` is the R² of the outcome y on S.

    Examples
    --------
    >>> a = np.array([[[1.0, 0.6], [0.6, 1.0]]])
    >>> sweep(a, 0)
    >>> round(float(1 - a[0, 1, 1]), 2)  # R² = r² with one driver
    0.36
    >>> sweep(a, 0, inverse=True)
    >>> a.round(12).tolist()
    [[[1.0, 0.6], [0.6, 1.0]]]
    """
    d = a[:, k, k].copy()
    col = a[:, :, k] / d[:, None]
    row = a[:, k, :].copy()
    a -= col[:, :, None] * row[:, None, :]
    sign = -1.0 if inverse else 1.0
    a[:, :, k] = sign * col
    a[:, k, :] = sign * row / d[:, None]
    a[:, k, k] = -1.0 / d


def all_subset_r2(corr: np.ndarray) -> np.ndarray:
    """R² of the outcome on every subset of drivers.

    Parameters
    ----------
    corr : ndarray, shape (B, p + 1, p + 1) or (p + 1, p + 1)
        Correlation matrices with the outcome last.

    Returns
    -------
    ndarray, shape (B, 2**p) (or (2**p,))
        Entry ``mask`` is the R² on the drivers whose bits are set in ``mask``
        (bit j = driver j); entry 0 is 0.

    Examples
    --------
    >>> corr = np.array([[1.0, 0.5, 0.6], [0.5, 1.0, 0.3], [0.6, 0.3, 1.0]])
    >>> all_subset_r2(corr).round(4).tolist()  # {}, {0}, {1}, {0, 1}
    [0.0, 0.36, 0.09, 0.36]
    """
    single = corr.ndim == 2
    corr = np.atleast_3d(corr) if not single else corr[None]
    b, q, _ = corr.shape
    p = q - 1
    m = min(p, max(0, math.ceil(math.log2(max(1, _TARGET_BATCH / b)))))
    low = p - m
    n_start = 1 << m
    out = np.empty((b, 1 << p))
    # Start states: every combination of the last m drivers swept in.
    a = np.repeat(corr, n_start, axis=0)  # index = replicate * n_start + h
    h = np.tile(np.arange(n_start), b)
    for k in range(m):
        sel = (h >> k) & 1 == 1
        if sel.any():
            sub = a[sel]
            sweep(sub, low + k)
            a[sel] = sub
    keep = [*range(low), p]
    a = np.ascontiguousarray(a[:, keep][:, :, keep])
    y = low  # the outcome's position in the reduced matrices
    base = (h << low).reshape(b, n_start)
    rows = np.arange(b)[:, None]
    out[rows, base] = 1.0 - a[:, y, y].reshape(b, n_start)
    for t in range(1, 1 << low):
        j = (t & -t).bit_length() - 1  # the bit the Gray code toggles at step t
        g = t ^ (t >> 1)
        sweep(a, j, inverse=not (g >> j) & 1)
        out[rows, base | g] = 1.0 - a[:, y, y].reshape(b, n_start)
    out[:, 0] = 0.0
    return out[0] if single else out


def shapley_from_r2(r2: np.ndarray, p: int) -> np.ndarray:
    """Exact Shapley values of R² for each driver, from the R² of every subset.

    ``phi_j = Σ_{S ∌ j} |S|! (p - |S| - 1)! / p! · (R²(S ∪ {j}) - R²(S))``,
    which equals the average over all p! orderings of j's increment (LMG;
    Lindeman, Merenda & Gold, 1980; Grömping, 2006).

    Parameters
    ----------
    r2 : ndarray, shape (B, 2**p) or (2**p,)
        R² of every subset, as :func:`all_subset_r2` returns it.
    p : int
        Number of drivers.

    Returns
    -------
    ndarray, shape (B, p) or (p,)
        Each driver's share of the full model's R²; the shares sum to it.

    Examples
    --------
    >>> shapley_from_r2(np.array([0.0, 0.36, 0.09, 0.36]), 2).round(4).tolist()
    [0.315, 0.045]
    """
    single = r2.ndim == 1
    r2 = r2[None] if single else r2
    b = r2.shape[0]
    masks = np.arange(1 << p, dtype=np.int64)
    size = np.zeros(1 << p, dtype=np.int64)
    for j in range(p):
        size += (masks >> j) & 1
    fact = np.array([math.factorial(k) for k in range(p + 1)], dtype=float)
    weight = fact[size] * fact[np.clip(p - size - 1, 0, None)] / fact[p]
    phi = np.empty((b, p))
    for j in range(p):
        shape = (b, 1 << (p - j - 1), 2, 1 << j)
        v = r2.reshape(shape)
        wj = weight.reshape(shape[1:])[:, 0, :]
        phi[:, j] = ((v[:, :, 1, :] - v[:, :, 0, :]) * wj).sum(axis=(1, 2))
    return phi[0] if single else phi

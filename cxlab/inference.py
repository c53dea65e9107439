"""Test statistics shared by the analysis modules: one implementation of each.

- :func:`two_proportion_z`: pooled two-proportion z test (survey letters, perception gap, tables).
- :func:`welch_t`: Welch's t for two independent means with their standard errors.
- :func:`weighted_corr`: the (weighted) Pearson correlation matrix (drivers, derived IPA).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["two_proportion_z", "weighted_corr", "welch_t"]


def two_proportion_z(p1, n1, p2, n2) -> tuple[np.ndarray, np.ndarray]:
    """Pooled two-proportion z test of ``p1 - p2``.

    Parameters
    ----------
    p1, p2 : float or array
        Proportions (0-1).
    n1, n2 : float or array
        Bases; under weights, the effective bases (Kish).

    Returns
    -------
    (z, p)
        The statistic and its two-sided p value; z = 0 and p = 1 where the pooled standard error
        is 0 (both shares 0 or 1).

    Notes
    -----
    z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)), with the pooled p = (p1 n1 + p2 n2)/(n1 + n2).
    Unweighted, p equals R's ``prop.test(c(x1, x2), c(n1, n2), correct = FALSE)``.

    Examples
    --------
    >>> z, p = two_proportion_z(0.6, 100, 0.45, 120)  # statsmodels proportions_ztest: 2.2171
    >>> round(float(z), 4), round(float(p), 4)
    (2.2171, 0.0266)
    """
    p1, n1, p2, n2 = (np.asarray(v, dtype=float) for v in (p1, n1, p2, n2))
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (p1 - p2) / np.where(se > 0, se, 1), 0.0)
    return z, 2 * stats.norm.sf(np.abs(z))


def welch_t(m1, se1, n1, m2, se2, n2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Welch's t test of ``m1 - m2`` from two means, their standard errors and bases.

    Parameters
    ----------
    m1, m2 : float or array
        The two means.
    se1, se2 : float or array
        Their standard errors.
    n1, n2 : float or array
        Their bases (under weights, the effective bases).

    Returns
    -------
    (t, df, p)
        The statistic, the Welch-Satterthwaite degrees of freedom and the two-sided p; t = 0 and
        p = 1 where both standard errors are 0.

    Notes
    -----
    t = (m1 - m2) / sqrt(se1² + se2²); df = (se1² + se2²)² / (se1⁴/(n1-1) + se2⁴/(n2-1))
    (Welch, 1947), as R's ``t.test(x, y)``. Under weights pass effective bases.

    Examples
    --------
    >>> t, df, p = welch_t(4.0, 0.1, 50, 3.7, 0.12, 40)
    >>> round(float(t), 4), round(float(df), 2), round(float(p), 4)
    (1.9206, 80.92, 0.0583)
    """
    m1, se1, n1, m2, se2, n2 = (np.asarray(v, dtype=float) for v in (m1, se1, n1, m2, se2, n2))
    v1, v2 = se1**2, se2**2
    se = np.sqrt(v1 + v2)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, (m1 - m2) / np.where(se > 0, se, 1), 0.0)
        df = (v1 + v2) ** 2 / (v1**2 / np.maximum(n1 - 1, 1) + v2**2 / np.maximum(n2 - 1, 1))
    p = np.where(se > 0, 2 * stats.t.sf(np.abs(t), np.where(se > 0, df, 1)), 1.0)
    return t, df, p


def weighted_corr(z: np.ndarray, *, w: np.ndarray | None = None) -> np.ndarray:
    """Pearson correlation matrix of the columns of ``z``, weighted by ``w`` when given.

    Parameters
    ----------
    z : numpy.ndarray, shape (n, k)
        One row per respondent, no missing values.
    w : numpy.ndarray, shape (n,), optional
        Weights of the rows (the caller has applied the weight rule of :mod:`cxlab.checks`;
        rows with weight 0 add nothing).

    Returns
    -------
    numpy.ndarray, shape (k, k)

    Notes
    -----
    cov = Σ wᵢ (zᵢ - z̄_w)(zᵢ - z̄_w)ᵀ / Σ wᵢ with the weighted mean z̄_w, then
    corr = cov / (s sᵀ); integer weights give the correlation of the repeated rows.

    Examples
    --------
    >>> z = np.array([[1.0, 2.0], [2.0, 4.5], [3.0, 5.0]])
    >>> np.allclose(weighted_corr(z), np.corrcoef(z, rowvar=False))
    True
    >>> np.allclose(weighted_corr(z, w=np.array([1.0, 1.0, 2.0])),
    ...             weighted_corr(np.vstack([z, z[2]])))
    True
    """
    if w is None:
        return np.corrcoef(z, rowvar=False)
    w = w / w.sum()
    d = z - w @ z
    cov = (d * w[:, None]).T @ d
    s = np.sqrt(np.diag(cov))
    return cov / np.outer(s, s)

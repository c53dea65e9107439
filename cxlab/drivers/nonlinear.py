"""Penalty-reward analysis: the asymmetric effects a linear model hides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.drivers.modeldata import ModelData, model_data

__all__ = ["TYPES", "PenaltyReward", "penalty_reward"]

#: Codes of the ``type`` column; words: messages ``type.<code>``.
TYPES = ("basic", "excitement", "performance", "weak")


@dataclass(frozen=True)
class PenaltyReward:
    """The result of :func:`penalty_reward`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per driver: ``driver``, ``n_low``, ``n_high``, ``penalty``, ``penalty_p``,
        ``reward``, ``reward_p``, ``asymmetry``, ``type`` (see :func:`penalty_reward`).
    fit : pandas.DataFrame
        One row: ``outcome``, ``n`` (respondents with the outcome and every driver),
        ``n_used`` (those with a weight above 0), ``n_excluded`` (left out listwise),
        ``r2``, ``adj_r2`` of the dummy regression.
    """

    table: pd.DataFrame
    fit: pd.DataFrame


def penalty_reward(
    df: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    low: float,
    high: float,
    weight: str | None = None,
    alpha: float = 0.05,
    robust: str | None = "HC3",
) -> PenaltyReward:
    """The drop in the outcome when a driver is rated low, and the lift when rated high.

    Each driver becomes two dummies, ``rating <= low`` and ``rating >= high``
    (the middle ratings are the reference), and the outcome is regressed on all
    dummies together.

    Parameters
    ----------
    df : pandas.DataFrame
    outcome : str
        The outcome column.
    drivers : list of str
        Driver columns (ratings); respondents missing any of them (or the outcome) are left
        out listwise and counted.
    low, high : float
        Ratings at or below ``low`` count as low, at or above ``high`` as high
        (e.g. 2 and 5 on a 1-5 scale).
    weight : str, optional
        Weight column (weighted least squares); the weight rule of :mod:`cxlab.checks` applies.
    alpha : float
        Significance level of the penalty and reward tests behind ``type``.
    robust : str or None
        Heteroskedasticity-consistent covariance (statsmodels' ``"HC0"`` .. ``"HC3"``), or
        None for the classical one.

    Returns
    -------
    PenaltyReward
        ``table``: one row per driver, ``driver``, ``n_low``, ``n_high`` (respondents used
        rating low / high), ``penalty`` (coefficient of the low dummy; negative when low
        ratings hurt), ``penalty_p``, ``reward`` (coefficient of the high dummy),
        ``reward_p``, ``asymmetry`` (``-penalty - reward``) and ``type``: ``"basic"``
        (penalty significant and larger than the reward: a must-be), ``"excitement"``
        (reward significant and larger), ``"performance"`` (both significant, similar size),
        ``"weak"`` (neither significant). ``fit``: one row, ``outcome``, ``n``, ``n_used``,
        ``n_excluded``, ``r2``, ``adj_r2``.

    Notes
    -----
    Penalty-reward contrast analysis (Brandt, 1987; Matzler et al., 2004),
    the Kano categories seen through ratings. OLS with ``robust`` errors. One effect is
    "larger" than the other when it exceeds it by more than half (1.5 times).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5] * 4, "b": [2, 1, 4, 3, 5, 3, 2, 5, 4, 1] * 2})
    >>> df["y"] = 4 - 2 * (df["a"] <= 2) + 0.5 * (df["b"] >= 5) + [0, 0.2, 0, -0.2] * 5
    >>> pr = penalty_reward(df, "y", ["a", "b"], low=2, high=5)
    >>> pr.table[["driver", "n_low", "n_high", "type"]].to_dict("list")
    {'driver': ['a', 'b'], 'n_low': [8, 8], 'n_high': [4, 4], 'type': ['basic', 'excitement']}
    >>> round(float(pr.table.loc[0, "penalty"]), 2), int(pr.fit.loc[0, "n_used"])
    (-2.0, 20)
    """
    if not low < high:
        raise ValueError(f"`low` ({low}) should be below `high` ({high}).")
    md = model_data(df, outcome, drivers, weight=weight)
    lo_d, hi_d = _dummies(md, low, high)
    res = _fit(md, lo_d, hi_d, robust)
    p = len(md.drivers)
    pen, rew = res.params[1 : p + 1], res.params[p + 1 :]
    pen_p, rew_p = res.pvalues[1 : p + 1], res.pvalues[p + 1 :]
    out = pd.DataFrame(
        {
            "driver": md.drivers,
            "n_low": lo_d.sum(0).astype(int),
            "n_high": hi_d.sum(0).astype(int),
            "penalty": pen,
            "penalty_p": pen_p,
            "reward": rew,
            "reward_p": rew_p,
            "asymmetry": -pen - rew,
        }
    )
    out["type"] = _types(pen, pen_p, rew, rew_p, alpha)
    fit = pd.DataFrame(
        [
            {
                "outcome": outcome,
                **md.bases(),
                "r2": float(res.rsquared),
                "adj_r2": float(res.rsquared_adj),
            }
        ]
    )
    return PenaltyReward(table=out, fit=fit)


def _dummies(md: ModelData, low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    """The low and high dummies of every driver; raise if a driver has no low or no high rating."""
    lo_d = (md.x <= low).astype(float)
    hi_d = (md.x >= high).astype(float)
    empty = [
        d for d, a, b in zip(md.drivers, lo_d.sum(0), hi_d.sum(0), strict=True) if a == 0 or b == 0
    ]
    if empty:
        raise ValueError(
            f"Driver(s) {empty} have no rating at or below {low:g} or none at or above {high:g}; "
            "choose other cut-offs."
        )
    return lo_d, hi_d


def _fit(md: ModelData, lo_d: np.ndarray, hi_d: np.ndarray, robust: str | None):
    import statsmodels.api as sm

    x = sm.add_constant(np.column_stack([lo_d, hi_d]), has_constant="add")
    model = sm.WLS(md.y, x, weights=md.w) if md.w is not None else sm.OLS(md.y, x)
    return model.fit(cov_type=robust or "nonrobust")


def _types(pen, pen_p, rew, rew_p, alpha: float) -> np.ndarray:
    """The ``type`` code of each driver from its penalty and reward and their p values."""
    sig_pen, sig_rew = (pen_p < alpha) & (pen < 0), (rew_p < alpha) & (rew > 0)
    # "Larger" means by more than half the smaller effect, so near-equal effects read as performance.
    pen_big = -pen > 1.5 * np.maximum(rew, 0)
    rew_big = rew > 1.5 * np.maximum(-pen, 0)
    return np.select(
        [sig_pen & (pen_big | ~sig_rew), sig_rew & (rew_big | ~sig_pen), sig_pen & sig_rew],
        list(TYPES[:3]),
        TYPES[3],
    )

"""Penalty-reward analysis: the asymmetric effects a linear model hides."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxlab.drivers._data import model_data

__all__ = ["penalty_reward"]


def penalty_reward(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    low: float,
    high: float,
    *,
    weight: str | None = None,
    alpha: float = 0.05,
    robust: str | None = "HC3",
) -> pd.DataFrame:
    """The drop in the outcome when a driver is rated low, and the lift when rated high.

    Each driver becomes two dummies, ``rating <= low`` and ``rating >= high``
    (the middle ratings are the reference), and the outcome is regressed on all
    dummies together.

    Parameters
    ----------
    low, high : float
        Ratings at or below ``low`` count as low, at or above ``high`` as high
        (e.g. 2 and 5 on a 1-5 scale).

    Returns
    -------
    pandas.DataFrame
        One row per driver: ``driver``, ``n_low``, ``n_high``, ``penalty``
        (coefficient of the low dummy; negative when low ratings hurt),
        ``penalty_p``, ``reward`` (coefficient of the high dummy),
        ``reward_p``, ``asymmetry`` (``-penalty - reward``) and ``type``:
        ``"basic"`` (penalty significant and larger than the reward: a
        must-be), ``"excitement"`` (reward significant and larger), ``"performance"``
        (both significant, similar size), ``"weak"`` (neither significant).

    Notes
    -----
    Penalty-reward contrast analysis (Brandt, 1987; Matzler et al., 2004),
    the Kano categories seen through ratings. OLS with ``robust`` errors.
    """
    import statsmodels.api as sm

    if not low < high:
        raise ValueError(f"`low` ({low}) should be below `high` ({high}).")
    md = model_data(data, outcome, drivers, weight)
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
    x = sm.add_constant(np.column_stack([lo_d, hi_d]), has_constant="add")
    model = sm.WLS(md.y, x, weights=md.w) if md.w is not None else sm.OLS(md.y, x)
    res = model.fit(cov_type=robust or "nonrobust")
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
    sig_pen, sig_rew = (pen_p < alpha) & (pen < 0), (rew_p < alpha) & (rew > 0)
    # "Larger" means by more than half the smaller effect, so near-equal effects read as performance.
    pen_big = -pen > 1.5 * np.maximum(rew, 0)
    rew_big = rew > 1.5 * np.maximum(-pen, 0)
    out["type"] = np.select(
        [sig_pen & (pen_big | ~sig_rew), sig_rew & (rew_big | ~sig_pen), sig_pen & sig_rew],
        ["basic", "excitement", "performance"],
        "weak",
    )
    return out

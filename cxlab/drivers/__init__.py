"""Key-driver analysis: which parts of the experience move satisfaction and recommendation.

- :func:`regression`: OLS with robust errors, standardised betas, VIF -> :class:`Regression`.
- :func:`relative_importance`: exact Shapley/LMG or Johnson's weights, bootstrap intervals
  -> :class:`Importance`.
- :func:`logit_drivers`: promoter and detractor models (and an ordinal one), odds ratios
  -> :class:`Logit`.
- :func:`penalty_reward`: asymmetric effects of low and high ratings -> :class:`PenaltyReward`.
- :func:`driver_stability`: importance per wave and its significant changes -> :class:`Stability`.
- :func:`driver_matrix`: importance x performance quadrants and the "fix first" list
  -> :class:`cxlab.quadrants.ImportancePerformance`.

Every function takes ``df, outcome, drivers`` first (``driver_stability`` also ``wave``), every
option keyword-only, and follows the weight rule of :mod:`cxlab.checks`: each result's ``fit``
table (``points`` for the matrix) reports ``n`` and ``n_used``. Shared pieces live in public
modules: :mod:`cxlab.drivers.modeldata` (rows, bases, checks) and :mod:`cxlab.drivers.subsets`
(R² of every subset, Shapley values).
"""

from cxlab.drivers.importance import Importance, relative_importance
from cxlab.drivers.nonlinear import PenaltyReward, penalty_reward
from cxlab.drivers.regression import Logit, Regression, logit_drivers, regression
from cxlab.drivers.stability import Stability, driver_matrix, driver_stability

__all__ = [
    "Importance",
    "Logit",
    "PenaltyReward",
    "Regression",
    "Stability",
    "driver_matrix",
    "driver_stability",
    "logit_drivers",
    "penalty_reward",
    "regression",
    "relative_importance",
]

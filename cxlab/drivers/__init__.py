"""Key-driver analysis: which parts of the experience move satisfaction and recommendation.

- :func:`regression`, :func:`model_fit`: OLS with robust errors, standardised betas, VIF.
- :func:`relative_importance`: exact Shapley/LMG or Johnson's weights, bootstrap intervals.
- :func:`logit_drivers`: promoter and detractor models (and an ordinal one), odds ratios.
- :func:`penalty_reward`: asymmetric effects of low and high ratings.
- :func:`driver_stability`: importance per wave and its significant changes.
- :func:`driver_matrix`: importance x performance quadrants and the "fix first" list.
"""

from cxlab.drivers.importance import relative_importance
from cxlab.drivers.nonlinear import penalty_reward
from cxlab.drivers.regression import logit_drivers, model_fit, regression
from cxlab.drivers.stability import driver_matrix, driver_stability

__all__ = [
    "driver_matrix",
    "driver_stability",
    "logit_drivers",
    "model_fit",
    "penalty_reward",
    "regression",
    "relative_importance",
]

"""Satisfaction surveys: NPS, CSAT/top box, CES, means, with honest uncertainty.

Submodules, all re-exported here:

- :mod:`~cxlab.survey.metrics`: the estimators (one weighted mean with a design-based SE).
- :mod:`~cxlab.survey.compare`: significance letters between groups, trends across waves.
- :mod:`~cxlab.survey.weighting`: rim weighting (raking) and effective base.
- :mod:`~cxlab.survey.reliability`: Cronbach's alpha, item analysis, answer distributions.
"""

from cxlab.survey.compare import compare, compare_pairs, trend
from cxlab.survey.metrics import (
    ces,
    check_weights,
    counts,
    estimate,
    kpis,
    mean_score,
    nps,
    require_columns,
    select_wave,
    top_box,
    weighted_mean_table,
)
from cxlab.survey.reliability import cronbach_alpha, item_analysis, likert_table, reliability_table
from cxlab.survey.weighting import RakeResult, kish_n_eff, rake

__all__ = [
    "RakeResult",
    "ces",
    "check_weights",
    "compare",
    "compare_pairs",
    "counts",
    "cronbach_alpha",
    "estimate",
    "item_analysis",
    "kpis",
    "kish_n_eff",
    "likert_table",
    "mean_score",
    "nps",
    "rake",
    "reliability_table",
    "require_columns",
    "select_wave",
    "top_box",
    "trend",
    "weighted_mean_table",
]

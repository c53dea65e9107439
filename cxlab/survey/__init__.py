"""Satisfaction surveys: NPS, CSAT/top box, CES, means, with honest uncertainty.

Submodules, all re-exported here:

- :mod:`~cxlab.survey.metrics`: the estimators (one weighted mean with a design-based SE).
- :mod:`~cxlab.survey.compare`: significance letters between groups, trends across waves.
- :mod:`~cxlab.survey.weighting`: rim weighting (raking) and effective base.
- :mod:`~cxlab.survey.reliability`: Cronbach's alpha, item analysis (unweighted), answer
  distributions (weighted).

Every function takes ``df`` first, then its columns; options are keyword-only. Weights follow
the one weight rule of :mod:`cxlab.checks`: results report ``n`` and ``n_used``.
"""

from cxlab.survey.compare import compare, compare_pairs, trend
from cxlab.survey.metrics import (
    ces,
    counts,
    estimate,
    kpis,
    mean_score,
    nps,
    select_wave,
    top_box,
    weighted_mean_table,
)
from cxlab.survey.reliability import cronbach_alpha, item_analysis, likert_table, reliability_table
from cxlab.survey.weighting import RakeResult, kish_n_eff, rake

__all__ = [
    "RakeResult",
    "ces",
    "compare",
    "compare_pairs",
    "counts",
    "cronbach_alpha",
    "estimate",
    "item_analysis",
    "kish_n_eff",
    "kpis",
    "likert_table",
    "mean_score",
    "nps",
    "rake",
    "reliability_table",
    "select_wave",
    "top_box",
    "trend",
    "weighted_mean_table",
]

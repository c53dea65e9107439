"""Customer-satisfaction index models: ECSI / ACSI / CCSI by PLS path modelling.

- :func:`pls_pm`: the PLS path model (Wold's algorithm, as R ``plspm``), bootstrap inference,
  reliability and discriminant validity.
- :func:`index_scores`: the 0-100 index per construct, as ACSI computes it.
- :func:`ipma`: importance (total effect) x performance (index) per construct and item.
- :func:`measurement_quality`: loadings and reliability against the usual thresholds.
- :data:`TEMPLATES`: the ECSI, ACSI and CCSI models; items join a construct through the
  codebook key ``construct:``.
"""

from cxlab.index.ipma import IPMA, ipma
from cxlab.index.pls import PLSResult, pls_pm
from cxlab.index.quality import THRESHOLDS, measurement_quality
from cxlab.index.scores import IndexScores, index_scores
from cxlab.index.templates import TEMPLATES, Template, blocks_from_codebook, template

__all__ = [
    "IPMA",
    "TEMPLATES",
    "THRESHOLDS",
    "IndexScores",
    "PLSResult",
    "Template",
    "blocks_from_codebook",
    "index_scores",
    "ipma",
    "measurement_quality",
    "pls_pm",
    "template",
]

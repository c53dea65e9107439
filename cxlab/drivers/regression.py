"""Key-driver regression: OLS with robust errors, standardised betas, VIF; logistic and ordinal models."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxlab.drivers._data import model_data, weighted_corr

__all__ = ["logit_drivers", "model_fit", "regression"]


def _fit(md, robust: str | None):
    import statsmodels.api as sm

    x = sm.add_constant(md.x, has_constant="add")
    model = sm.WLS(md.y, x, weights=md.w) if md.w is not None else sm.OLS(md.y, x)
    return model.fit(cov_type=robust or "nonrobust")


def regression(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    weight: str | None = None,
    robust: str | None = "HC3",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Linear regression of the outcome on the drivers.

    Parameters
    ----------
    robust : str or None
        Heteroskedasticity-consistent covariance (``"HC0"`` .. ``"HC3"``,
        statsmodels' names; HC3 after Long & Ervin, 2000), or None for the
        classical one.

    Returns
    -------
    pandas.DataFrame
        One row per driver: ``driver``, ``coef``, ``std_coef`` (standardised
        beta: coef · sd(x) / sd(y), weighted sds under weights), ``se``, ``t``,
        ``p``, ``ci_low``, ``ci_high`` (of ``coef``), ``vif``. ``attrs["model"]``
        holds the figures of :func:`model_fit`.

    Warns
    -----
    UserWarning
        A VIF above 5 (collinear drivers: coefficients unreliable; prefer
        :func:`relative_importance`), or fewer than 10 respondents per driver.
    """
    md = model_data(data, outcome, drivers, weight)
    res = _fit(md, robust)
    z = np.column_stack([md.x, md.y])
    corr = weighted_corr(z, md.w)
    vif = np.diag(np.linalg.inv(corr[:-1, :-1]))
    sd = np.sqrt(np.diag(np.cov(z, rowvar=False, aweights=md.w)))
    ci = res.conf_int(alpha)[1:]
    out = pd.DataFrame(
        {
            "driver": md.drivers,
            "coef": res.params[1:],
            "std_coef": res.params[1:] * sd[:-1] / sd[-1],
            "se": res.bse[1:],
            "t": res.tvalues[1:],
            "p": res.pvalues[1:],
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "vif": vif,
        }
    )
    high = out.loc[out["vif"] > 5, "driver"].tolist()
    if high:
        warnings.warn(
            f"Driver(s) {high} have VIF above 5: their coefficients are unstable; "
            "read relative importance instead.",
            UserWarning,
            stacklevel=2,
        )
    out.attrs["model"] = _figures(res, md)
    return out


def _figures(res, md) -> dict:
    return {
        "outcome": md.outcome,
        "n": int(res.nobs),
        "n_excluded": md.n_excluded,
        "r2": float(res.rsquared),
        "adj_r2": float(res.rsquared_adj),
        "f": float(res.fvalue),
        "f_p": float(res.f_pvalue),
    }


def model_fit(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    weight: str | None = None,
    robust: str | None = "HC3",
) -> pd.DataFrame:
    """Fit figures of the driver regression, one row.

    Returns
    -------
    pandas.DataFrame
        ``outcome``, ``n`` (respondents used), ``n_excluded`` (dropped
        listwise: a missing outcome, driver or weight), ``r2``, ``adj_r2``,
        ``f`` and ``f_p`` (the model F test, robust when ``robust`` is set).
    """
    md = model_data(data, outcome, drivers, weight)
    return pd.DataFrame([_figures(_fit(md, robust), md)])


def logit_drivers(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    weight: str | None = None,
    ordinal: bool = False,
    promoter: float = 9,
    detractor: float = 6,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """What drives being a promoter, and being a detractor (logistic regressions).

    Parameters
    ----------
    outcome : str
        NPS answer column (0-10).
    ordinal : bool
        Also fit an ordered logit of detractor < passive < promoter
        (statsmodels ``OrderedModel``), as model ``"ordinal"``.
    promoter, detractor : float
        Answers at or above ``promoter`` are promoters, at or below ``detractor`` detractors.

    Returns
    -------
    pandas.DataFrame
        One row per model and driver: ``model`` (``"promoter"``,
        ``"detractor"``, ``"ordinal"``), ``driver``, ``coef`` (log odds per
        rating point), ``se``, ``p``, ``odds_ratio``, ``or_ci_low``,
        ``or_ci_high``.

    Notes
    -----
    Binomial GLM with logit link (statsmodels). Under weights the weights are
    scaled to sum to n and used as frequency weights, with HC0 robust errors
    (close to R's ``survey::svyglm`` with ``quasibinomial``).
    """
    import statsmodels.api as sm

    md = model_data(data, outcome, drivers, weight)
    x = sm.add_constant(md.x, has_constant="add")
    w = None if md.w is None else md.w * len(md.w) / md.w.sum()
    rows = []
    for name, target in (("promoter", md.y >= promoter), ("detractor", md.y <= detractor)):
        if target.all() or not target.any():
            warnings.warn(
                f"Every respondent used is {'' if target.all() else 'not '}a {name}; "
                f"the {name} model is left out.",
                UserWarning,
                stacklevel=2,
            )
            continue
        glm = sm.GLM(target.astype(float), x, family=sm.families.Binomial(), freq_weights=w)
        res = glm.fit(cov_type="HC0") if w is not None else glm.fit()
        rows += _odds_rows(name, md.drivers, res.params[1:], res.bse[1:], res.pvalues[1:], alpha)
    if ordinal:
        from statsmodels.miscmodels.ordinal_model import OrderedModel

        groups = np.select([md.y >= promoter, md.y <= detractor], [2, 0], 1)
        cat = pd.Series(pd.Categorical(groups, categories=[0, 1, 2], ordered=True))
        res = OrderedModel(cat, md.x, distr="logit").fit(method="bfgs", disp=False)
        p = len(md.drivers)
        rows += _odds_rows(
            "ordinal", md.drivers, res.params[:p], res.bse[:p], res.pvalues[:p], alpha
        )
    if not rows:
        raise ValueError(
            f"`{outcome}` has no variation between promoters, passives and detractors."
        )
    return pd.DataFrame(rows)


def _odds_rows(model, drivers, coef, se, p, alpha):
    from scipy import stats

    z = stats.norm.ppf(1 - alpha / 2)
    coef, se, p = np.asarray(coef), np.asarray(se), np.asarray(p)
    return [
        {
            "model": model,
            "driver": d,
            "coef": c,
            "se": s,
            "p": pv,
            "odds_ratio": np.exp(c),
            "or_ci_low": np.exp(c - z * s),
            "or_ci_high": np.exp(c + z * s),
        }
        for d, c, s, pv in zip(drivers, coef, se, p, strict=True)
    ]

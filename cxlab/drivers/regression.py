"""Key-driver regression: OLS with robust errors, standardised betas, VIF; logistic and ordinal models."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.drivers.modeldata import ModelData, model_data
from cxlab.inference import weighted_corr

__all__ = ["Logit", "Regression", "logit_drivers", "regression"]


@dataclass(frozen=True)
class Regression:
    """The result of :func:`regression`.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        One row per driver: ``driver``, ``coef``, ``std_coef``, ``se``, ``t``, ``p``,
        ``ci_low``, ``ci_high``, ``vif``.
    fit : pandas.DataFrame
        One row: ``outcome``, ``n`` (respondents with the outcome and every driver),
        ``n_used`` (those with a weight above 0: the rows fitted), ``n_excluded`` (left out
        listwise: a missing outcome or driver), ``r2``, ``adj_r2``, ``f`` and ``f_p`` (the
        model F test, robust when ``robust`` is set).
    """

    coefficients: pd.DataFrame
    fit: pd.DataFrame


@dataclass(frozen=True)
class Logit:
    """The result of :func:`logit_drivers`.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        One row per model and driver: ``model`` (``"promoter"``, ``"detractor"``,
        ``"ordinal"``), ``driver``, ``coef`` (log odds per rating point), ``se``, ``p``,
        ``odds_ratio``, ``or_ci_low``, ``or_ci_high``.
    fit : pandas.DataFrame
        One row per model fitted: ``model``, ``outcome``, ``n``, ``n_used``, ``n_excluded``
        (as in :class:`Regression`), ``n_events`` (respondents used who are promoters,
        detractors; for ``"ordinal"`` the promoters).
    """

    coefficients: pd.DataFrame
    fit: pd.DataFrame


def _ols(md: ModelData, robust: str | None):
    import statsmodels.api as sm

    x = sm.add_constant(md.x, has_constant="add")
    model = sm.WLS(md.y, x, weights=md.w) if md.w is not None else sm.OLS(md.y, x)
    return model.fit(cov_type=robust or "nonrobust")


def _fit_table(res, md: ModelData) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "outcome": md.outcome,
                **md.bases(),
                "r2": float(res.rsquared),
                "adj_r2": float(res.rsquared_adj),
                "f": float(res.fvalue),
                "f_p": float(res.f_pvalue),
            }
        ]
    )


def regression(
    df: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    weight: str | None = None,
    robust: str | None = "HC3",
    alpha: float = 0.05,
) -> Regression:
    """Linear regression of the outcome on the drivers.

    Parameters
    ----------
    df : pandas.DataFrame
    outcome : str
        The outcome column.
    drivers : list of str
        Driver columns; respondents missing any of them (or the outcome) are left out
        listwise and counted in ``n_excluded``.
    weight : str, optional
        Weight column (weighted least squares); the weight rule of :mod:`cxlab.checks` applies.
    robust : str or None
        Heteroskedasticity-consistent covariance (``"HC0"`` .. ``"HC3"``,
        statsmodels' names; HC3 after Long & Ervin, 2000), or None for the
        classical one.
    alpha : float
        Significance level: ``ci_low``/``ci_high`` cover 1 - alpha.

    Returns
    -------
    Regression
        ``coefficients``: one row per driver, ``driver``, ``coef``, ``std_coef``
        (standardised beta: coef · sd(x) / sd(y), weighted sds under weights), ``se``,
        ``t``, ``p``, ``ci_low``, ``ci_high`` (of ``coef``), ``vif``; ``fit``: one row,
        ``outcome``, ``n``, ``n_used``, ``n_excluded``, ``r2``, ``adj_r2``, ``f``, ``f_p``.

    Warns
    -----
    UserWarning
        A VIF above 5 (collinear drivers: coefficients unreliable; prefer
        :func:`relative_importance`), or fewer than 10 respondents per driver.

    Notes
    -----
    VIF_j = 1 / (1 - R²_j), R²_j from regressing driver j on the others: the diagonal of the
    inverse (weighted) correlation matrix of the drivers.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5] * 4, "b": [2, 1, 4, 3, 5, 3, 2, 5, 4, 1] * 2})
    >>> df["y"] = df["a"] + df["b"] // 2 + [0, 1, 0, -1] * 5
    >>> reg = regression(df, "y", ["a", "b"], robust=None)
    >>> reg.coefficients[["driver", "coef", "vif"]].round(3).to_dict("list")
    {'driver': ['a', 'b'], 'coef': [0.945, 0.516], 'vif': [1.099, 1.099]}
    >>> reg.fit[["n", "n_used", "r2"]].round(3).to_dict("records")
    [{'n': 20, 'n_used': 20, 'r2': 0.84}]
    """
    md = model_data(df, outcome, drivers, weight=weight)
    res = _ols(md, robust)
    z = md.z
    vif = np.diag(np.linalg.inv(weighted_corr(z, w=md.w)[:-1, :-1]))
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
    return Regression(coefficients=out, fit=_fit_table(res, md))


def logit_drivers(
    df: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    weight: str | None = None,
    ordinal: bool = False,
    promoter: float = 9,
    detractor: float = 6,
    alpha: float = 0.05,
) -> Logit:
    """What drives being a promoter, and being a detractor (logistic regressions).

    Parameters
    ----------
    df : pandas.DataFrame
    outcome : str
        NPS answer column (0-10).
    drivers : list of str
        Driver columns; respondents missing any of them (or the outcome) are left out
        listwise and counted in ``n_excluded``.
    weight : str, optional
        Weight column for the promoter and detractor models; the weight rule of
        :mod:`cxlab.checks` applies. Not with ``ordinal=True`` (raises ValueError).
    ordinal : bool
        Also fit an ordered logit of detractor < passive < promoter
        (statsmodels ``OrderedModel``), as model ``"ordinal"``. Unweighted only:
        ``OrderedModel`` has no weights, and a weighted fit without a design-based
        variance would overstate its precision.
    promoter, detractor : float
        Answers at or above ``promoter`` are promoters, at or below ``detractor`` detractors.
    alpha : float
        Significance level: the odds-ratio intervals cover 1 - alpha.

    Returns
    -------
    Logit
        ``coefficients``: one row per model and driver, ``model`` (``"promoter"``,
        ``"detractor"``, ``"ordinal"``), ``driver``, ``coef`` (log odds per rating point),
        ``se``, ``p``, ``odds_ratio``, ``or_ci_low``, ``or_ci_high``; ``fit``: one row per
        model, ``model``, ``outcome``, ``n``, ``n_used``, ``n_excluded``, ``n_events``.

    Warns
    -----
    UserWarning
        A model is left out because every respondent used is (or none is) in its class.

    Notes
    -----
    Binomial GLM with logit link (statsmodels). Under weights the weights are
    scaled to sum to n_used and used as frequency weights, with HC0 robust errors
    (close to R's ``survey::svyglm`` with ``quasibinomial``).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5] * 4, "b": [2, 1, 4, 3, 5, 3, 2, 5, 4, 1] * 2})
    >>> df["nps"] = [2, 6, 5, 9, 10, 4, 9, 7, 10, 3, 6, 8, 8, 9, 10, 5, 6, 9, 7, 10]
    >>> lg = logit_drivers(df, "nps", ["a", "b"])
    >>> lg.coefficients[["model", "driver", "odds_ratio"]].round(2).to_dict("list")
    {'model': ['promoter', 'promoter', 'detractor', 'detractor'], 'driver': ['a', 'b', 'a', \
'b'], 'odds_ratio': [2.88, 1.32, 0.4, 0.54]}
    >>> lg.fit[["model", "n_used", "n_events"]].to_dict("list")
    {'model': ['promoter', 'detractor'], 'n_used': [20, 20], 'n_events': [8, 8]}
    """
    if ordinal and weight is not None:
        raise ValueError(
            "`ordinal=True` cannot honour `weight`: the ordered logit (statsmodels "
            "OrderedModel) takes no weights. Fit it unweighted (weight=None) in a separate call."
        )
    md = model_data(df, outcome, drivers, weight=weight)
    rows, fits = _binary_models(md, promoter=promoter, detractor=detractor, alpha=alpha)
    if ordinal:
        rows += _ordinal_model(md, promoter=promoter, detractor=detractor, alpha=alpha)
        fits.append({"model": "ordinal", **md.bases(), "n_events": int((md.y >= promoter).sum())})
    if not rows:
        raise ValueError(
            f"`{outcome}` has no variation between promoters, passives and detractors."
        )
    fit = pd.DataFrame(fits)
    fit.insert(1, "outcome", outcome)
    return Logit(coefficients=pd.DataFrame(rows), fit=fit)


def _binary_models(
    md: ModelData, *, promoter: float, detractor: float, alpha: float
) -> tuple[list[dict], list[dict]]:
    """Coefficient rows and fit rows of the promoter and detractor logits."""
    import statsmodels.api as sm

    x = sm.add_constant(md.x, has_constant="add")
    w = None if md.w is None else md.w * len(md.w) / md.w.sum()
    rows, fits = [], []
    for name, target in (("promoter", md.y >= promoter), ("detractor", md.y <= detractor)):
        if target.all() or not target.any():
            warnings.warn(
                f"Every respondent used is {'' if target.all() else 'not '}a {name}; "
                f"the {name} model is left out.",
                UserWarning,
                stacklevel=3,
            )
            continue
        glm = sm.GLM(target.astype(float), x, family=sm.families.Binomial(), freq_weights=w)
        res = glm.fit(cov_type="HC0") if w is not None else glm.fit()
        rows += _odds_rows(name, md.drivers, res.params[1:], res.bse[1:], res.pvalues[1:], alpha)
        fits.append({"model": name, **md.bases(), "n_events": int(target.sum())})
    return rows, fits


def _ordinal_model(md: ModelData, *, promoter: float, detractor: float, alpha: float) -> list:
    """Coefficient rows of the ordered logit of detractor < passive < promoter (unweighted)."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    groups = np.select([md.y >= promoter, md.y <= detractor], [2, 0], 1)
    cat = pd.Series(pd.Categorical(groups, categories=[0, 1, 2], ordered=True))
    res = OrderedModel(cat, md.x, distr="logit").fit(method="bfgs", disp=False)
    p = len(md.drivers)
    return _odds_rows("ordinal", md.drivers, res.params[:p], res.bse[:p], res.pvalues[:p], alpha)


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

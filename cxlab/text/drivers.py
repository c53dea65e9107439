"""Comment topics as drivers of an outcome: which topics, mentioned (negatively), move NPS or
overall satisfaction."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.checks import require_columns, weight_values
from cxlab.drivers.importance import importance_table
from cxlab.drivers.modeldata import model_data

__all__ = ["TopicDrivers", "topic_drivers"]


@dataclass(frozen=True)
class TopicDrivers:
    """The result of :func:`topic_drivers`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per topic, in taxonomy order: ``topic``, ``driver`` (``"negative"``: the topic
        raised in a comment labelled negative; ``"mentioned"``: raised at all), ``n_with``
        (respondents used who have the driver), ``share`` (weighted percent of them),
        ``mean_with`` and ``mean_without`` (weighted mean outcome), ``effect`` (the change in
        the outcome with the driver, the other topics' drivers held fixed: the drop, when
        negative), ``ci_low``/``ci_high`` (its 1 - alpha interval), ``p``, ``importance``
        (Shapley/LMG part of R² of the outcome on every topic's driver), ``importance_share``
        (percent of that R²), ``rank`` (1 = most important), and with ``n_boot > 0``
        ``importance_ci_low``/``importance_ci_high``. A topic whose driver no respondent (or
        every respondent) has gets NaN from ``effect`` on.
    fit : pandas.DataFrame
        One row: ``outcome``, ``driver``, ``r2``, ``n`` (respondents with the outcome),
        ``n_used`` (those with a weight above 0), ``n_excluded`` (outcome missing), ``n_boot``.
    """

    table: pd.DataFrame
    fit: pd.DataFrame


def _indicators(df: pd.DataFrame, topics: pd.DataFrame, sentiment: bool) -> pd.DataFrame:
    """0/1 per respondent and topic: raised (negatively, with ``sentiment``); 0 without comment."""
    keys = [c for c in topics.columns if pd.api.types.is_bool_dtype(topics[c])]
    if not keys:
        raise ValueError(
            "`topics` has no topic columns (bool); pass the result of cxlab.text.analyze "
            "(or cxlab.text.topics) on the comment column of `df`."
        )
    missing = df.index.difference(topics.index)
    if len(missing):
        raise ValueError(
            f"`topics` lacks {len(missing)} row(s) of `df` (first: {list(missing[:5])}); analyse "
            "the comment column of `df` (or of a superset of its rows)."
        )
    t = topics.loc[df.index]
    raised = t[keys].to_numpy(dtype=bool, copy=True)
    if sentiment:
        require_columns(t, "label", arg="`topics` column")
        raised &= (t["label"] == "negative").to_numpy()[:, None]
    return pd.DataFrame(raised.astype(float), index=df.index, columns=keys)


def _describe(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> pd.DataFrame:
    """Per driver: respondents with it, their weighted share, and the weighted mean outcome
    with and without it."""
    total = w.sum()
    with_w = w @ x
    with_y = (w * y) @ x
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame(
            {
                "n_with": x.sum(axis=0).astype(int),
                "share": 100 * with_w / total,
                "mean_with": np.where(with_w > 0, with_y / with_w, np.nan),
                "mean_without": np.where(
                    with_w < total, ((w * y).sum() - with_y) / (total - with_w), np.nan
                ),
            }
        )


def topic_drivers(
    df: pd.DataFrame,
    outcome: str,
    *,
    topics: pd.DataFrame,
    sentiment: bool = True,
    weight: str | None = None,
    n_boot: int = 0,
    alpha: float = 0.05,
    seed: int | None = None,
    progress: bool | None = None,
) -> TopicDrivers:
    """Which comment topics move an outcome: relative importance and the drop when raised.

    Parameters
    ----------
    df : pandas.DataFrame
        Respondents, with the outcome.
    outcome : str
        The outcome column (overall satisfaction, likelihood to recommend).
    topics : pandas.DataFrame
        The result of :func:`cxlab.text.analyze` (or :func:`cxlab.text.topics` with
        ``sentiment=False``) on the comment column of ``df`` (or of a superset of its rows):
        its bool columns are the topics. A respondent without a comment raises no topic.
    sentiment : bool
        True: the driver of a topic is "raised in a comment labelled negative"; False: "raised".
    weight : str, optional
        Weight column; the weight rule of :mod:`cxlab.checks` applies.
    n_boot : int
        Bootstrap resamples for intervals of the importance (0: none).
    alpha : float
        Significance level: intervals cover 1 - alpha.
    seed : int, optional
        Seed of the bootstrap.
    progress : bool, optional
        Progress bar during the bootstrap.

    Returns
    -------
    TopicDrivers
        ``table`` (one row per topic) and ``fit`` (one row); see :class:`TopicDrivers`.

    Notes
    -----
    Every respondent with the outcome is used (listwise on the outcome only). The outcome is
    regressed on every topic's 0/1 driver at once (:func:`cxlab.drivers.regression`: weighted
    least squares with HC3 errors): ``effect`` is a topic's coefficient, the drop that goes
    with its complaints when the other topics' complaints are the same, so that topics raised
    together in one negative comment are not blamed for each other; ``mean_with`` -
    ``mean_without`` is the raw difference. The importance is the exact Shapley value (LMG) of
    the R² of that model (:func:`cxlab.drivers.relative_importance`), its intervals percentile
    bootstrap ones. Topics whose driver no respondent (or every respondent) has are left out
    of the model.
    The comment's label stands for the topic's sentiment: a comment raising two topics, one
    with praise and one with a complaint, counts as negative for both when the model labels
    it negative.

    Examples
    --------
    >>> df = pd.DataFrame({"overall": [5, 4, 2, 1, 5, 3, 4, 2, 5, 4, 1, 3] * 2})
    >>> topics = pd.DataFrame({"label": ["positive", "positive", "negative", "negative"] * 6,
    ...                        "price": [True, False, True, True, False, False] * 4,
    ...                        "service": [False, True, False, True, True, False] * 4})
    >>> res = topic_drivers(df, "overall", topics=topics)
    >>> res.table[["topic", "n_with", "effect", "rank"]].round(2).to_dict("list")
    {'topic': ['price', 'service'], 'n_with': [6, 6], 'effect': [-0.95, -2.45], 'rank': [2, 1]}
    >>> res.fit[["r2", "n", "n_used"]].round(3).to_dict("records")
    [{'r2': 0.689, 'n': 24, 'n_used': 24}]
    """
    require_columns(df, outcome, weight)
    data = _indicators(df, topics, sentiment)
    keys = list(data.columns)
    data[outcome] = df[outcome]
    if weight is not None:
        data[weight] = df[weight]
    complete = df[outcome].notna().to_numpy()
    w = weight_values(df, weight, rows=complete)
    used = complete & (w > 0)
    if not used.any():
        raise ValueError(f"No respondent has the outcome `{outcome}` with a weight above 0.")
    x, y, w = data[keys].to_numpy()[used], df[outcome].to_numpy(dtype=float)[used], w[used]
    bases = {
        "n": int(complete.sum()),
        "n_used": int(used.sum()),
        "n_excluded": int((~complete).sum()),
    }
    table = _describe(x, y, w)
    table.insert(0, "driver", "negative" if sentiment else "mentioned")
    table.insert(0, "topic", keys)
    varies = [k for j, k in enumerate(keys) if 0 < x[:, j].sum() < len(x)]
    effects, r2 = _models(data, outcome, varies, weight, n_boot, alpha, seed, progress)
    table = table.merge(effects, on="topic", how="left")
    fit = pd.DataFrame(
        [
            {
                "outcome": outcome,
                "driver": table["driver"].iloc[0],
                "r2": r2,
                **bases,
                "n_boot": n_boot,
            }
        ]
    )
    return TopicDrivers(table=table, fit=fit)


def _models(data, outcome, varies, weight, n_boot, alpha, seed, progress):
    """Adjusted effects (regression) and Shapley importance of the varying topic drivers."""
    from cxlab.drivers import regression

    cols = ["topic", "effect", "ci_low", "ci_high", "p", "importance", "importance_share", "rank"]
    if n_boot:
        cols += ["importance_ci_low", "importance_ci_high"]
    if not varies:
        return pd.DataFrame(columns=cols), np.nan
    coef = regression(data, outcome, varies, weight=weight, alpha=alpha).coefficients
    coef = coef.rename(columns={"driver": "topic", "coef": "effect"})
    md = model_data(data, outcome, varies, weight=weight)
    imp, _ = importance_table(
        md, n_boot=n_boot, alpha=alpha, seed=seed, progress=progress, desc="topic drivers"
    )
    imp = imp.rename(
        columns={
            "driver": "topic",
            "share": "importance_share",
            "ci_low": "importance_ci_low",
            "ci_high": "importance_ci_high",
        }
    )
    return coef.merge(imp, on="topic")[cols], float(imp["importance"].sum())

"""Tables over many comments: topics per group, the sentiment trend, the main complaints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cxlab.checks import as_list, require_columns
from cxlab.text.analyze import analyze
from cxlab.text.sentiment import check_method
from cxlab.text.topics import load_taxonomy


def _analyzed_rows(df: pd.DataFrame, text: str, analyzed: pd.DataFrame | None, **options):
    """The :func:`analyze` rows of ``df``'s comments (computed when not given), checked."""
    if analyzed is None:
        return analyze(df[text], progress=False, **options)
    missing = df.index.difference(analyzed.index)
    if len(missing):
        raise ValueError(
            f"`analyzed` lacks {len(missing)} row(s) of `df` (first: {list(missing[:5])}); "
            f"pass the result of analyze() on df[{text!r}] or on a superset of its rows."
        )
    return analyzed.loc[df.index]


def _topic_rows(g: pd.DataFrame, tax, examples: int) -> list[dict]:
    """One row per topic of one group's analysed comments."""
    rows = []
    for topic, (label, _) in tax.items():
        hit = g[g[topic]]
        rows.append(
            {
                "topic": topic,
                "label": label,
                "comments": len(g),
                "n": len(hit),
                "share": 100 * len(hit) / len(g) if len(g) else np.nan,
                "mean_sentiment": hit["score"].mean() if len(hit) else np.nan,
                "negative_share": 100 * (hit["label"] == "negative").mean() if len(hit) else np.nan,
                "examples": hit.sort_values("score")["redacted"].head(examples).tolist(),
            }
        )
    return rows


def topic_summary(
    df: pd.DataFrame,
    text: str,
    *,
    by: str | Sequence[str] | None = None,
    taxonomy: str | Path | Mapping | None = None,
    examples: int = 3,
    analyzed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per topic (and group): how many comments raise it, how they feel, and a few verbatims.

    Parameters
    ----------
    df : pandas.DataFrame
    text : str
        The comment column.
    by : str or list of str, optional
        Group column(s); a missing group value is a group of its own.
    taxonomy : path, mapping or None
        Topic taxonomy (see :func:`cxlab.text.topics`).
    examples : int
        Redacted example comments per topic and group, most negative first.
    analyzed : pandas.DataFrame, optional
        The result of :func:`cxlab.text.analyze` on ``df[text]`` (or on a superset of its
        rows), to avoid doing it twice.

    Returns
    -------
    pandas.DataFrame
        The group column(s), ``topic``, ``label``, ``comments`` (non-empty comments
        in the group), ``n`` (those raising the topic), ``share`` (percent),
        ``mean_sentiment``, ``negative_share`` (percent of the topic's
        comments labelled negative), ``examples`` (list of redacted verbatims).

    Examples
    --------
    >>> df = pd.DataFrame({"comment": ["快递太慢了", "快递很快，价格便宜", None]})
    >>> tax = {"logistics": {"label": "物流", "keywords": ["快递"]},
    ...        "price": {"label": "价格", "keywords": ["价格"]}}
    >>> out = topic_summary(df, "comment", taxonomy=tax, examples=1)
    >>> out[["topic", "comments", "n", "share", "negative_share", "examples"]].to_dict("list")
    {'topic': ['logistics', 'price'], 'comments': [2, 2], 'n': [2, 1], 'share': [100.0, 50.0], 'negative_share': [50.0, 0.0], 'examples': [['快递太慢了'], ['快递很快，价格便宜']]}
    """
    by_cols = as_list(by)
    require_columns(df, text, *by_cols)
    tax = load_taxonomy(taxonomy)
    a = _analyzed_rows(df, text, analyzed, taxonomy=taxonomy)
    a = a[df[text].notna().to_numpy()]
    if not by_cols:
        return pd.DataFrame(_topic_rows(a, tax, examples))
    rows = []
    keys = by_cols[0] if len(by_cols) == 1 else by_cols  # scalar group keys for one column
    groups = df.loc[a.index, by_cols].groupby(keys, sort=True, dropna=False, observed=True)
    for key, idx in groups.groups.items():
        key = key if isinstance(key, tuple) else (key,)
        rows += [
            dict(zip(by_cols, key, strict=True)) | r for r in _topic_rows(a.loc[idx], tax, examples)
        ]
    return pd.DataFrame(rows)


def sentiment_trend(
    df: pd.DataFrame,
    text: str,
    *,
    wave: str,
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    label: str = "negative",
    alpha: float = 0.05,
    method: str = "model",
    analyzed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Share of comments with a sentiment label, per wave, with the change from wave to wave.

    Parameters
    ----------
    df : pandas.DataFrame
    text : str
        The comment column; respondents without a comment are left out.
    wave : str
        The wave column.
    by : str or list of str, optional
        Group column(s): a trend per group.
    weight : str, optional
        Weight column (the weight rule of :mod:`cxlab.checks`).
    label : {"negative", "positive", "neutral"}
        The sentiment label whose share is followed.
    alpha : float
        Significance level of the change.
    method : {"model", "rules"}
        Sentiment method, when ``analyzed`` is not given.
    analyzed : pandas.DataFrame, optional
        The result of :func:`cxlab.text.analyze` on ``df[text]`` (or on a superset of its
        rows), to avoid doing it twice.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`cxlab.survey.trend` for the metric ``"mean"`` of a 0/100
        indicator: the group column(s), the wave column, ``n``, ``n_eff``, ``value`` (percent
        of comments labelled ``label``), ``se``, ``ci_low``, ``ci_high``, ``change``,
        ``change_se``, ``p_change``, ``significant``.

    Notes
    -----
    The share is the (weighted) mean of 100 x [label = ``label``] over the comments; its
    standard error and the z test of the change between independent waves are those of
    :func:`cxlab.survey.trend`.

    Examples
    --------
    >>> df = pd.DataFrame({"wave": ["q1"] * 3 + ["q2"] * 3,
    ...                    "comment": ["很好", "太差了", None, "太差了", "很差", "失望"]})
    >>> out = sentiment_trend(df, "comment", wave="wave", method="rules")
    >>> out[["wave", "n", "value"]].to_dict("list")
    {'wave': ['q1', 'q2'], 'n': [2, 3], 'value': [50.0, 100.0]}
    """
    if label not in ("negative", "positive", "neutral"):
        raise ValueError(f"`label` should be 'negative', 'positive' or 'neutral', not {label!r}.")
    check_method(method)
    by_cols = as_list(by)
    require_columns(df, text, wave, *by_cols)
    labels = _analyzed_rows(df, text, analyzed, method=method)["label"]
    share = "__share__"
    data = df[[wave, *by_cols, *([weight] if weight else [])]].copy()
    data[share] = (labels == label).astype(float).where(labels.notna()) * 100
    from cxlab.survey import trend

    return trend(data, "mean", wave=wave, item=share, by=by, weight=weight, alpha=alpha)


def top_complaints(
    table: pd.DataFrame, *, top: int = 3, by: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """The topics with the most negative comments (per group with ``by``).

    Parameters
    ----------
    table : pandas.DataFrame
        A result of :func:`topic_summary`.
    top : int
        Topics kept (per group).
    by : str or list of str, optional
        The group column(s) of ``table``; default one ranking over all rows.

    Returns
    -------
    pandas.DataFrame
        The rows of ``table`` with at least one negative comment, most negative comments
        first (ties keep the taxonomy order), at most ``top`` (per group), and one more
        column ``n_negative`` (= ``n`` x ``negative_share`` / 100).

    Examples
    --------
    >>> table = pd.DataFrame({"topic": ["a", "b", "c"], "n": [10, 40, 5],
    ...                       "negative_share": [50.0, 10.0, 0.0]})
    >>> top_complaints(table, top=2).to_dict("list")
    {'topic': ['a', 'b'], 'n': [10, 40], 'negative_share': [50.0, 10.0], 'n_negative': [5, 4]}
    """
    by_cols = as_list(by)
    require_columns(table, "n", "negative_share", *by_cols)
    n_negative = (table["n"] * table["negative_share"].fillna(0) / 100).round().astype(int)
    out = table.assign(n_negative=n_negative)
    out = out[out["n_negative"] > 0].sort_values("n_negative", ascending=False, kind="stable")
    if by_cols:
        out = out.groupby(by_cols, sort=True, dropna=False, observed=True).head(top)
        out = out.sort_values(by_cols, kind="stable")
    else:
        out = out.head(top)
    return out.reset_index(drop=True)

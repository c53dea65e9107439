"""Emerging terms: words frequent in a period that the taxonomy lacks and earlier periods rarely used."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cxlab.checks import require_columns
from cxlab.inference import two_proportion_z
from cxlab.text.prepare import analysis_text
from cxlab.text.redact import redact_text
from cxlab.text.segment import lexicon, tokenize_many
from cxlab.text.topics import load_taxonomy

__all__ = ["emerging_terms"]

_WORDLIKE = re.compile(r"^[\u3400-\u9fffa-z][\u3400-\u9fffa-z0-9]+$")
COLUMNS = ["term", "n", "share", "n_before", "share_before", "lift", "p", "rank", "example"]


def _doc_terms(texts: list[str], extra: tuple[str, ...], segmenter: str | None) -> list[set[str]]:
    """The distinct candidate terms of each comment: words of two or more characters, not
    stopwords."""
    stop = lexicon().stopwords
    toks = tokenize_many([analysis_text(t) for t in texts], extra_words=extra, segmenter=segmenter)
    return [{w for w in ts if _WORDLIKE.match(w) and w not in stop} for ts in toks]


def _in_taxonomy(term: str, tax: Mapping[str, tuple[str, re.Pattern]]) -> bool:
    """True when the term contains a taxonomy keyword or is part of one."""
    return any(p.search(term) or term in p.pattern for _, p in tax.values())


def emerging_terms(
    df: pd.DataFrame,
    text: str,
    *,
    wave: str,
    period,
    taxonomy: str | Path | Mapping | None = None,
    top: int = 20,
    min_count: int = 5,
    min_lift: float = 3.0,
    alpha: float = 0.05,
    extra_words: Sequence[str] = (),
    segmenter: str | None = None,
) -> pd.DataFrame:
    """Terms frequent in one period that are neither in the topic taxonomy nor frequent before.

    For the analyst who maintains ``topics.yaml``: what customers started to write about.

    Parameters
    ----------
    df : pandas.DataFrame
    text : str
        The comment column.
    wave : str
        The wave column; its values sort in time order.
    period
        The value of ``wave`` to look at; every earlier value is "before".
    taxonomy : path, mapping or None
        Topic taxonomy (see :func:`cxlab.text.topics`); a term containing one of its keywords,
        or part of one, is left out.
    top : int
        Terms returned at most.
    min_count : int
        Comments of the period a term must occur in.
    min_lift : float
        How many times more often (share of comments) than before.
    alpha : float
        Significance level of the rise (two-proportion z test), when there is a before.
    extra_words : sequence of str
        More words for the segmenter to keep whole.
    segmenter : {"rjieba", "jieba"}, optional
        See :func:`cxlab.text.segment.tokenizer`.

    Returns
    -------
    pandas.DataFrame
        Most frequent first: ``term``, ``n`` (comments of the period with it), ``share``
        (percent of the period's comments), ``n_before``, ``share_before`` (the same over
        earlier periods), ``lift`` (share over share before, both smoothed by half a comment),
        ``p`` (z test of the rise; NaN without earlier comments), ``rank``, ``example`` (the
        shortest comment with the term, redacted).

    Notes
    -----
    Terms are the words of two or more characters of the comments' analysis form (redacted,
    normalised; :func:`cxlab.text.segment.tokenize_many`), minus stopwords, counted once per
    comment. lift = ((n + 0.5) / (N + 1)) / ((n_before + 0.5) / (N_before + 1)), N the
    comments of each side; the test is :func:`cxlab.inference.two_proportion_z`.

    Examples
    --------
    >>> df = pd.DataFrame({"wave": ["q1"] * 6 + ["q2"] * 6,
    ...                    "comment": ["物流很快"] * 6 + ["电池鼓包了", "电池鼓包", "物流很快"] * 2})
    >>> emerging_terms(df, "comment", wave="wave", period="q2", min_count=2, alpha=0.5)[
    ...     ["term", "n", "n_before", "example"]].to_dict("list")
    {'term': ['电池', '鼓包'], 'n': [4, 4], 'n_before': [0, 0], 'example': ['电池鼓包', '电池鼓包']}
    """
    require_columns(df, text, wave)
    waves = sorted(df[wave].dropna().unique())
    if period not in waves:
        raise ValueError(f"`period` {period!r} is not a value of `{wave}`: {waves[:10]}.")
    has = df[text].map(lambda t: isinstance(t, str)).to_numpy(dtype=bool)
    now = has & (df[wave] == period).to_numpy()
    before = has & df[wave].isin(waves[: waves.index(period)]).to_numpy()
    texts_now = df.loc[now, text].tolist()
    terms_now = _doc_terms(texts_now, tuple(extra_words), segmenter)
    count_now = Counter(w for ts in terms_now for w in ts)
    count_before = Counter(
        w
        for ts in _doc_terms(df.loc[before, text].tolist(), tuple(extra_words), segmenter)
        for w in ts
    )
    tax = load_taxonomy(taxonomy)
    big_n, big_b = len(terms_now), int(before.sum())
    cand = [w for w, c in count_now.items() if c >= min_count and not _in_taxonomy(w, tax)]
    n = np.array([count_now[w] for w in cand], dtype=float)
    nb = np.array([count_before.get(w, 0) for w in cand], dtype=float)
    lift = ((n + 0.5) / (big_n + 1)) / ((nb + 0.5) / (big_b + 1))
    p = (
        two_proportion_z(n / max(big_n, 1), big_n, nb / max(big_b, 1), big_b)[1]
        if big_b
        else np.full(len(cand), np.nan)
    )
    keep = (lift >= min_lift) & ((p < alpha) | np.isnan(p))
    out = pd.DataFrame(
        {
            "term": cand,
            "n": n.astype(int),
            "share": 100 * n / max(big_n, 1),
            "n_before": nb.astype(int),
            "share_before": 100 * nb / big_b if big_b else np.nan,
            "lift": lift,
            "p": p,
        }
    )[keep]
    out = out.sort_values(["n", "lift", "term"], ascending=[False, False, True]).head(top)
    out["rank"] = np.arange(1, len(out) + 1)
    out["example"] = [
        redact_text(
            min((t for t, ts in zip(texts_now, terms_now, strict=True) if w in ts), key=len)
        )
        for w in out["term"]
    ]
    return out.reset_index(drop=True)[COLUMNS]

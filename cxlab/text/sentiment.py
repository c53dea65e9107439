"""Sentiment of Chinese comments."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxlab.text.normalize import _normalize_one
from cxlab.text.segment import _lexicon, _tokens

_CLAUSE_END = frozenset("，,。.！!？?；;～~…\n、：: ")
#: A negated sentiment word flips sign and loses some force ("不好" is milder than "差").
NEGATION_FACTOR = -0.8
#: Weight of what follows a contrast word ("但是") and of what came before it.
AFTER_CONTRAST, BEFORE_CONTRAST = 1.5, 0.6
#: Single-character negators that jieba can glue to the word after them.
_NEG_PREFIX = frozenset("不没无非别未")
#: |score| below this is neutral.
NEUTRAL_BAND = 0.1


def _sentiment_tokens(tokens: list[str]) -> float:
    """Raw sentiment of a tokenised text (before squashing to [-1, 1])."""
    lex, degree, neg, contrast, _ = _lexicon()
    clauses: list[list[float]] = [[]]
    total_before: list[float] = []
    neg_count, mult = 0, 1.0
    for tok in tokens:
        if tok in _CLAUSE_END or tok.isspace():
            clauses.append([])
            neg_count, mult = 0, 1.0
            continue
        if tok in contrast:
            # Everything said so far counts less; this clause on counts more.
            total_before.extend(v * BEFORE_CONTRAST for c in clauses for v in c)
            clauses = [[]]
            clauses[0].append(float("nan"))  # marker: weight this clause up
            if tok in lex:
                clauses[0].append(lex[tok])
            continue
        if tok in neg:
            neg_count += 1
            if tok in degree:
                mult *= degree[tok]
            continue
        if tok in degree:
            mult *= degree[tok]
            continue
        w = lex.get(tok)
        if w is None and len(tok) >= 2:
            # jieba may glue a negator or degree word to a sentiment word ("不差", "太贵"):
            # read the prefix as the modifier it is.
            head, rest = tok[0], tok[1:]
            if rest in lex and head in _NEG_PREFIX:
                neg_count += 1
                w = lex[rest]
            elif rest in lex and head in degree:
                mult *= degree[head]
                w = lex[rest]
        if w is not None:
            v = w * mult
            if neg_count % 2 == 1:
                v *= NEGATION_FACTOR
            clauses[-1].append(v)
            neg_count, mult = 0, 1.0
    total = sum(total_before)
    boosted = False
    for c in clauses:
        for v in c:
            if math.isnan(v):
                boosted = True
                continue
            total += v * (AFTER_CONTRAST if boosted else 1.0)
    return total


def _squash(total: float) -> tuple[float, str]:
    score = math.tanh(total / 2)
    label = (
        "positive" if score > NEUTRAL_BAND else "negative" if score < -NEUTRAL_BAND else "neutral"
    )
    return score, label


def sentiment(texts, *, extra_words: Sequence[str] = ()) -> pd.DataFrame:
    """Sentiment of each text: a score in [-1, 1] and a label.

    Returns
    -------
    pandas.DataFrame
        Same index as ``texts`` (a Series; a list gets 0..n-1): ``score`` and
        ``label`` (``"positive"``, ``"neutral"``, ``"negative"``; missing texts
        give NaN and no label).

    Notes
    -----
    Lexicon and rules, applied within each clause (split at punctuation): a
    sentiment word's weight (``resources/sentiment_lexicon.tsv``, -2..+2) is
    multiplied by the degree words before it (很 1.3, 非常 1.6, 有点 0.6, ...)
    and flipped and damped by an odd number of negators before it (不, 没,
    别, 无 ...: x -0.8; "不太好" = -0.8 x 0.6). After a contrast word (但是,
    不过, 可是 ...) the text weighs x1.5 and what came before x0.6, since the
    clause after "but" carries the writer's verdict. score = tanh(sum / 2);
    |score| < 0.1 is neutral. Traditional script is converted to simplified
    first, so both give the same result.
    """
    extra = tuple(extra_words)
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
    scores, labels = [], []
    for t in s:
        if not isinstance(t, str):
            scores.append(np.nan)
            labels.append(None)
            continue
        sc, lab = _squash(_sentiment_tokens(_tokens(_normalize_one(t), extra)))
        scores.append(sc)
        labels.append(lab)
    return pd.DataFrame({"score": scores, "label": labels}, index=s.index)

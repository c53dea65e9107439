"""Sentiment of Chinese comments."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxlab.text import model
from cxlab.text.model import CLAUSE_END
from cxlab.text.prepare import analysis_text
from cxlab.text.segment import check_segmenter, lexicon, tokenize_many

#: A negated sentiment word flips sign and loses some force ("不好" is milder than "差").
NEGATION_FACTOR = -0.8
#: Weight of what follows a contrast word ("但是") and of what came before it.
AFTER_CONTRAST, BEFORE_CONTRAST = 1.5, 0.6
#: |score| below this is labelled neutral (both methods).
NEUTRAL_BAND = 0.1


def _split_modifiers(tokens: list[str]) -> list[str]:
    """Tokens with negators and degree words split off the sentiment word jieba glued them to.

    jieba keeps "很满意", "不太好", "太贵" whole; when a token is not itself a lexicon
    word but is a modifier (longest of 3, 2, 1 characters) followed by one, read it as the
    two words it is ("不太" + "好").
    """
    out: list[str] = []
    for tok in tokens:
        out += split_modifier(tok) if len(tok) > 1 else (tok,)
    return out


@functools.lru_cache(maxsize=1 << 16)
def split_modifier(tok: str) -> tuple[str, ...]:
    """One token, or the modifier and the lexicon word jieba glued together.

    Parameters
    ----------
    tok : str

    Returns
    -------
    tuple of str
        ``(head, rest)`` when ``tok`` is not itself a lexicon, degree or negation word but
        its first 3, 2 or 1 characters (longest first) are a negator or degree word and the
        rest a lexicon word; else ``(tok,)``.

    Examples
    --------
    >>> split_modifier("不太好"), split_modifier("满意")
    (('不太', '好'), ('满意',))
    """
    lex, degree, neg, _, _ = lexicon()
    if tok not in lex and tok not in degree and tok not in neg:
        for k in (3, 2, 1):
            head, rest = tok[:k], tok[k:]
            if rest and rest in lex and (head in neg or head in degree):
                return head, rest
    return (tok,)


def _sentiment_tokens(tokens: list[str]) -> float:
    """Raw sentiment of a tokenised text with modifiers split off (before squashing)."""
    lex, degree, neg, contrast, _ = lexicon()
    clauses: list[list[float]] = [[]]
    total_before: list[float] = []
    neg_count, mult = 0, 1.0
    for tok in tokens:
        if tok in CLAUSE_END or tok.isspace():
            clauses.append([])
            neg_count, mult = 0, 1.0
            continue
        if tok in contrast:
            # Everything said so far counts less; this clause on counts more.
            total_before.extend(v * BEFORE_CONTRAST for c in clauses for v in c if v == v)
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


def _rule_score(tokens: list[str]) -> float:
    """The rules' score in [-1, 1]: tanh(sum / 2)."""
    return math.tanh(_sentiment_tokens(tokens) / 2)


def _band(score: float) -> str:
    if score > NEUTRAL_BAND:
        return "positive"
    return "negative" if score < -NEUTRAL_BAND else "neutral"


#: Sentiment methods: the trained model, or the lexicon rules alone.
METHODS = ("model", "rules")


def model_inputs(tokens: list[str]) -> tuple[dict[str, float], float]:
    """The model's features and the rule score of one tokenised text (training uses this too).

    Parameters
    ----------
    tokens : list of str
        The tokens of a text's analysis form (:func:`cxlab.text.segment.tokenize`).

    Returns
    -------
    (dict, float)
        Feature name -> value (:func:`cxlab.text.model.features`), and the rule score in
        [-1, 1].

    Examples
    --------
    >>> feats, rule = model_inputs(["很", "满意"])
    >>> feats, round(rule, 3)
    ({'w:满意': 1.3, 'c:满意': 1.0}, 0.778)
    """
    _, degree, neg, _, _ = lexicon()
    words = _split_modifiers(tokens)
    return model.features(words, neg, degree), _rule_score(words)


def score_tokens(tokens: list[str], *, method: str = "model") -> tuple[float, str]:
    """Score and label of one tokenised text.

    Parameters
    ----------
    tokens : list of str
        The tokens of a text's analysis form (:func:`cxlab.text.segment.tokenize`).
    method : {"model", "rules"}
        Not checked here (this runs once per comment): see :func:`check_method`.

    Returns
    -------
    (float, str)
        The score in [-1, 1] and its label (see :func:`sentiment`).

    Examples
    --------
    >>> score, label = score_tokens(["质量", "很", "好"], method="rules")
    >>> round(score, 3), label
    (0.572, 'positive')
    """
    if method == "rules":
        rule = _rule_score(_split_modifiers(tokens))
        return rule, _band(rule)
    p = model.probabilities(*model_inputs(tokens))
    score = p[1] - p[0]
    return score, _band(score)


def check_method(method: str) -> str:
    """Return ``method`` if it is a sentiment method, else raise ValueError.

    Parameters
    ----------
    method : str

    Returns
    -------
    str

    Examples
    --------
    >>> check_method("rules")
    'rules'
    """
    if method not in METHODS:
        raise ValueError(f"`method` should be 'model' or 'rules', not {method!r}.")
    return method


def check_model(model, method: str):
    """Return ``model`` if it can be used with ``method``, else raise ValueError.

    Parameters
    ----------
    model : cxlab.text.learn.SentimentModel or None
    method : {"model", "rules"}

    Returns
    -------
    cxlab.text.learn.SentimentModel or None

    Examples
    --------
    >>> check_model(None, "rules") is None
    True
    """
    check_method(method)
    if model is not None and method != "model":
        raise ValueError("A trained `model` scores with method='model'; drop `method` or `model`.")
    return model


def sentiment(
    texts,
    *,
    method: str = "model",
    extra_words: Sequence[str] = (),
    segmenter: str | None = None,
    chunk: int = 2000,
    model=None,
) -> pd.DataFrame:
    """Sentiment of each text: a score in [-1, 1] and a label.

    Parameters
    ----------
    texts : pandas.Series or iterable of str
        The comments; missing values give NaN and no label.
    method : {"model", "rules"}
        The trained model (default), or the lexicon rules alone.
    extra_words : sequence of str
        Words for the segmenter to keep whole.
    segmenter : {"rjieba", "jieba"}, optional
        See :func:`cxlab.text.segment.tokenizer`.
    chunk : int
        Comments scored at once (:func:`cxlab.text.batch.score_chunk`).
    model : cxlab.text.learn.SentimentModel or path, optional
        A model trained on a team's own labels (:func:`cxlab.text.learn.train_sentiment`), or
        the file it was saved to; None (or ""): the shipped model. Only with
        ``method="model"``.

    Returns
    -------
    pandas.DataFrame
        Same index as ``texts`` (a Series; a list gets 0..n-1): ``score`` and
        ``label`` (``"positive"``, ``"neutral"``, ``"negative"``; missing texts
        give NaN and no label).

    Notes
    -----
    *Rules.* Lexicon and rules, applied within each clause (split at
    punctuation): a sentiment word's weight (``resources/sentiment_lexicon.tsv``,
    -2..+2) is multiplied by the degree words before it (很 1.3, 非常 1.6,
    有点 0.6, ...) and flipped and damped by an odd number of negators before
    it (不, 没, 别, 无 ...: x -0.8; "不太好" = -0.8 x 0.6). After a contrast
    word (但是, 不过, 可是 ...) the text weighs x1.5 and what came before x0.6,
    since the clause after "but" carries the writer's verdict.
    rule = tanh(sum / 2); with ``method="rules"`` the score is the rule.

    *Model.* A multinomial logistic regression (negative / positive /
    neutral) over the words (marked when negated in their clause), character
    bigrams, "!" and "?", and the rule score above as one more input
    (:mod:`cxlab.text.model`), trained on a labelled corpus written for cxlab
    (reviews, services, complaints, news: ``data/sentiment/``). score =
    P(positive) - P(negative), so a text the model finds neutral scores near 0.

    *A trained model* (``model=``): the same kind of regression fitted on a team's labels,
    with the shipped model's score as an input (:func:`cxlab.text.learn.train_sentiment`).

    Either way, |score| < 0.1 is labelled neutral.

    Each text is read in its analysis form (:func:`cxlab.text.prepare.analysis_text`:
    personal data masked and dropped, traditional script converted to simplified, so both
    scripts give the same result). Accuracy on real reviews is measured by
    ``benchmarks/eval_sentiment.py``.

    Examples
    --------
    >>> out = sentiment(["服务很好，非常满意", "质量太差了", None], method="rules")
    >>> out["score"].round(3).tolist(), out["label"].tolist()
    ([0.959, -0.762, nan], ['positive', 'negative', nan])
    """
    from cxlab.text.batch import score_chunk
    from cxlab.text.learn import as_model

    trained = check_model(as_model(model), method)
    extra, seg = tuple(extra_words), check_segmenter(segmenter)
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))

    values = s.tolist()
    rows = [i for i, t in enumerate(values) if isinstance(t, str)]
    scores = np.full(len(values), np.nan)
    labels = np.full(len(values), None, dtype=object)
    for i in range(0, len(rows), chunk):
        part = rows[i : i + chunk]
        toks = tokenize_many(
            [analysis_text(values[j]) for j in part], extra_words=extra, segmenter=seg
        )
        scores[part], labels[part] = score_chunk(toks, method=method, model=trained)
    return pd.DataFrame({"score": scores, "label": labels}, index=s.index)

"""Sentiment and topics of a chunk of comments at once: numpy over every token of the chunk.

Scoring one comment at a time spends most of its time in the Python loop over its tokens. Here
each distinct token is looked up once per process (its pieces after modifiers are split off,
whether it ends a clause, negates, intensifies, its lexicon weight, and the rows of the model
table its features use); a chunk is then a few arrays of token ids, and the state that the
rules carry along a clause (negation parity, the product of degree words, the side of a
contrast word) is computed with cumulative sums and segment products over the whole chunk.
The result is that of :func:`cxlab.text.sentiment.score_tokens` on each text (the rule score
exactly, the model's score to rounding: its sums are added in another order).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from itertools import chain, repeat

import numpy as np

from cxlab.text import model
from cxlab.text.model import BIAS, CLAUSE_END, RULE
from cxlab.text.segment import lexicon
from cxlab.text.sentiment import (
    AFTER_CONTRAST,
    BEFORE_CONTRAST,
    NEGATION_FACTOR,
    NEUTRAL_BAND,
    split_modifier,
)

__all__ = ["LABELS", "label_codes", "score_chunk", "topic_matrix", "topic_strings"]

#: The sentiment labels, in the order of :func:`label_codes`.
LABELS = ("negative", "neutral", "positive")
_LABELS = np.array(LABELS, dtype=object)
_MARKS = {"!": "p:!", "?": "p:?", "！": "p:!", "？": "p:?"}


class _Vocabulary:
    """Every token seen in this process, with what scoring needs of it, as growing arrays."""

    def __init__(self) -> None:
        table = model.weights()
        names = [n for n in table if n not in (BIAS, RULE)]
        self.feature = {n: i for i, n in enumerate(names)}
        self.weights = np.array([table[n] for n in names], dtype=float).reshape(-1, 3)
        self.bias, self.rule = np.array(table[BIAS]), np.array(table[RULE])
        self.ids: dict[str, int] = {}
        # Per token id: its pieces (token ids), and per piece what the scorers read.
        self.pieces: list[list[int]] = []
        self.props: list[tuple] = []
        self.grams: list[list[int]] = []
        self.synced = 0
        self.arrays: dict[str, np.ndarray] = {}

    def add(self, token: str) -> int:
        """The id of ``token``, adding it (and its pieces) if new."""
        tid = self.ids.get(token)
        if tid is not None:
            return tid
        parts = split_modifier(token) if len(token) > 1 else (token,)
        tid = len(self.pieces)
        self.ids[token] = tid
        self.pieces.append([])
        self.props.append(self._props(token))
        self.grams.append(
            [
                f
                for f in (self.feature.get("c:" + token[i : i + 2]) for i in range(len(token) - 1))
                if f is not None
            ]
        )
        self.pieces[tid] = [tid] if parts == (token,) else [self.add(p) for p in parts]
        return tid

    def _props(self, tok: str) -> tuple:
        lex, degree, neg, contrast, _ = lexicon()
        end = tok in CLAUSE_END or tok.isspace()
        get = self.feature.get
        return (
            end,
            tok in contrast,
            tok in neg,
            degree.get(tok, 1.0),
            tok in neg or tok in degree,
            lex.get(tok, math.nan),
            get("w:" + tok, -1),
            get("n:" + tok, -1),
            get(_MARKS.get(tok, ""), -1) if end else -1,
        )

    def sync(self) -> dict[str, np.ndarray]:
        """The per-token arrays, extended by the tokens added since the last call."""
        n = len(self.pieces)
        if n == self.synced:
            return self.arrays
        new = self.props[self.synced :]
        cols = list(zip(*new, strict=True))
        names = ("end", "contrast", "neg", "deg", "mod", "lexw", "wf", "nf", "mark")
        kinds = (bool, bool, bool, float, bool, float, np.int64, np.int64, np.int64)
        fresh = {k: np.array(c, dtype=t) for k, c, t in zip(names, cols, kinds, strict=True)}
        fresh["npieces"] = np.array([len(p) for p in self.pieces[self.synced :]], dtype=np.int64)
        fresh["ngrams"] = np.array([len(g) for g in self.grams[self.synced :]], dtype=np.int64)
        # The pieces and grams of a token never change: only the new tokens' are appended.
        for k, lists in (("piece_idx", self.pieces), ("gram_idx", self.grams)):
            fresh[k] = np.fromiter(chain.from_iterable(lists[self.synced :]), dtype=np.int64)
        if self.synced:
            fresh = {k: np.concatenate([self.arrays[k], v]) for k, v in fresh.items()}
        self.arrays = fresh
        self.arrays["piece_ptr"] = _ptr(self.arrays["npieces"])
        self.arrays["gram_ptr"] = _ptr(self.arrays["ngrams"])
        self.synced = n
        return self.arrays


def _ptr(lengths: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


def _gather(ptr: np.ndarray, idx: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The entries of ragged rows ``rows`` (CSR ``ptr``/``idx``), and how many each row has."""
    lens = ptr[rows + 1] - ptr[rows]
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), lens
    offsets = np.repeat(ptr[rows] - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
    return idx[offsets + np.arange(total)], lens


@functools.cache
def _vocabulary() -> _Vocabulary:
    return _Vocabulary()


def _starts_of(flags: np.ndarray) -> np.ndarray:
    """For each position, the index of the last position at or before it where ``flags`` holds."""
    return np.maximum.accumulate(np.where(flags, np.arange(len(flags)), 0))


def _segment_products(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per position, the product of ``values`` over its segment (segments begin where ``starts``
    holds), multiplied left to right as the one-text loop does."""
    first = np.flatnonzero(starts)
    if len(first) == 0:
        return np.ones_like(values)
    return np.multiply.reduceat(values, first)[np.cumsum(starts) - 1]


def _rule_totals(a: dict, pid: np.ndarray, doc: np.ndarray, docstart: np.ndarray, n: int):
    """The rules' raw sum per text (:func:`cxlab.text.sentiment.score_tokens` before tanh)."""
    end, contrast = a["end"][pid], a["contrast"][pid] & ~a["end"][pid]
    mod = a["mod"][pid] & ~end & ~contrast
    lexw = a["lexw"][pid]
    word = ~end & ~contrast & ~mod & ~np.isnan(lexw)
    # A new run of modifiers starts at each text, after a clause end and after a lexicon word.
    reset = docstart.copy()
    reset[1:] |= (end | word)[:-1]
    negs = np.cumsum(np.concatenate([[0], a["neg"][pid] & mod]))
    run = _starts_of(reset)
    odd = (negs[np.arange(len(pid))] - negs[run]) % 2 == 1
    mult = _segment_products(np.where(mod, a["deg"][pid], 1.0), reset)
    value = lexw * mult
    value = np.where(odd, value * NEGATION_FACTOR, value)
    value = np.where(contrast, lexw, value)
    counted = word | (contrast & ~np.isnan(lexw))
    # Which side of the text's last contrast word each value lies on.
    side = np.cumsum(contrast) - np.concatenate([[0], np.cumsum(contrast)])[_starts_of(docstart)]
    last = np.zeros(n, dtype=np.int64)
    np.maximum.at(last, doc, side)
    factor = np.where(
        last[doc] == 0, 1.0, np.where(side == last[doc], AFTER_CONTRAST, BEFORE_CONTRAST)
    )
    return np.bincount(doc[counted], weights=value[counted] * factor[counted], minlength=n)


def _feature_logits(voc: _Vocabulary, a: dict, pid, doc, docstart, n: int) -> np.ndarray:
    """Sum of the model weights of each text's features (classes in columns)."""
    end, mod = a["end"][pid], a["mod"][pid]
    word = ~end & ~mod
    clause = docstart | end
    negs = np.cumsum(np.concatenate([[0], a["neg"][pid]]))
    odd = (negs[np.arange(len(pid))] - negs[_starts_of(clause)]) % 2 == 1
    # Degree words multiply the next word only: runs of modifiers end at any other token.
    starts = docstart.copy()
    starts[1:] |= ~mod[:-1]
    mult = _segment_products(np.where(mod, a["deg"][pid], 1.0), starts)
    wf = np.where(odd, a["nf"][pid], a["wf"][pid])
    keep = word & (wf >= 0)
    grams, lens = _gather(a["gram_ptr"], a["gram_idx"], pid[word])
    marks = a["mark"][pid] >= 0
    f = np.concatenate([wf[keep], grams, a["mark"][pid][marks]])
    d = np.concatenate([doc[keep], np.repeat(doc[word], lens), doc[marks]])
    v = np.concatenate([mult[keep], np.ones(len(grams) + int(marks.sum()))])
    key = d * len(voc.weights) + f
    order = np.lexsort((v, key))
    key, v, d, f = key[order], v[order], d[order], f[order]
    last = np.append(key[1:] != key[:-1], True)  # one row per (text, feature): its largest value
    d, f, v = d[last], f[last], v[last]
    return np.column_stack(
        [np.bincount(d, weights=v * voc.weights[f, k], minlength=n) for k in range(3)]
    )


def score_chunk(
    token_lists: Sequence[list[str]], *, method: str = "model", model=None
) -> tuple[np.ndarray, np.ndarray]:
    """Scores and labels of a chunk of tokenised texts.

    Parameters
    ----------
    token_lists : sequence of list of str
        The tokens of each text's analysis form (:func:`cxlab.text.segment.tokenize_many`).
    method : {"model", "rules"}
        See :func:`cxlab.text.sentiment`.
    model : cxlab.text.learn.SentimentModel, optional
        A trained model to score with in place of the shipped one (``method="model"``).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The score in [-1, 1] and the label of each text, as
        :func:`cxlab.text.sentiment.score_tokens` gives them (with ``model``: its
        :meth:`~cxlab.text.learn.SentimentModel.score_tokens`, labelled the same way).

    Notes
    -----
    Identical to :func:`~cxlab.text.sentiment.score_tokens` text by text: the rule score to the
    last bit; the model score to about 1e-15 (the same terms, summed per class in another
    order). See the module docstring for how.

    Examples
    --------
    >>> scores, labels = score_chunk([["质量", "很", "好"], ["不", "满意"], []], method="rules")
    >>> scores.round(3).tolist(), labels.tolist()
    ([0.572, -0.565, 0.0], ['positive', 'negative', 'neutral'])
    """
    if model is not None:
        return _labelled(model.score_tokens(token_lists))
    n = len(token_lists)
    voc = _vocabulary()
    flat = list(chain.from_iterable(token_lists))
    tid = np.fromiter(map(voc.ids.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
    for i in np.flatnonzero(tid < 0):
        tid[i] = voc.add(flat[i])
    a = voc.sync()
    ntok = np.fromiter(map(len, token_lists), dtype=np.int64, count=n)
    pid, npieces = _gather(a["piece_ptr"], a["piece_idx"], tid)
    doc = np.repeat(np.repeat(np.arange(n), ntok), npieces)
    counts = np.bincount(doc, minlength=n)
    docstart = np.zeros(len(pid), dtype=bool)
    docstart[(np.cumsum(counts) - counts)[counts > 0]] = True
    rule = np.tanh(_rule_totals(a, pid, doc, docstart, n) / 2)
    if method == "rules":
        score = rule
    else:
        logits = (
            voc.bias + rule[:, None] * voc.rule + _feature_logits(voc, a, pid, doc, docstart, n)
        )
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        score = p[:, 1] - p[:, 0]
    return _labelled(score)


def label_codes(scores: np.ndarray) -> np.ndarray:
    """The label of each sentiment score as its position in :data:`LABELS`.

    Parameters
    ----------
    scores : numpy.ndarray
        Sentiment scores in [-1, 1].

    Returns
    -------
    numpy.ndarray
        int8: 0 negative (below ``-NEUTRAL_BAND``), 2 positive (above ``NEUTRAL_BAND``),
        1 neutral otherwise.

    Examples
    --------
    >>> label_codes(np.array([-0.9, 0.0, 0.9])).tolist()
    [0, 1, 2]
    """
    return np.where(scores > NEUTRAL_BAND, 2, np.where(scores < -NEUTRAL_BAND, 0, 1)).astype(
        np.int8
    )


def _labelled(score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return score, _LABELS[label_codes(score)]


def topic_matrix(
    normalized: Sequence[str], taxonomy: Mapping[str, tuple[str, re.Pattern]]
) -> np.ndarray:
    """Which texts of a chunk raise which topic.

    Parameters
    ----------
    normalized : sequence of str
        Texts in their analysis form (no line breaks: normalisation collapses whitespace).
    taxonomy : mapping
        A taxonomy as :func:`cxlab.text.topics.load_taxonomy` returns it.

    Returns
    -------
    numpy.ndarray
        Bool, one row per text and one column per topic in taxonomy order.

    Notes
    -----
    The chunk is joined by line breaks and each topic's pattern scans it once; a match's
    position gives its text. Same result as :func:`cxlab.text.topics.topic_keys` per text.

    Examples
    --------
    >>> from cxlab.text.topics import load_taxonomy
    >>> topic_matrix(["快递很快,价格也便宜", "今天天气不错"], load_taxonomy(None))[:, :2].tolist()
    [[True, True], [False, False]]
    """
    out = np.zeros((len(normalized), len(taxonomy)), dtype=bool)
    if not len(normalized):
        return out
    joined = "\n".join(normalized)
    ends = np.cumsum([len(t) + 1 for t in normalized])
    for j, (_, pattern) in enumerate(taxonomy.values()):
        hits = [m.start() for m in pattern.finditer(joined)]
        out[np.searchsorted(ends, hits, side="right"), j] = True
    return out


def topic_strings(found: np.ndarray, keys: Sequence[str]) -> list[str]:
    """The topic keys of each row of a :func:`topic_matrix`, joined by ";".

    Parameters
    ----------
    found : numpy.ndarray
        Bool, texts in rows, topics in columns.
    keys : sequence of str
        The topic keys, in column order.

    Returns
    -------
    list of str
        One string per row ("" when it raises no topic); each distinct row is joined once.

    Examples
    --------
    >>> topic_strings(np.array([[True, True], [False, False], [True, True]]), ["a", "b"])
    ['a;b', '', 'a;b']
    """
    if not len(keys):
        return [""] * len(found)
    codes = found.astype(np.int64) @ (1 << np.arange(len(keys), dtype=np.int64))
    if len(keys) <= 16:  # the code itself indexes the table of names: no sort
        uniq = np.flatnonzero(np.bincount(codes))
        slots, index = uniq, codes
    else:
        uniq, index = np.unique(codes, return_inverse=True)
        slots = np.arange(len(uniq))
    table = np.empty(slots[-1] + 1 if len(slots) else 0, dtype=object)
    table[slots] = [";".join(k for j, k in enumerate(keys) if c >> j & 1) for c in uniq]
    return table[index.ravel()].tolist()

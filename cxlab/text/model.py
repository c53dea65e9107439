"""The sentiment model: multinomial logistic regression over words (with negation and degree)
and the rule score, trained on the labelled corpus written for cxlab (``data/sentiment/``).

At run time the model is a table (``resources/sentiment_model.tsv``: feature, then one weight
per class) read once per process; scoring a text is a sum of table look-ups, so cxlab needs
no machine-learning library to use it. Training is in :mod:`cxlab.text.train`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from cxlab.paths import RESOURCES

#: Class codes of the corpus files, in the order of the weight columns.
CLASSES = ("negative", "positive", "neutral")
MODEL_FILE = RESOURCES / "sentiment_model.tsv"

#: Tokens that end a clause (negation and degree do not reach past them).
CLAUSE_END = frozenset("，,。.！!？?；;～~…\n、：: ")
_MARKS = {"!": "p:!", "?": "p:?", "！": "p:!", "？": "p:?"}
#: Names of the table rows that hold the rule score's weights and the intercepts.
RULE, BIAS = "__rule__", "__bias__"


def features(
    tokens: Sequence[str], negators: frozenset[str], degree: Mapping[str, float]
) -> dict[str, float]:
    """Features of one text (the tokens of its normalised form) and their values.

    * ``w:word`` for each word; after an odd number of negators in the same clause
      ``n:word`` instead (Das & Chen 2001: "不 满意" is not "满意"). The value is the
      product of the degree words just before it in the clause (很 1.3, 有点 0.6, ...;
      1 without), so degree scales a word's evidence as it does in the rules;
      negators and degree words are read this way, not counted as words themselves;
    * ``c:xy`` (value 1) for each pair of adjacent characters inside a word, so a word
      the training text never had still shares evidence with words it did have;
    * ``p:!`` and ``p:?`` (value 1) when the text has them.

    Parameters
    ----------
    tokens : sequence of str
        The tokens, with modifiers split off the words jieba glued them to.
    negators : frozenset of str
    degree : mapping of str to float
        Degree word -> multiplier.

    Returns
    -------
    dict of str to float

    Examples
    --------
    >>> features(["不", "很", "满意", "!"], frozenset({"不"}), {"很": 1.3})
    {'n:满意': 1.3, 'c:满意': 1.0, 'p:!': 1.0}
    """
    out: dict[str, float] = {}
    negated, mult = False, 1.0
    for tok in tokens:
        if tok in CLAUSE_END or tok.isspace():
            negated, mult = False, 1.0
            mark = _MARKS.get(tok)
            if mark:
                out[mark] = 1.0
            continue
        if tok in negators or tok in degree:
            if tok in negators:
                negated = not negated
            mult *= degree.get(tok, 1.0)
            continue
        name, grams = _names(tok, negated)
        if out.get(name, 0.0) < mult:
            out[name] = mult
        mult = 1.0
        out.update(grams)
    return out


@functools.lru_cache(maxsize=1 << 16)
def _names(tok: str, negated: bool) -> tuple[str, dict[str, float]]:
    """Feature name of a word and its character bigrams (cached: comments repeat words)."""
    return ("n:" if negated else "w:") + tok, {
        "c:" + tok[i : i + 2]: 1.0 for i in range(len(tok) - 1)
    }


@functools.cache
def weights(path: Path = MODEL_FILE) -> dict[str, tuple[float, ...]]:
    """The model table, read once per path.

    Parameters
    ----------
    path : pathlib.Path
        A table written by :mod:`cxlab.text.train`; default the shipped one.

    Returns
    -------
    dict of str to tuple of float
        Feature -> one weight per class of :data:`CLASSES` (the :data:`BIAS` and
        :data:`RULE` rows included).

    Examples
    --------
    >>> len(weights()[BIAS]) == len(CLASSES)
    True
    """
    table: dict[str, tuple[float, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, *ws = line.split("\t")
        table[name] = tuple(float(w) for w in ws)
    missing = {BIAS, RULE} - set(table)
    if missing:
        raise ValueError(f"{path} is not a cxlab sentiment model (no {sorted(missing)} rows).")
    return table


def probabilities(feats: Mapping[str, float], rule: float) -> tuple[float, ...]:
    """Class probabilities of one text.

    Parameters
    ----------
    feats : mapping of str to float
        The text's features (:func:`features`).
    rule : float
        The text's rule score.

    Returns
    -------
    tuple of float
        Softmax of the summed weights, in the order of :data:`CLASSES`.

    Examples
    --------
    >>> p = probabilities({"w:满意": 1.0}, 0.5)
    >>> round(sum(p), 6), max(range(3), key=p.__getitem__) == CLASSES.index("positive")
    (1.0, True)
    """
    table = weights()
    (b0, b1, b2), (r0, r1, r2) = table[BIAS], table[RULE]
    l0, l1, l2 = b0 + rule * r0, b1 + rule * r1, b2 + rule * r2
    get = table.get
    for f, v in feats.items():
        w = get(f)
        if w is not None:
            l0 += v * w[0]
            l1 += v * w[1]
            l2 += v * w[2]
    top = max(l0, l1, l2)
    e0, e1, e2 = math.exp(l0 - top), math.exp(l1 - top), math.exp(l2 - top)
    total = e0 + e1 + e2
    return e0 / total, e1 / total, e2 / total

"""The sentiment model: multinomial logistic regression over words, character bigrams and the
rule score, trained on the labelled corpus written for cxlab (``data/sentiment/``).

At run time the model is a table (``resources/sentiment_model.tsv``: feature, then one weight
per class) read once per process; scoring a text is a sum of table look-ups, so cxlab needs
no machine-learning library to use it. Training is in :mod:`cxlab.text.train`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

from cxlab.paths import RESOURCES

#: Class codes of the corpus files, in the order of the weight columns.
CLASSES = ("negative", "positive", "neutral")
MODEL_FILE = RESOURCES / "sentiment_model.tsv"

_CLAUSE_END = frozenset("，,。.！!？?；;～~…\n、：: ")
_MARKS = {"!": "p:!", "?": "p:?", "！": "p:!", "？": "p:?"}
_RULE, _BIAS = "__rule__", "__bias__"


def _charlike(ch: str) -> bool:
    return ch.isalnum()


def features(tokens: Sequence[str], normalized: str, negators: frozenset[str]) -> set[str]:
    """Binary features of one text (tokens of its normalised form, and that form).

    * ``w:word`` for each token; after an odd number of negators in the same clause
      ``n:word`` instead (Das & Chen 2001: "不 满意" is not "满意");
    * ``c:xy`` for each pair of adjacent letters or characters (character bigrams, which
      carry words the segmenter split or does not know);
    * ``p:!`` and ``p:?`` when the text has them.
    """
    out: set[str] = set()
    negated = False
    for tok in tokens:
        if tok in _CLAUSE_END or tok.isspace():
            negated = False
            mark = _MARKS.get(tok)
            if mark:
                out.add(mark)
            continue
        if tok in negators:
            negated = not negated
            out.add("w:" + tok)
            continue
        out.add(("n:" if negated else "w:") + tok)
    prev = ""
    for ch in normalized:
        if _charlike(ch):
            if prev:
                out.add("c:" + prev + ch)
            prev = ch
        else:
            prev = ""
    return out


@functools.cache
def weights(path: Path = MODEL_FILE) -> dict[str, tuple[float, ...]]:
    """The model table: feature -> one weight per class (``__bias__`` and ``__rule__`` included)."""
    table: dict[str, tuple[float, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, *ws = line.split("\t")
        table[name] = tuple(float(w) for w in ws)
    missing = {_BIAS, _RULE} - set(table)
    if missing:
        raise ValueError(f"{path} is not a cxlab sentiment model (no {sorted(missing)} rows).")
    return table


def probabilities(feats: Iterable[str], rule: float) -> tuple[float, ...]:
    """Class probabilities (softmax of the summed weights), in the order of :data:`CLASSES`."""
    table = weights()
    bias, rw = table[_BIAS], table[_RULE]
    logits = [b + rule * r for b, r in zip(bias, rw, strict=True)]
    get = table.get
    for f in feats:
        w = get(f)
        if w is not None:
            logits[0] += w[0]
            logits[1] += w[1]
            logits[2] += w[2]
    top = max(logits)
    ex = [math.exp(v - top) for v in logits]
    total = sum(ex)
    return tuple(e / total for e in ex)

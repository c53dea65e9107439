"""Keywords of a set of comments: TF-IDF or TextRank, per group."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxlab.text.normalize import _normalize_one
from cxlab.text.segment import _lexicon, _tokens, tokenizer

_WORDLIKE = re.compile(r"^[\u3400-\u9fffa-z][\u3400-\u9fffa-z0-9]+$")


@functools.cache
def _idf() -> tuple[dict[str, float], float]:
    import jieba.analyse

    tfidf = jieba.analyse.TFIDF()
    return tfidf.idf_freq, tfidf.median_idf


def keywords(
    texts: pd.Series,
    top: int = 20,
    method: str = "tfidf",
    by=None,
    *,
    extra_words: Sequence[str] = (),
) -> pd.DataFrame:
    """The words that characterise a set of comments (per group with ``by``).

    Parameters
    ----------
    texts : pandas.Series
    top : int
        Keywords per group.
    method : {"tfidf", "textrank"}
        TF-IDF with jieba's IDF table (general Chinese corpus) or jieba's
        TextRank over the group's text.
    by : pandas.Series or array, optional
        Group of each text (aligned with ``texts``).

    Returns
    -------
    pandas.DataFrame
        Group column (named as ``by``, if given), ``keyword``, ``score``,
        ``n`` (comments mentioning it) and ``rank``.

    Notes
    -----
    Words are jieba tokens of the normalised text of at least two characters,
    minus ``resources/stopwords.txt``. TF-IDF score = (count / all words of
    the group) x IDF (Salton & Buckley, 1988); TextRank after Mihalcea &
    Tarau (2004) as jieba implements it.
    """
    if method not in ("tfidf", "textrank"):
        raise ValueError(f"`method` should be 'tfidf' or 'textrank', not {method!r}.")
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
    groups = pd.Series("all" if by is None else np.asarray(by), index=s.index)
    stop = _lexicon()[4]
    extra = tuple(extra_words)
    rows = []
    for key, idx in groups.groupby(groups, sort=True).groups.items():
        docs = [_normalize_one(t) for t in s.loc[idx] if isinstance(t, str)]
        token_lists = [
            [w for w in _tokens(d, extra) if _WORDLIKE.match(w) and w not in stop] for d in docs
        ]
        doc_freq = Counter(w for toks in token_lists for w in set(toks))
        if method == "tfidf":
            counts = Counter(w for toks in token_lists for w in toks)
            total = sum(counts.values()) or 1
            idf, median = _idf()
            scored = sorted(
                ((c / total * idf.get(w, median), w) for w, c in counts.items()), reverse=True
            )[:top]
        else:
            import jieba.analyse
            import jieba.posseg

            tr = jieba.analyse.TextRank()
            tr.tokenizer = tr.postokenizer = jieba.posseg.POSTokenizer(tokenizer(extra))
            tr.stop_words = set(tr.stop_words) | set(stop)
            scored = [
                (wt, w)
                for w, wt in tr.textrank("。".join(docs), topK=top, withWeight=True)
                if _WORDLIKE.match(w)
            ]
        for rank, (score, word) in enumerate(scored, start=1):
            rows.append(
                {
                    "group": key,
                    "keyword": word,
                    "score": score,
                    "n": doc_freq.get(word, 0),
                    "rank": rank,
                }
            )
    out = pd.DataFrame(rows, columns=["group", "keyword", "score", "n", "rank"])
    if by is None:
        return out.drop(columns="group")
    return out.rename(columns={"group": getattr(by, "name", None) or "group"})

"""Keywords of a set of comments: TF-IDF or TextRank, per group."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence

import pandas as pd

from cxlab.checks import as_list, require_columns
from cxlab.text.prepare import analysis_text
from cxlab.text.segment import lexicon, tokenize, tokenizer

_WORDLIKE = re.compile(r"^[\u3400-\u9fffa-z][\u3400-\u9fffa-z0-9]+$")
METHODS = ("tfidf", "textrank")


@functools.cache
def _idf() -> tuple[dict[str, float], float]:
    import jieba.analyse

    tfidf = jieba.analyse.TFIDF()
    return tfidf.idf_freq, tfidf.median_idf


def _tfidf(token_lists: list[list[str]], top: int) -> list[tuple[float, str]]:
    """(score, word) of the ``top`` words: share of the group's words x jieba's IDF."""
    counts = Counter(w for toks in token_lists for w in toks)
    total = sum(counts.values()) or 1
    idf, median = _idf()
    return sorted(((c / total * idf.get(w, median), w) for w, c in counts.items()), reverse=True)[
        :top
    ]


def _textrank(docs: list[str], top: int, extra: tuple[str, ...]) -> list[tuple[float, str]]:
    """(score, word) of the ``top`` words by jieba's TextRank over the group's text."""
    import jieba.analyse
    import jieba.posseg

    tr = jieba.analyse.TextRank()
    tr.tokenizer = tr.postokenizer = jieba.posseg.POSTokenizer(tokenizer(extra, "jieba"))
    tr.stop_words = set(tr.stop_words) | set(lexicon().stopwords)
    return [
        (wt, w)
        for w, wt in tr.textrank("。".join(docs), topK=top, withWeight=True)
        if _WORDLIKE.match(w)
    ]


def _group_keywords(texts, top: int, method: str, extra: tuple[str, ...]) -> list[tuple]:
    """(keyword, score, n, rank) rows of one group's comments."""
    stop = lexicon().stopwords
    docs = [analysis_text(t) for t in texts if isinstance(t, str)]
    token_lists = [
        [w for w in tokenize(d, extra_words=extra) if _WORDLIKE.match(w) and w not in stop]
        for d in docs
    ]
    doc_freq = Counter(w for toks in token_lists for w in set(toks))
    scored = _tfidf(token_lists, top) if method == "tfidf" else _textrank(docs, top, extra)
    return [
        (word, score, doc_freq.get(word, 0), rank)
        for rank, (score, word) in enumerate(scored, start=1)
    ]


def keywords(
    df: pd.DataFrame,
    text: str,
    *,
    by: str | Sequence[str] | None = None,
    top: int = 20,
    method: str = "tfidf",
    extra_words: Sequence[str] = (),
) -> pd.DataFrame:
    """The words that characterise a set of comments (per group with ``by``).

    Parameters
    ----------
    df : pandas.DataFrame
    text : str
        The comment column.
    by : str or list of str, optional
        Group column(s); groups sort by their values, missing values are left out.
    top : int
        Keywords per group.
    method : {"tfidf", "textrank"}
        TF-IDF with jieba's IDF table (general Chinese corpus) or jieba's TextRank over the
        group's text.
    extra_words : sequence of str
        More words for the segmenter to keep whole.

    Returns
    -------
    pandas.DataFrame
        The group column(s) (with ``by``), ``keyword``, ``score``, ``n`` (comments of the
        group mentioning it) and ``rank`` (1 = most characteristic).

    Notes
    -----
    Words are jieba tokens of at least two characters of the comments' analysis form
    (:func:`cxlab.text.prepare.analysis_text`: personal data masked and dropped, so no
    name, number or e-mail user name can become a keyword; normalised), minus
    ``resources/stopwords.txt``. TF-IDF score = (count / all words of the group) x IDF
    (Salton & Buckley, 1988); TextRank after Mihalcea & Tarau (2004) as jieba implements it.

    Examples
    --------
    >>> df = pd.DataFrame({"comment": ["物流太慢，物流差", "物流很慢", "客服很耐心"],
    ...                    "seg": ["a", "a", "b"]})
    >>> out = keywords(df, "comment", by="seg", top=1)
    >>> out[["seg", "keyword", "n", "rank"]].to_dict("list")
    {'seg': ['a', 'b'], 'keyword': ['物流', '客服'], 'n': [2, 1], 'rank': [1, 1]}
    """
    if method not in METHODS:
        raise ValueError(f"`method` should be 'tfidf' or 'textrank', not {method!r}.")
    by_cols = as_list(by)
    require_columns(df, text, *by_cols)
    extra = tuple(extra_words)
    columns = ["keyword", "score", "n", "rank"]
    if not by_cols:
        return pd.DataFrame(_group_keywords(df[text], top, method, extra), columns=columns)
    rows = []
    for key, part in df.groupby(by_cols, sort=True, observed=True)[text]:
        key = key if isinstance(key, tuple) else (key,)
        rows += [(*key, *r) for r in _group_keywords(part, top, method, extra)]
    return pd.DataFrame(rows, columns=[*by_cols, *columns])

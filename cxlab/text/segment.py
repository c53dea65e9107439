"""Resources (lexicons, stopwords, CX dictionary) and jieba segmentation, loaded once per process."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from typing import NamedTuple

from cxlab.paths import RESOURCES
from cxlab.text.normalize import map_texts
from cxlab.text.prepare import analysis_text


class Lexicon(NamedTuple):
    """The word lists of ``cxlab/resources/`` (see its README for their sources)."""

    #: Sentiment word -> weight (-2..+2), ``sentiment_lexicon.tsv``.
    sentiment: dict[str, float]
    #: Degree word -> multiplier (很 1.3, 有点 0.6 ...), ``degree_words.tsv``.
    degree: dict[str, float]
    #: Negators (不, 没 ...), ``negation_words.tsv``.
    negators: frozenset[str]
    #: Contrast words (但是, 不过 ...), ``contrast_words.tsv``.
    contrast: frozenset[str]
    #: Stopwords left out of keywords, ``stopwords.txt``.
    stopwords: frozenset[str]


def _read_tsv(name: str) -> dict[str, float]:
    out = {}
    for line in (RESOURCES / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, _, value = line.partition("\t")
        out[word.strip()] = float(value) if value.strip() else 1.0
    return out


@functools.cache
def lexicon() -> Lexicon:
    """The lexicons and stopwords, read once per process.

    Returns
    -------
    Lexicon
        A named tuple ``(sentiment, degree, negators, contrast, stopwords)``.

    Examples
    --------
    >>> lex = lexicon()
    >>> lex.sentiment["满意"] > 0, "我们" in lex.stopwords
    (True, True)
    """
    stop = frozenset(
        w.strip()
        for w in (RESOURCES / "stopwords.txt").read_text(encoding="utf-8").splitlines()
        if w.strip()
    )
    return Lexicon(
        _read_tsv("sentiment_lexicon.tsv"),
        _read_tsv("degree_words.tsv"),
        frozenset(_read_tsv("negation_words.tsv")),
        frozenset(_read_tsv("contrast_words.tsv")),
        stop,
    )


@functools.cache
def tokenizer(extra_words: tuple[str, ...] = ()):
    """A jieba tokenizer with the CX dictionary and the sentiment vocabulary, built once per process.

    Parameters
    ----------
    extra_words : tuple of str
        More words to keep whole (from the codebook or a notebook parameter).

    Returns
    -------
    jieba.Tokenizer

    Examples
    --------
    >>> tokenizer().lcut("小程序闪退")
    ['小程序', '闪退']
    """
    try:
        import jieba
    except ImportError as e:  # pragma: no cover - jieba is a declared dependency
        raise ImportError(
            "Chinese text analysis needs `jieba`, which is not installed; it is listed in environment.yml."
        ) from e
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    tok.load_userdict(str(RESOURCES / "cx_dict.txt"))
    lex, degree, neg, contrast, _ = lexicon()
    for word in [*lex, *degree, *neg, *contrast, *extra_words]:
        if len(word) > 1:
            tok.add_word(word, freq=max(tok.FREQ.get(word, 0), 2000))
    return tok


def tokenize(normalized: str, *, extra_words: tuple[str, ...] = ()) -> list[str]:
    """The jieba tokens of one text already in its analysis form.

    Parameters
    ----------
    normalized : str
        A text as :func:`cxlab.text.prepare.analysis_text` (or
        :func:`cxlab.text.normalize.normalize_text`) returns it.
    extra_words : tuple of str
        More words to keep whole.

    Returns
    -------
    list of str

    Examples
    --------
    >>> tokenize("退换货很麻烦")
    ['退换货', '很', '麻烦']
    """
    return tokenizer(extra_words).lcut(normalized)


def segment(texts, *, extra_words: Sequence[str] = ()):
    """Words of each text, with jieba and the CX dictionary.

    Each text is redacted and normalised first (:func:`cxlab.text.prepare.analysis_text`),
    so no personal data reaches the words.

    Parameters
    ----------
    texts : str, iterable of str, or pandas.Series
        Missing values pass through.
    extra_words : sequence of str
        More words to keep whole.

    Returns
    -------
    The same kind as ``texts``: a list of words per text (a Series keeps its index).

    Examples
    --------
    >>> segment("小程序老是闪退，电话13812345678")
    ['小程序', '老是', '闪退', ',', '电话']
    """
    extra = tuple(extra_words)
    return map_texts(texts, lambda t: tokenize(analysis_text(t), extra_words=extra), name="tokens")

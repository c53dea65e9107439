"""Resources (lexicons, stopwords, CX dictionary) and segmentation (jieba-rs or jieba), loaded once
per process."""

from __future__ import annotations

import functools
import logging
import re
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


#: Segmenters: jieba-rs through its Python binding ``rjieba`` (the default), or plain jieba,
#: the reference and the fallback when ``rjieba`` is not installed.
SEGMENTERS = ("rjieba", "jieba")
#: Frequency given to the lexicon's words and to extra words (unless the dictionary has more).
USER_WORD_FREQ = 2000
#: A key no text can hit (a private-use character lies outside both segmenters' blocks of word
#: characters): its frequency brings jieba-rs's dictionary total to jieba's (see
#: :func:`user_words`).
_PAD_WORD = "\ue000"

# A token made only of the characters both segmenters keep in word blocks besides Chinese.
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9+#&._%\-]+")
_HAS_ASCII = re.compile(r"[A-Za-z0-9]")
# How such a run is cut, whichever segmenter saw it: dates, number ranges and decimals (with
# an optional %) whole, letters apart from the numbers they follow (units: 1.6g -> 1.6 g),
# every other character alone.
_ASCII_PIECE = re.compile(
    r"\d{4}[-./]\d{1,2}[-./]\d{1,2}(?!\d)"
    r"|\d+(?:\.\d+)?%?(?:-\d+(?:\.\d+)?%?)?"
    r"|[A-Za-z]+"
    r"|."
)


def _dictionary_freqs(words: frozenset[str]) -> dict[str, int]:
    """jieba's dictionary frequency of each of ``words`` it holds (read through jieba's public
    ``get_dict_file``, without building jieba's prefix dictionary)."""
    import jieba

    out = {}
    with jieba.get_dict_file() as f:
        for line in f:
            word, freq, *_ = line.decode("utf-8").split(" ")
            if word in words:
                out[word] = int(freq)
    return out


@functools.cache
def user_words(
    extra_words: tuple[str, ...] = (),
) -> tuple[tuple[tuple[str, int, str | None], ...], int]:
    """The words cxlab adds to the segmenter's dictionary, in order, and jieba's total shift.

    Parameters
    ----------
    extra_words : tuple of str
        More words to keep whole.

    Returns
    -------
    (tuple of (word, freq, tag), int)
        ``resources/cx_dict.txt`` with its frequencies and tags, then every lexicon word
        (sentiment, degree, negation, contrast) and extra word of two or more characters at
        ``max(frequency so far, USER_WORD_FREQ)``; and the sum of the frequencies these
        additions replace.

    Notes
    -----
    jieba's ``add_word`` adds the new frequency to the dictionary total without taking the
    old one off; jieba-rs replaces it. The total divides every word's frequency in the route
    probabilities, so jieba-rs gets one more (unreachable) word of that frequency and both
    segmenters weigh routes alike.

    Examples
    --------
    >>> words, shift = user_words(("小程序",))
    >>> words[0], ("小程序", 2000, None) in words, shift > 0
    (('物流', 2000, 'n'), True, True)
    """
    calls: list[tuple[str, int, str | None]] = []
    for line in (RESOURCES / "cx_dict.txt").read_text(encoding="utf-8").splitlines():
        word, freq, *tag = line.split()
        calls.append((word, int(freq), tag[0] if tag else None))
    lex, degree, neg, contrast, _ = lexicon()
    later = [w for w in [*lex, *degree, *neg, *contrast, *extra_words] if len(w) > 1]
    freq = _dictionary_freqs(frozenset(w for w, *_ in calls) | frozenset(later))
    shift = 0
    for word, f, _ in calls:
        shift += freq.get(word, 0)
        freq[word] = f
    for word in later:
        old = freq.get(word, 0)
        calls.append((word, max(old, USER_WORD_FREQ), None))
        shift += old
        freq[word] = calls[-1][1]
    return tuple(calls), shift


def check_segmenter(segmenter: str | None) -> str:
    """The segmenter to use: ``segmenter`` if given and known, else ``"rjieba"`` when it is
    installed and ``"jieba"`` otherwise.

    Parameters
    ----------
    segmenter : {"rjieba", "jieba"} or None

    Returns
    -------
    str

    Examples
    --------
    >>> check_segmenter("jieba")
    'jieba'
    """
    if segmenter is None:
        return _default_segmenter()
    if segmenter not in SEGMENTERS:
        raise ValueError(f"`segmenter` should be 'rjieba' or 'jieba', not {segmenter!r}.")
    return segmenter


@functools.cache
def _default_segmenter() -> str:
    try:
        import rjieba  # noqa: F401
    except ImportError:
        import warnings

        warnings.warn(
            "`rjieba` (jieba-rs) is not installed: cxlab.text segments with plain jieba, about "
            "20 times slower. It is listed in environment.yml.",
            stacklevel=3,
        )
        return "jieba"
    return "rjieba"


@functools.cache
def tokenizer(extra_words: tuple[str, ...] = (), segmenter: str | None = None):
    """A segmenter with the CX dictionary and the sentiment vocabulary, built once per process.

    Parameters
    ----------
    extra_words : tuple of str
        More words to keep whole (from the codebook or a notebook parameter).
    segmenter : {"rjieba", "jieba"}, optional
        jieba-rs (``rjieba``, default when installed) or plain jieba.

    Returns
    -------
    rjieba.Jieba or jieba.Tokenizer
        Both have ``cut(text)`` (a list from rjieba, a generator from jieba).

    Examples
    --------
    >>> list(tokenizer(segmenter="jieba").cut("小程序闪退"))
    ['小程序', '闪退']
    >>> tokenizer(segmenter="rjieba").cut("小程序闪退")
    ['小程序', '闪退']
    """
    words, shift = user_words(tuple(extra_words))
    if check_segmenter(segmenter) == "rjieba":
        import rjieba

        tok = rjieba.Jieba()
        for word, freq, tag in words:
            tok.add_word(word, freq, tag)
        tok.add_word(_PAD_WORD, shift, None)
        return tok
    try:
        import jieba
    except ImportError as e:  # pragma: no cover - jieba is a declared dependency
        raise ImportError(
            "Chinese text analysis needs `jieba`, which is not installed; it is listed in environment.yml."
        ) from e
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    for word, freq, tag in words:
        tok.add_word(word, freq, tag)
    return tok


def canonical_tokens(tokens: list[str]) -> list[str]:
    """Tokens with every run of letters, digits and ``+#&._%-`` cut one way.

    jieba and jieba-rs cut such runs differently (jieba: ``2008 - 6 - 1``, ``1.6 g``; jieba-rs:
    ``2008-6-1``, ``1.6g``). Each run of such tokens is joined and cut again: a date
    (yyyy-m-d, with ``-``, ``.`` or ``/``), a number with its decimals and ``%``, or a range
    of two such numbers stays whole; letters are one token; any other character is alone.

    Parameters
    ----------
    tokens : list of str
        A segmenter's tokens of one text.

    Returns
    -------
    list of str

    Examples
    --------
    >>> canonical_tokens(["2008", "-", "6", "-", "1", "到货", "1.6", "g", "内存"])
    ['2008-6-1', '到货', '1.6', 'g', '内存']
    >>> canonical_tokens(["2-3", "天", "check-in", "50%"])
    ['2-3', '天', 'check', '-', 'in', '50%']
    """
    out: list[str] = []
    run: list[str] = []
    for tok in tokens:
        if tok.isascii() and _ASCII_TOKEN.fullmatch(tok):
            run.append(tok)
            continue
        if run:
            out += _ASCII_PIECE.findall("".join(run))
            run = []
        out.append(tok)
    if run:
        out += _ASCII_PIECE.findall("".join(run))
    return out


def tokenize(
    normalized: str, *, extra_words: tuple[str, ...] = (), segmenter: str | None = None
) -> list[str]:
    """The tokens of one text already in its analysis form.

    Parameters
    ----------
    normalized : str
        A text as :func:`cxlab.text.prepare.analysis_text` (or
        :func:`cxlab.text.normalize.normalize_text`) returns it.
    extra_words : tuple of str
        More words to keep whole.
    segmenter : {"rjieba", "jieba"}, optional
        See :func:`tokenizer`.

    Returns
    -------
    list of str
        The segmenter's tokens, runs of letters and digits cut by :func:`canonical_tokens`.

    Examples
    --------
    >>> tokenize("退换货很麻烦")
    ['退换货', '很', '麻烦']
    """
    toks = list(tokenizer(extra_words, segmenter).cut(normalized))
    return canonical_tokens(toks) if _HAS_ASCII.search(normalized) else toks


def tokenize_many(
    normalized: list[str], *, extra_words: tuple[str, ...] = (), segmenter: str | None = None
) -> list[list[str]]:
    """:func:`tokenize` of each text of a chunk.

    Parameters
    ----------
    normalized : list of str
        Texts in their analysis form.
    extra_words : tuple of str
    segmenter : {"rjieba", "jieba"}, optional

    Returns
    -------
    list of list of str

    Examples
    --------
    >>> tokenize_many(["很满意", "2-3天到货"])
    [['很', '满意'], ['2-3', '天', '到货']]
    """
    cut = tokenizer(extra_words, segmenter).cut
    has, canon = _HAS_ASCII.search, canonical_tokens
    return [canon(list(cut(t))) if has(t) else list(cut(t)) for t in normalized]


def segment(texts, *, extra_words: Sequence[str] = (), segmenter: str | None = None):
    """Words of each text, with jieba-rs (or jieba) and the CX dictionary.

    Each text is redacted and normalised first (:func:`cxlab.text.prepare.analysis_text`),
    so no personal data reaches the words.

    Parameters
    ----------
    texts : str, iterable of str, or pandas.Series
        Missing values pass through.
    extra_words : sequence of str
        More words to keep whole.
    segmenter : {"rjieba", "jieba"}, optional
        See :func:`tokenizer`; both cut dates, numbers and units alike
        (:func:`canonical_tokens`).

    Returns
    -------
    The same kind as ``texts``: a list of words per text (a Series keeps its index).

    Examples
    --------
    >>> segment("小程序老是闪退，电话13812345678")
    ['小程序', '老是', '闪退', ',', '电话']
    """
    extra = tuple(extra_words)
    seg = check_segmenter(segmenter)
    return map_texts(
        texts, lambda t: tokenize(analysis_text(t), extra_words=extra, segmenter=seg), name="tokens"
    )

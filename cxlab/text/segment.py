"""Resources (lexicons, stopwords, CX dictionary) and jieba segmentation, loaded once per process."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence

from cxlab.paths import RESOURCES
from cxlab.text.normalize import _each, _normalize_one


def _read_tsv(name: str) -> dict[str, float]:
    out = {}
    for line in (RESOURCES / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, _, value = line.partition("\t")
        out[word.strip()] = float(value) if value.strip() else 1.0
    return out


@functools.cache
def _lexicon() -> tuple[
    dict[str, float], dict[str, float], frozenset[str], frozenset[str], frozenset[str]
]:
    stop = frozenset(
        w.strip()
        for w in (RESOURCES / "stopwords.txt").read_text(encoding="utf-8").splitlines()
        if w.strip()
    )
    return (
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
    lex, degree, neg, contrast, _ = _lexicon()
    for word in [*lex, *degree, *neg, *contrast, *extra_words]:
        if len(word) > 1:
            tok.add_word(word, freq=max(tok.FREQ.get(word, 0), 2000))
    return tok


def _tokens(normalized: str, extra: tuple[str, ...] = ()) -> list[str]:
    return tokenizer(extra).lcut(normalized)


def segment(texts, *, extra_words: Sequence[str] = ()):
    """Words of each text (normalised first), with jieba and the CX dictionary."""
    extra = tuple(extra_words)
    return _each(texts, lambda t: _tokens(_normalize_one(t), extra), "tokens")

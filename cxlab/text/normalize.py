"""Normalisation of Chinese comments for analysis (the original stays for display)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import pandas as pd

_EMOJI_WORDS = {
    "👍": " 赞 ",
    "👏": " 赞 ",
    "❤": " 喜欢 ",
    "😊": " 开心 ",
    "😄": " 开心 ",
    "😁": " 开心 ",
    "😀": " 开心 ",
    "🥰": " 喜欢 ",
    "😍": " 喜欢 ",
    "😂": " ",
    "👎": " 差 ",
    "😡": " 生气 ",
    "😠": " 生气 ",
    "😤": " 生气 ",
    "😭": " 难过 ",
    "😢": " 难过 ",
    "😞": " 失望 ",
    "😒": " 失望 ",
    "🙄": " 无语 ",
    "💩": " 垃圾 ",
}
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")
_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff]")


#: Code points searched for traditional characters: CJK Unified Ideographs, Extension A and
#: Extensions B-D (every character OpenCC 1.x converts lies in these blocks).
_CJK_BLOCKS = ((0x3400, 0xA000), (0x20000, 0x2B820))


def _convert_each(converter, chars: str) -> list[str]:
    """``converter`` applied to each character on its own: one per line, so that no phrase
    rule of OpenCC spans two characters."""
    return converter.convert("\n".join(chars)).split("\n")


@functools.cache
def _tables() -> tuple[dict[int, str], frozenset[str]]:
    """One str.translate table (full-width -> ASCII, emoji -> words, traditional -> simplified)
    and the set of characters that only traditional script uses.

    Built with OpenCC's public converters (``t2s`` for the mapping; ``s2t`` to tell which of
    those characters simplified script also uses), one character at a time; about 0.3 s,
    once per process.
    """
    from opencc import OpenCC

    chars = "".join(chr(c) for lo, hi in _CJK_BLOCKS for c in range(lo, hi))
    t2s = {c: s for c, s in zip(chars, _convert_each(OpenCC("t2s"), chars), strict=True) if c != s}
    keys = "".join(t2s)
    back = _convert_each(OpenCC("s2t"), keys)
    traditional_only = frozenset(k for k, b in zip(keys, back, strict=True) if b == k)
    table: dict[int, str] = {ord(k): v for k, v in t2s.items()}
    table.update({c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)})  # full-width ASCII
    table[0x3000] = " "  # ideographic space
    table.update({ord(k): v for k, v in _EMOJI_WORDS.items()})
    return table, traditional_only


def normalize_text(text: str) -> str:
    """The analysis form of one text (see :func:`normalize`).

    Parameters
    ----------
    text : str

    Returns
    -------
    str

    Examples
    --------
    >>> normalize_text("門市ＯＫ 👍")
    '门市ok 赞'
    """
    table, _ = _tables()
    text = text.translate(table)
    text = _EMOJI.sub(" ", text)
    return _SPACE.sub(" ", text).strip().lower()


def script_text(text: str) -> str:
    """The script of one text (see :func:`script`).

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        ``"traditional"``, ``"simplified"`` or ``"none"``.

    Examples
    --------
    >>> script_text("門市"), script_text("门市"), script_text("ok")
    ('traditional', 'simplified', 'none')
    """
    _, trad = _tables()
    if not _CJK.search(text):
        return "none"
    return "traditional" if not trad.isdisjoint(text) else "simplified"


def map_texts(texts, fn: Callable[[str], object], *, name: str):
    """Apply a one-text function to a str, a list or a Series of texts.

    Parameters
    ----------
    texts : str, iterable of str, or pandas.Series
        Missing values (anything not a str) pass through unchanged.
    fn : callable
        The function of one text.
    name : str
        Name of the returned Series when ``texts`` has none.

    Returns
    -------
    The same kind as ``texts``: one result, a list, or a Series with the index of ``texts``.

    Examples
    --------
    >>> map_texts(["ab", None], str.upper, name="upper")
    ['AB', None]
    >>> map_texts(pd.Series(["ab"], index=[7]), len, name="n").to_dict()
    {7: 2}
    """
    if isinstance(texts, str):
        return fn(texts)
    if isinstance(texts, pd.Series):
        return texts.map(lambda t: fn(t) if isinstance(t, str) else t).rename(texts.name or name)
    return [fn(t) if isinstance(t, str) else t for t in texts]


def normalize(texts):
    """Text ready for analysis.

    Full-width letters, digits and punctuation made half-width, emoji turned into words
    (👍 -> 赞) or removed, whitespace collapsed, lower case, and traditional characters
    converted to simplified (OpenCC's character conversion). Personal data is NOT masked
    here: see :func:`cxlab.text.redact`.

    Parameters
    ----------
    texts : str, iterable of str, or pandas.Series
        Missing values pass through.

    Returns
    -------
    The same kind as ``texts`` (a Series keeps its index). The original text is what a reader
    should see; this is only for analysis.

    Examples
    --------
    >>> normalize(["門市環境很乾淨", "ＡＢＣ１２３　好 😊", None])
    ['门市环境很干净', 'abc123 好 开心', None]
    """
    return map_texts(texts, normalize_text, name="normalized")


def script(texts):
    """The script of each text.

    Parameters
    ----------
    texts : str, iterable of str, or pandas.Series
        Missing values pass through.

    Returns
    -------
    The same kind as ``texts``: ``"traditional"`` if a text uses characters found only in
    traditional script, ``"simplified"`` if it has Chinese characters otherwise, ``"none"``
    without Chinese characters.

    Examples
    --------
    >>> script(["門市環境", "门市环境", "abc"])
    ['traditional', 'simplified', 'none']
    """
    return map_texts(texts, script_text, name="script")

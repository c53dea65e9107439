"""Normalisation of Chinese comments for analysis (the original stays for display)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

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


def _opencc_table(name: str) -> dict[str, str]:
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / name
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        src, _, dst = line.partition("\t")
        if len(src) == 1 and dst:
            table[src] = dst.split()[0]
    return table


@functools.cache
def _tables() -> tuple[dict[int, str], frozenset[str]]:
    """One str.translate table (full-width -> ASCII, emoji -> words, traditional -> simplified)
    and the set of characters that only traditional script uses."""
    t2s = {k: v for k, v in _opencc_table("TSCharacters.txt").items() if k != v}
    simplified = set(_opencc_table("STCharacters.txt"))
    table: dict[int, str] = {ord(k): v for k, v in t2s.items()}
    table.update({c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)})  # full-width ASCII
    table[0x3000] = " "  # ideographic space
    table.update({ord(k): v for k, v in _EMOJI_WORDS.items()})
    traditional_only = frozenset(k for k in t2s if k not in simplified)
    return table, traditional_only


def _normalize_one(text: str) -> str:
    table, _ = _tables()
    text = text.translate(table)
    text = _EMOJI.sub(" ", text)
    return _SPACE.sub(" ", text).strip().lower()


def _script_one(text: str) -> str:
    _, trad = _tables()
    if not _CJK.search(text):
        return "none"
    return "traditional" if not trad.isdisjoint(text) else "simplified"


def _each(texts, fn, name: str):
    if isinstance(texts, str):
        return fn(texts)
    if isinstance(texts, pd.Series):
        return texts.map(lambda t: fn(t) if isinstance(t, str) else t).rename(texts.name or name)
    return [fn(t) if isinstance(t, str) else t for t in texts]


def normalize(texts):
    """Text ready for analysis: full-width letters, digits and punctuation made half-width,
    emoji turned into words (👍 -> 赞) or removed, whitespace collapsed, lower case, and
    traditional characters converted to simplified (OpenCC's character table).

    The original text is what a reader should see; this is only for analysis.
    Returns the same kind as given (str, list or Series with its index).
    """
    return _each(texts, _normalize_one, "normalized")


def script(texts):
    """``"traditional"`` if a text uses characters found only in traditional script,
    ``"simplified"`` if it has Chinese characters otherwise, ``"none"`` without Chinese."""
    return _each(texts, _script_one, "script")

"""Text encodings of survey exports: detected for the file, then checked line by line.

A file is decoded with one codec or refused: lines written in another encoding (a GBK line
pasted into a UTF-8 export, a UTF-8 line appended to a GBK one) are named, never turned into
mojibake.
"""

from __future__ import annotations

import codecs
import logging
import re
from pathlib import Path

from cxlab.io.errors import SurveyError, line_list

__all__ = ["detect_encoding", "to_utf8", "word_pair_score"]

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
#: A line that decodes as UTF-8 reads as Chinese text when it holds one of these.
_CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_SAVE_AS_UTF8 = "save the file as UTF-8 (in Excel: 'CSV UTF-8 (Comma delimited)') and try again"
_NAMES = {"gb18030": "GB18030/GBK", "cp950": "Big5", "utf-8": "UTF-8"}


def word_pair_score(text: str) -> float:
    """Share of adjacent Chinese characters that form a dictionary word.

    Text decoded with the wrong codec turns into a string of real but unrelated
    characters; almost none of their neighbours make words. Traditional text is
    converted to simplified first, since jieba's dictionary is simplified.

    Parameters
    ----------
    text : str

    Returns
    -------
    float
        Between 0 and 1 (0 when the text has no two adjacent Chinese characters).

    Examples
    --------
    >>> word_pair_score("abc")
    0.0
    """
    pairs_found = _CJK_RUN.findall(text)
    if not pairs_found:
        return 0.0
    import jieba
    from opencc import OpenCC

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    text = OpenCC("t2s").convert(text)
    pairs = [run[i : i + 2] for run in _CJK_RUN.findall(text) for i in range(len(run) - 1)]
    if not pairs:
        return 0.0
    freq = jieba.dt.FREQ
    return sum(freq.get(p, 0) > 0 for p in pairs) / len(pairs)


def detect_encoding(raw: bytes, *, sample: int = 200_000) -> str:
    """Detect the text encoding of a survey export from its first ``sample`` bytes.

    Handles UTF-8 (with or without BOM), UTF-16 with BOM (Excel "Unicode text"),
    GB18030/GBK (simplified Chinese Windows) and Big5/CP950 (traditional).

    Parameters
    ----------
    raw : bytes
        The file's bytes (or its beginning).
    sample : int
        How many bytes to look at.

    Returns
    -------
    str
        A Python codec name: ``"utf-8-sig"``, ``"utf-8"``, ``"utf-16"``,
        ``"gb18030"`` or ``"cp950"``.

    Raises
    ------
    UnicodeError
        The bytes are none of these.

    Notes
    -----
    Valid UTF-8 is almost never produced by chance from Chinese legacy encodings,
    so it is tried first. GB18030 and Big5 byte ranges overlap, so when both
    decode without error the one whose text forms more dictionary words
    (jieba's dictionary, after traditional-to-simplified conversion) wins.
    :func:`to_utf8` checks the whole file, line by line.

    Examples
    --------
    >>> detect_encoding("华东".encode("utf-8")), detect_encoding("华东".encode("gbk"))
    ('utf-8', 'gb18030')
    """
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = raw[:sample]
    # Cut at the last newline so a multi-byte character is not split at the sample edge.
    if len(raw) > sample and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    decoded = {}
    for codec in ("gb18030", "cp950"):
        try:
            decoded[codec] = head.decode(codec)
        except UnicodeDecodeError:
            continue
    if not decoded:
        raise UnicodeError(f"not UTF-8, GB18030/GBK or Big5; {_SAVE_AS_UTF8}")
    if len(decoded) == 1:
        return next(iter(decoded))
    return max(decoded, key=lambda c: word_pair_score(decoded[c][:20_000]))


def _is_utf8(raw: bytes) -> bool:
    """Whether ``raw`` is valid UTF-8 (checked by pyarrow's validator, without decoding)."""
    if raw.isascii():
        return True
    import numpy as np
    import pyarrow as pa

    offsets = pa.py_buffer(np.array([0, len(raw)], dtype=np.int64))
    whole = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), 1, [None, offsets, pa.py_buffer(raw)]
    )
    try:
        whole.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _classify_lines(raw: bytes) -> tuple[list[int], list[int]]:
    """Line numbers (from 1) that read as UTF-8 Chinese, and those that are not UTF-8."""
    utf8, other = [], []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(number)
            continue
        if _CHINESE.search(text):
            utf8.append(number)
    return utf8, other


def _refuse_mixed(raw: bytes, path: Path) -> None:
    """Raise naming the minority lines when UTF-8 and legacy-encoded lines share the file."""
    utf8, other = _classify_lines(raw)
    if not (utf8 and other):
        return
    if len(utf8) >= len(other):
        raise SurveyError(
            f"Survey file {path} is UTF-8 text, but not on {line_list(other)}: those bytes look "
            "like GB18030/GBK or Big5, pasted in from another export. Re-save those rows as "
            f"UTF-8, or {_SAVE_AS_UTF8}."
        )
    lines = raw.split(b"\n")
    legacy = b"\n".join(lines[i - 1] for i in other[:2000])
    try:
        codec = _NAMES[detect_encoding(legacy)]
    except UnicodeError:
        codec = "GB18030/GBK or Big5"
    raise SurveyError(
        f"Survey file {path} is {codec} text, but UTF-8 on {line_list(utf8)} (pasted in "
        "from another export); read as one encoding, some lines would turn to gibberish. "
        f"Re-save the file in one encoding: {_SAVE_AS_UTF8}."
    )


def _failing_lines(raw: bytes, codec: str) -> list[int]:
    failing = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode(codec)
        except UnicodeDecodeError:
            failing.append(number)
    return failing


def _decode_legacy(raw: bytes, path: Path) -> tuple[str, str]:
    try:
        codec = detect_encoding(raw)
    except UnicodeError as e:
        # Some line is neither: name it when the rest of the file reads in one codec.
        lines = len(raw.split(b"\n"))
        failing = {c: _failing_lines(raw, c) for c in ("gb18030", "cp950")}
        codec = min(failing, key=lambda c: len(failing[c]))
        if len(failing[codec]) * 2 > lines:
            raise SurveyError(f"Survey file {path}: {e}.") from None
        raise SurveyError(
            f"Survey file {path} reads as {_NAMES[codec]} text, except on "
            f"{line_list(failing[codec])}, whose bytes are neither that nor UTF-8; fix them, "
            f"or {_SAVE_AS_UTF8}."
        ) from None
    try:
        return codec, raw.decode(codec)
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise SurveyError(
            f"Survey file {path} reads as {_NAMES.get(codec, codec)} text, but line {line} "
            f"holds bytes that are not ({raw[e.start : e.start + 4]!r}); fix that line, or "
            f"{_SAVE_AS_UTF8}."
        ) from None


def to_utf8(raw: bytes, *, path: str | Path = "<bytes>") -> tuple[str, bytes]:
    """Detect the encoding of a text export and return its content as UTF-8 bytes.

    Parameters
    ----------
    raw : bytes
        The file's bytes.
    path : str or Path
        The file, for messages.

    Returns
    -------
    encoding : str
        As :func:`detect_encoding` names it.
    data : bytes
        The text as UTF-8, without byte-order mark (``raw`` itself when it already was).

    Raises
    ------
    SurveyError
        The file is empty, mixes UTF-8 lines with GB18030/GBK or Big5 lines (naming the lines
        of the smaller group), or holds bytes no supported encoding reads (naming the line).

    Examples
    --------
    >>> to_utf8("华东\\n".encode("gbk"))
    ('gb18030', b'\\xe5\\x8d\\x8e\\xe4\\xb8\\x9c\\n')
    """
    path = Path(path)
    if raw.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8-sig", raw[len(codecs.BOM_UTF8) :]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            body = raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as e:
            raise SurveyError(
                f"Survey file {path} starts as UTF-16 text but byte {e.start} is not; "
                f"{_SAVE_AS_UTF8}."
            ) from None
        encoding = "utf-16"
    else:
        encoding, body = "utf-8", raw
    if not body.strip():
        raise SurveyError(f"Survey file {path} is empty: it has no header and no rows.")
    if encoding == "utf-16" or _is_utf8(body):
        return encoding, body
    _refuse_mixed(body, path)
    if encoding == "utf-8-sig":
        _, other = _classify_lines(body)
        raise SurveyError(
            f"Survey file {path} starts as UTF-8 text, but is not UTF-8 on {line_list(other)}; "
            f"{_SAVE_AS_UTF8}."
        )
    codec, text = _decode_legacy(body, path)
    return codec, text.encode("utf-8")

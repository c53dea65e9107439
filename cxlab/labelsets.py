"""Answer texts of common rating scales, so an export with answers as text can be analysed.

A codebook item can say ``values: satisfaction_5_zh`` (a built-in set below) or give its own
mapping ``values: {非常满意: 5, 满意: 4, ...}``; the loader turns each answer into its code and lists
unmatched text in ``exclusions``. Matching ignores surrounding space, letter case and full-width
forms, and accepts answers written with their code (``5``, ``5 非常满意``, ``10 - Extremely
likely``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

__all__ = ["LABEL_SETS", "codes_for", "match_label_set", "to_codes"]


def _points(*labels: str | tuple[str, ...], start: int = 1) -> dict[str, int]:
    out: dict[str, int] = {}
    for code, names in enumerate(labels, start=start):
        for name in (names,) if isinstance(names, str) else names:
            out[name] = code
    return out


#: Built-in answer-text sets: name -> {answer text: code}. Alternatives share a code.
LABEL_SETS: dict[str, dict[str, int]] = {
    "satisfaction_5_zh": _points(
        ("非常不满意", "很不满意"),
        ("不满意", "比较不满意", "不太满意"),
        ("一般", "中立", "说不清", "不确定"),
        ("满意", "比较满意"),
        ("非常满意", "很满意"),
    ),
    "satisfaction_7_zh": _points(
        ("非常不满意", "很不满意"),
        "不满意",
        ("比较不满意", "有点不满意"),
        ("一般", "中立", "说不清"),
        ("比较满意", "有点满意"),
        "满意",
        ("非常满意", "很满意"),
    ),
    "agreement_5_zh": _points(
        ("非常不同意", "完全不同意"),
        ("不同意", "比较不同意"),
        ("一般", "中立", "不确定", "说不清"),
        ("同意", "比较同意"),
        ("非常同意", "完全同意"),
    ),
    "agreement_7_zh": _points(
        ("非常不同意", "完全不同意"),
        "不同意",
        ("比较不同意", "有点不同意"),
        ("一般", "中立", "不确定"),
        ("比较同意", "有点同意"),
        "同意",
        ("非常同意", "完全同意"),
    ),
    "importance_5_zh": _points(
        ("非常不重要", "很不重要"),
        ("不重要", "不太重要"),
        "一般",
        ("重要", "比较重要"),
        ("非常重要", "很重要"),
    ),
    "ease_5_zh": _points(
        ("非常困难", "非常费力"),
        ("困难", "比较费力", "费力"),
        "一般",
        ("容易", "比较省力", "省力"),
        ("非常容易", "非常省力"),
    ),
    "satisfaction_5_en": _points(
        ("very dissatisfied", "extremely dissatisfied"),
        ("dissatisfied", "somewhat dissatisfied"),
        ("neither satisfied nor dissatisfied", "neutral"),
        ("satisfied", "somewhat satisfied"),
        ("very satisfied", "extremely satisfied"),
    ),
    "satisfaction_7_en": _points(
        ("extremely dissatisfied", "very dissatisfied"),
        ("moderately dissatisfied", "dissatisfied"),
        ("slightly dissatisfied", "somewhat dissatisfied"),
        ("neither satisfied nor dissatisfied", "neutral"),
        ("slightly satisfied", "somewhat satisfied"),
        ("moderately satisfied", "satisfied"),
        ("extremely satisfied", "very satisfied"),
    ),
    "agreement_5_en": _points(
        "strongly disagree",
        ("disagree", "somewhat disagree"),
        ("neither agree nor disagree", "neutral"),
        ("agree", "somewhat agree"),
        "strongly agree",
    ),
    "agreement_7_en": _points(
        "strongly disagree",
        "disagree",
        "somewhat disagree",
        ("neither agree nor disagree", "neutral"),
        "somewhat agree",
        "agree",
        "strongly agree",
    ),
    "likelihood_0_10": {str(i): i for i in range(11)},
}

_SPACE = re.compile(r"\s+")
#: An answer given with its code: "5", "5 非常满意", "10 - Extremely likely", "5分".
_LEADING_CODE = re.compile(r"^(\d{1,2})(?:\s*[-–:.、=分]\s*|\s+|$)(.*)$")


def _norm(text: str) -> str:
    t = unicodedata.normalize("NFKC", str(text)).strip().casefold()
    return _SPACE.sub(" ", t)


def codes_for(values: str | Mapping) -> dict[str, int]:
    """The answer-text -> code mapping of a codebook ``values`` entry (a set name or a mapping).

    Parameters
    ----------
    values : str or mapping
        A key of :data:`LABEL_SETS`, or ``{answer text: code}``.

    Returns
    -------
    dict
        Normalised answer text -> code.

    Examples
    --------
    >>> codes_for("agreement_5_en")["strongly agree"]
    5
    >>> codes_for({"好": 2, "差": 1})
    {'好': 2, '差': 1}
    """
    if isinstance(values, str):
        if values not in LABEL_SETS:
            raise ValueError(
                f"Unknown label set {values!r}; built-in sets: {sorted(LABEL_SETS)}, "
                "or give a mapping {answer text: code}."
            )
        values = LABEL_SETS[values]
    return {_norm(k): v for k, v in values.items()}


def _code(answer, table: Mapping[str, int]) -> int | None:
    t = _norm(answer)
    if t in table:
        return table[t]
    m = _LEADING_CODE.match(t)
    if m:
        code, rest = int(m.group(1)), m.group(2).strip()
        if code in table.values() and (not rest or table.get(rest, code) == code):
            return code
    return None


def to_codes(answers: Iterable, values: str | Mapping) -> list[int | None]:
    """Each answer's code (None where the answer is not in the set).

    Parameters
    ----------
    answers : iterable
        Answer texts.
    values : str or mapping
        See :func:`codes_for`.

    Returns
    -------
    list
        One code or None per answer.

    Examples
    --------
    >>> to_codes(["非常满意", " 满意 ", "５ 非常满意", "还行"], "satisfaction_5_zh")
    [5, 4, 5, None]
    """
    table = codes_for(values)
    return [_code(a, table) for a in answers]


def match_label_set(answers: Iterable) -> tuple[str, int, int] | None:
    """The smallest built-in set that codes every distinct answer, with its lowest and highest code.

    Parameters
    ----------
    answers : iterable
        The distinct answer texts of a column.

    Returns
    -------
    (name, low, high) or None
        None when no set codes all answers (or the answers are plain numbers).

    Examples
    --------
    >>> match_label_set(["满意", "非常满意", "一般", "不满意"])
    ('satisfaction_5_zh', 1, 5)
    >>> match_label_set(["Agree", "Strongly agree", "Neutral"])
    ('agreement_5_en', 1, 5)
    >>> match_label_set(["北京", "上海"]) is None
    True
    """
    answers = [a for a in answers if str(a).strip()]
    if not answers or all(re.fullmatch(r"\d+(\.\d+)?", _norm(a)) for a in answers):
        return None
    fits = []
    for name in LABEL_SETS:
        table = codes_for(name)
        if all(_code(a, table) is not None for a in answers):
            codes = set(table.values())
            fits.append((len(codes), name, min(codes), max(codes)))
    if not fits:
        return None
    _, name, low, high = min(fits)
    return name, low, high

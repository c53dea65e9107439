"""Masking of personal data in verbatims, in the forms people type.

Each comment is matched on a copy whose full-width characters (``１３８``, ``＠``, ``（``) and
odd dashes are folded to ASCII one character for one character, so every match maps back to
the same span of the original, which is what gets replaced. Detectors run in a fixed order
(e-mail, IP, resident id, bank card, mobile, landline, address, name); a later one never
masks text an earlier one already took.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import ipaddress
import re
from collections.abc import Iterable

import pandas as pd

from cxlab.paths import RESOURCES

PLACEHOLDERS = {
    "email": "[邮箱]",
    "ip": "[IP地址]",
    "resident_id": "[身份证号]",
    "bank_card": "[银行卡号]",
    "mobile": "[手机号]",
    "landline": "[座机号]",
    "address": "[地址]",
    "name": "[姓名]",
}

# Full-width ASCII (U+FF01..U+FF5E), the ideographic space, dashes and the small at sign,
# folded one character for one character so offsets in the folded copy are offsets in the text.
_WIDTH = str.maketrans(
    {
        **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},
        "\u3000": " ",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212\ufe63", "-"),
        "\ufe6b": "@",
        "\u00b7": ".",
        "【": "[",
        "】": "]",
    }
)

# One optional separator between two digits: a space, or a dot or dash with optional spaces.
# Patterns start with a character class (no lookbehind first) so the regex engine skips to
# candidate characters fast; where a number may start is checked on the candidates
# (`_number_start_ok`).
_D = r"(?:\s?[.\-]\s?|\s)?+"
_NUM_END = r"(?![0-9])(?![.\-][0-9])"
# After the first digit of a candidate: it is not in the middle of a longer number.
_FIRST = r"(?<![0-9].)(?<![0-9][ .\-].)"
_DOT = r"(?:\.|。|\s?[(\[][dD][oO][tT][)\]]\s?|\s+[dD][oO][tT]\s+)"
_EMAIL = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}+"
    r"(?:\s?@\s?|\s?[(\[{<]\s?[aA][tT]\s?[)\]}>]\s?|\s+[aA][tT]\s+|\s?艾特\s?)"
    rf"[A-Za-z0-9][A-Za-z0-9\-]*(?:{_DOT}[A-Za-z0-9\-]+)*{_DOT}[A-Za-z]{{2,}}(?![A-Za-z0-9])"
)
_AT_HINT = re.compile(r"[@艾aA](?:(?<=@)|(?<=艾)特|(?<=[aA])[tT])")
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4_HINT = re.compile(r"\d\.\d{1,3}\.\d{1,3}\.\d")
_IPV4 = re.compile(rf"(?<![0-9.])(?<![vV])(?:{_OCTET}\.){{3}}{_OCTET}(?![0-9])(?!\.[0-9])")
_IPV6 = re.compile(r"(?<![0-9A-Za-z:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Za-z:])")
_VERSION_CONTEXT = re.compile(r"(?:版本|版本号|version|ver\.?|固件|系统)\s*[:：]?\s*$", re.I)

# A run of 7 digits or more (any grouping): without one there is no phone, id or card.
_LONG_NUMBER = re.compile(rf"[0-9]{_FIRST}(?:{_D}[0-9]){{6}}")
_RESIDENT_ID = re.compile(rf"[1-9]{_FIRST}(?:{_D}\d){{16}}{_D}[0-9Xx](?![0-9A-Za-z])")
_CARD = re.compile(rf"[2-6]{_FIRST}(?:{_D}\d){{15,18}}{_NUM_END}")
_MOBILE = re.compile(rf"1[3-9](?:{_D}\d){{9}}{_NUM_END}(?![元块件分秒%])")
_MOBILE_PREFIX = re.compile(r"(?:(?:\+|00)\s?86|\(\s?\+?86\s?\)|86)\s?[.\-]?\s?$")
_LANDLINE = re.compile(
    r"[+(0](?:(?<=\+)\s?86|(?<=0)086|(?<=\()0\d{2,3}\)|(?<=0)\d{2,3})"
    r"(?:(?<=86)\s?[.\-]?\s?(?:\(0?\d{2,3}\)|0?\d{2,3}))?"
    rf"\s?[.\-]?\s?[1-9]\d{{2,3}}{_D}\d{{4}}"
    r"(?P<ext>\s?(?:-|转|轉|分机|分機|[eE][xX][tT]\.?)\s?\d{1,5})?(?![0-9])(?![.\-][0-9])"
)
_NOT_DIGIT = re.compile(r"[^0-9Xx]")
_EMAIL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_PHONE_LABEL = re.compile(r"(?:tel|phone|mobile|mob|cell)\s*$", re.I)
_ORDER_CONTEXT = re.compile(
    r"(订单|訂單|单号|單號|运单|運單|快递|快遞|物流|编号|編號|流水|工单|工單|交易号|order|no\.?)"
    r"\s*[:：#]?\s*$",
    re.I,
)
# Issuer prefixes of cards in use in China: UnionPay 62, Visa 4, Mastercard 51-55 / 2221-2720,
# American Express 34/37, JCB 35, Discover 60/65.
_CARD_PREFIX = re.compile(
    r"^(62|4|5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720|3[457]|6[05])"
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

# Addresses. A place-name character is a letter of a word that is not a digit, not Latin and
# not one of the words that come before an address (在, 住, 寄到, 地址是 ...).
_C = r"[^\W\d_A-Za-z的了在住到寄送是我你他她们們从從往去来來和与與跟给給把被向址为為请請帮幫家條条这這那个個]"
_ADMIN = (
    rf"(?:(?P<prov>{_C}{{2,7}}?(?:省|自治区|自治區))\s?)?"
    rf"(?:(?P<city>{_C}{{1,7}}?(?:市|自治州|州|盟))\s?)?"
    rf"(?:(?P<dist>{_C}{{1,7}}?(?:区|區|县|縣|旗))\s?)?"
    rf"(?:(?P<town>{_C}{{1,7}}?(?:镇|鎮|乡|鄉|街道))\s?)?"
)
_STREET = rf"{_C}{{1,8}}?(?:大街|大道|路|街|巷|弄|胡同)(?:\s?(?:\d{{1,2}}|[一二三四五六七八九十]{{1,2}})\s?段)?"
_N = r"\d{1,5}(?:-\d{1,5})?"
_BLD = rf"{_N}\s?(?:号楼|號樓|栋|棟|幢|座)"
_UNIT = rf"{_N}\s?(?:单元|單元)"
_ROOM = rf"{_N}\s?(?:室|房)"
_BARE_ROOM = r"(?<=[栋棟幢座楼樓元])\s?\d{2,5}(?![0-9.%])"
_TAIL = rf"(?:\s?{_BLD})?(?:\s?{_UNIT})?(?:\s?{_ROOM}|{_BARE_ROOM})?"
_COMPOUND = rf"{_C}{{1,8}}?(?:小区|小區|花园|花園|家园|家園|公寓|新村|大厦|大廈|公馆|公館|苑|府|庭|园|園|村)"
_ADDRESS_STREET = re.compile(
    rf"{_ADMIN}{_STREET}\s?{_N}\s?(?:号|號|弄)(?![线線])(?:\s?{_N}\s?(?:号|號))?"
    rf"(?:\s?{_COMPOUND})?{_TAIL}"
)
_ADDRESS_COMPOUND = re.compile(
    rf"{_ADMIN}(?:{_STREET})?{_COMPOUND}\s?(?:{_BLD}|{_UNIT}|{_ROOM}){_TAIL}"
)
_ADDRESS_BUILDING = re.compile(
    rf"(?<![0-9]){_BLD}(?:\s?{_UNIT}(?:\s?{_ROOM}|{_BARE_ROOM})?|\s?{_ROOM}|\d{{3,5}}(?![0-9.%]))"
    rf"|(?<![0-9]){_UNIT}(?:\s?{_ROOM}|\d{{3,5}}(?![0-9.%]))"
)
_ADDRESS_ADMIN = re.compile(rf"{_ADMIN}{_STREET}")
_ADDRESS_NUMBER_HINT = re.compile(r"[0-9]\s?(?:号|號|栋|棟|幢|座|单元|單元|室|房)")
_STREET_HINT = re.compile(r"(?:路|街|巷|弄|胡同|大道)")

_HONORIFICS = (
    "老师傅|先生|女士|小姐|太太|阿姨|经理|經理|老师|老師|师傅|師傅|老板|老闆|主任|店长|店長|"
    "医生|醫生|律师|律師"
)
_HONORIFIC = re.compile(_HONORIFICS)
_DIGIT = re.compile(r"[0-9]")
# Run on the raw text, so it lists the full-width forms too: most comments stop here. Written
# as one character class (which the regex engine scans fast) and a look back at the word it
# ends: about 4x faster than an alternation of the words.
_TRIGGER_WORDS = [w for w in _HONORIFICS.split("|") if len(w) == 2] + ["艾特", "胡同", "大道"]
_TRIGGER_ONE = "0-9０-９@＠\ufe6b路街巷弄"
_TRIGGER_LAST = "".join(sorted({w[-1] for w in _TRIGGER_WORDS})) + "tｔTＴ"
_QUICK = re.compile(
    rf"[{_TRIGGER_ONE}{_TRIGGER_LAST}]"
    rf"(?:(?<=[{_TRIGGER_ONE}])|(?<={'|'.join(_TRIGGER_WORDS)}|[aａAＡ][tｔTＴ]))"
)


def resident_id_valid(number: str) -> bool:
    """Whether an 18-character PRC resident id has a correct check digit (GB 11643-1999).

    Parameters
    ----------
    number : str
        Exactly 18 characters: 17 digits and a check character (digit or ``X``).

    Returns
    -------
    bool
        True when the check character matches the ISO 7064 MOD 11-2 checksum.

    Examples
    --------
    >>> resident_id_valid("11010519491231002X")
    True
    >>> resident_id_valid("110105194912310021")
    False
    """
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) check of a card number, as ISO/IEC 7812-1 defines it.

    Parameters
    ----------
    digits : str
        The card number, digits only.

    Returns
    -------
    bool
        True when the Luhn checksum is a multiple of 10.

    Examples
    --------
    >>> luhn_valid("4539578763621486"), luhn_valid("4539578763621487")
    (True, False)
    """
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


@functools.cache
def _names() -> tuple[re.Pattern, dict[str, str]]:
    """Surname + up to two given-name characters + honorific, and each surname's `not_after`."""
    not_after: dict[str, str] = {}
    for line in (RESOURCES / "surnames.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            surname, _, before = line.partition("\t")
            not_after[surname.strip()] = before.strip()
    given = "".join(
        line.strip()
        for line in (RESOURCES / "given_name_chars.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    compound = "|".join(s for s in not_after if len(s) > 1)
    single = "".join(s for s in not_after if len(s) == 1)
    pattern = re.compile(rf"(?P<name>(?:{compound}|[{single}])[{given}]{{0,2}}?)(?:{_HONORIFICS})")
    return pattern, not_after


def _date_ok(yyyymmdd: str) -> bool:
    try:
        day = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return False
    return datetime.date(1900, 1, 1) <= day <= datetime.date.today()


def _after(norm: str, start: int, pattern: re.Pattern, width: int = 12) -> bool:
    return pattern.search(norm, max(0, start - width), start) is not None


def _number_start_ok(norm: str, start: int) -> bool:
    """A number starts here: no digit (or digit and separator) before it, and no Latin letter
    unless the letters are a label (Tel, phone): SF1380..., AB12... are codes."""
    if start == 0:
        return True
    before = norm[start - 1]
    if before.isdigit() or (before in " .-" and start > 1 and norm[start - 2].isdigit()):
        return False
    return not (before.isascii() and before.isalpha()) or _after(norm, start, _PHONE_LABEL, 8)


def _emails(norm: str) -> Iterable[tuple[int, int, str]]:
    for m in _EMAIL.finditer(norm):
        if m.start() == 0 or norm[m.start() - 1] not in _EMAIL_CHARS:
            yield m.start(), m.end(), "email"


def _ips(norm: str) -> Iterable[tuple[int, int, str]]:
    if norm.count(":") >= 2:
        for m in _IPV6.finditer(norm):
            cand = m.group(0)
            groups = [g for g in cand.split(":") if g]
            if (cand.count(":") == 7 or ("::" in cand and len(groups) >= 2)) and _is_ipv6(cand):
                yield m.start(), m.end(), "ip"
    for m in _IPV4.finditer(norm) if _IPV4_HINT.search(norm) else ():
        if not _after(norm, m.start(), _VERSION_CONTEXT):
            yield m.start(), m.end(), "ip"


def _is_ipv6(candidate: str) -> bool:
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    return True


def _numbers(norm: str) -> Iterable[tuple[int, int, str]]:
    if not _LONG_NUMBER.search(norm):
        return
    for m in _RESIDENT_ID.finditer(norm):
        digits = _NOT_DIGIT.sub("", m.group(0))
        if (
            resident_id_valid(digits)
            and _date_ok(digits[6:14])
            and _number_start_ok(norm, m.start())
        ):
            yield m.start(), m.end(), "resident_id"
    for m in _CARD.finditer(norm):
        digits = _NOT_DIGIT.sub("", m.group(0))
        if (
            luhn_valid(digits)
            and _CARD_PREFIX.match(digits)
            and not _after(norm, m.start(), _ORDER_CONTEXT)
            and _number_start_ok(norm, m.start())
        ):
            yield m.start(), m.end(), "bank_card"
    for m in _MOBILE.finditer(norm):
        start = m.start()
        prefix = _MOBILE_PREFIX.search(norm, max(0, start - 10), start)
        if prefix is not None and _number_start_ok(norm, prefix.start()):
            start = prefix.start()
        if not _after(norm, start, _ORDER_CONTEXT) and _number_start_ok(norm, start):
            yield start, m.end(), "mobile"
    for m in _LANDLINE.finditer(norm):
        main = norm[m.start() : m.start("ext") if m.group("ext") else m.end()]
        if _landline_ok(main) and _number_start_ok(norm, m.start()):
            yield m.start(), m.end(), "landline"


def _landline_ok(main: str) -> bool:
    """Area code and subscriber number of the right lengths: 010/02x + 8 digits, 0xxx + 7-8."""
    prefixed = main.startswith(("+", "0086"))
    digits = _NOT_DIGIT.sub("", main)
    if prefixed:
        digits = digits[4:] if digits.startswith("0086") else digits[2:]
        digits = digits if digits.startswith("0") else "0" + digits
    if digits[1:2] in ("1", "2"):
        return len(digits) == 11 and digits[3] != "0"
    return len(digits) in (11, 12) and digits[4] != "0"


def _addresses(norm: str) -> Iterable[tuple[int, int, str]]:
    if _DIGIT.search(norm) and _ADDRESS_NUMBER_HINT.search(norm):
        for pattern in (_ADDRESS_STREET, _ADDRESS_COMPOUND, _ADDRESS_BUILDING):
            for m in pattern.finditer(norm):
                yield m.start(), m.end(), "address"
    if _STREET_HINT.search(norm):
        for m in _ADDRESS_ADMIN.finditer(norm):
            levels = sum(m.group(g) is not None for g in ("prov", "city", "dist", "town"))
            if levels >= 2:
                yield m.start(), m.end(), "address"


def _persons(norm: str) -> Iterable[tuple[int, int, str]]:
    """Surname (+ given name) before an honorific; the honorific itself stays."""
    pattern, not_after = _names()
    pos = 0
    while (m := pattern.search(norm, pos)) is not None:
        start, name = m.start(), m.group("name")
        surname = name[:2] if name[:2] in not_after else name[0]
        if start > 0 and norm[start - 1] in not_after[surname]:
            pos = start + 1
            continue
        yield start, m.end("name"), "name"
        pos = m.end()


def _spans(norm: str) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, kind) spans, earlier detectors first."""
    found: list[tuple[int, int, str]] = []
    has_digit = _DIGIT.search(norm) is not None
    detectors = []
    if _AT_HINT.search(norm):
        detectors.append(_emails)
    if has_digit:
        detectors += [_ips, _numbers]
    detectors.append(_addresses)
    if _HONORIFIC.search(norm):
        detectors.append(_persons)
    starts: list[int] = []  # sorted starts of `found`, which is kept in the same order
    for detector in detectors:
        for start, end, kind in detector(norm):
            i = bisect.bisect_right(starts, start)
            if (i == 0 or found[i - 1][1] <= start) and (i == len(found) or end <= starts[i]):
                starts.insert(i, start)
                found.insert(i, (start, end, kind))
    return found


def redact_text(text: str) -> str:
    """Mask personal data in one comment with typed placeholders.

    Parameters
    ----------
    text : str
        One comment, in simplified or traditional script, with half- or full-width characters.

    Returns
    -------
    str
        The comment with each piece of personal data replaced by its placeholder from
        ``PLACEHOLDERS``; everything else, including spacing and width, is unchanged.

    Notes
    -----
    Matching runs on a copy with full-width forms folded to ASCII; the replaced span is the
    original text. What is masked, in this order (a later rule never re-masks an earlier one):

    - ``[邮箱]`` e-mail, with ``@``, ``＠``, ``(at)``, ``[at]``, ``（at）``, `` at ``, ``艾特``,
      and ``.``, ``。``, ``(dot)`` in the domain.
    - ``[IP地址]`` IPv4 (four octets 0-255, not after ``v``/版本) and IPv6 (valid for
      :class:`ipaddress.IPv6Address`, eight groups or ``::`` with two groups or more).
    - ``[身份证号]`` 18-character resident id (GB 11643-1999 check digit, a real birth date),
      digits in any grouping separated by spaces, dots or dashes.
    - ``[银行卡号]`` 16-19 digits passing Luhn (ISO/IEC 7812-1) with an issuer prefix used in
      China, not written after 订单/单号/运单/编号 ...
    - ``[手机号]`` mainland mobile 1[3-9] + 9 digits, any grouping, with or without +86 /
      0086 / 86 / (+86), not after an order-number label.
    - ``[座机号]`` landline with an area code (010/02x + 8 digits, 0xxx + 7-8), brackets,
      separators, +86 and an extension allowed.
    - ``[地址]`` street and house number (…路/街/大道/巷/弄 + 号, with the province, city,
      district and town before it and building, unit and room after it), a residential
      compound with a building, unit or room number (…小区3栋2单元501室), a building with a
      unit or room (5号楼302), or two administrative levels and a street without a number
      (上海市浦东新区张江路).
    - ``[姓名]`` a common surname (``cxlab/resources/surnames.tsv``), optionally with one or
      two given-name characters, right before an honorific (先生, 女士, 小姐, 太太, 阿姨, 经理,
      老师, 师傅, 老师傅, 老板, 主任, 店长, 医生, 律师). The honorific stays:
      ``王先生`` becomes ``[姓名]先生``. An honorific without a surname (这位先生, 快递师傅,
      谢谢老师) is not a name and stays.

    Not masked: numbers that fail their check (order and tracking numbers), prices, dates,
    times, versions, quantities, percentages, service numbers (400/800/955xx), landlines
    written without an area code, 15-digit first-generation ids, and numbers in Chinese
    numerals.

    Examples
    --------
    >>> redact_text("王先生的电话１３８ ００１３ ８０００，邮箱 wang＠example.com")
    '[姓名]先生的电话[手机号]，邮箱 [邮箱]'
    >>> redact_text("订单2025113012345678，实付¥1,299.00，版本v2.3.1")
    '订单2025113012345678，实付¥1,299.00，版本v2.3.1'
    """
    if not _QUICK.search(text):
        return text
    spans = _spans(text.translate(_WIDTH))
    if not spans:
        return text
    parts, last = [], 0
    for start, end, kind in spans:
        parts += [text[last:start], PLACEHOLDERS[kind]]
        last = end
    parts.append(text[last:])
    return "".join(parts)


def redact(texts: pd.Series | Iterable[str] | str) -> pd.Series | list[str] | str:
    """Mask personal data in comments with typed placeholders.

    Parameters
    ----------
    texts : pandas.Series, iterable of str, or str
        Missing values (and anything that is not a string) pass through unchanged.

    Returns
    -------
    pandas.Series, list of str, or str
        Same kind as ``texts``, each comment passed through :func:`redact_text`; a Series keeps
        its index and name.

    Notes
    -----
    See :func:`redact_text` for what is masked and what is not.

    Examples
    --------
    >>> s = pd.Series(["李经理说寄到朝阳区建国路88号3栋", None], index=[7, 9], name="comment")
    >>> out = redact(s)
    >>> out[7], bool(pd.isna(out[9])), out.name
    ('[姓名]经理说寄到[地址]', True, 'comment')
    >>> redact(["IP 192.168.1.10", "身份证 110105 19491231 002X"])
    ['IP [IP地址]', '身份证 [身份证号]']
    """
    if isinstance(texts, str):
        return redact_text(texts)
    if isinstance(texts, pd.Series):
        return texts.map(lambda t: redact_text(t) if isinstance(t, str) else t)
    return [redact_text(t) if isinstance(t, str) else t for t in texts]

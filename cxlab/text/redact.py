"""Masking of personal data in verbatims: phones, e-mail, resident ids, bank cards."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

PLACEHOLDERS = {
    "email": "[邮箱]",
    "resident_id": "[身份证号]",
    "bank_card": "[银行卡号]",
    "mobile": "[手机号]",
    "landline": "[座机号]",
}

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# 18-digit resident id: 6-digit area, birth date YYYYMMDD, 3-digit sequence, check digit.
_RESIDENT_ID = re.compile(
    r"(?<![0-9A-Za-z])(\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx])(?![0-9A-Za-z])"
)
# 16-19 digits, optionally in groups of four separated by spaces or hyphens.
_CARD = re.compile(r"(?<![0-9])((?:\d{4}[ -]?){3}\d{4,7})(?![0-9])")
# Mainland mobile: 1[3-9] + 9 digits, optional +86, optional 3-4-4 separators.
_MOBILE = re.compile(
    r"(?<![0-9])(?<![0-9][ -])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![ -]?[0-9])"
)
# Landline with area code and a separator or brackets: 010-12345678, (0755)1234567, 021 1234 5678.
_LANDLINE = re.compile(
    r"(?<![0-9])(?<![0-9][ -])(?:\(0\d{2,3}\)|0\d{2,3}[ -])\d{3,4}[ -]?\d{4}(?![ -]?[0-9])"
)
_ORDER_CONTEXT = re.compile(r"(订单|单号|运单|快递|物流|编号|流水|order|no\.?)\s*[:：#]?\s*$", re.I)
# Issuer prefixes of cards in use in China: UnionPay 62, Visa 4, Mastercard 51-55 / 2221-2720,
# American Express 34/37, JCB 35, Discover 60/65.
_CARD_PREFIX = re.compile(
    r"^(62|4|5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720|3[457]|6[05])"
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_HAS_DIGIT_OR_AT = re.compile(r"[0-9@]")


def resident_id_valid(number: str) -> bool:
    """Whether an 18-character PRC resident id has a correct check digit (GB 11643-1999)."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) check of a card number, as ISO/IEC 7812-1 defines it."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _redact_one(text: str) -> str:
    if not _HAS_DIGIT_OR_AT.search(text):
        return text  # nothing to mask: most comments
    text = _EMAIL.sub(PLACEHOLDERS["email"], text)
    text = _RESIDENT_ID.sub(
        lambda m: PLACEHOLDERS["resident_id"] if resident_id_valid(m.group(1)) else m.group(0), text
    )
    source = text

    def card(m: re.Match) -> str:
        digits = re.sub(r"\D", "", m.group(1))
        before = source[max(0, m.start() - 8) : m.start()]
        if (
            16 <= len(digits) <= 19
            and luhn_valid(digits)
            and _CARD_PREFIX.match(digits)
            and not _ORDER_CONTEXT.search(before)
        ):
            return PLACEHOLDERS["bank_card"]
        return m.group(0)

    text = _CARD.sub(card, text)
    text = _MOBILE.sub(PLACEHOLDERS["mobile"], text)
    return _LANDLINE.sub(PLACEHOLDERS["landline"], text)


def redact(texts: pd.Series | Iterable[str] | str) -> pd.Series | list[str] | str:
    """Mask personal data in comments with labelled placeholders.

    Masks e-mail addresses (``[邮箱]``), 18-digit resident id numbers whose
    check digit is right (``[身份证号]``), bank-card numbers that pass the Luhn
    check and start with an issuer prefix (``[银行卡号]``), mainland mobile
    numbers (``[手机号]``) and landlines written with an area code
    (``[座机号]``). Order numbers (a card-like number after 订单/单号/运单 ...),
    prices and ids with a wrong check digit are left as they are.

    Parameters
    ----------
    texts : pandas.Series, iterable of str, or str
        Missing values pass through unchanged.

    Returns
    -------
    Same kind as ``texts``: a Series keeps its index and name.

    Notes
    -----
    Check digits: GB 11643-1999 (ISO 7064 MOD 11-2) for resident ids;
    ISO/IEC 7812-1 (Luhn) for cards.
    """
    if isinstance(texts, str):
        return _redact_one(texts)
    if isinstance(texts, pd.Series):
        return texts.map(lambda t: _redact_one(t) if isinstance(t, str) else t)
    return [_redact_one(t) if isinstance(t, str) else t for t in texts]


# Temporary bridge (text helper, issue 13): the redaction helper's rewrite of this file
# provides `redact_text` itself and replaces this line.
redact_text = _redact_one

"""The text every analysis reads: personal data masked, the masks dropped, then normalised.

Keywords, topics, sentiment, segments and :func:`cxlab.text.analyze` all start from
:func:`analysis_text`, so no name, number or e-mail user name a customer typed can reach a
keyword table or any other output; what a reader may see of a comment is
:func:`cxlab.text.redact` of it.
"""

from __future__ import annotations

import functools
import re

from cxlab.text.normalize import normalize_text
from cxlab.text.redact import PLACEHOLDERS, redact_text

__all__ = ["analysis_text", "drop_masks"]


@functools.cache
def _masks() -> re.Pattern:
    return re.compile("|".join(map(re.escape, sorted(set(PLACEHOLDERS.values()), key=len)[::-1])))


def drop_masks(redacted: str) -> str:
    """A redacted text with its placeholders (``[手机号]`` ...) replaced by a space.

    The placeholders are not what the customer said: left in, "手机号" or "邮箱" would
    become keywords and could match topic keywords.

    Parameters
    ----------
    redacted : str
        A text as :func:`cxlab.text.redact` returns it.

    Returns
    -------
    str

    Examples
    --------
    >>> drop_masks("请打[手机号]联系")
    '请打 联系'
    """
    return _masks().sub(" ", redacted)


def analysis_text(text: str) -> str:
    """What analysis reads of one comment: redacted, masks dropped, normalised.

    Parameters
    ----------
    text : str
        A comment as the customer wrote it.

    Returns
    -------
    str
        ``normalize_text(drop_masks(redact_text(text)))``.

    Examples
    --------
    >>> analysis_text("門市很滿意，電話13812345678")
    '门市很满意,电话'
    """
    return normalize_text(drop_masks(redact_text(text)))

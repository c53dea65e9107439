"""The one error a survey file raises: :class:`SurveyError`, with a bounded message."""

from __future__ import annotations

from cxlab.codebook import clip

__all__ = ["SurveyError"]


class SurveyError(ValueError):
    """A survey file that cannot be used as it is; the message says what to fix.

    The message is cut to :data:`cxlab.codebook.MAX_MESSAGE` characters, since it is quoted
    into logs, pages and the report index.

    Examples
    --------
    >>> len(str(SurveyError("x" * 10_000))) < 2100
    True
    """

    def __init__(self, message: str = "") -> None:
        super().__init__(clip(message))


def line_list(numbers, limit: int = 10) -> str:
    """``"line 4"`` or ``"lines 4, 6, 9"`` (the first ``limit``, with the count when cut).

    Examples
    --------
    >>> line_list([4]), line_list([4, 6])
    ('line 4', 'lines 4, 6')
    >>> line_list(range(1, 30), limit=3)
    'lines 1, 2, 3 … (29 lines)'
    """
    numbers = list(numbers)
    if len(numbers) == 1:
        return f"line {numbers[0]}"
    shown = ", ".join(map(str, numbers[:limit]))
    more = f" … ({len(numbers)} lines)" if len(numbers) > limit else ""
    return f"lines {shown}{more}"

"""The one escaping path: every value from data, a codebook or a parameter that lands in a page.

Survey values, codebook names and labels, file names, parameters and error messages are text,
never markup. Whatever puts such a value into HTML passes it through :func:`escape_html`;
whatever puts it into a Markdown cell (rendered to HTML later) passes it through
:func:`escape_markdown`. Messages quoted into logs, the report index and pages are cut with
:func:`bounded`, so that one enormous value cannot flood them.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

__all__ = [
    "MESSAGE_LIMIT",
    "bounded",
    "escape_html",
    "escape_markdown",
    "html_text",
    "unescape_html",
]

#: Default length (characters) of a message quoted into a log, the index or a page.
MESSAGE_LIMIT = 500

# Markdown punctuation that can start emphasis, links, images, code, tables, headings, math
# or strike-through anywhere in a line; CommonMark lets any ASCII punctuation be backslash-escaped.
_MD_INLINE = re.compile(r"([\\`*_\[\]{}#|~!$])")
# Punctuation that only means something at the start of a line: list items, quotes, rules.
_MD_LINE_START = re.compile(r"^(\s*\d*)([-+=.)])")


def escape_html(value: object) -> str:
    """Text of ``value`` with ``& < > " '`` as character references, safe in HTML text and
    in quoted attribute values.

    Parameters
    ----------
    value : object
        Any value; ``None`` becomes the empty string, others their ``str()``.

    Returns
    -------
    str

    Examples
    --------
    >>> escape_html('2025Q4<img src=x onerror="alert(1)">')
    '2025Q4&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    >>> escape_html(None)
    ''
    """
    return "" if value is None else html.escape(str(value), quote=True)


def unescape_html(text: str) -> str:
    """The plain text of HTML text content (character references resolved).

    Parameters
    ----------
    text : str
        Text content of an HTML element, with character references (``&lt;``, ``&#x4e2d;``).

    Returns
    -------
    str
        The text with every character reference replaced by its character.

    Examples
    --------
    >>> unescape_html("a &lt;b&gt; &amp; c")
    'a <b> & c'
    """
    return html.unescape(text)


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(fragment: str) -> str:
    """The text of an HTML fragment: tags dropped, character references resolved.

    Parameters
    ----------
    fragment : str
        HTML, such as the inside of a heading.

    Returns
    -------
    str
        Plain text (to be escaped again with :func:`escape_html` before it goes back into HTML).

    Examples
    --------
    >>> html_text('1. 样本 <img src=x onerror="alert(1)"><b>&lt;b&gt;</b>')
    '1. 样本 <b>'
    """
    parser = _TextOnly()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts).strip()


def escape_markdown(value: object) -> str:
    """Text of ``value`` safe to put inside a Markdown cell: shown as written, never markup.

    HTML special characters become character references (Markdown passes raw HTML through),
    Markdown punctuation is backslash-escaped and line breaks become spaces (a value cannot
    open a new heading, list or HTML block).

    Parameters
    ----------
    value : object
        Any value; ``None`` becomes the empty string, others their ``str()``.

    Returns
    -------
    str
        Inline Markdown that renders to exactly the text of ``value``.

    Examples
    --------
    >>> escape_markdown("华东<script>alert(1)</script>")
    '华东&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> escape_markdown("**bold** [link](x)")
    '\\\\*\\\\*bold\\\\*\\\\* \\\\[link\\\\](x)'
    >>> escape_markdown("- a\\n# b")
    '\\\\- a \\\\# b'
    """
    if value is None:
        return ""
    text = " ".join(str(value).splitlines())
    text = _MD_INLINE.sub(r"\\\1", text)
    text = html.escape(text, quote=False)
    return _MD_LINE_START.sub(r"\1\\\2", text)


def bounded(message: object, *, limit: int = MESSAGE_LIMIT, one_line: bool = False) -> str:
    """``message`` cut to at most ``limit`` characters, ending with an ellipsis when cut.

    Parameters
    ----------
    message : object
        An error message or any value (its ``str()``).
    limit : int
        Most characters returned (at least 1).
    one_line : bool
        Join lines and runs of white space into single spaces first (for logs and the index).

    Returns
    -------
    str
        ``message`` as text, whole when it fits, else its first ``limit - 1`` characters and
        ``…``.

    Examples
    --------
    >>> bounded("x" * 10, limit=6)
    'xxxxx…'
    >>> bounded("short")
    'short'
    >>> bounded("a\\n  b", one_line=True)
    'a b'
    """
    if limit < 1:
        raise ValueError(f"`limit` should be at least 1, not {limit!r}.")
    text = str(message)
    if one_line:
        text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

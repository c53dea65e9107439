"""The one message catalogue: every sentence, label and heading a reader sees, in zh and en.

Messages live in ``cxlab/resources/messages/*.yaml``, one file per area (``reports.yaml``,
``plots.yaml``, ``satisfaction.yaml``...), each a mapping ``key: {zh: ..., en: ...}``. Keys are
dotted (``kpi.nps``, ``page.toc``) and unique across the files. Texts may hold ``{fields}``
that :func:`msg` fills in. Analysis functions return codes (``overall``, ``unmatched``); the
presentation layer (:mod:`cxlab.present`, :mod:`cxlab.plots`, :mod:`cxlab.narrative`, the
report pages) turns them into words with :func:`msg`.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from cxlab.safe_yaml import UniqueKeyLoader

__all__ = ["LANGUAGES", "check_lang", "has", "msg"]

#: Report languages, the default first.
LANGUAGES = ("zh", "en")


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a report language, else raise ValueError.

    Parameters
    ----------
    lang : str
        The language asked for.

    Returns
    -------
    str
        ``lang`` itself, one of :data:`LANGUAGES`.

    Raises
    ------
    ValueError
        ``lang`` is not in :data:`LANGUAGES`.

    Examples
    --------
    >>> check_lang("en")
    'en'
    """
    if lang not in LANGUAGES:
        raise ValueError(f"`lang` should be one of {LANGUAGES}, not {lang!r}.")
    return lang


@cache
def _catalogue() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    folder = resources.files("cxlab") / "resources" / "messages"
    for f in sorted(folder.iterdir(), key=lambda p: p.name):
        if not f.name.endswith(".yaml"):
            continue
        entries = yaml.load(f.read_text(encoding="utf-8"), Loader=UniqueKeyLoader) or {}
        for key, texts in entries.items():
            if key in out:
                raise ValueError(f"Message `{key}` is defined in {origin[key]} and in {f.name}.")
            if not isinstance(texts, dict) or set(texts) != set(LANGUAGES):
                raise ValueError(f"Message `{key}` in {f.name} needs exactly {LANGUAGES}.")
            out[key], origin[key] = {k: str(v) for k, v in texts.items()}, f.name
    return out


def has(key: str) -> bool:
    """Whether the catalogue holds ``key``.

    Parameters
    ----------
    key : str
        A catalogue key such as ``"kpi.nps"``.

    Returns
    -------
    bool

    Examples
    --------
    >>> has("kpi.nps"), has("no.such.key")
    (True, False)
    """
    return key in _catalogue()


def msg(key: str, lang: str = "zh", /, **fields) -> str:
    """The message ``key`` in ``lang``, with ``{fields}`` filled in.

    Parameters
    ----------
    key : str
        A catalogue key such as ``"kpi.nps"``.
    lang : {"zh", "en"}
    **fields
        Values for the ``{placeholders}`` of the text.

    Returns
    -------
    str
        The text in ``lang``.

    Raises
    ------
    KeyError
        The key is not in the catalogue (the message names the key).
    ValueError
        ``lang`` is not a report language.

    Examples
    --------
    >>> msg("lang.name", "en")
    'English'
    """
    check_lang(lang)
    try:
        text = _catalogue()[key][lang]
    except KeyError:
        raise KeyError(f"No message `{key}` in cxlab/resources/messages/.") from None
    return text.format(**fields) if fields else text

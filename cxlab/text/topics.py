"""Multi-label topic tagging against a YAML taxonomy of CX topics."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from cxlab.paths import RESOURCES
from cxlab.text.normalize import normalize_text
from cxlab.text.prepare import analysis_text


@functools.cache
def _default_taxonomy() -> dict:
    return yaml.safe_load((RESOURCES / "topics.yaml").read_text(encoding="utf-8"))


def load_taxonomy(
    taxonomy: str | Path | Mapping | None,
) -> dict[str, tuple[str, re.Pattern]]:
    """A topic taxonomy, checked and compiled.

    Parameters
    ----------
    taxonomy : path, mapping or None
        YAML ``{key: {label, keywords: [...]}}`` (a file or the mapping itself); None reads
        ``resources/topics.yaml``.

    Returns
    -------
    dict
        Topic key -> (label, compiled pattern of its normalised keywords, longest first).

    Raises
    ------
    ValueError
        The taxonomy is not a mapping, or a topic has no keywords.

    Examples
    --------
    >>> tax = load_taxonomy({"price": {"label": "价格", "keywords": ["贵", "價格"]}})
    >>> tax["price"][0], tax["price"][1].pattern
    ('价格', '价格|贵')
    """
    if taxonomy is None:
        spec = _default_taxonomy()
    elif isinstance(taxonomy, Mapping):
        spec = taxonomy
    else:
        spec = yaml.safe_load(Path(taxonomy).read_text(encoding="utf-8"))
    if not isinstance(spec, Mapping) or not spec:
        raise ValueError(
            f"A taxonomy maps topic keys to {{label, keywords}}; got {type(spec).__name__}."
        )
    out = {}
    for key, entry in spec.items():
        if not isinstance(entry, Mapping) or not entry.get("keywords"):
            raise ValueError(f"Taxonomy topic {key!r} needs a non-empty `keywords` list.")
        words = sorted({normalize_text(str(w)) for w in entry["keywords"]}, key=len, reverse=True)
        out[str(key)] = (str(entry.get("label", key)), re.compile("|".join(map(re.escape, words))))
    return out


def topic_keys(normalized: str, taxonomy: Mapping[str, tuple[str, re.Pattern]]) -> tuple[str, ...]:
    """The topics one text raises.

    Parameters
    ----------
    normalized : str
        The text's analysis form (:func:`cxlab.text.prepare.analysis_text`).
    taxonomy : mapping
        A taxonomy as :func:`load_taxonomy` returns it.

    Returns
    -------
    tuple of str
        The keys of the topics whose keywords occur, in taxonomy order.

    Examples
    --------
    >>> topic_keys("快递很快,价格也便宜", load_taxonomy(None))
    ('logistics', 'price')
    """
    return tuple(key for key, (_, pattern) in taxonomy.items() if pattern.search(normalized))


def topics(texts, *, taxonomy: str | Path | Mapping | None = None) -> pd.DataFrame:
    """Tag each text with every topic whose keywords it mentions (multi-label).

    Parameters
    ----------
    texts : pandas.Series or iterable of str
        The comments; a missing one raises no topic.
    taxonomy : path, mapping or None
        YAML taxonomy ``{key: {label, keywords: [...]}}``; default
        ``resources/topics.yaml`` (logistics, price, quality, service, returns,
        app/website/mini-program, store, waiting time).

    Returns
    -------
    pandas.DataFrame
        Same index as ``texts``: ``topics`` (the keys, joined by ";"), and one
        bool column per topic key.

    Notes
    -----
    Keywords match on the analysis form of the text (:func:`cxlab.text.prepare.analysis_text`:
    personal data masked and dropped, normalised), so traditional and simplified script tag
    alike.

    Examples
    --------
    >>> topics(["快递很快，价格也便宜", "今天天气不错"])[["topics", "logistics", "price"]].to_dict("list")
    {'topics': ['logistics;price', ''], 'logistics': [True, False], 'price': [True, False]}
    """
    tax = load_taxonomy(taxonomy)
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
    from cxlab.text.batch import topic_matrix, topic_strings

    keys = list(tax)
    found = np.zeros((len(s), len(keys)), dtype=bool)
    rows = [i for i, t in enumerate(s) if isinstance(t, str)]
    found[rows] = topic_matrix([analysis_text(s.iloc[i]) for i in rows], tax)
    out = pd.DataFrame({"topics": topic_strings(found, keys)}, index=s.index)
    for j, key in enumerate(keys):
        out[key] = found[:, j]
    return out

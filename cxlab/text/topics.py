"""Multi-label topic tagging against a YAML taxonomy of CX topics."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import yaml

from cxlab.paths import RESOURCES
from cxlab.text.normalize import _normalize_one


@functools.cache
def _default_taxonomy() -> dict:
    return yaml.safe_load((RESOURCES / "topics.yaml").read_text(encoding="utf-8"))


def load_taxonomy(
    taxonomy: str | Path | Mapping | None = None,
) -> dict[str, tuple[str, re.Pattern]]:
    """Topic key -> (label, compiled keyword pattern), from YAML (a path or a mapping) or the default."""
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
        words = sorted({_normalize_one(str(w)) for w in entry["keywords"]}, key=len, reverse=True)
        out[str(key)] = (str(entry.get("label", key)), re.compile("|".join(map(re.escape, words))))
    return out


def _topics_one(normalized: str, tax) -> tuple[str, ...]:
    return tuple(key for key, (_, pattern) in tax.items() if pattern.search(normalized))


def topics(texts, taxonomy: str | Path | Mapping | None = None) -> pd.DataFrame:
    """Tag each text with every topic whose keywords it mentions (multi-label).

    Parameters
    ----------
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
    Keywords match on the normalised text, so traditional and simplified
    script tag alike.
    """
    tax = load_taxonomy(taxonomy)
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
    found = [_topics_one(_normalize_one(t), tax) if isinstance(t, str) else () for t in s]
    out = pd.DataFrame({"topics": [";".join(f) for f in found]}, index=s.index)
    for key in tax:
        out[key] = [key in f for f in found]
    return out

"""YAML read safely: plain data only, parsed by libyaml where available, no key said twice.

Codebooks (:mod:`cxlab.io.codebook_file`) and the message catalogue (:mod:`cxlab.messages`)
are read with :class:`UniqueKeyLoader`: a key given twice in one mapping would otherwise let
the second silently win. Importing this module imports nothing heavier than PyYAML.
"""

from __future__ import annotations

import yaml

from cxlab.codebook import clip

__all__ = ["Refused", "UniqueKeyLoader"]

_MERGE = "tag:yaml.org,2002:merge"


class Refused(yaml.YAMLError):
    """A YAML file the loader refuses; the message is the reason, said to the user as it is."""


#: libyaml's parser (C) where PyYAML was built with it: the same safe constructor and resolver
#: as ``yaml.SafeLoader`` (plain data only), composing about ten times quicker.
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UniqueKeyLoader(_SafeBase):
    """YAML's safe loader that refuses a key given twice in one mapping, naming both lines.

    Codebooks bound aliases besides (:func:`cxlab.io.codebook_file.read_codebook`); the safe
    loader builds no Python objects other than plain data. The parser is libyaml's
    (``yaml.CSafeLoader``) when available, else PyYAML's own: both give the same nodes.

    Examples
    --------
    >>> yaml.load("a: 1\\nb: 2", Loader=UniqueKeyLoader)
    {'a': 1, 'b': 2}
    >>> yaml.load("a: 1\\na: 2", Loader=UniqueKeyLoader)
    Traceback (most recent call last):
    ...
    cxlab.safe_yaml.Refused: key `a` appears twice in one mapping: first on line 1, again on line 2
    """

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE:
                    continue  # `<<: *defaults` keys may be overridden: that is what merging is
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: the safe loader refuses it itself
                    continue
                if first is not None:
                    raise Refused(
                        f"key `{clip(key, limit=80)}` appears twice in one mapping: first on line "
                        f"{first}, again on line {line}"
                    )
                seen[key] = line
        return super().construct_mapping(node, deep=deep)

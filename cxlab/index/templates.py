"""National satisfaction-index models (ECSI, ACSI, CCSI) as named templates.

A template names the constructs and the paths between them; the survey's codebook says which
items measure each construct (``construct: <code>`` on an item). Construct codes are English
words (``image``, ``satisfaction``...); their display names come from the message catalogue
(keys ``construct.<code>``).
"""

from __future__ import annotations

from dataclasses import dataclass

from cxlab.codebook import Codebook, CodebookError

__all__ = ["TEMPLATES", "Template", "blocks_from_codebook", "template"]


@dataclass(frozen=True)
class Template:
    """A structural model: ``constructs`` in causal order and ``paths`` (from, to).

    Attributes
    ----------
    name : str
        ``"ecsi"``, ``"acsi"`` or ``"ccsi"``.
    constructs : tuple of str
        Construct codes, exogenous first.
    paths : tuple of (str, str)
        The structural paths.
    source : str
        Where the model is set out.
    """

    name: str
    constructs: tuple[str, ...]
    paths: tuple[tuple[str, str], ...]
    source: str


_ECSI_CORE = (
    ("image", "expectation"),
    ("image", "satisfaction"),
    ("image", "loyalty"),
    ("expectation", "quality"),
    ("expectation", "value"),
    ("expectation", "satisfaction"),
    ("quality", "value"),
    ("quality", "satisfaction"),
    ("value", "satisfaction"),
)

#: The three templates by name.
TEMPLATES: dict[str, Template] = {
    "ecsi": Template(
        "ecsi",
        ("image", "expectation", "quality", "value", "satisfaction", "complaint", "loyalty"),
        (
            *_ECSI_CORE,
            ("satisfaction", "complaint"),
            ("satisfaction", "loyalty"),
            ("complaint", "loyalty"),
        ),
        "Tenenhaus, Esposito Vinzi, Chatelin & Lauro (2005), Computational Statistics & Data "
        "Analysis 48, fig. 4 (the ECSI model of the mobile-phone survey)",
    ),
    "acsi": Template(
        "acsi",
        ("expectation", "quality", "value", "satisfaction", "complaint", "loyalty"),
        (
            ("expectation", "quality"),
            ("expectation", "value"),
            ("expectation", "satisfaction"),
            ("quality", "value"),
            ("quality", "satisfaction"),
            ("value", "satisfaction"),
            ("satisfaction", "complaint"),
            ("satisfaction", "loyalty"),
            ("complaint", "loyalty"),
        ),
        "Fornell, Johnson, Anderson, Cha & Bryant (1996), Journal of Marketing 60(4), fig. 1",
    ),
    "ccsi": Template(
        "ccsi",
        ("image", "expectation", "quality", "value", "satisfaction", "loyalty"),
        (*_ECSI_CORE, ("satisfaction", "loyalty")),
        "GB/T 19038-2009 顾客满意测评模型和方法指南: brand image (品牌形象), expected quality "
        "(预期质量), perceived quality (感知质量), perceived value (感知价值), satisfaction "
        "(顾客满意度), loyalty (顾客忠诚)",
    ),
}


def template(name: str) -> Template:
    """The template called ``name`` (case-insensitive).

    Parameters
    ----------
    name : str
        ``"ecsi"``, ``"acsi"`` or ``"ccsi"`` (any case).

    Returns
    -------
    Template
        Its ``constructs``, ``paths`` and ``source``.

    Raises
    ------
    ValueError
        No template has that name; the message lists the templates.

    Examples
    --------
    >>> t = template("ACSI")
    >>> t.constructs[:3], len(t.paths)
    (('expectation', 'quality', 'value'), 9)
    """
    key = str(name).lower()
    if key not in TEMPLATES:
        raise ValueError(f"No index model template {name!r}; templates: {sorted(TEMPLATES)}.")
    return TEMPLATES[key]


def blocks_from_codebook(
    codebook: Codebook, *, constructs=None, at_least: int = 1
) -> dict[str, list[str]]:
    """Construct -> items, from the items a codebook tags with ``construct:``.

    Parameters
    ----------
    codebook : Codebook
    constructs : iterable of str, optional
        The constructs wanted, in order (a template's); default every tagged construct in
        codebook order.
    at_least : int
        Each wanted construct needs this many items.

    Returns
    -------
    dict
        Construct code -> list of item columns, in codebook order.

    Raises
    ------
    CodebookError
        A wanted construct has fewer than ``at_least`` tagged items; the message names it.

    Examples
    --------
    >>> book = Codebook.from_dict({"id": "id", "items": {
    ...     "s1": {"type": "scale", "min": 1, "max": 10, "construct": "satisfaction"},
    ...     "s2": {"type": "scale", "min": 1, "max": 10, "construct": "satisfaction"},
    ...     "l1": {"type": "scale", "min": 1, "max": 10, "construct": "loyalty"}}})
    >>> blocks_from_codebook(book)
    {'satisfaction': ['s1', 's2'], 'loyalty': ['l1']}
    """
    tagged: dict[str, list[str]] = {}
    for name, item in codebook.items.items():
        if item.construct:
            tagged.setdefault(item.construct, []).append(name)
    wanted = list(tagged) if constructs is None else list(constructs)
    lacking = [c for c in wanted if len(tagged.get(c, [])) < at_least]
    if lacking:
        raise CodebookError(
            f"Codebook {codebook.source}: construct(s) {lacking} need at least {at_least} "
            f"item(s) tagged `construct: <code>`; tagged constructs: {sorted(tagged)}."
        )
    return {c: tagged[c] for c in wanted}

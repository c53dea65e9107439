"""Response-quality screening at load time: the codebook's ``quality:`` rules, into the ledger."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cxlab.codebook import Codebook, CodebookError
from cxlab.io.ledger import FLAGGED, ROW_DROPPED, Ledger
from cxlab.quality import QualityRule, screen

__all__ = ["quality_rules", "screen_quality"]

#: The option of each rule that names a column, and the platform meta role that can supply it.
_COLUMN_OPTION = {
    "speeders": ("duration", "duration"),
    "incomplete": ("status", "status"),
}


def quality_rules(
    codebook: Codebook, *, meta: Mapping[str, str] | None = None
) -> list[QualityRule]:
    """The codebook's ``quality:`` block as rules, columns filled in from a platform's meta.

    Parameters
    ----------
    codebook : Codebook
    meta : mapping, optional
        What a platform reader recognised (``duration``, ``status``, ``ip``, ``submitted``).

    Returns
    -------
    list of QualityRule

    Raises
    ------
    CodebookError
        A rule needs a column that neither the codebook nor the platform names.

    Examples
    --------
    >>> book = Codebook.from_dict({"quality": {"speeders": {}}, "items": {"q": {"type": "nps"}}})
    >>> [(r.rule, r.action, r.options) for r in quality_rules(book, meta={"duration": "secs"})]
    [('speeders', 'flag', {'duration': 'secs'})]
    """
    meta = dict(meta or {})
    rules = []
    for rule, settings in codebook.quality.items():
        opts = {k: v for k, v in settings.items() if k != "action"}
        action = settings.get("action", "flag")
        if rule in _COLUMN_OPTION:
            option, role = _COLUMN_OPTION[rule]
            opts.setdefault(option, meta.get(role))
            if opts[option] is None:
                raise CodebookError(
                    f"Codebook {codebook.source}: `quality.{rule}` needs `{option}: <column>` "
                    "(the export has no such column the platform reader recognised)."
                )
        elif rule == "straightlining":
            grids: dict[str, list[str]] = {}
            for name, item in codebook.items.items():
                if item.grid:
                    grids.setdefault(item.grid, []).append(name)
            opts = {"grids": grids, **opts}
        else:  # duplicates
            opts.setdefault("respondent", codebook.id)
            opts.setdefault("ip", meta.get("ip"))
            opts.setdefault("time", codebook.submitted or meta.get("submitted"))
            if opts["ip"] is not None:
                opts.setdefault("items", list(codebook.items))
        rules.append(QualityRule(rule, action, opts))
    return rules


def screen_quality(
    df: pd.DataFrame, codebook: Codebook, meta: Mapping[str, str], ledger: Ledger
) -> pd.DataFrame:
    """Run the codebook's quality rules; flagged rows stay, excluded rows leave, all in the ledger.

    Parameters
    ----------
    df : pandas.DataFrame
        The validated survey.
    codebook : Codebook
    meta : mapping
        A platform's meta columns (see :func:`quality_rules`).
    ledger : Ledger
        Receives one line per flagged or excluded respondent and rule (action ``"flagged"`` or
        ``"row dropped"``), with the reason.

    Returns
    -------
    pandas.DataFrame
        ``df`` without the excluded respondents.

    Examples
    --------
    >>> book = Codebook.from_dict({"quality": {"speeders": {"action": "exclude"}},
    ...                            "items": {"q": {"type": "nps"}}})
    >>> df = pd.DataFrame({"secs": [300, 280, 20], "q": [9, 8, 10]}, index=[1, 2, 3])
    >>> ledger = Ledger()
    >>> screen_quality(df, book, {"duration": "secs"}, ledger).index.tolist()
    [1, 2]
    >>> ledger.frame()[["row", "action"]].to_dict("list")
    {'row': [3], 'action': ['row dropped']}
    """
    rules = quality_rules(codebook, meta=meta)
    if not rules:
        return df
    found = screen(df, rules)
    for (rule, action), part in found.groupby(["rule", "action"], sort=False):
        what = ROW_DROPPED if action == "exclude" else FLAGGED
        ledger.add(part["row"], f"({rule})", [""] * len(part), list(part["reason"]), what)
    excluded = found.loc[found["action"] == "exclude", "row"].unique()
    return df.drop(index=excluded) if len(excluded) else df

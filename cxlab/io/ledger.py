"""The exclusions ledger: one line per value or row the loader could not use as it was."""

from __future__ import annotations

import pandas as pd

__all__ = [
    "EXCLUSION_COLUMNS",
    "FILLED",
    "FLAGGED",
    "ROW_DROPPED",
    "SET_MISSING",
    "Ledger",
    "empty_exclusions",
    "summarise",
]

#: Columns of :attr:`cxlab.io.Survey.exclusions`.
EXCLUSION_COLUMNS = ["row", "column", "value", "reason", "action"]
#: Actions: the row left the data; the value became missing; the value was copied in.
ROW_DROPPED = "row dropped"
SET_MISSING = "set to missing"
FILLED = "filled from merged cell"
#: A response-quality rule (cxlab.quality) flagged the respondent; the row is kept.
FLAGGED = "flagged"


def empty_exclusions() -> pd.DataFrame:
    """An exclusions table with no lines (the columns of :data:`EXCLUSION_COLUMNS`).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> empty_exclusions().columns.tolist()
    ['row', 'column', 'value', 'reason', 'action']
    """
    return pd.DataFrame({c: pd.Series(dtype=object) for c in EXCLUSION_COLUMNS})


class Ledger:
    """Collects exclusions while a survey is read and validated.

    Examples
    --------
    >>> ledger = Ledger()
    >>> ledger.add([3, 1], "nps", ["x", "11"], "bad", SET_MISSING)
    >>> ledger.frame()[["row", "value"]].to_dict("list")
    {'row': [1, 3], 'value': ['11', 'x']}
    """

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, rows, column: str, values, reason, action: str) -> None:
        """Record ``rows`` of ``column`` with their ``values`` as read, the reason and action.

        ``reason`` is one text or one per row.
        """
        rows = list(rows)
        if not rows:
            return
        self.parts.append(
            pd.DataFrame(
                {
                    "row": rows,
                    "column": column,
                    "value": list(values),
                    "reason": reason,
                    "action": action,
                }
            )
        )

    def extend(self, lines: pd.DataFrame | None) -> None:
        """Record lines already in the exclusions layout (e.g. notes made while reading)."""
        if lines is not None and not lines.empty:
            self.parts.append(lines[EXCLUSION_COLUMNS])

    def frame(self) -> pd.DataFrame:
        """Every line so far, sorted by row then column."""
        if not self.parts:
            return empty_exclusions()
        out = pd.concat(self.parts, ignore_index=True)
        out["row"] = out["row"].astype(int)
        out["value"] = out["value"].astype(object)
        return out.sort_values(["row", "column"], kind="stable").reset_index(drop=True)


def summarise(exclusions: pd.DataFrame) -> pd.DataFrame:
    """Exclusions counted by column, reason and action, with the first rows of each.

    Parameters
    ----------
    exclusions : pandas.DataFrame
        A table with the columns of :data:`EXCLUSION_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        Columns ``column``, ``reason``, ``action``, ``count``, ``rows`` (up to five row
        numbers, as text).

    Examples
    --------
    >>> ledger = Ledger()
    >>> ledger.add([2, 5], "nps", ["x", "y"], "not a number", SET_MISSING)
    >>> summarise(ledger.frame())[["column", "count", "rows"]].to_dict("list")
    {'column': ['nps'], 'count': [2], 'rows': ['2, 5']}
    """
    if exclusions.empty:
        return pd.DataFrame(columns=["column", "reason", "action", "count", "rows"])
    return (
        exclusions.groupby(["column", "reason", "action"], sort=False)["row"]
        .agg(
            count="size",
            rows=lambda r: ", ".join(map(str, r.iloc[:5])) + (" …" if len(r) > 5 else ""),
        )
        .reset_index()
    )

"""The one weight rule, as an assertion every weighted function's tests call.

Rule (cxlab.checks): a negative weight raises ValueError naming the column; a respondent with
weight 0 does not count (the result equals the result without that row) but is still in the
base ``n``, beside ``n_used``.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

#: Base columns that legitimately differ between "weight 0" and "row dropped".
BASE_COLUMNS = ("n", "n_excluded")


def tables(result) -> list[pd.DataFrame]:
    """The DataFrames inside a result: itself, or the DataFrame fields of a dataclass."""
    if isinstance(result, pd.DataFrame):
        return [result]
    if dataclasses.is_dataclass(result):
        return [
            getattr(result, f.name)
            for f in dataclasses.fields(result)
            if isinstance(getattr(result, f.name), pd.DataFrame)
        ]
    raise TypeError(f"Cannot compare a {type(result).__name__} result.")


def check_weight_rule(call, df: pd.DataFrame, *, weight: str = "w", row: int = 0, ignore=()):
    """Assert the weight rule for ``call(df, weight)`` (a function of the data and weight name).

    ``row`` is the position of a respondent whose answers are used by ``call``;
    ``ignore`` names further columns that may differ (e.g. bootstrap intervals).
    """
    label = df.index[row]
    bad = df.copy()
    bad.loc[label, weight] = -1.0
    with pytest.raises(ValueError, match=weight):
        call(bad, weight)

    zero = df.copy()
    zero.loc[label, weight] = 0.0
    got, want = tables(call(zero, weight)), tables(call(df.drop(index=label), weight))
    assert len(got) == len(want)
    skip = set(BASE_COLUMNS) | set(ignore)
    for g, w in zip(got, want, strict=True):
        cols = [c for c in g.columns if c not in skip]
        pd.testing.assert_frame_equal(
            g[cols].reset_index(drop=True),
            w[[c for c in w.columns if c not in skip]].reset_index(drop=True),
            check_exact=False,
            rtol=1e-9,
            atol=1e-12,
        )
    with_base = [g for g in got if "n_used" in g.columns and "n" in g.columns]
    assert with_base, "the result should report both bases, `n` and `n_used`"
    assert any((g["n"] > g["n_used"]).any() for g in with_base), (
        "the respondent with weight 0 should count in `n` and not in `n_used`"
    )

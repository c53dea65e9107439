"""Measurement quality of an index model against the usual thresholds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxlab.index.pls import PLSResult

__all__ = ["THRESHOLDS", "measurement_quality"]

#: Check code -> (low, high) bounds a value should lie within (Hair et al., 2019, "When to use
#: and how to report the results of PLS-SEM", European Business Review 31(1); Henseler,
#: Ringle & Sarstedt, 2015, for HTMT < 0.85). Words: messages ``check.<code>``.
THRESHOLDS: dict[str, tuple[float, float]] = {
    "loading": (0.70, np.inf),
    "alpha": (0.70, 0.95),
    "rho_a": (0.70, np.inf),
    "rho_c": (0.70, 0.95),
    "ave": (0.50, np.inf),
    "htmt": (-np.inf, 0.85),
}


def measurement_quality(result: PLSResult) -> pd.DataFrame:
    """Every reliability and validity check of every reflective construct, flagged.

    Parameters
    ----------
    result : PLSResult

    Returns
    -------
    pandas.DataFrame
        One row per (construct, check): ``construct``, ``check`` (a code of
        :data:`THRESHOLDS`), ``value`` (the smallest loading; the largest HTMT of the
        construct with any other), ``low``, ``high`` (the bounds), ``ok`` (bool).
        Mode B and single-item constructs are left out.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.standard_normal((300, 1))
    >>> df = pd.DataFrame(f + 0.6 * rng.standard_normal((300, 4)), columns=["a1", "a2", "b1", "b2"])
    >>> from cxlab.index import pls_pm
    >>> model = pls_pm(df, {"A": ["a1", "a2"], "B": ["b1", "b2"]}, paths=[("A", "B")])
    >>> q = measurement_quality(model)
    >>> q[q["construct"] == "A"][["check", "ok"]].to_dict("list")
    {'check': ['loading', 'alpha', 'rho_a', 'rho_c', 'ave', 'htmt'], 'ok': [True, True, True, True, True, False]}
    """
    rel = result.reliability.set_index("construct")
    loads = result.outer.groupby("construct", sort=False)["loading"].min()
    h = result.htmt
    pairs = pd.concat(
        [
            h.rename(columns={"construct_1": "construct"}),
            h.rename(columns={"construct_2": "construct"}),
        ]
    )
    htmt = pairs.groupby("construct")["htmt"].max()
    rows = []
    for c in rel.index:
        if rel.loc[c, "mode"] != "A" or rel.loc[c, "items"] < 2:
            continue
        values = {
            "loading": loads[c],
            **{k: rel.loc[c, k] for k in ("alpha", "rho_a", "rho_c", "ave")},
            "htmt": htmt.get(c, np.nan),
        }
        for check, value in values.items():
            low, high = THRESHOLDS[check]
            rows.append((c, check, value, low, high, bool(np.isnan(value) or low <= value <= high)))
    return pd.DataFrame(rows, columns=["construct", "check", "value", "low", "high", "ok"])

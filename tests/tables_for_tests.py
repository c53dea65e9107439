"""Small result tables shared by the narrative tests (Chinese and English sentences)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def trend_table(change, significant):
    """A two-wave trend result: wave Q2 moved by ``change``, significantly or not."""
    return pd.DataFrame(
        {
            "wave": ["Q1", "Q2"],
            "value": [10.0, 10.0 + change],
            "ci_low": [5.0, 6.0],
            "ci_high": [15.0, 16.0],
            "change": [np.nan, change],
            "p_change": [np.nan, 0.001 if significant else 0.4],
            "significant": [False, significant],
        }
    )

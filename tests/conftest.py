"""Shared fixtures: the bundled sample survey and small seeded frames."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from cxlab import io
from cxlab.paths import SAMPLE_DATA


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def sample_survey():
    """The bundled sample survey, loaded once per session."""
    return io.load_survey(SAMPLE_DATA)


@pytest.fixture(scope="session")
def truth():
    import json

    from cxlab.paths import SAMPLE_TRUTH

    return json.loads(SAMPLE_TRUTH.read_text(encoding="utf-8"))

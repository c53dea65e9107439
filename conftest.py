"""Doctests in cxlab/ draw on an off-screen canvas (tests/conftest.py does the same for tests)."""

import matplotlib

matplotlib.use("Agg")

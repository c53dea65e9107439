"""``cxlab report NAME --each COLUMN`` on awkward unit columns (issue 16 probe)."""

from __future__ import annotations

import pytest

from cxlab import reports

AWKWARD = [
    "a/b",
    "a\\b",
    "a?b",
    "a_b",
    "a b",
    "*",
    ":",
    "?",
    "..",
    " lead",
    "lead",
    "trail ",
    "trail",
    "<script>alert(1)</script>",
    "🏪店",
    "店",
    "x" * 200,
    "x" * 199 + "y",
]


def stem(unit: str) -> str:
    return reports.report_stem("satisfaction", {"each": "store", "unit": unit})


def test_units_the_slug_changes_never_share_a_file():
    stems = [stem(u) for u in AWKWARD]
    assert len(set(stems)) == len(AWKWARD), sorted(stems)


@pytest.mark.parametrize("unit", AWKWARD)
def test_unit_file_names_are_safe(unit):
    name = stem(unit)
    assert "/" not in name and "\\" not in name and name not in (".", "..")
    assert not name.endswith("=") and len(name.encode("utf-8")) <= reports.MAX_STEM_BYTES


def test_plain_units_keep_their_readable_names():
    assert stem("华东") == "satisfaction--store=华东"
    assert stem("S07") == "satisfaction--store=S07"
    assert stem("a_b") == "satisfaction--store=a_b"

"""What each report section needs from a survey, stated once.

Every report is a list of sections; each section names the codebook ingredients it needs (an item
of type nps, an outcome and two drivers, a wave column, open comments...). :func:`plan` checks a
codebook against those needs, without reading data or starting a kernel, so that ``cxlab check``
can say which sections a survey gets, and a notebook can leave a section out with one sentence
saying what is missing. A report none of whose sections can run is *not applicable*.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cxlab.codebook import Codebook

__all__ = ["REPORTS", "Need", "Section", "applicable", "plan"]


@dataclass(frozen=True)
class Need:
    """One ingredient: ``at_least`` items of a type and/or role, or a top-level codebook column.

    Attributes
    ----------
    kind : {"item", "wave", "segments", "input", "construct"}
        ``item``: items of ``type``/``role``; ``wave``: the codebook names a wave column;
        ``construct``: items tagged ``construct:`` (index models, :mod:`cxlab.index`);
        ``segments``: at least ``at_least`` segment columns; ``input``: a file given to the report
        (a parameter such as ``events`` or ``staff``), named by ``name``.
    any_of : tuple of Need
        Alternatives: the need is met when any of them is (``kind="any"``).
    """

    kind: str
    type: str | None = None
    role: str | None = None
    at_least: int = 1
    name: str | None = None
    any_of: tuple[Need, ...] = ()

    def count(self, codebook: Codebook, inputs: frozenset[str]) -> int:
        """How many of the ingredient the codebook (and the given inputs) has."""
        if self.kind == "item":
            return len(codebook.select(type=self.type, role=self.role))
        if self.kind == "wave":
            return int(codebook.wave is not None)
        if self.kind == "segments":
            return len(codebook.segments)
        if self.kind == "input":
            return int(self.name in inputs)
        if self.kind == "construct":
            return sum(1 for item in codebook.items.values() if item.construct)
        if self.kind == "any":
            return int(any(n.met(codebook, inputs) for n in self.any_of))
        raise ValueError(f"Unknown need kind {self.kind!r}.")

    def met(self, codebook: Codebook, inputs: frozenset[str] = frozenset()) -> bool:
        return self.count(codebook, inputs) >= self.at_least

    def describe(self) -> str:
        """The need in words a codebook author acts on (English; codebook keys are English)."""
        if self.kind == "item":
            what = " and ".join(
                f"{k} {v}" for k, v in (("type", self.type), ("role", self.role)) if v
            )
            key = ", ".join(f"{k}: {v}" for k, v in (("type", self.type), ("role", self.role)) if v)
            return f"{self.at_least} item(s) with {what} (add `{key}` to an item)"
        if self.kind == "wave":
            return "a wave column (add `wave: <column>` to the codebook)"
        if self.kind == "segments":
            return f"{self.at_least} segment column(s) (list them under `segments:`)"
        if self.kind == "input":
            return f"a `{self.name}` file (give it with -p {self.name}=PATH)"
        if self.kind == "construct":
            return f"{self.at_least} item(s) tagged with a construct (add `construct: <code>`)"
        return "one of: " + "; or ".join(n.describe() for n in self.any_of)


def _items(type: str | None = None, role: str | None = None, at_least: int = 1) -> Need:
    return Need("item", type=type, role=role, at_least=at_least)


def _any(*needs: Need) -> Need:
    return Need("any", any_of=needs)


NPS = _items(type="nps")
OUTCOME = _items(role="outcome")
DRIVERS2 = _items(role="driver", at_least=2)
TEXT = _items(type="text")
WAVE = Need("wave")
SEGMENT = Need("segments")
HEADLINE = _any(NPS, OUTCOME, _items(role="effort"))
#: An index model needs at least two constructs of two items each.
CONSTRUCTS = Need("construct", at_least=4)


@dataclass(frozen=True)
class Section:
    """A report section: its key (``satisfaction.trends``) and what it needs."""

    key: str
    needs: tuple[Need, ...] = ()
    #: Sections that only summarise others (key points) do not make a report applicable.
    summary: bool = False

    def missing(self, codebook: Codebook, inputs: frozenset[str] = frozenset()) -> list[Need]:
        """The needs the codebook does not meet (empty: the section runs)."""
        return [n for n in self.needs if not n.met(codebook, inputs)]


#: Every report's sections, in page order.
REPORTS: dict[str, tuple[Section, ...]] = {
    "satisfaction": (
        Section("sample", summary=True),
        Section("kpis", (HEADLINE,)),
        Section("points", (HEADLINE,), summary=True),
        Section("trends", (WAVE, _any(NPS, OUTCOME))),
        Section("segments", (SEGMENT, _any(NPS, OUTCOME))),
        Section("distributions", (_any(OUTCOME, _items(role="driver")),)),
        Section(
            "reliability",
            (
                _any(
                    _items(role="driver", at_least=2),
                    _items(role="expectation", at_least=2),
                    _items(role="perception", at_least=2),
                ),
            ),
        ),
        Section("verbatims", (TEXT,)),
    ),
    "drivers": (
        Section("fit", (OUTCOME, DRIVERS2)),
        Section("importance", (OUTCOME, DRIVERS2)),
        Section("matrix", (OUTCOME, DRIVERS2)),
        Section("penalty", (OUTCOME, DRIVERS2)),
        Section("promoters", (NPS, DRIVERS2)),
        Section("stability", (WAVE, OUTCOME, DRIVERS2)),
        Section("points", (OUTCOME, DRIVERS2), summary=True),
    ),
    "gaps": (
        Section("servqual", (_items(role="expectation"),)),
        Section("items", (_items(role="expectation"),)),
        Section("ipa", (OUTCOME, DRIVERS2)),
        Section("kano", (_items(role="functional"), _items(role="dysfunctional"))),
        Section("staff", (Need("input", name="staff"),)),
        Section("points", (), summary=True),
    ),
    "journey": (
        Section("map", (_items(role="touchpoint"),)),
        Section("funnel", (Need("input", name="events"),)),
        Section("peak_end", (OUTCOME, _items(role="touchpoint", at_least=2))),
        Section("self_service", (_items(role="self_service"),)),
        Section("points", (), summary=True),
    ),
    "tables": (
        Section(
            "book",
            (
                _any(
                    *(
                        _items(type=t)
                        for t in ("category", "binary", "kano", "scale", "nps", "multi")
                    )
                ),
            ),
        ),
    ),
    "index": (
        Section("model", (CONSTRUCTS,)),
        Section("quality", (CONSTRUCTS,)),
        Section("scores", (CONSTRUCTS,)),
        Section("segments", (CONSTRUCTS, SEGMENT)),
        Section("waves", (CONSTRUCTS, WAVE)),
        Section("ipma", (CONSTRUCTS,)),
        Section("points", (CONSTRUCTS,), summary=True),
    ),
    "followup": (
        Section("list", (_any(NPS, OUTCOME, TEXT),)),
        Section("closure", ()),
        Section("warning", (WAVE, _any(TEXT, NPS))),
    ),
    "voice": (
        Section("topics", (TEXT,)),
        Section("keywords", (TEXT,)),
        Section("trend", (TEXT, WAVE)),
        Section("complaints", (TEXT,)),
    ),
}


def _sections(report: str) -> tuple[Section, ...]:
    try:
        return REPORTS[report]
    except KeyError:
        raise ValueError(f"No report {report!r}; reports: {sorted(REPORTS)}.") from None


def plan(codebook: Codebook, report: str, *, inputs=()) -> pd.DataFrame:
    """Which sections of a report a survey gets, and what the others lack.

    Parameters
    ----------
    codebook : Codebook
    report : str
        A key of :data:`REPORTS`.
    inputs : iterable of str
        Extra files given to the report (``"events"``, ``"staff"``).

    Returns
    -------
    pandas.DataFrame
        One row per section in page order: ``report``, ``section``, ``runs`` (bool),
        ``missing`` (what the codebook lacks, in words; empty when it runs).

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> book = Codebook.from_dict({"id": "id", "items": {"q": {"type": "nps"}}})
    >>> plan(book, "satisfaction").set_index("section")["runs"].to_dict()
    {'sample': True, 'kpis': True, 'points': True, 'trends': False, 'segments': False, \
'distributions': False, 'reliability': False, 'verbatims': False}
    """
    given = frozenset(inputs)
    rows = []
    for s in _sections(report):
        lack = s.missing(codebook, given)
        rows.append(
            {
                "report": report,
                "section": s.key,
                "runs": not lack,
                "missing": "; ".join(n.describe() for n in lack),
            }
        )
    return pd.DataFrame(rows, columns=["report", "section", "runs", "missing"])


def applicable(codebook: Codebook, report: str, *, inputs=()) -> bool:
    """Whether any section of the report other than summaries runs on this codebook.

    Parameters
    ----------
    codebook : cxlab.codebook.Codebook
    report : str
        A report name of :data:`REPORTS` (``"satisfaction"``, ``"voice"``...).
    inputs : iterable of str
        Names of the files given to the report (``"events"``, ``"staff"``...).

    Returns
    -------
    bool
        True when at least one non-summary section has what it needs.

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> book = Codebook.from_dict({"id": "id", "items": {"q": {"type": "nps"}}})
    >>> applicable(book, "satisfaction"), applicable(book, "voice")
    (True, False)
    """
    given = frozenset(inputs)
    return any(not s.summary and not s.missing(codebook, given) for s in _sections(report))

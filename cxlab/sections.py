"""What each report section needs from a survey, stated once.

Every report is a list of sections; each section names the codebook ingredients it needs (an item
of type nps, an outcome and two drivers, a wave column, open comments...). :func:`plan` checks a
codebook against those needs, without reading data or starting a kernel, so that ``cxlab check``
can say which sections a survey gets, and a notebook can leave a section out with one sentence
saying what is missing. A report none of whose sections can run is *not applicable*.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import pandas as pd

from cxlab.codebook import Codebook, CodebookError
from cxlab.messages import msg

__all__ = ["REPORTS", "SPECS", "Need", "Section", "applicable", "plan"]


@dataclass(frozen=True)
class Need:
    """One ingredient: ``at_least`` items of a type and/or role, or a top-level codebook column.

    Attributes
    ----------
    kind : {"item", "wave", "segments", "input", "construct", "spec", "any", "all"}
        ``item``: items of ``type``/``role``; ``wave``: the codebook names a wave column;
        ``construct``: items tagged ``construct:`` (index models, :mod:`cxlab.index`);
        ``segments``: at least ``at_least`` segment columns; ``input``: a file given to the report
        (a parameter such as ``events`` or ``staff``), named by ``name``; ``spec``: the
        arguments an analysis builds from the codebook (``servqual``, ``kano``,
        ``self_service``: :data:`SPECS`) can be built; ``any``/``all``: any or all of
        ``any_of``.
    any_of : tuple of Need
        The alternatives (``any``) or parts (``all``).
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
        if self.kind == "spec":
            return int(_spec_builds(self.name, codebook))
        if self.kind == "any":
            return int(any(n.met(codebook, inputs) for n in self.any_of))
        if self.kind == "all":
            return int(all(n.met(codebook, inputs) for n in self.any_of))
        raise ValueError(f"Unknown need kind {self.kind!r}.")

    def met(self, codebook: Codebook, inputs: frozenset[str] = frozenset()) -> bool:
        return self.count(codebook, inputs) >= self.at_least

    def describe(self, lang: str = "en") -> str:
        """The need in words a codebook author acts on (codebook keys as written in YAML)."""
        if self.kind == "item":
            what = msg("need.and", lang).join(
                msg(f"need.{k}", lang, value=v)
                for k, v in (("type", self.type), ("role", self.role))
                if v
            )
            key = ", ".join(f"{k}: {v}" for k, v in (("type", self.type), ("role", self.role)) if v)
            return msg("need.item", lang, n=self.at_least, what=what, key=key)
        if self.kind in ("wave", "segments", "input", "construct"):
            return msg(f"need.{self.kind}", lang, n=self.at_least, name=self.name)
        if self.kind == "spec":
            return msg(f"need.spec.{self.name}", lang)
        sep = msg("need.or" if self.kind == "any" else "need.and", lang)
        return msg(f"need.{self.kind}", lang, needs=sep.join(n.describe(lang) for n in self.any_of))


def _spec_builds(name: str | None, codebook: Codebook) -> bool:
    """Whether the analysis arguments ``name`` (a key of :data:`SPECS`) build from the codebook."""
    path, needs_one_of = SPECS[name]
    module, function = path.rsplit(".", 1)
    try:
        spec = getattr(importlib.import_module(module), function)(codebook)
    except CodebookError:
        return False
    return not needs_one_of or any(k in spec for k in needs_one_of)


#: Analysis arguments built from a codebook by a ``*_spec`` function, which raises CodebookError
#: when the codebook cannot give them (an expectation without its pair, a Kano feature asked one
#: way only, self-service items not named as cxlab expects), with the arguments of which the
#: analysis needs at least one (``ss_searched`` alone is only the base of ``ss_opened``:
#: :func:`cxlab.journey.self_service` has no figure to show from it).
SPECS: dict[str, tuple[str, tuple[str, ...]]] = {
    "servqual": ("cxlab.gaps.servqual_spec", ()),
    "kano": ("cxlab.gaps.kano_spec", ()),
    "self_service": (
        "cxlab.journey.self_service_spec",
        ("resolved", "reused", "feedback", "opened", "satisfaction"),
    ),
}


def _items(type: str | None = None, role: str | None = None, at_least: int = 1) -> Need:
    return Need("item", type=type, role=role, at_least=at_least)


def _any(*needs: Need) -> Need:
    return Need("any", any_of=needs)


def _all(*needs: Need) -> Need:
    return Need("all", any_of=needs)


NPS = _items(type="nps")
OUTCOME = _items(role="outcome")
DRIVERS2 = _items(role="driver", at_least=2)
TEXT = _items(type="text")
WAVE = Need("wave")
SEGMENT = Need("segments")
HEADLINE = _any(NPS, OUTCOME, _items(role="effort"))
SERVQUAL = Need("spec", name="servqual")
KANO = Need("spec", name="kano")
SELF_SERVICE = Need("spec", name="self_service")
TOUCHPOINT = _items(role="touchpoint")
EVENTS = Need("input", name="events")
STAFF = Need("input", name="staff")
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
        Section("warning", (WAVE, NPS)),
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
        Section("servqual", (SERVQUAL,)),
        Section("items", (SERVQUAL,)),
        Section("ipa", (OUTCOME, DRIVERS2)),
        Section("kano", (KANO,)),
        Section("staff", (STAFF,)),
        Section("points", (_any(SERVQUAL, _all(OUTCOME, DRIVERS2), KANO, STAFF),), summary=True),
    ),
    "journey": (
        Section("map", (TOUCHPOINT,)),
        Section("funnel", (EVENTS,)),
        Section("peak_end", (OUTCOME, _items(role="touchpoint", at_least=2))),
        Section("self_service", (SELF_SERVICE,)),
        Section("points", (_any(TOUCHPOINT, EVENTS, SELF_SERVICE),), summary=True),
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
        Section("drivers", (TEXT, _any(OUTCOME, NPS))),
        Section("emerging", (TEXT, WAVE)),
        Section("warning", (TEXT, WAVE)),
    ),
}


def _sections(report: str) -> tuple[Section, ...]:
    try:
        return REPORTS[report]
    except KeyError:
        raise ValueError(f"No report {report!r}; reports: {sorted(REPORTS)}.") from None


def plan(codebook: Codebook, report: str, *, inputs=(), lang: str = "en") -> pd.DataFrame:
    """Which sections of a report a survey gets, and what the others lack.

    Parameters
    ----------
    codebook : Codebook
    report : str
        A key of :data:`REPORTS`.
    inputs : iterable of str
        Extra files given to the report (``"events"``, ``"staff"``).
    lang : {"en", "zh"}
        Language of ``missing`` (English for the terminal, the report language on a page).

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
'distributions': False, 'reliability': False, 'verbatims': False, 'warning': False}
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
                "missing": msg("need.sep", lang).join(n.describe(lang) for n in lack),
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

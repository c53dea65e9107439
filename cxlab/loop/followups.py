"""Follow-up lists: one row per respondent to call back, remembered so nobody is listed twice.

:func:`follow_ups` flags respondents by the alert rules (:mod:`cxlab.loop.alerts`) and, given a
state (a folder or file), lists only those not listed before, or whose answers changed since.
The state is one JSON file (:data:`STATE_NAME`) in the output folder: every listing is a case
with its owner, priority, due date and, once action sheets come back
(:func:`cxlab.loop.sheets.import_sheets`), its status and closing date. Runs at the same time
take turns on a lock beside the file, and the file is replaced atomically, so a crash or a
concurrent run never leaves it half written. :func:`closure` gives the closure figures.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from cxlab.checks import require_columns
from cxlab.loop.alerts import SERVICE_HOURS, Rule, analyze_texts, evaluate, evidence, rules_from

__all__ = [
    "CASE_COLUMNS",
    "FOLLOWUP_COLUMNS",
    "STATE_NAME",
    "STATUSES",
    "StateFile",
    "cases_of",
    "closure",
    "follow_ups",
    "key",
    "overdue",
]

#: The state file's name in the output folder.
STATE_NAME = "followup_state.json"
#: Case statuses a team may set on an action sheet (``open`` until someone acts).
STATUSES = ("open", "in_progress", "closed", "unreachable")
#: Statuses that end a case.
CLOSED = ("closed", "unreachable")
FOLLOWUP_COLUMNS = [
    "respondent",
    "owner",
    "rules",
    "priority",
    "lowest_driver",
    "lowest_rating",
    "comment",
    "topics",
    "sentiment",
    "submitted",
    "listed_at",
    "due",
    "status",
    "fingerprint",
    "evidence",
]
CASE_COLUMNS = [
    "case",
    "respondent",
    "owner",
    "priority",
    "rules",
    "submitted",
    "listed_at",
    "due",
    "fingerprint",
    "status",
    "action",
    "closed_on",
    "updated_at",
]


def key(value) -> str:
    """A respondent id as the state file keeps it: text, whole numbers without ``.0``.

    Parameters
    ----------
    value : str or number

    Returns
    -------
    str

    Examples
    --------
    >>> key("R001"), key(17), key(17.0), key(" R002 ")
    ('R001', '17', '17', 'R002')
    """
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


# -- the state file --------------------------------------------------------------------------
class StateFile:
    """The follow-up state in a folder: cases listed so far, with their status.

    Parameters
    ----------
    path : str or Path
        The output folder (the file is :data:`STATE_NAME` in it) or the file itself
        (a name ending in ``.json``).
    timeout : float
        Seconds to wait for another run's lock before giving up.

    Examples
    --------
    >>> import tempfile
    >>> state = StateFile(tempfile.mkdtemp())
    >>> with state.update() as data:
    ...     data["cases"].append({"case": 1, "respondent": "R1"})
    >>> state.cases()["respondent"].tolist()
    ['R1']
    """

    def __init__(self, path: str | Path, *, timeout: float = 120) -> None:
        path = Path(path)
        self.path = path if path.suffix == ".json" else path / STATE_NAME
        self.timeout = timeout

    def _lock(self):
        from filelock import FileLock

        self.path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.path) + ".lock", timeout=self.timeout)

    def _read(self) -> dict:
        if not self.path.exists():
            return {"version": 1, "cases": []}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise ValueError(
                f"Follow-up state {self.path} is not valid JSON ({e}); restore it from a backup "
                "or move it away to start a new list."
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
            raise ValueError(f"Follow-up state {self.path} should hold {{'cases': [...]}}.")
        return data

    def read(self) -> dict:
        """The state as stored (``{"version": 1, "cases": [...]}``), read under the lock."""
        with self._lock():
            return self._read()

    @contextmanager
    def update(self) -> Iterator[dict]:
        """Hold the lock, yield the state to change in place, then replace the file atomically."""
        with self._lock():
            data = self._read()
            yield data
            fd, tmp = tempfile.mkstemp(prefix=".state-", suffix=".json", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(data, f, ensure_ascii=False, indent=1)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise

    def cases(self) -> pd.DataFrame:
        """Every case as a table (columns :data:`CASE_COLUMNS`, times as timestamps)."""
        return cases_frame(self.read()["cases"])


def cases_frame(records: list[dict]) -> pd.DataFrame:
    """Case records (as the state file keeps them) as a table.

    Parameters
    ----------
    records : list of dict

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CASE_COLUMNS`; ``submitted``, ``listed_at``, ``due``, ``closed_on``
        and ``updated_at`` as timestamps.

    Examples
    --------
    >>> cases_frame([{"case": 1, "respondent": "R1", "due": "2026-01-02T10:00:00"}])["due"][0]
    Timestamp('2026-01-02 10:00:00')
    """
    out = pd.DataFrame.from_records(records, columns=CASE_COLUMNS)
    for col in ("submitted", "listed_at", "due", "closed_on", "updated_at"):
        out[col] = pd.to_datetime(out[col], errors="coerce")
    return out


def cases_of(df: pd.DataFrame, cases: pd.DataFrame, *, codebook) -> pd.DataFrame:
    """The cases of the respondents in ``df``: a unit's own cases on its page (``--each``).

    Parameters
    ----------
    df : pandas.DataFrame
        The respondents (a unit's rows of the survey, with their original row labels).
    cases : pandas.DataFrame
        :meth:`StateFile.cases`.
    codebook : Codebook
        Its ``id`` column names the respondents; without one the row label is the id, as in
        :func:`follow_ups`.

    Returns
    -------
    pandas.DataFrame
        The rows of ``cases`` whose ``respondent`` is in ``df`` (ids compared as :func:`key`).

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> book = Codebook.from_dict({"id": "id", "items": {"q": {"type": "nps"}}})
    >>> df = pd.DataFrame({"id": [7, 9], "q": [1, 2]})
    >>> cases = cases_frame([{"case": 1, "respondent": "7"}, {"case": 2, "respondent": "8"}])
    >>> cases_of(df, cases, codebook=book)["case"].tolist()
    [1]
    """
    ids = df[codebook.id] if codebook.id else df.index.to_series()
    return cases[cases["respondent"].map(key).isin({key(v) for v in ids})]


def _iso(t) -> str | None:
    return None if pd.isna(t) else pd.Timestamp(t).isoformat()


# -- follow_ups ------------------------------------------------------------------------------
def _fingerprint(df: pd.DataFrame, columns: list[str]) -> pd.Series:
    """A hash of each row's answers: it changes when any answer changes."""

    def one(row) -> str:
        values = [
            None if pd.isna(v) else (float(v) if isinstance(v, int | float | np.number) else str(v))
            for v in row
        ]
        blob = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    return df[columns].astype(object).apply(one, axis=1)


def _lowest_driver(df: pd.DataFrame, codebook) -> tuple[pd.Series, pd.Series]:
    """The lowest-rated driver of each row (on its own scale's 0-1 range; ties: first)."""
    drivers = [d for d in codebook.select(role="driver") if d in df.columns]
    if not drivers:
        empty = pd.Series(np.nan, index=df.index, dtype=object)
        return empty, pd.Series(np.nan, index=df.index)
    raw = df[drivers].apply(pd.to_numeric, errors="coerce").astype(float)
    lo = np.array([codebook.items[d].range[0] for d in drivers], dtype=float)
    hi = np.array([codebook.items[d].range[1] for d in drivers], dtype=float)
    rel = (raw.to_numpy() - lo) / np.where(hi > lo, hi - lo, 1.0)
    has = ~np.isnan(rel).all(axis=1)
    pos = np.where(has, np.nanargmin(np.where(np.isnan(rel), np.inf, rel), axis=1), 0)
    name = pd.Series(np.asarray(drivers, dtype=object)[pos], index=df.index).where(has)
    value = pd.Series(raw.to_numpy()[np.arange(len(df)), pos], index=df.index).where(has)
    return name, value


def _display_text(codebook, rules: Mapping[str, Rule], text: str | None) -> str | None:
    if text is not None:
        return text
    from cxlab.loop.alerts import text_columns

    read = text_columns(rules)
    if read:
        return read[0]
    found = codebook.select(type="text")
    return found[0] if found else None


def _flagged_table(df, rules, hits, texts, *, codebook, owner, text, as_of, hours):
    """The follow-up rows of the flagged respondents (before the state is consulted)."""
    flagged = hits.any(axis=1).to_numpy()
    sub = df[flagged]
    respondent = sub[codebook.id] if codebook.id else pd.Series(sub.index, index=sub.index)
    order = list(hours)
    hit = hits[flagged]
    names = [n for n in rules]
    out = pd.DataFrame(index=sub.index)
    out["respondent"] = respondent
    out["owner"] = sub[owner].astype(object) if owner else np.nan
    out["rules"] = hit.apply(lambda r: ";".join(n for n in names if r[n]), axis=1)
    out["priority"] = hit.apply(
        lambda r: min((rules[n].priority for n in names if r[n]), key=order.index), axis=1
    )
    out["lowest_driver"], out["lowest_rating"] = _lowest_driver(sub, codebook)
    if text is not None:
        a = texts[text].analyzed.loc[sub.index] if text in texts else None
        if a is None:
            from cxlab.text import analyze

            a = analyze(sub[text], progress=False)
        out["comment"], out["topics"], out["sentiment"] = a["redacted"], a["topics"], a["label"]
    else:
        out["comment"] = out["topics"] = out["sentiment"] = np.nan
    submitted = (
        pd.to_datetime(sub[codebook.submitted], errors="coerce")
        if codebook.submitted and codebook.submitted in sub.columns
        else pd.Series(pd.NaT, index=sub.index)
    )
    out["submitted"] = submitted
    out["listed_at"] = as_of
    start = submitted.fillna(as_of)
    out["due"] = start + pd.to_timedelta(out["priority"].map(hours).astype(float), unit="h")
    out["status"] = "new"
    answers = [c for c in codebook.items if c in df.columns]
    out["fingerprint"] = _fingerprint(sub, answers) if len(sub) else pd.Series(dtype=object)
    out["evidence"] = evidence(
        sub, rules, hit, texts={c: t.subset(sub.index) for c, t in texts.items()}
    )
    # One row per respondent: a respondent who answered twice is listed by the latest answer.
    out = out.assign(_key=out["respondent"].map(key)).sort_values("submitted", kind="stable")
    out = out.drop_duplicates("_key", keep="last").drop(columns="_key").sort_index()
    return out[FOLLOWUP_COLUMNS].reset_index(drop=True)


def follow_ups(
    df: pd.DataFrame,
    *,
    rules: Mapping[str, Rule] | None = None,
    codebook,
    owner: str | None = None,
    text: str | None = None,
    state: str | Path | StateFile | None = None,
    as_of=None,
    suppress_days: float = 0,
    service_hours: Mapping[str, float] | None = None,
    taxonomy=None,
) -> pd.DataFrame:
    """One row per respondent to call back, by the alert rules.

    Parameters
    ----------
    df : pandas.DataFrame
        The survey (a respondent per row).
    rules : mapping, optional
        Rule name -> :class:`cxlab.loop.alerts.Rule`; default :func:`rules_from` the codebook
        (its ``alerts:``, else detractors and unhappy respondents).
    codebook : cxlab.codebook.Codebook
        For the id, owner, submit-time, driver and text columns. Without an id column the
        row label of ``df`` (the row number in the file) is the respondent id.
    owner : str, optional
        The column naming who follows up (default: the codebook's ``owner:``; none: empty).
    text : str, optional
        The comment shown (default: the first text column the rules read, else the first
        text item).
    state : folder, file or :class:`StateFile`, optional
        Where earlier listings are remembered. Given, a respondent already listed is left out
        unless their answers changed since, and a changed respondent is left out while
        their last listing is less than ``suppress_days`` old (they are listed once it is
        over); the rows returned are recorded as new cases. The whole check-and-record runs
        under the state's lock.
    as_of : timestamp, optional
        The time of this listing (default: now); due dates of respondents without a submit
        time count from it.
    suppress_days : float
        Days after a listing during which the same respondent is not listed again.
    service_hours : mapping, optional
        Priority -> hours allowed from submission to the call back (default
        :data:`cxlab.loop.alerts.SERVICE_HOURS`; given keys replace the defaults).
    taxonomy : path or mapping, optional
        Topic taxonomy for the rules' ``about`` and the ``topics`` column.

    Returns
    -------
    pandas.DataFrame
        One row per listed respondent, in the data's order: ``respondent`` (id),
        ``owner``, ``rules`` (names of the rules hit, ``;``-joined), ``priority`` (the most
        urgent of theirs), ``lowest_driver`` (the driver item rated lowest relative to its
        scale; ties: codebook order) and ``lowest_rating``, ``comment`` (redacted), ``topics``
        (``;``-joined keys), ``sentiment`` (``negative``/``neutral``/``positive``),
        ``submitted``, ``listed_at``, ``due`` (submit time, else ``listed_at``, plus the
        priority's service hours), ``status`` (``new``, or ``changed`` when listed before with
        other answers), ``fingerprint`` (hash of the answers) and ``evidence`` (why, as codes:
        see :func:`cxlab.loop.alerts.evidence`; :func:`cxlab.loop.alerts.explain` gives words).

    Notes
    -----
    A respondent with several rows (answers) is listed once, by the latest submitted.

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> book = Codebook.from_dict({"id": "rid", "owner": "store", "items": {
    ...     "nps": {"type": "nps"}}, "alerts": {"d": {"when": "nps <= 6", "priority": "high"}}})
    >>> df = pd.DataFrame({"rid": ["a", "b", "c"], "store": ["s1", "s2", "s1"],
    ...                    "nps": [3, 9, 6]})
    >>> out = follow_ups(df, codebook=book, as_of=pd.Timestamp("2026-01-05 09:00"))
    >>> out[["respondent", "owner", "priority", "due"]].to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'respondent': ['a', 'c'], 'owner': ['s1', 's1'], 'priority': ['high', 'high'],
     'due': [Timestamp('2026-01-07 09:00:00'), Timestamp('2026-01-07 09:00:00')]}
    """
    rules = rules_from(codebook) if rules is None else rules
    owner = owner or codebook.owner
    hours = {**SERVICE_HOURS, **(service_hours or {})}
    require_columns(df, codebook.id, owner, arg="id/owner column")
    as_of = pd.Timestamp.now().floor("s") if as_of is None else pd.Timestamp(as_of)
    text = _display_text(codebook, rules, text)
    texts = analyze_texts(df, rules, taxonomy=taxonomy)
    hits = evaluate(df, rules, analyzed=texts)
    table = _flagged_table(
        df, rules, hits, texts, codebook=codebook, owner=owner, text=text, as_of=as_of, hours=hours
    )
    if state is None:
        return table
    state = state if isinstance(state, StateFile) else StateFile(state)
    with state.update() as data:
        return _record(table, data, as_of=as_of, suppress_days=suppress_days)


def _record(table: pd.DataFrame, data: dict, *, as_of, suppress_days: float) -> pd.DataFrame:
    """Keep the rows not listed before (or changed, outside suppression); record them."""
    latest: dict[str, dict] = {}
    for case in data["cases"]:
        latest[case["respondent"]] = case
    keep, status = [], []
    for fp, rid in zip(table["fingerprint"], table["respondent"].map(key), strict=True):
        before = latest.get(rid)
        if before is None:
            keep.append(True), status.append("new")
        elif before["fingerprint"] == fp:
            keep.append(False), status.append("")
        else:
            age = as_of - pd.Timestamp(before["listed_at"])
            keep.append(age >= pd.Timedelta(days=suppress_days)), status.append("changed")
    out = table.assign(status=status)[np.array(keep, dtype=bool)].reset_index(drop=True)
    n = max((c["case"] for c in data["cases"]), default=0)
    now = _iso(pd.Timestamp.now().floor("s"))
    for i, row in enumerate(out.itertuples(index=False), start=n + 1):
        data["cases"].append(
            {
                "case": i,
                "respondent": key(row.respondent),
                "owner": None if pd.isna(row.owner) else str(row.owner),
                "priority": row.priority,
                "rules": row.rules,
                "submitted": _iso(row.submitted),
                "listed_at": _iso(row.listed_at),
                "due": _iso(row.due),
                "fingerprint": row.fingerprint,
                "status": "open",
                "action": "",
                "closed_on": None,
                "updated_at": now,
            }
        )
    return out


# -- closure ---------------------------------------------------------------------------------
def _current(cases: pd.DataFrame) -> pd.DataFrame:
    return cases.sort_values("case").drop_duplicates("respondent", keep="last")


def overdue(df: pd.DataFrame, *, as_of=None) -> pd.DataFrame:
    """Cases still open after their due time.

    Parameters
    ----------
    df : pandas.DataFrame
        The cases, :meth:`StateFile.cases` (columns :data:`CASE_COLUMNS`).
    as_of : timestamp, optional
        Default now.

    Returns
    -------
    pandas.DataFrame
        The respondents' latest cases whose status is not closed or unreachable and whose
        ``due`` is before ``as_of``, with ``hours_over`` (hours past due), most overdue first.

    Examples
    --------
    >>> cases = cases_frame([{"case": 1, "respondent": "a", "status": "open",
    ...                       "due": "2026-01-01T10:00:00"}])
    >>> overdue(cases, as_of="2026-01-02T10:00:00")["hours_over"].tolist()
    [24.0]
    """
    as_of = pd.Timestamp.now() if as_of is None else pd.Timestamp(as_of)
    cur = _current(df)
    late = cur[~cur["status"].isin(CLOSED) & (cur["due"] < as_of)]
    late = late.assign(hours_over=(as_of - late["due"]).dt.total_seconds() / 3600)
    return late.sort_values("hours_over", ascending=False).reset_index(drop=True)


def closure(df: pd.DataFrame, *, as_of=None, by: str | None = "owner") -> pd.DataFrame:
    """Closure figures per owner (and overall): closure rate, time to close, overdue cases.

    Parameters
    ----------
    df : pandas.DataFrame
        The cases, :meth:`StateFile.cases` (columns :data:`CASE_COLUMNS`).
    as_of : timestamp, optional
        When overdue is judged (default now).
    by : str or None
        Grouping column of the cases (``owner``, ``priority``); None: overall only.

    Returns
    -------
    pandas.DataFrame
        One row per group, then an overall row (group value ``"overall"``): ``cases``
        (respondents' latest cases), ``closed`` (status closed or unreachable),
        ``closure_rate`` (closed / cases), ``in_time`` (closed on or before due),
        ``in_time_rate`` (in_time / closed), ``median_hours`` (median hours from submission,
        else listing, to closing, over closed cases), ``overdue`` (open past due).

    Notes
    -----
    A closing date without a time of day counts as the end of that day (the import of
    action sheets stores it so).

    Examples
    --------
    >>> cases = cases_frame([
    ...     {"case": 1, "respondent": "a", "owner": "s1", "status": "closed",
    ...      "submitted": "2026-01-01T08:00:00", "due": "2026-01-03T08:00:00",
    ...      "closed_on": "2026-01-02T08:00:00"},
    ...     {"case": 2, "respondent": "b", "owner": "s1", "status": "open",
    ...      "submitted": "2026-01-01T08:00:00", "due": "2026-01-03T08:00:00"}])
    >>> closure(cases, as_of="2026-01-04")[["owner", "cases", "closed", "closure_rate",
    ...     "median_hours", "overdue"]].to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'owner': ['s1', 'overall'], 'cases': [2, 2], 'closed': [1, 1], 'closure_rate': [0.5, 0.5],
     'median_hours': [24.0, 24.0], 'overdue': [1, 1]}
    """
    as_of = pd.Timestamp.now() if as_of is None else pd.Timestamp(as_of)
    cur = _current(df).copy()
    cur["_closed"] = cur["status"].isin(CLOSED)
    cur["_in_time"] = cur["_closed"] & (cur["closed_on"] <= cur["due"])
    start = cur["submitted"].fillna(cur["listed_at"])
    cur["_hours"] = ((cur["closed_on"] - start).dt.total_seconds() / 3600).where(cur["_closed"])
    cur["_overdue"] = ~cur["_closed"] & (cur["due"] < as_of)
    name = by or "group"
    groups = [] if by is None else list(cur.groupby(by, sort=True, dropna=False))
    rows = [(g, part) for g, part in groups] + [("overall", cur)]
    out = []
    for g, part in rows:
        closed = int(part["_closed"].sum())
        in_time = int(part["_in_time"].sum())
        out.append(
            {
                name: g,
                "cases": len(part),
                "closed": closed,
                "closure_rate": closed / len(part) if len(part) else np.nan,
                "in_time": in_time,
                "in_time_rate": in_time / closed if closed else np.nan,
                "median_hours": float(part["_hours"].median()) if closed else np.nan,
                "overdue": int(part["_overdue"].sum()),
            }
        )
    return pd.DataFrame(out)

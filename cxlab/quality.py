"""Response-quality screening: speeders, straight-liners, duplicate submissions, incomplete answers.

Each rule is a pure function of the data that returns one row per flagged respondent with the
reason in words a reviewer can check. :func:`screen` runs the rules a codebook's ``quality:``
block configures; the loader turns its rows into ``exclusions`` (action ``flagged`` or
``row dropped``), so a flagged or excluded respondent is always listed with its rule and reason.

Defaults flag and do not drop. IP addresses are personal data: they are used here to find
duplicates and never copied into a result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.checks import require_columns

__all__ = [
    "ACTIONS",
    "RULES",
    "QualityRule",
    "duplicates",
    "incomplete",
    "screen",
    "speeders",
    "straightliners",
]

#: What a rule does with the respondents it finds.
ACTIONS = ("flag", "exclude", "off")
#: The rules, as named in a codebook's ``quality:`` block.
RULES = ("speeders", "straightlining", "duplicates", "incomplete")
COLUMNS = ["row", "rule", "reason"]


@dataclass(frozen=True)
class QualityRule:
    """One configured rule of a codebook's ``quality:`` block.

    Attributes
    ----------
    rule : str
        One of :data:`RULES`.
    action : {"flag", "exclude", "off"}
    options : mapping
        The rule's settings (see each rule function), e.g. ``{"duration": "所用时间"}``.
    """

    rule: str
    action: str = "flag"
    options: Mapping = None  # type: ignore[assignment]


def _result(rows, rule: str, reasons) -> pd.DataFrame:
    out = pd.DataFrame({"row": list(rows), "rule": rule, "reason": list(reasons)})
    return out.astype({"row": object, "rule": str, "reason": str})[COLUMNS]


def speeders(df: pd.DataFrame, duration: str, *, fraction: float = 0.3) -> pd.DataFrame:
    """Respondents who finished in under ``fraction`` of the median completion time.

    Parameters
    ----------
    df : pandas.DataFrame
    duration : str
        Completion time in seconds (a platform's duration column, e.g. 问卷星's 所用时间 read as
        seconds).
    fraction : float
        Share of the median below which a respondent is a speeder (0.3: under 30 %).

    Returns
    -------
    pandas.DataFrame
        ``row`` (index label), ``rule`` (``"speeders"``) and ``reason``, one row per speeder.

    Notes
    -----
    The median is taken over respondents with a duration; a relative cut-off adapts to the
    questionnaire's length (a common rule in survey practice: Greszki, Meyer & Schoen, 2015,
    use 30-50 % of the median).

    Examples
    --------
    >>> df = pd.DataFrame({"secs": [300, 280, 320, 60, 310]})
    >>> speeders(df, "secs")["reason"].tolist()
    ['finished in 60 s, under 30% of the median 300 s']
    """
    require_columns(df, duration, arg="duration column")
    if not 0 < fraction < 1:
        raise ValueError(f"`fraction` should be between 0 and 1, not {fraction!r}.")
    secs = pd.to_numeric(df[duration], errors="coerce")
    median = secs.median()
    if not np.isfinite(median):
        return _result([], "speeders", [])
    hit = secs < fraction * median
    reasons = [
        f"finished in {s:g} s, under {fraction:.0%} of the median {median:g} s" for s in secs[hit]
    ]
    return _result(df.index[hit], "speeders", reasons)


def straightliners(
    df: pd.DataFrame, grids: Mapping[str, Sequence[str]], *, min_items: int = 5
) -> pd.DataFrame:
    """Respondents who gave the same answer to every item of a rating grid of ``min_items`` or more.

    Parameters
    ----------
    df : pandas.DataFrame
    grids : mapping
        Grid name -> its item columns (e.g. the sub-items of one matrix question).
    min_items : int
        Grids with fewer items are not checked (the same answer to 3 items is often honest).

    Returns
    -------
    pandas.DataFrame
        ``row``, ``rule`` (``"straightlining"``), ``reason`` (the grid and the answer), one row per
        respondent and grid.

    Notes
    -----
    Only respondents who answered every item of the grid are judged.

    Examples
    --------
    >>> df = pd.DataFrame({f"q{i}": [4, 4, 5] if i else [3, 4, 5] for i in range(5)})
    >>> straightliners(df, {"service": [f"q{i}" for i in range(5)]})["row"].tolist()
    [1, 2]
    """
    frames = []
    for name, items in grids.items():
        items = list(items)
        if len(items) < min_items:
            continue
        require_columns(df, *items, arg=f"item(s) of grid {name!r}")
        block = df[items].apply(pd.to_numeric, errors="coerce")
        complete = block.notna().all(axis=1)
        same = complete & block.nunique(axis=1).eq(1)
        answers = block.loc[same].iloc[:, 0]
        frames.append(
            _result(
                answers.index,
                "straightlining",
                [
                    f"answered {a:g} to every item of grid {name!r} ({len(items)} items)"
                    for a in answers
                ],
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else _result([], "straightlining", [])


def duplicates(
    df: pd.DataFrame,
    *,
    respondent: str | None = None,
    items: Sequence[str] | None = None,
    ip: str | None = None,
    time: str | None = None,
    window_minutes: float = 60,
) -> pd.DataFrame:
    """Repeated submissions: the same respondent id, or the same answers from one IP address.

    Parameters
    ----------
    df : pandas.DataFrame
    respondent : str, optional
        Respondent-id column: later rows with an id seen before are duplicates.
    items : list of str, optional
        Answer columns compared between submissions from the same ``ip``.
    ip : str, optional
        Source IP address column (never copied into the result).
    time : str, optional
        Submit time; with it, only submissions within ``window_minutes`` of an earlier identical
        one count.
    window_minutes : float

    Returns
    -------
    pandas.DataFrame
        ``row``, ``rule`` (``"duplicates"``), ``reason`` (which earlier row it repeats), one row
        per later copy; the first submission is kept.

    Examples
    --------
    >>> df = pd.DataFrame({"ip": ["1.2.3.4", "1.2.3.4", "5.6.7.8"], "q": [5, 5, 5],
    ...                    "t": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 10:20",
    ...                                         "2025-01-01 10:30"])})
    >>> duplicates(df, items=["q"], ip="ip", time="t")["reason"].tolist()
    ['same answers from the same IP address as row 0, 20 min earlier']
    """
    require_columns(df, respondent, ip, time, *(items or []), arg="column(s)")
    frames = []
    if respondent is not None:
        ids = df[respondent]
        dup = ids.notna() & ids.duplicated(keep="first")
        first = {v: i for i, v in zip(df.index[::-1], ids[::-1], strict=True)}
        frames.append(
            _result(
                df.index[dup],
                "duplicates",
                [f"same respondent id as row {first[v]}" for v in ids[dup]],
            )
        )
    if ip is not None and items:
        frames.append(_same_answers_same_ip(df, list(items), ip, time, window_minutes))
    if not frames:
        return _result([], "duplicates", [])
    out = pd.concat(frames, ignore_index=True)
    return out.drop_duplicates("row", keep="first").reset_index(drop=True)


def _same_answers_same_ip(df, items, ip, time, window_minutes) -> pd.DataFrame:
    key = pd.util.hash_pandas_object(df[[ip, *items]].astype(str), index=False)
    has_ip = df[ip].notna() & df[ip].astype(str).str.strip().ne("")
    rows, reasons = [], []
    order = df.index if time is None else df.sort_values(time, kind="stable").index
    seen: dict[int, tuple] = {}
    for label in order:
        if not has_ip[label]:
            continue
        k = key[label]
        if k in seen:
            first_label, first_time = seen[k]
            if time is None:
                rows.append(label)
                reasons.append(f"same answers from the same IP address as row {first_label}")
                continue
            gap = (df.at[label, time] - first_time).total_seconds() / 60
            if gap <= window_minutes:
                rows.append(label)
                reasons.append(
                    f"same answers from the same IP address as row {first_label}, "
                    f"{gap:.0f} min earlier"
                )
                continue
        seen[k] = (label, None if time is None else df.at[label, time])
    return _result(rows, "duplicates", reasons)


def incomplete(
    df: pd.DataFrame, status: str, *, complete: Sequence = (1, True, "1", "True", "完成", "已完成")
) -> pd.DataFrame:
    """Responses the platform marks as not finished.

    Parameters
    ----------
    df : pandas.DataFrame
    status : str
        The platform's status column (Qualtrics ``Finished``, a 完成状态 column...).
    complete : sequence
        Values that mean "finished"; any other non-missing value is incomplete.

    Returns
    -------
    pandas.DataFrame
        ``row``, ``rule`` (``"incomplete"``), ``reason``.

    Examples
    --------
    >>> df = pd.DataFrame({"Finished": [1, 0, 1]})
    >>> incomplete(df, "Finished")[["row", "reason"]].to_dict("list")
    {'row': [1], 'reason': ["status 'Finished' is 0, not a finished response"]}
    """
    require_columns(df, status, arg="status column")
    s = df[status]
    done = s.isin(list(complete)) | s.astype(str).isin([str(c) for c in complete])
    hit = s.notna() & ~done
    return _result(
        df.index[hit],
        "incomplete",
        [f"status {status!r} is {v!r}, not a finished response" for v in s[hit]],
    )


def screen(df: pd.DataFrame, rules: Sequence[QualityRule]) -> pd.DataFrame:
    """Run the configured quality rules.

    Parameters
    ----------
    df : pandas.DataFrame
    rules : sequence of QualityRule
        Rules with ``action="off"`` are skipped.

    Returns
    -------
    pandas.DataFrame
        ``row``, ``rule``, ``reason`` and ``action`` (``flag`` or ``exclude``), one row per
        respondent and rule that found it.

    Examples
    --------
    >>> df = pd.DataFrame({"secs": [300, 280, 320, 60, 310], "Finished": [1, 1, 1, 1, 0]})
    >>> screen(df, [QualityRule("speeders", "exclude", {"duration": "secs"}),
    ...             QualityRule("incomplete", "flag", {"status": "Finished"})]
    ...        )[["row", "rule", "action"]].to_dict("list")
    {'row': [3, 4], 'rule': ['speeders', 'incomplete'], 'action': ['exclude', 'flag']}
    """
    funcs = {
        "speeders": speeders,
        "straightlining": straightliners,
        "duplicates": duplicates,
        "incomplete": incomplete,
    }
    frames = []
    for r in rules:
        if r.rule not in funcs:
            raise ValueError(f"Unknown quality rule {r.rule!r}; rules: {list(RULES)}.")
        if r.action not in ACTIONS:
            raise ValueError(
                f"Quality rule {r.rule!r}: action should be one of {ACTIONS}, not {r.action!r}."
            )
        if r.action == "off":
            continue
        opts = dict(r.options or {})
        if r.rule == "straightlining":
            found = straightliners(df, opts.pop("grids"), **opts)
        else:
            first = {"speeders": "duration", "incomplete": "status"}.get(r.rule)
            found = funcs[r.rule](df, opts.pop(first), **opts) if first else duplicates(df, **opts)
        frames.append(found.assign(action=r.action))
    if not frames:
        return pd.DataFrame(columns=[*COLUMNS, "action"])
    return pd.concat(frames, ignore_index=True)

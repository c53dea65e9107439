"""Words and tables of the ``followup`` report page (presentation: every function takes ``lang``).

The page shows the follow-up list (redacted comments only), the closure figures of the state
file and the early-warning alerts; :mod:`cxlab.loop.sheets` writes the same list to Excel.
"""

from __future__ import annotations

import pandas as pd

from cxlab.markup import escape_markdown
from cxlab.messages import check_lang, msg

__all__ = ["alerts_table", "closure_text", "listing_text", "service_levels", "warning_text"]


def listing_text(table: pd.DataFrame, *, rules, lang: str = "zh") -> str:
    """One sentence on the follow-up list: how many, by which rules.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`cxlab.loop.followups.follow_ups`.
    rules : mapping
        Rule name -> :class:`cxlab.loop.alerts.Rule`.
    lang : {"zh", "en"}

    Returns
    -------
    str

    Examples
    --------
    >>> from cxlab.loop.alerts import parse_rules
    >>> rules = parse_rules({"d": {"when": "nps <= 6", "label": {"zh": "贬损者", "en": "detractor"}}})
    >>> listing_text(pd.DataFrame({"rules": ["d", "d"]}), rules=rules, lang="en")[:45]
    'By the alert rules, **2** respondents of this'
    """
    check_lang(lang)
    if table.empty:
        return msg("loop.report.none_listed", lang)
    counts = table["rules"].str.split(";").explode().value_counts()
    sep = "，" if lang == "zh" else ", "
    shown = sep.join(
        f"{escape_markdown(rules[r].display(lang))} {n}" for r, n in counts.items() if r in rules
    )
    return msg("loop.report.listed", lang, n=len(table), rules=shown)


def service_levels(hours, *, lang: str = "zh") -> str:
    """The service levels in words (``urgent 24 hours, high 48 hours, ...``).

    Parameters
    ----------
    hours : mapping
        Priority -> hours (:data:`cxlab.loop.alerts.SERVICE_HOURS`).
    lang : {"zh", "en"}

    Returns
    -------
    str

    Examples
    --------
    >>> service_levels({"high": 48}, lang="en")
    'Service levels: high 48 hours.'
    """
    sep = "，" if lang == "zh" else ", "
    levels = sep.join(
        msg("loop.report.hours", lang, priority=msg(f"priority.{p}", lang), hours=h)
        for p, h in hours.items()
    )
    return msg("loop.report.service_levels", lang, levels=levels)


def closure_text(table: pd.DataFrame, *, as_of, lang: str = "zh") -> str:
    """The overall closure figures in one sentence.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`cxlab.loop.followups.closure` (its ``overall`` row is used).
    as_of : timestamp
    lang : {"zh", "en"}

    Returns
    -------
    str

    Examples
    --------
    >>> f = pd.DataFrame({"owner": ["overall"], "cases": [4], "closed": [2], "closure_rate": [0.5],
    ...                   "in_time_rate": [0.5], "overdue": [1]})
    >>> closure_text(f, as_of=pd.Timestamp("2026-01-10"), lang="en")
    '4 follow-up cases, 2 closed (50%); of those closed, 50% within the service level; 1 open past due (as of 2026-01-10 00:00).'
    >>> none = f.assign(cases=[0], closed=[0], closure_rate=[float("nan")], in_time_rate=[None])
    >>> closure_text(none, as_of=pd.Timestamp("2026-01-10"), lang="en")[:25]
    '0 follow-up cases, 0 clos'
    >>> "nan" in closure_text(none, as_of=pd.Timestamp("2026-01-10"), lang="en")
    False
    """
    row = table.iloc[-1]
    rate = row["in_time_rate"]
    return msg(
        "loop.report.closure",
        lang,
        cases=int(row["cases"]),
        closed=int(row["closed"]),
        rate=float(row["closure_rate"]) if row["cases"] else 0.0,  # no case (a unit's page)
        in_time_rate="—" if pd.isna(rate) else f"{rate:.0%}",
        overdue=int(row["overdue"]),
        as_of=pd.Timestamp(as_of).strftime("%Y-%m-%d %H:%M"),
    )


def warning_text(result, *, lang: str = "zh") -> str:
    """How many alerts the watched period has, and how many false alarms to expect.

    Parameters
    ----------
    result : cxlab.loop.warning.EarlyWarning
        :func:`cxlab.loop.warning.scan` or :func:`~cxlab.loop.warning.early_warning`.
    lang : {"zh", "en"}

    Returns
    -------
    str
        Two sentences.

    Examples
    --------
    >>> from cxlab.loop.warning import scan
    >>> df = pd.DataFrame({"wave": ["q1"] * 50 + ["q2"] * 50 + ["q3"] * 50,
    ...     "c": (["退款太慢"] * 5 + ["很好"] * 45) * 2 + ["退款太慢"] * 30 + ["很好"] * 20})
    >>> w = scan(df, wave="wave", text="c", topics=["returns"])
    >>> warning_text(w, lang="en")[:20]
    '**2** alerts in q3 ('
    """
    n = len(result.alerts)
    head = (
        msg("loop.report.alerts", lang, period=escape_markdown(str(result.period)), n=n)
        if n
        else msg("loop.report.no_alert", lang, period=escape_markdown(str(result.period)))
    )
    anyrule = result.rules[result.rules["rule"] == "any"]
    charts = int((result.points["period"] == result.period).sum())
    expected = float(anyrule["expected"].sum())
    rate = expected / charts if charts else float("nan")
    return (
        head
        + " "
        + msg("loop.report.false_alarm", lang, charts=charts, expected=expected, rate=rate)
    )


def alerts_table(result, *, lang: str = "zh") -> pd.DataFrame:
    """The watched period's alerts with the measure and signal in words (to pass to
    :func:`cxlab.present.table`).

    Parameters
    ----------
    result : cxlab.loop.warning.EarlyWarning
        The result of :func:`cxlab.loop.warning.scan` (or ``early_warning``).
    lang : {"zh", "en"}

    Returns
    -------
    pandas.DataFrame
        ``metric`` (words, with the topic), the segment columns, ``period``, ``n``, ``value``,
        ``centre``, ``lcl``, ``ucl``, ``signal`` (words), ``false_alarm``.

    Examples
    --------
    >>> from cxlab.loop.warning import scan
    >>> df = pd.DataFrame({"wave": ["q1"] * 50 + ["q2"] * 50 + ["q3"] * 50,
    ...     "c": (["退款太慢"] * 5 + ["很好"] * 45) * 2 + ["退款太慢"] * 30 + ["很好"] * 20})
    >>> w = scan(df, wave="wave", text="c", topics=["returns"])
    >>> alerts_table(w, lang="en")[["metric", "period", "signal"]].to_dict("list")
    {'metric': ['Negative share', 'Topic share: returns and refunds'], 'period': ['q3', 'q3'], \
'signal': ['high', 'high']}
    """
    from cxlab.messages import has

    a = result.alerts.copy()
    if a.empty:
        return a
    names = []
    for metric, topic in zip(
        a.get("metric", ["?"] * len(a)), a.get("topic", [""] * len(a)), strict=True
    ):
        name = msg(f"loop.metric.{metric}", lang)
        if topic:
            t = msg(f"loop.topic.{topic}", lang) if has(f"loop.topic.{topic}") else topic
            name = f"{name}：{t}" if lang == "zh" else f"{name}: {t}"
        names.append(name)
    a["metric"] = names
    a["signal"] = a["signal"].map(lambda s: msg(f"loop.signal.{s}", lang))
    keep = [
        c
        for c in a.columns
        if c
        not in (
            "topic",
            "chart",
            "base",
            "count",
            "baseline",
            "sigma",
            "statistic",
            "beyond",
            "run",
            "alert",
        )
    ]
    return a[keep]

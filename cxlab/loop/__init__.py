"""Close the loop: alert rules, follow-up lists, action sheets and early warning.

- :mod:`cxlab.loop.alerts`: the rule language of the codebook's ``alerts:`` key and its
  evaluation (:func:`evaluate`), with the reason for each flag as codes (:func:`evidence`)
  and in words (:func:`explain`).
- :mod:`cxlab.loop.followups`: :func:`follow_ups`, one row per respondent to call back,
  remembered in a state file so that nobody is listed twice; :func:`closure` figures.
- :mod:`cxlab.loop.sheets`: action sheets per owner (``.xlsx``) and their import.
- :mod:`cxlab.loop.warning`: :func:`early_warning`, control charts of comment volume,
  negative share, a topic's share and NPS per segment and period.
- :mod:`cxlab.loop.command`: the ``cxlab followup`` command.
"""

from cxlab.loop.alerts import SERVICE_HOURS, Rule, evaluate, explain, parse_rules, rules_from

__all__ = ["SERVICE_HOURS", "Rule", "evaluate", "explain", "parse_rules", "rules_from"]

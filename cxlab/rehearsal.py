"""A rehearsal of a report page in the process its kernels are forked from.

``cxlab report NAME --each COLUMN`` runs one page per unit, each in a fresh kernel forked from
:mod:`cxlab.zygote`. Modules imported before the fork are shared, but much of a page's first
run is spent on work done once per process and then kept: matplotlib loading the CJK font and
laying out its first text, pandas building its HTML templates, the message catalogue and the
codebook labels read, lazily imported modules... A forked kernel would do all of it again, on
every page. :func:`rehearse` runs a report's sections once in the zygote, on one unit's
respondents, and throws the results away: every kernel forked afterwards starts warm.

Nothing a page shows comes from the rehearsal: each page still computes every figure in its
own kernel, from the survey as it was loaded (the rehearsal works on a copy of it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import time
from collections.abc import Mapping

__all__ = ["PRINT_FIGURE", "rehearse"]

#: How the report notebooks draw figures (their first cell sets the inline backend's
#: ``print_figure_kwargs`` to this): every figure is laid out already (``tight_layout``), so
#: the second layout pass of ``bbox_inches="tight"`` is not needed.
PRINT_FIGURE = {"bbox_inches": None}


def rehearse(
    report: str, parameters: Mapping[str, str], *, seconds: float | None = None
) -> list[str]:
    """Run a report's sections once, rendering their parts as a kernel would, and keep nothing.

    Parameters
    ----------
    report : str
        The report's name; only reports with section functions (:mod:`cxlab.pages`) rehearse.
    parameters : mapping of str to str
        The page's parameters as the command line gives them (``data``, ``each``, ``unit``...),
        converted as the notebook's ``parameters`` cell declares them.
    seconds : float, optional
        Start no section once this many seconds have passed (a page's first sections warm
        most of what the others use; a slow one, such as a bootstrap, is not worth repeating).

    Returns
    -------
    list of str
        The sections run (none for a report without section functions). A section that fails
        here is skipped: its page runs it again and reports the error there.

    Notes
    -----
    The survey is the one :func:`cxlab.check.preload_survey` kept for the kernels, copied (it
    is then still handed to the first page), or loaded from the files. Figures are drawn to PNG
    as the notebooks' inline backend draws them (:data:`PRINT_FIGURE`) and closed; tables are rendered
    to HTML; nothing is printed.

    Examples
    --------
    >>> rehearse("satisfaction", {"lang": "en", "each": "region", "unit": "华东"})[:3]
    ['sample', 'kpis', 'points']
    >>> rehearse("tables", {})
    []
    """
    import importlib

    from cxlab import io as survey_io
    from cxlab import sections
    from cxlab.check import take_preloaded
    from cxlab.notebook import report_context
    from cxlab.paths import resolve_data
    from cxlab.reports import accepted_parameters, check_parameters

    try:
        module = importlib.import_module(f"cxlab.pages.{report}")
    except ImportError:
        return []
    declared = {k: v["default"] for k, v in accepted_parameters(report).items()}
    options = {**_defaults(declared), **check_parameters(report, parameters, from_text=True)}
    data, book = options.pop("data", ""), options.pop("codebook", "")
    sv = take_preloaded(data, codebook=book or None, keep=True)
    if sv is None:
        sv = survey_io.load_survey(resolve_data(data), codebook=book or None)
    sv = dataclasses.replace(sv, data=sv.data.copy())
    ctx = report_context(report, sv, sample=not data, **options)
    done, start = [], time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for section in sections.REPORTS[report]:
            run = getattr(module, section.key, None)
            if run is None:
                continue
            if seconds is not None and time.perf_counter() - start > seconds:
                break
            try:
                for part in run(ctx).parts:
                    _render(part)
            except Exception:  # the page meets it again, and says so
                continue
            finally:
                _close_all()
            done.append(section.key)
    return done


def _defaults(declared: Mapping[str, str]) -> dict:
    """The declared defaults of a ``parameters`` cell (Python literals)."""
    import ast

    out = {}
    for name, value in declared.items():
        try:
            out[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            continue
    return out


def _render(part) -> None:
    """What displaying ``part`` in a kernel computes: PNG for a figure, HTML for a table."""
    from matplotlib.figure import Figure

    if isinstance(part, Figure):
        from IPython.core.pylabtools import print_figure

        print_figure(part, "png", **PRINT_FIGURE)
    elif hasattr(part, "_repr_html_"):
        part._repr_html_()


def _close_all() -> None:
    import matplotlib.pyplot as plt

    plt.close("all")

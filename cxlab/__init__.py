"""cxlab: a Jupyter-based research workbench for customer-experience analysis.

Modules: :mod:`cxlab.io` reads survey exports into a :class:`~cxlab.io.Survey`;
:mod:`cxlab.survey`, :mod:`cxlab.gaps`, :mod:`cxlab.drivers`, :mod:`cxlab.text` and
:mod:`cxlab.journey` analyse it; :mod:`cxlab.present`, :mod:`cxlab.plots` and
:mod:`cxlab.narrative` show the results; :mod:`cxlab.reports` and the ``cxlab`` command render
the notebooks into pages.

The vocabulary
--------------
Every public function uses the same words, so one call can be guessed from its neighbour:

==============  ===================================================================
argument        meaning
==============  ===================================================================
``df``          the data, always first: respondents (or events) in rows
``item``        the analysed column (``items`` when several)
``outcome``     a dependent column (overall satisfaction, NPS, ...)
``drivers``     the columns that explain an outcome
``by``          grouping column(s): a name or a list of names
``wave``        the column that holds the survey wave (always a column name)
``period``      one chosen value of the wave column, e.g. ``"2025Q4"``
``weight``      the weight column (see the weight rule below)
``respondent``  the respondent-id column
``text``        a column of open comments (``texts``: a Series or list of comments)
``alpha``       the significance level (0.05: 95 % intervals)
``n_boot``      bootstrap resamples; ``seed`` makes them repeatable
``scale``       the answer range ``(low, high)`` of a rating item; ``k`` the top-k box
``min_base``    fewest respondents a group, unit or cell needs: smaller ones show "n < 30"
                without statistics, are never tested, and their comments are not shown
``codebook``    a :class:`~cxlab.codebook.Codebook`
``lang``        report language, ``"zh"`` or ``"en"``: presentation functions only
==============  ===================================================================

``df`` and the required column arguments come first and may be positional; every option after
them is keyword-only. Plot and presentation functions take the tidy result of an analysis
function as ``table`` in place of ``df``.

Analysis functions return tidy DataFrames whose columns are documented, with codes, never
prose (``overall``, ``unmatched``); a function with more than one result returns a small frozen
dataclass of tidy DataFrames. Words and language live in :mod:`cxlab.messages`.

The weight rule
---------------
Stated once in :mod:`cxlab.checks` and applied by every function that takes ``weight``: weights
must be finite; a missing, negative or infinite weight raises :class:`ValueError` naming the
column, the count and the first rows; a respondent with weight 0 does not count, and results
report both bases, ``n`` (respondents with an answer) and ``n_used`` (those with weight > 0).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cxlab")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]

"""The vocabulary of the package docstring, enforced over every public function.

- Analysis functions take the data first as ``df``; plot/presentation functions take a result
  first as ``table``.
- Old synonyms are gone (``data``, ``score``, ``bootstrap``, ``id``, ``segment``, ...).
- Every option (a parameter with a default) is keyword-only.
- Every public function that takes ``weight`` is checked by ``check_weight_rule`` in a test.
- Every public function documents Parameters (when it has any), Returns and has an Examples block.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pandas as pd
import pytest

import cxlab

TESTS = Path(__file__).parent

#: Modules whose functions take data (``df``) and return tidy tables.
ANALYSIS = (
    "cxlab.survey",
    "cxlab.gaps",
    "cxlab.drivers",
    "cxlab.journey",
    "cxlab.text",
    "cxlab.tables",
    "cxlab.quality",
    "cxlab.index",
    "cxlab.loop",
)
#: Modules whose functions take an analysis result (``table``) and show it. The index package
#: keeps its figures (``cxlab.index.plot``) and its sentences (``cxlab.index.summary``) beside
#: its models; those two modules are presentation, not analysis (see ``ANALYSIS_FUNCS``); so are
#: the follow-up package's page sentences and action sheets.
PRESENTATION = (
    "cxlab.plots",
    "cxlab.present",
    "cxlab.narrative",
    "cxlab.index.plot",
    "cxlab.index.summary",
    "cxlab.loop.page",
    "cxlab.loop.sheets",
)

#: Words replaced by the vocabulary, and what replaced them.
SYNONYMS = {
    "data": "df",
    "score": "item",
    "bootstrap": "n_boot",
    "n_bootstrap": "n_boot",
    "id": "respondent",
    "respondent_id": "respondent",
    "segment": "by",
    "group_by": "by",
    "groupby": "by",
    "overall": "outcome",
    "wave_col": "wave",
    "random_state": "seed",
    "conf_level": "alpha",
    "level": "alpha",
}

#: Modules outside the analysis/presentation layers that still follow the vocabulary.
OTHER = (
    "cxlab.checks",
    "cxlab.inference",
    "cxlab.quadrants",
    "cxlab.sections",
    "cxlab.notebook",
    "cxlab.messages",
    "cxlab.io",
    "cxlab.widgets",
    "cxlab.check",
    "cxlab.draft",
    "cxlab.labelsets",
    "cxlab.platforms",
    "cxlab.pages",
    "cxlab.codebook",
    "cxlab.markup",
    "cxlab.reports",
    "cxlab.runner",
    "cxlab.fonts",
    "cxlab.pdf",
    "cxlab.zygote",
    "cxlab.sample",
    "cxlab.paths",
)


def _modules(prefixes) -> list:
    out = []
    for name in prefixes:
        mod = importlib.import_module(name)
        out.append(mod)
        if hasattr(mod, "__path__"):
            for info in pkgutil.iter_modules(mod.__path__, name + "."):
                if info.name.rsplit(".", 1)[-1] not in ("train",):
                    out.append(importlib.import_module(info.name))
    return out


def _public_functions(prefixes):
    seen = {}
    for mod in _modules(prefixes):
        names = getattr(mod, "__all__", None) or [n for n in vars(mod) if not n.startswith("_")]
        for n in names:
            obj = getattr(mod, n, None)
            if inspect.isfunction(obj) and obj.__module__.startswith("cxlab"):
                seen[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return sorted(seen.items())


PRESENTATION_FUNCS = _public_functions(PRESENTATION)
#: Presentation modules inside an analysis package are checked as presentation only.
ANALYSIS_FUNCS = [
    (n, f) for n, f in _public_functions(ANALYSIS) if n not in dict(PRESENTATION_FUNCS)
]
ALL_FUNCS = sorted(dict(ANALYSIS_FUNCS + PRESENTATION_FUNCS + _public_functions(OTHER)).items())


#: Functions whose first arguments are not one survey's ``df``: what they are instead, exactly.
#: Each is a narrow exception with its reason:
#: - ``perception_gap`` compares two different surveys (staff and customers), so it takes both
#:   frames, each named by its role (``internal_weight``/``customer_weight`` likewise); stacking
#:   them into one ``df`` would need a side column and one weight column for two unrelated
#:   designs.
#: - ``top_complaints`` ranks a result of ``topic_summary``, which the vocabulary calls ``table``
#:   (the word for an analysis result), not respondents in rows.
FIRST_ARGUMENTS = {
    "cxlab.gaps.perception_gap": ["internal", "customer"],
    "cxlab.text.summaries.top_complaints": ["table"],
}


def _first_is_dataframe(fn) -> bool:
    params = list(inspect.signature(fn).parameters.values())
    if not params:
        return False
    ann = params[0].annotation
    return "DataFrame" in str(ann) and "Series" not in str(ann)


@pytest.mark.parametrize("name, fn", ANALYSIS_FUNCS, ids=[n for n, _ in ANALYSIS_FUNCS])
def test_analysis_functions_take_df_first(name, fn):
    if name in FIRST_ARGUMENTS:
        expected = FIRST_ARGUMENTS[name]
        assert list(inspect.signature(fn).parameters)[: len(expected)] == expected
    elif _first_is_dataframe(fn):
        first = next(iter(inspect.signature(fn).parameters))
        assert first == "df", f"{name}: the data argument should be called `df`, not `{first}`"


#: The platform readers take the file as the loader read it, every cell text and the header
#: rows included, as ``raw``: a grid of cells before any column or respondent is known, not the
#: analysed data ``df`` (which is what they produce, ``Export.df``). That is why
#: ``cxlab.platforms`` is not under ``ANALYSIS``; this names the exception exactly.
PLATFORM_READERS = [
    (n, f) for n, f in _public_functions(("cxlab.platforms",)) if f.__name__.startswith("parse_")
]


@pytest.mark.parametrize("name, fn", PLATFORM_READERS, ids=[n for n, _ in PLATFORM_READERS])
def test_platform_readers_take_the_raw_cell_grid_first(name, fn):
    assert next(iter(inspect.signature(fn).parameters)) == "raw", f"{name}: first is `raw`"


@pytest.mark.parametrize("name, fn", PRESENTATION_FUNCS, ids=[n for n, _ in PRESENTATION_FUNCS])
def test_presentation_functions_take_table_first(name, fn):
    if _first_is_dataframe(fn):
        first = next(iter(inspect.signature(fn).parameters))
        assert first == "table", f"{name}: the result argument should be `table`, not `{first}`"


@pytest.mark.parametrize("name, fn", ALL_FUNCS, ids=[n for n, _ in ALL_FUNCS])
def test_no_old_synonyms(name, fn):
    params = inspect.signature(fn).parameters
    # `data` is the word for a survey *file* (the notebooks' and the CLI's --data); only a
    # DataFrame argument called `data` is the old synonym of `df`.
    old = [
        p
        for p, v in params.items()
        if p in SYNONYMS and (p != "data" or "DataFrame" in str(v.annotation))
    ]
    assert not old, f"{name}: rename {[(p, SYNONYMS[p]) for p in old]}"


@pytest.mark.parametrize("name, fn", ALL_FUNCS, ids=[n for n, _ in ALL_FUNCS])
def test_options_are_keyword_only(name, fn):
    positional_options = [
        p.name
        for p in inspect.signature(fn).parameters.values()
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and p.default is not p.empty
    ]
    assert not positional_options, f"{name}: make {positional_options} keyword-only (after `*`)"


#: ``weight_values`` is the weight rule itself (it returns the checked weights, not a result with
#: bases, so ``check_weight_rule`` cannot compare it); every other weighted function is checked.
WEIGHT_RULE_ITSELF = {"cxlab.checks.weight_values"}


def _weighted():
    return [
        (n, f)
        for n, f in ALL_FUNCS
        if "weight" in inspect.signature(f).parameters and n not in WEIGHT_RULE_ITSELF
    ]


def _calls(node: ast.AST, name: str) -> bool:
    return any(
        isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id == name
        for c in ast.walk(node)
    )


def _weight_rule_calls() -> str:
    """The source of every test function that calls ``check_weight_rule``, with its decorators.

    The decorators count: a parametrized test lists its calls in ``@pytest.mark.parametrize``.
    """
    calls = []
    for path in TESTS.glob("test_*.py"):
        src = path.read_text(encoding="utf-8")
        lines = src.splitlines()
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.FunctionDef) and _calls(node, "check_weight_rule"):
                start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                calls.append("\n".join(lines[start - 1 : node.end_lineno]))
    return "\n".join(calls)


@pytest.mark.parametrize("name, fn", _weighted(), ids=[n for n, _ in _weighted()])
def test_weighted_functions_are_checked_by_the_weight_rule(name, fn):
    short = fn.__name__
    assert re.search(rf"\b{short}\(", _weight_rule_calls()), (
        f"{name} takes `weight`: add a test calling tests/weight_rule.check_weight_rule on it"
    )


@pytest.mark.parametrize("name, fn", ALL_FUNCS, ids=[n for n, _ in ALL_FUNCS])
def test_docstrings_document_parameters_returns_and_examples(name, fn):
    doc = inspect.getdoc(fn) or ""
    params = [p for p in inspect.signature(fn).parameters if p not in ("self", "args", "kwargs")]
    if params:
        assert "Parameters\n----------" in doc, f"{name}: document its Parameters"
    # Under ``from __future__ import annotations`` the return annotation is the string "None".
    assert (
        "Returns\n-------" in doc
        or "Yields\n------" in doc
        or inspect.signature(fn).return_annotation in (None, "None")
    ), f"{name}: document what it Returns"
    assert "Examples\n--------" in doc, f"{name}: add a short Examples block"


def test_vocabulary_is_written_down():
    doc = cxlab.__doc__
    for word in ("df", "item", "outcome", "drivers", "by", "wave", "period", "weight", "n_boot"):
        assert f"``{word}``" in doc


def test_no_dataframe_attrs_in_results(sample_survey):
    from cxlab import drivers, gaps

    book = sample_survey.codebook
    df = sample_survey.data
    y, drv = book.one(role="outcome"), book.require(role="driver", at_least=2)
    results = [drivers.regression(df, y, drv), drivers.relative_importance(df, y, drv)]
    results.append(gaps.ipa(df, {c: c for c in drv}, outcome=y, method="derived"))
    for r in results:
        frames = [r] if isinstance(r, pd.DataFrame) else list(vars(r).values())
        for f in frames:
            if isinstance(f, pd.DataFrame):
                assert not f.attrs, "side results travel in a dataclass, not DataFrame.attrs"

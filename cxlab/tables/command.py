"""``cxlab tables``: write the table book of a survey to an Excel workbook.

The ``cxlab`` command wires it in with :func:`add_arguments` and :func:`run` (a subcommand), or
calls :func:`main_tables` with the arguments after ``tables``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cxlab.command_args import add_survey_arguments, load_survey_arguments

__all__ = ["SPEC_NAME", "add_arguments", "find_spec", "main_tables", "run"]

#: The table spec's file name beside the codebook (or the data file).
SPEC_NAME = "tables.yaml"


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the options of ``cxlab tables`` to a parser.

    Parameters
    ----------
    parser : argparse.ArgumentParser

    Returns
    -------
    argparse.ArgumentParser
        The same parser.

    Examples
    --------
    >>> p = add_arguments(argparse.ArgumentParser(prog="cxlab tables"))
    >>> p.parse_args(["-o", "b.xlsx", "--compare", "total"]).compare
    'total'
    """
    add_survey_arguments(parser)
    parser.add_argument(
        "--spec", help=f"table spec YAML (default: {SPEC_NAME} beside the codebook, if any)"
    )
    parser.add_argument("-o", "--out", default="tables.xlsx", help="workbook to write")
    parser.add_argument("--period", default="", help="wave to table (default: the latest)")
    parser.add_argument("--lang", default="zh", choices=("zh", "en"), help="language")
    parser.add_argument(
        "--min-base", type=float, default=30, help="smallest base shown and tested (default 30)"
    )
    parser.add_argument(
        "--show-small",
        action="store_true",
        help="show columns under --min-base in grey (untested) instead of 'n < 30': "
        "for the analyst's own workbook, not for one that is shared",
    )
    parser.add_argument("--alpha", type=float, default=0.05, help="significance level")
    parser.add_argument("--alpha-strong", type=float, default=0.01, help="upper-case letters")
    parser.add_argument("--compare", default="columns", choices=("columns", "total"))
    parser.add_argument("--adjust", default=None, choices=("bonferroni", "fdr_bh"))
    parser.add_argument(
        "--unweighted", action="store_true", help="ignore the codebook's weight column"
    )
    return parser


def find_spec(codebook: str | Path | None, data: str | Path) -> Path | None:
    """The table spec beside the codebook, else beside the data file; None if there is none.

    Parameters
    ----------
    codebook : str or Path or None
    data : str or Path

    Returns
    -------
    Path or None

    Examples
    --------
    >>> find_spec(None, "/nonexistent/survey.csv") is None
    True
    """
    for base in (codebook, data):
        if base:
            candidate = Path(base).parent / SPEC_NAME
            if candidate.exists():
                return candidate
    return None


def run(args: argparse.Namespace) -> int:
    """Run ``cxlab tables`` with parsed arguments: 0 when the book was written, 2 on bad input.

    Parameters
    ----------
    args : argparse.Namespace
        From a parser set up by :func:`add_arguments`.

    Returns
    -------
    int
        The exit code.

    Examples
    --------
    >>> p = add_arguments(argparse.ArgumentParser())
    >>> run(p.parse_args(["--data", "/nonexistent.csv"]))
    2
    """
    from cxlab import survey
    from cxlab.tables import read_spec, table_book, to_excel

    t0 = time.perf_counter()
    try:
        sv = load_survey_arguments(args)
        book = sv.codebook
        spec_path = args.spec or find_spec(args.codebook, sv.source)
        spec = read_spec(spec_path) if spec_path else None
        df, period = survey.select_wave(sv.data, book.wave, args.period)
        result = table_book(
            df,
            codebook=book,
            spec=spec,
            weight=None if args.unweighted else book.weight,
            alpha=args.alpha,
            alpha_strong=args.alpha_strong,
            compare=args.compare,
            adjust=args.adjust,
            min_base=args.min_base,
        )
        small = "grey" if args.show_small else "hide"
        path = to_excel(result, args.out, lang=args.lang, small=small)
    except (ValueError, OSError) as e:  # SurveyError and CodebookError are ValueErrors
        print(f"cxlab tables: {e}", file=sys.stderr)
        return 2
    print(
        f"{path}: {len(result.tables)} tables, {len(df):,} respondents"
        f"{f' ({period})' if period else ''}, spec {spec_path or 'default'}, "
        f"{time.perf_counter() - t0:.1f} s"
    )
    return 0


def main_tables(argv: list[str]) -> int:
    """``cxlab tables [--data FILE] [--codebook FILE] [--spec FILE] [-o book.xlsx] ...``.

    Parameters
    ----------
    argv : list of str
        The arguments after ``tables``.

    Returns
    -------
    int
        The exit code (0 written, 2 bad input).

    Examples
    --------
    >>> main_tables(["--data", "/nonexistent.csv"])
    2
    """
    parser = add_arguments(
        argparse.ArgumentParser(
            prog="cxlab tables",
            description="Write the table book (banner tables with significance letters) to Excel.",
        )
    )
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main_tables(sys.argv[1:]))

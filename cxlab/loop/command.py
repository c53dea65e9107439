"""``cxlab followup``: write action sheets per owner; ``cxlab followup import``: read them back.

::

    cxlab followup [--data FILE] [--codebook FILE] [--each owner] [--out DIR] [--unredacted]
    cxlab followup import FILES... [--out DIR]

The ``cxlab`` command wires it in with :func:`add_arguments` and :func:`run` (a subcommand), or
calls :func:`main_followup` with the arguments after ``followup``. Exit codes: 0 done, 1 some
imported rows were rejected (listed on stderr with file and row), 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cxlab.command_args import add_survey_arguments, load_survey_arguments

__all__ = ["add_arguments", "default_out", "main_followup", "run"]


def default_out() -> Path:
    """The default output folder, ``reports/followup/`` of the project.

    Returns
    -------
    Path

    Examples
    --------
    >>> default_out().parts[-2:]
    ('reports', 'followup')
    """
    from cxlab.paths import REPORTS

    return REPORTS / "followup"


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the options of ``cxlab followup`` to a parser.

    Parameters
    ----------
    parser : argparse.ArgumentParser

    Returns
    -------
    argparse.ArgumentParser
        The same parser.

    Examples
    --------
    >>> p = add_arguments(argparse.ArgumentParser(prog="cxlab followup"))
    >>> a = p.parse_args(["import", "a.xlsx", "b.xlsx"])
    >>> a.files, a.each
    (['import', 'a.xlsx', 'b.xlsx'], 'owner')
    """
    parser.add_argument(
        "files",
        nargs="*",
        metavar="import FILES",
        help="`import` then returned action sheets to read back",
    )
    add_survey_arguments(parser)
    parser.add_argument(
        "--each",
        default="owner",
        help="column splitting the sheets (default: the codebook's `owner:`)",
    )
    parser.add_argument(
        "--out", help="output folder with the state file (default: reports/followup/)"
    )
    parser.add_argument("--period", default="", help="only this wave (default: every wave)")
    parser.add_argument("--lang", default="zh", choices=("zh", "en"), help="sheet language")
    parser.add_argument(
        "--suppress-days",
        type=float,
        default=0,
        help="days before a respondent listed can be listed again (default 0)",
    )
    parser.add_argument("--as-of", default=None, help="listing time (default: now)")
    parser.add_argument(
        "--unredacted",
        action="store_true",
        help="also write an unredacted sheet per owner (personal data!)",
    )
    return parser


def _list(args: argparse.Namespace, out: Path) -> int:
    from cxlab.loop.alerts import rules_from
    from cxlab.loop.followups import follow_ups
    from cxlab.loop.sheets import write_sheets

    sv = load_survey_arguments(args)
    book, df = sv.codebook, sv.data
    if args.period:
        if not book.wave:
            raise ValueError("--period needs a wave column in the codebook.")
        df = df[df[book.wave].astype(str) == args.period]
    each = book.owner if args.each == "owner" else args.each
    rules = rules_from(book)
    table = follow_ups(
        df,
        rules=rules,
        codebook=book,
        owner=each,
        state=out,
        as_of=args.as_of,
        suppress_days=args.suppress_days,
    )
    original = None
    if args.unredacted and len(table):
        from cxlab.loop.alerts import text_columns

        col = (text_columns(rules) or book.select(type="text") or [None])[0]
        if col is not None:
            ids = df[book.id] if book.id else df.index.to_series()
            original = df[col].set_axis(ids.to_numpy())
    paths = write_sheets(table, out, rules=rules, codebook=book, lang=args.lang, original=original)
    print(f"{len(table)} respondent(s) to call back, {len(paths)} sheet(s) in {out}")
    for p in paths:
        print(f"  {p}")
    return 0


def _import(files: list[str], out: Path, lang: str) -> int:
    from cxlab.loop.followups import STATUSES
    from cxlab.loop.sheets import import_sheets
    from cxlab.messages import msg

    if not files:
        raise ValueError("`cxlab followup import` needs the returned sheets (.xlsx files).")
    result = import_sheets(files, state=out)
    allowed = "、".join(msg(f"status.{s}", lang) for s in STATUSES)
    for r in result.rejected.itertuples(index=False):
        problem = msg(f"loop.reject.{r.problem}", lang, value=r.value, allowed=allowed)
        print(
            msg("loop.reject.line", lang, file=Path(r.file).name, row=r.row, problem=problem),
            file=sys.stderr,
        )
    print(f"{len(result.accepted)} row(s) imported, {len(result.rejected)} rejected")
    return 1 if len(result.rejected) else 0


def run(args: argparse.Namespace) -> int:
    """Run ``cxlab followup`` with parsed arguments.

    Parameters
    ----------
    args : argparse.Namespace
        From a parser set up by :func:`add_arguments`.

    Returns
    -------
    int
        0 done, 1 some imported rows rejected, 2 bad input.

    Examples
    --------
    >>> p = add_arguments(argparse.ArgumentParser())
    >>> run(p.parse_args(["--data", "/nonexistent.csv"]))
    2
    """
    out = Path(args.out) if args.out else default_out()
    try:
        if args.files and args.files[0] == "import":
            return _import(args.files[1:], out, args.lang)
        if args.files:
            raise ValueError(f"unknown subcommand {args.files[0]!r}; did you mean `import`?")
        return _list(args, out)
    except (ValueError, OSError) as e:  # SurveyError and CodebookError are ValueErrors
        print(f"cxlab followup: {e}", file=sys.stderr)
        return 2


def main_followup(argv: list[str]) -> int:
    """``cxlab followup [...]`` and ``cxlab followup import FILES...``.

    Parameters
    ----------
    argv : list of str
        The arguments after ``followup``.

    Returns
    -------
    int
        The exit code.

    Examples
    --------
    >>> main_followup(["oops"])
    2
    """
    parser = add_arguments(
        argparse.ArgumentParser(
            prog="cxlab followup",
            description="Write action sheets of respondents to call back, or import them.",
        )
    )
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main_followup(sys.argv[1:]))

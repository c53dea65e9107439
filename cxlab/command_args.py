"""Options shared by the subcommands that read a survey (``cxlab tables``, ``cxlab followup``)."""

from __future__ import annotations

import argparse

__all__ = ["add_survey_arguments", "load_survey_arguments"]


def add_survey_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``--data`` and ``--codebook`` to a parser.

    Parameters
    ----------
    parser : argparse.ArgumentParser

    Returns
    -------
    argparse.ArgumentParser
        The same parser.

    Examples
    --------
    >>> a = add_survey_arguments(argparse.ArgumentParser()).parse_args(["--data", "s.csv"])
    >>> a.data, a.codebook
    ('s.csv', None)
    """
    parser.add_argument("--data", help="survey file (default: the bundled sample survey)")
    parser.add_argument("--codebook", help="codebook YAML (default: the one beside the data)")
    return parser


def load_survey_arguments(args: argparse.Namespace):
    """The survey named by ``--data`` and ``--codebook`` (the sample survey without ``--data``).

    Parameters
    ----------
    args : argparse.Namespace
        From a parser set up by :func:`add_survey_arguments`.

    Returns
    -------
    cxlab.io.Survey
        As :func:`cxlab.io.load_survey`; ``.source`` is the file read.

    Examples
    --------
    >>> a = add_survey_arguments(argparse.ArgumentParser()).parse_args([])
    >>> load_survey_arguments(a).codebook.id
    'resp_id'
    """
    from cxlab import io
    from cxlab.paths import resolve_data

    return io.load_survey(resolve_data(args.data), codebook=args.codebook or None)

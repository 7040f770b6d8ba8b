"""The ``gpcollab`` command line.

Subcommands are registered in :data:`SUBCOMMANDS`: each entry is a function that receives the
argparse sub-parser collection, adds its own parser, and sets ``handler`` (a function taking the
parsed :class:`argparse.Namespace` and returning the exit status) with ``set_defaults``. To add
a subcommand, write such a function in this module (or import it here) and append it::

    def add_report(subparsers: Subparsers) -> None:
        parser = subparsers.add_parser("report", help="...")
        parser.add_argument(...)
        parser.set_defaults(handler=run_report)

    SUBCOMMANDS.append(add_report)

Exit statuses follow one convention: 0 success, 1 the input has problems (listed on stdout),
2 unusable arguments or an unreadable file (message on stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # pragma: no cover
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

__all__ = ["SUBCOMMANDS", "main"]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


# -- validate --------------------------------------------------------------------------------


def add_validate(subparsers: Subparsers) -> None:
    """Register ``gpcollab validate FILE --codebook NAME``."""
    parser = subparsers.add_parser(
        "validate",
        help="check a survey export against a codebook",
        description=(
            "Read FILE with the codebook and print the accounting (rows read = accepted + "
            "rejected) and every problem. Exit status: 0 when every row loads, 1 when some row "
            "is rejected or the columns do not fit the codebook, 2 for unusable arguments or "
            "an unreadable file."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="CSV, XLSX or SPSS .sav export")
    parser.add_argument(
        "--codebook",
        "-c",
        default="gp2017",
        metavar="NAME",
        help="bundled codebook (gp2015, ccg2015, gp2017, ccg2017) or path to a .toml file "
        "(default: gp2017)",
    )
    parser.add_argument(
        "--format",
        choices=("csv", "xlsx", "sav"),
        default=None,
        help="force the file format (default: from the extension and the content)",
    )
    parser.set_defaults(handler=run_validate)


def run_validate(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run ``validate``; returns the exit status."""
    from gpcollab.codebook import load_codebook
    from gpcollab.errors import CodebookError, LoadError, UnreadableFileError
    from gpcollab.io import read_survey

    stdout = out or sys.stdout
    try:
        codebook = load_codebook(args.codebook)
    except CodebookError as exc:
        print(f"gpcollab validate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        _, report = read_survey(args.file, codebook, strict=False, format=args.format)
    except UnreadableFileError as exc:
        print(f"gpcollab validate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LoadError as exc:
        print(f"{exc}", file=stdout)
        print("result: the file does not fit the codebook; no rows loaded", file=stdout)
        return EXIT_PROBLEMS
    print(report, file=stdout)
    if report.ok and report.rows_read > 0:
        print(f"result: OK, all {report.rows_read} rows load", file=stdout)
        return EXIT_OK
    if report.rows_read == 0:
        print("result: no data rows", file=stdout)
    else:
        print(
            f"result: {report.rows_rejected} of {report.rows_read} rows rejected", file=stdout
        )
    return EXIT_PROBLEMS


# -- the parser ------------------------------------------------------------------------------

SUBCOMMANDS: list[Callable[[Subparsers], None]] = [add_validate]
"""Functions that add one subcommand each (see the module docstring)."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    from gpcollab import __version__

    parser = argparse.ArgumentParser(
        prog="gpcollab",
        description="Analyse surveys of collaboration between GP practices in England.",
    )
    parser.add_argument("--version", action="version", version=f"gpcollab {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gpcollab`` script; returns the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; defaults to ``sys.argv[1:]``.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad arguments, 0 after --help
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    return handler(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

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
2 unusable arguments or an unreadable file (message on stderr), 3 an internal error (a bug),
141 the reader of standard output closed it early (``gpcollab validate ... | head``), without
a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TextIO

from gpcollab import __version__
from gpcollab.errors import (
    ArgumentError,
    CodebookError,
    ConvergenceError,
    GpcollabError,
    LoadError,
    MissingItemError,
    ScenarioSpecError,
    UnreadableFileError,
)
from gpcollab.safe_write import output_folder

if TYPE_CHECKING:  # pragma: no cover
    from gpcollab.codebook import Codebook
    from gpcollab.io import LoadReport
    from gpcollab.schema import SurveyData

    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

__all__ = ["SUBCOMMANDS", "main"]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE, as a shell reports a command whose reader went away

KEEP_FLAG = "--keep-respondents"
"""``report`` option: keep respondents with unusable answers, those cells set missing."""


# -- validate --------------------------------------------------------------------------------


def add_validate(subparsers: Subparsers) -> None:
    """Register ``gpcollab validate FILE --codebook NAME``."""
    parser = subparsers.add_parser(
        "validate",
        help="check a survey export against a codebook",
        description=(
            "Read FILE with the codebook and print the accounting (rows read = accepted + "
            "rejected) and every problem, each naming the file, row, column, what was found "
            "and what is allowed. Exit status: 0 when every row loads, 1 when some row is "
            "rejected, the columns do not fit the codebook or the file is beyond a limit, 2 "
            "for unusable arguments or an unreadable file (missing, not a regular file, "
            "binary, damaged, in a mixed or unknown encoding), 3 for an internal error (a bug "
            "in gpcollab: please report it). FILE '-' reads standard input."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="CSV, XLSX or SPSS .sav export ('-': stdin)")
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
    parser.add_argument(
        "--sheet",
        default=None,
        metavar="NAME",
        help="XLSX: the sheet to read, by name or 1-based number (default: the sheet whose "
        "header fits the codebook)",
    )
    parser.add_argument(
        "--encoding",
        default=None,
        metavar="NAME",
        help="override the text encoding (CSV: utf-8, utf-8-sig, cp1252, utf-16; .sav: any, "
        "e.g. UTF-8)",
    )
    parser.add_argument(
        "--decimal",
        choices=(".", ","),
        default=None,
        help="decimal mark of numbers in a CSV file (default: detected)",
    )
    parser.set_defaults(handler=run_validate)


def _sheet_argument(text: str | None) -> str | int | None:
    """``--sheet``: a 1-based number selects by position, anything else by name."""
    if text is not None and text.isdigit() and int(text) >= 1:
        return int(text) - 1
    return text


def run_validate(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run ``validate``; returns the exit status (see the command's description)."""
    # cli: loaded only when this subcommand runs
    from gpcollab.codebook import load_codebook
    from gpcollab.io import read_survey

    stdout = out or sys.stdout
    try:
        codebook = load_codebook(args.codebook)
    except CodebookError as exc:
        print(f"gpcollab validate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        _, report = read_survey(
            args.file,
            codebook,
            strict=False,
            format=args.format,
            sheet=_sheet_argument(getattr(args, "sheet", None)),
            encoding=getattr(args, "encoding", None),
            decimal=getattr(args, "decimal", None),
        )
    except (UnreadableFileError, ArgumentError, CodebookError) as exc:
        print(f"gpcollab validate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LoadError as exc:
        print(f"{exc}", file=stdout)
        print("result: the file does not fit the codebook; no rows loaded", file=stdout)
        return EXIT_PROBLEMS
    except GpcollabError as exc:  # pragma: no cover - every loader error is one of the above
        print(f"gpcollab validate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (Exception, RecursionError) as exc:  # a bug: say so, without a traceback
        print(
            f"gpcollab validate: internal error while reading {args.file} "
            f"({type(exc).__name__}: {exc}); please report it.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    print(report, file=stdout)
    for hint in alias_hints(report, codebook):
        print(hint, file=stdout)
    if report.ok and report.rows_read > 0:
        print(f"result: OK, all {report.rows_read} rows load", file=stdout)
        return EXIT_OK
    if report.rows_read == 0:
        print("result: no data rows", file=stdout)
        return EXIT_PROBLEMS
    parts = []
    if report.rows_rejected:
        parts.append(f"{report.rows_rejected} of {report.rows_read} rows rejected")
    if report.missing_cells:
        parts.append(
            f"{len(report.missing_cells)} cell(s) in {report.rows_with_missing_cells} row(s) "
            "would be set missing"
        )
        parts.append(
            f"read_survey(..., strict=False) (or 'gpcollab report {KEEP_FLAG}') keeps the "
            f"{report.rows_with_missing_cells} respondent(s) with those cells set missing"
        )
    print("result: " + "; ".join(parts), file=stdout)
    return EXIT_PROBLEMS


MAX_ALIAS_HINTS = 10
"""At most this many distinct unknown answers get the codebook line to add."""


def alias_hints(report: LoadReport, codebook: Codebook) -> list[str]:
    """For each distinct unknown answer set missing, the codebook line that would read it.

    Answers are told apart by item and text (one line for "Partly achieved" however many aim
    columns hold it). Cells set missing for another reason (an answer off route, a number that
    is not one) get no line: no alias would make them readable. At most
    :data:`MAX_ALIAS_HINTS` answers are shown, followed by how many more there are.
    """
    # cli: loaded only when this subcommand runs
    from gpcollab.codebook import AliasSuggestion, suggest_alias

    hints: dict[tuple[str, str], AliasSuggestion] = {}
    cells: dict[tuple[str, str], int] = {}
    for cell in report.missing_cells:
        if not cell.reason.startswith("unknown answer"):
            continue
        try:
            hint = suggest_alias(codebook, cell.column, cell.found)
        except CodebookError:  # not an item with answer texts
            continue
        key = (hint.item, hint.found)
        hints.setdefault(key, hint)
        cells[key] = cells.get(key, 0) + 1
    if not hints:
        return []
    lines = ["unknown answers, and the codebook line that would read each:"]
    for key, hint in list(hints.items())[:MAX_ALIAS_HINTS]:
        lines.append(f"  - {hint} [{cells[key]} cell(s), item {hint.item!r}]")
    if len(hints) > MAX_ALIAS_HINTS:
        lines.append(f"  ... and {len(hints) - MAX_ALIAS_HINTS} more unknown answer(s)")
    return lines


# -- reproduce, report, whatif ----------------------------------------------------------------

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from gpcollab.report import ReportResult
    from gpcollab.schema import SurveyData
    from gpcollab.whatif import Scenario

# Defaults of gpcollab.disclosure.DEFAULT_MIN_N and gpcollab.report.DEFAULT_N_BOOT, repeated here
# so that building the parser stays light (a test checks they agree).
_DEFAULT_MIN_N = 5
_DEFAULT_N_BOOT = 500

_SCENARIO_TERMS: tuple[str, ...] = ("size_band", "age_band", "level", "funding")
"""Characteristics a ``--scenario`` may change (the terms of the achievement model)."""

_ORDERED_TERMS: tuple[str, ...] = ("size_band", "age_band", "level")
_YES = ("yes", "true", "1", "funded")
_NO = ("no", "false", "0", "unfunded")


def _progress(stream: TextIO | None = None) -> Callable[[str], None]:
    """A progress callback writing ``[  1.2s] message`` lines to ``stream`` (stderr)."""
    started = time.perf_counter()

    def say(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=stream or sys.stderr)

    return say


def _out_dir(value: str, command: str) -> str | None:
    """Check ``--out``: returns an error message, or None when the folder is usable.

    An empty value is refused (it would write into the current folder unasked); the folder
    is created when missing.
    """
    try:
        output_folder(value)
    except GpcollabError as exc:
        return f"gpcollab {command}: --out {value!r}: {exc}"
    return None


def _positive(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _add_report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", "-o", required=True, metavar="DIR", help="folder to write the report to"
    )
    parser.add_argument(
        "--min-n",
        type=_positive,
        default=_DEFAULT_MIN_N,
        metavar="N",
        help=f"disclosure threshold: mask estimates resting on fewer than N respondents "
        f"(default: {_DEFAULT_MIN_N})",
    )
    parser.add_argument(
        "--n-boot",
        type=_positive,
        default=_DEFAULT_N_BOOT,
        metavar="B",
        help=f"bootstrap replicates for the what-if tables (default: {_DEFAULT_N_BOOT})",
    )
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default: 0)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress lines on stderr")


def _print_outcome(result: ReportResult, out: TextIO) -> None:
    print(f"wrote {result.index}", file=out)
    print(f"wrote {len(result.figures)} figures in {result.out_dir / 'figures'}", file=out)
    print(f"wrote {result.findings_csv}", file=out)
    findings = result.findings
    if "status" in findings and len(findings):
        counts = findings["status"].astype(str).value_counts()
        summary = ", ".join(f"{status} {int(count)}" for status, count in counts.items())
        print(f"findings check: {summary}", file=out)
        from gpcollab.findings import findings_lines  # cli: loaded when a subcommand runs

        for line in findings_lines(findings):
            print(line, file=out)
    print(f"took {result.seconds:.1f}s", file=out)


def add_reproduce(subparsers: Subparsers) -> None:
    """Register ``gpcollab reproduce --out DIR``."""
    parser = subparsers.add_parser(
        "reproduce",
        help="rebuild the report from the bundled (synthetic) response sets",
        description=(
            "Load the four bundled response sets (synthetic reconstructions from the published "
            "figures), check every published finding against them and write DIR/index.html "
            "(showing DIR/figures/*.png: keep them together) and DIR/findings_check.csv. "
            "Progress goes to "
            "stderr. Exit status: 0 when every finding that can be checked matches, 1 when some "
            "finding mismatches, 2 for unusable arguments."
        ),
    )
    _add_report_options(parser)
    parser.set_defaults(handler=run_reproduce)


def run_reproduce(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run ``reproduce``; returns the exit status."""
    # cli: loaded only when this subcommand runs
    from gpcollab.datasets.surveys import load_survey
    from gpcollab.report import build_report

    stdout = out or sys.stdout
    problem = _out_dir(args.out, "reproduce")
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    say = (lambda message: None) if args.quiet else _progress()

    def bundled() -> Iterator[SurveyData]:
        # read by build_report once its drawing workers are starting: they load matplotlib
        # while the sets are loaded here
        for wave, instrument in ((2015, "gp"), (2015, "ccg"), (2017, "gp"), (2017, "ccg")):
            say(f"loading the bundled {instrument.upper()} {wave} set (synthetic)")
            yield load_survey(wave, instrument)

    result = build_report(
        bundled(), args.out, progress=say, min_n=args.min_n, n_boot=args.n_boot, seed=args.seed
    )
    _print_outcome(result, stdout)
    return EXIT_OK if result.ok else EXIT_PROBLEMS


def add_report(subparsers: Subparsers) -> None:
    """Register ``gpcollab report --survey FILE --codebook NAME --out DIR``."""
    parser = subparsers.add_parser(
        "report",
        help="build the report from your own survey export",
        description=(
            "Read FILE (CSV, XLSX or SPSS .sav) with the codebook and write the same report as "
            "'reproduce' from it: DIR/index.html, DIR/figures/*.png, DIR/findings_check.csv. "
            "Sections needing an item the export lacks say so. Exit status: 0 when the report "
            "was written (whether or not the findings agree with the publications), 1 when "
            "rows of FILE are rejected or cells hold unusable answers (see 'gpcollab "
            f"validate'; {KEEP_FLAG} goes on with those cells set missing), 2 for unusable "
            "arguments or an unreadable file."
        ),
    )
    parser.add_argument(
        "--survey", "-s", required=True, metavar="FILE", help="CSV, XLSX or SPSS .sav export"
    )
    parser.add_argument(
        "--codebook",
        "-c",
        required=True,
        metavar="NAME",
        help="bundled codebook (gp2015, ccg2015, gp2017, ccg2017) or path to a .toml file",
    )
    parser.add_argument(
        KEEP_FLAG,
        action="store_true",
        help="keep respondents whose rows hold answers the codebook does not know or answers "
        "off the questionnaire's route: those cells are set missing and the report lists each "
        "one (rows that cannot be read at all are still refused)",
    )
    _add_report_options(parser)
    parser.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run ``report``; returns the exit status."""
    # cli: loaded only when this subcommand runs
    from gpcollab.codebook import load_codebook
    from gpcollab.io import read_survey
    from gpcollab.report import build_report

    stdout = out or sys.stdout
    try:
        codebook = load_codebook(args.codebook)
    except CodebookError as exc:
        print(f"gpcollab report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    problem = _out_dir(args.out, "report")
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    say = (lambda message: None) if args.quiet else _progress()
    say(f"reading {args.survey} with the codebook {codebook.name}")
    try:
        survey, load = read_survey(args.survey, codebook, strict=False)
    except UnreadableFileError as exc:
        print(f"gpcollab report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LoadError as exc:
        print(f"gpcollab report: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    keep = bool(getattr(args, "keep_respondents", False))
    if load.rows_rejected or load.rows_read == 0 or (load.missing_cells and not keep):
        print(load, file=stdout)
        print(f"gpcollab report: no report written: {_refusal(load)}", file=sys.stderr)
        return EXIT_PROBLEMS
    say(f"read {load.rows_read} rows, all accepted")
    if load.missing_cells:
        say(
            f"{len(load.missing_cells)} cell(s) of {load.rows_with_missing_cells} respondent(s) "
            "set missing (listed in the report)"
        )
    result = build_report(
        survey,
        args.out,
        progress=say,
        min_n=args.min_n,
        n_boot=args.n_boot,
        seed=args.seed,
        load_reports=[load],
    )
    _print_outcome(result, stdout)
    if load.missing_cells:
        print(
            f"kept {load.rows_with_missing_cells} respondent(s) with "
            f"{len(load.missing_cells)} cell(s) set missing (listed in {result.index.name})",
            file=stdout,
        )
    return EXIT_OK


def _refusal(load: LoadReport) -> str:
    """Why ``report`` writes nothing, and what to do."""
    if load.rows_read == 0:
        return "the file has no data rows."
    check = f"see gpcollab validate {load.file} --codebook {load.codebook}"
    if load.rows_rejected:
        return (
            f"{load.rows_rejected} row(s) cannot be read as rows (listed above); fix them "
            f"first ({check})."
        )
    return (
        f"{len(load.missing_cells)} cell(s) of {load.rows_with_missing_cells} respondent(s) "
        f"hold answers the codebook does not know or answers off route (listed above). Fix "
        f"them or adapt the codebook ({check}), or pass {KEEP_FLAG} to keep these "
        "respondents with those cells set missing (the report lists each one)."
    )


def _scenario_value(term: str, text: str, spec: str) -> object:
    from gpcollab.schema import ITEMS  # cli: loaded only when this subcommand runs

    if term == "funding":
        key = text.strip().casefold()
        if key in _YES:
            return True
        if key in _NO:
            return False
        raise ScenarioSpecError(
            f"scenario {spec!r}: funding takes yes or no (also true/false), not {text!r}"
        )
    choices = ITEMS[term].choices
    try:
        return choices.parse(text.strip()).value
    except ValueError:
        allowed = ", ".join(choices.values())
        raise ScenarioSpecError(
            f"scenario {spec!r}: {text.strip()!r} is not a {term} value; allowed: {allowed}"
        ) from None


def parse_scenario(spec: str) -> Scenario:
    """Parse a ``--scenario`` text into a :class:`gpcollab.whatif.Scenario`.

    Grammar: one or more changes separated by commas, the whole text being the scenario's
    name. ``TERM=VALUE`` puts every collaboration in one category (``size_band=100k_250k``,
    ``level=single_ccg``, ``funding=yes``); ``TERM+=K`` / ``TERM-=K`` moves every collaboration
    K bands up or down an ordered term (``age_band+=1``); ``TERM=V1:S1/V2:S2/...`` sets another
    mix with shares adding up to 1 (``size_band=under_30k:0.5/30k_50k:0.5``). TERM is one of
    size_band, age_band, level, funding.

    Raises
    ------
    ScenarioSpecError
        Naming the problem and listing the allowed terms or values.
    """
    from gpcollab.whatif import Scenario  # cli: loaded only when this subcommand runs

    text = spec.strip()
    if not text:
        raise ScenarioSpecError("an empty --scenario was given")
    terms = ", ".join(_SCENARIO_TERMS)
    chosen: dict[str, object] = {}
    shift: dict[str, int] = {}
    mix: dict[str, dict[str, float]] = {}
    for part in (p.strip() for p in text.split(",")):
        op = "+=" if "+=" in part else "-=" if "-=" in part else "=" if "=" in part else None
        if op is None:
            raise ScenarioSpecError(
                f"scenario {spec!r}: {part!r} is not TERM=VALUE, TERM+=K, TERM-=K or "
                f"TERM=VALUE:SHARE/...; TERM is one of {terms}"
            )
        term, _, value = (x.strip() for x in part.partition(op))
        if term not in _SCENARIO_TERMS:
            raise ScenarioSpecError(f"scenario {spec!r}: cannot change {term!r}; allowed: {terms}")
        if term in chosen or term in shift or term in mix:
            raise ScenarioSpecError(f"scenario {spec!r}: {term} is changed twice")
        if op in ("+=", "-="):
            if term not in _ORDERED_TERMS:
                raise ScenarioSpecError(
                    f"scenario {spec!r}: only ordered terms can be shifted "
                    f"({', '.join(_ORDERED_TERMS)}); use {term}=yes or {term}=no"
                )
            try:
                steps = int(value)
            except ValueError:
                raise ScenarioSpecError(
                    f"scenario {spec!r}: {part!r} needs a whole number of bands, e.g. {term}+=1"
                ) from None
            shift[term] = steps if op == "+=" else -steps
        elif ":" in value:
            shares: dict[str, float] = {}
            for piece in value.split("/"):
                name, _, share = piece.partition(":")
                key = str(_scenario_value(term, name, spec))
                try:
                    shares[key] = float(share)
                except ValueError:
                    raise ScenarioSpecError(
                        f"scenario {spec!r}: {piece!r} needs VALUE:SHARE with a number share"
                    ) from None
            if abs(sum(shares.values()) - 1.0) > 1e-6:
                raise ScenarioSpecError(
                    f"scenario {spec!r}: the shares of {term} add up to "
                    f"{sum(shares.values()):g}, not 1"
                )
            mix[term] = shares
        else:
            chosen[term] = _scenario_value(term, value, spec)
    return Scenario(text, set=chosen, shift=shift, mix=mix)


def add_whatif(subparsers: Subparsers) -> None:
    """Register ``gpcollab whatif --aim AIM --scenario SPEC [...]``."""
    parser = subparsers.add_parser(
        "whatif",
        help="expected achievement of an aim under other mixes of collaborations",
        description=(
            "Fit the achievement model of AIM and print the expected share of collaborations "
            "fully achieving it as observed and under each scenario, with bootstrap intervals. "
            "Scenario syntax (changes separated by commas): TERM=VALUE (everyone in one "
            "category, e.g. size_band=100k_250k or funding=yes), TERM+=K or TERM-=K (everyone "
            "K bands up or down, e.g. age_band+=1), TERM=V1:S1/V2:S2 (another mix, shares "
            "adding up to 1). TERM is one of size_band, age_band, level, funding. Exit status: "
            "0 success, 1 when the model cannot be fitted to the data, 2 for unusable "
            "arguments."
        ),
    )
    parser.add_argument("--aim", "-a", required=True, help="aim, e.g. access or staff")
    parser.add_argument(
        "--scenario",
        action="append",
        required=True,
        metavar="SPEC",
        help="a scenario (repeat for several), e.g. size_band=100k_250k or age_band+=1",
    )
    parser.add_argument(
        "--survey",
        "-s",
        default="2017",
        metavar="WAVE|FILE",
        help="wave of the bundled GP set (synthetic; default 2017) or a survey export",
    )
    parser.add_argument(
        "--codebook", "-c", default="gp2017", metavar="NAME", help="codebook for a FILE"
    )
    parser.add_argument(
        "--n-boot", type=_positive, default=2000, metavar="B", help="bootstrap replicates"
    )
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default: 0)")
    parser.add_argument(
        "--terms",
        type=_term_list,
        default=_SCENARIO_TERMS,
        metavar="T1,T2",
        help=f"model terms, comma-separated (default: {','.join(_SCENARIO_TERMS)})",
    )
    parser.add_argument(
        "--scores",
        type=_term_list,
        default=(),
        metavar="T1,T2",
        help=(
            "ordered terms entered as band scores 0, 1, 2, ... (one log-odds step per band), "
            f"from {', '.join(_ORDERED_TERMS)}"
        ),
    )
    parser.add_argument(
        "--separation",
        choices=("fallback", "error"),
        default="fallback",
        help=(
            "when a band separates the outcome (nobody in it fully achieved the aim): enter "
            "its term as a score, or else leave it out, with a note (fallback, the default), "
            "or stop with the error"
        ),
    )
    parser.set_defaults(handler=run_whatif)


def _term_list(text: str) -> tuple[str, ...]:
    """``--terms``/``--scores`` value: model terms separated by commas."""
    names = tuple(t.strip() for t in text.split(",") if t.strip())
    unknown = [t for t in names if t not in _SCENARIO_TERMS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"{text!r}: terms are separated by commas, from {', '.join(_SCENARIO_TERMS)}"
        )
    if len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"{text!r} names a term twice")
    return names


def _whatif_survey(args: argparse.Namespace) -> SurveyData:
    """The response set ``--survey`` names; raises GpcollabError when it cannot be had."""
    # cli: loaded only when this subcommand runs
    from gpcollab.datasets.surveys import load_survey
    from gpcollab.io import read_survey

    text = str(args.survey).strip()
    if text.isdigit():
        return load_survey(int(text), "gp")
    return read_survey(text, args.codebook)


def run_whatif(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run ``whatif``; returns the exit status."""
    # cli: loaded only when this subcommand runs
    from gpcollab.schema import SYNTHETIC_NOTICE
    from gpcollab.vocab import Aim
    from gpcollab.whatif import standardise

    stdout = out or sys.stdout
    try:
        aim = Aim.parse(args.aim)
    except ValueError:
        print(
            f"gpcollab whatif: unknown aim {args.aim!r}; allowed: {', '.join(Aim.values())}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        scenarios = [parse_scenario(spec) for spec in args.scenario]
    except ScenarioSpecError as exc:
        print(f"gpcollab whatif: {exc}", file=sys.stderr)
        return EXIT_USAGE
    bad = [t for t in args.scores if t not in _ORDERED_TERMS or t not in args.terms]
    if bad:
        print(
            f"gpcollab whatif: --scores {','.join(bad)}: a score must be one of the --terms "
            f"({','.join(args.terms)}) and ordered ({', '.join(_ORDERED_TERMS)})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        survey = _whatif_survey(args)
    except GpcollabError as exc:
        print(f"gpcollab whatif: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        table = standardise(
            survey,
            aim.value,
            scenarios,
            n_boot=args.n_boot,
            seed=args.seed,
            terms=args.terms,
            scores=args.scores,
            separation=args.separation,
        )
    except MissingItemError as exc:
        print(f"gpcollab whatif: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ConvergenceError, GpcollabError) as exc:
        print(f"gpcollab whatif: the model cannot be fitted: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"Fully achieved: {aim.label} — {survey.meta.label}", file=stdout)
    if survey.synthetic:
        print(f"({SYNTHETIC_NOTICE})", file=stdout)
    scored = table.attrs.get("scores", [])
    print(
        f"g-computation on the achievement model of {', '.join(table.attrs.get('terms', []))}"
        f"{' (' + ', '.join(scored) + ' as scores)' if scored else ''}; "
        f"{args.n_boot} bootstrap replicates, seed {args.seed}",
        file=stdout,
    )
    print(_format_whatif(table), file=stdout)
    for note in table.attrs.get("notes", []):
        print(f"note: {note}", file=stdout)
    return EXIT_OK


def _format_whatif(table: pd.DataFrame) -> str:
    """Plain-text table of :func:`gpcollab.whatif.standardise` output."""
    level = float(table["conf_level"].iloc[0])
    header = ["scenario", "estimate", f"{100 * level:g}% CI", "difference", "n"]
    rows = [header]
    for row in table.to_dict(orient="records"):
        rows.append(
            [
                str(row["scenario"]),
                f"{100 * float(row['estimate']):.1f}%",
                f"{100 * float(row['ci_low']):.1f}–{100 * float(row['ci_high']):.1f}",
                f"{100 * float(row['difference']):+.1f} pts",
                f"{int(row['n'])}",
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for number, r in enumerate(rows):
        cells = [r[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


# -- codebook --------------------------------------------------------------------------------


def add_codebook(subparsers: Subparsers) -> None:
    """Register ``gpcollab codebook new OUT --from NAME`` and ``gpcollab codebook list``."""
    parser = subparsers.add_parser(
        "codebook",
        help="write an editable codebook to adapt to your export",
        description=(
            "'new OUT --from NAME' writes OUT, an editable and commented TOML copy of a "
            "codebook (a bundled one, or a path), which reads the same exports; change its "
            "headers and add answer texts to fit your export. 'list' prints the bundled "
            "codebooks. Exit status: 0 when written, 2 for unusable arguments (an unknown "
            "codebook, an existing OUT without --force)."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    new = actions.add_parser(
        "new",
        help="write an editable copy of a codebook",
        description="Write OUT (.toml), an editable, commented copy of the codebook NAME.",
    )
    new.add_argument("out", metavar="OUT", help="the .toml file to write")
    new.add_argument(
        "--from",
        dest="base",
        default="gp2017",
        metavar="NAME",
        help="bundled codebook (gp2015, ccg2015, gp2017, ccg2017) or path to a .toml file "
        "(default: gp2017)",
    )
    new.add_argument(
        "--name", default=None, help="survey.name of the new codebook (default: OUT's stem)"
    )
    new.add_argument("--force", action="store_true", help="replace OUT if it exists")
    new.set_defaults(handler=run_codebook_new)
    listing = actions.add_parser("list", help="print the bundled codebooks")
    listing.set_defaults(handler=run_codebook_list)


def run_codebook_new(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run ``codebook new``; returns the exit status."""
    from gpcollab.codebook import load_codebook, write_codebook  # cli: loaded when it runs

    stdout = out or sys.stdout
    try:
        base = load_codebook(args.base)
        path = write_codebook(args.out, base, name=args.name, overwrite=args.force)
    except CodebookError as exc:
        print(f"gpcollab codebook new: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {path}: an editable copy of the codebook {base.label}", file=stdout)
    print(
        f"use it with: gpcollab validate EXPORT --codebook {path} (or "
        f"gpcollab.read_survey(EXPORT, codebook={str(path)!r}))",
        file=stdout,
    )
    return EXIT_OK


def run_codebook_list(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run ``codebook list``: one line per bundled codebook."""
    from gpcollab.codebook import list_codebooks, load_codebook  # cli: loaded when it runs

    stdout = out or sys.stdout
    for name in list_codebooks():
        codebook = load_codebook(name)
        print(f"{name}  {codebook.title}", file=stdout)
    return EXIT_OK


# -- the parser ------------------------------------------------------------------------------

SUBCOMMANDS: list[Callable[[Subparsers], None]] = [
    add_validate,
    add_reproduce,
    add_report,
    add_whatif,
    add_codebook,
]
"""Functions that add one subcommand each (see the module docstring)."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
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
    try:
        status = handler(args)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader of the output stopped early (``... | head``)
        _silence_stdout()
        return EXIT_CLOSED_PIPE
    return status


def _silence_stdout() -> None:
    """Point standard output at the null device, so that the exit's flush does not fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout is not a file (e.g. under a test)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

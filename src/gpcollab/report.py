"""An HTML report of one or more response sets: one page and its figures, no network needed.

:func:`build_report` works in three stages, each its own function:

1. :func:`gather_report` computes everything the page shows (analysis tables, passed through
   :func:`gpcollab.suppress`; the findings check; assumptions; sources) without drawing;
2. :func:`render_figures` draws the charts with the plotting helpers onto
   :class:`matplotlib.figure.Figure` objects (no pyplot, no global style changes) and writes
   them as PNG files;
3. :func:`write_html` writes one HTML page (inline CSS, no JavaScript, no network resources;
   every piece of text escaped) that shows the figures from ``figures/`` with ``<picture>``,
   so a phone downloads only the narrow variant and the page itself stays small.

Sections whose items a response set did not ask (or whose analysis cannot be run on it) say so
on the page instead of failing. When any input is a synthetic reconstruction the page opens with
a banner carrying :data:`gpcollab.schema.SYNTHETIC_NOTICE`.
"""

from __future__ import annotations

import datetime as _dt
import functools
import html
import io
import math
import multiprocessing
import re
import textwrap
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from gpcollab import __version__, analysis, plotting, whatif
from gpcollab import findings as findings_module
from gpcollab._parallel import threads
from gpcollab.datasets import dataset_card, list_datasets
from gpcollab.disclosure import suppress
from gpcollab.errors import ConvergenceError, DesignError, GpcollabError, MissingItemError
from gpcollab.estimate import BoundaryWarning
from gpcollab.headlines import (
    ChartText,
    changed_options,
    chart_text,
    differing_aims,
    differing_cells,
    key_findings,
    titled_aim,
    titled_cells,
    uncompared_rows,
)
from gpcollab.io.accounting import LoadReport, inconsistency_lines
from gpcollab.models import achievement_model
from gpcollab.presentation import EXTRA_LABELS, SUPPRESSED, suppression_note
from gpcollab.safe_write import output_folder, subfolder, write_bytes, write_csv_frame, write_text
from gpcollab.schema import ITEMS, SYNTHETIC_NOTICE, SurveyData
from gpcollab.significance import compare_domains
from gpcollab.vocab import Achievement, Aim, Instrument

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "DEFAULT_N_BOOT",
    "WHATIF_AIMS",
    "Column",
    "ReportContent",
    "ReportFigure",
    "ReportResult",
    "ReportSection",
    "ReportTable",
    "build_report",
    "gather_report",
    "render_figures",
    "write_html",
]

ProgressCallback = Callable[[str], None]
Format = Literal["label", "int", "pct", "ci", "pp", "num", "p", "text"]

DEFAULT_N_BOOT = 500
"""Bootstrap replicates for the what-if tables of the report (kept modest for speed)."""

WHATIF_AIMS: tuple[Aim, ...] = (Aim.ACCESS, *(aim for aim in Aim if aim is not Aim.ACCESS))
"""Aims tried, in order, for the what-if tables: the first whose model can be fitted is used."""

LONG_TABLE = 16
"""Tables with more rows than this are folded (``<details>``) under their chart."""

MASK = SUPPRESSED
"""What a suppressed cell shows (the ONS convention for a confidential value)."""

OGL_NAME = "Open Government Licence v3.0"
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
OGL_ATTRIBUTION = (
    "Contains information from NHS Digital, licensed under the current version of the "
    "Open Government Licence (v3.0)."
)

# ------------------------------------------------------------------------------------ model


@dataclass(frozen=True)
class Column:
    """One displayed column of a report table.

    Attributes
    ----------
    name : str
        Column of the table (for ``fmt="ci"``: the prefix of ``ci_low``/``ci_high``, i.e. ``"ci"``).
    header : str
        Column heading on the page.
    fmt : {"label", "int", "pct", "ci", "pp", "num", "p", "text"}
        ``label`` maps machine values to their human labels; ``pct`` shows a proportion as a
        percentage; ``ci`` shows ``ci_low``–``ci_high`` as percentages; ``pp`` a difference of
        proportions in percentage points; ``num`` a plain number; ``p`` a p-value.
    """

    name: str
    header: str
    fmt: Format = "text"


@dataclass(frozen=True)
class ReportTable:
    """A table shown on the page (already through disclosure control).

    Attributes
    ----------
    key : str
        Short identifier, unique in the report (used for anchors and figure names).
    title : str
        Caption.
    table : pandas.DataFrame
        The suppressed table (with a boolean ``suppressed`` column where it went through
        :func:`gpcollab.suppress`).
    columns : tuple of Column
        What to show, in order.
    chart : str or None
        Kind of chart to draw from the table (see :func:`render_figures`), if any.
    chart_options : mapping
        Keyword arguments for the plotting helper.
    item : str or None
        Item whose answers the ``option`` column holds (for labels).
    note : str
        Text under the table.
    """

    key: str
    title: str
    table: pd.DataFrame
    columns: tuple[Column, ...]
    chart: str | None = None
    chart_options: Mapping[str, Any] = field(default_factory=dict)
    item: str | None = None
    note: str = ""


@dataclass
class ReportSection:
    """A section of the page: an introduction, tables, and what could not be shown.

    Attributes
    ----------
    key : str
        Anchor name.
    title : str
        Heading.
    intro : str
        Paragraph under the heading.
    tables : list of ReportTable
        Tables (and, through them, figures).
    unavailable : list of str
        One sentence per part that could not be computed from the data given, with the reason.
    notes : list of str
        Remarks on the estimates (e.g. boundary intervals).
    """

    key: str
    title: str
    intro: str = ""
    tables: list[ReportTable] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReportFigure:
    """A chart written to disk, in a wide and a narrow (phone) layout.

    Attributes
    ----------
    key : str
        Key of the table it was drawn from.
    title : str
        Caption: what the chart shows.
    path : pathlib.Path
        The wide PNG file.
    png : bytes
        The wide PNG bytes (the page reads its size from them).
    headline : str
        The chart's finding-style title (drawn on it and used as the page heading).
    base : str
        The base line drawn under the headline.
    note : str
        The chart's note (what to bear in mind, in plain words), drawn in its footer above
        the source.
    method : str
        How its title's finding was tested or modelled, given under the chart on the page.
    narrow_path : pathlib.Path or None
        The narrow PNG (``figures/narrow/``), shown on screens up to 600 px wide.
    narrow_png : bytes
        Its bytes.
    svg_path : pathlib.Path or None
        The wide chart as SVG beside the PNG, for print (text kept as text).
    """

    key: str
    title: str
    path: Path
    png: bytes = field(repr=False)
    headline: str = ""
    base: str = ""
    note: str = ""
    method: str = ""
    narrow_path: Path | None = None
    narrow_png: bytes = field(default=b"", repr=False)
    svg_path: Path | None = None


@dataclass
class ReportContent:
    """Everything the page shows, computed before anything is drawn.

    Attributes
    ----------
    surveys : list of SurveyData
        The inputs.
    sections : list of ReportSection
        Analysis sections, in page order.
    findings : pandas.DataFrame
        Every row of :func:`gpcollab.verify_findings` for every input, with a ``survey`` column.
    findings_notes : list of str
        Inputs whose findings could not be checked, and why.
    assumptions : list of dict
        The named assumptions (``id``, ``title``, ``description``, ``default``, ``options``).
    sources : pandas.DataFrame
        Published sources cited by the register: ``source_title``, ``source_url``, ``findings``.
    datasets : pandas.DataFrame
        Bundled datasets (:func:`gpcollab.list_datasets`).
    cards : dict of str to str
        Markdown card of each real (non-synthetic) bundled dataset, by name.
    min_n : int
        Disclosure threshold used.
    n_boot : int
        Bootstrap replicates used in the what-if tables.
    load_reports : list of LoadReport
        The accounting of the exports read, when given: cells set missing, inconsistencies.
    """

    surveys: list[SurveyData]
    sections: list[ReportSection]
    findings: pd.DataFrame
    findings_notes: list[str]
    assumptions: list[dict[str, Any]]
    sources: pd.DataFrame
    datasets: pd.DataFrame
    cards: dict[str, str]
    min_n: int
    n_boot: int
    load_reports: list[LoadReport] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        """True when any input is a synthetic reconstruction."""
        return any(survey.synthetic for survey in self.surveys)

    @property
    def mismatches(self) -> int:
        """Number of findings whose status is ``mismatch``."""
        if "status" not in self.findings:
            return 0
        return int((self.findings["status"].astype(str) == "mismatch").sum())


@dataclass(frozen=True)
class ReportResult:
    """What :func:`build_report` wrote.

    Attributes
    ----------
    out_dir : pathlib.Path
        The report folder.
    index : pathlib.Path
        ``out_dir / "index.html"``.
    figures : tuple of pathlib.Path
        ``out_dir / "figures" / *.png``, in page order.
    findings_csv : pathlib.Path
        ``out_dir / "findings_check.csv"`` (every row of the findings check).
    findings : pandas.DataFrame
        The findings check table.
    mismatches : int
        Number of findings with status ``mismatch``.
    seconds : float
        Wall time of the whole build.
    """

    out_dir: Path
    index: Path
    figures: tuple[Path, ...]
    findings_csv: Path
    findings: pd.DataFrame = field(repr=False)
    mismatches: int
    seconds: float

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every file written."""
        return (self.index, self.findings_csv, *self.figures)

    @property
    def ok(self) -> bool:
        """True when no finding mismatches."""
        return self.mismatches == 0


# ------------------------------------------------------------------------------- entry point


def build_report(
    surveys: SurveyData | Iterable[SurveyData],
    out_dir: str | Path,
    *,
    progress: ProgressCallback | None = None,
    min_n: int = 5,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = 0,
    title: str | None = None,
    load_reports: Sequence[LoadReport] = (),
) -> ReportResult:
    """Write an HTML report of one or more response sets: ``index.html`` and its figures.

    Parameters
    ----------
    surveys : SurveyData or iterable of SurveyData
        The response sets, e.g. the four bundled reconstructions or one user export. An
        iterable is read once the processes that draw the figures are starting, so a generator
        that loads the sets loads them while those processes load matplotlib.
    out_dir : str or pathlib.Path
        Folder to write to (created if needed). Writes ``index.html``, ``figures/*.png`` and
        ``findings_check.csv``; existing files of the same names are replaced.
    progress : callable, optional
        Called with a short message before each step (e.g. ``print`` to stderr).
    min_n : int, default=5
        Disclosure threshold: estimates whose unweighted base or count is below ``min_n`` are
        masked in every table and chart (:func:`gpcollab.suppress`).
    n_boot : int, default=500
        Bootstrap replicates for the what-if intervals.
    seed : int, default=0
        Seed of the bootstrap.
    title : str, optional
        Page title; by default built from the inputs.
    load_reports : sequence of LoadReport, optional
        The accounting of the exports read (:func:`gpcollab.read_survey` with
        ``strict=False``): the page lists every cell set missing, and answers that disagree.

    Returns
    -------
    ReportResult
        Paths written, the findings check and the number of mismatching findings.

    Raises
    ------
    GpcollabError
        If no response set is given or ``min_n`` / ``n_boot`` are not positive.

    Examples
    --------
    >>> import gpcollab
    >>> sets = [gpcollab.load_survey(w, i) for w in (2015, 2017) for i in ("gp", "ccg")]
    >>> result = gpcollab.build_report(sets, "report")  # doctest: +SKIP
    >>> result.mismatches  # doctest: +SKIP
    0
    """
    started = time.perf_counter()
    say = progress or (lambda message: None)
    with _Drawing(dpi=110) as drawing:  # each section's charts drawn while the next is computed
        content = _gather(
            surveys, min_n=min_n, n_boot=n_boot, seed=seed, progress=say, ready=drawing.add
        )
        content.load_reports = list(load_reports)
        out = output_folder(out_dir)  # files are written atomically, never through a link
        figures = drawing.write(subfolder(out, "figures"), progress=say)
    say("writing findings_check.csv")
    findings_csv = write_csv_frame(content.findings, out / "findings_check.csv")
    say("writing index.html")
    index = write_text(out / "index.html", write_html(content, figures, title=title))
    return ReportResult(
        out_dir=out,
        index=index,
        figures=tuple(figure.path for figure in figures),
        findings_csv=findings_csv,
        findings=content.findings,
        mismatches=content.mismatches,
        seconds=time.perf_counter() - started,
    )


# ---------------------------------------------------------------------------- stage 1: tables


def _as_list(surveys: SurveyData | Iterable[SurveyData]) -> list[SurveyData]:
    items = [surveys] if isinstance(surveys, SurveyData) else list(surveys)
    if not items:
        raise GpcollabError("build_report needs at least one response set; none was given.")
    for item in items:
        if not isinstance(item, SurveyData):
            raise GpcollabError(
                f"build_report takes SurveyData objects; got {type(item).__name__}."
            )
    return items


def _of(surveys: Sequence[SurveyData], instrument: Instrument) -> list[SurveyData]:
    """Sets of one instrument, oldest wave first."""
    return sorted(
        (s for s in surveys if s.meta.instrument == instrument), key=lambda s: s.meta.wave
    )


def _latest_asking(surveys: Sequence[SurveyData], item: str) -> SurveyData | None:
    asking = [s for s in surveys if s.asks(item)]
    return asking[-1] if asking else None


_EST: tuple[Column, ...] = (
    Column("n", "Base (n)", "int"),
    Column("estimate", "Estimate", "pct"),
    Column("ci", "95% CI", "ci"),
)


class _Gatherer:
    """Runs the analyses for :func:`gather_report`, recording what could not be computed."""

    def __init__(self, min_n: int, progress: ProgressCallback) -> None:
        self.min_n = min_n
        self.progress = progress

    def attempt(
        self, section: ReportSection, what: str, compute: Callable[[], pd.DataFrame]
    ) -> pd.DataFrame | None:
        """Run ``compute``; on a library error, note it in the section and return None."""
        self.progress(f"computing {what}")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", BoundaryWarning)
            try:
                result = compute()
            except GpcollabError as exc:
                section.unavailable.append(f"{what}: not available for these data ({exc})")
                result = None
        boundary = False
        for record in caught:
            if issubclass(record.category, BoundaryWarning):
                boundary = True
            else:  # not ours to swallow: pass it on
                warnings.warn_explicit(
                    record.message, record.category, record.filename, record.lineno
                )
        if boundary and result is not None:
            section.notes.append(
                f"{what}: some estimates are exactly 0% or 100%; their intervals are exact "
                "(Clopper–Pearson-type) boundary intervals."
            )
        return result

    def add(
        self,
        section: ReportSection,
        table: pd.DataFrame | None,
        *,
        key: str,
        title: str,
        columns: Sequence[Column],
        chart: str | None = None,
        chart_options: Mapping[str, Any] | None = None,
        item: str | None = None,
        note: str = "",
        extra_groups: Sequence[str] = (),
    ) -> None:
        """Suppress small cells in ``table`` and add it to ``section``.

        Complementary suppression follows the grouping hint the analysis function stored in
        ``table.attrs["disclosure"]``, extended by ``extra_groups``.
        """
        if table is None:
            return
        if extra_groups:  # columns this module added that split the table into groups
            hint = dict(table.attrs.get("disclosure") or {})
            hint["group_columns"] = [*extra_groups, *hint.get("group_columns", [])]
            table.attrs["disclosure"] = hint
        safe = suppress(table, min_n=self.min_n)
        section.tables.append(
            ReportTable(
                key=key,
                title=title,
                table=safe,
                columns=tuple(c for c in columns if c.name in safe or c.fmt == "ci"),
                chart=chart,
                chart_options=dict(chart_options or {}),
                item=item,
                note=note,
            )
        )


def _tag(table: pd.DataFrame, **columns: Any) -> pd.DataFrame:
    """Copy of ``table`` with constant columns inserted first (keeps ``attrs``)."""
    out = table.copy()
    for position, (name, value) in enumerate(columns.items()):
        out.insert(position, name, value)
    out.attrs = dict(table.attrs)
    return out


def _concat(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    out = pd.concat(list(tables), ignore_index=True)
    synthetic = any(bool(t.attrs.get("synthetic", False)) for t in tables)
    waves = list(dict.fromkeys(t.attrs.get("wave") for t in tables))
    out.attrs = {**tables[0].attrs, "synthetic": synthetic}
    if len(waves) > 1:
        out.attrs["wave"] = waves
    organisations = list(dict.fromkeys(str(t.attrs.get("organisation", "")) for t in tables))
    if len(organisations) > 1:
        out.attrs["organisation"] = organisations
    return out


def gather_report(
    surveys: SurveyData | Iterable[SurveyData],
    *,
    min_n: int = 5,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> ReportContent:
    """Compute every table of the report (no drawing).

    Parameters
    ----------
    surveys : SurveyData or iterable of SurveyData
    min_n : int, default=5
        Disclosure threshold passed to :func:`gpcollab.suppress`.
    n_boot : int, default=500
        Bootstrap replicates for the what-if tables.
    seed : int, default=0
    progress : callable, optional

    Returns
    -------
    ReportContent
    """
    return _gather(surveys, min_n=min_n, n_boot=n_boot, seed=seed, progress=progress)


def _gather(
    surveys: SurveyData | Iterable[SurveyData],
    *,
    min_n: int,
    n_boot: int,
    seed: int,
    progress: ProgressCallback | None,
    ready: Callable[[ReportSection], None] | None = None,
) -> ReportContent:
    """:func:`gather_report`, calling ``ready`` with each section as soon as its tables are
    computed (so that its charts can be drawn while the rest is computed)."""
    sets = _as_list(surveys)
    if min_n < 1:
        raise GpcollabError(f"min_n must be a positive whole number; got {min_n}.")
    if n_boot < 1:
        raise GpcollabError(f"n_boot must be a positive whole number; got {n_boot}.")
    say = progress or (lambda message: None)
    run = _Gatherer(min_n, say)
    sections: list[ReportSection] = []
    for compute in (
        _prevalence_section,
        _aims_section,
        _achievement_section,
        _views_section,
        _contracts_section,
        _support_section,
        functools.partial(_whatif_section, n_boot=n_boot, seed=seed),
    ):
        sections.append(compute(sets, run))
        if ready is not None:
            ready(sections[-1])
    say("checking published findings")
    findings, notes = _findings_check(sets)
    say("collecting assumptions, sources and dataset cards")
    assumptions = _assumptions()
    sources = _sources()
    datasets, cards = _datasets()
    return ReportContent(
        surveys=sets,
        sections=sections,
        findings=findings,
        findings_notes=notes,
        assumptions=assumptions,
        sources=sources,
        datasets=datasets,
        cards=cards,
        min_n=min_n,
        n_boot=n_boot,
    )


# -- analysis sections ---------------------------------------------------------------------


def _prevalence_section(sets: Sequence[SurveyData], run: _Gatherer) -> ReportSection:
    section = ReportSection(
        "prevalence",
        "Membership of collaborations",
        "Share of GP-practice respondents whose practice is part of a collaboration, by wave.",
    )
    gp = [s for s in _of(sets, Instrument.GP) if s.asks("membership")]
    if not gp:
        section.unavailable.append(
            "Membership: no GP-practice set asking about membership was given."
        )
        return section
    tables: list[pd.DataFrame] = []
    for survey in gp:
        table = run.attempt(
            section,
            f"prevalence ({survey.meta.label})",
            lambda survey=survey: analysis.prevalence(survey),  # type: ignore[misc]
        )
        if table is not None:
            tables.append(_tag(table, wave=str(survey.meta.wave)))
    if tables:
        prevalence = _concat(tables)
        if len(gp) >= 2:
            # the rows that mean the same in both waves (formal and informal may not: see
            # headlines) with the design-based test of their change
            changes = run.attempt(
                section,
                f"changes in membership {gp[0].meta.wave} to {gp[-1].meta.wave}",
                lambda: _wave_changes(gp[0], gp[-1], "membership", ("in_collaboration",)),
            )
            if changes is not None:
                prevalence.attrs["wave_changes"] = changes
        run.add(
            section,
            prevalence,
            key="prevalence",
            title="Membership of a collaboration, by wave",
            columns=(Column("wave", "Wave"), Column("membership", "Membership", "label"), *_EST),
            chart="wave_comparison",
            chart_options={"x": "membership", "kind": "dot"},
            extra_groups=("wave",),
        )
    if len(gp) >= 2:
        first, second = gp[0], gp[-1]
        change = run.attempt(
            section,
            f"change in membership {first.meta.wave} to {second.meta.wave}",
            lambda: analysis.compare_waves(first, second, "membership", "in_collaboration"),
        )
        run.add(
            section,
            change,
            key="prevalence_change",
            title=f"Change in the share in a collaboration, {first.meta.wave} to "
            f"{second.meta.wave}",
            columns=(
                Column("option", "Answer", "label"),
                Column("n_first", f"n {first.meta.wave}", "int"),
                Column("estimate_first", str(first.meta.wave), "pct"),
                Column("n_second", f"n {second.meta.wave}", "int"),
                Column("estimate_second", str(second.meta.wave), "pct"),
                Column("difference", "Difference (points)", "pp"),
                Column("ci", "95% CI (points)", "ci"),
                Column("p_value", "p", "p"),
            ),
            note="Difference of two independent samples; interval and p-value design-based.",
        )
    return section


def _wave_changes(
    first: SurveyData, second: SurveyData, item: str, options: Sequence[str]
) -> pd.DataFrame:
    """The design-based test of the change between two waves in the share giving each of
    ``options`` (:func:`gpcollab.compare_waves`, one row each), for a chart's title and its
    marks (:func:`gpcollab.headlines.changed_options`)."""
    rows = [analysis.compare_waves(first, second, item, option) for option in options]
    return pd.concat(rows, ignore_index=True)


def _aims_section(sets: Sequence[SurveyData], run: _Gatherer) -> ReportSection:
    section = ReportSection(
        "aims",
        "Aims chosen, by size of collaboration",
        "Share of collaborating respondents whose collaboration set each aim: collaborations "
        f"under and over {PUBLISHED_SIZE_CUT:,} patients, then each size band.",
    )
    survey = _latest_asking(_of(sets, Instrument.GP), "aims")
    if survey is None:
        section.unavailable.append("Aims: no set given asks which aims the collaboration set.")
        return section
    label = survey.meta.label

    # the chart shows the publication's own contrast, the table after it the five bands
    table = run.attempt(
        section,
        f"aims chosen by size, under / over {PUBLISHED_SIZE_CUT:,} patients ({label})",
        lambda: analysis.aims_chosen(survey, by=_published_size_groups(survey)),
    )
    # the design-based tests a chart title may rest on (headlines.supported_differences), on
    # the same groups the chart shows
    tests = run.attempt(
        section,
        f"differences in aims chosen by size, under / over {PUBLISHED_SIZE_CUT:,} patients "
        f"({label})",
        lambda: _aims_differences(survey, _published_size_groups(survey)),
    )
    if table is not None and tests is not None:
        table.attrs["differences"] = tests
    group = _group_column(table, "size_band") if table is not None else "size_group"
    run.add(
        section,
        table,
        key="aims_by_size",
        title=f"Aims chosen by size of collaboration (under / over {PUBLISHED_SIZE_CUT:,} "
        f"patients) — {label}",
        columns=(Column(group, "Size", "label"), Column("aim", "Aim", "label"), *_EST),
        chart="rates",
        chart_options={"x": "aim", "hue": group, "kind": "dot"},
    )
    detailed = run.attempt(
        section,
        f"aims chosen by size band ({label})",
        lambda: analysis.aims_chosen(survey, by="size_band"),
    )
    run.add(
        section,
        detailed,
        key="aims_by_size_detail",
        title=f"Aims chosen by size band (five bands) — {label}",
        columns=(Column("size_band", "Size", "label"), Column("aim", "Aim", "label"), *_EST),
    )
    return section


def _published_size_groups(survey: SurveyData) -> pd.Series:
    """Each respondent's collaboration under or over 100,000 patients, the publication's own
    size contrast (findings S-14, S-21; :func:`gpcollab.whatif.reband`). Called inside each
    table's attempt, so that a set without sizes loses those tables, not the report."""
    return whatif.reband(survey, PUBLISHED_SIZE_CUT)


def _aims_differences(survey: SurveyData, by: str | pd.Series) -> pd.DataFrame:
    """Design-based tests (:func:`gpcollab.compare_domains`) of every pair of groups' shares
    choosing each aim (``by``: a respondent column, or a Series aligned with the respondents,
    such as :func:`gpcollab.whatif.reband`'s), with the base of :func:`gpcollab.aims_chosen`
    (respondents in a collaboration, where membership is asked): the others stay in the design
    as outside every domain, as R's ``svyby`` on a subset does."""
    chosen = survey.aims_wide().notna().to_numpy()
    base = (
        survey.collaborating().to_numpy()
        if survey.asks("membership")
        else np.ones(len(survey.respondents), dtype=bool)
    )
    groups = (by if isinstance(by, pd.Series) else survey.respondents[by]).reset_index(drop=True)
    name = str(groups.name)
    tables = []
    for column, aim in enumerate(Aim.values()):
        data = pd.DataFrame({"chosen": np.where(base, chosen[:, column], np.nan), name: groups})
        tests = compare_domains(data, "chosen", by=name, na_rm=True)
        tests.insert(0, "aim", aim)
        tables.append(tests)
    return pd.concat(tables, ignore_index=True)


_ACHIEVEMENT_BY: tuple[tuple[str, str, str], ...] = (
    ("size_band", "size of collaboration", "Size"),
    ("age_band", "age of collaboration", "Age"),
    ("level", "level of operation", "Level"),
    ("funding", "receipt of GP Access Fund / Challenge Fund money", "Funding"),
)

PUBLISHED_SIZE_CUT = 100_000
"""Registered patients at which the 2017 publication contrasts smaller and larger
collaborations (findings S-14, S-21). The chart of full achievement by size uses this banding:
in five bands most of the aims' cells are based on fewer than the disclosure threshold, so
most aims would be left out of the chart; the five bands stay in a table of their own."""


def _fully_only(table: pd.DataFrame) -> pd.DataFrame:
    out = table.loc[table["outcome"].astype(str) == Achievement.FULLY.value].reset_index(drop=True)
    out.attrs = dict(table.attrs)
    return out


def _achievement_section(sets: Sequence[SurveyData], run: _Gatherer) -> ReportSection:
    section = ReportSection(
        "achievement",
        "How far aims were achieved",
        "Outcomes by aim among collaborations that set the aim. Unless stated, “too early to "
        "say” is left out of the base; “don’t know” is always left out.",
    )
    survey = _latest_asking(_of(sets, Instrument.GP), "aims")
    if survey is None:
        section.unavailable.append(
            "Achievement: no set given asks how far the collaboration's aims were achieved."
        )
        return section
    label = survey.meta.label
    stacked = run.attempt(
        section,
        f"achievement by aim ({label})",
        lambda: analysis.achievement_rates(survey, too_early="separate"),
    )
    run.add(
        section,
        stacked,
        key="achievement_by_aim",
        title=f"Outcome by aim (too early to say shown separately) — {label}",
        columns=(Column("aim", "Aim", "label"), Column("outcome", "Outcome", "label"), *_EST),
        chart="achievement",
        chart_options={"order": "questionnaire"},
    )
    for by, words, header in _ACHIEVEMENT_BY:

        def domains(by: str = by) -> str | pd.Series:
            """The groups: for size, the publication's own contrast (the five bands follow in
            a table of their own)."""
            return _published_size_groups(survey) if by == "size_band" else by

        if by == "size_band":
            words = f"size of collaboration (under / over {PUBLISHED_SIZE_CUT:,} patients)"
        table = run.attempt(
            section,
            f"fully achieved by {words} ({label})",
            lambda domains=domains: analysis.achievement_rates(  # type: ignore[misc]
                survey, by=domains()
            ),
        )
        if table is None:
            continue
        group = _group_column(table, by)
        fully = _fully_only(table)
        # the design-based tests a chart title may rest on (headlines.supported_differences),
        # on the same groups the chart shows
        tests = run.attempt(
            section,
            f"differences in full achievement by {words} ({label})",
            lambda domains=domains: analysis.achievement_differences(  # type: ignore[misc]
                survey, by=domains()
            ),
        )
        if tests is not None:
            fully.attrs["differences"] = tests
        run.add(
            section,
            fully,
            key=f"fully_by_{by}",
            title=f"Aims fully achieved, by {words} — {label}",
            columns=(
                Column(group, header, "label"),
                Column("aim", "Aim", "label"),
                *_EST,
            ),
            chart="rates",
            chart_options={"x": "aim", "hue": group, "kind": "dot"},
        )
        if by == "size_band":
            detailed = run.attempt(
                section,
                f"fully achieved by size band ({label})",
                lambda: analysis.achievement_rates(survey, by="size_band"),
            )
            if detailed is not None:
                run.add(
                    section,
                    _fully_only(detailed),
                    key="fully_by_size_band_detail",
                    title=f"Aims fully achieved, by size band (five bands) — {label}",
                    columns=(
                        Column("size_band", header, "label"),
                        Column("aim", "Aim", "label"),
                        *_EST,
                    ),
                )
    anyfull = run.attempt(
        section,
        f"any aim fully achieved ({label})",
        lambda: analysis.any_fully_achieved(survey),
    )
    run.add(
        section,
        anyfull,
        key="any_fully",
        title=f"Collaborations that fully achieved at least one aim — {label}",
        columns=_EST,
    )
    return section


def _group_column(table: pd.DataFrame, by: str) -> str:
    """Name of the grouping column ``achievement_rates(by=by)`` produced."""
    if by in table.columns:
        return by
    if by == "size_band" and "size_group" in table.columns:  # whatif.reband's groups
        return "size_group"
    for column in table.columns:
        if str(column).startswith(by):
            return str(column)
    return by


def _views_section(sets: Sequence[SurveyData], run: _Gatherer) -> ReportSection:
    section = ReportSection(
        "stp",
        "Views of sustainability and transformation partnerships (STPs)",
        "GP-practice and CCG respondents of the same wave compared.",
    )
    gp, ccg = _of(sets, Instrument.GP), _of(sets, Instrument.CCG)
    pairs = [
        (g, c)
        for g in gp
        for c in ccg
        if g.meta.wave == c.meta.wave and g.asks("stp_influence") and c.asks("stp_influence")
    ]
    if not pairs:
        section.unavailable.append(
            "STP views: needs a GP-practice set and a CCG set of the same wave that both ask "
            "about STPs."
        )
        return section
    g, c = pairs[-1]
    for item, words in (("stp_influence", "influence of practices"), ("stp_change", "change")):
        if not (g.asks(item) and c.asks(item)):
            section.unavailable.append(f"STP views ({words}): {item!r} not asked by both sets.")
            continue
        table = run.attempt(
            section,
            f"STP views: {words} ({g.meta.wave})",
            lambda item=item: analysis.stp_views(g, c, item=item),  # type: ignore[misc]
        )
        run.add(
            section,
            table,
            key=item,
            title=f"{ITEMS[item].question} — GP practices vs CCGs, {g.meta.wave}",
            columns=(
                Column("instrument", "Respondents", "label"),
                Column("option", "Answer", "label"),
                *_EST,
            ),
            chart="likert",
            chart_options={"hue": "instrument"},
            item=item,
        )
    return section


def _option_table(
    run: _Gatherer,
    section: ReportSection,
    survey: SurveyData,
    item: str,
    compute: Callable[[SurveyData], pd.DataFrame],
    *,
    chart: str = "rates",
) -> None:
    chart_options: dict[str, Any] = {"hue": None} if chart == "likert" else {"x": "option"}
    table = run.attempt(section, f"{item} ({survey.meta.label})", lambda: compute(survey))
    if table is not None:  # the charts label the answers and the axis with the item's words
        table.attrs["item"] = item
    run.add(
        section,
        table,
        key=f"{item}_{survey.meta.wave}_{survey.meta.instrument.value}",
        title=f"{ITEMS[item].question} — {survey.meta.label}",
        columns=(Column("option", "Answer", "label"), *_EST),
        chart=chart,
        chart_options=chart_options,
        item=item,
        note="Several answers could be ticked; shares need not add to 100%."
        if ITEMS[item].kind == "multi"
        else "",
    )


def _contracts_section(sets: Sequence[SurveyData], run: _Gatherer) -> ReportSection:
    section = ReportSection(
        "contracts",
        "Willingness to give up the practice contract",
        "Asked of GP partners; reasons asked of those unwilling.",
    )
    survey = _latest_asking(_of(sets, Instrument.GP), "contract_willingness")
    if survey is None:
        section.unavailable.append("Contract willingness: no GP-practice set given asks about it.")
    else:
        _option_table(
            run,
            section,
            survey,
            "contract_willingness",
            analysis.contract_willingness,
            chart="likert",
        )
        if survey.asks("contract_reasons"):
            _option_table(run, section, survey, "contract_reasons", analysis.contract_reasons)
        else:
            section.unavailable.append(f"Reasons: the {survey.meta.label} set does not ask them.")
    return section


def _support_section(sets: Sequence[SurveyData], run: _Gatherer) -> ReportSection:
    section = ReportSection(
        "ccg_support",
        "Support from clinical commissioning groups",
        "What CCG respondents said their CCG does to support collaboration, by wave.",
    )
    ccg = [s for s in _of(sets, Instrument.CCG) if s.asks("ccg_support")]
    if not ccg:
        section.unavailable.append("CCG support: no CCG set given asks about it.")
        return section
    if len(ccg) == 1:
        _option_table(run, section, ccg[0], "ccg_support", analysis.ccg_support)
        return section
    tables: list[pd.DataFrame] = []
    for survey in ccg:
        table = run.attempt(
            section,
            f"ccg_support ({survey.meta.label})",
            lambda survey=survey: analysis.ccg_support(survey),  # type: ignore[misc]
        )
        if table is not None:
            tables.append(_tag(table, wave=str(survey.meta.wave)))
    if tables:
        waves = " and ".join(str(s.meta.wave) for s in ccg)
        support = _concat(tables)
        options = [str(o) for o in pd.unique(support["option"].astype(str))]
        changes = run.attempt(
            section,
            f"changes in CCG support {ccg[0].meta.wave} to {ccg[-1].meta.wave}",
            lambda: _wave_changes(ccg[0], ccg[-1], "ccg_support", options),
        )
        if changes is not None:
            support.attrs["wave_changes"] = changes
        run.add(
            section,
            support,
            key="ccg_support",
            title=f"{ITEMS['ccg_support'].question} — CCG staff surveys {waves}",
            columns=(Column("wave", "Wave"), Column("option", "Answer", "label"), *_EST),
            chart="rates",
            chart_options={"x": "option", "hue": "wave", "kind": "dot"},
            item="ccg_support",
            note="Several answers could be ticked; shares need not add to 100%.",
            extra_groups=("wave",),
        )
    return section


def _whatif_section(
    sets: Sequence[SurveyData], run: _Gatherer, *, n_boot: int, seed: int
) -> ReportSection:
    section = ReportSection(
        "whatif",
        "What if collaborations were organised differently?",
        "Share of collaborations fully achieving an aim if the mix of size, age, level and "
        "funding were different (g-computation on a design-based logistic model; percentile "
        f"bootstrap intervals from {n_boot} replicates), and the same model applied to the "
        "real size distribution of primary care networks (PCNs) in December 2019.",
    )
    survey = _latest_asking(_of(sets, Instrument.GP), "aims")
    if survey is None:
        section.unavailable.append("What-if: needs a set that asks about aims and achievement.")
        return section
    label = survey.meta.label
    if survey.asks("size_band"):
        sizes = run.attempt(
            section,
            f"size of collaborations ({label})",
            lambda: _with_pcn_shares(analysis.distribution(survey, "size_band")),
        )
        run.add(
            section,
            sizes,
            key="size_distribution",
            title=f"Size of collaborations ({label}) beside the size of PCNs (December 2019)",
            # both sides of the chart: the respondents' shares and the PCNs' (real data)
            columns=(
                Column("option", "Registered patients covered", "label"),
                Column("n", "Respondents (n)", "int"),
                Column("estimate", "Respondents", "pct"),
                Column("ci", "95% CI", "ci"),
                Column("pcn_practices", "Practices in PCNs (n)", "int"),
                Column("pcn_share", "Practices in PCNs", "pct"),
                Column("pcns", "PCNs (n)", "int"),
            ),
            chart="size_distribution",
            item="size_band",
            note="The chart adds the real sizes of the 1,250 PCNs of December 2019 "
            "(NHS Digital, Open Government Licence v3.0).",
        )
    # the first aim (in the order of WHATIF_AIMS) whose model can be fitted to these data
    run.progress("choosing the aim for the what-if model")
    aim: Aim | None = None
    skipped: list[str] = []
    for candidate in WHATIF_AIMS:
        try:
            model = achievement_model(survey, candidate.value)
        except MissingItemError as exc:  # the set does not ask what the model needs
            section.unavailable.append(f"What-if: {exc}")
            return section
        except (ConvergenceError, DesignError) as exc:
            skipped.append(f"“{candidate.label}” ({exc})")
            continue
        aim = candidate
        break
    if skipped:
        section.notes.append(
            "Aims left out of the what-if because their model cannot be fitted to these data: "
            + "; ".join(skipped)
        )
    if aim is None:
        section.unavailable.append("What-if: no aim's achievement model could be fitted.")
        return section
    scenarios = [
        whatif.Scenario("All 30,000-49,999 patients (PCN size)", set={"size_band": "30k_50k"}),
        whatif.Scenario("All 100,000-249,999 patients", set={"size_band": "100k_250k"}),
        whatif.Scenario("All older by one age band", shift={"age_band": 1}),
        whatif.Scenario("All working at whole-CCG level", set={"level": "single_ccg"}),
        whatif.Scenario("All with Access / Challenge Fund money", set={"funding": True}),
    ]
    table = run.attempt(
        section,
        f"what-if scenarios for “{aim.label}” ({label}, {n_boot} bootstrap replicates)",
        lambda: _by_difference(
            whatif.standardise(survey, aim.value, scenarios, n_boot=n_boot, seed=seed, model=model)
        ),
    )
    run.add(
        section,
        table,
        key="scenarios",
        title=f"Fully achieved “{aim.label}” under other mixes — {label}",
        columns=(
            Column("scenario", "Scenario"),
            Column("n", "Model base (n)", "int"),
            Column("estimate", "Estimate", "pct"),
            Column("ci", "95% bootstrap CI", "ci"),
            Column("difference", "Difference vs observed (points)", "pp"),
            # the interval the chart draws around each difference
            Column("difference_ci_low", "Difference, 95% CI from", "pp"),
            Column("difference_ci_high", "to", "pp"),
        ),
        chart="scenarios",
        # the title's claim is about differences from observed: the chart draws them
        chart_options={"y": "scenario", "show": "difference"},
    )
    projection = run.attempt(
        section,
        f"PCN projection for “{aim.label}” ({label}, {n_boot} bootstrap replicates)",
        lambda: whatif.pcn_projection(survey, aim.value, n_boot=n_boot, seed=seed),
    )
    run.add(
        section,
        projection,
        key="pcn_projection",
        title=f"Projected share fully achieving “{aim.label}”, by PCN size — real PCNs, "
        "December 2019",
        columns=(
            Column("size_band", "PCN size", "label"),
            Column("pcns", "PCNs", "int"),
            Column("share_of_pcns", "Share of PCNs", "pct"),
            Column("estimate", "Projected estimate", "pct"),
            Column("ci", "95% bootstrap CI", "ci"),
        ),
        chart="scenarios",
        chart_options={"y": "size_band", "reference": "all_pcns"},
        note="PCN counts are real (NHS Digital, Open Government Licence v3.0). The projected "
        "shares apply the model fitted to the response set to networks of each size, taken "
        "as formed less than a year earlier; a what-if, not a forecast.",
    )
    return section


# -- findings, assumptions, sources -----------------------------------------------------------


def _findings_check(sets: Sequence[SurveyData]) -> tuple[pd.DataFrame, list[str]]:
    tables: list[pd.DataFrame] = []
    notes: list[str] = []
    for survey in sets:
        try:
            table = findings_module.verify_findings(survey)
        except GpcollabError as exc:
            notes.append(f"{survey.meta.label}: findings could not be checked ({exc}).")
            continue
        if len(table) == 0:
            notes.append(
                f"{survey.meta.label}: the register has no published finding for this wave "
                "and instrument."
            )
            continue
        tables.append(_tag(table, survey=survey.meta.label))
    if not tables:
        return pd.DataFrame({"survey": [], "finding_id": [], "status": []}), notes
    return pd.concat(tables, ignore_index=True), notes


def _assumptions() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for row in findings_module.load_assumptions().to_dict(orient="records"):
        record = {str(key): value for key, value in row.items()}
        options = findings_module.get_assumption(str(record["assumption_id"])).options
        record["option_descriptions"] = {
            str(name): str(spec.get("description", "")) for name, spec in options.items()
        }
        records.append(record)
    return records


def _sources() -> pd.DataFrame:
    register = findings_module.load_findings()
    table = register.assign(
        source_url=register["source_url"].fillna("").astype(str),
        source_title=register["source_title"].fillna("").astype(str),
    )
    grouped = (
        table.groupby(["source_title", "source_url"], sort=False)["finding_id"]
        .agg(lambda ids: ", ".join(map(str, ids)))
        .reset_index()
        .rename(columns={"finding_id": "findings"})
    )
    return pd.DataFrame(grouped)


def _datasets() -> tuple[pd.DataFrame, dict[str, str]]:
    listing = list_datasets()
    cards = {
        str(name): dataset_card(str(name))
        for name, synthetic in zip(listing["name"], listing["synthetic"], strict=True)
        if not bool(synthetic)
    }
    return listing, cards


# --------------------------------------------------------------------------- stage 2: figures


def render_figures(
    content: ReportContent,
    figure_dir: str | Path,
    *,
    progress: ProgressCallback | None = None,
    dpi: int = 110,
) -> list[ReportFigure]:
    """Draw one chart per report table that asks for one, and write it as PNG.

    Charts are drawn on :class:`matplotlib.figure.Figure` objects with the Agg canvas (no
    pyplot state, no change to ``rcParams``). The chart footer carries the synthetic notice
    when the table came from a synthetic set (added by the plotting helpers).

    Parameters
    ----------
    content : ReportContent
    figure_dir : str or pathlib.Path
        Folder for the PNG files (created if needed).
    progress : callable, optional
    dpi : int, default=110

    Returns
    -------
    list of ReportFigure
        In page order.
    """
    with _Drawing(dpi) as drawing:
        for section in content.sections:
            drawing.add(section)
        return drawing.write(figure_dir, progress=progress)


@dataclass(frozen=True)
class _Chart:
    """A chart on its way: where it goes, its text, and its two layouts being drawn."""

    section: ReportSection
    item: ReportTable
    text: ChartText
    wide: Callable[[], Drawn]
    narrow: Callable[[], Drawn]


class _Drawing:
    """The report's figures, drawn while the rest of the report is still being computed.

    :meth:`add` hands the charts of a finished section to the :class:`_Painter` (two worker
    processes where it can: the first section's figures are being drawn while the next
    section is computed); :meth:`write` waits for them in page order and writes the files.
    Use it as a context manager, so that the workers stop whatever happens.
    """

    def __init__(self, dpi: int) -> None:
        self.dpi = dpi
        self.painter = _Painter()
        self.painter.start()  # the workers get ready while the first tables are computed
        self.charts: list[_Chart] = []

    def __enter__(self) -> _Drawing:
        return self

    def __exit__(self, *exc: object) -> None:
        self.painter.close()

    def add(self, section: ReportSection) -> None:
        """Start drawing the charts of ``section`` (its tables are final)."""
        for item in section.tables:
            if item.chart is None:
                continue
            if _shown(item.table) == 0:
                section.unavailable.append(
                    f"{item.title}: no chart, every cell is suppressed by disclosure control."
                )
                continue
            text = chart_text(item.key, item.table, item.title)
            drawn = _for_drawing(item)
            wide = self.painter.submit((drawn, text, WIDE_INCHES, self.dpi, True))
            narrow_dpi = round(self.dpi * 1.55)
            narrow = self.painter.submit((drawn, text, NARROW_INCHES, narrow_dpi, False))
            self.charts.append(_Chart(section, item, text, wide, narrow))

    def write(
        self, figure_dir: str | Path, *, progress: ProgressCallback | None = None
    ) -> list[ReportFigure]:
        """Wait for every chart added, write its files; the figures in page order."""
        say = progress or (lambda message: None)
        folder = output_folder(figure_dir)
        narrow_folder = subfolder(folder, "narrow")
        say(f"drawing {len(self.charts)} figures, wide and narrow")
        out: list[ReportFigure] = []
        for number, chart in enumerate(self.charts, start=1):
            wide_drawn, narrow_drawn = chart.wide(), chart.narrow()
            say(f"drew figure {number} of {len(self.charts)}: {chart.item.title}")
            if isinstance(wide_drawn, str) or isinstance(narrow_drawn, str):
                failed = wide_drawn if isinstance(wide_drawn, str) else narrow_drawn
                chart.section.unavailable.append(
                    f"{chart.item.title}: the chart could not be drawn ({failed})"
                )
                continue
            (wide, svg), (narrow, _) = wide_drawn, narrow_drawn
            name = f"fig{len(out) + 1:02d}_{chart.item.key}.png"
            path = write_bytes(folder / name, wide)
            svg_path = write_bytes(folder / name.replace(".png", ".svg"), svg)
            narrow_path = write_bytes(narrow_folder / name, narrow)
            out.append(
                ReportFigure(
                    chart.item.key,
                    chart.item.title,
                    path,
                    wide,
                    headline=chart.text.title,
                    base=chart.text.base,
                    note=chart.text.note,
                    method=chart.text.method,
                    narrow_path=narrow_path,
                    narrow_png=narrow,
                    svg_path=svg_path,
                )
            )
        return out


def _for_drawing(item: ReportTable) -> ReportTable:
    """``item`` with a table whose ``attrs`` leave out the tables stored there (the tests
    behind a headline, which :func:`gpcollab.headlines.chart_text` has already read), keeping
    the aim its title names (``attrs["titled_aim"]``), whose row is drawn first, and the two
    cells it compares (``attrs["titled_cells"]``), and the aims and cells whose groups differ
    significantly (``attrs["differing_aims"]``, ``attrs["differing_cells"]``) and the answers
    whose change between waves is significant (``attrs["changed_options"]``), set in bold.

    pandas deep-copies ``attrs`` into the result of every operation on a table, and the
    plotting helpers run many; a table in ``attrs`` made each of them copy that table too.
    """
    kept = {k: v for k, v in item.table.attrs.items() if not isinstance(v, pd.DataFrame)}
    if len(kept) == len(item.table.attrs):
        return item
    cells = titled_cells(item.table)  # read from the tests before they are left out
    if cells:
        kept["titled_aim"] = cells[0][1]
        kept["titled_cells"] = cells
    kept["differing_aims"] = differing_aims(item.table)
    kept["differing_cells"] = differing_cells(item.table)
    kept["changed_options"] = changed_options(item.table)
    table = item.table.copy(deep=False)
    table.attrs = kept
    return replace(item, table=table)


WIDE_INCHES = 8.5
"""Width of the report's figures on a wide screen."""

NARROW_INCHES = 3.9
"""Width of the phone layout of each figure (drawn at a higher resolution)."""


def _render(
    item: ReportTable, text: ChartText, width: float, dpi: int, *, svg: bool = False
) -> tuple[bytes, bytes]:
    """Draw ``item``'s chart on a new Agg figure ``width`` inches wide; return the PNG bytes
    and, with ``svg``, the same figure as SVG (text as text, for print), else empty bytes."""
    from matplotlib import rc_context  # heavy: matplotlib

    # drawn at the resolution it is saved at: every text is measured once, at that resolution
    figure = _drawn_figure(item, text, width, dpi)
    _settle(figure, dpi)
    buffer = io.BytesIO()
    figure.savefig(
        buffer, format="png", dpi=dpi, metadata={"Software": None}, pil_kwargs=_PNG_OPTIONS
    )
    vector = io.BytesIO()
    if svg:  # the same layout written out (no hash salt: same bytes every run)
        with rc_context({"svg.fonttype": "none", "svg.hashsalt": "gpcollab"}):
            figure.savefig(vector, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue(), vector.getvalue()


_PNG_OPTIONS: Mapping[str, Any] = {"compress_level": 3}
"""zlib level of the figures' PNGs: the same pixels as the default level 6, written in about
half the time, and (for these flat-coloured charts) about a tenth smaller."""


def _settle(figure: Any, dpi: int) -> None:
    """Lay ``figure`` out once at ``dpi`` and fix that layout, so that saving it draws it once.

    The charts are drawn and measured at the resolution they are saved at (the figure is made
    at it), so this last layout finds every text already measured; it is the one ``savefig``
    would make (the PNG has the same pixels). With the layout engine removed, each ``savefig``
    draws the figure once instead of laying it out and walking it twice, and the SVG reuses
    the same layout.
    """
    from matplotlib import rc_context  # heavy: matplotlib

    engine = figure.get_layout_engine()
    if engine is None:
        return
    figure.set_dpi(dpi)
    engine.execute(figure)
    # with these two settings off, None removes the engine (no placeholder engine is left,
    # which would still make savefig walk the figure once before drawing it)
    with rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        figure.set_layout_engine(None)


def balanced_lines(text: str, width: int) -> list[str]:
    """``text`` wrapped in as few lines of at most ``width`` characters as it needs, each about
    as long as the others: a headline never leaves a word or two alone on its last line.

    Parameters
    ----------
    text : str
        The words to wrap.
    width : int
        Most characters a line may hold.

    Returns
    -------
    list of str
        The lines: as many as plain wrapping to ``width`` gives (between words, never at a
        hyphen), at the narrowest width that still gives that many.
    """
    # never broken at a hyphen: a range such as 30,000-49,999 stays on one line
    lines = textwrap.wrap(text, width, break_on_hyphens=False)
    if len(lines) < 2:
        return lines
    narrowest = width
    while narrowest > 1 and len(textwrap.wrap(text, narrowest - 1, break_on_hyphens=False)) == len(
        lines
    ):
        narrowest -= 1
    return textwrap.wrap(text, narrowest, break_on_hyphens=False)


def _drawn_figure(item: ReportTable, text: ChartText, width: float, dpi: float = 100.0) -> Any:
    """``item``'s chart drawn on a new Agg figure ``width`` inches wide at ``dpi``, as the report
    draws it (:func:`_height`, :func:`_compose`), before its layout is fixed for saving.

    Parameters
    ----------
    item : ReportTable
        The table and its chart, with the tests behind its title set aside
        (:func:`_for_drawing`).
    text : ChartText
        Its title, base line and note (:func:`gpcollab.headlines.chart_text`).
    width : float
        Width in inches.
    dpi : float, default=100
        Resolution the texts are measured at.

    Returns
    -------
    matplotlib.figure.Figure
    """
    # heavy: matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, _height(item, width, text.note)), dpi=dpi, layout="constrained")
    canvas: Any = FigureCanvasAgg(figure)
    # the renderer every layout, measurement and the PNG use while the size stays the same
    canvas.get_renderer()._get_font_height_metrics = _font_heights(figure)
    _compose(figure, item, text)
    return figure


_LINE_METRICS = (
    ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
    ("hhea", "lineGap", "ascent", "descent"),
)
"""Font tables that give a line's height, in the order matplotlib reads them (``Text``)."""


def _font_heights(figure: Any) -> Callable[[Any], tuple[float | None, ...]]:
    """A font's ascent, descent and line gap in pixels on ``figure``, looked up once per font.

    matplotlib (3.11) lays out every text line by line; for each it finds the font again and
    reads these three numbers from the font's tables (``Text._get_layout``), thousands of times
    per chart, in each of its layout passes and again when it is drawn: about a tenth of the
    time a report figure takes. A renderer may answer them itself (the hook
    ``_get_font_height_metrics``, which the PDF and PostScript backends use); this one reads
    the same tables, by the same rule, once per font, size and resolution, so the figure is
    laid out and drawn exactly as without it (``tests/test_report.py`` checks this against
    matplotlib's own measurement). A matplotlib without the hook never calls it.
    """
    from matplotlib.font_manager import fontManager, get_font  # heavy: matplotlib

    known: dict[tuple[Any, ...], tuple[float | None, ...]] = {}

    def heights(prop: Any) -> tuple[float | None, ...]:
        dpi = figure.dpi  # as Text reads it: the figure's resolution at the time
        key = (
            tuple(prop.get_family()),
            prop.get_slant(),
            prop.get_variant(),
            prop.get_weight(),
            prop.get_stretch(),
            prop.get_size_in_points(),
            prop.get_file(),
            prop.get_math_fontfamily(),
            dpi,
        )
        found = known.get(key)
        if found is None:
            found = (None, None, None)  # no table: matplotlib measures the text instead
            font: Any = get_font(fontManager._find_fonts_by_props(prop))
            for table_name, gap, ascent, descent in _LINE_METRICS:
                table = font.get_sfnt_table(table_name)
                if table is None:
                    continue
                # the same arithmetic in the same order, so the same floating-point numbers
                units_per_em = font.get_sfnt_table("head")["unitsPerEm"]
                scale = 1 / units_per_em * prop.get_size_in_points() * dpi / 72
                found = (table[ascent] * scale, -table[descent] * scale, table[gap] * scale)
                break
            known[key] = found
        return found

    return heights


def _compose(figure: Any, item: ReportTable, text: ChartText) -> None:
    """Draw ``item``'s chart on ``figure`` (sized by :func:`_height`) with its headline and base
    line above it and its note among the notes of its footer."""
    ax = figure.add_subplot()
    # both first, so that the chart is fitted to what is left: a chart that places text by
    # measuring its own laid-out axes (the names of the groups beside their dots) measures
    # the axes it keeps; the note then comes before the chart's own notes in the footer
    _frame(figure, text.title, text.base)
    plotting.add_footnote(figure, text.note)
    _draw(item, ax)


def _frame(figure: Any, title: str, base: str) -> None:
    """Write the headline (bold) and the base line (grey) at the top left of ``figure``, and
    keep room for them in the constrained layout (above the chart and its legend)."""
    # heavy: matplotlib
    from matplotlib.layout_engine import ConstrainedLayoutEngine
    from matplotlib.transforms import ScaledTranslation

    width_in = float(figure.get_figwidth())
    height_in = float(figure.get_figheight())
    y_in = 0.1
    for words, size, weight, colour in (
        (title, 11.5, "bold", "#1d1d1d"),
        (base, 8.5, "normal", "#4a4a4a"),
    ):
        if not words:
            continue
        chars = max(int((width_in - 0.3) * 72 / (size * (0.66 if weight == "bold" else 0.6))), 20)
        lines = balanced_lines(words, chars) if weight == "bold" else textwrap.wrap(words, chars)
        artist = figure.text(
            0.0,
            1.0,
            "\n".join(lines),
            ha="left",
            va="top",
            fontsize=size,
            fontweight=weight,
            color=colour,
            gid="headline" if weight == "bold" else "base",
            transform=figure.transFigure + ScaledTranslation(0.1, -y_in, figure.dpi_scale_trans),
        )
        # placed by font size, not by measurement, so that any resolution keeps the spacing
        y_in += (artist.get_text().count("\n") + 1) * size * 1.22 / 72 + 0.08
    engine = figure.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        rect = engine.get().get("rect") or (0.0, 0.0, 1.0, 1.0)
        bottom = float(rect[1])
        top = 1.0 - (y_in + 0.05) / height_in
        engine.set(rect=(0.0, bottom, 1.0, max(top - bottom, 0.2)))


def _height(item: ReportTable, width: float = WIDE_INCHES, note: str = "") -> float:
    """Figure height in inches for the chart of ``item`` drawn ``width`` inches wide, with
    ``note`` (:attr:`gpcollab.headlines.ChartText.note`) in its footer."""
    height = _chart_height(item, width)
    # the footer's type size depends on the figure's height: measured at the height it makes
    first = plotting.footnote_height(note, width=width, height=height)
    return height + plotting.footnote_height(note, width=width, height=height + first)


def _chart_height(item: ReportTable, width: float) -> float:
    """Figure height in inches for the chart of ``item`` drawn ``width`` inches wide, its
    footer's own notes included but not the chart's note."""
    narrow = width < 6
    header = 1.5 if narrow else 1.0  # headline, base line, legend
    footer = 1.15 if narrow else 0.55  # the phone footer is set larger (plotting)
    table = item.table
    _, options = _chart_call(item)
    if options.get("kind") == "panels":
        x, hue = str(options["x"]), options.get("hue")
        hidden = "suppressed" in table and bool(table["suppressed"].astype(bool).any())
        notes = (0.7 if narrow else 0.3) if hidden else 0.0  # what [c] means, aims left out
        return (
            header
            + footer
            + notes
            + 0.45
            + plotting.panel_height(table, x=x, hue=hue, width=width, row=0.19 if narrow else 0.2)
        )
    if item.chart == "likert":
        hue = item.chart_options.get("hue")
        bars = table[hue].nunique() if hue in table else 1
        # on a phone each bar has its label above it and small segments' values below it
        return header + footer + (0.9 + 1.1 * bars if narrow else 0.75 + 0.6 * bars)
    if item.chart == "scenarios":
        rows = len(table) - (item.chart_options.get("show") == "difference")  # observed: a line
        return header + footer + 0.6 + (0.62 if narrow else 0.5) * rows
    if item.chart_options.get("kind") == "dot":
        x = str(item.chart_options.get("x"))
        hue = item.chart_options.get("hue")
        if hue is None and item.chart == "wave_comparison":  # the waves side by side
            hue = "wave"
        rows, dots = plotting.dot_shape(table, x=x, hue=hue)
        # groups compared write each dot's value on its own line: a line of text a dot
        per_dot = (0.15 if narrow else 0.17) if hue not in (None, "wave") else 0.12
        per_row = max(0.6 if narrow else 0.42, (per_dot * dots + 0.22) * (1.15 if narrow else 1.0))
        if narrow:  # each row's label on its own lines above its dots
            lines = plotting.dot_label_lines(table, x=x, width=width)
            per_row = (per_dot * dots + 0.22) * 1.15 + 0.17 * lines
        notes = 0.0
        if "suppressed" in table and bool(table["suppressed"].astype(bool).any()):
            notes = 0.7 if narrow else 0.3  # what [c] means, rows or groups left out
        if hue not in (None, "wave"):  # groups named beside their dots: no legend to hold
            header -= 0.35 if narrow else 0.25
        return header + footer + notes + 0.5 + per_row * rows
    if item.chart == "achievement" and narrow:  # each bar's label on its own line above it
        return header + footer + 0.6 + 0.62 * table["aim"].nunique()
    return header + footer + (4.2 if narrow else 3.6)


def _chart_helpers() -> dict[str, Callable[..., Axes]]:
    return {
        "wave_comparison": plotting.plot_wave_comparison,
        "achievement": plotting.plot_achievement,
        "rates": plotting.plot_rates,
        "likert": plotting.plot_likert,
        "scenarios": plotting.plot_scenarios,
        "size_distribution": plotting.plot_size_distribution,
    }


_ASSUMED_CELLS: Mapping[str, tuple[tuple[str, Mapping[str, str]], ...]] = {
    # A-18: in 2017 formal plus informal add up to the total, so the reconstruction gives
    # nobody "both": a zero set by the assumption, not measured
    "prevalence": (("A-18", {"wave": "2017", "membership": "both"}),),
}
"""Cells of the synthetic sets whose value an assumption of the reconstruction fixes, by
report table: (assumption id, the cell's column values)."""


def _with_pcn_shares(sizes: pd.DataFrame) -> pd.DataFrame:
    """The size distribution of collaborations with, for each size band, the practices in
    PCNs of that size in December 2019 (their number, their share of all practices in PCNs)
    and the number of PCNs: the figures the chart draws beside the respondents' shares
    (:func:`gpcollab.pcn_size_shares`, real NHS Digital data)."""
    pcns = whatif.pcn_size_shares().set_index("size_band")
    band = sizes["option"].astype(str)
    out = sizes.assign(
        pcn_practices=band.map(pcns["practices"]).to_numpy(),
        pcn_share=band.map(pcns["estimate"]).to_numpy(),
        pcns=band.map(pcns["pcns"]).to_numpy(),
    )
    out.attrs = dict(sizes.attrs)
    return out


def _by_difference(table: pd.DataFrame) -> pd.DataFrame:
    """The what-if scenarios observed first, then from the largest difference from observed
    to the smallest (the value the chart draws and its title talks about; scenarios have no
    order of their own)."""
    observed = table["scenario"].astype(str) == "observed"
    rest = table.loc[~observed].sort_values("difference", ascending=False, kind="stable")
    out = pd.concat([table.loc[observed], rest])
    out.attrs = dict(table.attrs)
    return out


def _drawable(table: pd.DataFrame, key: str = "") -> pd.DataFrame:
    """The rows a chart shows: all of them; suppressed cells are drawn with their marker, and
    cells of a synthetic set that an assumption fixes carry its id in ``assumption``."""
    kept = table
    if "membership" in kept and not isinstance(kept["membership"].dtype, pd.CategoricalDtype):
        # the prevalence table's summary row has no vocabulary label: give it one
        kept = kept.assign(membership=kept["membership"].replace(_EXTRA_LABELS))
    cells = _ASSUMED_CELLS.get(key, ())
    if cells and bool(table.attrs.get("synthetic")):
        assumption = pd.Series("", index=table.index, dtype=object)
        for name, where in cells:
            match = pd.Series(True, index=table.index)
            for column, value in where.items():
                if column not in table:
                    match &= False
                    continue
                match &= table[column].astype(str) == value
            assumption[match] = name
        kept = kept.assign(assumption=assumption.to_numpy())
    kept.attrs = dict(table.attrs)
    return kept


def _shown(table: pd.DataFrame) -> int:
    """Number of rows not hidden by disclosure control."""
    if "suppressed" not in table:
        return len(table)
    return int((~table["suppressed"].astype(bool)).sum())


_LAST_OPTIONS = ("other", "none", "dont_know")
"""Answers that stay at the end of a list sorted by value."""


def _by_value(table: pd.DataFrame, column: str) -> list[str]:
    """Levels of ``column`` from the largest estimate to the smallest (of the latest wave when
    there are several), hidden cells and catch-all answers ("other", "none") last."""
    rows = table
    if "wave" in rows.columns:
        rows = rows[rows["wave"].astype(str) == max(rows["wave"].astype(str))]
    value = pd.to_numeric(rows["estimate"], errors="coerce").fillna(-1.0).to_numpy()
    levels = rows[column].astype(str).to_numpy()
    ranked = sorted(range(len(levels)), key=lambda i: (levels[i] in _LAST_OPTIONS, -value[i], i))
    ordered = list(dict.fromkeys(levels[i] for i in ranked))
    others = [str(v) for v in pd.unique(table[column].astype(str)) if str(v) not in ordered]
    return ordered + others


def _aim_order(table: pd.DataFrame) -> list[str]:
    """Aims of a rates-by-group table in the order of its rows: the aim its title names
    first (:func:`gpcollab.headlines.titled_aim`), then by the share over the groups shown
    (their estimates weighted by their bases), largest first."""
    shown = table
    if "suppressed" in table:
        shown = table.loc[~table["suppressed"].astype(bool)]
    n = pd.to_numeric(shown["n"], errors="coerce")
    value = pd.to_numeric(shown["estimate"], errors="coerce")
    weighted = (value * n).groupby(shown["aim"].astype(str)).sum()
    share = weighted / n.groupby(shown["aim"].astype(str)).sum()
    aims = [str(a) for a in pd.unique(table["aim"].astype(str))]
    ranked = sorted(aims, key=lambda a: -float(share.get(a, -1.0)))
    first = table.attrs.get("titled_aim") or titled_aim(table)
    return ([first] if first in ranked else []) + [a for a in ranked if a != first]


def _read_tests(table: pd.DataFrame, name: str, read: Callable[[pd.DataFrame], Any]) -> Any:
    """What ``read`` finds in the tests that came with ``table``: kept in ``attrs[name]`` by
    :func:`_for_drawing`, which sets the tests themselves aside, else read now."""
    kept = table.attrs.get(name)
    return read(table) if kept is None else kept


def _changed(table: pd.DataFrame) -> list[str]:
    """The answers whose change between waves a test supports, as the chart's rows name them
    (the summary row by its label, :data:`_EXTRA_LABELS`)."""
    options = _read_tests(table, "changed_options", changed_options)
    return [_EXTRA_LABELS.get(str(o), str(o)) for o in options]


def _chart_call(item: ReportTable) -> tuple[str, dict[str, Any]]:
    """The helper that draws ``item`` and its arguments.

    Rates of several groups for every aim are drawn as dots (a row per aim, the title's aim
    first, a dot per group with its value and base beside it); the answers of one multi-choice
    question as horizontal bars sorted by their share; options compared across waves sorted by
    the latest wave; the achievement chart sorted by the share fully achieved, which its title
    names.
    """
    chart = str(item.chart)
    options = dict(item.chart_options)
    table = item.table
    group = options.get("hue")
    if chart == "rates" and options.get("x") == "aim" and group not in (None, "wave"):
        options.update(kind="dot", order=_aim_order(table))
        # bold: the aims whose groups differ by the tests, and the values of each pair that
        # differs (the two the title compares among them)
        cells = _read_tests(table, "differing_cells", differing_cells)
        options["highlight"] = [(aim, level) for level, aim in cells]
        options["marked"] = _read_tests(table, "differing_aims", differing_aims)
    elif chart == "rates" and options.get("x") == "option" and options.get("hue") is None:
        options.update(kind="panels", hue=None, order=_by_value(table, "option"))
    elif chart == "rates" and group == "wave" and options.get("x") in table.columns:
        options["order"] = _by_value(table, str(options["x"]))
        options["marked"] = _changed(table)
    elif chart == "wave_comparison" and options.get("kind") == "dot":
        options["marked"] = _changed(table)
        # rows whose meaning changed between the waves: their shares side by side, no arrow
        options["uncompared"] = uncompared_rows(table)
    elif chart == "achievement":
        options["order"] = "achievement"
    return chart, options


def _draw(item: ReportTable, ax: Axes) -> None:
    """Draw ``item`` with the plotting helper :func:`_chart_call` chooses."""
    chart, options = _chart_call(item)
    helper = _chart_helpers().get(chart)
    if helper is None:  # pragma: no cover - a programming error in this module
        raise GpcollabError(f"unknown chart kind {item.chart!r}")
    helper(_drawable(item.table, item.key), ax=ax, **options)


RenderJob = tuple[ReportTable, ChartText, float, int, bool]
"""One chart to draw: the table, its text (:func:`gpcollab.headlines.chart_text`), the width in
inches, the resolution in dots per inch and whether an SVG is wanted too."""


Drawn = tuple[bytes, bytes] | str
"""What drawing a job gives: its PNG and SVG bytes, or the message of the error that stopped
it."""


def _render_job(job: RenderJob) -> Drawn:
    """The PNG (and SVG) of one job, or the message of the library error that stopped it (a
    plain string, so that it crosses a process boundary whatever the error's class)."""
    item, text, width, dpi, svg = job
    try:
        return _render(item, text, width, dpi, svg=svg)
    except GpcollabError as exc:
        return str(exc) or type(exc).__name__


def _warm_up() -> None:
    """Import matplotlib and draw some text once: run by each worker process as it starts, so
    that the first chart it draws does not also load the library and its fonts."""
    # heavy: matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1))
    FigureCanvasAgg(figure)
    for weight, style in (("normal", "normal"), ("bold", "normal"), ("normal", "italic")):
        figure.text(0.1, 0.5, "0123456789% Abc", fontweight=weight, fontstyle=style)
    figure.savefig(io.BytesIO(), format="png", dpi=50)


class _Painter:
    """Draws render jobs, in two worker processes where it can.

    Each chart is drawn on its own figure from its own table, so the charts are independent:
    on a machine with two or more CPUs they are drawn in two worker processes, one chart at a
    time each; the bytes are those a single process draws. The workers are forked by
    :meth:`start`, as soon as the report begins, and each loads matplotlib and its fonts
    (:func:`_warm_up`) while this process computes the first tables, so that loading them
    never holds up this process (which otherwise did it before forking, with the other CPU
    idle). Where forking is not available, inside a worker process, or with
    ``GPCOLLAB_NUM_THREADS=1`` (:func:`gpcollab._parallel.threads`), a job is drawn in this
    process when its result is asked for.
    """

    def __init__(self) -> None:
        self.parallel = (
            threads() >= 2
            and "fork" in multiprocessing.get_all_start_methods()
            and not multiprocessing.current_process().daemon
        )
        self.pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Fork the workers now, if they draw in parallel and are not running yet."""
        if self.parallel:
            self._workers()

    def _workers(self) -> ProcessPoolExecutor:
        if self.pool is None:
            context = multiprocessing.get_context("fork")
            self.pool = ProcessPoolExecutor(max_workers=2, mp_context=context, initializer=_warm_up)
            # with fork, the pool starts every worker at its first job (here a no-op), at once
            self.pool.submit(int)
        return self.pool

    def submit(self, job: RenderJob) -> Callable[[], Drawn]:
        """Start drawing ``job``; returns the function that waits for its result."""
        if not self.parallel:
            return lambda: _render_job(job)
        return self._workers().submit(_render_job, job).result

    def close(self) -> None:
        """Stop the workers (jobs not started are dropped)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


# ------------------------------------------------------------------------------ stage 3: HTML


_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;
color:#1d1d1d;background:#fafafa;line-height:1.5;font-size:16px}
main{max-width:1000px;margin:0 auto;padding:1rem 1.5rem 3rem}
h1{font-size:1.7rem;margin:.5rem 0;line-height:1.25}
h2{border-bottom:2px solid #005eb8;padding-bottom:.2rem;margin-top:2.4rem;line-height:1.3}
h3{font-size:1.1rem;margin:2rem 0 .5rem;line-height:1.35;max-width:48rem}
p,li{max-width:48rem}
.banner{background:#fff4d6;border:3px solid #d5281b;color:#5a1010;padding:.9rem 1.2rem;
font-size:1.15rem;font-weight:700;margin:1rem 0}
.banner p{font-weight:400;font-size:.95rem;margin:.4rem 0 0}
.real{background:#e8f4ea;border:2px solid #007f3b;padding:.7rem 1rem;margin:1rem 0}
.key{background:#fff;border:1px solid #c8d3dc;border-top:4px solid #005eb8;padding:.4rem 1.2rem
 1rem;margin:1.2rem 0}
.key h2{border:0;margin:.5rem 0}
.kf{list-style:none;padding:0;margin:0;display:grid;
grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:.8rem}
.kf li{max-width:none}
.kf a{display:block;height:100%;padding:.6rem .8rem;background:#f3f6f9;color:inherit;
text-decoration:none;border-left:4px solid #005eb8}
.kf a:hover,.kf a:focus{background:#e6eef5}
.kf-value{display:block;font-size:1.6rem;font-weight:700;color:#003d78;line-height:1.2}
.kf-label{display:block;font-weight:600;margin:.2rem 0}
.kf-detail{display:block;font-size:.85rem;color:#444}
.kf-caveat{font-size:.85rem;color:#7a1c1c;margin:.8rem 0 0}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.88rem;background:#fff}
caption{text-align:left;font-weight:600;padding:.3rem 0;caption-side:top}
th,td{border:1px solid #c8c8c8;padding:.25rem .5rem;vertical-align:top;text-align:left}
th{background:#e8edee}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.masked{color:#8a1c1c;text-align:center;font-weight:700}
.note,.unavailable{font-size:.88rem;color:#444}.unavailable{color:#7a4b00}
figure{margin:.5rem 0 1rem}
figure img{display:block;width:100%;max-width:935px;height:auto;border:1px solid #ddd;
background:#fff}
figcaption{font-size:.85rem;color:#444;margin-top:.3rem;max-width:48rem}
figcaption details{margin:.2rem 0}figcaption .note{margin:.2rem 0}
details{margin:.3rem 0 1rem}summary{cursor:pointer;color:#005eb8}
details.findings-set summary{font-weight:600}
.figure-link{display:block}
.status-match td.status{background:#d8f0dc}.status-mismatch td.status{background:#f7c6c2;
font-weight:700}.status-mismatch{background:#fdeceb}
.status-conflict td.status{background:#fde7b0}.status-not_applicable td.status,
.status-not_computable td.status{background:#e4e4e4}
.summary span{display:inline-block;margin-right:1rem}
pre{white-space:pre-wrap;background:#f1f1f1;padding:.6rem;font-size:.8rem}
.card{background:#fff;border:1px solid #ddd;padding:.2rem 1rem;font-size:.9rem}
.card h4,.card h5{margin:.8rem 0 .3rem}
nav ol{columns:2}.scroll{overflow-x:auto;max-width:100%}
table.findings{width:100%;table-layout:fixed;font-size:.78rem}
table.findings td{overflow-wrap:anywhere}
.findings .col-finding_id{width:8%}.findings .col-statement{width:25%}
.findings .col-published{width:10%}.findings .col-reproduced{width:11%}
.findings .col-unit{width:7%}.findings .col-base_n{width:6%}
.findings .col-tolerance{width:9%}.findings .col-status{width:9%}
.findings .col-notes{width:15%}
table.wide{width:100%;table-layout:fixed}table.wide td{overflow-wrap:anywhere}
code,a{overflow-wrap:anywhere}
@media (max-width:600px){
main{padding:.6rem .8rem 2rem}h1{font-size:1.35rem}h2{font-size:1.2rem}
h3{font-size:1rem}nav ol{columns:1}.banner{font-size:1rem;padding:.7rem .8rem}
figure img{border:0}.key{padding:.3rem .7rem .8rem}.kf-value{font-size:1.35rem}
table{font-size:.85rem;width:100%}
table,tbody,tr,td,tbody th{display:block}
thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
caption{display:block}
tr{border:1px solid #c8c8c8;margin:0 0 .5rem;background:#fff}
td,tbody th{border:0;border-bottom:1px solid #eee;padding:.2rem .5rem}
td.num{text-align:left}td:empty{display:none}
td[data-label]::before,tbody th[data-label]::before{content:attr(data-label) ": ";
font-weight:600;color:#444}
table.findings,table.wide{table-layout:auto}
}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_HEADER_CELL = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
_BODY_ROW = re.compile(r"<tr\b[^>]*>.*?</tr>", re.S)
_BODY_CELL = re.compile(r"<(td|th)\b")
_TAG = re.compile(r"<[^>]+>")


def _label_cells(page: str) -> str:
    """Give every body cell of every table its column's heading as ``data-label``.

    On a phone the page's CSS shows each row as a small card, one "heading: value" line per
    cell, so no table is wider than the screen; on wider screens the attribute is unused.
    """

    def label_table(match: re.Match[str]) -> str:
        table = match.group(0)
        head_end = table.find("</thead>")
        if head_end < 0:
            return table
        labels = [
            _e(html.unescape(_TAG.sub("", cell)).strip())
            for cell in _HEADER_CELL.findall(table[:head_end])
        ]

        def label_row(row: re.Match[str]) -> str:
            cells = iter(labels)

            def label_cell(cell: re.Match[str]) -> str:
                label = next(cells, "")
                return f'{cell.group(0)} data-label="{label}"' if label else cell.group(0)

            return _BODY_CELL.sub(label_cell, row.group(0))

        return table[:head_end] + _BODY_ROW.sub(label_row, table[head_end:])

    return _TABLE.sub(label_table, page)


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(float(value))
    return False


_EXTRA_LABELS: dict[str, str] = dict(EXTRA_LABELS)


def _label_maps() -> dict[str, dict[str, str]]:
    maps: dict[str, dict[str, str]] = {
        name: spec.choices.labels() for name, spec in ITEMS.items() if spec.kind != "aims"
    }
    maps["aim"] = Aim.labels()
    maps["outcome"] = Achievement.labels()
    maps["instrument"] = Instrument.labels()
    return maps


_LABELS = _label_maps()


def _label(column: str, value: object, row: Mapping[Any, Any], item: str | None) -> str:
    if isinstance(value, bool):
        if column.startswith("funding"):
            return "Access / Challenge Fund" if value else "No such funding"
        return "Yes" if value else "No"
    text = str(value)
    if column == "size_group":  # whatif.reband's groups: "under 100,000" heads a row
        return text[:1].upper() + text[1:]
    for key in (column, str(row.get("item", "")), item or ""):
        mapping = _LABELS.get(key)
        if mapping and text in mapping:
            return mapping[text]
    for enum in (Aim, Achievement):
        if text in enum.labels():
            return enum.labels()[text]
    return _EXTRA_LABELS.get(text, text)


def _number(value: object) -> float:
    return float(value)  # type: ignore[arg-type]


def _cell(column: Column, row: Mapping[Any, Any], item: str | None) -> tuple[str, str]:
    """Text and CSS class of one cell. A share a synthetic set's assumption fixes (its id in
    ``row["assumption"]``) is said to be not measured, as the chart says, never a figure."""
    suppressed = bool(row.get("suppressed", False))
    if row.get("assumption") and column.fmt in ("pct", "ci"):
        return (f"not measured ({row['assumption']})" if column.fmt == "pct" else ""), ""
    if column.fmt == "ci":
        low, high = row.get("ci_low"), row.get("ci_high")
        if _is_missing(low) or _is_missing(high):
            return (MASK, "masked") if suppressed else ("", "num")
        return f"{100 * _number(low):.1f}–{100 * _number(high):.1f}", "num"
    value = row.get(column.name)
    if _is_missing(value):
        if suppressed and column.fmt in ("pct", "pp", "num", "p", "int"):
            return MASK, "masked"
        return "", "num" if column.fmt != "text" else ""
    if column.fmt == "label":
        return _label(column.name, value, row, item), ""
    if column.fmt == "int":
        return f"{round(_number(value)):,}", "num"
    if column.fmt == "pct":
        return f"{100 * _number(value):.1f}%", "num"
    if column.fmt == "pp":
        return f"{100 * _number(value):+.1f}", "num"
    if column.fmt == "num":
        return f"{_number(value):.3g}", "num"
    if column.fmt == "p":
        p = _number(value)
        return ("<0.001" if p < 0.001 else f"{p:.3f}"), "num"
    return str(value), ""


def _table_html(item: ReportTable, min_n: int, *, figure: int | None = None) -> tuple[str, str]:
    """Heading and table of ``item``.

    The heading (``<h3>``, the table's title) names the topic once. A table drawn as figure
    ``figure`` is folded into ``<details>`` under it, captioned as that figure's data; a table
    on its own is labelled by the heading (``aria-labelledby``) instead of repeating it as a
    caption, and folded too when it is longer than :data:`LONG_TABLE` rows.
    """
    rows = item.table.to_dict(orient="records")
    assumed = _drawable(item.table, item.key).get("assumption")
    if assumed is not None:  # the cells an assumption fixes, as the chart marks them
        for row, assumption in zip(rows, assumed, strict=True):
            row["assumption"] = assumption
    option_item = item.item
    head = "".join(f'<th scope="col">{_e(c.header)}</th>' for c in item.columns)
    body: list[str] = []
    for row in rows:
        cells = []
        for column in item.columns:
            text, css = _cell(column, row, option_item)
            cls = f' class="{css}"' if css else ""
            cells.append(f"<td{cls}>{_e(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    masked = "suppressed" in item.table and bool(item.table["suppressed"].any())
    notes = []
    if item.note and figure is None:  # a figure carries its note in the caption
        notes.append(_e(item.note))
    if masked:
        notes.append(_e(suppression_note(min_n)))
    note_html = "".join(f'<p class="note">{n}</p>' for n in notes)
    anchor = f"t-{_e(item.key)}"
    label = (
        f"<caption>Figure {figure} as a table: estimates with their 95% intervals and "
        "bases</caption>"
        if figure is not None
        else ""
    )
    labelled = "" if figure is not None else f' aria-labelledby="{anchor}"'
    table = (
        f'<div class="scroll"><table{labelled}>{label}'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )
    rows_text = f"{len(rows)} row{'s' if len(rows) != 1 else ''}"
    if figure is not None:  # the chart's footer explains [c] on the chart; this, the table's
        summary = f"Figure {figure} as a table ({rows_text})"
        table = f"<details><summary>{summary}</summary>{table}{note_html}</details>"
        note_html = ""
    elif len(rows) > LONG_TABLE:
        table = f"<details><summary>Show the table ({rows_text})</summary>{table}</details>"
    return f'<h3 id="{anchor}">{_e(item.title)}</h3>', f"{table}{note_html}"


def _sentences(*parts: str) -> str:
    """``parts`` as sentences: each ends with one full stop (none doubled), joined by spaces."""
    out = []
    for part in parts:
        text = " ".join(part.split()).rstrip()
        if text:
            out.append(text if text[-1] in ".!?" else f"{text}.")
    return " ".join(out)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9%]+", text.lower()) if len(w) > 2}


def _unsaid(note: str, *said: str) -> str:
    """The sentences of ``note`` that ``said`` (the chart's own title, base line and footnote)
    does not already say in about the same words (three quarters of them): a message is said
    once, on the chart or under it."""
    heard = set().union(*(_words(text) for text in said))
    kept = [
        sentence
        for sentence in re.split(r"(?<=[.!?])\s+", note.strip())
        if sentence and len(_words(sentence) - heard) > 0.25 * len(_words(sentence))
    ]
    return " ".join(kept)


def _png_size(png: bytes) -> tuple[int, int] | None:
    """Width and height in pixels from a PNG's header, or None for anything else."""
    if len(png) < 24 or not png.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _figure_file(path: Path, levels: int) -> str:
    """``path`` relative to the page: its last ``levels`` + 1 parts (``figures/...``)."""
    return "/".join(_e(part) for part in path.parts[-(levels + 1) :])


def _figure_html(
    figure: ReportFigure,
    number: int,
    synthetic: bool,
    masked: bool,
    note: str = "",
    table: str = "",
) -> str:
    """A ``<figure>`` showing the figure's files (the page stays small; a phone fetches only
    its own variant). Its caption adds only what the chart's own title does not say: the
    figure's table (folded, summarised as "Figure N as a table"), how its finding was tested
    (:attr:`ReportFigure.method`, kept off the image: the chart itself says it in plain words)
    and its notes."""
    alt = _sentences(
        f"Chart: {figure.headline or figure.title}",
        figure.base,
        figure.note,
        f"Cells marked {MASK} are hidden by disclosure control" if masked else "",
        SYNTHETIC_NOTICE if synthetic else "",
    )
    wide = _figure_file(figure.path, 1)
    size = _png_size(figure.png)
    dimensions = f' width="{size[0]}" height="{size[1]}"' if size else ""
    narrow = ""
    if figure.narrow_path is not None:
        narrow = (
            f'<source media="(max-width: 600px)" srcset="{_figure_file(figure.narrow_path, 2)}">'
        )
    note = _unsaid(note, figure.headline, figure.base, figure.note)
    method = f'<p class="note">{_e(_sentences(figure.method))}</p>' if figure.method else ""
    caption = method + table + (f'<p class="note">{_e(_sentences(note))}</p>' if note else "")
    if not caption:
        caption = _e(f"Figure {number}")
    return (
        f'<figure><a href="{wide}" class="figure-link"><picture>{narrow}'
        f'<img src="{wide}" alt="{_e(alt)}"{dimensions} loading="lazy"></picture></a>'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def _banner(content: ReportContent) -> str:
    if content.synthetic:
        names = ", ".join(s.meta.label for s in content.surveys if s.synthetic)
        return (
            f'<div class="banner" role="alert">{_e(SYNTHETIC_NOTICE)}.'
            f"<p>The response sets used here ({_e(names)}) were built by gpcollab so that the "
            "published figures can be recomputed from them. The real survey responses were "
            "never published. Use these numbers to check and demonstrate methods, never as "
            "evidence about real GP practices or CCGs. Every chart carries the same notice.</p>"
            "</div>"
        )
    return (
        '<div class="real">The response sets in this report are not marked as synthetic: they '
        "come from the export(s) listed below.</div>"
    )


def _inputs_html(content: ReportContent) -> str:
    rows = "".join(
        "<tr>"
        f'<td>{_e(s.meta.label)}</td><td class="num">{s.n:,}</td>'
        f"<td>{_e('synthetic reconstruction' if s.synthetic else 'survey export')}</td>"
        f"<td>{_e(s.meta.source)}</td><td>{_e(s.meta.codebook or '—')}</td>"
        "</tr>"
        for s in content.surveys
    )
    return (
        '<div class="scroll"><table><caption>Response sets in this report</caption><thead><tr>'
        '<th scope="col">Response set</th><th scope="col">Respondents</th>'
        '<th scope="col">Kind</th><th scope="col">Source</th><th scope="col">Codebook</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _load_problems_html(content: ReportContent) -> str:
    """Every cell set missing when an export was read, and the answers that disagree."""
    parts: list[str] = []
    for load in content.load_reports:
        cells = load.missing_cells
        if cells:
            rows = "".join(
                f'<tr><td class="num">{c.row}</td><td>{_e(c.respondent_id or "—")}</td>'
                f"<td>{_e(c.column)}</td><td>{_e(c.found)}</td><td>{_e(c.reason)}</td></tr>"
                for c in cells
            )
            parts.append(
                f'<p class="unavailable"><strong>{len(cells)} cell(s) of '
                f"{load.rows_with_missing_cells} respondent(s) in {_e(load.file)} were set "
                "missing</strong>: they held answers the codebook does not know, or answers the "
                "questionnaire's routing does not ask for. The respondents are kept; every "
                "figure treats these cells as unanswered.</p>"
                f"<details{' open' if len(cells) <= LONG_TABLE else ''}><summary>The "
                f"{len(cells)} cell(s) set missing</summary>"
                '<div class="scroll"><table><caption>Cells set missing</caption><thead><tr>'
                '<th scope="col">Row</th><th scope="col">Respondent</th>'
                '<th scope="col">Column</th><th scope="col">Found</th>'
                f'<th scope="col">Why</th></tr></thead><tbody>{rows}</tbody></table></div>'
                "</details>"
            )
        for line in inconsistency_lines(load.inconsistencies):
            parts.append(f"<p>{_e(load.file)}: {_e(line)}</p>")
    return "".join(parts)


def _findings_html(content: ReportContent) -> str:
    findings = content.findings
    parts = ['<h2 id="findings">Check against the published findings</h2>']
    parts.append(
        "<p>Every published finding that applies to a response set, recomputed from it. "
        "Status <em>match</em>: the recomputed figure agrees with the publication within the "
        "tolerance (the published rounding, or the range a verbal quantity stands for); "
        "<em>mismatch</em>: it does not; <em>conflict</em>: the publications disagree with "
        "each other and another finding is followed; <em>not applicable</em>: the figure "
        "cannot be computed from responses. The full table is also in "
        '<a href="findings_check.csv"><code>findings_check.csv</code></a>.</p>'
    )
    parts.extend(f'<p class="unavailable">{_e(note)}</p>' for note in content.findings_notes)
    if len(findings) == 0 or "status" not in findings:
        parts.append('<p class="unavailable">No findings were checked.</p>')
        return "".join(parts)
    counts = findings["status"].astype(str).value_counts()
    parts.append(
        '<p class="summary">'
        + "".join(
            f"<span><strong>{_e(str(k).replace('_', ' '))}</strong>: {int(v)}</span>"
            for k, v in counts.items()
        )
        + "</p>"
    )
    wanted = [
        ("finding_id", "Finding"),
        ("statement", "Statement"),
        ("published", "Published"),
        ("reproduced", "Recomputed"),
        ("unit", "Unit"),
        ("base_n", "Base"),
        ("tolerance", "Tolerance"),
        ("status", "Status"),
        ("notes", "Detail and reason"),
    ]
    findings = findings.assign(
        notes=[
            " — ".join(
                str(row.get(key)).strip()
                for key in ("detail", "reason")
                if not _is_missing(row.get(key)) and str(row.get(key)).strip()
            )
            for row in findings.to_dict(orient="records")
        ]
    )
    if {"published_text", "reproduced_text", "explanation"} <= set(findings.columns):
        # values at the published precision and the reason on the row (verify_findings)
        findings = findings.assign(
            published=findings["published_text"],
            reproduced=findings["reproduced_text"],
            notes=findings["explanation"],
        )
    present = [(name, header) for name, header in wanted if name in findings]
    head = "".join(f'<th scope="col" class="col-{_e(name)}">{_e(h)}</th>' for name, h in present)
    groups = findings.groupby("survey", sort=False) if "survey" in findings else [("", findings)]
    for label, group in groups:
        body = []
        for row in group.to_dict(orient="records"):
            status = str(row.get("status", ""))
            cells = []
            for name, _ in present:
                value = row.get(name)
                text = "" if _is_missing(value) else _plain(value)
                if name == "status":  # "not_applicable" reads "not applicable"
                    text = text.replace("_", " ")
                css = ' class="status"' if name == "status" else ""
                cells.append(f"<td{css}>{_e(text)}</td>")
            body.append(f'<tr class="status-{_e(status)}">{"".join(cells)}</tr>')
        # one folded table per response set, open when it holds a mismatch (what to look at)
        tally = group["status"].astype(str).value_counts()
        summary = ", ".join(f"{int(v)} {str(k).replace('_', ' ')}" for k, v in tally.items())
        name = f"{label!s}: " if label else ""
        opened = " open" if "mismatch" in tally else ""
        parts.append(
            f'<details class="findings-set"{opened}><summary>{_e(name)}{len(group)} findings '
            f"({_e(summary)})</summary>"
            '<div class="scroll"><table class="findings">'
            f"<caption>Published findings recomputed from {_e(label or 'the data')}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
            "</details>"
        )
    return "".join(parts)


def _plain(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _assumptions_html(content: ReportContent) -> str:
    parts = [
        '<h2 id="assumptions">Assumptions</h2>',
        "<p>Where the publications leave a base or a detail unclear, a named assumption "
        "decides it. The reconstruction and the findings check use the default option of "
        "each; <code>verify_findings(survey, assumptions={...})</code> switches one.</p>",
    ]
    if not content.assumptions:
        parts.append('<p class="unavailable">No assumptions are registered.</p>')
        return "".join(parts)
    rows = []
    for item in content.assumptions:
        described = item.get("option_descriptions") or {}
        default = str(item.get("default", ""))
        others = [name for name in described if name != default]
        default_text = f"{default}: {described.get(default, '')}".rstrip(": ")
        other_text = "; ".join(f"{name}: {described[name]}".rstrip(": ") for name in others)
        affects = str(item.get("affects") or "").replace(";", ", ")
        rows.append(
            "<tr>"
            f"<td>{_e(item.get('assumption_id', ''))}</td><td>{_e(item.get('title', ''))}</td>"
            f"<td>{_e(item.get('description', ''))}</td><td>{_e(default_text)}</td>"
            f"<td>{_e(other_text)}</td><td>{_e(affects)}</td>"
            "</tr>"
        )
    parts.append(
        f"<details><summary>The {len(rows)} named assumptions</summary>"
        '<div class="scroll"><table class="wide"><caption>Named assumptions</caption><thead><tr>'
        + "".join(
            f'<th scope="col">{h}</th>'
            for h in (
                "Id",
                "Assumption",
                "Description",
                "Used (default)",
                "Other options",
                "Findings affected",
            )
        )
        + f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div></details>"
    )
    return "".join(parts)


def _methods_html(content: ReportContent) -> str:
    return (
        '<h2 id="methods">Method notes</h2><ul>'
        "<li>Estimates are design-based: proportions are weighted by the response set's "
        "survey weights where it has them (otherwise each respondent counts once), and standard "
        "errors are Taylor-linearised, matching R's <code>survey</code> package.</li>"
        "<li>Confidence intervals for proportions are logit intervals (R's "
        '<code>svyciprop(method = "logit")</code>) with <em>t</em> quantiles on the design\'s '
        "degrees of freedom; estimates of exactly 0% or 100% get an exact interval instead.</li>"
        "<li>Bases are unweighted counts of respondents in the row's domain. Achievement rates "
        "are among collaborations that set the aim; “don’t know” is left out of the base.</li>"
        f"<li>What-if scenarios use g-computation on a design-based logistic model with "
        f"percentile bootstrap intervals from {content.n_boot} replicates (a modest number, "
        "chosen to keep the report quick; use more in an analysis).</li>"
        "<li>Disclosure control: every table and chart went through "
        f"<code>gpcollab.suppress</code> with a threshold of {content.min_n}. "
        f"{_e(suppression_note(content.min_n))} Charts keep a hidden cell in its place, marked "
        f"{_e(MASK)}, never drawn as zero.</li>"
        "</ul>"
    )


def _sources_html(content: ReportContent) -> str:
    parts = [
        '<h2 id="sources">Data sources and licences</h2>',
        "<h3>Published figures</h3>",
        "<p>The findings register restates, in our own words, figures published from the "
        "2015 and 2017 surveys. Sources:</p><ul>",
    ]
    for row in content.sources.to_dict(orient="records"):
        title, url = str(row["source_title"]), str(row["source_url"])
        link = f' — <a href="{_e(url)}">{_e(url)}</a>' if url else " (no URL recorded)"
        parts.append(f"<li>{_e(title)}{link} (findings {_e(row['findings'])})</li>")
    parts.append("</ul>")
    parts.append(
        "<h3>NHS Digital population data</h3>"
        f"<p>Population figures (practices, CCGs and PCNs) are real. {_e(OGL_ATTRIBUTION)} "
        f'Licence: <a href="{_e(OGL_URL)}">{_e(OGL_NAME)}</a>.</p>'
    )
    listing = content.datasets
    rows = []
    for row in listing.to_dict(orient="records"):
        kind = "synthetic" if bool(row.get("synthetic")) else "real"
        rows.append(
            f"<tr><td><code>{_e(row.get('name', ''))}</code></td><td>{_e(row.get('title', ''))}"
            f'</td><td>{_e(kind)}</td><td class="num">{_e(row.get("rows", ""))}</td></tr>'
        )
    parts.append(
        '<h3>Bundled datasets</h3><div class="scroll"><table><caption>Datasets bundled with '
        'gpcollab</caption><thead><tr><th scope="col">Name</th><th scope="col">Title</th>'
        '<th scope="col">Data</th><th scope="col">Rows</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    for name, card in content.cards.items():
        parts.append(
            f"<details><summary>Dataset card: <code>{_e(name)}</code></summary>"
            f'<div class="card">{_markdown_html(card)}</div></details>'
        )
    return "".join(parts)


def _inline_markdown(text: str) -> str:
    """Escaped ``text`` with Markdown's inline code, bold, links and autolinks as HTML."""
    out = _e(text)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"\[([^\]]+)\]\((https?://[^)\s]+)\)", r'<a href="\2">\1</a>', out)
    return re.sub(r"&lt;(https?://[^\s&]+)&gt;", r'<a href="\1">\1</a>', out)


def _markdown_html(text: str) -> str:
    """The small Markdown of the dataset cards (headings, lists, tables, paragraphs) as HTML."""
    parts: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if not line.strip():
            i += 1
        elif line.startswith("#"):
            level = min(len(line) - len(line.lstrip("#")) + 3, 6)
            parts.append(f"<h{level}>{_inline_markdown(line.lstrip('#').strip())}</h{level}>")
            i += 1
        elif line.lstrip().startswith(("- ", "* ")):
            items = []
            while i < len(lines) and lines[i].lstrip().startswith(("- ", "* ")):
                items.append(f"<li>{_inline_markdown(lines[i].lstrip()[2:].strip())}</li>")
                i += 1
            parts.append(f"<ul>{''.join(items)}</ul>")
        elif line.lstrip().startswith("|"):
            rows = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(set(c) <= set("-: ") for c in cells):
                    rows.append(cells)
                i += 1
            head = "".join(f'<th scope="col">{_inline_markdown(c)}</th>' for c in rows[0])
            body = "".join(
                "<tr>" + "".join(f"<td>{_inline_markdown(c)}</td>" for c in row) + "</tr>"
                for row in rows[1:]
            )
            parts.append(
                f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table></div>"
            )
        else:
            paragraph = []
            while (
                i < len(lines)
                and lines[i].strip()
                and not lines[i].lstrip().startswith(("#", "- ", "* ", "|"))
            ):
                paragraph.append(lines[i].strip())
                i += 1
            parts.append(f"<p>{_inline_markdown(' '.join(paragraph))}</p>")
    return "".join(parts)


def _key_findings_html(content: ReportContent) -> str:
    tables = {item.key: item.table for section in content.sections for item in section.tables}
    anchors = {item.key: section.key for section in content.sections for item in section.tables}
    findings = key_findings(tables)
    if not findings:
        return ""
    items = "".join(
        f'<li><a href="#{_e(anchors.get(f.anchor, f.anchor))}"><span class="kf-value">'
        f'{_e(f.value)}</span><span class="kf-label">{_e(f.label)}</span>'
        f'<span class="kf-detail">{_e(f.detail)}</span></a></li>'
        for f in findings
    )
    caveat = (
        f'<p class="kf-caveat">{_e(SYNTHETIC_NOTICE)}: these figures show what the methods '
        "give on reconstructed data, not evidence about real practices.</p>"
        if content.synthetic
        else ""
    )
    return (
        '<section class="key" aria-labelledby="key-findings"><h2 id="key-findings">Key '
        f'findings</h2><ul class="kf">{items}</ul>{caveat}</section>'
    )


def write_html(
    content: ReportContent, figures: Sequence[ReportFigure], *, title: str | None = None
) -> str:
    """Return the report page as one HTML string (inline CSS, no script, no network resource).

    The page shows the figures from their files rather than embedding them: each
    ``<picture>`` points at ``figures/<name>.png`` and, for screens up to 600 px wide, at
    ``figures/narrow/<name>.png``, so the page stays small and a phone downloads only the
    variant it shows. The page and its ``figures/`` folder (as :func:`build_report` writes
    them) travel together.

    Parameters
    ----------
    content : ReportContent
        From :func:`gather_report`.
    figures : sequence of ReportFigure
        From :func:`render_figures` (files in ``figures/`` beside the page), numbered in the
        order given and shown next to the table each was drawn from.
    title : str, optional

    Returns
    -------
    str
    """
    labels = ", ".join(s.meta.label for s in content.surveys)
    page_title = title or f"gpcollab report: {labels}"
    by_key = {figure.key: figure for figure in figures}
    numbers = {figure.key: number for number, figure in enumerate(figures, start=1)}
    nav = ['<nav><h2 id="contents">Contents</h2><ol>']
    body: list[str] = []
    for section in content.sections:
        nav.append(f'<li><a href="#{_e(section.key)}">{_e(section.title)}</a></li>')
        body.append(f'<section><h2 id="{_e(section.key)}">{_e(section.title)}</h2>')
        if section.intro:
            body.append(f"<p>{_e(section.intro)}</p>")
        for item in section.tables:
            figure = by_key.get(item.key)
            number = numbers.get(item.key)
            heading, table = _table_html(item, content.min_n, figure=number)
            body.append(heading)
            if figure is not None and number is not None:
                synthetic = bool(item.table.attrs.get("synthetic", content.synthetic))
                masked = "suppressed" in item.table and bool(item.table["suppressed"].any())
                body.append(_figure_html(figure, number, synthetic, masked, item.note, table))
            else:
                body.append(table)
        body.extend(f'<p class="note">{_e(text)}</p>' for text in section.notes)
        body.extend(f'<p class="unavailable">{_e(text)}</p>' for text in section.unavailable)
        body.append("</section>")
    for key, text in (
        ("findings", "Check against the published findings"),
        ("assumptions", "Assumptions"),
        ("methods", "Method notes"),
        ("sources", "Data sources and licences"),
    ):
        nav.append(f'<li><a href="#{key}">{_e(text)}</a></li>')
    nav.append("</ol></nav>")
    mismatch_note = (
        f'<p class="unavailable"><strong>{content.mismatches} published finding(s) do not '
        "match</strong> — see the findings check.</p>"
        if content.mismatches
        else ""
    )
    generated = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    page = "".join(
        [
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(page_title)}</title><style>{_CSS}</style></head><body><main>",
            f"<h1>{_e(page_title)}</h1>",
            _banner(content),
            f"<p>Generated by gpcollab {_e(__version__)} on {_e(generated)}.</p>",
            _key_findings_html(content),
            _inputs_html(content),
            _load_problems_html(content),
            mismatch_note,
            *nav,
            *body,
            "<section>",
            _findings_html(content),
            "</section><section>",
            _assumptions_html(content),
            "</section><section>",
            _methods_html(content),
            "</section><section>",
            _sources_html(content),
            "</section>",
            "</main></body></html>\n",
        ]
    )
    return _label_cells(page)

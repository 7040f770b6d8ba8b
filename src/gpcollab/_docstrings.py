"""Parameter documentation shared by the analyses, written once (see docs/architecture.md).

A docstring names a shared parameter by a line holding only ``{name}`` in its Parameters
section; :func:`share_docs` replaces that line by the entry below, indented like the line. Only
such whole-line placeholders are touched, so braces elsewhere in a docstring (``{"a", "b"}``
type specifications) need no escaping.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

__all__ = ["SHARED_PARAMETERS", "share_docs"]

_F = TypeVar("_F", bound=Callable[..., object])

#: numpydoc entries of the parameters every analysis spells the same way.
SHARED_PARAMETERS: dict[str, str] = {
    "by": """\
by : str, Series or list, optional
    Domains to estimate within: respondent column names (``"size_band"``, ``"age_band"``,
    ``"level"``, ``"region"``, ...), ``"funding"`` (the collaboration received GP Access Fund
    or Challenge Fund money), a :class:`pandas.Series` aligned with ``survey.respondents``
    (such as :func:`gpcollab.whatif.reband`), or a list of these. Domain estimates keep the
    rest of the sample in the design, as R's ``svyby`` does; empty domains of a categorical
    stay as rows with ``n = 0``.""",
    "design": """\
design : SurveyDesign, str or None, default=None
    The survey design, its column names referring to ``survey.respondents``; a string is the
    name of a weight column (shorthand for ``SurveyDesign(weights=name)``); ``None`` treats
    the respondents as an unweighted simple random sample.""",
    "design_pair": """\
design : SurveyDesign, str, None, or a pair of these, default=None
    One design for both samples, or ``(design_first, design_second)``; any other tuple is an
    :class:`~gpcollab.errors.ArgumentError`. Each is as ``design`` of :func:`prevalence`.""",
    "ci_method": """\
ci_method : CIMethod, default="logit"
    Confidence interval of each share (:data:`gpcollab.intervals.CIMethod`): ``"logit"`` (R's
    ``svyciprop`` default), ``"beta"`` (Korn–Graubard), ``"wilson"``, ``"xlogit"``,
    ``"asin"``, ``"mean"`` or ``"likelihood"`` (profile likelihood) under a design;
    ``"wilson_score"`` and ``"clopper_pearson"`` for plain counts only. Shares of exactly 0
    or 1 get an exact interval (``boundary``).""",
    "level": """\
level : float, default=0.95
    Confidence level, strictly between 0 and 1; tables report it as ``conf_level``.""",
    "too_early": """\
too_early : {"exclude", "not_achieved", "separate"}, default="exclude"
    "Too early to say": left out of the base (``"exclude"``), counted as not achieved
    (``"not_achieved"``), or kept as an outcome of its own (``"separate"``).""",
    "dont_know": """\
dont_know : {"exclude", "separate"}, default="exclude"
    "Don't know": left out of the base, or kept as an outcome of its own.""",
}

_PLACEHOLDER = re.compile(r"^(?P<indent>[ ]*)\{(?P<name>\w+)\}[ ]*$", re.M)


def share_docs(func: _F) -> _F:
    """Fill the ``{name}`` placeholder lines of ``func``'s docstring from SHARED_PARAMETERS.

    Examples
    --------
    >>> @share_docs
    ... def f(level=0.95):
    ...     '''Parameters
    ...     ----------
    ...     {level}
    ...     '''
    >>> print(f.__doc__.splitlines()[2])
        level : float, default=0.95
    """
    if func.__doc__:

        def fill(match: re.Match[str]) -> str:
            entry = SHARED_PARAMETERS[match["name"]]  # an unknown name is a typo: KeyError
            return "\n".join(match["indent"] + line for line in entry.splitlines())

        func.__doc__ = _PLACEHOLDER.sub(fill, func.__doc__)
    return func

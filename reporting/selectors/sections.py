"""The list of indicator sections of a monthly report, in the order of the report.

A section is a function (month, scope) -> Section; each becomes one sheet of the XLSX,
one chapter of the PDF and a block of the CSV. Add a section by appending it here.
"""

from __future__ import annotations

from collections.abc import Callable

from reporting.periods import Month
from reporting.selectors import activity, funding_section, registry
from reporting.selectors.base import Scope
from reporting.tables import Section

SectionFunction = Callable[[Month, Scope], Section]

SECTIONS: list[SectionFunction] = [
    registry.funnel_section,
    registry.territory_section,
    activity.consultations_section,
    activity.delays_section,
    activity.permanences_section,
    activity.calls_section,
    funding_section.funding_section,
]


def build_sections(month: Month, scope: Scope, *, progress=None) -> list[Section]:
    sections = []
    for index, function in enumerate(SECTIONS):
        if progress is not None:
            progress(index, len(SECTIONS), function.__name__)
        sections.append(function(month, scope))
    return sections

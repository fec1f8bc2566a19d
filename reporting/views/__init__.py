"""Pages of the reporting app: funder portal, coordinator dashboard, reports, funding."""

from reporting.views.dashboard import dashboard
from reporting.views.funding import (
    expense_delete,
    expense_edit,
    funding_export,
    funding_line_detail,
    funding_line_edit,
    funding_list,
)
from reporting.views.reports import generate_report, portal, report_download, report_list
from reporting.views.territory import territory_map

__all__ = [
    "dashboard",
    "expense_delete",
    "expense_edit",
    "funding_export",
    "funding_line_detail",
    "funding_line_edit",
    "funding_list",
    "generate_report",
    "portal",
    "report_download",
    "report_list",
    "territory_map",
]

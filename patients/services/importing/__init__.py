"""Import of CPAM and partner lists (CSV or XLSX) into the registry."""

from patients.services.importing.reader import ImportFileError
from patients.services.importing.report import ImportIssue, ImportReport
from patients.services.importing.run import import_patients

__all__ = ["ImportFileError", "ImportIssue", "ImportReport", "import_patients"]

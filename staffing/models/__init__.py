"""Models of the staffing app: one submodule per area, re-exported here (add one import line per submodule)."""

from staffing.models.consultations import (  # noqa: F401, E402
    ACTIVE_STATUSES,
    HELD_STATUSES,
    KIND_PROFESSIONS,
    OUTCOME_STATUSES,
    UPCOMING_STATUSES,
    BookingSource,
    Consultation,
    ConsultationStatus,
    Orientation,
    Reminder,
)
from staffing.models.disruptions import CallBack, OutcomeChange  # noqa: F401, E402
from staffing.models.feeds import CalendarFeed  # noqa: F401
from staffing.models.people import (  # noqa: F401
    DEFAULT_MINUTES,
    RPPS_REQUIRED,
    ConsultationKind,
    Profession,
    Professional,
    validate_rpps,
)
from staffing.models.rota import Absence, CoverageTarget, Permanence, RotaRule  # noqa: F401

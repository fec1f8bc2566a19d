"""Services of the staffing app."""

# Booking: the use cases other apps and the call line import from here.
from staffing.services.booking import (  # noqa: E402, F401
    BookingError,
    SlotUnavailable,
    book_consultation,
    cancel_consultation,
    confirm_proposal,
    expire_proposals,
    move_consultation,
    reject_proposal,
)
from staffing.services.outcomes import mark_arrived, mark_no_show, record_outcome  # noqa: E402, F401

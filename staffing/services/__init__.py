"""Services of the staffing app."""

# Booking: the use cases other apps and the call line import from here.
from staffing.services.booking import (  # noqa: E402, F401
    BookingError,
    SlotUnavailable,
    book_consultation,
    cancel_consultation,
    confirm_proposal,
    expire_proposals,
    mark_arrived,
    mark_no_show,
    move_consultation,
    record_outcome,
    reject_proposal,
)

"""Factories of the sites app: premises, rooms and closures live with the staffing factories that use them."""

from tests.staffing.factories import ClosureFactory, PremisesFactory, RoomFactory  # noqa: F401

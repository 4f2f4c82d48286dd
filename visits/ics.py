"""iCalendar (RFC 5545) invitations for visits, built with the `icalendar` package."""

from dataclasses import dataclass
from datetime import datetime

from icalendar import Calendar, Event, vCalAddress, vText

PRODUCT_ID = "-//Gestion comercial aseo//Visitas//ES"


@dataclass(frozen=True)
class Person:
    email: str
    name: str


@dataclass(frozen=True)
class Invitation:
    """Everything an invitation file states about one version of a visit."""

    uid: str
    sequence: int
    method: str  # REQUEST or CANCEL
    starts_at: datetime  # aware, in America/Bogota
    ends_at: datetime
    summary: str
    description: str
    location: str
    organizer: Person
    attendees: list[Person]
    stamp: datetime


def invitation_ics(invitation: Invitation) -> bytes:
    """Return the .ics file of `invitation`, with DTSTART/DTEND in America/Bogota
    and the VTIMEZONE that defines it."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", invitation.method)

    event = Event()
    event.add("uid", invitation.uid)
    event.add("sequence", invitation.sequence)
    event.add("dtstamp", invitation.stamp)
    event.add("dtstart", invitation.starts_at)
    event.add("dtend", invitation.ends_at)
    event.add("summary", invitation.summary)
    event.add("description", invitation.description)
    event.add("location", invitation.location)
    cancelled = invitation.method == "CANCEL"
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", _address(invitation.organizer, role=None))
    for attendee in invitation.attendees:
        event.add("attendee", _address(attendee, role="REQ-PARTICIPANT"), encode=0)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _address(person: Person, role: str | None) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(person.name)
    if role:
        address.params["role"] = vText(role)
        address.params["partstat"] = vText("NEEDS-ACTION")
        address.params["rsvp"] = vText("TRUE")
    return address

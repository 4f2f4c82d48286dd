"""Scheduling, rescheduling and cancelling visits, with the invitations they send."""

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.exceptions import ValidationError
from icalendar import Calendar

from core.models import OutgoingEmail
from tests.factories import make_customer
from visits.models import Visit
from visits.services import (
    visit_cancel,
    visit_record_result,
    visit_reschedule,
    visit_schedule,
)
from visits.tests.conftest import BOGOTA, bogota

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(customer, advisor, operations_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return visit_schedule(
            customer=customer,
            advisor=advisor,
            supervisor=operations_user,
            starts_at=bogota(2026, 3, 18, 9, 30),
            duration_minutes=90,
            purpose="Evaluar retiro de escombros de la obra",
            user=advisor,
        )


def stored_ics(outgoing: OutgoingEmail) -> Calendar:
    from pathlib import Path

    from django.conf import settings

    path = Path(settings.MEDIA_ROOT) / outgoing.attachments[0]["path"]
    return Calendar.from_ical(path.read_bytes())


def event_of(calendar: Calendar):
    return calendar.walk("VEVENT")[0]


def test_schedule_uses_customer_address(visit):
    assert visit.address == "Carrera 5 # 12-40, Melgar"


def test_invitation_sent_to_attendees(visit):
    assert sorted(mail.outbox[0].to) == [
        "administracion@ellago.example.com",
        "asesor1@aseo.example.com",
        "operaciones@aseo.example.com",
    ]


def test_invitation_method_request(visit):
    calendar = stored_ics(OutgoingEmail.objects.get())
    assert calendar["METHOD"] == "REQUEST"


def test_invitation_times_in_bogota(visit):
    event = event_of(stored_ics(OutgoingEmail.objects.get()))
    assert event.decoded("DTSTART") == bogota(2026, 3, 18, 9, 30)
    assert event.decoded("DTEND") == bogota(2026, 3, 18, 11, 0)
    assert event["DTSTART"].params["TZID"] == "America/Bogota"


def test_invitation_has_vtimezone(visit):
    calendar = stored_ics(OutgoingEmail.objects.get())
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "America/Bogota"


def test_invitation_uid_and_sequence(visit):
    event = event_of(stored_ics(OutgoingEmail.objects.get()))
    assert str(event["UID"]) == visit.uid
    assert event["SEQUENCE"] == 0


def test_invitation_organizer_and_attendees(visit):
    event = event_of(stored_ics(OutgoingEmail.objects.get()))
    attendees = sorted(str(address) for address in event["ATTENDEE"])
    assert str(event["ORGANIZER"]) == "mailto:ventas@aseo-sumapaz.example.com"
    assert "mailto:administracion@ellago.example.com" in attendees
    assert len(attendees) == 3


def test_customer_without_email_consent_not_invited(
    advisor, django_capture_on_commit_callbacks
):
    customer = make_customer(advisor=advisor, email="gerencia@sinpermiso.example.com")
    customer.consents.create(
        channel="visita", method="formulario", granted_on="2026-01-02"
    )
    with django_capture_on_commit_callbacks(execute=True):
        visit_schedule(
            customer=customer,
            advisor=advisor,
            starts_at=bogota(2026, 3, 18, 9),
            duration_minutes=60,
            purpose="Presentación",
            user=advisor,
        )
    assert mail.outbox[0].to == ["asesor1@aseo.example.com"]


def test_reschedule_increments_sequence(
    visit, advisor, operations_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit_reschedule(
            visit=visit,
            starts_at=bogota(2026, 3, 19, 14, 0),
            duration_minutes=60,
            supervisor=operations_user,
            user=advisor,
        )
    event = event_of(stored_ics(OutgoingEmail.objects.order_by("pk").last()))
    assert event["SEQUENCE"] == 1
    assert str(event["UID"]) == visit.uid
    assert event.decoded("DTSTART") == bogota(2026, 3, 19, 14, 0)


def test_reschedule_sends_update(
    visit, advisor, operations_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit_reschedule(
            visit=visit,
            starts_at=bogota(2026, 3, 19, 14, 0),
            duration_minutes=60,
            supervisor=operations_user,
            user=advisor,
        )
    assert mail.outbox[1].subject == "Visita comercial reprogramada: 19/03/2026 14:00"


def test_removed_supervisor_gets_cancel(
    visit, advisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit_reschedule(
            visit=visit,
            starts_at=bogota(2026, 3, 19, 14),
            duration_minutes=60,
            user=advisor,
        )
    cancel = OutgoingEmail.objects.get(kind="visita_cancelacion")
    assert cancel.to == ["operaciones@aseo.example.com"]
    assert stored_ics(cancel)["METHOD"] == "CANCEL"


def test_cancel_sends_method_cancel(visit, advisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        visit_cancel(visit=visit, reason="El cliente viaja esa semana", user=advisor)
    calendar = stored_ics(OutgoingEmail.objects.get(kind="visita_cancelacion"))
    event = event_of(calendar)
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert str(event["UID"]) == visit.uid


def test_cancel_needs_reason(visit, advisor):
    with pytest.raises(ValidationError):
        visit_cancel(visit=visit, reason=" ", user=advisor)


def test_cancelled_visit_cannot_be_rescheduled(visit, advisor):
    visit_cancel(visit=visit, reason="Cliente canceló", user=advisor)
    with pytest.raises(ValidationError):
        visit_reschedule(
            visit=visit,
            starts_at=bogota(2026, 3, 19, 9),
            duration_minutes=60,
            user=advisor,
        )


def test_visit_on_holiday_rejected(customer, advisor):
    with pytest.raises(ValidationError):
        visit_schedule(
            customer=customer,
            advisor=advisor,
            starts_at=bogota(2026, 3, 23, 9),
            duration_minutes=60,
            purpose="Visita",
            user=advisor,
        )


def test_visit_to_opted_out_customer_rejected(customer, advisor):
    from telemarketing.services import customer_opt_out

    customer_opt_out(customer=customer, user=advisor)
    with pytest.raises(ValidationError):
        visit_schedule(
            customer=customer,
            advisor=advisor,
            starts_at=bogota(2026, 3, 18, 9),
            duration_minutes=60,
            purpose="Visita",
            user=advisor,
        )


def test_supervisor_must_have_operations_role(customer, advisor, billing_user):
    with pytest.raises(ValidationError):
        visit_schedule(
            customer=customer,
            advisor=advisor,
            supervisor=billing_user,
            starts_at=bogota(2026, 3, 18, 9),
            duration_minutes=60,
            purpose="Visita",
            user=advisor,
        )


def test_record_result_marks_done(visit, advisor):
    visit_record_result(
        visit=visit, outcome="interesado", notes="Pide propuesta", user=advisor
    )
    visit.refresh_from_db()
    assert visit.status == Visit.Status.DONE


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    yield handler
    controller.stop()


def test_invitation_received_by_smtp_server(
    smtp_server, customer, advisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit = visit_schedule(
            customer=customer,
            advisor=advisor,
            starts_at=bogota(2026, 3, 18, 9, 30),
            duration_minutes=60,
            purpose="Evaluar poda de árboles",
            user=advisor,
        )
    message = email.message_from_bytes(
        smtp_server.messages[0].content, policy=policy.default
    )
    parts = [
        part for part in message.walk() if part.get_content_type() == "text/calendar"
    ]
    calendar = Calendar.from_ical(parts[0].get_content())
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT
    assert parts[0].get_param("method") == "REQUEST"
    assert parts[0].get_filename() == "visita.ics"
    assert str(event_of(calendar)["UID"]) == visit.uid
    assert event_of(calendar).decoded("DTSTART").astimezone(BOGOTA).hour == 9

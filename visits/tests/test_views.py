import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from quote_requests.models import QuoteRequest
from tests.factories import make_customer, make_user
from visits.models import Visit
from visits.tests.conftest import bogota

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(bogota(2026, 3, 17, 8, 0), tick=False) as traveller:
        yield traveller


def make_visit(customer, advisor, starts_at, **fields):
    values = {"address": customer.address, "purpose": "Presentación de servicios"}
    values.update(fields)
    return Visit.objects.create(
        customer=customer,
        advisor=advisor,
        starts_at=starts_at,
        created_by=advisor,
        **values,
    )


def test_week_includes_monday_midnight_bogota(client, advisor, customer):
    # Sunday 15 March 23:30 in Bogotá is Monday 04:30 UTC but belongs to the
    # previous week. Sunday 22 March 23:30 is Monday 23 in UTC but still this week.
    make_visit(
        customer, advisor, bogota(2026, 3, 16, 0, 30), purpose="Inicio de semana"
    )
    make_visit(
        customer, advisor, bogota(2026, 3, 15, 23, 30), purpose="Domingo anterior"
    )
    make_visit(customer, advisor, bogota(2026, 3, 22, 23, 30), purpose="Domingo final")
    client.force_login(advisor)
    response = client.get(reverse("visits:week"), {"semana": "2026-03-18"})
    visits = [visit for day in response.context["days"] for visit in day["visits"]]
    assert [visit.purpose for visit in visits] == ["Inicio de semana", "Domingo final"]


def test_sunday_late_visit_in_sunday_column(client, advisor, customer):
    make_visit(customer, advisor, bogota(2026, 3, 22, 23, 30))
    client.force_login(advisor)
    response = client.get(reverse("visits:week"), {"semana": "2026-03-18"})
    assert len(response.context["days"][6]["visits"]) == 1


def test_week_navigation_links(client, advisor):
    client.force_login(advisor)
    response = client.get(reverse("visits:week"), {"semana": "2026-03-18"})
    assert "?semana=2026-03-09" in response.text
    assert "?semana=2026-03-23" in response.text


def test_week_defaults_to_current_week(client, advisor):
    client.force_login(advisor)
    response = client.get(reverse("visits:week"))
    assert response.context["week_start"].isoformat() == "2026-03-16"


def test_advisor_sees_only_own_visits(client, advisor, other_advisor, customer):
    theirs = make_customer(advisor=other_advisor, name="Cliente Ajeno")
    make_visit(theirs, other_advisor, bogota(2026, 3, 18, 9))
    client.force_login(advisor)
    response = client.get(reverse("visits:week"))
    assert "Cliente Ajeno" not in response.text


def test_director_sees_all_and_filters(
    client, director, advisor, other_advisor, customer
):
    theirs = make_customer(advisor=other_advisor, name="Cliente Ajeno")
    make_visit(theirs, other_advisor, bogota(2026, 3, 18, 9))
    make_visit(customer, advisor, bogota(2026, 3, 18, 11))
    client.force_login(director)
    everyone = client.get(reverse("visits:week")).text
    filtered = client.get(reverse("visits:week"), {"asesor": other_advisor.pk}).text
    assert customer.name in everyone
    assert "Cliente Ajeno" in everyone
    assert customer.name not in filtered


def test_supervisor_sees_attended_visit(client, advisor, operations_user, customer):
    make_visit(customer, advisor, bogota(2026, 3, 18, 9), supervisor=operations_user)
    other_supervisor = make_user(Role.OPERATIONS, "operaciones2")
    client.force_login(other_supervisor)
    assert customer.name not in client.get(reverse("visits:week")).text
    client.force_login(operations_user)
    assert customer.name in client.get(reverse("visits:week")).text


def test_week_forbidden_without_role(client, no_role_user):
    client.force_login(no_role_user)
    assert client.get(reverse("visits:week")).status_code == 403


def test_billing_cannot_schedule(client, billing_user):
    client.force_login(billing_user)
    assert client.get(reverse("visits:create")).status_code == 403


def test_detail_of_other_advisors_visit_404(client, advisor, other_advisor):
    theirs = make_customer(advisor=other_advisor)
    visit = make_visit(theirs, other_advisor, bogota(2026, 3, 18, 9))
    client.force_login(advisor)
    assert client.get(reverse("visits:detail", args=[visit.pk])).status_code == 404


def test_supervisor_cannot_cancel(client, advisor, operations_user, customer):
    visit = make_visit(
        customer, advisor, bogota(2026, 3, 18, 9), supervisor=operations_user
    )
    client.force_login(operations_user)
    response = client.post(reverse("visits:cancel", args=[visit.pk]), {"reason": "x"})
    assert response.status_code == 403


def test_create_visit_stores_bogota_time(
    client, advisor, customer, django_capture_on_commit_callbacks
):
    client.force_login(advisor)
    form = client.get(reverse("visits:create"), {"cliente": customer.pk})
    assert customer.address in form.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("visits:create"),
            {
                "customer": customer.pk,
                "date": "2026-03-18",
                "start_time": "09:30",
                "duration_minutes": "60",
                "address": "",
                "advisor": advisor.pk,
                "purpose": "Evaluar retiro de voluminosos",
            },
        )
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert visit.starts_at == bogota(2026, 3, 18, 9, 30)


def test_create_visit_other_advisors_customer_404(client, advisor, other_advisor):
    theirs = make_customer(advisor=other_advisor)
    client.force_login(advisor)
    response = client.get(reverse("visits:create"), {"cliente": theirs.pk})
    assert response.status_code == 404


def test_create_visit_on_sunday_shows_rule(client, advisor, customer):
    client.force_login(advisor)
    response = client.post(
        reverse("visits:create"),
        {
            "customer": customer.pk,
            "date": "2026-03-22",
            "start_time": "09:30",
            "duration_minutes": "60",
            "advisor": advisor.pk,
            "purpose": "Visita",
        },
    )
    assert "Los domingos no se permite contacto comercial" in response.text
    assert not Visit.objects.exists()


def test_cancel_view_records_reason(client, advisor, customer):
    visit = make_visit(customer, advisor, bogota(2026, 3, 18, 9))
    client.force_login(advisor)
    client.post(reverse("visits:cancel", args=[visit.pk]), {"reason": "Cliente viaja"})
    visit.refresh_from_db()
    assert visit.cancel_reason == "Cliente viaja"


def test_visit_leads_to_quote_request(client, advisor, customer):
    visit = make_visit(customer, advisor, bogota(2026, 3, 18, 9))
    client.force_login(advisor)
    client.post(
        reverse("visits:quote_request", args=[visit.pk]),
        {"service": "Retiro de escombros", "description": "12 m³ en obra"},
    )
    visit.refresh_from_db()
    quote_request = QuoteRequest.objects.get()
    assert visit.quote_request == quote_request
    assert quote_request.customer == customer
    assert quote_request.channel == QuoteRequest.Channel.VISIT


def test_ics_download(client, advisor, customer):
    visit = make_visit(customer, advisor, bogota(2026, 3, 18, 9))
    client.force_login(advisor)
    response = client.get(reverse("visits:ics", args=[visit.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert visit.uid.encode() in response.content


def test_detail_shows_visit_and_actions(client, advisor, customer):
    visit = make_visit(customer, advisor, bogota(2026, 3, 18, 9))
    client.force_login(advisor)
    response = client.get(reverse("visits:detail", args=[visit.pk]))
    assert "18/03/2026 09:00" in response.text
    assert "Crear solicitud de cotización" in response.text

"""Assigning a termination request to an advisor by hand: who may receive it,
the history of every change, and reassigning again."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from terminations import services
from terminations.tests.conftest import make_account, make_request
from tests.factories import make_user


@pytest.fixture
def item(competitor, advisor):
    return make_request(competitor, make_account("449000601"), advisor=advisor)


def post_advisor(client, item, advisor, reason=""):
    return client.post(
        reverse("terminations:assign_advisor", args=[item.pk]),
        {"advisor": advisor.pk, "reason": reason},
        follow=True,
    )


def test_long_reason_is_kept_whole_in_history(client, coordinator, item, other_advisor):
    reason = "Cambio de zona por vacaciones del asesor. " * 6
    client.force_login(coordinator)

    response = post_advisor(client, item, other_advisor, reason=reason)

    assert response.status_code == 200
    assert item.history.latest().history_change_reason.endswith(reason.strip())


def test_coordinator_reassigns_and_history_shows_both(
    client, coordinator, item, advisor, other_advisor
):
    client.force_login(coordinator)

    response = post_advisor(client, item, other_advisor, reason="Vacaciones")
    item.refresh_from_db()
    latest = item.history.latest()

    assert item.advisor == other_advisor
    assert "Solicitud asignada a Beatriz López." in response.text
    assert latest.history_user == coordinator
    assert latest.history_change_reason == (
        "Asignada a mano a Beatriz López (antes: Andrés Gómez). Vacaciones"
    )
    changes = response.context["advisor_changes"]
    assert [(change["before"], change["after"]) for change in changes] == [
        (advisor, other_advisor)
    ]
    assert "<td>Andrés Gómez</td><td>Beatriz López</td>" in response.text


def test_reassign_again_undoes_mistake(
    client, coordinator, item, advisor, other_advisor
):
    client.force_login(coordinator)
    post_advisor(client, item, other_advisor)

    response = post_advisor(client, item, advisor, reason="Error al reasignar")
    item.refresh_from_db()

    assert item.advisor == advisor
    changes = response.context["advisor_changes"]
    assert [(change["before"], change["after"]) for change in changes] == [
        (advisor, other_advisor),
        (other_advisor, advisor),
    ]
    assert changes[1]["user"] == coordinator


def test_inactive_advisor_rejected(client, coordinator, item, other_advisor):
    other_advisor.is_active = False
    other_advisor.save()
    client.force_login(coordinator)

    response = post_advisor(client, item, other_advisor)
    item.refresh_from_db()

    assert "Beatriz López no puede recibir solicitudes" in response.text
    assert item.advisor.username == "asesor1"


def test_user_without_advisor_role_rejected(client, coordinator, item):
    operator = make_user(Role.OPERATIONS, "operaciones", first_name="Omar")

    client.force_login(coordinator)
    response = post_advisor(client, item, operator)
    item.refresh_from_db()

    assert "no es un asesor comercial activo" in response.text
    assert item.advisor.username == "asesor1"


def test_same_advisor_rejected(coordinator, item, advisor):
    with pytest.raises(services.TerminationError, match="ya está asignada"):
        services.request_assign_advisor(request=item, advisor=advisor, user=coordinator)


def test_closed_request_not_reassigned(coordinator, item, other_advisor):
    item.status = "rechazada"
    item.save()

    with pytest.raises(services.TerminationError, match="ya no está abierta"):
        services.request_assign_advisor(
            request=item, advisor=other_advisor, user=coordinator
        )


def test_unassigned_request_gets_advisor(coordinator, competitor, other_advisor):
    unassigned = make_request(competitor, make_account("449000602"))

    services.request_assign_advisor(
        request=unassigned, advisor=other_advisor, user=coordinator
    )

    assert unassigned.advisor == other_advisor
    assert unassigned.history.latest().history_change_reason == (
        "Asignada a mano a Beatriz López"
    )


def test_advisor_cannot_reassign(client, item, advisor, other_advisor):
    client.force_login(advisor)

    response = client.post(
        reverse("terminations:assign_advisor", args=[item.pk]),
        {"advisor": other_advisor.pk},
    )
    item.refresh_from_db()

    assert response.status_code == 403
    assert item.advisor == advisor


def test_advisor_page_offers_only_active_advisors(
    client, coordinator, item, advisor, other_advisor
):
    make_user(Role.ADVISOR, "inactivo", first_name="Ida", is_active=False)
    client.force_login(coordinator)

    response = client.get(item.get_absolute_url())
    choices = dict(response.context["advisor_form"].fields["advisor"].widget.choices)

    assert set(choices.values()) == {"---------", "Andrés Gómez", "Beatriz López"}

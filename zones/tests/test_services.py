"""Confirming assignments and redistributions: writes, digest check, history, e-mail."""

import pytest
from django.core import mail

from accounts.roles import Role
from core.models import OutgoingEmail
from customers.models import Customer
from tests.factories import make_customer, make_user, make_zone
from zones import services
from zones.models import AssignmentRun, CustomerAssignment

NEW = Customer.CustomerType.NEW
EXISTING = Customer.CustomerType.EXISTING


@pytest.fixture
def zone(advisor, other_advisor):
    return make_zone("Melgar Centro", advisors=[advisor, other_advisor])


@pytest.fixture
def customers(zone):
    return [
        make_customer(zone=zone, customer_type=NEW if n < 4 else EXISTING)
        for n in range(10)
    ]


def confirm(zone, advisors, user, **kwargs):
    plan = services.assignment_plan(zone=zone, advisors=advisors)
    return services.assignment_confirm(
        zone=zone, advisors=advisors, user=user, plan_digest=plan.digest, **kwargs
    )


def portfolio(advisor, zone):
    return Customer.objects.filter(advisor=advisor, zone=zone)


# Plan


def test_plan_writes_nothing(zone, customers, advisor, other_advisor):
    services.assignment_plan(zone=zone, advisors=[advisor, other_advisor])
    assert not Customer.objects.filter(advisor__isnull=False).exists()
    assert not CustomerAssignment.objects.exists()


def test_plan_shares_split_new_and_existing(zone, customers, advisor, other_advisor):
    plan = services.assignment_plan(zone=zone, advisors=[advisor, other_advisor])
    assert [(s.new_count, s.existing_count) for s in plan.shares] == [(2, 3), (2, 3)]


def test_plan_lists_every_unassigned_customer_as_move(
    zone, customers, advisor, other_advisor
):
    plan = services.assignment_plan(zone=zone, advisors=[advisor, other_advisor])
    assert len(plan.moves) == 10


def test_plan_moves_in_spanish_order(zone, advisor):
    for name in ("Zapata Ltda.", "Álvaro Núñez", "Ñame S.A.S.", "Nube S.A.S."):
        make_customer(zone=zone, name=name)
    plan = services.assignment_plan(zone=zone, advisors=[advisor])
    names = [move.customer.name for move in plan.moves]
    assert names == ["Álvaro Núñez", "Nube S.A.S.", "Ñame S.A.S.", "Zapata Ltda."]


def test_plan_digest_repeats_for_same_data(zone, customers, advisor, other_advisor):
    first = services.assignment_plan(zone=zone, advisors=[advisor, other_advisor])
    second = services.assignment_plan(zone=zone, advisors=[other_advisor, advisor])
    assert first.digest == second.digest


def test_plan_rejects_unavailable_advisor(zone, advisor, other_advisor):
    other_advisor.available_for_assignment = False
    other_advisor.save()
    with pytest.raises(services.AssignmentError, match="Beatriz López"):
        services.assignment_plan(zone=zone, advisors=[advisor, other_advisor])


def test_plan_rejects_user_without_advisor_role(zone, advisor, billing_user):
    with pytest.raises(services.AssignmentError, match="asesor comercial"):
        services.assignment_plan(zone=zone, advisors=[advisor, billing_user])


def test_plan_rejects_empty_advisor_list(zone):
    with pytest.raises(services.AssignmentError, match="al menos un asesor"):
        services.assignment_plan(zone=zone, advisors=[])


def test_plan_rejects_inactive_zone(advisor):
    zone = make_zone("Zona cerrada", is_active=False)
    with pytest.raises(services.AssignmentError, match="inactiva"):
        services.assignment_plan(zone=zone, advisors=[advisor])


# Confirm


def test_confirm_gives_each_advisor_half(
    zone, customers, advisor, other_advisor, director
):
    confirm(zone, [advisor, other_advisor], director)
    assert portfolio(advisor, zone).count() == 5
    assert portfolio(other_advisor, zone).count() == 5


def test_confirm_records_run(zone, customers, advisor, other_advisor, director):
    run = confirm(zone, [advisor, other_advisor], director)
    assert run.kind == AssignmentRun.Kind.ASSIGN
    assert run.zone == zone
    assert run.created_by == director
    assert run.customer_count == 10


def test_confirm_records_assignment_with_previous_advisor(
    zone, customers, advisor, other_advisor, director
):
    third = make_user(Role.ADVISOR, "asesor3")
    Customer.objects.filter(pk=customers[0].pk).update(advisor=third)
    run = confirm(zone, [advisor, other_advisor], director)
    record = CustomerAssignment.objects.get(customer=customers[0])
    assert record.previous_advisor == third
    assert record.advisor in {advisor, other_advisor}
    assert record.run == run
    assert record.assigned_by == director
    assert record.zone == zone


def test_confirm_writes_customer_history_with_user(
    zone, customers, advisor, other_advisor, director
):
    confirm(zone, [advisor, other_advisor], director)
    latest = customers[0].history.latest()
    assert latest.history_user == director
    assert latest.advisor_id in {advisor.pk, other_advisor.pk}
    assert latest.history_change_reason == "Asignación de zona"


def test_confirm_again_moves_nobody(zone, customers, advisor, other_advisor, director):
    confirm(zone, [advisor, other_advisor], director)
    run = confirm(zone, [advisor, other_advisor], director)
    assert run.customer_count == 0


def test_confirm_keeps_customers_of_remaining_advisor(
    zone, customers, advisor, other_advisor, director
):
    confirm(zone, [advisor], director)
    third = make_user(Role.ADVISOR, "asesor3")
    confirm(zone, [advisor, third], director)
    assert portfolio(advisor, zone).count() == 5
    assert CustomerAssignment.objects.filter(previous_advisor=advisor).count() == 5


def test_confirm_rejects_stale_digest(
    zone, customers, advisor, other_advisor, director
):
    plan = services.assignment_plan(zone=zone, advisors=[advisor, other_advisor])
    make_customer(zone=zone, customer_type=NEW)
    with pytest.raises(services.StalePlanError) as raised:
        services.assignment_confirm(
            zone=zone,
            advisors=[advisor, other_advisor],
            user=director,
            plan_digest=plan.digest,
        )
    assert raised.value.plan.customer_count == 11
    assert not Customer.objects.filter(advisor__isnull=False).exists()
    assert not AssignmentRun.objects.exists()


def test_confirm_rejects_digest_after_type_change(
    zone, customers, advisor, other_advisor, director
):
    plan = services.assignment_plan(zone=zone, advisors=[advisor, other_advisor])
    Customer.objects.filter(pk=customers[0].pk).update(customer_type=EXISTING)
    with pytest.raises(services.StalePlanError):
        services.assignment_confirm(
            zone=zone,
            advisors=[advisor, other_advisor],
            user=director,
            plan_digest=plan.digest,
        )


def test_confirm_rejects_zone_without_customers(zone, advisor, director):
    with pytest.raises(services.AssignmentError, match="no tiene clientes"):
        confirm(zone, [advisor], director)


def test_confirm_queues_one_email_per_advisor(
    zone, customers, advisor, other_advisor, director
):
    confirm(zone, [advisor, other_advisor], director)
    emails = OutgoingEmail.objects.filter(kind=services.ASSIGNMENT_EMAIL_KIND)
    assert sorted(e.to[0] for e in emails) == [advisor.email, other_advisor.email]


def test_confirm_email_states_zone_counts_and_link(
    zone, customers, advisor, other_advisor, director, settings
):
    settings.SITE_URL = "https://ventas.example.com"
    confirm(zone, [advisor, other_advisor], director)
    email = OutgoingEmail.objects.get(to=[advisor.email])
    assert email.subject == "Asignación de zona Melgar Centro: 5 clientes"
    assert "5 clientes (2 nuevos y 3 antiguos)" in email.body_text
    assert "https://ventas.example.com/clientes/" in email.body_text
    assert "Hola, Andrés:" in email.body_text


def test_confirm_sends_email_after_commit(
    zone,
    customers,
    advisor,
    other_advisor,
    director,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        confirm(zone, [advisor, other_advisor], director)
    assert len(mail.outbox) == 2
    assert not OutgoingEmail.objects.exclude(status=OutgoingEmail.Status.SENT).exists()


def test_confirm_skips_email_for_advisor_without_address(
    zone, customers, advisor, other_advisor, director
):
    other_advisor.email = ""
    other_advisor.save()
    confirm(zone, [advisor, other_advisor], director)
    assert OutgoingEmail.objects.count() == 1


# Redistribution


@pytest.fixture
def third_advisor(zone):
    third = make_user(Role.ADVISOR, "asesor3", first_name="Camilo", last_name="Ruiz")
    zone.advisors.add(third)
    return third


@pytest.fixture
def assigned_zone(zone, customers, advisor, other_advisor, third_advisor, director):
    confirm(zone, [advisor, other_advisor, third_advisor], director)
    return zone


def redistribute(advisor, user, reason="Licencia de maternidad"):
    plan = services.advisor_redistribution_plan(advisor=advisor)
    return services.advisor_redistribute(
        advisor=advisor, user=user, reason=reason, plan_digest=plan.digest
    )


def test_redistribute_empties_departing_portfolio(assigned_zone, advisor, director):
    redistribute(advisor, director)
    assert not Customer.objects.filter(advisor=advisor).exists()


def test_redistribute_marks_advisor_unavailable(assigned_zone, advisor, director):
    redistribute(advisor, director)
    advisor.refresh_from_db()
    assert advisor.available_for_assignment is False


def test_redistribute_stays_fair(
    assigned_zone, advisor, other_advisor, third_advisor, director
):
    redistribute(advisor, director)
    for kind, expected in ((NEW, [2, 2]), (EXISTING, [3, 3])):
        counts = [
            portfolio(a, assigned_zone).filter(customer_type=kind).count()
            for a in (other_advisor, third_advisor)
        ]
        assert counts == expected


def test_redistribute_moves_only_departing_customers(assigned_zone, advisor, director):
    held = portfolio(advisor, assigned_zone).count()
    run = redistribute(advisor, director)
    assert run.customer_count == held
    assert (
        not CustomerAssignment.objects.filter(run=run)
        .exclude(previous_advisor=advisor)
        .exists()
    )


def test_redistribute_records_reason(assigned_zone, advisor, director):
    run = redistribute(advisor, director, reason="Retiro voluntario")
    assert run.kind == AssignmentRun.Kind.REDISTRIBUTE
    assert run.departing_advisor == advisor
    assert run.note == "Retiro voluntario"


def test_redistribute_notifies_receivers_only(
    assigned_zone, advisor, other_advisor, third_advisor, director
):
    OutgoingEmail.objects.all().delete()
    redistribute(advisor, director)
    recipients = sorted(
        email.to[0]
        for email in OutgoingEmail.objects.filter(
            kind=services.REDISTRIBUTION_EMAIL_KIND
        )
    )
    assert recipients == sorted([other_advisor.email, third_advisor.email])


def test_redistribute_email_names_departing_advisor(
    assigned_zone, advisor, other_advisor, director
):
    redistribute(advisor, director)
    email = OutgoingEmail.objects.get(
        kind=services.REDISTRIBUTION_EMAIL_KIND, to=[other_advisor.email]
    )
    assert "cartera de Andrés Gómez" in email.body_text
    assert "Zona Melgar Centro" in email.body_text


def test_redistribute_leaves_customers_without_other_advisor_unassigned(
    advisor, director
):
    lonely = make_zone("Zona rural", advisors=[advisor])
    customer = make_customer(zone=lonely, advisor=advisor)
    without_zone = make_customer(advisor=advisor)
    redistribute(advisor, director)
    customer.refresh_from_db()
    without_zone.refresh_from_db()
    assert customer.advisor is None
    assert without_zone.advisor is None


def test_redistribute_requires_reason(assigned_zone, advisor, director):
    with pytest.raises(services.AssignmentError, match="motivo"):
        redistribute(advisor, director, reason="  ")


def test_redistribute_rejects_stale_digest(assigned_zone, advisor, director):
    plan = services.advisor_redistribution_plan(advisor=advisor)
    make_customer(zone=assigned_zone, advisor=advisor)
    with pytest.raises(services.StalePlanError):
        services.advisor_redistribute(
            advisor=advisor, user=director, reason="Retiro", plan_digest=plan.digest
        )
    advisor.refresh_from_db()
    assert advisor.available_for_assignment is True


def test_mark_available_restores_flag(advisor, director):
    advisor.available_for_assignment = False
    advisor.save()
    services.advisor_mark_available(advisor=advisor, user=director)
    advisor.refresh_from_db()
    assert advisor.available_for_assignment is True

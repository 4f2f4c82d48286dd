"""Resolving by hand a request that matched no registry account."""

import pytest
from django.urls import reverse

from subscribers.models import SubscriberAccount
from terminations import services
from terminations.forms import AssignAccountForm
from terminations.models import TerminationRequest, Verification
from terminations.tests.conftest import make_account, make_request

# A cadastral number Excel stored as a number, as the import keeps it: the 15
# digits Excel kept.
TRUNCATED = "734490103000602"


def truncated_request(competitor, **fields):
    return make_request(
        competitor,
        received_code=TRUNCATED,
        cadastral_number_truncated=True,
        received={"CÉDULA / NIT": "6.547.854", "NOMBRE SUSCRIPTOR": "Andrea Gómez"},
        **fields,
    )


def test_truncated_request_flag_asks_for_a_person(competitor):
    request = truncated_request(competitor)

    assert request.flag_labels == [
        "Sin coincidencia",
        "Predial truncado por Excel: asigne la cuenta a mano",
    ]


def test_candidates_by_document_then_prefix(competitor):
    same_id = make_account("449000189", id_number="6547854")
    same_prefix = make_account(
        "449000347", cadastral_number="734490103000602150017000000000"
    )
    make_account("449000348", cadastral_number="734490103000699990017000000000")
    request = truncated_request(competitor)

    candidates = services.account_candidates(request=request)

    assert candidates == [same_id, same_prefix]


def test_manager_assigns_account(client, competitor, director):
    account = make_account("449000189")
    request = truncated_request(competitor)
    client.force_login(director)

    response = client.post(
        reverse("terminations:assign_account", args=[request.pk]),
        {"account_code": "449-000189"},
    )
    request.refresh_from_db()

    assert response.status_code == 302
    assert request.account == account
    assert request.match_method == TerminationRequest.MatchMethod.MANUAL
    assert request.cadastral_number_truncated
    assert request.flag_labels == []
    assert request.history.first().history_change_reason == "Cuenta asignada a mano"


def test_detail_offers_candidates_to_manager(client, competitor, director):
    make_account("449000189", id_number="6547854")
    request = truncated_request(competitor)

    client.force_login(director)
    response = client.get(request.get_absolute_url())

    assert "Asignar la cuenta" in response.text
    assert "Asignar 449000189" in response.text


def test_unknown_code_is_reported(client, competitor, director):
    request = truncated_request(competitor)
    client.force_login(director)

    response = client.post(
        reverse("terminations:assign_account", args=[request.pk]),
        {"account_code": "449999999"},
        follow=True,
    )
    request.refresh_from_db()

    assert "La cuenta 449999999 no existe en el catastro" in response.text
    assert request.account is None


def test_assigned_account_with_open_request_is_repeat(competitor, director):
    account = make_account("449000189")
    earlier = make_request(competitor, account)
    request = truncated_request(competitor)

    services.request_assign_account(request=request, account=account, user=director)

    assert request.is_duplicate
    assert request.duplicate_of == earlier


def test_assignment_flags_claims_and_unlinked(competitor, other_competitor, director):
    account = make_account("449000189", status=SubscriberAccount.Status.UNLINKED)
    other = make_request(other_competitor, account)
    request = truncated_request(competitor)

    services.request_assign_account(request=request, account=account, user=director)
    other.refresh_from_db()

    assert request.already_unlinked
    assert request.claimed_by_other
    assert other.claimed_by_other
    assert not request.is_duplicate


def test_matched_request_cannot_be_reassigned(competitor, director):
    request = make_request(competitor, make_account("449000189"))

    with pytest.raises(services.TerminationError, match="ya tiene la cuenta 449000189"):
        services.request_assign_account(
            request=request, account=make_account("449000190"), user=director
        )


def test_advisor_cannot_assign(client, competitor, advisor):
    request = truncated_request(competitor, advisor=advisor)
    client.force_login(advisor)

    response = client.post(
        reverse("terminations:assign_account", args=[request.pk]),
        {"account_code": "449000189"},
    )

    assert response.status_code == 403


@pytest.mark.parametrize("raw", ["-5", "449A00189", "449_000_189"])
def test_account_code_with_letters_rejected(db, raw):
    make_account("000000005")
    form = AssignAccountForm(data={"account_code": raw})

    assert not form.is_valid()
    assert "no es un código de cuenta" in form.errors["account_code"][0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("449.000.189", "449000189"),
        ("189", "000000189"),
        ("4490001890123", "4490001890123"),
    ],
)
def test_account_code_forms_accepted(db, raw, expected):
    make_account("449000189")
    make_account("000000189")
    make_account("4490001890123")
    form = AssignAccountForm(data={"account_code": raw})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["account_code"].account_code == expected


# Undoing a manual assignment --------------------------------------------------


def assigned_request(competitor, director, code="449000189", **fields):
    """A truncated request with account `code` assigned by hand."""
    account = make_account(code, **fields)
    request = truncated_request(competitor)
    services.request_assign_account(request=request, account=account, user=director)
    return request


def unassign_url(request):
    return reverse("terminations:unassign_account", args=[request.pk])


def test_manager_undoes_manual_account(client, competitor, director):
    request = assigned_request(competitor, director)
    client.force_login(director)

    response = client.post(unassign_url(request), {"reason": "Era otra Andrea Gómez"})
    request.refresh_from_db()

    assert response.status_code == 302
    assert request.account is None
    assert request.match_method == TerminationRequest.MatchMethod.NONE
    assert request.flag_labels == [
        "Sin coincidencia",
        "Predial truncado por Excel: asigne la cuenta a mano",
    ]
    latest = request.history.first()
    assert latest.history_user == director
    assert latest.history_change_reason == (
        "Cuenta 449000189 desasignada: Era otra Andrea Gómez"
    )
    assert request.history.filter(account_id__isnull=False).exists()


def test_undone_request_shows_changes_and_assigns_again(client, competitor, director):
    request = assigned_request(competitor, director)
    right = make_account("449000190")
    client.force_login(director)
    client.post(unassign_url(request), {"reason": "Cuenta equivocada"})

    page = client.get(request.get_absolute_url()).text
    assert "Cambios de cuenta" in page
    assert "Cuenta equivocada" in page
    assert "Asignar la cuenta" in page
    assert "Deshacer asignación" not in page

    client.post(
        reverse("terminations:assign_account", args=[request.pk]),
        {"account_code": "449000190"},
    )
    request.refresh_from_db()
    assert request.account == right
    assert request.match_method == TerminationRequest.MatchMethod.MANUAL


def test_detail_offers_undo_to_manager_only(client, competitor, director, advisor):
    request = assigned_request(competitor, director)
    request.advisor = advisor
    request.save()

    client.force_login(director)
    assert "Deshacer asignación" in client.get(request.get_absolute_url()).text
    client.force_login(advisor)
    assert "Deshacer asignación" not in client.get(request.get_absolute_url()).text


def test_undo_requires_reason(client, competitor, director):
    request = assigned_request(competitor, director)
    client.force_login(director)

    response = client.post(unassign_url(request), {"reason": " "}, follow=True)
    request.refresh_from_db()

    assert "Falta el motivo" in response.text
    assert request.account is not None
    with pytest.raises(services.TerminationError, match="motivo"):
        services.request_unassign_account(request=request, user=director, reason="")


def test_advisor_cannot_undo(client, competitor, director, advisor):
    request = assigned_request(competitor, director)
    request.advisor = advisor
    request.save()
    client.force_login(advisor)

    response = client.post(unassign_url(request), {"reason": "Error"})
    request.refresh_from_db()

    assert response.status_code == 403
    assert request.account is not None


def test_undo_clears_repeat_and_claims(competitor, other_competitor, director):
    account = make_account("449000189", status=SubscriberAccount.Status.UNLINKED)
    earlier = make_request(competitor, account)
    other = make_request(other_competitor, account)
    request = truncated_request(competitor)
    services.request_assign_account(request=request, account=account, user=director)

    services.request_unassign_account(request=request, user=director, reason="Error")
    other.refresh_from_db()
    earlier.refresh_from_db()

    assert not request.is_duplicate
    assert request.duplicate_of is None
    assert not request.already_unlinked
    assert not request.claimed_by_other
    # The competitor's earlier request still claims the account.
    assert other.claimed_by_other


def test_undo_clears_claim_it_made(competitor, other_competitor, director):
    account = make_account("449000189")
    other = make_request(other_competitor, account)
    request = truncated_request(competitor)
    services.request_assign_account(request=request, account=account, user=director)
    other.refresh_from_db()
    assert other.claimed_by_other

    services.request_unassign_account(request=request, user=director, reason="Error")
    other.refresh_from_db()

    assert not other.claimed_by_other


def test_undo_refused_after_verification(competitor, director, advisor):
    request = assigned_request(competitor, director)
    services.verification_record(
        request=request,
        user=advisor,
        result=Verification.Result.NOT_LOCATED,
        evidence_kind=Verification.EvidenceKind.CALL,
    )
    request.refresh_from_db()

    with pytest.raises(services.TerminationError, match="ya se usó en su trámite"):
        services.request_unassign_account(request=request, user=director, reason="x")
    assert not services.request_account_undoable(request)


def test_undo_refused_with_verification_still_filed(competitor, director, advisor):
    """A verification blocks the undo even on a request still radicada, so the
    check does not rest on the status alone."""
    request = assigned_request(competitor, director)
    Verification.objects.create(
        request=request,
        result=Verification.Result.NOT_LOCATED,
        evidence_kind=Verification.EvidenceKind.CALL,
        recorded_by=advisor,
    )

    with pytest.raises(services.TerminationError, match="tiene verificaciones"):
        services.request_unassign_account(request=request, user=director, reason="x")


@pytest.mark.parametrize(
    "status",
    [
        TerminationRequest.Status.VERIFYING,
        TerminationRequest.Status.ACCEPTED,
        TerminationRequest.Status.REJECTED,
        TerminationRequest.Status.WITHDRAWN,
        TerminationRequest.Status.EFFECTIVE,
    ],
)
def test_undo_refused_past_filed(competitor, director, status):
    request = assigned_request(competitor, director)
    TerminationRequest.objects.filter(pk=request.pk).update(status=status)
    request.refresh_from_db()

    with pytest.raises(services.TerminationError, match="no se puede desasignar"):
        services.request_unassign_account(request=request, user=director, reason="x")
    request.refresh_from_db()
    assert request.account is not None


def test_undo_refused_when_repeated(competitor, director):
    request = assigned_request(competitor, director)
    make_request(competitor, request.account, is_duplicate=True, duplicate_of=request)

    with pytest.raises(services.TerminationError, match="repetición"):
        services.request_unassign_account(request=request, user=director, reason="x")


def test_manager_undoes_imported_match(client, competitor, director):
    request = make_request(competitor, make_account("449000189"))
    client.force_login(director)
    page = client.get(request.get_absolute_url()).text
    assert "Deshacer asignación" in page
    assert "se encontró al importar la lista (por código de cuenta)" in page

    response = client.post(unassign_url(request), {"reason": "El código era de otro"})
    request.refresh_from_db()

    assert response.status_code == 302
    assert request.account is None
    assert request.match_method == TerminationRequest.MatchMethod.NONE
    assert request.history.first().history_change_reason == (
        "Cuenta 449000189 desasignada: El código era de otro"
    )


def test_request_page_shows_history_with_reasons(client, competitor, director):
    request = make_request(competitor, make_account("449000189"))
    client.force_login(director)
    client.post(unassign_url(request), {"reason": "El código era de otro"})

    page = client.get(request.get_absolute_url()).text

    assert "Historial de cambios" in page
    assert (
        "modificó la solicitud: Cuenta 449000189 desasignada: El código era de otro"
        in page
    )
    assert "creó la solicitud" in page

"""Default document requirements and their configuration."""

import pytest
from django.contrib import admin

from onboarding.models import DocumentKind, DocumentRequirement
from onboarding.services import requirement_max_age_days

pytestmark = pytest.mark.django_db


def kinds_of(person_kind):
    return list(
        DocumentRequirement.objects.filter(person_kind=person_kind).values_list(
            "kind", flat=True
        )
    )


def test_legal_entity_defaults():
    assert kinds_of("juridica") == [
        DocumentKind.RUT,
        DocumentKind.CHAMBER_OF_COMMERCE,
        DocumentKind.REPRESENTATIVE_ID,
    ]


def test_natural_person_defaults():
    assert kinds_of("natural") == [DocumentKind.ID_CARD, DocumentKind.RUT]


def test_defaults_are_required():
    assert not DocumentRequirement.objects.filter(is_required=False).exists()


def test_only_chamber_needs_issue_date():
    needing = DocumentRequirement.objects.filter(needs_issue_date=True)
    assert [row.kind for row in needing] == [DocumentKind.CHAMBER_OF_COMMERCE]


def test_chamber_age_follows_setting(settings):
    chamber = DocumentRequirement.objects.get(
        person_kind="juridica", kind=DocumentKind.CHAMBER_OF_COMMERCE
    )
    assert chamber.max_age_days is None
    assert requirement_max_age_days(chamber) == 30
    settings.CHAMBER_CERTIFICATE_MAX_AGE_DAYS = 90
    assert requirement_max_age_days(chamber) == 90


def test_row_age_overrides_setting():
    chamber = DocumentRequirement.objects.get(
        person_kind="juridica", kind=DocumentKind.CHAMBER_OF_COMMERCE
    )
    chamber.max_age_days = 60
    assert requirement_max_age_days(chamber) == 60


def test_other_documents_have_no_age_limit():
    rut = DocumentRequirement.objects.get(person_kind="juridica", kind="rut")
    assert requirement_max_age_days(rut) is None


def test_requirements_editable_in_admin():
    assert admin.site.is_registered(DocumentRequirement)


def test_admin_lists_requirements(client):
    from tests.factories import make_user

    superuser = make_user(None, "raiz", is_superuser=True, is_staff=True)
    client.force_login(superuser)

    response = client.get("/admin/onboarding/documentrequirement/")

    assert response.status_code == 200
    assert "Certificado de Cámara de Comercio" in response.text

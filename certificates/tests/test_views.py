from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certificates.models import Certificate, DirectorSignature
from certificates.services import certificate_revoke
from certificates.tests.helpers import png_bytes, signature_upload

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def draft_post(customer, orders, **extra):
    data = {
        "customer": customer.pk,
        "request_channel": "oficio",
        "request_reference": "RAD-99",
        "requested_on": "2026-11-03",
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "waste_type": "Escombros",
        "destination_site": "Escombrera La Esperanza",
        "destination_authorization": "Resolución 1234 de 2024",
        "weigh_tickets": "",
        "notes": "",
        "orders": [order.pk for order in orders],
    }
    data.update(extra)
    return data


# --- pages and roles -------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["advisor", "coordinator", "director", "billing_user", "administrator"]
)
def test_list_open_to_readers(client, request, persona, draft):
    response = login(client, request.getfixturevalue(persona)).get(
        reverse("certificates:list")
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "persona", ["operations_user", "logistics_user", "no_role_user"]
)
def test_list_forbidden_to_other_roles(client, request, persona):
    response = login(client, request.getfixturevalue(persona)).get(
        reverse("certificates:list")
    )
    assert response.status_code == 403


def test_list_hides_other_portfolio(client, other_advisor, draft):
    response = login(client, other_advisor).get(reverse("certificates:list"))
    assert "Constructora Ñandú" not in response.content.decode()


def test_list_requires_login(client):
    response = client.get(reverse("certificates:list"))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "ingresar" in response["Location"]


@pytest.mark.parametrize(
    "name", ["detail", "update", "preview", "pdf", "sign", "revoke"]
)
def test_other_portfolio_gets_404(client, other_advisor, director, draft, name):
    method = client.post if name == "sign" else client.get
    login(client, other_advisor)
    response = method(reverse(f"certificates:{name}", args=[draft.pk]))
    # Sign and revoke are the director's features: 403 before visibility.
    expected = 403 if name in ("sign", "revoke") else 404
    assert response.status_code == expected


def test_detail_shows_sign_button_only_to_director(
    client, advisor, director, draft, director_signature
):
    advisor_page = login(client, advisor).get(draft.get_absolute_url()).content.decode()
    assert ">Firmar<" not in advisor_page
    director_page = (
        login(client, director).get(draft.get_absolute_url()).content.decode()
    )
    assert ">Firmar<" in director_page


def test_create_lists_invoiced_orders(client, advisor, customer, invoiced_order):
    response = login(client, advisor).post(
        reverse("certificates:create"), {**draft_post(customer, []), "buscar": "1"}
    )
    assert response.status_code == 200
    assert invoiced_order.code in response.content.decode()
    assert not Certificate.objects.exists()


def test_create_saves_draft(client, advisor, customer, invoiced_order):
    response = login(client, advisor).post(
        reverse("certificates:create"), draft_post(customer, [invoiced_order])
    )
    certificate = Certificate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == certificate.get_absolute_url()
    assert certificate.lines.count() == 1
    assert certificate.drafted_by == advisor


def test_create_refuses_other_customer(client, other_advisor, customer, invoiced_order):
    response = login(client, other_advisor).post(
        reverse("certificates:create"), draft_post(customer, [invoiced_order])
    )
    assert response.status_code == 200
    assert not Certificate.objects.exists()


@pytest.mark.parametrize("persona", ["billing_user", "operations_user"])
def test_create_forbidden_to_non_sales(client, request, persona):
    response = login(client, request.getfixturevalue(persona)).get(
        reverse("certificates:create")
    )
    assert response.status_code == 403


def test_update_by_advisor(client, advisor, customer, draft, invoiced_order):
    response = login(client, advisor).post(
        reverse("certificates:update", args=[draft.pk]),
        draft_post(customer, [invoiced_order], waste_type="Residuos voluminosos"),
    )
    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.waste_type == "Residuos voluminosos"


def test_update_refused_after_signing(
    client, advisor, customer, signed, invoiced_order
):
    login(client, advisor).post(
        reverse("certificates:update", args=[signed.pk]),
        draft_post(customer, [invoiced_order], waste_type="Otro"),
    )
    signed.refresh_from_db()
    assert signed.waste_type != "Otro"


def test_preview_is_draft_pdf(client, advisor, draft):
    response = login(client, advisor).get(
        reverse("certificates:preview", args=[draft.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


# --- signing -----------------------------------------------------------------


def test_director_signs(client, director, draft, director_signature):
    response = login(client, director).post(
        reverse("certificates:sign", args=[draft.pk])
    )
    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.status == Certificate.Status.SIGNED
    assert draft.code


@pytest.mark.parametrize(
    "persona", ["coordinator", "advisor", "administrator", "superuser", "billing_user"]
)
def test_sign_forbidden_to_others(client, request, persona, draft, director_signature):
    response = login(client, request.getfixturevalue(persona)).post(
        reverse("certificates:sign", args=[draft.pk])
    )
    draft.refresh_from_db()
    assert response.status_code == 403
    assert draft.status == Certificate.Status.DRAFT


def test_sign_without_signature_shows_message(client, director, draft):
    response = login(client, director).post(
        reverse("certificates:sign", args=[draft.pk]), follow=True
    )
    assert "firma registrada" in response.content.decode()


def test_pdf_download_is_attachment(client, advisor, signed):
    response = login(client, advisor).get(reverse("certificates:pdf", args=[signed.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert signed.code in response["Content-Disposition"]


def test_pdf_of_draft_is_404(client, advisor, draft):
    response = login(client, advisor).get(reverse("certificates:pdf", args=[draft.pk]))
    assert response.status_code == 404


def test_revoke_by_director(client, director, signed):
    response = login(client, director).post(
        reverse("certificates:revoke", args=[signed.pk]),
        {"reason": "Se expidió con el periodo errado."},
    )
    signed.refresh_from_db()
    assert response.status_code == 302
    assert signed.status == Certificate.Status.REVOKED


@pytest.mark.parametrize("persona", ["coordinator", "advisor", "administrator"])
def test_revoke_forbidden_to_others(client, request, persona, signed):
    response = login(client, request.getfixturevalue(persona)).post(
        reverse("certificates:revoke", args=[signed.pk]),
        {"reason": "Se expidió con el periodo errado."},
    )
    signed.refresh_from_db()
    assert response.status_code == 403
    assert signed.status == Certificate.Status.SIGNED


# --- signature upload --------------------------------------------------------


def test_signature_upload_stores_random_name(client, director):
    response = login(client, director).post(
        reverse("certificates:signature"),
        {
            "image": signature_upload(name="../../etc/passwd.png"),
            "title": "Director de ventas",
        },
    )
    signature = DirectorSignature.objects.get(user=director)
    assert response.status_code == 302
    assert signature.image.name.startswith("certificados/firmas/")
    assert ".." not in signature.image.name
    assert "passwd" not in signature.image.name
    assert signature.image.name.endswith(".png")


def test_signature_upload_takes_extension_from_content(client, director):
    jpeg = SimpleUploadedFile("firma.png", b"\xff\xd8\xff" + png_bytes()[3:])
    login(client, director).post(
        reverse("certificates:signature"), {"image": jpeg, "title": "Director"}
    )
    # A JPEG header on a PNG body does not decode: refused, nothing stored.
    assert not DirectorSignature.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n1 0 obj <<>> endobj\n",
        b"<script>alert(1)</script>",
        b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10,
    ],
    ids=["pdf", "html", "truncated-png"],
)
def test_signature_upload_rejects_wrong_content(client, director, content):
    response = login(client, director).post(
        reverse("certificates:signature"),
        {"image": SimpleUploadedFile("firma.png", content), "title": "Director"},
    )
    assert response.status_code == 200
    assert "PNG" in response.content.decode()
    assert not DirectorSignature.objects.exists()


def test_signature_upload_rejects_oversize(client, director, settings):
    settings.UPLOAD_MAX_MB = 1
    big = png_bytes(size=(10, 10)) + b"\0" * (1024 * 1024 + 1)
    response = login(client, director).post(
        reverse("certificates:signature"),
        {"image": SimpleUploadedFile("firma.png", big), "title": "Director"},
    )
    assert response.status_code == 200
    assert "el máximo es 1 MB" in response.content.decode()
    assert not DirectorSignature.objects.exists()


@pytest.mark.parametrize("persona", ["coordinator", "administrator", "advisor"])
def test_signature_page_forbidden_to_others(client, request, persona):
    response = login(client, request.getfixturevalue(persona)).get(
        reverse("certificates:signature")
    )
    assert response.status_code == 403


def test_signature_image_served_to_owner(client, director, director_signature):
    response = login(client, director).get(reverse("certificates:signature_image"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


# --- public verification -------------------------------------------------------


def test_verify_shows_allowed_data(client, signed, customer):
    response = client.get(signed.get_public_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert signed.code in page
    assert "Constructora Ñandú S.A.S." in page
    assert customer.id_number[-3:] in page
    assert "Vigente" in page
    assert signed.signed_at.astimezone().strftime("%Y") in page


def test_verify_hides_other_customer_data(client, signed, customer, invoiced_order):
    page = client.get(signed.get_public_url()).content.decode()
    assert customer.id_number not in page
    assert customer.identification_display not in page
    assert customer.email not in page
    assert customer.address not in page
    assert "6082451234" not in page
    assert "608 245 1234" not in page
    assert "FE-1001" not in page
    assert invoiced_order.code not in page
    assert "RCD" not in page


def test_verify_short_url(signed):
    assert signed.get_public_url() == f"/v/{signed.public_token}/"


def test_verify_headers(client, signed):
    response = client.get(signed.get_public_url())
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-cache" in response["Cache-Control"]


def test_verify_shows_revoked(client, signed, director):
    certificate_revoke(
        certificate=signed, user=director, reason="Se expidió con el periodo errado."
    )
    page = client.get(signed.get_public_url()).content.decode()
    assert "Certificado revocado" in page
    assert "Vigente" not in page


def test_verify_unknown_token_404(client, signed):
    response = client.get(reverse("certificates:verify", args=["A" * 22]))
    assert response.status_code == 404
    assert "Certificado no encontrado" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_verify_by_code_or_pk_404(client, signed):
    for guess in (signed.code, str(signed.pk)):
        response = client.get(reverse("certificates:verify", args=[guess]))
        assert response.status_code == 404


def test_verify_draft_token_404(client, draft):
    response = client.get(draft.get_public_url())
    assert response.status_code == 404


def test_verify_rate_limited_after_misses(client, signed, settings):
    settings.CERTIFICATE_VERIFY_MISS_LIMIT = 3
    for attempt in range(3):
        response = client.get(reverse("certificates:verify", args=[f"x{attempt}"]))
        assert response.status_code == 404
    blocked = client.get(signed.get_public_url())
    assert blocked.status_code == 429
    assert signed.code not in blocked.content.decode()


def test_verify_works_for_logged_in_staff(client, advisor, signed):
    response = login(client, advisor).get(signed.get_public_url())
    assert response.status_code == 200


def test_period_dates_in_list(client, advisor, draft):
    page = login(client, advisor).get(reverse("certificates:list")).content.decode()
    assert date(2026, 10, 1).strftime("%d/%m/%Y") in page


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-10-31", "2026-10-01", "corrija las fechas"),
        ("2026-10-01", "2099-01-31", "después de hoy"),
    ],
)
def test_search_checks_the_period(
    client, advisor, customer, invoiced_order, start, end, expected
):
    data = {**draft_post(customer, []), "buscar": "1"}
    data.update(period_start=start, period_end=end)
    response = login(client, advisor).post(reverse("certificates:create"), data)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not Certificate.objects.exists()


def test_verify_page_has_no_double_period(client, signed, settings):
    settings.COMPANY_PHONE = ""
    page = client.get(signed.get_public_url()).content.decode()
    assert "E.S.P.." not in page
    assert "expedido por ASEO VALLE DEL SUMAPAZ S.A. E.S.P.</p>" in page


def test_history_names_signing(client, director, signed):
    page = login(client, director).get(signed.get_absolute_url()).content.decode()
    assert "Modificado" not in page


def test_history_names_revocation(client, director, signed):
    certificate_revoke(
        certificate=signed, user=director, reason="Se expidió con el periodo errado."
    )
    page = login(client, director).get(signed.get_absolute_url()).content.decode()
    assert "Modificado" not in page


def test_revoked_detail_hides_revoke(client, director, signed):
    certificate_revoke(
        certificate=signed, user=director, reason="Se expidió con el periodo errado."
    )
    page = login(client, director).get(signed.get_absolute_url()).content.decode()
    assert reverse("certificates:revoke", args=[signed.pk]) not in page


def test_revoke_page_of_revoked_redirects(client, director, signed):
    certificate_revoke(
        certificate=signed, user=director, reason="Se expidió con el periodo errado."
    )
    response = login(client, director).get(
        reverse("certificates:revoke", args=[signed.pk])
    )
    assert response.status_code == 302


def test_verify_misses_shared_between_workers(client, signed, settings, monkeypatch):
    from django.core.cache import caches
    from django.db import connection

    from certificates import views

    settings.CERTIFICATE_VERIFY_MISS_LIMIT = 3
    for attempt in range(2):
        response = client.get(reverse("certificates:verify", args=[f"x{attempt}"]))
        assert response.status_code == 404
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_cache")
        assert cursor.fetchone()[0] == 1
    # A cache object of its own, as another worker process or a restarted
    # server has, reads the same count and records the third miss.
    other_worker = caches.create_connection("default")
    with monkeypatch.context() as patch:
        patch.setattr(views, "cache", other_worker)
        assert views._verify_misses("127.0.0.1") == 2
        response = client.get(reverse("certificates:verify", args=["x2"]))
        assert response.status_code == 404
    blocked = client.get(signed.get_public_url())
    assert blocked.status_code == 429


def test_verify_window_outlives_default_timeout(client, signed, settings):
    import time_machine
    from django.utils import timezone

    settings.CERTIFICATE_VERIFY_MISS_LIMIT = 3
    settings.CERTIFICATE_VERIFY_WINDOW_MINUTES = 60
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for attempt, minutes in enumerate((0, 10, 20)):
            traveller.move_to(start + timedelta(minutes=minutes))
            response = client.get(reverse("certificates:verify", args=[f"x{attempt}"]))
            assert response.status_code == 404
        traveller.move_to(start + timedelta(minutes=59))
        assert client.get(signed.get_public_url()).status_code == 429
        traveller.move_to(start + timedelta(minutes=61))
        assert client.get(signed.get_public_url()).status_code == 200

"""Pages: who sees which request, forbidden features, distribution and downloads."""

import re
from datetime import date
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from core.models import OutgoingEmail
from subscribers.models import Competitor
from terminations import services
from terminations.forms import MeetingForm
from terminations.models import ReconciliationMeeting, Verification
from terminations.tests.conftest import make_account, make_request
from tests.factories import make_zone

# The hidden token a rendered verification or meeting form carries.
TOKEN = "6f1c2f0e-8a61-4c1e-9a59-2f7d0a4b3c11"


def login(client, user):
    client.force_login(user)
    return client


def test_advisor_list_shows_only_own(client, competitor, advisor, other_advisor):
    make_request(competitor, make_account("449000401"), advisor=advisor)
    make_request(competitor, make_account("449000402"), advisor=other_advisor)

    response = login(client, advisor).get(reverse("terminations:list"))

    assert response.status_code == 200
    assert "449000401" in response.text
    assert "449000402" not in response.text


def test_director_list_shows_all_with_status(client, competitor, director, advisor):
    make_request(competitor, make_account("449000403"), advisor=advisor)
    make_request(competitor, make_account("449000404"))

    response = login(client, director).get(reverse("terminations:list"))

    assert "449000403" in response.text
    assert "449000404" in response.text
    assert "Vencido" in response.text


def test_advisor_gets_404_for_others_request(
    client, competitor, advisor, other_advisor
):
    item = make_request(competitor, make_account(), advisor=other_advisor)

    response = login(client, advisor).get(item.get_absolute_url())

    assert response.status_code == 404


def test_advisor_gets_404_for_others_desistimiento(
    client, competitor, advisor, other_advisor
):
    item = make_request(competitor, make_account(), advisor=other_advisor)
    services.verification_record(
        request=item,
        user=other_advisor,
        result=Verification.Result.NOT_AUTHENTIC,
        evidence_kind=Verification.EvidenceKind.CALL,
    )

    url = reverse("terminations:desistimiento_pdf", args=[item.pk])
    response = login(client, advisor).get(url)

    assert response.status_code == 404


def test_owner_downloads_desistimiento_as_attachment(client, competitor, advisor):
    item = make_request(competitor, make_account(), advisor=advisor)
    services.verification_record(
        request=item,
        user=advisor,
        result=Verification.Result.NOT_AUTHENTIC,
        evidence_kind=Verification.EvidenceKind.CALL,
    )

    url = reverse("terminations:desistimiento_pdf", args=[item.pk])
    response = login(client, advisor).get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "name",
    ["list_upload", "deliveries", "meeting_create", "novelties"],
)
def test_advisor_forbidden_manager_features(client, advisor, name):
    response = login(client, advisor).get(reverse(f"terminations:{name}"))

    assert response.status_code == 403


def test_billing_forbidden_request_list(client, billing_user):
    response = login(client, billing_user).get(reverse("terminations:list"))

    assert response.status_code == 403


def test_billing_reads_novelties(client, billing_user):
    response = login(client, billing_user).get(reverse("terminations:novelties"))

    assert response.status_code == 200


def test_advisor_verifies_own_request(client, competitor, advisor):
    item = make_request(competitor, make_account(), advisor=advisor)

    login(client, advisor).post(
        reverse("terminations:verify", args=[item.pk]),
        {
            "result": "confirmada",
            "evidence_kind": "llamada",
            "notes": "Confirmó",
            "submission": TOKEN,
        },
    )
    item.refresh_from_db()

    assert item.status == "aceptada"


def test_distribution_equal_counts_per_zone(
    client, competitor, director, advisor, other_advisor
):
    zone = make_zone("Melgar centro", advisors=[advisor, other_advisor])
    items = [
        make_request(competitor, make_account(f"44900050{n}", zone=zone))
        for n in range(5)
    ]
    request_list = items[0].request_list
    for item in items[1:]:
        item.request_list = request_list
        item.save()

    plan = services.distribution_plan(request_list=request_list)
    services.distribution_confirm(
        request_list=request_list, user=director, plan_digest=plan.digest
    )
    counts = sorted(
        request_list.requests.filter(advisor=user).count()
        for user in (advisor, other_advisor)
    )

    assert counts == [2, 3]


def test_distribution_rejects_stale_plan(competitor, director, advisor):
    zone = make_zone("Melgar norte", advisors=[advisor])
    item = make_request(competitor, make_account("449000601", zone=zone))

    with pytest.raises(services.TerminationError):
        services.distribution_confirm(
            request_list=item.request_list, user=director, plan_digest="viejo"
        )


def test_upload_previews_then_confirms(client, director, competitor, tmp_path):
    make_account("449000701")
    content = (
        "No.;FECHA RADICACIÓN;CÓDIGO CUENTA / CATASTRO;NOMBRE SUSCRIPTOR\n"
        "1;01/10/2026;449000701;Lucero Diaz\n"
    ).encode()
    login(client, director)

    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("terminations:list_upload"),
        {"competitor": competitor.pk, "file": SimpleUploadedFile("lista.csv", content)},
    )
    request_list = competitor.request_lists.get()
    preview_count = request_list.requests.count()
    client.post(reverse("terminations:list_confirm", args=[request_list.pk]))

    assert response.status_code == 302
    assert preview_count == 0
    assert request_list.requests.count() == 1


def test_digest_command_queues_mail(competitor, advisor):
    make_request(
        competitor,
        make_account("449000801"),
        advisor=advisor,
        response_due_on=date(2026, 10, 21),
    )

    call_command("send_termination_digest", "--date", "2026-10-20", stdout=StringIO())

    assert OutgoingEmail.objects.filter(to=[advisor.email]).exists()


def test_list_search_by_code_or_name(client, competitor, director):
    make_request(competitor, make_account("449000901", name="Lucero Díaz Portilla"))
    make_request(competitor, make_account("449000902", name="Mario Solano López"))
    login(client, director)

    by_code = client.get(reverse("terminations:list"), {"q": "449-000901"})
    by_name = client.get(reverse("terminations:list"), {"q": "solano lopez"})

    assert "449000901" in by_code.text
    assert "449000902" not in by_code.text
    assert "449000902" in by_name.text
    assert "449000901" not in by_name.text


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("calle", {"449000911"}),
        ("carrera", {"449000912"}),
        ("carre", {"449000912", "449000913"}),
        ("clau", {"449000913"}),
    ],
)
def test_list_search_street_words(client, competitor, director, query, found):
    accounts = {
        "449000911": ("Mario Solano", "CALLE 10 # 5-20", "Centro"),
        "449000912": ("Ana Ruiz", "CRA 26 # 8-15", "Centro"),
        "449000913": ("Claudia Carreño", "VDA EL CARMEN", "Rural"),
    }
    for code, (name, address, barrio) in accounts.items():
        make_request(
            competitor, make_account(code, name=name, address=address, barrio=barrio)
        )

    response = login(client, director).get(reverse("terminations:list"), {"q": query})

    listed = {code for code in accounts if code in response.text}
    assert listed == found


def test_list_search_finds_unmatched_code(client, competitor, director):
    make_request(competitor, received_code="449123456")
    make_request(competitor, make_account("449000903"))

    response = login(client, director).get(
        reverse("terminations:list"), {"q": "449123456"}
    )

    assert "449123456" in response.text
    assert "449000903" not in response.text


def test_list_search_finds_unmatched_by_received_name(client, competitor, director):
    received = {
        "NOMBRE SUSCRIPTOR": "Rosalba Peñuela Gómez",
        "DIRECCIÓN": "CALLE 7 # 3-15",
    }
    make_request(competitor, received_code="449123457", received=received)
    # A matched request shows the account's name, so the name the competitor
    # wrote for it does not find it.
    make_request(
        competitor,
        make_account("449000905", name="Mario Solano López"),
        received={"NOMBRE SUSCRIPTOR": "Rosalba Peñuela"},
    )
    login(client, director)

    by_name = client.get(reverse("terminations:list"), {"q": "ROSALBA penuela"})
    by_street = client.get(reverse("terminations:list"), {"q": "calle"})
    by_other = client.get(reverse("terminations:list"), {"q": "solano"})

    assert "Rosalba Peñuela Gómez" in by_name.text
    assert "449123457" in by_name.text
    assert "449000905" not in by_name.text
    assert "449123457" in by_street.text
    assert "449123457" not in by_other.text
    assert "449000905" in by_other.text


def test_list_search_finds_address_numbers(client, competitor, director):
    received = {
        "NOMBRE SUSCRIPTOR": "Alberto Prieto Carvajal",
        "DIRECCIÓN": "Cl. 23 Bis # 24-21 Ap 604",
    }
    make_request(competitor, received_code="148000791", received=received)
    make_request(competitor, make_account("449000905", address="CL 7 # 3-15"))
    login(client, director)

    unmatched = client.get(reverse("terminations:list"), {"q": "Cl. 23 Bis"})
    matched = client.get(reverse("terminations:list"), {"q": "calle 7 3-15"})

    assert "148000791" in unmatched.text
    assert "449000905" not in unmatched.text
    assert "449000905" in matched.text
    assert "148000791" not in matched.text


def test_list_search_finds_cadastral_numbers(client, competitor, director):
    matched = make_account(
        "449000906", cadastral_number="734490103000602681820032532480"
    )
    make_request(competitor, matched)
    make_request(competitor, received_code="731480106001001250020000000000")
    make_request(competitor, make_account("449000907"))
    login(client, director)

    by_account = client.get(reverse("terminations:list"), {"q": "73449010300"})
    by_received = client.get(
        reverse("terminations:list"), {"q": "731480106001001250020000000000"}
    )

    assert "449000906</a>" in by_account.text
    assert "449000907</a>" not in by_account.text
    assert "731480106001001250020000000000</a>" in by_received.text
    assert "449000906</a>" not in by_received.text


def test_list_search_placeholder_names_fields(client, director):
    response = login(client, director).get(reverse("terminations:list"))

    assert (
        'placeholder="Código de cuenta, número predial, nombre, dirección o barrio"'
        in response.text
    )


def test_advisor_search_stays_within_own(client, competitor, advisor, other_advisor):
    make_request(competitor, make_account("449000904"), advisor=other_advisor)

    response = login(client, advisor).get(
        reverse("terminations:list"), {"q": "449000904"}
    )

    assert "449000904</a>" not in response.text
    assert "Ninguna solicitud abierta coincide" in response.text


def test_billing_menu_links_novelties(client, billing_user):
    response = login(client, billing_user).get(reverse("terminations:novelties"))

    assert f'href="{reverse("terminations:novelties")}"' in response.text
    assert f'href="{reverse("terminations:list")}"' not in response.text


def test_list_filter_by_flag(client, competitor, director):
    make_request(
        competitor,
        received_code="734490103000602",
        cadastral_number_truncated=True,
    )
    make_request(competitor, received_code="449123457")
    make_request(competitor, make_account("449000905"))
    login(client, director)

    truncated = client.get(reverse("terminations:list"), {"alerta": "predial_truncado"})
    unmatched = client.get(reverse("terminations:list"), {"alerta": "sin_cuenta"})

    assert "734490103000602… (truncado por Excel)</a>" in truncated.text
    assert "449123457</a>" not in truncated.text
    assert "449123457</a>" in unmatched.text
    assert "734490103000602… (truncado por Excel)</a>" in unmatched.text
    assert "449000905</a>" not in unmatched.text


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("se_va", "se_va"),
        ("Se va", "se_va"),
        ("SE DESVINCULA", "se_va"),
        ("Retenido", "retenido"),
        ("en disputa", "en_disputa"),
        ("Vinculado (nuevo)", "vinculado"),
    ],
)
def test_meeting_outcome_spellings(competitor, written, expected):
    form = MeetingForm(
        {
            "competitor": competitor.pk,
            "held_on": "28/10/2026",
            "frequency": "mensual",
            "attendees": "Carla Mejía",
            "agreements": f"449-000101; {written}; Firmó",
            "submission": TOKEN,
        }
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["agreements"] == [(1, "449000101", expected, "Firmó")]


def test_meeting_unknown_outcome_names_line(competitor):
    form = MeetingForm(
        {
            "competitor": competitor.pk,
            "held_on": "28/10/2026",
            "frequency": "mensual",
            "attendees": "Carla Mejía",
            "agreements": "449000101;retenido\n449000102;quizás",
        }
    )

    assert not form.is_valid()
    assert "Línea 2 («449000102;quizás»)" in form.errors["agreements"][0]


def test_advisor_cannot_verify_others_request(
    client, competitor, advisor, other_advisor
):
    item = make_request(competitor, make_account(), advisor=other_advisor)

    response = login(client, advisor).post(
        reverse("terminations:verify", args=[item.pk]),
        {"result": "confirmada", "evidence_kind": "llamada"},
    )
    item.refresh_from_db()

    assert response.status_code == 404
    assert item.status == "radicada"


def test_advisor_cannot_upload_for_others(client, competitor, advisor, other_advisor):
    item = make_request(competitor, make_account(), advisor=other_advisor)
    services.verification_record(
        request=item,
        user=other_advisor,
        result=Verification.Result.WITHDRAWS,
        evidence_kind=Verification.EvidenceKind.VISIT,
    )

    response = login(client, advisor).post(
        reverse("terminations:desistimiento_upload", args=[item.pk]),
        {"file": SimpleUploadedFile("firmado.pdf", b"%PDF-1.4\n")},
    )

    assert response.status_code == 404


def test_advisor_sees_no_unassigned_request(client, competitor, advisor):
    item = make_request(competitor, make_account("449000906"))

    response = login(client, advisor).get(item.get_absolute_url())

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("reject", "post"),
        ("list_detail", "get"),
        ("list_confirm", "post"),
        ("list_distribute", "post"),
    ],
)
def test_advisor_forbidden_request_actions(client, competitor, advisor, name, method):
    item = make_request(competitor, make_account(), advisor=advisor)
    pk = item.request_list.pk if name.startswith("list_") else item.pk

    response = getattr(login(client, advisor), method)(
        reverse(f"terminations:{name}", args=[pk])
    )

    assert response.status_code == 403


def test_advisor_registry_limited_to_own_zones(client, advisor):
    zone = make_zone("Melgar sur", advisors=[advisor])
    own = make_account("449000907", zone=zone)
    other = make_account("449000908")
    login(client, advisor)

    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404


def test_director_registers_competitor(client, director):
    response = login(client, director).post(
        reverse("terminations:competitors"),
        {"name": "SERVIASEO ALTO MAGDALENA S.A.S. E.S.P.", "nit": "901.318.645-5"},
    )
    competitor = Competitor.objects.get()

    assert response.status_code == 302
    assert competitor.nit == "901318645"
    assert competitor.check_digit == "5"


def test_competitor_wrong_dv_is_reported(client, director):
    response = login(client, director).post(
        reverse("terminations:competitors"),
        {"name": "ASEO TOTAL", "nit": "901318645", "check_digit": "4"},
    )

    assert response.status_code == 200
    assert "el correcto es 5" in response.text
    assert not Competitor.objects.exists()


def test_advisor_cannot_register_competitor(client, advisor):
    response = login(client, advisor).get(reverse("terminations:competitors"))

    assert response.status_code == 403


def test_request_links_account_for_advisor(client, competitor, advisor):
    zone = make_zone("Melgar oriente", advisors=[advisor])
    account = make_account("449000909", zone=zone)
    item = make_request(competitor, account, advisor=advisor)
    login(client, advisor)

    response = client.get(item.get_absolute_url())

    assert f'href="{account.get_absolute_url()}"' in response.text
    assert client.get(account.get_absolute_url()).status_code == 200


def test_meeting_repeated_account_names_lines(client, competitor, director):
    make_account("449000101")

    response = login(client, director).post(
        reverse("terminations:meeting_create"),
        {
            "competitor": competitor.pk,
            "held_on": "28/10/2026",
            "frequency": "mensual",
            "attendees": "Carla Mejía",
            "agreements": "449000101;retenido\n449-000101;se va",
        },
    )
    text = response.content.decode()

    assert response.status_code == 200
    assert "Línea 2 («449-000101;se va»)" in text
    assert "ya está en la línea 1" in text
    assert not ReconciliationMeeting.objects.exists()


def test_verification_result_has_no_default(client, competitor, advisor):
    item = make_request(competitor, make_account(), advisor=advisor)
    client = login(client, advisor)

    page = client.get(item.get_absolute_url()).content.decode()
    response = client.post(
        reverse("terminations:verify", args=[item.pk]),
        {"evidence_kind": "llamada"},
    )
    item.refresh_from_db()

    assert '<option value="" selected>Elija…</option>' in page
    assert response.status_code == 200
    assert item.status == "radicada"
    assert not item.verifications.exists()


def test_verification_error_keeps_values(client, competitor, advisor):
    item = make_request(competitor, make_account(), advisor=advisor)
    damaged = SimpleUploadedFile("visita.pdf", b"%PDF-1.4\n" + b"x" * 200)

    response = login(client, advisor).post(
        reverse("terminations:verify", args=[item.pk]),
        {
            "result": "desiste",
            "evidence_kind": "visita",
            "notes": "Visitado el martes",
            "evidence_file": damaged,
            "submission": TOKEN,
        },
    )
    text = response.content.decode()

    assert response.status_code == 200
    assert "está dañado" in text
    assert '<option value="desiste" selected>' in text
    assert '<option value="visita" selected>' in text
    assert "Visitado el martes</textarea>" in text


def test_accepted_request_hides_verification_form(client, competitor, advisor):
    item = make_request(competitor, make_account(), advisor=advisor, status="aceptada")

    page = login(client, advisor).get(item.get_absolute_url()).content.decode()

    assert reverse("terminations:verify", args=[item.pk]) not in page


def _png_upload(name="soporte.png") -> SimpleUploadedFile:
    import io

    from PIL import Image

    output = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(output, format="PNG")
    return SimpleUploadedFile(name, output.getvalue())


def test_evidence_download_for_owner_only(client, competitor, advisor, other_advisor):
    item = make_request(competitor, make_account(), advisor=advisor)
    verification = services.verification_record(
        request=item,
        user=advisor,
        result=Verification.Result.NOT_LOCATED,
        evidence_kind=Verification.EvidenceKind.VISIT,
        evidence_file=_png_upload(),
    )
    url = reverse("terminations:verification_evidence", args=[item.pk, verification.pk])

    page = login(client, advisor).get(item.get_absolute_url()).content.decode()
    response = client.get(url)
    body = b"".join(response.streaming_content)
    client.force_login(other_advisor)
    other = client.get(url)

    assert url in page
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body.startswith(b"\x89PNG")
    assert other.status_code == 404


def test_meeting_minutes_download(client, competitor, director, advisor):
    meeting = services.meeting_record(
        competitor=competitor,
        held_on=date(2026, 10, 28),
        attendees="Carla Mejía",
        agreements=[],
        user=director,
        minutes=_png_upload("acta.png"),
    )
    url = reverse("terminations:meeting_minutes", args=[meeting.pk])

    page = login(client, director).get(meeting.get_absolute_url()).content.decode()
    response = client.get(url)
    client.force_login(advisor)
    forbidden = client.get(url)

    assert url in page
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert forbidden.status_code == 403


def test_competitor_same_nit_twice_rejected(client, director, competitor):
    response = login(client, director).post(
        reverse("terminations:competitors"),
        {"name": "SERVIASEO BIS", "nit": "901.318.645-5"},
    )

    assert response.status_code == 200
    assert "ya es del competidor «SERVIASEO ALTO MAGDALENA" in response.text
    assert Competitor.objects.count() == 1


@pytest.mark.parametrize(
    "name",
    [
        "SERVIASEO ALTO MAGDALENA S.A.S. E.S.P.",
        "serviaseo alto  magdalena s.a.s. e.s.p. ",
    ],
)
def test_competitor_same_name_twice_rejected(client, director, competitor, name):
    response = login(client, director).post(
        reverse("terminations:competitors"),
        {"name": name, "nit": "900.123.456"},
    )

    assert response.status_code == 200
    assert "Ya hay un competidor registrado con el nombre" in response.text
    assert "Ya existe" not in response.text
    assert Competitor.objects.count() == 1


def test_detail_page_has_unique_html_ids(client, director, competitor):
    import re

    from terminations.tests.conftest import make_request

    request = make_request(competitor)
    client.force_login(director)
    page = client.get(request.get_absolute_url()).text
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def received_labels(page: str) -> list[str]:
    """Return the labels of the «Datos recibidos» block of a request page."""
    block = page.split('id="datos-recibidos"', 1)[1].split("</section>", 1)[0]
    return re.findall(r"<dt>([^<]*)</dt>", block)


def test_detail_shows_received_in_file_order(client, director, competitor, tmp_path):
    # The file puts the name before the code and the barrio last.
    content = (
        "NOMBRE SUSCRIPTOR;No.;CÓDIGO CUENTA / CATASTRO;FECHA RADICACIÓN;"
        "DIRECCIÓN;ESTRATO;USO;BARRIO\n"
        "Lucero Diaz;1;449000701;01/10/2026;CL 10 # 5-32;3;Residencial;Centro\n"
    ).encode()
    path = tmp_path / "lista.csv"
    path.write_bytes(content)
    request_list = services.request_list_create(
        competitor=competitor,
        path=path,
        received_on=date(2026, 10, 30),
    )
    services.request_list_import(request_list=request_list)
    item = request_list.requests.get()

    page = login(client, director).get(item.get_absolute_url()).text

    assert received_labels(page) == [
        "NOMBRE SUSCRIPTOR",
        "No.",
        "CÓDIGO CUENTA / CATASTRO",
        "FECHA RADICACIÓN",
        "DIRECCIÓN",
        "ESTRATO",
        "USO",
        "BARRIO",
    ]


def test_detail_orders_received_of_older_lists(client, director, competitor):
    # A list imported before the file's column order was recorded, whose
    # received cells came back from jsonb in its own key order.
    item = make_request(
        competitor,
        received={
            "No.": "7",
            "USO": "Residencial",
            "BARRIO": "Centro",
            "ESTRATO": "3",
            "DIRECCIÓN": "CL 10 # 5-32",
            "NOMBRE SUSCRIPTOR": "Lucero Diaz",
            "FECHA RADICACIÓN": "01/10/2026",
            "CÓDIGO CUENTA / CATASTRO": "449000701",
        },
    )

    page = login(client, director).get(item.get_absolute_url()).text

    assert received_labels(page) == [
        "No.",
        "FECHA RADICACIÓN",
        "CÓDIGO CUENTA / CATASTRO",
        "NOMBRE SUSCRIPTOR",
        "DIRECCIÓN",
        "BARRIO",
        "ESTRATO",
        "USO",
    ]
    assert '<section class="card" id="datos-recibidos">' in page
    assert '<dl class="fields"><dt>No.</dt><dd>7</dd>' in page


def test_truncated_number_marked_on_detail(client, director, competitor):
    item = make_request(
        competitor, received_code="731480005000000", cadastral_number_truncated=True
    )

    page = login(client, director).get(item.get_absolute_url()).text

    assert "<title>Solicitud 731480005000000… (truncado por Excel) · " in page
    assert "Solicitud de terminación · 731480005000000… (truncado por Excel)</h1>" in (
        page
    )


def test_list_search_finds_truncated_by_whole_number(client, competitor, director):
    make_request(
        competitor, received_code="731480005000000", cadastral_number_truncated=True
    )
    make_request(competitor, received_code="731480005000001")
    login(client, director)

    by_whole = client.get(
        reverse("terminations:list"), {"q": "731480005000000193146002604032"}
    )
    by_start = client.get(reverse("terminations:list"), {"q": "7314800050"})

    assert "731480005000000… (truncado por Excel)</a>" in by_whole.text
    assert "731480005000001</a>" not in by_whole.text
    assert "731480005000000… (truncado por Excel)</a>" in by_start.text
    assert "731480005000001</a>" in by_start.text

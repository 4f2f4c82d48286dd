"""The regulated path in Chromium, page by page as each role works it.

The director imports the registry and the competitor's October list, assigns by
hand a row Excel truncated and shares the requests out. An advisor verifies two of
them: one subscriber stays and signs a desistimiento, the other confirms that they
leave. The coordinator delivers the signed form to the competitor and records the
reconciliation meeting, and the registry shows the scheduled unlinking. Last, the
billing team downloads the novedades report.

The clock is frozen in America/Bogota and moved forward between the steps. The
October list arrives on its last filing day, Friday 30 October, because the import
rejects filing dates after the day a list is received. Deliveries wait for the
response term of 15 business days, and the novedades report waits for the
unlinking date.
"""

import io
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from PIL import Image
from pypdf import PdfReader

from subscribers.models import Competitor, SubscriberAccount
from terminations.models import (
    DeliveryBatch,
    Desistimiento,
    RegistryNovelty,
    TerminationRequest,
)
from terminations.tests.conftest import COMPETITOR_LIST, REGISTRY_SAMPLE
from tests.factories import DEFAULT_PASSWORD, make_zone
from zones.models import Municipality

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOGOTA = ZoneInfo("America/Bogota")
COMPETITOR = "SERVIASEO ALTO MAGDALENA S.A.S. E.S.P."
# Two Melgar accounts the list names by their code, both filed on 01/10/2026.
STAYS = "449007995"  # MARIO SOLANO LÓPEZ: withdraws and signs the desistimiento.
LEAVES = "449001787"  # MILTON BETANCUR SÁNCHEZ: confirms that they switch.
# Spreadsheet row 1117 gives a cadastral number Excel stored as a number. It
# belongs to account 449000189, ANDREA MARLENY GÓMEZ RINCÓN.
TRUNCATED_PREFIX = "734490103000602"
TRUNCATED_ACCOUNT = "449000189"


def bogota(year, month, day, hour=9):
    return datetime(year, month, day, hour, tzinfo=BOGOTA)


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/ingresar/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def log_out(page):
    page.click("text=Salir")
    page.wait_for_url("**/ingresar/")


def import_registry(page):
    page.click("nav >> text=Catastro")
    page.click("text=Importar catastro")
    page.set_input_files("input[type=file]", str(REGISTRY_SAMPLE))
    page.click("text=Revisar archivo")
    page.locator("text=Confirmar importación").wait_for(timeout=120_000)
    page.click("text=Confirmar importación")
    page.get_by_text("Completada").first.wait_for(timeout=180_000)


def register_competitor(page):
    page.click("nav >> text=Terminaciones")
    page.click("text=Listas de competidores")
    page.click("text=Regístrelo primero")
    page.fill("input[name=name]", COMPETITOR)
    page.fill("input[name=nit]", "901.318.645-5")
    page.click("button:has-text('Registrar competidor')")
    page.get_by_text(f"Competidor {COMPETITOR} registrado.").wait_for()


def import_competitor_list(page):
    page.click("nav >> text=Terminaciones")
    page.click("text=Listas de competidores")
    page.select_option("select[name=competitor]", label=COMPETITOR)
    page.set_input_files("input[type=file]", str(COMPETITOR_LIST))
    page.click("text=Cargar y revisar")
    page.locator("text=Confirmar importación").wait_for(timeout=120_000)
    preview = page.inner_text("main")
    assert "Vista previa" in preview
    assert "1.500 filas" in preview
    # The summary and the sections count the matched rows alike, by method.
    assert (
        "Coinciden con el catastro: 864 (792 por código de cuenta, 72 por "
        "número predial)"
    ) in preview
    assert TerminationRequest.objects.count() == 0

    page.click("text=Confirmar importación")
    page.get_by_text("Lista importada.").wait_for(timeout=120_000)
    return page.inner_text("main")


def open_request(page, code):
    """Find a request on the open-requests page by its account code and open it."""
    page.click("nav >> text=Terminaciones")
    page.fill("input[name=q]", code)
    page.press("input[name=q]", "Enter")
    page.locator("table a", has_text=code).click()
    page.locator("h1", has_text=code).wait_for()


def scanned_form(tmp_path) -> Path:
    path = tmp_path / "desistimiento-firmado.png"
    Image.new("RGB", (850, 1100), "white").save(path)
    return path


def test_competitor_list_to_billing_report(
    page,
    live_server,
    tmp_path,
    director,
    coordinator,
    advisor,
    other_advisor,
    billing_user,
):
    melgar = Municipality.objects.get(dane_code="73449")
    zone = make_zone("MELGAR", advisors=[advisor, other_advisor])
    zone.municipalities.set([melgar])

    with time_machine.travel(bogota(2026, 10, 30), tick=True) as traveller:
        # Friday 30 October: the director loads the registry, registers the
        # competitor and imports its list.
        log_in(page, live_server, "director")
        import_registry(page)
        assert SubscriberAccount.objects.count() == 20_000
        assert SubscriberAccount.objects.filter(zone=zone).exists()

        register_competitor(page)
        competitor = Competitor.objects.get()
        assert (competitor.nit, competitor.check_digit) == ("901318645", "5")
        summary = import_competitor_list(page)
        assert (
            "Sin coincidencia en el catastro: 636, de ellas 3 con número predial "
            "truncado por Excel"
        ) in summary
        assert "Repiten una solicitud anterior: 75" in summary
        assert TerminationRequest.objects.count() == 1500

        # The three rows whose cadastral number Excel truncated wait for a person.
        # The director assigns one of them the account the candidates suggest.
        page.click("text=Solicitudes abiertas")
        page.select_option("select[name=alerta]", "predial_truncado")
        page.click("form.filters button[type=submit]")
        page.wait_for_url("**alerta=predial_truncado*")
        assert page.locator("table tbody tr").count() == 3
        page.locator("table a", has_text=TRUNCATED_PREFIX).click()
        assert "Predial truncado por Excel: asigne la cuenta a mano" in page.inner_text(
            "main"
        )
        page.click(f"text=Asignar {TRUNCATED_ACCOUNT}")
        page.get_by_text(
            f"Cuenta {TRUNCATED_ACCOUNT} asignada a la solicitud."
        ).wait_for()
        resolved = TerminationRequest.objects.get(row_number=1117)
        assert resolved.account.account_code == TRUNCATED_ACCOUNT
        assert resolved.match_method == TerminationRequest.MatchMethod.MANUAL

        # The distribution preview splits Melgar's requests between both advisors.
        page.click("text=Listas de competidores")
        page.click("text=novedades_competidor.xlsx")
        plan = page.locator("h3", has_text="MELGAR").locator(
            "xpath=following-sibling::ul[1]"
        )
        counts = [
            int(line.rsplit(":", 1)[1]) for line in plan.inner_text().splitlines()
        ]
        assert len(counts) == 2
        assert abs(counts[0] - counts[1]) <= 1
        page.click("text=Confirmar distribución")
        page.get_by_text("solicitudes asignadas").wait_for()
        log_out(page)

        stays = TerminationRequest.objects.get(
            account__account_code=STAYS, is_duplicate=False
        )
        leaves = TerminationRequest.objects.get(
            account__account_code=LEAVES, is_duplicate=False
        )
        assert stays.advisor is not None
        assert leaves.advisor is not None
        assert stays.response_due_on == date(2026, 10, 23)
        assert stays.effective_due_on == date(2026, 12, 1)

        # The advisor each request went to verifies it.
        log_in(page, live_server, stays.advisor.username)
        page.click("nav >> text=Terminaciones")
        own = TerminationRequest.objects.open().filter(advisor=stays.advisor)
        assert f"{own.count()} solicitudes abiertas" in page.inner_text("main")
        foreign = TerminationRequest.objects.exclude(advisor=stays.advisor).first()
        assert page.goto(live_server.url + foreign.get_absolute_url()).status == 404
        page.go_back()
        open_request(page, STAYS)
        page.select_option("select[name=result]", "desiste")
        page.select_option("select[name=evidence_kind]", "visita")
        page.fill("textarea[name=notes]", "El suscriptor firmó en la visita.")
        page.click("text=Registrar verificación")
        page.get_by_text("Verificación registrada.").wait_for()
        page.locator("h2", has_text="Desistimiento DES-2026-00001").wait_for()

        with page.expect_download() as download_info:
            page.click("text=Descargar formato para firmar (PDF)")
        form = download_info.value
        assert form.suggested_filename == "DES-2026-00001.pdf"
        text = " ".join(
            sheet.extract_text()
            for sheet in PdfReader(io.BytesIO(Path(form.path()).read_bytes())).pages
        )
        assert "DES-2026-00001" in text
        assert "MARIO SOLANO LÓPEZ" in text
        assert COMPETITOR in text
        assert "01/10/2026" in text

        page.set_input_files("input[name=file]", str(scanned_form(tmp_path)))
        page.click("text=Cargar formato firmado")
        page.get_by_text("Formato firmado cargado.").wait_for()
        assert "Desistida" in page.inner_text("main")
        log_out(page)

        log_in(page, live_server, leaves.advisor.username)
        open_request(page, LEAVES)
        page.select_option("select[name=result]", "confirmada")
        page.select_option("select[name=evidence_kind]", "llamada")
        page.click("text=Registrar verificación")
        page.get_by_text("Verificación registrada.").wait_for()
        assert "Aceptada" in page.inner_text("main")
        log_out(page)

        # Tuesday 3 November: the response term (23/10/2026) has passed, so the
        # coordinator delivers the signed form to the competitor.
        traveller.move_to(bogota(2026, 11, 3))
        log_in(page, live_server, "coordinadora")
        page.click("nav >> text=Terminaciones")
        page.click("text=Entregas")
        pending = page.inner_text("main")
        assert "DES-2026-00001" in pending
        page.fill("input[name=received_by]", "Patricia Suárez, coordinadora comercial")
        page.click("text=Generar entrega")
        page.get_by_text("Entrega registrada.").wait_for()
        batch = DeliveryBatch.objects.get()
        assert batch.delivered_on == date(2026, 11, 3)
        assert list(batch.desistimientos.values_list("code", flat=True)) == [
            "DES-2026-00001"
        ]
        with page.expect_download() as download_info:
            page.click("text=Acta de entrega (PDF)")
        record = " ".join(
            sheet.extract_text()
            for sheet in PdfReader(download_info.value.path()).pages
        )
        assert "ACTA DE ENTREGA DE DESISTIMIENTOS" in record
        assert "Patricia Suárez" in record
        assert STAYS in record

        # Wednesday 4 November: the reconciliation meeting agrees who stays.
        traveller.move_to(bogota(2026, 11, 4))
        page.click("text=Conciliaciones")
        page.select_option("select[name=competitor]", label=COMPETITOR)
        page.fill("input[name=held_on]", "04/11/2026")
        page.fill(
            "textarea[name=attendees]",
            "Carla Mejía (coordinadora)\nPatricia Suárez (SERVIASEO)",
        )
        page.fill(
            "textarea[name=documents_delivered]", "Acta de entrega del 03/11/2026"
        )
        page.fill(
            "textarea[name=agreements]",
            f"{STAYS}; Retenido; Firmó desistimiento\n449-001787; se va; Confirmó el cambio",
        )
        page.click("text=Registrar reunión")
        page.get_by_text("Reunión de conciliación registrada.").wait_for()
        agreements = page.inner_text("table")
        assert "Retenido (se queda)" in agreements
        assert "Se desvincula" in agreements

        # The registry shows the unlinking scheduled for the effective date.
        page.click("nav >> text=Catastro")
        page.fill("input[name=q]", LEAVES)
        page.press("input[name=q]", "Enter")
        page.locator("#account-table a", has_text=LEAVES).click()
        page.locator("h1", has_text=LEAVES).wait_for()
        fields = page.inner_text("main")
        assert "Desvinculación programada\n01/12/2026" in fields
        assert "Activo" in fields
        log_out(page)

        # Wednesday 2 December: the nightly task has made the unlinking
        # effective, so billing downloads the novedades report with the two
        # months' notice.
        traveller.move_to(bogota(2026, 12, 2))
        call_command("make_terminations_effective")
        log_in(page, live_server, "facturacion")
        page.click("nav >> text=Novedades de catastro")
        with page.expect_download() as download_info:
            page.click("text=Descargar XLSX")
        report = download_info.value
        assert report.suggested_filename == "novedades-20261202.xlsx"
        report.save_as(tmp_path / report.suggested_filename)
        sheet = openpyxl.load_workbook(tmp_path / report.suggested_filename).active
        rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
        assert rows[0][0] == "Novedades de catastro al 02/12/2026"
        assert rows[1] == (
            "Novedad",
            "Código de cuenta",
            "Número predial",
            "Suscriptor",
            "Documento",
            "Dirección",
            "Municipio",
            "Fecha efectiva",
            "Aplicar en facturación desde",
        )
        assert len(rows) == 3
        novelty = rows[2]
        assert novelty[0] == "Desvinculación"
        assert novelty[1] == LEAVES
        assert novelty[3] == "MILTON BETANCUR SÁNCHEZ"
        assert novelty[6] == "Melgar"
        assert novelty[7] == datetime(2026, 12, 1)
        # Two calendar months of notice from the report's date.
        assert novelty[8] == datetime(2027, 2, 2)
        log_out(page)

    leaving = SubscriberAccount.objects.get(account_code=LEAVES)
    staying = SubscriberAccount.objects.get(account_code=STAYS)
    assert leaving.status == SubscriberAccount.Status.UNLINKED
    assert leaving.unlinked_on == date(2026, 12, 1)
    assert staying.status == SubscriberAccount.Status.ACTIVE
    assert staying.unlinking_scheduled_on is None
    assert Desistimiento.objects.get().delivery == batch
    assert RegistryNovelty.objects.get().reported_on is None

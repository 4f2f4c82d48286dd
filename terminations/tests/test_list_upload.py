"""Uploading a competitor's list on the web: file checks, previews that are
discarded by hand or abandoned, and confirming a list only once."""

import io
import threading
import zipfile
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from subscribers.models import SubscriberAccount
from terminations import importer as importer_module
from terminations import services
from terminations.models import RequestList, TerminationRequest
from terminations.tests.conftest import make_account, make_request

HEADER = "No.;FECHA RADICACIÓN;CÓDIGO CUENTA / CATASTRO;NOMBRE SUSCRIPTOR\n"


def csv_list(*rows: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("lista.csv", (HEADER + "".join(rows)).encode())


def workbook_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["FECHA RADICACIÓN", "CÓDIGO CUENTA / CATASTRO"])
    workbook.active.append(["01/10/2026", "449000701"])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def damaged_workbook() -> bytes:
    """A real ZIP with the workbook parts, whose workbook.xml is cut short."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes()))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                content = content[:40]
            target.writestr(item.filename, content)
    return output.getvalue()


def upload(client, competitor, uploaded):
    return client.post(
        reverse("terminations:list_upload"),
        {"competitor": competitor.pk, "file": uploaded},
    )


def stored_files(settings) -> list:
    folder = settings.MEDIA_ROOT / "terminaciones" / "listas"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "lista.xlsx",
            b"No.;FECHA;CODIGO\n1;01/10/2026;449000701\n",
            "termina en .xlsx pero es un archivo de texto (CSV)",
        ),
        ("lista.csv", workbook_bytes(), "termina en .csv pero es un libro de Excel"),
        ("lista.xlsx", b"", "está vacío"),
        ("lista.csv", b"", "está vacío"),
        ("lista.pdf", b"%PDF-1.4", "es un documento PDF"),
        ("lista.pdf", b"hola;mundo", "no se admite"),
        ("lista.xlsx", damaged_workbook(), "dañado o incompleto"),
        ("lista.csv", b"hola;mundo\n1;2\n", "No se encontró la fila de encabezados"),
    ],
)
def test_unreadable_file_gets_form_error(
    client, director, competitor, settings, name, content, expected
):
    client.force_login(director)

    response = upload(client, competitor, SimpleUploadedFile(name, content))

    assert response.status_code == 200
    assert expected in response.text
    assert "Traceback" not in response.text
    assert not RequestList.objects.exists()
    assert stored_files(settings) == []


def test_upload_over_size_limit(client, director, competitor, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 0
    client.force_login(director)

    response = upload(client, competitor, csv_list("1;01/10/2026;449000701;Ana\n"))

    assert "el máximo es 0 MB" in response.text
    assert not RequestList.objects.exists()


def test_discard_keeps_record_without_file(
    client, director, competitor, settings, django_capture_on_commit_callbacks
):
    client.force_login(director)
    upload(client, competitor, csv_list("1;01/10/2026;449000701;Ana\n"))
    request_list = RequestList.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("terminations:list_discard", args=[request_list.pk]), follow=True
        )
    request_list.refresh_from_db()

    assert "Vista previa de «lista.csv» descartada" in response.text
    assert request_list.status == RequestList.Status.DISCARDED
    assert request_list.discarded_by == director
    assert request_list.discarded_at is not None
    assert not request_list.file
    assert stored_files(settings) == []
    assert request_list.history.first().history_user == director


def test_discarded_preview_cannot_be_confirmed(client, director, competitor):
    make_account("449000701")
    client.force_login(director)
    upload(client, competitor, csv_list("1;01/10/2026;449000701;Ana\n"))
    request_list = RequestList.objects.get()
    services.request_list_discard(request_list=request_list, user=director)

    response = client.post(
        reverse("terminations:list_confirm", args=[request_list.pk]), follow=True
    )

    assert "ya no se puede confirmar" in response.text
    assert not TerminationRequest.objects.exists()


def test_imported_list_cannot_be_discarded(client, director, competitor):
    make_account("449000701")
    client.force_login(director)
    upload(client, competitor, csv_list("1;01/10/2026;449000701;Ana\n"))
    request_list = RequestList.objects.get()
    client.post(reverse("terminations:list_confirm", args=[request_list.pk]))

    response = client.post(
        reverse("terminations:list_discard", args=[request_list.pk]), follow=True
    )
    request_list.refresh_from_db()

    assert "Solo se descarta una vista previa" in response.text
    assert request_list.status == RequestList.Status.IMPORTED


def test_previews_listed_apart_from_received(client, director, competitor):
    make_account("449000701")
    client.force_login(director)
    upload(client, competitor, csv_list("1;01/10/2026;449000701;Ana\n"))
    pending = RequestList.objects.get()
    upload(
        client,
        competitor,
        SimpleUploadedFile(
            "octubre.csv", (HEADER + "1;01/10/2026;449000701;Ana\n").encode()
        ),
    )
    imported = RequestList.objects.exclude(pk=pending.pk).get()
    client.post(reverse("terminations:list_confirm", args=[imported.pk]))

    page = client.get(reverse("terminations:list_upload")).text
    previews, received = page.split("<h2>Listas recibidas</h2>")

    assert "lista.csv" in previews
    assert "lista.csv" not in received
    assert "octubre.csv" in received


def test_abandoned_preview_discarded_on_upload(
    client, director, competitor, settings, django_capture_on_commit_callbacks
):
    settings.TERMINATION_LIST_PREVIEW_HOURS = 24
    client.force_login(director)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        upload(client, competitor, csv_list("1;01/10/2026;449000701;Ana\n"))
    abandoned = RequestList.objects.get()

    with (
        time_machine.travel(start + timedelta(hours=25), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        upload(client, competitor, csv_list("1;01/10/2026;449000701;Ana\n"))
    abandoned.refresh_from_db()

    assert abandoned.status == RequestList.Status.DISCARDED
    assert abandoned.discarded_by is None
    assert len(stored_files(settings)) == 1
    assert RequestList.objects.filter(status="vista_previa").count() == 1


def test_expired_preview_hidden_and_refused(client, director, competitor, settings):
    settings.TERMINATION_LIST_PREVIEW_HOURS = 24
    make_account("449000701")
    client.force_login(director)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        upload(client, competitor, csv_list("1;01/10/2026;449000701;Ana\n"))
    request_list = RequestList.objects.get()

    with time_machine.travel(start + timedelta(hours=25), tick=False):
        listing = client.get(reverse("terminations:list_upload")).text
        detail = client.get(request_list.get_absolute_url()).text
        with pytest.raises(services.TerminationError):
            services.request_list_import(request_list=request_list, user=director)

    assert "Vistas previas sin confirmar" not in listing
    assert "Esta vista previa venció" in detail
    assert "Confirmar importación" not in detail
    assert not TerminationRequest.objects.exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_confirms_import_once(director, coordinator, competitor, tmp_path):
    make_account("449000701")
    path = tmp_path / "lista.csv"
    path.write_text(HEADER + "1;01/10/2026;449000701;Ana\n", encoding="utf-8")
    request_list = services.request_list_create(competitor=competitor, path=path)
    services.request_list_import(request_list=request_list, dry_run=True)
    barrier = threading.Barrier(2)
    outcomes = []

    def confirm(user):
        try:
            barrier.wait()
            report, _tally = services.request_list_import(
                request_list=RequestList.objects.get(pk=request_list.pk), user=user
            )
            outcomes.append(report)
        except services.TerminationError as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=confirm, args=(user,))
        for user in (director, coordinator)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    refused = [item for item in outcomes if isinstance(item, services.TerminationError)]
    assert len(outcomes) == 2
    assert len(refused) == 1
    assert "ya se importó" in str(refused[0])
    assert TerminationRequest.objects.count() == 1


def test_preview_shows_implausible_dates(client, director, competitor):
    make_account("449000701")
    client.force_login(director)
    rows = ("1;01/10/2026;449000701;Ana\n", "2;01/10/2206;449000701;Ana\n")
    with time_machine.travel("2026-11-03 10:00 -05:00", tick=False):
        upload(client, competitor, csv_list(*rows))
        request_list = RequestList.objects.get()
        preview = client.get(request_list.get_absolute_url()).text
        confirmed = client.post(
            reverse("terminations:list_confirm", args=[request_list.pk]), follow=True
        ).text

    assert "1 rechazada" in preview
    assert "Fila 3, columna «FECHA RADICACIÓN»: la fecha de radicación 01/10/2206" in (
        preview
    )
    assert "La lista tiene filas con errores. Marque" in confirmed
    assert not TerminationRequest.objects.exists()


REGISTRY_HEADER = (
    "CODIGO_CUENTA;NUMERO_PREDIAL;NOMBRE_SUSCRIPTOR;DIRECCION;ESTADO;"
    "FECHA_VINCULACION\n"
)


def test_registry_export_rejected_by_headers(client, director, competitor, settings):
    client.force_login(director)
    registry_file = SimpleUploadedFile(
        "lista.csv",
        (REGISTRY_HEADER + "449000701;;ANA;CL 1;ACTIVO;2021-07-12\n").encode(),
    )

    response = upload(client, competitor, registry_file)

    assert response.status_code == 200
    assert "El archivo parece el catastro de suscriptores" in response.text
    assert "tiene las columnas «ESTADO», «FECHA_VINCULACION»" in response.text
    assert "Columnas esperadas: «FECHA RADICACIÓN», «CÓDIGO CUENTA" in response.text
    assert "Columnas encontradas en la fila 1: «CODIGO_CUENTA»" in response.text
    assert not RequestList.objects.exists()
    assert stored_files(settings) == []


def test_list_with_one_registry_header_accepted(client, director, competitor):
    # A list may carry one column a registry export also has, such as ESTADO.
    make_account("449000701")
    client.force_login(director)
    list_file = SimpleUploadedFile(
        "lista.csv",
        "FECHA RADICACIÓN;CÓDIGO CUENTA / CATASTRO;ESTADO\n"
        "01/10/2026;449000701;ACTIVO\n".encode(),
    )

    with time_machine.travel("2026-11-03 10:00 -05:00", tick=False):
        response = upload(client, competitor, list_file)

    assert response.status_code == 302
    assert RequestList.objects.get().status == RequestList.Status.PREVIEW


def test_preview_lists_rows_by_kind(client, director, competitor, other_competitor):
    claimed = make_account("449000702")
    make_account("449000701")
    make_account("449000703", status=SubscriberAccount.Status.UNLINKED)
    make_request(other_competitor, claimed)
    client.force_login(director)
    rows = (
        "1;01/10/2026;449000701;Ana Díaz\n",
        "2;01/10/2026;449000799;Luis Pérez\n",
        "3;02/10/2026;449000701;Ana Díaz\n",
        "4;01/10/2026;449000702;Eva Ruiz\n",
        "5;01/10/2026;449000703;Pía Gil\n",
    )
    with time_machine.travel("2026-11-03 10:00 -05:00", tick=False):
        upload(client, competitor, csv_list(*rows))
        request_list = RequestList.objects.get(competitor=competitor)
        response = client.get(request_list.get_absolute_url())

    summary = response.context["summary"]
    sections = {section.kind: section for section in summary.sections}
    assert [section.label for section in summary.parts] == [
        "Coinciden con el catastro: 4 (4 por código de cuenta)",
        "Sin coincidencia en el catastro: 1",
    ]
    assert [section.label for section in summary.flags] == [
        "Repiten una solicitud anterior: 1",
        "Reclamadas también por otro competidor: 1",
        "Cuenta ya desvinculada: 1",
    ]
    # Every matched row is listed, the repeat and the claimed account included.
    assert [row["row"] for row in sections["matched"].rows] == [2, 4, 5, 6]
    unmatched = sections["unmatched"].rows
    assert [(row["code"], row["name"]) for row in unmatched] == [
        ("449000799", "Luis Pérez")
    ]
    assert unmatched[0]["account_code"] == ""
    repeat = sections["duplicates"].rows[0]
    assert repeat["row"] == 4
    assert "Repite la solicitud de la fila 2 de esta lista." in repeat["problem"]
    claim = sections["claimed_by_other"].rows[0]
    assert claim["account_code"] == "449000702"
    assert "Otro competidor ya tiene una solicitud abierta" in claim["problem"]
    unlinked = sections["already_unlinked"].rows[0]
    assert "La cuenta ya está desvinculada." in unlinked["problem"]
    assert "Coincide por código de cuenta." in unlinked["problem"]
    assert "<h2>Filas por tipo</h2>" in response.text
    assert "<td>Luis Pérez</td>" in response.text
    # Matched rows have a note, not a problem, in the last column.
    assert "<th>Observación</th>" in response.text
    assert "<th>Problema</th>" not in response.text


def test_preview_summary_and_sections_share_labels(
    client, director, competitor, other_competitor
):
    make_account("449000701")
    client.force_login(director)
    rows = (
        "1;01/10/2026;449000701;Ana Díaz\n",
        "2;01/10/2026;449000799;Luis Pérez\n",
        "3;02/10/2026;449000701;Ana Díaz\n",
        "4;02/10/2026;7.34490102001202E+29;Eva Ruiz\n",
    )
    with time_machine.travel("2026-11-03 10:00 -05:00", tick=False):
        upload(client, competitor, csv_list(*rows))
        request_list = RequestList.objects.get(competitor=competitor)
        response = client.get(request_list.get_absolute_url())

    page = response.text
    matched = "Coinciden con el catastro: 2 (2 por código de cuenta)"
    unmatched = (
        "Sin coincidencia en el catastro: 2, de ellas 1 con número predial "
        "truncado por Excel"
    )
    truncated = "Número predial truncado por Excel (asigne la cuenta a mano): 1"
    repeats = "Repiten una solicitud anterior: 1"
    # Each label links from the summary to its section, which it heads.
    assert f'<a href="#filas-coinciden">{matched}</a>' in page
    assert f'<a href="#filas-sin-coincidencia">{unmatched}</a>' in page
    assert f'<a href="#filas-predial-truncado">{truncated}</a>' in page
    assert f'<a href="#filas-repetidas">{repeats}</a>' in page
    assert f'<section id="filas-coinciden">\n<h3>{matched}</h3>' in page
    assert f'<section id="filas-sin-coincidencia">\n<h3>{unmatched}</h3>' in page
    assert f'<section id="filas-predial-truncado">\n<h4>{truncated}</h4>' in page
    assert f'<section id="filas-repetidas">\n<h3>{repeats}</h3>' in page
    # The truncated row is listed in its own sub-list, with the digits kept.
    [row] = response.context["summary"].parts[1].subsections[0].rows
    assert row["row"] == 5
    assert row["code"] == "734490102001202…"
    # The tally lines are no longer notes of their own.
    assert "Coinciden por código de cuenta" not in page
    assert request_list.report["notes"] == []


def test_preview_counts_grouped_by_thousands(client, director, competitor):
    make_account("449000701")
    client.force_login(director)
    rows = [f"{number};01/10/2026;449000701;Ana Díaz\n" for number in range(1200)]
    rows += [f"{number};01/10/2026;44{number:07d};Luis\n" for number in range(1001)]
    with time_machine.travel("2026-11-03 10:00 -05:00", tick=False):
        upload(client, competitor, csv_list(*rows))
        request_list = RequestList.objects.get(competitor=competitor)
        page = client.get(request_list.get_absolute_url()).text

    assert "2.201 filas" in page
    assert "Coinciden con el catastro: 1.200 (1.200 por código de cuenta)" in page
    assert "Sin coincidencia en el catastro: 1.001</a>" in page
    assert "Repiten una solicitud anterior: 1.199</a>" in page
    assert "Repiten una solicitud anterior: 1.199 · se muestran las primeras 20" in (
        page
    )


def test_older_report_notes_drop_tally_lines(client, director, competitor):
    # A report stored when the tally printed as notes, with a note of its own.
    request_list = RequestList.objects.create(
        competitor=competitor,
        original_name="lista.xlsx",
        status=RequestList.Status.IMPORTED,
        report={
            "rows": 3,
            "rejected": 0,
            "tally": {"matched_by_code": 2, "unmatched": 1, "truncated": 1},
            "samples": {},
            "notes": [
                "Coinciden por código de cuenta: 2",
                "Sin coincidencia en el catastro: 1",
                "Número predial truncado por Excel, sin coincidencia (asigne la "
                "cuenta a mano): 1",
                "1 fecha de radicación venía como número de serie de Excel.",
            ],
        },
    )
    client.force_login(director)

    response = client.get(request_list.get_absolute_url())

    assert response.context["notes"] == [
        "1 fecha de radicación venía como número de serie de Excel."
    ]
    assert "Coinciden con el catastro: 2 (2 por código de cuenta)" in response.text
    assert (
        "Sin coincidencia en el catastro: 1, con número predial truncado por Excel"
        in response.text
    )


def test_preview_samples_stop_at_limit(client, director, competitor, monkeypatch):
    monkeypatch.setattr(importer_module, "SAMPLE_ROWS", 2)
    client.force_login(director)
    rows = [f"{number};01/10/2026;44900080{number};Ana\n" for number in range(5)]
    with time_machine.travel("2026-11-03 10:00 -05:00", tick=False):
        upload(client, competitor, csv_list(*rows))
        response = client.get(RequestList.objects.get().get_absolute_url())

    section = response.context["summary"].parts[0]
    assert section.count == 5
    assert [row["row"] for row in section.rows] == [2, 3]
    assert "Sin coincidencia en el catastro: 5 · se muestran las primeras 2" in (
        response.text
    )


def test_header_only_list_is_refused(client, director, competitor):
    client.force_login(director)

    response = upload(client, competitor, csv_list())

    assert response.status_code == 200
    assert "El archivo no tiene filas de datos" in response.text
    assert not RequestList.objects.exists()


def test_all_rejected_preview_offers_no_confirm(client, director, competitor):
    client.force_login(director)
    upload(client, competitor, csv_list("1;;449000701;Ana\n", "2;;449000702;Luz\n"))
    request_list = RequestList.objects.get()

    detail = client.get(request_list.get_absolute_url()).text
    with pytest.raises(services.TerminationError, match="Ninguna fila"):
        services.request_list_import(request_list=request_list, user=director)

    assert request_list.status == "vista_previa"
    assert "2 rechazadas" in detail
    assert "Confirmar importación" not in detail
    assert "Ninguna fila de la lista es válida" in detail
    assert "Descartar vista previa" in detail
    assert "return confirm('¿Descartar esta vista previa?" in detail


def test_bad_row_skipped_on_request(client, director, competitor):
    make_account("449000701")
    make_account("449000702")
    client.force_login(director)
    upload(
        client,
        competitor,
        csv_list("1;01/10/2026;449000701;Ana\n", "2;99/99/2026;449000702;Luis\n"),
    )
    request_list = RequestList.objects.get()
    url = reverse("terminations:list_confirm", args=[request_list.pk])
    page = client.get(request_list.get_absolute_url()).text
    assert "Importar solo las filas válidas (se omite 1 fila con errores)" in page

    without_skip = client.post(url, follow=True)
    assert "Marque «Importar solo las filas válidas»" in without_skip.text
    assert not TerminationRequest.objects.exists()

    client.post(url, {"skip_invalid": "on"})
    request_list.refresh_from_db()
    assert request_list.status == RequestList.Status.IMPORTED
    assert TerminationRequest.objects.count() == 1


def test_customer_database_rejected_by_headers(client, director, competitor, settings):
    client.force_login(director)
    sample = Path(__file__).parents[2] / "customers/tests/data/clientes_base_datos.csv"
    customer_file = SimpleUploadedFile("lista.csv", sample.read_bytes())

    response = upload(client, competitor, customer_file)

    assert response.status_code == 200
    assert "El archivo parece la base de datos de clientes" in response.text
    assert not RequestList.objects.exists()
    assert stored_files(settings) == []

"""The import pages: upload, preview, confirm, progress and result."""

import threading
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.imports import ImportReport, jobs
from core.imports.registry import get_importer
from core.imports.report import Issue, Match
from core.models import ImportJob
from customers.models import Customer
from tests.factories import make_customer

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "customers"
    / "tests"
    / "data"
    / "clientes_base_datos.csv"
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run_inline(monkeypatch):
    """Run the commit in the request instead of a thread, inside the test's
    transaction."""

    def start(*, job, skip_invalid):
        jobs.import_job_run(job=job, skip_invalid=skip_invalid)
        return True

    monkeypatch.setattr("core.views.import_job_start", start)


def log_in(client, user):
    client.force_login(user)
    return client


def upload(client, content: bytes, name="clientes.csv"):
    return client.post(
        reverse("core:import_upload", args=["clientes"]),
        {"file": SimpleUploadedFile(name, content)},
    )


def test_upload_shows_preview_and_writes_nothing(client, director):
    response = upload(log_in(client, director), SAMPLE.read_bytes())
    job = ImportJob.objects.get()
    assert response.url == job.get_absolute_url()
    assert (job.status, job.rows, job.created, job.rejected) == (
        "vista_previa",
        600,
        590,
        4,
    )
    assert Customer.objects.count() == 0


def test_preview_page_lists_rows_and_problems(client, director):
    upload(log_in(client, director), SAMPLE.read_bytes())
    page = client.get(ImportJob.objects.get().get_absolute_url()).content.decode()
    assert "Condominio Portal Real P.H." in page
    assert '<td class="number">87</td>\n          <td>DV</td>' in page
    assert "Confirmar importación" in page


def test_problem_table_names_row_and_column_once(client, director):
    """The table has Fila and Columna cells, so each message leaves them out."""
    upload(log_in(client, director), SAMPLE.read_bytes())
    page = client.get(ImportJob.objects.get().get_absolute_url()).content.decode()
    assert "<b>Error:</b> El DV" in page
    assert "Fila 87, columna" not in page


def test_stored_file_name_is_not_the_client_name(client, director):
    upload(log_in(client, director), SAMPLE.read_bytes(), name="../../evil.csv")
    job = ImportJob.objects.get()
    assert job.original_name == "evil.csv"
    assert ".." not in job.file.name
    assert "evil" not in job.file.name


def test_confirm_without_skip_is_refused_when_rows_fail(client, director, run_inline):
    upload(log_in(client, director), SAMPLE.read_bytes())
    job = ImportJob.objects.get()
    client.post(reverse("core:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "vista_previa"
    assert Customer.objects.count() == 0


def test_confirm_with_skip_invalid_imports(client, director, run_inline):
    upload(log_in(client, director), SAMPLE.read_bytes())
    job = ImportJob.objects.get()
    client.post(reverse("core:import_confirm", args=[job.pk]), {"skip_invalid": "on"})
    job.refresh_from_db()
    assert (job.status, job.created, job.updated) == ("completada", 590, 6)
    assert Customer.objects.count() == 590


def test_result_page_shows_counts(client, director, run_inline):
    upload(log_in(client, director), SAMPLE.read_bytes())
    job = ImportJob.objects.get()
    client.post(reverse("core:import_confirm", args=[job.pk]), {"skip_invalid": "on"})
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Completada" in page
    assert "la fila 379 del archivo" in page


def test_confirm_twice_does_not_import_twice(client, director, run_inline):
    upload(log_in(client, director), SAMPLE.read_bytes())
    job = ImportJob.objects.get()
    url = reverse("core:import_confirm", args=[job.pk])
    client.post(url, {"skip_invalid": "on"})
    client.post(url, {"skip_invalid": "on"})
    assert Customer.history.filter(history_type="~").count() == 0


def test_progress_of_finished_job_redirects(client, director):
    job = ImportJob.objects.create(
        kind="clientes", original_name="a.csv", status="completada"
    )
    response = log_in(client, director).get(
        reverse("core:import_progress", args=[job.pk])
    )
    assert response["HX-Redirect"] == job.get_absolute_url()


def test_progress_of_running_job_shows_bar(client, director):
    job = ImportJob.objects.create(
        kind="clientes",
        original_name="a.csv",
        status="importando",
        progress_done=50,
        progress_total=200,
    )
    response = log_in(client, director).get(
        reverse("core:import_progress", args=[job.pk])
    )
    assert "25 %" in response.content.decode()


def test_list_shows_past_imports(client, coordinator):
    ImportJob.objects.create(kind="clientes", original_name="enero.csv")
    page = log_in(client, coordinator).get(reverse("core:import_list")).content
    assert "enero.csv" in page.decode()


def test_list_marks_preview_counts_as_unsaved(client, coordinator):
    ImportJob.objects.create(
        kind="clientes", original_name="enero.csv", status="vista_previa", created=7
    )
    page = log_in(client, coordinator).get(reverse("core:import_list")).content
    assert "7*" in page.decode()
    assert "aún no se guardó nada" in page.decode()


def test_list_of_finished_imports_has_no_preview_mark(client, coordinator):
    ImportJob.objects.create(
        kind="clientes", original_name="enero.csv", status="completada", created=7
    )
    page = log_in(client, coordinator).get(reverse("core:import_list")).content
    assert "7*" not in page.decode()
    assert "aún no se guardó nada" not in page.decode()


def test_unreadable_file_is_rejected_at_preview(client, director):
    upload(log_in(client, director), b"columna;otra\n1;2\n")
    job = ImportJob.objects.get()
    assert job.status == "rechazada"


def test_upload_bad_byte_names_row(client, director):
    upload(log_in(client, director), b"NIT;Nombre\n900373923;P\x81rez\n")
    job = ImportJob.objects.get()
    assert job.status == "rechazada"
    page = client.get(job.get_absolute_url()).content.decode()
    assert "La fila 2 del archivo CSV, columna «Nombre»" in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("clientes.pdf", b"%PDF-1.4", "es un documento PDF"),
        ("clientes.xlsx", b"%PDF-1.4", "es un documento PDF"),
        ("clientes.doc", b"\xd0\xcf\x11\xe0", "no se admite"),
        ("clientes.xlsx", b"NIT;Nombre\n", "pero es un archivo de texto (CSV)"),
        ("clientes.xlsx", b"\x00\x01\x02binary", "no es un libro de Excel válido"),
        ("clientes.csv", b"\x00\x01\x02binary", "no parece un archivo CSV"),
        ("clientes.csv", b"", "vac"),
    ],
)
def test_upload_checks_extension_and_content(client, director, name, content, message):
    response = upload(log_in(client, director), content, name=name)
    assert message in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_upload_size_limit(client, director, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 0
    response = upload(log_in(client, director), SAMPLE.read_bytes())
    assert "el máximo es 0 MB" in response.content.decode()


def test_unknown_kind_is_404(client, director):
    response = log_in(client, director).get(
        reverse("core:import_upload", args=["nada"])
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "persona", ["advisor", "billing_user", "operations_user", "no_role_user"]
)
@pytest.mark.parametrize(
    ("method", "name", "needs_job"),
    [
        ("get", "core:import_list", False),
        ("get", "core:import_upload", False),
        ("post", "core:import_upload", False),
        ("get", "core:import_detail", True),
        ("post", "core:import_confirm", True),
        ("get", "core:import_progress", True),
    ],
)
def test_other_roles_are_forbidden(
    db, client, request, persona, method, name, needs_job
):
    user = request.getfixturevalue(persona)
    job = ImportJob.objects.create(kind="clientes", original_name="a.csv")
    if name == "core:import_upload":
        url = reverse(name, args=["clientes"])
    else:
        url = reverse(name, args=[job.pk] if needs_job else [])
    response = getattr(log_in(client, user), method)(url)
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("core:import_list"))
    assert response.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_confirm_runs_in_background_thread(client, director, monkeypatch):
    started = []
    original = threading.Thread

    def recording_thread(*args, **kwargs):
        thread = original(*args, **kwargs)
        # Imports start threads of their own to write batches (core.imports.writer).
        if kwargs.get("target") is jobs._run_in_thread:
            started.append(thread)
        return thread

    monkeypatch.setattr(jobs.threading, "Thread", recording_thread)
    upload(log_in(client, director), SAMPLE.read_bytes())
    job = ImportJob.objects.get()
    client.post(reverse("core:import_confirm", args=[job.pk]), {"skip_invalid": "on"})
    started[0].join(timeout=300)
    job.refresh_from_db()
    assert job.status == "completada"
    assert job.progress_done == job.progress_total


def test_confirm_of_job_another_request_started_runs_nothing(
    client, director, monkeypatch
):
    upload(log_in(client, director), SAMPLE.read_bytes())
    job = ImportJob.objects.get()
    # Another request confirmed the job between this one's check and its start.
    monkeypatch.setattr(
        jobs.threading,
        "Thread",
        lambda *args, **kwargs: pytest.fail("a second import thread started"),
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)

    assert not jobs.import_job_start(job=job, skip_invalid=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING


def test_preview_columns_keep_the_importers_order(client, director):
    report = ImportReport(
        preview=[
            {
                "row": 2,
                "Identificación": "CC 1.019.968.196",
                "Nombre": "Lucero Díaz",
                "Tipo": "Nuevo",
                "Último servicio": "",
            }
        ]
    )
    job = ImportJob.objects.create(
        kind="clientes", original_name="a.csv", report=report.as_dict()
    )

    page = log_in(client, director).get(job.get_absolute_url()).content.decode()

    positions = [
        page.index(f"<th>{label}</th>")
        for label in ("Identificación", "Nombre", "Tipo", "Último servicio")
    ]
    assert positions == sorted(positions)


def test_report_stored_with_preview_objects_still_loads():
    data = ImportReport(preview=[{"row": 2, "Nombre": "Lucero"}]).as_dict()
    data["preview"] = [dict(row) for row in data["preview"]]
    assert ImportReport.from_dict(data).preview == [{"row": 2, "Nombre": "Lucero"}]


def test_one_rejected_row_in_singular(client, director):
    job = ImportJob.objects.create(
        kind="clientes", original_name="a.csv", rows=3, rejected=1
    )
    client = log_in(client, director)

    page = client.get(job.get_absolute_url()).content.decode()
    response = client.post(
        reverse("core:import_confirm", args=[job.pk]), follow=True
    ).content.decode()

    assert "se omite 1 fila con errores" in page
    assert "Hay 1 fila con errores." in response


def test_preview_total_leaves_out_blank_rows(client, director):
    content = SAMPLE.read_bytes()

    upload(log_in(client, director), content + b"\n;;;\nTOTAL;600\n")
    job = ImportJob.objects.get()

    assert job.rows == 600
    assert job.progress_total == 600


def test_progress_page_shows_running_job(client, director):
    job = ImportJob.objects.create(
        kind="clientes",
        original_name="a.csv",
        status=ImportJob.Status.RUNNING,
        progress_total=600,
    )
    jobs._progress_in_process[job.pk] = (300, 600)
    try:
        response = log_in(client, director).get(
            reverse("core:import_progress", args=[job.pk])
        )
    finally:
        jobs._progress_in_process.pop(job.pk)

    assert "300 de 600 filas (50 %)" in response.content.decode()


def _progress_seen_elsewhere(job_id: int) -> tuple[int, int]:
    """Read a job's progress the way a progress request does, from another
    thread with its own database connection."""
    seen = []

    def read():
        try:
            job = ImportJob.objects.get(pk=job_id)
            if connection.vendor == "sqlite":
                seen.append(jobs.import_job_progress(job))
            else:
                seen.append((job.progress_done, job.progress_total))
        finally:
            connections.close_all()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join(timeout=60)
    return seen[0]


@pytest.mark.django_db(transaction=True)
def test_progress_visible_before_commit(director, monkeypatch):
    job = jobs.import_job_create(
        kind="clientes",
        uploaded_file=SimpleUploadedFile("clientes.csv", SAMPLE.read_bytes()),
        user=director,
    )
    jobs.import_job_preview(job=job)
    monkeypatch.setattr(jobs, "PROGRESS_EVERY_ROWS", 1)
    monkeypatch.setattr(get_importer("clientes"), "batch_size", 100)
    seen = []
    save = jobs.ProgressStore.save

    def save_and_read(store, done, total):
        save(store, done, total)
        seen.append(_progress_seen_elsewhere(job.pk))

    monkeypatch.setattr(jobs.ProgressStore, "save", save_and_read)

    jobs.import_job_run(job=job, skip_invalid=True)
    job.refresh_from_db()

    assert any(0 < done < 600 for done, _total in seen)
    assert {total for _done, total in seen} == {600}
    assert (job.progress_done, job.progress_total) == (600, 600)
    assert job.status == ImportJob.Status.DONE


def test_header_only_file_cannot_be_confirmed(client, director):
    response = upload(log_in(client, director), "NIT;Razón social\n".encode())
    job = ImportJob.objects.get()
    page = log_in(client, director).get(response.url).content.decode()

    assert job.status == "rechazada"
    assert "El archivo no tiene filas de datos" in page
    assert "import_confirm" not in page
    assert reverse("core:import_confirm", args=[job.pk]) not in page


def test_progress_store_survives_database_error(db):
    store = jobs.ProgressStore(job_id=1)
    store.connection = connection.copy()
    store.connection.close = lambda: None
    store.connection.cursor = lambda: (_ for _ in ()).throw(DatabaseError("caída"))

    store.save(10, 100)

    assert store.connection is None
    assert jobs.import_job_progress(ImportJob(pk=1)) == (10, 100)
    store.close()


def test_row_numbers_have_no_thousands_dots(client, director):
    report = ImportReport(
        header_row=1203,
        preview=[{"row": 1204, "Nombre": "Lucero"}],
        errors=[Issue(row=1115, column="Correo", message="Fila 1115: no válido.")],
        matches=[
            Match(
                row=2048,
                key="CC 1.019",
                earlier_row=1999,
                changes="Teléfono: — → 608 245 1234",
            )
        ],
    )
    job = ImportJob.objects.create(
        kind="clientes", original_name="a.csv", report=report.as_dict()
    )

    page = log_in(client, director).get(job.get_absolute_url()).content.decode()

    assert "fila 1203" in page
    assert '<td class="number">1204</td>' in page
    assert '<td class="number">1115</td>' in page
    assert '<td class="number">2048</td>' in page
    assert "la fila 1999 del archivo" in page
    assert "<td>Teléfono: — → 608 245 1234</td>" in page
    assert "1.115" not in page


def test_running_job_hides_the_preview_counts(client, director):
    job = ImportJob.objects.create(
        kind="clientes",
        original_name="a.csv",
        status=ImportJob.Status.RUNNING,
        rows=600,
        created=590,
    )

    page = log_in(client, director).get(job.get_absolute_url()).content.decode()

    assert "Importando" in page
    assert "creados" not in page


def test_stale_preview_is_explained_after_confirm(client, director, run_inline):
    client = log_in(client, director)
    upload(client, SAMPLE.read_bytes())
    upload(client, SAMPLE.read_bytes())
    first, second = ImportJob.objects.order_by("pk")
    confirm = {"skip_invalid": "on"}
    client.post(reverse("core:import_confirm", args=[first.pk]), confirm)
    client.post(reverse("core:import_confirm", args=[second.pk]), confirm)

    first.refresh_from_db()
    second.refresh_from_db()
    page = client.get(second.get_absolute_url()).content.decode()

    assert "no coincide con la vista previa" not in str(first.report)
    assert (second.created, second.unchanged) == (0, 596)
    assert "El resultado no coincide con la vista previa" in page
    assert "590 por crear, 6 por actualizar y 0 sin cambios" in page


def test_long_match_list_counts_hidden_rows(client, director):
    matches = [Match(row=row, key="CC 1", earlier_row=1) for row in range(2, 603)]
    job = ImportJob.objects.create(
        kind="clientes",
        original_name="a.csv",
        report=ImportReport(matches=matches).as_dict(),
    )

    page = log_in(client, director).get(job.get_absolute_url()).content.decode()

    assert "Y 101 coincidencias más." in page


def test_changing_matches_are_listed_first(client, director):
    unchanged = [Match(row=row, key=f"CC {row}", existing="x") for row in range(2, 602)]
    changing = [
        Match(row=700, key="CC 700", existing="x", changes="Celular: 1 → 2"),
        Match(row=800, key="CC 800", existing="x", changes="Barrio: A → B"),
    ]
    job = ImportJob.objects.create(
        kind="clientes",
        original_name="a.csv",
        report=ImportReport(matches=[*unchanged, *changing]).as_dict(),
    )

    page = log_in(client, director).get(job.get_absolute_url()).content.decode()

    assert "2 coincidencias cambian datos y aparecen primero." in page
    assert page.index("Celular: 1 → 2") < page.index("Barrio: A → B")
    assert page.index("Barrio: A → B") < page.index("<td>CC 2</td>")
    assert "Y 102 coincidencias más." in page


def mobile_update_file(customer, mobile: str) -> bytes:
    return (
        f"NIT;Nombre;Celular\n{customer.id_number};{customer.name};{mobile}\n".encode()
    )


def test_update_changes_in_preview_and_result(client, director, run_inline):
    customer = make_customer(mobile="+573001112233")
    upload(log_in(client, director), mobile_update_file(customer, "3104445566"))
    job = ImportJob.objects.get()
    preview = client.get(job.get_absolute_url()).content.decode()
    client.post(reverse("core:import_confirm", args=[job.pk]))
    result = client.get(job.get_absolute_url()).content.decode()

    change = "Celular: 300 111 2233 → 310 444 5566"
    assert change in preview
    assert change in result
    assert "coincidencia o lo que cambia" not in result


def test_edit_after_preview_is_noted(client, director, run_inline):
    customer = make_customer(mobile="+573001112233")
    upload(log_in(client, director), mobile_update_file(customer, "3104445566"))
    job = ImportJob.objects.get()
    Customer.objects.filter(pk=customer.pk).update(mobile="+573207778899")
    client.post(reverse("core:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    page = client.get(job.get_absolute_url()).content.decode()

    assert (job.status, job.updated) == ("completada", 1)
    assert "Celular: 320 777 8899 → 310 444 5566" in page
    assert "El resultado no coincide con la vista previa" not in page
    assert (
        "Los totales coinciden con la vista previa, pero en 1 fila la coincidencia "
        "o lo que cambia ya no es lo que mostraba (fila 2)"
    ) in page


def test_rows_matched_differently_lists_each_row():
    previewed = [
        Match(row=2, key="1", existing="A", changes="Nombre: x → y").as_dict(),
        {"row": 3, "key": "2", "earlier_row": None, "existing": "B"},
        Match(row=4, key="3", earlier_row=2).as_dict(),
    ]
    matches = [
        Match(row=2, key="1", existing="A", changes="Nombre: z → y"),
        Match(row=3, key="2", existing="B"),
        Match(row=5, key="4", existing="C"),
    ]

    assert jobs._rows_matched_differently(previewed, matches) == [2, 4, 5]


def _report_queries(queries) -> list[str]:
    table = ImportJob._meta.db_table
    return [query["sql"] for query in queries if f'"{table}"."report"' in query["sql"]]


@pytest.mark.parametrize("view", ["core:import_list", "core:import_progress"])
def test_list_and_progress_leave_report_unread(client, director, view):
    """A re-import of the whole base stores megabytes of matches in the report;
    the list and the progress poll show none of it."""
    job = ImportJob.objects.create(
        kind="clientes",
        original_name="a.csv",
        status="importando",
        report={"matches": [{"row": 2, "key": "900123456"}]},
    )
    log_in(client, director)
    args = [job.pk] if view == "core:import_progress" else []
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(view, args=args))
    assert response.status_code == 200
    assert _report_queries(queries.captured_queries) == []

"""The registry import through the generic import pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.imports import jobs
from core.models import ImportJob
from subscribers.models import SubscriberAccount
from subscribers.tests.test_import_rows import COMMERCIAL, GOOD, HEADER


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


def upload(client, *lines):
    content = ("\ufeff" + "\n".join([HEADER, *lines]) + "\n").encode()
    return client.post(
        reverse("core:import_upload", args=["catastro"]),
        {"file": SimpleUploadedFile("catastro.csv", content)},
    )


def test_upload_previews_without_writing(client, director):
    client.force_login(director)
    upload(client, GOOD, COMMERCIAL)
    job = ImportJob.objects.get()
    assert (job.kind, job.status, job.rows, job.created) == (
        "catastro",
        "vista_previa",
        2,
        2,
    )
    assert SubscriberAccount.objects.count() == 0


def test_confirm_imports_the_accounts(client, director, run_inline):
    client.force_login(director)
    upload(client, GOOD, COMMERCIAL)
    job = ImportJob.objects.get()
    client.post(reverse("core:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.created) == ("completada", 2)
    assert SubscriberAccount.objects.count() == 2


def test_history_records_the_importing_user(client, director, run_inline):
    client.force_login(director)
    upload(client, GOOD)
    job = ImportJob.objects.get()
    client.post(reverse("core:import_confirm", args=[job.pk]))
    account = SubscriberAccount.objects.get()
    assert account.history.get().history_user == director

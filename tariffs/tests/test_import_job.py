"""The tariff import through the shared import jobs that the web screens use."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.imports.jobs import import_job_create, import_job_preview, import_job_run
from core.models import ImportJob
from tariffs.models import TariffItem, TariffVersion
from tariffs.tests.test_importer import SAMPLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(settings, tmp_path, director):
    settings.MEDIA_ROOT = tmp_path / "media"
    upload = SimpleUploadedFile(SAMPLE.name, SAMPLE.read_bytes())
    return import_job_create(kind="tarifas", uploaded_file=upload, user=director)


def test_job_preview_writes_nothing(job):
    report = import_job_preview(job=job)

    assert report.created == 25
    assert job.status == ImportJob.Status.PREVIEW
    assert not TariffVersion.objects.exists()


def test_job_run_creates_draft_version(job, director):
    import_job_run(job=job, skip_invalid=False)

    version = TariffVersion.objects.get()
    assert job.status == ImportJob.Status.DONE
    assert version.status == TariffVersion.Status.DRAFT
    assert version.created_by == director
    assert TariffItem.objects.filter(version=version).count() == 25

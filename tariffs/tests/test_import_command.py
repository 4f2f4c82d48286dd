import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from core.models import ImportJob
from tariffs.models import TariffItem, TariffVersion
from tariffs.tests.test_importer import GOOD_ROW, SAMPLE, write_sheet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run_command(*args) -> tuple[dict, int]:
    output = StringIO()
    code = 0
    try:
        call_command("import_tariffs", *map(str, args), "--json", stdout=output)
    except SystemExit as exit_:
        code = exit_.code
    return json.loads(output.getvalue()), code


def test_command_loads_sample_as_draft(director):
    summary, code = run_command(SAMPLE, "--user", director.username)

    assert code == 0
    assert summary["created"] == 25
    assert summary["committed"] is True
    version = TariffVersion.objects.get(pk=summary["version"])
    assert version.status == TariffVersion.Status.DRAFT
    assert version.created_by == director


def test_command_records_import_job(director):
    run_command(SAMPLE)

    job = ImportJob.objects.get()
    assert job.kind == "tarifas"
    assert job.created == 25


def test_command_dry_run_writes_nothing():
    summary, code = run_command(SAMPLE, "--dry-run")

    assert code == 0
    assert summary["dry_run"] is True
    assert summary["version"] is None
    assert not TariffItem.objects.exists()
    assert not ImportJob.objects.exists()


def test_command_fails_on_bad_row(tmp_path: Path):
    path = write_sheet(
        tmp_path / "malo.xlsx",
        [GOOD_ROW, ["SE-9", "X", "Bulto", 5, "NO", "01/01/2026"]],
    )

    summary, code = run_command(path)

    assert code == 1
    assert summary["rejected"] == 1
    assert summary["errors"][0]["row"] == 5
    assert summary["errors"][0]["column"] == "UNIDAD"
    assert not TariffVersion.objects.exists()


def test_command_skip_invalid_loads_good_rows(tmp_path: Path):
    path = write_sheet(
        tmp_path / "malo.xlsx",
        [GOOD_ROW, ["SE-9", "X", "Bulto", 5, "NO", "01/01/2026"]],
    )

    summary, code = run_command(path, "--skip-invalid")

    assert code == 0
    assert summary["created"] == 1
    assert TariffItem.objects.count() == 1

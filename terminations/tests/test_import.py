"""Import of a competitor's list: exact counts on the sample, each code format, and
the flags for repeats and claimed accounts."""

import json
from datetime import date
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone

from subscribers.models import SubscriberAccount
from terminations.matching import (
    MatchKeys,
    match_rows,
    normalise_address,
    normalise_id,
    parse_row_code,
)
from terminations.models import RequestList, TerminationRequest
from terminations.preview import list_summary
from terminations.services import (
    request_list_create,
    request_list_import,
    request_unassign_account,
)
from terminations.tests.conftest import (
    COMPETITOR_LIST,
    LIST_RECEIVED_ON,
    make_account,
    make_request,
)


def test_sample_list_exact_counts(registry, competitor):
    request_list = request_list_create(
        competitor=competitor, path=COMPETITOR_LIST, received_on=LIST_RECEIVED_ON
    )
    report, tally = request_list_import(request_list=request_list)
    requests = TerminationRequest.objects.filter(request_list=request_list)
    by_code = requests.filter(match_method="cuenta")

    assert report.rows == 1500
    assert report.rejected == 0
    # Blank rows, the totals row and the signature line.
    assert report.skipped == 4
    assert requests.count() == 1500
    assert tally["matched_by_code"] == 792
    assert by_code.filter(is_duplicate=False).count() == 750
    assert by_code.filter(is_duplicate=True).count() == 42
    assert tally["matched_by_cadastral"] == 72
    # The three cadastral numbers Excel truncated (spreadsheet rows 292, 954 and
    # 1117) are flagged and left unmatched for a person to resolve.
    truncated = requests.filter(cadastral_number_truncated=True)
    assert sorted(truncated.values_list("row_number", flat=True)) == [292, 954, 1117]
    # Only the 15 digits Excel kept, without the float's noise.
    assert sorted(truncated.values_list("received_code", flat=True)) == [
        "731480005000000",
        "731480112000401",
        "734490103000602",
    ]
    assert not truncated.filter(account__isnull=False).exists()
    assert tally["truncated"] == 3
    assert "matched_by_id" not in tally
    # 600 codes that do not exist, their 33 repeats and the 3 truncated numbers.
    assert tally["unmatched"] == 636
    assert requests.filter(account__isnull=True).count() == 636
    assert requests.filter(account__isnull=False).count() == 864
    assert requests.filter(account__isnull=True, is_duplicate=True).count() == 33
    assert tally["duplicates"] == 75
    assert requests.filter(is_duplicate=True).count() == 75
    assert (
        by_code.filter(already_unlinked=True).values("account").distinct().count() == 35
    )
    assert request_list.status == RequestList.Status.IMPORTED

    # Spreadsheet row 27 has its date typed as text «01/10/2026».
    text_dated = requests.get(row_number=27)
    assert text_dated.filed_on == date(2026, 10, 1)
    # 15 business days after Thursday 1 October 2026 skip the 12 October holiday;
    # two months later is Tuesday 1 December.
    assert text_dated.response_due_on == date(2026, 10, 23)
    assert text_dated.effective_due_on == date(2026, 12, 1)


def test_sample_preview_sections_match_tally(registry, competitor):
    request_list = request_list_create(
        competitor=competitor, path=COMPETITOR_LIST, received_on=LIST_RECEIVED_ON
    )
    _report, tally = request_list_import(request_list=request_list, dry_run=True)
    samples = request_list.report["samples"]

    # The 42 repeats among the matched rows stay in the matched section, as the
    # 33 repeats among the unmatched rows stay in theirs.
    assert samples["matched"]["count"] == 864
    assert samples["matched"]["count"] == (
        tally["matched_by_code"] + tally["matched_by_cadastral"]
    )
    assert samples["unmatched"]["count"] == tally["unmatched"]
    assert samples["duplicates"]["count"] == tally["duplicates"]
    assert samples["truncated"]["count"] == tally["truncated"]


def test_sample_summary_splits_rows(registry, competitor):
    request_list = request_list_create(
        competitor=competitor, path=COMPETITOR_LIST, received_on=LIST_RECEIVED_ON
    )
    report, _tally = request_list_import(request_list=request_list, dry_run=True)
    summary = list_summary(request_list.report)
    matched, unmatched = summary.parts
    [truncated] = unmatched.subsections

    assert matched.label == (
        "Coinciden con el catastro: 864 (792 por código de cuenta, 72 por número "
        "predial)"
    )
    assert unmatched.label == (
        "Sin coincidencia en el catastro: 636, de ellas 3 con número predial "
        "truncado por Excel"
    )
    assert matched.count + unmatched.count == report.rows
    # The three rows Excel truncated, which staff assign by hand.
    assert [row["row"] for row in truncated.rows] == [292, 954, 1117]
    assert [section.kind for section in summary.flags] == [
        "duplicates",
        "already_unlinked",
    ]


def test_sample_again_after_withdrawal_reopens_nothing(registry, competitor):
    first = request_list_create(
        competitor=competitor, path=COMPETITOR_LIST, received_on=LIST_RECEIVED_ON
    )
    request_list_import(request_list=first)
    withdrawn = TerminationRequest.objects.get(
        account__account_code="449007995", is_duplicate=False
    )
    withdrawn.status = TerminationRequest.Status.WITHDRAWN
    withdrawn.save()
    open_before = TerminationRequest.objects.open().count()
    second = request_list_create(
        competitor=competitor, path=COMPETITOR_LIST, received_on=LIST_RECEIVED_ON
    )

    _report, preview_tally = request_list_import(request_list=second, dry_run=True)
    _report, tally = request_list_import(request_list=second)
    repeat = second.requests.get(account=withdrawn.account)

    assert preview_tally["duplicates"] == 1500
    assert tally["duplicates"] == 1500
    assert repeat.is_duplicate
    assert repeat.duplicate_of == withdrawn
    assert TerminationRequest.objects.open().count() == open_before
    assert len(second.report["same_file"]) == 1


def test_command_json_dry_run_writes_nothing(registry, competitor):
    output = StringIO()
    call_command(
        "import_termination_requests",
        str(COMPETITOR_LIST),
        "--competitor",
        "serviaseo alto magdalena s.a.s. e.s.p.",
        "--received-on",
        LIST_RECEIVED_ON.isoformat(),
        "--dry-run",
        "--json",
        stdout=output,
    )
    data = json.loads(output.getvalue())

    assert data["rows"] == 1500
    assert data["rejected"] == 0
    assert data["tally"]["unmatched"] == 636
    assert data["tally"]["duplicates"] == 75
    assert TerminationRequest.objects.count() == 0
    assert RequestList.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("449001234", "449001234"),
        (449001234, "449001234"),
        (449001234.0, "449001234"),
        ("449-001234", "449001234"),
        ("  449001234  ", "449001234"),
        ("49001234", "049001234"),
    ],
)
def test_account_code_formats(raw, expected):
    assert parse_row_code(raw).account_code == expected


def test_cadastral_number_as_text():
    code = parse_row_code("731480106001001250020000000000")

    assert code.cadastral_number == "731480106001001250020000000000"
    assert not code.truncated


@pytest.mark.parametrize(
    ("number", "kept"),
    [
        # The float's full expansion is 731480005000000193146002604032.
        (7.314800050000002e29, "731480005000000"),
        # Cut, not rounded: the number's 16th digit is not Excel's.
        (7.344901030006027e29, "734490103000602"),
        # Excel's value has 15 digits, so the padding zeros are its own.
        (7.3449e29, "734490000000000"),
    ],
)
def test_cadastral_number_as_number_keeps_excel_digits(number, kept):
    code = parse_row_code(number)

    assert code.truncated
    assert code.cadastral_number == kept
    assert code.display == f"{kept}…"


def test_whole_number_cell_keeps_every_digit():
    # openpyxl returns an int for a number the file writes without exponent.
    code = parse_row_code(731480106001001250020000000000)

    assert code.cadastral_number == "731480106001001250020000000000"
    assert not code.truncated


@pytest.mark.parametrize("text", ["7.34490102001202E+29", "7,34490102001202E+29"])
def test_cadastral_number_in_scientific_notation_is_truncated(text):
    code = parse_row_code(text)

    assert code.truncated
    assert code.cadastral_number == "734490102001202"


def test_short_scientific_notation_pads_to_excel_digits():
    code = parse_row_code("7.3449E+29")

    assert code.truncated
    assert code.cadastral_number == "734490000000000"


def test_short_number_in_scientific_notation_keeps_its_digits():
    code = parse_row_code("4.49001234E+8")

    assert code.account_code == "449001234"
    assert not code.truncated


def test_address_spellings_compare_equal():
    assert normalise_address("Calle 10 No. 5-32") == normalise_address("CL 10 # 5-32")


def test_unknown_code_matches_by_id_and_address(db):
    account = make_account("449000781", id_number="1019968196")
    keys = MatchKeys(
        code=parse_row_code("449000871"),
        id_number=normalise_id("1.019.968.196"),
        address=normalise_address("Calle 10 No. 5-32"),
    )

    [hit] = match_rows([keys])

    assert hit.account_id == account.pk
    assert hit.method == "documento"


def test_truncated_cadastral_never_matches(db):
    make_account("449000782", id_number="1019968196")
    keys = MatchKeys(
        code=parse_row_code(7.344901000000000e29),
        id_number="1019968196",
        address=normalise_address("CL 10 # 5-32"),
    )

    assert keys.code.truncated
    assert match_rows([keys]) == [None]


def test_open_request_of_other_competitor_flags_claim(
    competitor, other_competitor, tmp_path
):
    account = make_account("449000777")
    earlier = make_request(other_competitor, account)
    request_list = _one_row_list(competitor, tmp_path, "449000777")

    request_list_import(request_list=request_list)
    request = request_list.requests.get()
    earlier.refresh_from_db()

    assert request.claimed_by_other
    assert earlier.claimed_by_other


def test_flagged_claim_keeps_history(
    competitor, other_competitor, tmp_path, django_user_model
):
    account = make_account("449000777")
    earlier = make_request(other_competitor, account)
    user = django_user_model.objects.create_user("coordinadora")
    request_list = _one_row_list(competitor, tmp_path, "449000777")

    request_list_import(request_list=request_list, user=user)
    latest = earlier.history.latest()

    assert latest.history_type == "~"
    assert latest.claimed_by_other
    assert latest.history_user == user
    assert latest.history_change_reason == f"También la reclama {competitor.name}"


def test_property_of_several_accounts_is_named_in_preview(competitor, tmp_path):
    predial = "731480106001001250020000000000"
    make_account("449000781", cadastral_number=predial, id_number="52111111")
    make_account("449000782", cadastral_number=predial, id_number="52222222")
    request_list = _one_row_list(competitor, tmp_path, predial)

    request_list_import(request_list=request_list, dry_run=True)
    (row,) = request_list.report["samples"]["unmatched"]["rows"]

    assert row["problem"].startswith("El número predial es de 2 cuentas")


def test_reimport_same_account_is_duplicate(competitor, tmp_path):
    make_account("449000778")
    first = _one_row_list(competitor, tmp_path, "449000778")
    request_list_import(request_list=first)
    second = _one_row_list(competitor, tmp_path, "449-000778")

    request_list_import(request_list=second)
    request = second.requests.get()

    assert request.is_duplicate
    assert request.duplicate_of == first.requests.get()


def test_imported_requests_have_creation_history(
    competitor, tmp_path, django_user_model
):
    make_account("449000778")
    user = django_user_model.objects.create_user("coordinadora")
    first = _one_row_list(competitor, tmp_path, "449000778")
    request_list_import(request_list=first, user=user)
    second = _one_row_list(competitor, tmp_path, "449000778")
    request_list_import(request_list=second, user=user)

    for request in TerminationRequest.objects.all():
        (record,) = request.history.all()
        assert record.history_type == "+"
        assert record.history_user == user
        assert record.is_duplicate == request.is_duplicate
        assert record.received == request.received
    repeat = second.requests.get()
    assert repeat.history.get().duplicate_of_id == first.requests.get().pk


def test_reimport_after_undone_match_is_duplicate(competitor, tmp_path, director):
    make_account("449000778")
    first = _one_row_list(competitor, tmp_path, "449000778")
    request_list_import(request_list=first)
    original = first.requests.get()
    request_unassign_account(request=original, user=director, reason="No era")
    second = _one_row_list(competitor, tmp_path, "449000778")

    request_list_import(request_list=second)
    request = second.requests.get()

    assert request.account is not None
    assert request.is_duplicate
    assert request.duplicate_of == original


@pytest.mark.parametrize(
    "status",
    [
        TerminationRequest.Status.WITHDRAWN,
        TerminationRequest.Status.REJECTED,
        TerminationRequest.Status.EFFECTIVE,
    ],
)
def test_reimport_closed_request_is_duplicate(competitor, tmp_path, status):
    make_account("449007995")
    first = _one_row_list(competitor, tmp_path, "449007995")
    request_list_import(request_list=first)
    TerminationRequest.objects.update(status=status)
    second = _one_row_list(competitor, tmp_path, "449007995")

    _report, tally = request_list_import(request_list=second)
    request = second.requests.get()

    assert request.is_duplicate
    assert request.duplicate_of == first.requests.get()
    assert not request.is_open
    assert tally["duplicates"] == 1
    assert TerminationRequest.objects.open().count() == 0


def test_repeat_preview_names_earlier_status(competitor, tmp_path):
    make_account("449007995")
    first = _one_row_list(competitor, tmp_path, "449007995")
    request_list_import(request_list=first)
    TerminationRequest.objects.update(status=TerminationRequest.Status.WITHDRAWN)
    second = _one_row_list(competitor, tmp_path, "449007995")

    request_list_import(request_list=second, dry_run=True)
    rows = second.report["samples"]["duplicates"]["rows"]

    assert len(rows) == 1
    assert "«Desistida»" in rows[0]["problem"]
    assert "01/10/2026" in rows[0]["problem"]


def test_repeat_prefers_open_request(competitor, tmp_path):
    account = make_account("449007996")
    make_request(
        competitor,
        account,
        filed_on=date(2026, 10, 5),
        status=TerminationRequest.Status.WITHDRAWN,
    )
    open_request = make_request(competitor, account, filed_on=date(2026, 9, 1))
    request_list = _one_row_list(competitor, tmp_path, "449007996")

    request_list_import(request_list=request_list)

    assert request_list.requests.get().duplicate_of == open_request


def test_unmatched_code_repeats_manually_assigned(competitor, tmp_path):
    account = make_account("449007997")
    earlier = make_request(
        competitor, account, received_code="123456789", match_method="manual"
    )
    request_list = _one_row_list(competitor, tmp_path, "123456789")

    request_list_import(request_list=request_list)

    assert request_list.requests.get().duplicate_of == earlier


def test_same_file_again_warns_in_preview(competitor, tmp_path, django_user_model):
    director = django_user_model.objects.create_user(
        username="directora", first_name="Ana", last_name="Rojas"
    )
    make_account("449000790")
    first = _one_row_list(competitor, tmp_path, "449000790")
    first.imported_by = director
    first.save()
    request_list_import(request_list=first, user=director)
    second = _one_row_list(competitor, tmp_path, "449000790")

    request_list_import(request_list=second, dry_run=True)
    warnings = second.report["same_file"]

    assert first.content_sha256 == second.content_sha256
    assert len(warnings) == 1
    assert "Ana Rojas" in warnings[0]
    assert (
        timezone.localtime(first.created_at).strftime("%d/%m/%Y %H:%M") in warnings[0]
    )


def test_other_file_has_no_same_file_warning(competitor, tmp_path):
    make_account("449000791")
    make_account("449000792")
    request_list_import(request_list=_one_row_list(competitor, tmp_path, "449000791"))
    second = _one_row_list(competitor, tmp_path, "449000792")

    request_list_import(request_list=second, dry_run=True)

    assert second.report["same_file"] == []


def test_command_prints_same_file_warning(registry, competitor, tmp_path):
    path = tmp_path / "lista.csv"
    path.write_text(
        "No.;FECHA RADICACIÓN;CÓDIGO CUENTA / CATASTRO\n1;01/10/2026;449000793\n",
        encoding="utf-8",
    )
    make_account("449000793")
    arguments = ["--competitor", competitor.name, "--received-on", "2026-11-03"]
    call_command(
        "import_termination_requests", str(path), *arguments, stdout=StringIO()
    )
    output = StringIO()

    call_command("import_termination_requests", str(path), *arguments, stdout=output)

    assert "AVISO Este mismo archivo" in output.getvalue()


def test_unlinked_account_is_flagged(competitor, tmp_path):
    make_account("449000779", status=SubscriberAccount.Status.UNLINKED)
    request_list = _one_row_list(competitor, tmp_path, "449000779")

    request_list_import(request_list=request_list)

    assert request_list.requests.get().already_unlinked


def test_missing_date_rejects_and_writes_nothing(competitor, tmp_path):
    make_account("449000780")
    request_list = _one_row_list(competitor, tmp_path, "449000780", filed="")

    report, _tally = request_list_import(request_list=request_list)

    assert report.rejected == 1
    assert "fecha de radicación" in report.errors[0].message
    assert TerminationRequest.objects.count() == 0


def _one_row_list(competitor, tmp_path, code: str, filed: str = "01/10/2026"):
    path = tmp_path / f"lista-{code}.csv"
    path.write_text(
        "No.;FECHA RADICACIÓN;CÓDIGO CUENTA / CATASTRO;NOMBRE SUSCRIPTOR;"
        "CÉDULA / NIT;DIRECCIÓN\n"
        f"1;{filed};{code};Lucero Diaz;1019968196;Calle 10 # 5-32\n",
        encoding="utf-8",
    )
    return request_list_create(
        competitor=competitor, path=path, received_on=LIST_RECEIVED_ON
    )


def test_truncated_row_names_only_the_truncation(competitor, tmp_path):
    request_list = _one_row_list(competitor, tmp_path, "7.34490102001202E+29")

    request_list_import(request_list=request_list, dry_run=True)
    (row,) = request_list.report["samples"]["unmatched"]["rows"]

    assert row["problem"] == (
        "Excel guardó el número predial como número y perdió sus últimos dígitos: "
        "asigne la cuenta a mano."
    )


def test_code_without_digits_is_named(competitor, tmp_path):
    request_list = _one_row_list(competitor, tmp_path, "ABC-XYZ")

    report, _tally = request_list_import(request_list=request_list, dry_run=True)
    (issue,) = report.errors

    assert "«ABC-XYZ» no es un código de cuenta ni un número predial" in issue.message
    assert issue.value == "ABC-XYZ"


def test_future_filing_date_is_rejected(competitor, tmp_path):
    make_account("449000711")
    request_list = _one_row_list(competitor, tmp_path, "449000711", "04/11/2026")

    report, _tally = request_list_import(request_list=request_list)

    assert report.rejected == 1
    assert report.errors[0].message == (
        "Fila 2, columna «FECHA RADICACIÓN»: la fecha de radicación 04/11/2026 es "
        "posterior al 03/11/2026, día en que se recibió la lista. Corrija la fecha "
        "en el archivo (dd/mm/aaaa) y cárguelo de nuevo."
    )
    assert not TerminationRequest.objects.exists()


def test_filing_on_reception_day_is_kept(competitor, tmp_path):
    make_account("449000712")
    request_list = _one_row_list(competitor, tmp_path, "449000712", "03/11/2026")

    report, _tally = request_list_import(request_list=request_list)

    assert report.rejected == 0
    assert TerminationRequest.objects.get().filed_on == date(2026, 11, 3)


@pytest.mark.parametrize(
    ("filed", "rejected"),
    [("02/11/2024", 1), ("03/11/2024", 0), ("01/10/2020", 1)],
)
def test_old_filing_date_is_rejected(competitor, tmp_path, filed, rejected):
    make_account("449000713")
    request_list = _one_row_list(competitor, tmp_path, "449000713", filed)

    report, _tally = request_list_import(request_list=request_list)

    assert report.rejected == rejected
    assert TerminationRequest.objects.count() == 1 - rejected


def test_old_filing_message_names_limit(competitor, tmp_path):
    make_account("449000714")
    request_list = _one_row_list(competitor, tmp_path, "449000714", "15/06/2004")

    report, _tally = request_list_import(request_list=request_list, dry_run=True)

    assert report.errors[0].message == (
        "Fila 2, columna «FECHA RADICACIÓN»: la fecha de radicación 15/06/2004 "
        "tiene más de 24 meses (es anterior al 03/11/2024). Revise el año en el "
        "archivo, corríjalo y cárguelo de nuevo."
    )


def test_filing_age_limit_is_a_setting(competitor, tmp_path, settings):
    settings.TERMINATION_FILED_MAX_AGE_MONTHS = 72
    make_account("449000715")
    request_list = _one_row_list(competitor, tmp_path, "449000715", "01/10/2021")

    report, _tally = request_list_import(request_list=request_list)

    assert report.rejected == 0
    assert TerminationRequest.objects.get().filed_on == date(2021, 10, 1)


@pytest.mark.parametrize("written", ["45990", "45990.0", "45990,0"])
def test_serial_filing_date_is_converted(competitor, tmp_path, written):
    make_account("449000716")
    request_list = _one_row_list(competitor, tmp_path, "449000716", written)

    report, _tally = request_list_import(request_list=request_list)

    assert report.rejected == 0
    assert TerminationRequest.objects.get().filed_on == date(2025, 11, 29)
    assert report.notes[-1] == (
        "1 fecha de radicación venía como número de serie de Excel y se convirtió "
        "a fecha (fila 2). Revise en la vista previa que sea la correcta."
    )


def test_future_serial_shows_written_value(competitor, tmp_path):
    make_account("449000717")
    # 46400 is 13/01/2027, after the list arrived.
    request_list = _one_row_list(competitor, tmp_path, "449000717", "46400")

    report, _tally = request_list_import(request_list=request_list, dry_run=True)

    assert report.rejected == 1
    assert "13/01/2027 («46400») es posterior al 03/11/2026" in report.errors[0].message


def test_xlsx_serial_cells_are_noted(competitor, tmp_path):
    make_account("449000718")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["No.", "FECHA RADICACIÓN", "CÓDIGO CUENTA / CATASTRO"])
    sheet.append([1, 45990, "449000718"])
    sheet.append([2, date(2026, 10, 1), "449000718"])
    sheet.append([3, "45991", "449000718"])
    path = tmp_path / "lista.xlsx"
    workbook.save(path)
    request_list = request_list_create(
        competitor=competitor, path=path, received_on=LIST_RECEIVED_ON
    )

    report, _tally = request_list_import(request_list=request_list, dry_run=True)

    assert report.rejected == 0
    assert "2 fechas de radicación venían como número de serie" in report.notes[-1]
    assert "(filas 2, 4)" in report.notes[-1]


def test_truncated_xlsx_cell_received_without_made_up_digits(competitor, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["No.", "FECHA RADICACIÓN", "CÓDIGO CUENTA / CATASTRO"])
    sheet.append([1, date(2026, 10, 1), 7.314800050000002e29])
    path = tmp_path / "lista.xlsx"
    workbook.save(path)
    request_list = request_list_create(
        competitor=competitor, path=path, received_on=LIST_RECEIVED_ON
    )

    request_list_import(request_list=request_list)
    request = request_list.requests.get()

    assert request.received["CÓDIGO CUENTA / CATASTRO"] == (
        "731480005000000… (truncado por Excel)"
    )


def test_command_rejects_registry_export(competitor, capsys):
    output = StringIO()
    registry_export = (
        Path(__file__).parents[2]
        / "subscribers"
        / "tests"
        / "data"
        / "catastro_suscriptores.csv"
    )

    with pytest.raises(SystemExit) as exit_status:
        call_command(
            "import_termination_requests",
            str(registry_export),
            "--competitor",
            competitor.name,
            stdout=output,
        )

    assert exit_status.value.code == 1
    assert "ERROR El archivo parece el catastro de suscriptores" in output.getvalue()
    assert "«FECHA_VINCULACION»" in output.getvalue()
    assert "filas 0 · creadas 0" in output.getvalue()
    assert TerminationRequest.objects.count() == 0


def test_command_reads_workbook_named_csv(registry, competitor, tmp_path):
    renamed = tmp_path / "lista.csv"
    renamed.write_bytes(COMPETITOR_LIST.read_bytes())
    output = StringIO()

    call_command(
        "import_termination_requests",
        str(renamed),
        "--competitor",
        competitor.name,
        "--received-on",
        LIST_RECEIVED_ON.isoformat(),
        "--dry-run",
        "--json",
        stdout=output,
    )

    data = json.loads(output.getvalue())
    assert data["rows"] == 1500
    assert data["rejected"] == 0


def _workbook_list(competitor, tmp_path, rows, headers=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        headers
        or ["No.", "FECHA RADICACIÓN", "CÓDIGO CUENTA / CATASTRO", "NOMBRE SUSCRIPTOR"]
    )
    for row in rows:
        sheet.append(row)
    path = tmp_path / "novedades_competidor.xlsx"
    workbook.save(path)
    return request_list_create(
        competitor=competitor, path=path, received_on=LIST_RECEIVED_ON
    )


def test_hyperlink_formula_name_uses_its_text(competitor, tmp_path):
    make_account("449000721")
    # openpyxl saves the formula with no cached value, as an unrecalculated file.
    request_list = _workbook_list(
        competitor,
        tmp_path,
        [[1, "01/10/2026", "449000721", '=HYPERLINK("http://x.co/1","Lucero Díaz")']],
    )

    report, _tally = request_list_import(request_list=request_list)

    request = TerminationRequest.objects.get()
    assert request.received["NOMBRE SUSCRIPTOR"] == "Lucero Díaz"
    assert report.rejected == 0
    assert len(report.warnings) == 1
    assert report.warnings[0].message.startswith(
        "Fila 2, columna «NOMBRE SUSCRIPTOR»: la celda tiene una fórmula"
    )
    assert "se usó su texto, «Lucero Díaz»" in report.warnings[0].message


def test_other_formula_keeps_formula_text(competitor, tmp_path):
    make_account("449000722")
    request_list = _workbook_list(
        competitor, tmp_path, [[1, "01/10/2026", "449000722", '=A1&"Pérez"']]
    )

    report, _tally = request_list_import(request_list=request_list)

    request = TerminationRequest.objects.get()
    assert request.received["NOMBRE SUSCRIPTOR"] == '=A1&"Pérez"'
    assert len(report.warnings) == 1


def test_formula_with_cached_value_keeps_value(competitor, tmp_path):
    make_account("449000723")
    request_list = _workbook_list(
        competitor, tmp_path, [[1, "01/10/2026", "449000723", "=B9"]]
    )
    # Write the value Excel would have saved next to the formula.
    _add_cached_value(Path(request_list.file.path), "D2", "Ana Ruiz")

    report, _tally = request_list_import(request_list=request_list)

    request = TerminationRequest.objects.get()
    assert request.received["NOMBRE SUSCRIPTOR"] == "Ana Ruiz"
    assert "se usó el valor que Excel guardó, «Ana Ruiz»" in report.warnings[0].message


def _add_cached_value(path: Path, reference: str, value: str) -> None:
    """Rewrite the sheet XML so the formula cell carries a cached string value."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    start = sheet.index(f'<c r="{reference}"')
    end = sheet.index("</c>", start) + len("</c>")
    cell = sheet[start:end]
    formula = cell[cell.index("<f>") : cell.index("</f>") + len("</f>")]
    sheet = (
        sheet[:start]
        + f'<c r="{reference}" t="str">{formula}<v>{value}</v></c>'
        + sheet[end:]
    )
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_plain_text_cells_have_no_warning(competitor, tmp_path):
    make_account("449000724")
    request_list = _workbook_list(
        competitor, tmp_path, [[1, "01/10/2026", "449000724", "Lucero Díaz"]]
    )

    report, _tally = request_list_import(request_list=request_list)

    assert report.warnings == []
    assert TerminationRequest.objects.get().received["NOMBRE SUSCRIPTOR"] == (
        "Lucero Díaz"
    )


@pytest.mark.parametrize("estrato", ["-4", "0", "7", "3,5", "alto"])
def test_invalid_estrato_is_rejected(competitor, tmp_path, estrato):
    make_account("449000725")
    path = tmp_path / "lista.csv"
    path.write_text(
        "No.;FECHA RADICACIÓN;CÓDIGO CUENTA / CATASTRO;ESTRATO\n"
        f"1;01/10/2026;449000725;{estrato}\n",
        encoding="utf-8",
    )
    request_list = request_list_create(
        competitor=competitor, path=path, received_on=LIST_RECEIVED_ON
    )

    report, _tally = request_list_import(request_list=request_list)

    assert report.rejected == 1
    assert report.errors[0].message == (
        f"Fila 2, columna «ESTRATO»: El estrato «{estrato}» no es válido: escriba "
        "un número de 1 a 6, o deje la celda vacía si la cuenta no es residencial."
    )
    assert not TerminationRequest.objects.exists()


@pytest.mark.parametrize("estrato", ["1", "6", "", "N/A"])
def test_valid_estrato_is_kept(competitor, tmp_path, estrato):
    make_account("449000726")
    path = tmp_path / "lista.csv"
    path.write_text(
        "No.;FECHA RADICACIÓN;CÓDIGO CUENTA / CATASTRO;ESTRATO\n"
        f"1;01/10/2026;449000726;{estrato}\n",
        encoding="utf-8",
    )
    request_list = request_list_create(
        competitor=competitor, path=path, received_on=LIST_RECEIVED_ON
    )

    report, _tally = request_list_import(request_list=request_list)

    assert report.rejected == 0
    assert TerminationRequest.objects.count() == 1


def test_long_observation_is_rejected(competitor, tmp_path):
    make_account("449000727")
    path = tmp_path / "lista.csv"
    path.write_text(
        "No.;FECHA RADICACIÓN;CÓDIGO CUENTA / CATASTRO;OBSERVACIONES\n"
        f"1;01/10/2026;449000727;{'x' * 40000}\n"
        f"2;01/10/2026;449000727;{'x' * 2000}\n",
        encoding="utf-8",
    )
    request_list = request_list_create(
        competitor=competitor, path=path, received_on=LIST_RECEIVED_ON
    )

    report, _tally = request_list_import(request_list=request_list)

    assert report.rejected == 1
    assert report.errors[0].message == (
        "Fila 2, columna «OBSERVACIONES»: el texto tiene 40.000 caracteres y el "
        "máximo es 2.000. Acórtelo en el archivo y cárguelo de nuevo."
    )
    assert not TerminationRequest.objects.exists()


def test_long_name_is_rejected(competitor, tmp_path):
    make_account("449000728")
    request_list = _workbook_list(
        competitor, tmp_path, [[1, "01/10/2026", "449000728", "N" * 201]]
    )

    report, _tally = request_list_import(request_list=request_list, dry_run=True)

    assert report.rejected == 1
    assert "tiene 201 caracteres y el máximo es 200" in report.errors[0].message

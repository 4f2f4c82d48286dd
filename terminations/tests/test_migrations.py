"""The data steps of migrations 0014 and 0015, which keep only the digits
Excel kept of the truncated cadastral numbers already stored and mark them in
the received cells."""

import importlib

from django.apps import apps

from terminations.models import TerminationRequest
from terminations.tests.conftest import make_request

migration = importlib.import_module(
    "terminations.migrations.0014_truncated_cadastral_digits"
)


def test_stored_float_noise_becomes_excel_digits(competitor):
    # The float 7.314800050000002e+29 written out in full, as imports stored it.
    noisy = make_request(
        competitor,
        received_code="731480005000000193146002604032",
        cadastral_number_truncated=True,
    )
    # From a CSV in scientific notation, padded with zeros to 30 digits.
    padded = make_request(
        competitor,
        received_code="734490102001202000000000000000",
        cadastral_number_truncated=True,
    )
    whole = make_request(competitor, received_code="731480106001001250020000000000")

    migration.keep_excel_digits(apps, None)

    for request in (noisy, padded, whole):
        request.refresh_from_db()
    assert noisy.received_code == "731480005000000"
    assert padded.received_code == "734490102001202"
    assert whole.received_code == "731480106001001250020000000000"
    history = TerminationRequest.history.filter(id=noisy.pk).get()
    assert history.received_code == "731480005000000"


marking = importlib.import_module(
    "terminations.migrations.0015_truncated_cadastral_received"
)
CODE_LABEL = "CÓDIGO CUENTA / CATASTRO"


def test_truncated_received_cell_is_marked(competitor):
    truncated = make_request(
        competitor,
        received_code="731480005000000",
        cadastral_number_truncated=True,
        received={CODE_LABEL: "731480005000000193146002604032", "No.": "292"},
    )
    whole = make_request(
        competitor,
        received_code="731480106001001250020000000000",
        received={CODE_LABEL: "731480106001001250020000000000"},
    )

    marking.mark_truncated_cells(apps, None)

    truncated.refresh_from_db()
    whole.refresh_from_db()
    assert truncated.received == {
        CODE_LABEL: "731480005000000… (truncado por Excel)",
        "No.": "292",
    }
    assert whole.received[CODE_LABEL] == "731480106001001250020000000000"
    history = TerminationRequest.history.filter(id=truncated.pk).get()
    assert history.received[CODE_LABEL] == "731480005000000… (truncado por Excel)"

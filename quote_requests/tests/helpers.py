"""Builders for quote requests in tests."""

from quote_requests.models import QuoteRequest
from quote_requests.services import quote_request_create
from zones.models import Municipality


def melgar():
    return Municipality.objects.get(dane_code="73449")


def make_request(**fields) -> QuoteRequest:
    data = {
        "channel": QuoteRequest.Channel.PHONE,
        "service": "Recolección de escombros",
        "contact_name": "Laura Pérez",
        "contact_phone": "3105551234",
        "description": "Unos 6 m³ de escombro de una remodelación.",
        "municipality": melgar(),
        "send_confirmation": False,
    }
    data.update(fields)
    return quote_request_create(**data)


def public_form_data(**fields) -> dict:
    data = {
        "requester_name": "Hotel El Sol S.A.S.",
        "requester_id_number": "",
        "contact_name": "Laura Pérez",
        "contact_phone": "310 555 1234",
        "contact_email": "laura.perez@example.com",
        "service_code": "otro",
        "description": "Recoger 6 m³ de escombro de una remodelación.",
        "address": "Calle 10 # 5-32",
        "barrio": "Centro",
        "municipality": "73449",
        "data_consent": "on",
        "website": "",
    }
    data.update(fields)
    return data

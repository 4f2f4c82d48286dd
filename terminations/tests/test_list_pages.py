"""Paging of the open-requests list: every open request is reachable, and the
page links keep the filters."""

import re
from datetime import date

import pytest
from django.urls import reverse

from terminations import views
from terminations.tests.conftest import make_account, make_request

PAGE_LINK = re.compile(r'href="\?([^"]*pagina=\d+)"')


@pytest.fixture
def five_requests(competitor):
    return [
        make_request(
            competitor,
            make_account(f"44900050{number}"),
            response_due_on=date(2026, 10, 20 + number),
        )
        for number in range(5)
    ]


def test_list_pages_reach_every_request(client, director, five_requests, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(director)
    url = reverse("terminations:list")

    seen = []
    for number in (1, 2, 3):
        response = client.get(url, {"pagina": number})
        seen += [row["request"].pk for row in response.context["rows"]]

    assert seen == [item.pk for item in five_requests]
    last_page = client.get(url, {"pagina": 3}).text
    assert "Página 3 de 3" in last_page
    assert "5 solicitudes abiertas al" in last_page
    assert "Se muestran de la 5 a la 5" in last_page


def test_list_page_links_keep_filters(client, director, five_requests, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(director)

    response = client.get(
        reverse("terminations:list"),
        {"q": "4490005", "alerta": "reclamada", "pagina": "1"},
    )
    # No request is claimed by another competitor: one empty page, no links.
    assert "Página" not in response.text

    response = client.get(
        reverse("terminations:list"),
        {"q": "4490005", "plazo": "vencido_o_pronto", "pagina": "2"},
    )
    links = {link.replace("&amp;", "&") for link in PAGE_LINK.findall(response.text)}

    assert links == {
        "q=4490005&plazo=vencido_o_pronto&pagina=1",
        "q=4490005&plazo=vencido_o_pronto&pagina=3",
    }


def test_list_invalid_page_shows_last(client, director, five_requests, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(director)

    response = client.get(reverse("terminations:list"), {"pagina": "99"})

    assert response.status_code == 200
    assert response.context["page"].number == 3

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from telemarketing.services import customer_opt_out

pytestmark = pytest.mark.django_db


def render_summary(customer, user):
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load telemarketing %}{% contact_summary customer %}")
    return template.render(Context({"customer": customer, "request": request}))


def test_summary_shows_opt_out(customer, advisor):
    customer_opt_out(customer=customer, user=advisor)
    assert "No contactar" in render_summary(customer, advisor)


def test_summary_links_for_own_advisor(customer, advisor):
    assert "Contactos y autorizaciones" in render_summary(customer, advisor)


def test_summary_hides_links_for_billing(customer, billing_user):
    assert "Contactos y autorizaciones" not in render_summary(customer, billing_user)

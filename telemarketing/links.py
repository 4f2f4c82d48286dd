"""One-click contact links: the browser or phone opens them, the server calls nothing."""

from urllib.parse import quote, urlencode

from django.conf import settings
from django.utils.translation import gettext as _

from customers.phones import is_mobile


def phone_link(e164: str) -> str:
    return f"tel:{e164}"


def whatsapp_link(e164: str, text: str) -> str:
    """Return a WhatsApp click-to-chat link: wa.me takes the number without "+"."""
    return f"https://wa.me/{e164.removeprefix('+')}?text={quote(text)}"


def mailto_link(email: str, subject: str, body: str) -> str:
    query = urlencode({"subject": subject, "body": body}, quote_via=quote)
    return f"mailto:{email}?{query}"


def greeting_message(customer, advisor) -> str:
    """Return the prefilled Spanish message, with the opt-out instruction that every
    commercial message must carry."""
    return _(
        "Buenos días, %(customer)s. Le saluda %(advisor)s, asesor(a) comercial de "
        "%(company)s. Quisiéramos contarle sobre nuestros servicios especiales de "
        "aseo (escombros, podas, voluminosos, eventos). Si no desea recibir más "
        "mensajes, responda NO."
    ) % {
        "customer": customer.name,
        "advisor": advisor.get_full_name() or advisor.username,
        "company": settings.COMPANY_NAME,
    }


def contact_links(customer, advisor) -> dict[str, str]:
    """Return the links available for the customer's data, keyed by channel."""
    message = greeting_message(customer, advisor)
    links = {}
    number = customer.mobile or customer.phone
    if number:
        links["llamada"] = phone_link(number)
    if customer.mobile and is_mobile(customer.mobile):
        links["whatsapp"] = whatsapp_link(customer.mobile, message)
    if customer.email:
        subject = _("Servicios especiales de aseo · %(company)s") % {
            "company": settings.COMPANY_NAME
        }
        links["correo"] = mailto_link(customer.email, subject, message)
    return links

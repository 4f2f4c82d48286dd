from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from quote_requests.models import QuoteRequest
from tariffs.models import TariffItem
from zones.models import Municipality

OTHER_SERVICE = "otro"

# The text the requester authorises on the web form, stored with the request.
CONSENT_TEXT = _(
    "Autorizo a %(company)s a tratar mis datos personales para responder esta "
    "solicitud y enviarme la cotización, conforme a la Ley 1581 de 2012 y a su "
    "política de tratamiento de datos (versión %(version)s)."
)


def consent_text() -> str:
    return str(CONSENT_TEXT) % {
        "company": settings.COMPANY_NAME,
        "version": settings.DATA_POLICY_VERSION,
    }


def service_choices() -> list:
    """Return the services of the tariff book in force today, grouped by category,
    plus «otro» for a need the book does not list."""
    items = TariffItem.objects.in_force(on=timezone.localdate()).order_by(
        "category", "code"
    )
    groups: dict[str, list] = {}
    for item in items:
        label = f"{item.service} ({item.get_unit_display()})"
        groups.setdefault(item.category or str(_("Servicios")), []).append(
            (item.code, label)
        )
    return [
        ("", _("Elija un servicio")),
        *groups.items(),
        (OTHER_SERVICE, _("Otro servicio (descríbalo abajo)")),
    ]


def service_from_choice(code: str, description: str) -> tuple[str, str]:
    """Return (tariff_code, service text) for the chosen option."""
    if code and code != OTHER_SERVICE:
        item = TariffItem.objects.in_force(on=timezone.localdate()).filter(code=code)
        item = item.first()
        if item is not None:
            return item.code, item.service
    return "", str(_("Otro: %(text)s") % {"text": description[:200]})


class RequestFieldsForm(forms.Form):
    """The fields both the public form and the staff form ask for."""

    service_code = forms.ChoiceField(label=_("Servicio que necesita"), choices=())
    description = forms.CharField(
        label=_("Descripción"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Qué necesita, cantidades aproximadas y fechas."),
    )
    address = forms.CharField(label=_("Dirección del servicio"), max_length=200)
    barrio = forms.CharField(label=_("Barrio o vereda"), max_length=120, required=False)
    municipality = forms.ModelChoiceField(
        label=_("Municipio"),
        queryset=Municipality.objects.order_by("name"),
        empty_label=_("Elija el municipio"),
    )
    contact_name = forms.CharField(label=_("Persona de contacto"), max_length=150)
    contact_phone = forms.CharField(
        label=_("Teléfono o celular"), max_length=20, required=False
    )
    contact_email = forms.EmailField(
        label=_("Correo electrónico"), max_length=254, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_code"].choices = service_choices()


class PublicQuoteRequestForm(RequestFieldsForm):
    """The company web page's form: anyone may send it, without logging in."""

    requester_name = forms.CharField(
        label=_("Empresa o nombre del solicitante"), max_length=200, required=False
    )
    requester_id_number = forms.CharField(
        label=_("NIT o cédula"), max_length=20, required=False
    )
    data_consent = forms.BooleanField(
        label=_("Autorizo el tratamiento de mis datos personales"),
        error_messages={
            "required": _(
                "Para responderle necesitamos su autorización para tratar sus datos."
            )
        },
    )
    # Honeypot: hidden from people by CSS, filled in by spam robots.
    website = forms.CharField(label=_("Sitio web"), max_length=200, required=False)

    field_order = [
        "requester_name",
        "requester_id_number",
        "contact_name",
        "contact_phone",
        "contact_email",
        "service_code",
        "description",
        "address",
        "barrio",
        "municipality",
        "data_consent",
        "website",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_email"].required = True
        self.fields["contact_email"].help_text = _(
            "Le enviaremos la confirmación y la cotización a este correo."
        )


class StaffQuoteRequestForm(RequestFieldsForm):
    """A request received by phone, WhatsApp or e-mail, typed in by staff."""

    channel = forms.ChoiceField(
        label=_("Canal"),
        choices=[
            (QuoteRequest.Channel.PHONE, QuoteRequest.Channel.PHONE.label),
            (QuoteRequest.Channel.WHATSAPP, QuoteRequest.Channel.WHATSAPP.label),
            (QuoteRequest.Channel.EMAIL, QuoteRequest.Channel.EMAIL.label),
        ],
    )
    customer = forms.ModelChoiceField(
        label=_("Cliente existente"),
        queryset=Customer.objects.none(),
        required=False,
        widget=forms.HiddenInput,
    )
    requester_name = forms.CharField(
        label=_("Nombre o razón social (cliente nuevo)"), max_length=200, required=False
    )
    requester_id_number = forms.CharField(
        label=_("NIT o cédula (cliente nuevo)"), max_length=20, required=False
    )
    send_confirmation = forms.BooleanField(
        label=_("Enviar acuse de recibo por correo"), required=False, initial=True
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(user)
        self.fields["address"].required = False
        self.fields["municipality"].required = False

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("customer") and not cleaned.get("requester_name"):
            self.add_error(
                "requester_name",
                _("Busque un cliente existente o escriba el nombre del solicitante."),
            )
        if not (
            cleaned.get("customer")
            or cleaned.get("contact_phone")
            or cleaned.get("contact_email")
        ):
            self.add_error(
                "contact_phone", _("Indique un teléfono o un correo de contacto.")
            )
        return cleaned


class DiscardForm(forms.Form):
    reason = forms.CharField(label=_("Motivo del descarte"), max_length=500)

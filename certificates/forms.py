from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate, DirectorSignature
from certificates.services import DraftData, billed_orders, period_check
from customers.models import Customer
from service_orders.models import ServiceOrder

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrderChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, order):
        return _("%(code)s · ejecutada el %(date)s · factura %(invoice)s") % {
            "code": order.code,
            "date": order.executed_on.strftime("%d/%m/%Y"),
            "invoice": order.invoice_number,
        }


class CertificateForm(forms.ModelForm):
    """The draft: the customer (fixed once drafted), the request, the period, the
    billed services of that period, and the waste details.

    The services offered depend on the customer and period submitted, so the
    form is sent once with the "Buscar servicios" button to list them.
    """

    customer = forms.ModelChoiceField(label=_("Cliente"), queryset=Customer.objects)
    orders = OrderChoiceField(
        label=_("Servicios facturados del periodo"),
        queryset=ServiceOrder.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Certificate
        fields = [
            "request_channel",
            "request_reference",
            "requested_on",
            "period_start",
            "period_end",
            "waste_type",
            "destination_site",
            "destination_authorization",
            "weigh_tickets",
            "notes",
        ]
        widgets = {
            "requested_on": DATE_INPUT,
            "period_start": DATE_INPUT,
            "period_end": DATE_INPUT,
            "weigh_tickets": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "weigh_tickets": _(
                "Números de los tiquetes de báscula, separados por comas. Si lo deja "
                "vacío, se toman de los tiquetes de báscula que operaciones subió "
                "como soporte de los servicios elegidos."
            ),
        }

    field_order = ["customer"]

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        if self.instance.pk:
            self.fields["customer"].disabled = True
            self.fields["customer"].initial = self.instance.customer_id
            self.fields["orders"].initial = list(
                self.instance.lines.values_list("order_id", flat=True).distinct()
            )
        self.fields["orders"].queryset = self._billed_orders()

    def _billed_orders(self):
        """Return the orders to offer, from the customer and period as submitted
        (or as stored, on a saved draft opened for editing)."""
        try:
            customer = self.fields["customer"].clean(self["customer"].value())
            start = self.fields["period_start"].clean(self["period_start"].value())
            end = self.fields["period_end"].clean(self["period_end"].value())
        except forms.ValidationError:
            return ServiceOrder.objects.none()
        if start is None or end is None or customer is None:
            return ServiceOrder.objects.none()
        return billed_orders(customer, start, end)

    def period_error(self) -> str:
        """Return the problem with the submitted period, or "" when it is fine or
        not filled in yet (used when listing services before saving)."""
        try:
            start = self.fields["period_start"].clean(self["period_start"].value())
            end = self.fields["period_end"].clean(self["period_end"].value())
        except forms.ValidationError:
            return ""
        if start is None or end is None:
            return ""
        try:
            period_check(start, end)
        except ValidationError as error:
            return error.messages[0]
        return ""

    def draft_data(self) -> DraftData:
        data = self.cleaned_data
        return DraftData(
            request_channel=data["request_channel"],
            request_reference=data["request_reference"],
            requested_on=data["requested_on"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            orders=list(data["orders"]),
            waste_type=data["waste_type"],
            destination_site=data["destination_site"],
            destination_authorization=data["destination_authorization"],
            weigh_tickets=data["weigh_tickets"],
            notes=data["notes"],
        )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo de la revocación"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


class SignatureForm(forms.Form):
    image = forms.FileField(
        label=_("Imagen de la firma"),
        help_text=_("PNG o JPEG, preferiblemente con fondo blanco o transparente."),
    )
    title = forms.CharField(
        label=_("Cargo"),
        max_length=DirectorSignature._meta.get_field("title").max_length,
        initial=DirectorSignature._meta.get_field("title").default,
    )

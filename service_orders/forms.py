from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from core.forms import LocalDecimalField
from service_orders.crew import crew_parse
from service_orders.models import Agreement, ServiceOrder

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")

NON_BUSINESS_DAY_LABEL = _(
    "El servicio se presta en día no hábil (fin de semana o festivo)"
)


# Value of the order list's `pending` filter for orders waiting for an aforo.
AWAITING_AFORO = "aforo"


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Buscar"), required=False)
    status = forms.ChoiceField(
        label=_("Estado"),
        required=False,
        choices=[("", _("Todos")), *ServiceOrder.Status.choices],
    )
    date_from = forms.DateField(label=_("Desde"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("Hasta"), required=False, widget=DATE_INPUT)
    advisor = forms.ModelChoiceField(
        label=_("Asesor"),
        required=False,
        queryset=User.objects.advisors(),
        empty_label=_("Todos"),
    )
    pending = forms.ChoiceField(
        label=_("Pendiente"),
        required=False,
        choices=[("", _("Todas")), (AWAITING_AFORO, _("Aforo por registrar"))],
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise ValidationError(
                _("La fecha «Hasta» es anterior a «Desde»; corrija el rango.")
            )
        return data


class AgreementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Tipo de documento"), choices=Agreement.Kind)
    number = forms.CharField(
        label=_("Número"),
        required=False,
        max_length=60,
        help_text=_(
            "El número que el cliente le dio; obligatorio para órdenes de compra y "
            "de servicio."
        ),
    )
    signed_on = forms.DateField(
        label=_("Fecha de firma"), widget=DATE_INPUT, initial=timezone.localdate
    )
    valid_until = forms.DateField(
        label=_("Vigente hasta"), required=False, widget=DATE_INPUT
    )
    file = forms.FileField(
        label=_("Documento firmado"),
        help_text=_("PDF, JPEG o PNG."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png"}
        ),
    )
    notes = forms.CharField(
        label=_("Observaciones"), required=False, widget=forms.Textarea({"rows": 2})
    )


class OrderCreateForm(forms.Form):
    """The order's site data plus, per quotation line, whether to include it and
    the quantity to perform (fields line_<pk> and quantity_<pk>)."""

    address = forms.CharField(label=_("Dirección del servicio"), max_length=200)
    barrio = forms.CharField(label=_("Barrio o vereda"), max_length=120, required=False)
    site_contact = forms.CharField(
        label=_("Contacto en el sitio"), max_length=150, required=False
    )
    site_contact_phone = forms.CharField(
        label=_("Teléfono del contacto"), max_length=16, required=False
    )
    instructions = forms.CharField(
        label=_("Indicaciones para operaciones"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
    agreement = forms.ModelChoiceField(
        label=_("Contrato u orden de compra"),
        queryset=Agreement.objects.none(),
        required=False,
        empty_label=_("Ninguno todavía"),
    )

    def __init__(self, *args, quotation, **kwargs):
        super().__init__(*args, **kwargs)
        self.quotation_lines = list(quotation.lines.all())
        self.fields["agreement"].queryset = quotation.agreements.all()
        for line in self.quotation_lines:
            self.fields[f"line_{line.pk}"] = forms.BooleanField(
                label=f"{line.code} · {line.description}",
                required=False,
                initial=True,
            )
            self.fields[f"quantity_{line.pk}"] = LocalDecimalField(
                label=_("Cantidad (%(unit)s)") % {"unit": line.unit},
                required=False,
                min_value=0.001,
                max_digits=12,
                decimal_places=3,
                initial=line.quantity,
            )

    def line_rows(self):
        """(quotation line, include field, quantity field) for the template."""
        return [
            (line, self[f"line_{line.pk}"], self[f"quantity_{line.pk}"])
            for line in self.quotation_lines
        ]

    def chosen_lines(self):
        """Return (quotation line, quantity) for every ticked line."""
        chosen = []
        for line in self.quotation_lines:
            if self.cleaned_data.get(f"line_{line.pk}"):
                chosen.append((line, self.cleaned_data.get(f"quantity_{line.pk}")))
        return chosen

    def clean(self):
        data = super().clean()
        for line in self.quotation_lines:
            ticked = data.get(f"line_{line.pk}")
            name = f"quantity_{line.pk}"
            # A quantity that failed its own check already has its message.
            if ticked and data.get(name) is None and name not in self.errors:
                self.add_error(
                    name,
                    _("Escriba la cantidad de %(code)s.") % {"code": line.code},
                )
        if not any(data.get(f"line_{line.pk}") for line in self.quotation_lines):
            raise ValidationError(
                _("Marque al menos un servicio de la cotización para la orden.")
            )
        return data


class ScheduleRequestForm(forms.Form):
    requested_date = forms.DateField(label=_("Fecha solicitada"), widget=DATE_INPUT)
    allow_non_business_day = forms.BooleanField(
        label=NON_BUSINESS_DAY_LABEL, required=False
    )
    note = forms.CharField(
        label=_("Nota para operaciones"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )


def supervisors():
    return User.objects.with_role(Role.OPERATIONS).order_by("sort_name", "pk")


class CrewField(forms.CharField):
    """A textarea of crew lines "Nombre; cédula; función", cleaned to a list of
    CrewInput."""

    widget = forms.Textarea({"rows": 4})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return []
        return crew_parse(value)


class ScheduleConfirmForm(forms.Form):
    scheduled_date = forms.DateField(label=_("Fecha del servicio"), widget=DATE_INPUT)
    scheduled_time = forms.TimeField(label=_("Hora de llegada"), widget=TIME_INPUT)
    crew = CrewField(
        label=_("Cuadrilla"),
        help_text=_(
            "Una persona por línea: «Nombre completo; cédula; función». La función "
            "es opcional. Ejemplo: «Pedro Pérez; 1.234.567.890; conductor»."
        ),
    )
    vehicle_plate = forms.CharField(
        label=_("Placa del vehículo"),
        max_length=10,
        help_text=_("ABC123, o ABC12D si es motocicleta."),
    )
    supervisor = forms.ModelChoiceField(
        label=_("Supervisor"), queryset=User.objects.none()
    )
    allow_non_business_day = forms.BooleanField(
        label=NON_BUSINESS_DAY_LABEL, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors()


class RescheduleForm(ScheduleConfirmForm):
    reason = forms.CharField(
        label=_("Motivo de la reprogramación"),
        widget=forms.Textarea({"rows": 2}),
        help_text=_("Se le envía al cliente."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motivo"), widget=forms.Textarea({"rows": 3}))

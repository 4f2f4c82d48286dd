from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from core.forms import LocalDecimalField
from field_work.models import Aforo, ServiceProof
from field_work.services import READING_UNIT_CHOICES, READING_UNITS, quantity_text
from tariffs.models import TariffItem

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
READINGS_PREFIX = "lecturas"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file input that takes several files and cleans to a list of them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_clean = super().clean
        if isinstance(data, (list, tuple)):
            return [single_clean(item, initial) for item in data if item]
        cleaned = single_clean(data, initial)
        return [cleaned] if cleaned else []


class QuantityField(LocalDecimalField):
    """A decimal number input that also takes a comma as the decimal separator
    ("2,5"), as people in Colombia type it; it has no thousands separator."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


def measurer_queryset():
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(groups__name=Role.OPERATIONS.value) | Q(groups__name=Role.LOGISTICS.value)
        )
        .distinct()
        .order_by("sort_name", "pk")
    )


class AforoForm(forms.Form):
    measured_on = forms.DateField(label=_("Fecha del aforo"), widget=DATE_INPUT)
    measured_by = forms.ModelChoiceField(
        label=_("Aforado por"),
        queryset=User.objects.none(),
        help_text=_("Supervisor de zona o auxiliar logístico que midió."),
    )
    method = forms.ChoiceField(label=_("Método"), choices=Aforo.Method.choices)
    signed_record = forms.FileField(
        label=_("Acta de aforo firmada"),
        help_text=_("PDF, JPEG o PNG."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png"}
        ),
    )
    photos = MultipleFileField(
        label=_("Fotos"),
        required=False,
        help_text=_("JPEG o PNG; puede elegir varias."),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    notes = forms.CharField(
        label=_("Observaciones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measured_by"].queryset = measurer_queryset()
        if not self.is_bound:
            self.initial.setdefault("measured_on", timezone.localdate())
            if user.has_role(Role.OPERATIONS, Role.LOGISTICS):
                self.initial.setdefault("measured_by", user.pk)


def tariff_choices(on):
    """Return the (code, label) choices of the tariffs in force on `on` that an
    aforo reading can be charged at."""
    charged_units = {unit for unit, _factor in READING_UNITS.values()}
    items = (
        TariffItem.objects.in_force(on=on)
        .filter(unit__in=charged_units)
        .order_by("code")
    )
    return [("", "---------")] + [
        (item.code, f"{item.code} · {item.service} ({item.get_unit_display()})")
        for item in items
    ]


class ReadingForm(forms.Form):
    container = forms.CharField(label=_("Recipiente o sitio"), max_length=120)
    count = forms.IntegerField(label=_("Cantidad"), min_value=1, initial=1)
    reading = QuantityField(
        label=_("Lectura por recipiente"),
        min_value=0.001,
        max_digits=12,
        decimal_places=3,
    )
    unit = forms.ChoiceField(label=_("Unidad"), choices=READING_UNIT_CHOICES)
    tariff_code = forms.ChoiceField(label=_("Tarifa"))

    def __init__(self, *args, tariffs, measured_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tariff_code"].choices = tariffs
        if measured_on is not None:
            # A code missing from the choices is a tariff not in force on the
            # aforo's date, so the message points at the date.
            self.fields["tariff_code"].error_messages["invalid_choice"] = _(
                "La tarifa %(value)s no está vigente el {date}, la fecha del "
                "aforo. Revise la fecha o elija una tarifa vigente."
            ).format(date=f"{measured_on:%d/%m/%Y}")


ReadingFormSet = forms.formset_factory(
    ReadingForm, extra=0, min_num=1, validate_min=True, max_num=50, validate_max=True
)


class PrepaymentForm(forms.Form):
    reference = forms.CharField(
        label=_("Referencia del pago"),
        max_length=60,
        help_text=_("Número de la transacción, consignación o recibo de caja."),
    )
    paid_on = forms.DateField(label=_("Fecha del pago"), widget=DATE_INPUT)
    amount = LocalDecimalField(
        label=_("Valor pagado"), min_value=0.01, max_digits=16, decimal_places=2
    )
    receipt = forms.FileField(
        label=_("Comprobante"),
        help_text=_("PDF, JPEG o PNG."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png"}
        ),
    )


class ProofUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Tipo de soporte"), choices=ServiceProof.Kind.choices
    )
    files = MultipleFileField(
        label=_("Archivos"),
        help_text=_("PDF, JPEG o PNG (las fotos, JPEG o PNG); puede elegir varios."),
        widget=MultipleFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png"}
        ),
    )
    taken_on = forms.DateField(label=_("Fecha del soporte"), widget=DATE_INPUT)
    reference = forms.CharField(
        label=_("Número del documento"), max_length=60, required=False
    )
    notes = forms.CharField(label=_("Observaciones"), max_length=250, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("taken_on", timezone.localdate())


class ExecutionForm(forms.Form):
    """The execution date and one executed-quantity field per order line, named
    `linea_<line pk>`."""

    executed_on = forms.DateField(label=_("Fecha de ejecución"), widget=DATE_INPUT)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(order.lines.all())
        for line in self.lines:
            self.fields[f"linea_{line.pk}"] = QuantityField(
                label=f"{line.code} · {line.description} ({line.unit})",
                min_value=0,
                max_digits=12,
                decimal_places=3,
                # Without trailing zeros, and never in exponent form (30, not 3E+1).
                initial=Decimal(
                    format(
                        (
                            line.executed_quantity
                            if line.executed_quantity is not None
                            else line.quantity
                        ).normalize(),
                        "f",
                    )
                ),
                help_text=_("Cotizado: %(quantity)s")
                % {"quantity": quantity_text(line.quantity)},
            )
        if not self.is_bound:
            self.initial.setdefault(
                "executed_on", order.executed_on or timezone.localdate()
            )

    def quantities(self) -> dict[int, object]:
        return {line.pk: self.cleaned_data[f"linea_{line.pk}"] for line in self.lines}

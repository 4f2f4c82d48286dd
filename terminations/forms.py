"""Forms of the termination screens."""

import re
import uuid
from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import date_error_messages
from core.imports.forms import spreadsheet_check
from core.text import fold
from subscribers.models import Competitor, SubscriberAccount
from terminations.models import (
    Desistimiento,
    ReconciliationAgreement,
    ReconciliationMeeting,
    Verification,
)


class CompetitorForm(forms.ModelForm):
    class Meta:
        model = Competitor
        fields = ["name", "nit", "check_digit", "email"]
        help_texts = {
            "nit": _("Con o sin puntos; el DV puede ir aquí tras un guion."),
            "check_digit": _("Déjelo vacío para calcularlo."),
        }

    def clean_name(self):
        """Reject a name another competitor has, also written in other case,
        because the import command finds the competitor by its name ignoring
        case."""
        name = " ".join(self.cleaned_data["name"].split())
        others = Competitor.objects.filter(name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        existing = others.first()
        if existing is not None:
            raise forms.ValidationError(
                _(
                    "Ya hay un competidor registrado con el nombre «%(name)s». "
                    "Búsquelo en la lista de competidores o escriba otro nombre."
                )
                % {"name": existing.name},
                code="unique",
            )
        return name


class RequestListUploadForm(forms.Form):
    competitor = forms.ModelChoiceField(
        label=_("Competidor"), queryset=Competitor.objects.filter(is_active=True)
    )
    file = forms.FileField(
        label=_("Archivo"), help_text=_("Libro de Excel (.xlsx) o CSV del competidor.")
    )

    def clean_file(self):
        # The same size limit and content checks as every other spreadsheet import.
        return spreadsheet_check(self.cleaned_data["file"])


class SubmissionTokenMixin(forms.Form):
    """A hidden random token sent with the form. The service that records the
    form stores it, so the same form sent twice is recognised as a repeat."""

    submission = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission"].initial = uuid.uuid4

    def clean(self):
        cleaned_data = super().clean()
        try:
            cleaned_data["submission"] = uuid.UUID(cleaned_data.get("submission", ""))
        except ValueError as error:
            raise forms.ValidationError(
                _(
                    "El formulario llegó incompleto o es de una versión anterior de "
                    "la página. Recargue la página y envíelo de nuevo."
                ),
                code="submission",
            ) from error
        return cleaned_data


# Observations of a verification: a few sentences about the call or the visit.
VERIFICATION_NOTES_MAX_LENGTH = 2000


class VerificationForm(SubmissionTokenMixin, forms.Form):
    # No default: a confirmation accepts the request and cannot be undone, so the
    # advisor must choose every result.
    result = forms.ChoiceField(
        label=_("Resultado"),
        choices=[("", _("Elija…")), *Verification.Result.choices],
        error_messages={
            "required": _("Falta el resultado de la verificación. Elija uno.")
        },
    )
    evidence_kind = forms.ChoiceField(
        label=_("Soporte"), choices=Verification.EvidenceKind
    )
    evidence_file = forms.FileField(
        label=_("Archivo de soporte (PDF, JPEG o PNG)"), required=False
    )
    notes = forms.CharField(
        label=_("Observaciones"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=VERIFICATION_NOTES_MAX_LENGTH,
        error_messages={
            "max_length": _(
                "Las observaciones tienen %(show_value)s caracteres y el máximo es "
                "%(limit_value)s. Resúmalas y adjunte el detalle como archivo de "
                "soporte."
            )
        },
    )


# Digits, optionally grouped by single spaces, dots or dashes: "449.000.189".
ACCOUNT_CODE_TYPED = re.compile(r"\d+(?:[ .-]\d+)*")


class AssignAccountForm(forms.Form):
    account_code = forms.CharField(
        label=_("Código de cuenta"),
        max_length=20,
        help_text=_("Los dígitos de la cuenta en el catastro, p. ej. 449001234."),
        error_messages={
            "required": _(
                "Falta el código de cuenta. Escriba los dígitos de la cuenta del "
                "catastro que corresponde a esta solicitud."
            )
        },
    )

    def clean_account_code(self):
        """Return the registry account the code names. Spaces, dots and dashes
        between digits are ignored, and a code shorter than 9 digits also
        matches with leading zeros added (the registry's usual width)."""
        raw = self.cleaned_data["account_code"]
        if not ACCOUNT_CODE_TYPED.fullmatch(raw):
            raise forms.ValidationError(
                _(
                    "«%(code)s» no es un código de cuenta: escriba solo los dígitos "
                    "de la cuenta del catastro."
                )
                % {"code": raw}
            )
        digits = "".join(char for char in raw if char.isdigit())
        max_length = SubscriberAccount._meta.get_field("account_code").max_length
        if not digits or len(digits) > max_length:
            raise forms.ValidationError(
                _(
                    "«%(code)s» no es un código de cuenta: escriba sus dígitos "
                    "(hasta %(max)s)."
                )
                % {"code": raw, "max": max_length}
            )
        candidates = SubscriberAccount.objects.filter(
            account_code__in={digits, digits.zfill(9)}
        )
        account = next(
            (found for found in candidates if found.account_code == digits),
            None,
        ) or next(iter(candidates), None)
        if account is None:
            raise forms.ValidationError(
                _("La cuenta %(code)s no existe en el catastro. Revise el código.")
                % {"code": digits}
            )
        return account


class UnassignAccountForm(forms.Form):
    # The request page shows several forms with a reason: distinct HTML ids.
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "unassign_%s")
        super().__init__(*args, **kwargs)

    reason = forms.CharField(
        label=_("Motivo"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Queda en el historial de la solicitud."),
        error_messages={
            "required": _(
                "Falta el motivo: escriba por qué la cuenta asignada no corresponde "
                "a esta solicitud."
            )
        },
    )


class AssignAdvisorForm(forms.Form):
    # The list offers active advisors, but any user is accepted here:
    # request_assign_advisor checks the role and names the person in its error.
    advisor = forms.ModelChoiceField(label=_("Asesor"), queryset=User.objects.all())
    reason = forms.CharField(
        label=_("Motivo"),
        required=False,
        max_length=300,
        help_text=_("Opcional; queda en el historial de la solicitud."),
    )

    def __init__(self, *args, **kwargs):
        # The request page shows several forms with a reason: distinct HTML ids.
        kwargs.setdefault("auto_id", "advisor_%s")
        super().__init__(*args, **kwargs)
        self.fields["advisor"].widget.choices = [("", "---------")] + [
            (advisor.pk, str(advisor)) for advisor in User.objects.advisors()
        ]


class RejectForm(forms.Form):
    # The request page shows several forms with a reason: distinct HTML ids.
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "reject_%s")
        super().__init__(*args, **kwargs)

    reason = forms.CharField(
        label=_("Motivo"), widget=forms.Textarea(attrs={"rows": 2})
    )
    basis = forms.CharField(
        label=_("Fundamento legal"), widget=forms.Textarea(attrs={"rows": 2})
    )


class SignedUploadForm(forms.Form):
    file = forms.FileField(label=_("Formato firmado (PDF, JPEG o PNG)"))


class DesistimientoChoiceField(forms.ModelMultipleChoiceField):
    """Desistimientos chosen by id. A desistimiento that exists but is no longer a
    candidate is named by its code, because the staff never see the internal id."""

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except ValidationError as error:
            if error.code != "invalid_choice":
                raise
            pk = error.params["value"]
            desistimiento = Desistimiento.objects.filter(pk=pk).only("code").first()
            if desistimiento is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                ) from error
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"code": desistimiento.code},
            ) from error


class DeliveryForm(forms.Form):
    received_by = forms.CharField(
        label=_("Recibe (nombre y cargo)"),
        max_length=150,
        error_messages={"required": _("Escriba quién recibe la entrega.")},
    )
    # The page lists the candidates as checkboxes of its own, so the field
    # renders nothing and only validates what they send.
    desistimiento = DesistimientoChoiceField(
        queryset=Desistimiento.objects.none(),
        required=False,
        widget=forms.MultipleHiddenInput,
        error_messages={
            "invalid_pk_value": _(
                "«%(pk)s» no es un desistimiento de la lista. Recargue la página y "
                "elija de nuevo los desistimientos por entregar."
            ),
            "invalid_choice": _(
                "El desistimiento %(code)s ya no está listo para entregar a este "
                "competidor. Recargue la página y elija de nuevo."
            ),
        },
    )

    def __init__(self, *args, candidates=None, **kwargs):
        """`candidates` are the desistimientos the delivery may carry."""
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["desistimiento"].queryset = candidates


class MeetingForm(SubmissionTokenMixin, forms.Form):
    competitor = forms.ModelChoiceField(
        label=_("Competidor"), queryset=Competitor.objects.all()
    )
    held_on = forms.DateField(
        label=_("Fecha"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages=date_error_messages(_("Fecha de la reunión")),
    )
    frequency = forms.ChoiceField(
        label=_("Periodicidad"), choices=ReconciliationMeeting.Frequency
    )
    attendees = forms.CharField(
        label=_("Asistentes (uno por línea)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    documents_delivered = forms.CharField(
        label=_("Documentos entregados"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    documents_received = forms.CharField(
        label=_("Documentos recibidos"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    agreements = forms.CharField(
        label=_("Acuerdos por cuenta"),
        help_text=_(
            "Una cuenta por línea: código; acuerdo; observación. Acuerdos: "
            "retenido, se va, en disputa, vinculado."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    minutes = forms.FileField(label=_("Acta (PDF, JPEG o PNG)"), required=False)

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(
                _(
                    "La fecha de la reunión es posterior a hoy. Escriba el día en que "
                    "se realizó."
                )
            )
        return held_on

    def clean_agreements(self):
        """Parse the lines into (line number, account code, outcome, notes). The
        outcome may be written as its code (`se_va`), with spaces (`se va`) or as its label
        (`Se desvincula`), in any case and with or without accents."""
        parsed, first_line = [], {}
        for number, line in enumerate(self.cleaned_data["agreements"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(";")]
            outcome = outcome_words().get(fold(parts[1])) if len(parts) > 1 else None
            digits = "".join(char for char in parts[0] if char.isdigit())
            if outcome is None or not digits:
                raise forms.ValidationError(
                    _(
                        "Línea %(number)s («%(line)s»): escriba código; acuerdo con un "
                        "acuerdo de: retenido, se va, en disputa, vinculado."
                    )
                    % {"number": number, "line": line.strip()}
                )
            code = digits.zfill(9)
            if code in first_line:
                raise forms.ValidationError(
                    _(
                        "Línea %(number)s («%(line)s»): la cuenta %(code)s ya está en "
                        "la línea %(first)s. Deje un solo acuerdo por cuenta."
                    )
                    % {
                        "number": number,
                        "line": line.strip(),
                        "code": code,
                        "first": first_line[code],
                    }
                )
            first_line[code] = number
            parsed.append((number, digits, outcome, parts[2] if len(parts) > 2 else ""))
        return parsed


@cache
def outcome_words() -> dict[str, str]:
    """Return each folded way of writing an outcome, mapped to its value."""
    words = {}
    for value, label in ReconciliationAgreement.Outcome.choices:
        for text in (value, value.replace("_", " "), label, label.split("(")[0]):
            words[fold(text)] = value
    return words

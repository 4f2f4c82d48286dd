"""Forms of the termination screens."""

from django import forms
from django.utils.translation import gettext_lazy as _

from subscribers.models import Competitor, SubscriberAccount
from terminations.models import (
    ReconciliationAgreement,
    ReconciliationMeeting,
    Verification,
)


class RequestListUploadForm(forms.Form):
    competitor = forms.ModelChoiceField(
        label=_("Competidor"), queryset=Competitor.objects.filter(is_active=True)
    )
    file = forms.FileField(
        label=_("Archivo"), help_text=_("Libro de Excel (.xlsx) o CSV del competidor.")
    )


class VerificationForm(forms.Form):
    result = forms.ChoiceField(label=_("Resultado"), choices=Verification.Result)
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
    )


class AssignAccountForm(forms.Form):
    account_code = forms.CharField(
        label=_("Código de cuenta"),
        max_length=20,
        help_text=_("Los 9 dígitos de la cuenta en el catastro, p. ej. 449001234."),
    )

    def clean_account_code(self):
        """Return the registry account the code names (dashes and spaces ignored,
        leading zeros added)."""
        raw = self.cleaned_data["account_code"]
        digits = "".join(char for char in raw if char.isdigit())
        if not digits or len(digits) > 9:
            raise forms.ValidationError(
                _("«%(code)s» no es un código de cuenta: escriba sus 9 dígitos.")
                % {"code": raw}
            )
        account = SubscriberAccount.objects.filter(account_code=digits.zfill(9)).first()
        if account is None:
            raise forms.ValidationError(
                _("La cuenta %(code)s no existe en el catastro. Revise el código.")
                % {"code": digits.zfill(9)}
            )
        return account


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo"), widget=forms.Textarea(attrs={"rows": 2})
    )
    basis = forms.CharField(
        label=_("Fundamento legal"), widget=forms.Textarea(attrs={"rows": 2})
    )


class SignedUploadForm(forms.Form):
    file = forms.FileField(label=_("Formato firmado (PDF, JPEG o PNG)"))


class DeliveryForm(forms.Form):
    received_by = forms.CharField(label=_("Recibe (nombre y cargo)"), max_length=150)


class MeetingForm(forms.Form):
    competitor = forms.ModelChoiceField(
        label=_("Competidor"), queryset=Competitor.objects.all()
    )
    held_on = forms.DateField(label=_("Fecha"), input_formats=["%d/%m/%Y", "%Y-%m-%d"])
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
            "Una cuenta por línea: código;acuerdo;observación. Acuerdos: "
            "retenido, se_va, en_disputa, vinculado."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    minutes = forms.FileField(label=_("Acta (PDF, JPEG o PNG)"), required=False)

    def clean_agreements(self):
        """Parse the lines into (account code, outcome, notes)."""
        outcomes = set(ReconciliationAgreement.Outcome.values)
        parsed = []
        for number, line in enumerate(self.cleaned_data["agreements"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(";")]
            if len(parts) < 2 or parts[1] not in outcomes:
                raise forms.ValidationError(
                    _(
                        "Línea %(number)s («%(line)s»): escriba código;acuerdo con un "
                        "acuerdo de: %(outcomes)s."
                    )
                    % {
                        "number": number,
                        "line": line.strip(),
                        "outcomes": ", ".join(sorted(outcomes)),
                    }
                )
            parsed.append((parts[0], parts[1], parts[2] if len(parts) > 2 else ""))
        return parsed

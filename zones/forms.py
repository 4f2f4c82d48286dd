from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from zones.models import Zone
from zones.services import assignable_advisors


class AdvisorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class ZoneForm(forms.ModelForm):
    advisors = AdvisorChoiceField(
        label=_("Asesores"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Asesores comerciales que trabajan la zona."),
    )

    class Meta:
        model = Zone
        fields = [
            "name",
            "municipalities",
            "barrios",
            "description",
            "advisors",
            "is_active",
        ]
        widgets = {
            "municipalities": forms.CheckboxSelectMultiple,
            "barrios": forms.Textarea(attrs={"rows": 5}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advisors"].queryset = User.objects.advisors()

    def clean_barrios(self):
        """Keep one barrio per line, without blank lines or repeats."""
        lines = []
        for line in self.cleaned_data["barrios"].splitlines():
            name = " ".join(line.split())
            if name and name.casefold() not in {item.casefold() for item in lines}:
                lines.append(name)
        return "\n".join(lines)


class AssignmentForm(forms.Form):
    """The advisors who share a zone; `plan_digest` identifies the previewed plan."""

    advisors = AdvisorChoiceField(
        label=_("Asesores que reciben clientes"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Elija al menos un asesor.")},
    )
    plan_digest = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advisors"].queryset = assignable_advisors()


class RedistributionForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Por ejemplo: retiro de la empresa, licencia de maternidad."),
        error_messages={"required": _("Escriba el motivo de la redistribución.")},
    )
    plan_digest = forms.CharField(widget=forms.HiddenInput)

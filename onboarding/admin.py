from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from onboarding.models import CustomerDocument, DocumentRequirement, Onboarding


@admin.register(DocumentRequirement)
class DocumentRequirementAdmin(SimpleHistoryAdmin):
    """The documents each person kind hands in; administrators edit this list."""

    list_display = [
        "person_kind",
        "kind",
        "is_required",
        "needs_issue_date",
        "max_age_days",
        "position",
    ]
    list_editable = ["is_required", "needs_issue_date", "max_age_days", "position"]
    list_filter = ["person_kind", "is_required"]


@admin.register(Onboarding)
class OnboardingAdmin(SimpleHistoryAdmin):
    """Read-only: onboardings change through the product's pages and services."""

    list_display = ["customer", "quotation", "status", "payment_terms", "opened_at"]
    list_filter = ["status", "payment_terms"]
    search_fields = ["customer__name", "customer__id_number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CustomerDocument)
class CustomerDocumentAdmin(SimpleHistoryAdmin):
    """Read-only: documents are uploaded through the onboarding page, which checks
    them, and are never deleted."""

    list_display = ["customer", "kind", "is_current", "issued_on", "uploaded_at"]
    list_filter = ["kind", "is_current"]
    search_fields = ["customer__name", "customer__id_number"]
    exclude = ["file"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Gestión comercial"), {"fields": ("phone", "available_for_assignment")}),
    )
    list_display = ("username", "first_name", "last_name", "email", "is_active")

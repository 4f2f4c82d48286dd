from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ["day", "kind", "reason", "created_by", "created_at"]
    list_filter = ["kind"]
    date_hierarchy = "day"
    search_fields = ["reason"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

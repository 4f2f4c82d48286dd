from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from subscribers.models import Competitor, SubscriberAccount


@admin.register(Competitor)
class CompetitorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "nit_display", "email", "is_active"]
    search_fields = ["name", "nit"]


@admin.register(SubscriberAccount)
class SubscriberAccountAdmin(SimpleHistoryAdmin):
    list_display = ["account_code", "name", "municipality", "use_class", "status"]
    list_filter = ["status", "use_class", "municipality"]
    search_fields = ["account_code", "id_number"]
    raw_id_fields = ["municipality", "zone"]

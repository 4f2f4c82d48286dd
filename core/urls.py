from django.urls import path

from core import outbox_views, views

app_name = "core"

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("correos/", outbox_views.outbox, name="outbox"),
    path("correos/<int:pk>/", outbox_views.outbox_detail, name="outbox_detail"),
    path(
        "correos/<int:pk>/reintentar/", outbox_views.outbox_retry, name="outbox_retry"
    ),
]

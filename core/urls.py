from django.urls import path

from core import outbox_views, views

app_name = "core"

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("nueva/<slug:kind>/", views.import_upload, name="import_upload"),
    path("<int:pk>/", views.import_detail, name="import_detail"),
    path("<int:pk>/confirmar/", views.import_confirm, name="import_confirm"),
    path("<int:pk>/progreso/", views.import_progress, name="import_progress"),
    path("correos/", outbox_views.outbox, name="outbox"),
    path("correos/<int:pk>/", outbox_views.outbox_detail, name="outbox_detail"),
    path(
        "correos/<int:pk>/reintentar/", outbox_views.outbox_retry, name="outbox_retry"
    ),
]

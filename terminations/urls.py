from django.urls import path

from terminations import views

app_name = "terminations"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/verificar/", views.verify, name="verify"),
    path("<int:pk>/rechazar/", views.reject, name="reject"),
    path("<int:pk>/cuenta/", views.assign_account, name="assign_account"),
    path(
        "<int:pk>/cuenta/deshacer/",
        views.unassign_account,
        name="unassign_account",
    ),
    path("<int:pk>/asesor/", views.assign_advisor, name="assign_advisor"),
    path(
        "<int:pk>/desistimiento.pdf", views.desistimiento_pdf, name="desistimiento_pdf"
    ),
    path(
        "<int:pk>/desistimiento/firmado/",
        views.desistimiento_upload,
        name="desistimiento_upload",
    ),
    path(
        "<int:pk>/desistimiento/firmado/descargar/",
        views.desistimiento_signed,
        name="desistimiento_signed",
    ),
    path(
        "<int:pk>/verificaciones/<int:verification_pk>/soporte/",
        views.verification_evidence,
        name="verification_evidence",
    ),
    path("listas/", views.list_upload, name="list_upload"),
    path("competidores/", views.competitors, name="competitors"),
    path("listas/<int:pk>/", views.list_detail, name="list_detail"),
    path("listas/<int:pk>/confirmar/", views.list_confirm, name="list_confirm"),
    path("listas/<int:pk>/descartar/", views.list_discard, name="list_discard"),
    path("listas/<int:pk>/distribuir/", views.list_distribute, name="list_distribute"),
    path("entregas/", views.deliveries, name="deliveries"),
    path(
        "entregas/nueva/<int:competitor_pk>/",
        views.delivery_create,
        name="delivery_create",
    ),
    path("entregas/<int:pk>/", views.delivery_detail, name="delivery_detail"),
    path("entregas/<int:pk>/<str:kind>/", views.delivery_file, name="delivery_file"),
    path("conciliaciones/", views.meeting_create, name="meeting_create"),
    path("conciliaciones/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path(
        "conciliaciones/<int:pk>/acta/", views.meeting_minutes, name="meeting_minutes"
    ),
    path("novedades/", views.novelties, name="novelties"),
    path(
        "novedades/reportadas/", views.novelties_mark_sent, name="novelties_mark_sent"
    ),
    path(
        "novedades/hacer-efectivas/",
        views.terminations_make_effective,
        name="terminations_make_effective",
    ),
    path(
        "novedades/lotes/<int:pk>/<str:kind>/",
        views.novelty_batch_file,
        name="novelty_batch_file",
    ),
]

from django.urls import path

from field_work import views

app_name = "field_work"

urlpatterns = [
    path("dia/", views.daily, name="daily"),
    path("soportes-pendientes/", views.inbox, name="inbox"),
    path("ordenes/<int:pk>/soportes/", views.order_detail, name="order"),
    path("ordenes/<int:pk>/soportes/subir/", views.proof_create, name="proof_create"),
    path("ordenes/<int:pk>/aforo/", views.aforo_create, name="aforo_create"),
    path(
        "ordenes/<int:pk>/aforo/lectura/",
        views.aforo_reading_row,
        name="aforo_reading_row",
    ),
    path("aforos/<int:pk>/anular/", views.aforo_annul, name="aforo_annul"),
    path("ordenes/<int:pk>/pago/", views.prepayment_create, name="prepayment_create"),
    path("pagos/<int:pk>/anular/", views.prepayment_annul, name="prepayment_annul"),
    path("ordenes/<int:pk>/ejecucion/", views.execution_update, name="execution"),
    path("archivos/soportes/<int:pk>/", views.proof_file, name="proof_file"),
    path(
        "archivos/aforos/<int:pk>/acta/",
        views.aforo_record_file,
        name="aforo_record_file",
    ),
    path(
        "archivos/fotos-aforo/<int:pk>/",
        views.aforo_photo_file,
        name="aforo_photo_file",
    ),
    path(
        "archivos/pagos/<int:pk>/",
        views.prepayment_receipt_file,
        name="prepayment_receipt_file",
    ),
]

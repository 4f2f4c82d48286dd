from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.month_view, name="month"),
    path("consolidado.xlsx", views.month_workbook, name="month_workbook"),
    path("soportes.zip", views.month_proofs, name="month_proofs"),
    path("enviar/", views.handoff_send, name="handoff_send"),
    path("entregas/", views.handoff_list, name="handoff_list"),
    path("entregas/<int:pk>/", views.handoff_detail, name="handoff_detail"),
    path("entregas/<int:pk>/<slug:kind>/", views.handoff_file, name="handoff_file"),
    path("facturas/", views.invoice_list, name="invoice_list"),
    path("facturas/orden/<int:pk>/", views.invoice_record, name="invoice_record"),
    path("facturas/importar/", views.invoice_import, name="invoice_import"),
    path(
        "facturas/importar/<int:pk>/",
        views.invoice_import_detail,
        name="invoice_import_detail",
    ),
    path(
        "facturas/importar/<int:pk>/confirmar/",
        views.invoice_import_confirm,
        name="invoice_import_confirm",
    ),
    path("ordenes/<int:pk>/reabrir/", views.order_reopen, name="order_reopen"),
]

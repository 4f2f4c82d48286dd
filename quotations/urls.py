from django.urls import path

from quotations import views

app_name = "quotations"

urlpatterns = [
    path("cotizaciones/", views.quotation_list, name="list"),
    path("cotizaciones/nueva/", views.quotation_create, name="create"),
    path("cotizaciones/seguimiento/", views.follow_up_report, name="follow_up"),
    path("cotizaciones/aprobaciones/", views.approval_queue, name="approvals"),
    path("cotizaciones/<int:pk>/", views.quotation_detail, name="detail"),
    path("cotizaciones/<int:pk>/editar/", views.quotation_update, name="update"),
    path("cotizaciones/<int:pk>/items/", views.line_add, name="line_add"),
    path(
        "cotizaciones/<int:pk>/items/<int:line_pk>/quitar/",
        views.line_remove,
        name="line_remove",
    ),
    path("cotizaciones/<int:pk>/tarifa/", views.tariff_prefill, name="tariff_prefill"),
    path(
        "cotizaciones/<int:pk>/solicitar-aprobacion/",
        views.submit_for_approval,
        name="submit_for_approval",
    ),
    path("cotizaciones/<int:pk>/aprobacion/", views.decide_prices, name="decide"),
    path("cotizaciones/<int:pk>/emitir/", views.issue, name="issue"),
    path("cotizaciones/<int:pk>/pdf/", views.download_pdf, name="pdf"),
    path("cotizaciones/<int:pk>/enviar/", views.send, name="send"),
    path("cotizaciones/<int:pk>/aceptar/", views.accept, name="accept"),
    path(
        "cotizaciones/<int:pk>/soporte-aceptacion/",
        views.download_acceptance_evidence,
        name="acceptance_evidence",
    ),
    path("cotizaciones/<int:pk>/rechazar/", views.reject, name="reject"),
    path("cotizaciones/<int:pk>/anular/", views.annul, name="annul"),
    path(
        "cotizaciones/<int:pk>/seguimientos/",
        views.follow_up_add,
        name="follow_up_add",
    ),
]

from django.urls import path

from service_orders import views

app_name = "service_orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("programacion/", views.schedule_board, name="board"),
    path(
        "desde-cotizacion/<int:quotation_pk>/",
        views.order_create,
        name="create",
    ),
    path(
        "acuerdos/desde-cotizacion/<int:quotation_pk>/",
        views.agreement_create,
        name="agreement_create",
    ),
    path(
        "acuerdos/<int:pk>/archivo/",
        views.agreement_download,
        name="agreement_download",
    ),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/solicitar-fecha/", views.schedule_request, name="request"),
    path("<int:pk>/programar/", views.schedule_confirm, name="confirm"),
    path("<int:pk>/reprogramar/", views.schedule_reschedule, name="reschedule"),
    path("<int:pk>/desprogramar/", views.schedule_unschedule, name="unschedule"),
    path("<int:pk>/cancelar/", views.schedule_cancel, name="cancel"),
    path("<int:pk>/anular/", views.order_annul, name="annul"),
]

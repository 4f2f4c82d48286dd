from django.urls import path

from quote_requests import views

app_name = "quote_requests"

urlpatterns = [
    path("cotizar/", views.public_form, name="public_form"),
    path("cotizar/recibida/", views.public_received, name="public_received"),
    path("solicitudes/", views.request_list, name="list"),
    path("solicitudes/nueva/", views.request_create, name="create"),
    path("solicitudes/clientes/", views.customer_search, name="customer_search"),
    path("solicitudes/<int:pk>/", views.request_detail, name="detail"),
    path("solicitudes/<int:pk>/tomar/", views.request_start, name="start"),
    path("solicitudes/<int:pk>/descartar/", views.request_discard, name="discard"),
    path("solicitudes/<int:pk>/reasignar/", views.request_reassign, name="reassign"),
    path(
        "solicitudes/<int:pk>/cliente/",
        views.request_register_customer,
        name="register_customer",
    ),
]

from django.urls import path

from telemarketing import views

app_name = "telemarketing"

urlpatterns = [
    path("", views.call_list, name="call_list"),
    path("cliente/<int:pk>/", views.customer_contacts, name="customer_contacts"),
    path(
        "cliente/<int:pk>/registrar/",
        views.contact_log_create,
        name="contact_log_create",
    ),
    path("cliente/<int:pk>/no-contactar/", views.opt_out, name="opt_out"),
    path("cliente/<int:pk>/reautorizar/", views.reauthorize, name="reauthorize"),
]

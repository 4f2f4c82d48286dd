from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("exportar/", views.customer_export, name="export"),
    path("nuevo/", views.customer_create, name="create"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/editar/", views.customer_edit, name="edit"),
    path("<int:pk>/contactos/", views.contact_create, name="contact_create"),
    path(
        "<int:pk>/contactos/<int:contact_pk>/editar/",
        views.contact_edit,
        name="contact_edit",
    ),
    path(
        "<int:pk>/contactos/<int:contact_pk>/eliminar/",
        views.contact_delete,
        name="contact_delete",
    ),
    path("<int:pk>/autorizaciones/", views.consent_create, name="consent_create"),
    path(
        "<int:pk>/autorizaciones/<int:consent_pk>/revocar/",
        views.consent_revoke,
        name="consent_revoke",
    ),
]

from django.urls import path

from certificates import views

app_name = "certificates"

urlpatterns = [
    path("certificados/", views.certificate_list, name="list"),
    path("certificados/nuevo/", views.certificate_create, name="create"),
    path("certificados/mi-firma/", views.signature_edit, name="signature"),
    path(
        "certificados/mi-firma/imagen/",
        views.signature_image,
        name="signature_image",
    ),
    path("certificados/<int:pk>/", views.certificate_detail, name="detail"),
    path("certificados/<int:pk>/editar/", views.certificate_update, name="update"),
    path(
        "certificados/<int:pk>/vista-previa/", views.certificate_preview, name="preview"
    ),
    path("certificados/<int:pk>/pdf/", views.certificate_pdf, name="pdf"),
    path("certificados/<int:pk>/firmar/", views.certificate_sign, name="sign"),
    path("certificados/<int:pk>/revocar/", views.certificate_revoke, name="revoke"),
    # The public verification page the QR code points to: short, and keyed by the
    # random public token (URL-safe base64), never by the code or the primary key.
    path("v/<slug:token>/", views.verify, name="verify"),
]

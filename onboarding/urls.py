from django.urls import path

from onboarding import views

app_name = "onboarding"

urlpatterns = [
    path("", views.onboarding_list, name="list"),
    path("<int:pk>/", views.onboarding_detail, name="detail"),
    path("<int:pk>/datos/", views.onboarding_review, name="review"),
    path("<int:pk>/documentos/", views.document_upload, name="upload"),
    path("<int:pk>/enviar/", views.submit, name="submit"),
    path("<int:pk>/decision/", views.decide, name="decide"),
    path("documentos/<int:pk>/", views.document_download, name="download"),
    path(
        "cotizacion/<int:quotation_pk>/abrir/",
        views.open_for_quotation,
        name="open_for_quotation",
    ),
]

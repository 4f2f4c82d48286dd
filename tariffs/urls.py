from django.urls import path

from tariffs import views

app_name = "tariffs"

urlpatterns = [
    path("", views.tariff_book, name="book"),
    path("versiones/", views.version_list, name="version_list"),
    path("versiones/<int:pk>/", views.version_detail, name="version_detail"),
    path("versiones/<int:pk>/aprobar/", views.version_approve, name="version_approve"),
    path("versiones/<int:pk>/rechazar/", views.version_reject, name="version_reject"),
    path("historial/", views.tariff_history, name="history"),
]

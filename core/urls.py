from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("correos/", views.outbox, name="outbox"),
]

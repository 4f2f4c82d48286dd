from django.urls import path

from zones import views

app_name = "zones"

urlpatterns = [
    path("", views.zone_list, name="list"),
    path("<int:pk>/", views.zone_list, name="detail"),
]

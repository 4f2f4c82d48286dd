from django.urls import path

from zones import views

app_name = "zones"

urlpatterns = [
    path("", views.zone_list, name="list"),
    path("nueva/", views.zone_create, name="create"),
    path("asignar/", views.zone_assign_start, name="assign_start"),
    path("<int:pk>/", views.zone_detail, name="detail"),
    path("<int:pk>/editar/", views.zone_edit, name="edit"),
    path("<int:pk>/asignar/", views.zone_assign, name="assign"),
    path("asesores/", views.advisor_list, name="advisor_list"),
    path(
        "asesores/<int:pk>/redistribuir/",
        views.advisor_redistribute,
        name="advisor_redistribute",
    ),
    path(
        "asesores/<int:pk>/disponible/",
        views.advisor_available,
        name="advisor_available",
    ),
    path("asignaciones/", views.run_list, name="run_list"),
    path("asignaciones/<int:pk>/", views.run_detail, name="run_detail"),
]

from django.urls import path

from visits import views

app_name = "visits"

urlpatterns = [
    path("", views.week, name="week"),
    path("nueva/", views.visit_create, name="create"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("<int:pk>/reprogramar/", views.visit_reschedule_view, name="reschedule"),
    path("<int:pk>/cancelar/", views.visit_cancel_view, name="cancel"),
    path("<int:pk>/resultado/", views.visit_result_view, name="result"),
    path("<int:pk>/solicitud/", views.visit_quote_request_view, name="quote_request"),
    path("<int:pk>/invitacion.ics", views.visit_ics, name="ics"),
]

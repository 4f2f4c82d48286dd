from django.urls import path

from subscribers import views

app_name = "subscribers"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("<int:pk>/", views.account_detail, name="detail"),
]

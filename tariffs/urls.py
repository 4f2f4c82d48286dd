app_name = "tariffs"

urlpatterns = []

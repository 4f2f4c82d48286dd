app_name = "quotations"

urlpatterns = []

app_name = "quote_requests"

urlpatterns = []

app_name = "telemarketing"

urlpatterns = []

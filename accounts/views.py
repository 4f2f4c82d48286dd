from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from customers.models import Customer


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def home(request):
    """The start page: each role sees the counts and shortcuts of its own work."""
    customers = Customer.objects.visible_to(request.user)
    context = {
        "customer_count": customers.count(),
        "new_count": customers.filter(customer_type=Customer.CustomerType.NEW).count(),
        "unassigned_count": (
            customers.filter(advisor__isnull=True).count()
            if request.user.is_manager
            else None
        ),
    }
    return render(request, "accounts/home.html", context)

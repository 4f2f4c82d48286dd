"""Role checks for views. What records a user may see is decided by each model's
`visible_to(user)` queryset method; these decorators only guard whole features."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from accounts.roles import Role


def role_required(*roles: Role):
    """Allow the view only to users holding one of `roles` (or superusers); others get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not (user.is_superuser or user.has_role(*roles)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def manager_required(view):
    """Allow the view to the director, the coordinator and administrators."""
    return role_required(Role.DIRECTOR, Role.COORDINATOR, Role.ADMINISTRATOR)(view)

from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import MANAGER_ROLES, READ_ALL_ROLES, Role
from core.fields import SortKeyField
from core.text import sort_key


class UserQuerySet(models.QuerySet):
    def with_role(self, role: Role):
        return self.filter(groups__name=role.value, is_active=True)

    def advisors(self):
        return self.with_role(Role.ADVISOR).order_by("sort_name", "pk")


class AccountManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A staff member. What they may do follows from their groups (see accounts.roles)."""

    phone = models.CharField(_("teléfono"), max_length=20, blank=True)
    # An advisor on leave or who left keeps their history but receives no new customers.
    available_for_assignment = models.BooleanField(
        _("disponible para asignación"),
        default=True,
        help_text=_("Desmarque cuando el asesor se retira o está en licencia."),
    )
    # The key of str(user) for Spanish alphabetical order (core.text.sort_key),
    # so that «Álvaro» sorts among the A on SQLite and PostgreSQL alike.
    sort_name = SortKeyField()

    objects = AccountManager()

    class Meta:
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")
        ordering = ["sort_name", "pk"]

    def __str__(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        self.sort_name = sort_key(str(self))
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_name"}
        super().save(*args, **kwargs)

    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: Role) -> bool:
        if self.is_superuser and Role.ADMINISTRATOR in roles:
            return True
        return any(role.value in self.role_names for role in roles)

    @property
    def is_manager(self) -> bool:
        """Director, coordinator or administrator: sees and manages everything."""
        return self.is_superuser or bool(
            self.role_names & {r.value for r in MANAGER_ROLES}
        )

    @property
    def reads_all_customers(self) -> bool:
        return self.is_superuser or bool(
            self.role_names & {r.value for r in READ_ALL_ROLES}
        )

    @property
    def is_advisor(self) -> bool:
        return Role.ADVISOR.value in self.role_names

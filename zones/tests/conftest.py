import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role
from zones.models import Municipality


@pytest.fixture
def migrated_data(transactional_db):
    """Recreate the role groups and the municipality that the migrations load,
    because the flush after an earlier transactional test removes them."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    Municipality.objects.get_or_create(
        dane_code="73449",
        defaults={"name": "Melgar", "department_name": "Tolima"},
    )

"""Property tests of the assignment against the database: random zones with random
mixes of new and existing customers, random current advisors, 1 to 8 advisors."""

from collections import Counter

from django.contrib.auth.models import Group
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from accounts.models import User
from accounts.roles import Role
from customers.models import Customer
from tests.factories import make_customer, make_zone
from zones import services


def spread(values):
    return max(values) - min(values) if values else 0


class AssignmentPlanPropertyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        group = Group.objects.get(name=Role.ADVISOR.value)
        cls.advisors = []
        for number in range(9):
            user = User.objects.create(
                username=f"propiedad{number}", email=f"propiedad{number}@example.com"
            )
            user.groups.add(group)
            cls.advisors.append(user)
        cls.director = User.objects.create(username="directora-propiedades")

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        advisor_count=st.integers(1, 8),
        rows=st.lists(
            st.tuples(st.booleans(), st.one_of(st.none(), st.integers(0, 8))),
            max_size=25,
        ),
    )
    def test_confirmed_plan_is_fair_and_final(self, advisor_count, rows):
        chosen = self.advisors[:advisor_count]
        zone = make_zone()
        for is_new, holder in rows:
            make_customer(
                zone=zone,
                customer_type="nuevo" if is_new else "antiguo",
                advisor=None if holder is None else self.advisors[holder],
            )

        plan = services.assignment_plan(zone=zone, advisors=chosen)
        self.assertLessEqual(spread([s.total for s in plan.shares]), 1)
        self.assertLessEqual(spread([s.new_count for s in plan.shares]), 1)
        self.assertLessEqual(spread([s.existing_count for s in plan.shares]), 1)

        # Stability: no advisor gives away a customer of a kind while receiving one.
        for kind in ("nuevo", "antiguo"):
            moves = [m for m in plan.moves if m.customer.customer_type == kind]
            giving = {m.previous_advisor for m in moves}
            receiving = {m.advisor for m in moves}
            self.assertFalse(giving & receiving)

        if rows:
            services.assignment_confirm(
                zone=zone, advisors=chosen, user=self.director, plan_digest=plan.digest
            )
            holders = Counter(
                Customer.objects.filter(zone=zone).values_list("advisor", flat=True)
            )
            self.assertLessEqual(set(holders), {a.pk for a in chosen})
            again = services.assignment_plan(zone=zone, advisors=chosen)
            self.assertEqual(again.moves, ())

"""Two directors confirming the same preview at once: one wins, one sees a new plan."""

import threading

import pytest
from django.db import connection

from tests.factories import make_customer, make_zone
from zones import services
from zones.models import AssignmentRun, CustomerAssignment


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_confirms_apply_once(
    migrated_data, director, coordinator, advisor, other_advisor
):
    zone = make_zone("Honda", advisors=[advisor, other_advisor])
    for _number in range(8):
        make_customer(zone=zone)
    advisors = [advisor, other_advisor]
    digest = services.assignment_plan(zone=zone, advisors=advisors).digest

    barrier = threading.Barrier(2)
    outcomes = []

    def confirm(user):
        try:
            barrier.wait()
            services.assignment_confirm(
                zone=zone, advisors=advisors, user=user, plan_digest=digest
            )
            outcomes.append("confirmed")
        except services.StalePlanError:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=confirm, args=(u,)) for u in (director, coordinator)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["confirmed", "stale"]
    assert AssignmentRun.objects.count() == 1
    assert CustomerAssignment.objects.count() == 8

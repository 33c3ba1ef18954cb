"""Progress in the platform admin: read-only lists by id and status, never a client's values or photos."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests.conftest import login_as
from tests.factories import (
    GoalFactory,
    MeasurementFactory,
    MeasurementKindFactory,
    ProgressPhotoFactory,
    ProgressSettingsFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_the_admin_lists_progress_without_private_details(org):
    with scope(organization=org):
        goal = GoalFactory(organization=org, client__organization=org, title="Private title")
        TaskFactory(organization=org, client=goal.client, title="Private task")
        MeasurementFactory(client=goal.client)
        MeasurementKindFactory(organization=org)
        photo = ProgressPhotoFactory(client=goal.client)
        ProgressSettingsFactory(client=goal.client)
    web = login_as(UserFactory(is_staff=True, is_superuser=True))
    for path in ("goal", "task", "measurementkind", "progressphoto", "progresssettings"):
        response = web.get(f"/admin/progress/{path}/")
        assert response.status_code == 200, path
        assert "Private" not in response.content.decode()
    assert web.get(f"/admin/progress/goal/{goal.pk}/change/").status_code == 200
    assert "Private title" not in web.get(f"/admin/progress/goal/{goal.pk}/change/").content.decode()
    assert web.get(f"/admin/progress/progressphoto/{photo.pk}/change/").status_code == 200
    assert web.get("/admin/progress/measurement/").status_code == 404  # values are not in the admin
    assert web.post(f"/admin/progress/goal/{goal.pk}/delete/").status_code == 403

"""The project as the container of its procedures and reports (MatterKind.container, light_annotations): a child's
light written one at a time relights the project at once; one written by the sweep's bulk pass marks the project,
which the same sweep lights after."""

import datetime as dt

import pytest

from duban.matters import lights
from duban.projects import services
from duban.projects.kind import PROCEDURE_KIND, PROJECT_KIND
from duban.projects.models import Procedure, Project
from tests.projects.conftest import at

pytestmark = pytest.mark.django_db


def test_a_childs_light_changed_in_bulk_marks_its_project_and_the_next_pass_lights_it(county, handlers, office, new_project):
    with at("2026-03-02"):
        project = new_project()
        other = new_project(name="农产品冷链物流园")
        permit = Procedure.objects.get(project=project, procedure_type__code="construction_permit")
        services.start_procedure(office, permit, workdays=3)  # due 2026-03-05
        Project.objects.filter(pk__in=[project.pk, other.pk]).update(light_checked_on=dt.date(2026, 3, 2))
    day = dt.date(2026, 3, 9)
    assert lights.refresh_lights(PROCEDURE_KIND, day, full=True) >= 1
    marked = set(Project.objects.filter(light_checked_on__isnull=True).values_list("pk", flat=True))
    assert marked == {project.pk}  # only the container of what changed
    assert lights.refresh_lights(PROJECT_KIND, day, full=False) == 1
    project.refresh_from_db()
    assert (project.light, project.light_reason) == ("red", "施工许可（住建局）已逾期（完成时限 2026年3月5日）")
    other.refresh_from_db()
    assert other.light == "green"

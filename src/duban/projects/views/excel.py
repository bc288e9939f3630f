"""The project ledger's Excel pages: the list's export (the same FilterSet and scope as the page, `selectors.
project_filter`), and the project office's import of the county's sheet — upload → preview of what will be created
and changed, or every problem by row and column → confirm, all or nothing (`duban.core.excel.upload.SheetImport`).
The file is read once, at upload, under the uploader's reading lock, and not kept; the checked plan waits signed
under DATA_DIR/tmp/project-import/ (`duban.core.excel.staging`) until confirm."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from duban.core.choices import BUSINESS_ROLES
from duban.core.excel.staging import Store
from duban.core.excel.upload import SheetImport, XlsxUploadForm, export_response
from duban.core.permissions import role_required
from duban.projects.choices import Stage
from duban.projects.excel.plan import apply_plan, build_plan
from duban.projects.policies import is_project_office

project_page = role_required(*sorted(BUSINESS_ROLES))


class UploadForm(XlsxUploadForm):
    label = gettext_lazy("重点项目推进表（.xlsx）")


def _created(plan, rows) -> list[dict]:
    """The preview's rows to create: the stage's label, the lead unit's name and the months reported."""
    return [{"row": r.row, "name": r.name, "stage": Stage(r.stage).label, "unit": plan.names.get(r.values.get("lead_unit_id"), ""),
             "total": r.values.get("total_investment"), "months": len(r.done)} for r in rows]


IMPORT = SheetImport(
    store=Store("project-import"), form=UploadForm, office=is_project_office,
    refusal=gettext_lazy("只有县重点项目办可以导入项目表。"), build_plan=build_plan, apply_plan=apply_plan,
    upload_page="projects:project_import", preview_page="projects:project_import_preview", list_page="projects:project_list",
    upload_template="projects/import.html", preview_template="projects/import_preview.html", created=_created,
    done=lambda result: _("导入完成：新建 %(created)s 个项目，修改 %(updated)s 个。") % {
        "created": len(result.created), "updated": len(result.updated)},
)


@project_page
@require_GET
def project_export(request):
    """The list as .xlsx: the same filters (GET) through the same FilterSet, the user's scope."""
    from duban.projects.excel.export import export_filtered

    return export_response(request, export_filtered, "projects:project_list")


# Step 1, choose the sheet (read and checked at once); 2, the preview of what it would create and change, or every
# problem in it (nothing written); 3, confirm: written through the services, all or nothing (a row changed since
# the preview refuses it by its version, and the preview lists why); or cancel.
project_import, project_import_preview, project_import_confirm, project_import_cancel = IMPORT.views(project_page)

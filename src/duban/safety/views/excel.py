"""The hazard ledger's Excel pages: the list's export (the same FilterSet and scope as the page), and the safety
office's import — upload → preview of what will be created and changed, or every problem by row and column →
confirm, all or nothing (`duban.core.excel.upload.SheetImport`). The file is read once, at upload, under the
uploader's reading lock, and not kept; the checked plan waits signed under DATA_DIR/tmp/hazard-import/
(`duban.core.excel.staging`) until confirm."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from duban.core.excel.staging import Store
from duban.core.excel.upload import SheetImport, XlsxUploadForm, export_response
from duban.safety.excel.export import export_filtered
from duban.safety.excel.plan import apply_plan, build_plan
from duban.safety.policies import is_safety_office
from duban.safety.views.common import safety_page


class UploadForm(XlsxUploadForm):
    label = gettext_lazy("隐患排查整改台账（.xlsx）")


IMPORT = SheetImport(
    store=Store("hazard-import"), form=UploadForm, office=is_safety_office,
    refusal=gettext_lazy("只有县安委办可以导入隐患台账。"), build_plan=build_plan, apply_plan=apply_plan,
    upload_page="safety:hazard_import", preview_page="safety:hazard_import_preview", list_page="safety:hazard_list",
    upload_template="safety/hazard_import.html", preview_template="safety/hazard_import_preview.html",
    done=lambda result: _("导入完成：新建 %(created)s 条，修改 %(updated)s 条。") % {"created": len(result.created), "updated": len(result.updated)},
)


@safety_page
@require_GET
def hazard_export(request):
    """The list as .xlsx: the same filters (GET) through the same FilterSet, the user's scope."""
    return export_response(request, export_filtered, "safety:hazard_list")


# Step 1, choose the sheet (read and checked at once); 2, the preview of what it would create and change, or every
# problem in it (nothing written); 3, confirm: written through the services, all or nothing (a row changed since
# the preview refuses it by its version, and the preview lists why); or cancel.
hazard_import, hazard_import_preview, hazard_import_confirm, hazard_import_cancel = IMPORT.views(safety_page)

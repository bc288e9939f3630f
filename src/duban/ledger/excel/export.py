"""The ledger as .xlsx, in the columns of the county's decomposition sheet plus progress, light and state.

Streamed: rows come from `values_list(...).iterator(chunk_size=2000)` with each chunk's cooperating units in
one more query (a fixed number of queries per 2,000 rows, whatever the filters), and go straight into the
zip through `xlsx.SheetWriter`. 100k tasks take seconds and a few tens of MB; see bench/excel_bench.py.
"""

from __future__ import annotations

import tempfile
from itertools import islice

from django.db.models import Prefetch
from django.utils import timezone

from duban.core.excel.filters import checked
from duban.core.excel.xlsx import HEADER, LIGHT_STYLES, NOTE, TITLE, WRAP, SheetWriter
from duban.core.models import Unit
from duban.ledger.excel import columns as layout
from duban.ledger.excel.columns import EXPORTED, cell_values, display_labels, latest_report, row_of_values

CHUNK = 2000
TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3
WRAPPED = ("title", "standard", "cooperating", "reward", "report")
NOTE_TEXT = ("“亮灯”“状态”两列只供查看。责任单位可在“进度（%）”“最新进展”两列写本期进展（可另加“存在问题”“下步打算”两列），"
             "在系统“导入Excel”处导回即为报送进展；五明确各列由县委督查室维护。")


def export_queryset(queryset):
    """Tasks with everything a row shows joined or prefetched (re-import compares model instances)."""
    return queryset.annotate(latest_report=latest_report()).select_related(
        "campaign", "front", "lead_unit", "leader_in_charge", "assigning_leader", "responsible_person",
    ).prefetch_related(
        Prefetch("cooperating_units", queryset=Unit.objects.order_by("sort_key", "id").only("id", "name", "sort_key")),
    )


def ledger_rows(queryset, chunk: int = CHUNK):
    """LedgerRows of `queryset` in its order: one streamed query, and one for each chunk's cooperating units."""
    from duban.ledger.models import Task

    through = Task.cooperating_units.through
    rows = queryset.annotate(latest_report=latest_report()).values_list(*layout.VALUES).iterator(chunk_size=chunk)
    while batch := list(islice(rows, chunk)):
        names: dict[int, list[str]] = {}
        links = (through.objects.filter(task_id__in=[r[0] for r in batch])
                 .order_by("task_id", "unit__sort_key", "unit_id").values_list("task_id", "unit__name"))
        for task_id, name in links:
            names.setdefault(task_id, []).append(name)
        for values in batch:
            yield row_of_values(values, names.get(values[0], []))


def export_ledger(queryset, *, title: str = "", note: str = "", total: int | None = None, progress=None):
    """Write the tasks of `queryset` (already scoped, filtered and ordered) to a temporary .xlsx, opened at 0."""
    today = timezone.localdate()
    labels = display_labels()
    layout._reads_as.cache_clear()  # a cache for this export only (the holiday table may change between exports)
    output = tempfile.TemporaryFile(suffix=".xlsx")
    keys = [c.key for c in EXPORTED]
    last = len(EXPORTED)
    sheet = SheetWriter(output, sheet_name="任务台账", widths=[c.width for c in EXPORTED],
                        freeze=f"C{HEADER_ROW + 1}", print_title_row=HEADER_ROW)
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    sheet.append([f"{title or '重点工作任务台账'}（导出时间：{stamp}）"], style=TITLE)
    sheet.append([note or NOTE_TEXT], style=NOTE)
    sheet.append([c.label for c in EXPORTED], style=HEADER)
    sheet.merged += [f"A{TITLE_ROW}:{sheet.letters[-1]}{TITLE_ROW}", f"A{NOTE_ROW}:{sheet.letters[-1]}{NOTE_ROW}"]
    wrapped = {keys.index(k): WRAP for k in WRAPPED}
    light_at = keys.index("light")
    count = 0
    for row in ledger_rows(queryset):
        values = cell_values(row, today, labels)
        sheet.append([values[k] for k in keys], {**wrapped, light_at: LIGHT_STYLES.get(row.light, 0)})
        count += 1
        if progress and count % 5000 == 0:
            progress("导出", count, total)
    if progress:
        progress("导出", count, count)
    sheet.auto_filter = f"A{HEADER_ROW}:{sheet.letters[last - 1]}{HEADER_ROW + max(count, 1)}"
    sheet.close()
    output.seek(0)
    return output


def ledger_title(campaign=None) -> str:
    """"2026年执行力亮剑行动重点工作任务台账", or a plain title when the export spans campaigns."""
    return f"{campaign.name}重点工作任务台账" if campaign is not None else "重点工作任务台账"


# --- the ledger list's export: its filters, the user's scope ----------------------------------------------


def export_filtered(actor, params, *, progress=None):
    """The tasks the list page would show `actor` for `params` (same scope, filters and sort), as .xlsx.

    Returns (file, rows, filename). The CLI's system actor sees everything, as the office does.
    """
    from duban.core import audit
    from duban.ledger.filters import SORTS, TaskFilter
    from duban.ledger.models import Campaign, Task

    base = Task.objects.visible_to(actor.user) if actor.user is not None else Task.objects.all()
    filterset = checked(TaskFilter(params, queryset=base))
    sort = params.get("sort")
    # The list's own sort when it was asked for; otherwise task-number order, as a ledger sheet reads.
    order = SORTS[sort][1] if sort in SORTS else ["code", "id"]
    queryset = filterset.qs.order_by(*order)
    cleaned = filterset.form.cleaned_data if filterset.is_bound else {}
    campaign = cleaned.get("campaign")
    if campaign is None:
        campaigns = list(Campaign.objects.all()[:2])
        campaign = campaigns[0] if len(campaigns) == 1 else None
    total = queryset.count()
    described = describe_filters(filterset)
    note = f"{'筛选条件：' + described + '。' if described else '全部任务。'}共 {total} 项。" + NOTE_TEXT
    output = export_ledger(queryset, title=ledger_title(campaign), note=note, total=total, progress=progress)
    audit.record(actor, "ledger.export", None, object_type="ledger.Task", after={"rows": total, "filters": described},
                 message=f"导出任务台账 {total} 项" + (f"（{described}）" if described else ""))
    stamp = timezone.localtime().strftime("%Y%m%d")
    filename = f"{campaign.name if campaign else ''}重点工作任务台账-{stamp}.xlsx"
    return output, total, filename


def describe_filters(filterset) -> str:
    """"牵头单位：县交通运输局；亮灯：红灯" — what a forwarded sheet was cut from."""
    if not filterset.is_bound:
        return ""
    parts = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", [], ()):
            continue
        field = filterset.form.fields[name]
        if isinstance(value, (list, tuple)):
            labels = dict(getattr(field, "choices", []))
            shown = "、".join(str(labels.get(v, v)) for v in value)
        else:
            shown = str(value)
        parts.append(f"{field.label}：{shown}")
    return "；".join(parts)

"""The appeal list as .xlsx, in the columns a county's business office files (受理编号 … 满意度): the list page's
AppealFilter over the reader's visible appeals (the same query string, the same rows), every enterprise detail
through `appeals.privacy.shown` (a unit's sheet never holds a hidden enterprise's name, code, contact or phone;
the phone masked for the roles that read it masked).

Written with openpyxl's write-only mode into a temporary file, from a streamed query of 2,000 rows at a time
(and one query each for those rows' cooperating units and latest replies): memory stays flat whatever the rows.
openpyxl costs ~20 µs a cell (0.5 ms a row of 23 columns): a year's few thousand appeals take a second or two, 200k
about 100 s at a flat ~80 MB (the whole history is for `duban export appeals`, not a browser waiting on it).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from itertools import islice
from types import SimpleNamespace

import openpyxl
from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from duban.appeals import privacy
from duban.appeals.choices import AppealState, Category, Channel, Outcome, Rating
from duban.appeals.filters import AppealFilter
from duban.appeals.models import Appeal, AppealReply, AppealUnit
from duban.core import audit
from duban.core.excel.filters import checked
from duban.core.text import formula_like

CHUNK = 2000
TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3
# (header, width in characters), in the order of `_values` below.
COLUMNS = [
    (gettext_lazy("序号"), 6), (gettext_lazy("受理编号"), 15), (gettext_lazy("来源渠道"), 10), (gettext_lazy("企业名称"), 26),
    (gettext_lazy("统一社会信用代码"), 21), (gettext_lazy("联系人"), 9), (gettext_lazy("联系电话"), 14), (gettext_lazy("诉求类别"), 9),
    (gettext_lazy("诉求内容"), 50), (gettext_lazy("承办单位"), 18), (gettext_lazy("配合单位"), 18), (gettext_lazy("提交时间"), 17),
    (gettext_lazy("受理时间"), 17), (gettext_lazy("办理时限"), 12), (gettext_lazy("答复时间"), 17), (gettext_lazy("办理结果"), 10),
    (gettext_lazy("答复内容"), 50), (gettext_lazy("满意度"), 9), (gettext_lazy("退单次数"), 8), (gettext_lazy("重办次数"), 8),
    (gettext_lazy("是否重复"), 8), (gettext_lazy("不纳入考核"), 10), (gettext_lazy("状态"), 9),
]
WRAPPED = {8, 16}  # 诉求内容, 答复内容
DATE_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
WRAP = Alignment(wrap_text=True, vertical="top")
# The export's own orders: the list's sort when asked for, else by number, as a register reads.
ORDERS = {"due": ("due_sort", "id"), "new": ("-created_at", "-id")}
FIELDS = ("id", "code", "channel", "category", "enterprise_name", "credit_code", "contact_name", "phone", "identity_hidden",
          "description", "lead_unit__name", "created_at", "accepted_at", "due_date", "replied_at", "outcome", "rating",
          "sendback_count", "reopen_count", "repeat_of_id", "excluded", "state")


def appeal_filter(user, params) -> AppealFilter:
    """The list page's FilterSet over what `user` may see (its `q` needs the reader: a hidden name is not searched)."""
    return AppealFilter(params, queryset=Appeal.objects.visible_to(user), request=SimpleNamespace(user=user))


def export_appeals(actor, user, params):
    """The appeals the list would show `user` for `params`, as .xlsx: (file opened at 0, rows, file name).

    Refuses invalid filters with FilterError rather than exporting something other than what was asked."""
    filterset = checked(appeal_filter(user, params))
    queryset = filterset.qs.order_by(*ORDERS.get(params.get("sort"), ("code",)))
    total = queryset.count()
    described = describe(filterset)
    note = (_("筛选条件：%(filters)s。") % {"filters": described} if described else _("全部企业诉求。")) + \
        _("共 %(total)s 件。办理时限：已答复的为最近一轮的答复时限，未答复的为当前环节的时限。") % {"total": total}
    output = write_sheet(rows_of(queryset), user, note=note)
    audit.record(actor, "appeals.export", None, object_type="appeals.Appeal", after={"rows": total, "filters": described},
                 message=f"导出企业诉求 {total} 件" + (f"（{described}）" if described else ""))
    return output, total, f"企业诉求-{timezone.localtime():%Y%m%d}.xlsx"


def describe(filterset) -> str:
    """"状态：办理中；诉求类别：用地" — what a forwarded sheet was cut from."""
    parts = []
    for name, value in filterset.form.cleaned_data.items():
        field = filterset.form.fields[name]
        if value in (None, "", [], ()) or (value is False and isinstance(field.widget, forms.CheckboxInput)):
            continue  # not filtered (an unticked box filters nothing: filters.Ticked)
        if isinstance(value, (list, tuple)):
            labels = dict(getattr(field, "choices", []))
            shown = "、".join(str(labels.get(v, v)) for v in value)
        elif isinstance(value, bool):
            shown = _("是") if value else _("否")
        else:
            shown = str(dict(getattr(field, "choices", [])).get(value, value)) if getattr(field, "choices", None) else str(value)
        parts.append(f"{field.label}：{shown}")
    return "；".join(parts)


def rows_of(queryset, chunk: int = CHUNK):
    """(appeal values, cooperating unit names, latest reply (text, due date) or None) in `queryset`'s order: one
    streamed query, and two for each chunk."""
    rows = queryset.values(*FIELDS).iterator(chunk_size=chunk)
    while batch := list(islice(rows, chunk)):
        ids = [r["id"] for r in batch]
        units: dict[int, list[str]] = {}
        for appeal_id, name in (AppealUnit.objects.filter(appeal_id__in=ids).order_by("appeal_id", "unit__sort_key", "unit_id")
                                .values_list("appeal_id", "unit__name")):
            units.setdefault(appeal_id, []).append(name)
        latest: dict[int, tuple[str, dt.date | None]] = {}
        for appeal_id, text, due in (AppealReply.objects.filter(appeal_id__in=ids).order_by("appeal_id", "round")
                                     .values_list("appeal_id", "public_text", "due_date")):
            latest[appeal_id] = (text, due)  # the last round wins
        for values in batch:
            yield values, units.get(values["id"], []), latest.get(values["id"])


class _Words:
    """The labels of the export's choices, translated once for the whole sheet (not once a cell)."""

    def __init__(self):
        self.labels = {choices: {code: str(label) for code, label in choices.choices} for choices in (Channel, Category, Outcome, Rating, AppealState)}
        self.yes, self.no = _("是"), _("否")

    def label(self, choices, value: str) -> str:
        return self.labels[choices].get(value, value or "")

    def values(self, n: int, row: dict, cooperating: list[str], reply, user) -> list:
        who = privacy.shown(SimpleNamespace(**row), user)
        label, yes, no = self.label, self.yes, self.no
        return [
            n, row["code"], label(Channel, row["channel"]), who.enterprise_name, who.credit_code, who.contact_name, who.phone,
            label(Category, row["category"]), row["description"], row["lead_unit__name"] or "", "、".join(cooperating),
            _local(row["created_at"]), _local(row["accepted_at"]), reply[1] if reply and reply[1] else row["due_date"],
            _local(row["replied_at"]), label(Outcome, row["outcome"]), reply[0] if reply else "", label(Rating, row["rating"]),
            row["sendback_count"], row["reopen_count"], yes if row["repeat_of_id"] else no, yes if row["excluded"] else no,
            label(AppealState, row["state"]),
        ]


def write_sheet(rows, user, *, note: str):
    """Write `rows` (from `rows_of`) under a title, a note and the header; a temporary file, opened at 0."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(_("企业诉求"))
    last = get_column_letter(len(COLUMNS))
    for n, (_label_text, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.freeze_panes = f"C{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"

    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    sheet.append([_cell(sheet, _("企业诉求台账（导出时间：%(stamp)s）") % {"stamp": stamp}, font=Font(bold=True, size=14))])
    sheet.append([_cell(sheet, note, alignment=Alignment(wrap_text=True, vertical="top"))])
    thin = Side(style="thin", color="999999")
    header = {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="DDEBF7"),
              "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True), "border": Border(bottom=thin)}
    sheet.append([_cell(sheet, str(label), **header) for label, _width in COLUMNS])

    count = 0
    words = _Words()
    for row, cooperating, reply in rows:
        count += 1
        sheet.append([_value(sheet, v, wrap=i in WRAPPED) for i, v in enumerate(words.values(count, row, cooperating, reply, user))])
    sheet.merged_cells.add(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    sheet.merged_cells.add(f"A{NOTE_ROW}:{last}{NOTE_ROW}")
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(count, 1)}"
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (FileResponse, or the command, closes it)
    workbook.save(output)
    output.seek(0)
    return output


def _local(value: dt.datetime | None) -> dt.datetime | None:
    # Excel has no time zones: the time as read in the county (Beijing time).
    return timezone.localtime(value).replace(tzinfo=None) if value is not None else None


def _cell(sheet, value, **style) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _value(sheet, value, *, wrap: bool = False):
    """A cell as Excel should read it: numbers and dates as such, text always text — control characters
    dropped (they make an .xlsx unreadable), and text a spreadsheet would take for a formula quote-prefixed."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, dt.datetime):
        return _cell(sheet, value, number_format=TIME_FORMAT)
    if isinstance(value, dt.date):
        return _cell(sheet, value, number_format=DATE_FORMAT)
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    quoted = formula_like(text)
    if not wrap and not quoted:
        return text
    cell = _cell(sheet, text)
    cell.data_type = "s"  # "=1+1" in a description is what the enterprise wrote, not a formula to run
    if quoted:
        cell.quotePrefix = True  # and stays text when someone edits the cell
    if wrap:
        cell.alignment = WRAP
    return cell

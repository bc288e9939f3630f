"""The rows of the project list and of "my projects", written in Python (as appeals.tables and ledger.tables
write theirs): the list has 30 ms at 20k projects (issue 9, acceptance 6), and a template resolving the ~600
variables of 50 twelve-column rows spends a third of it. Each value is escaped with the standard library's
html.escape and put in with str.format; the page templates keep the header, the filters and the paging.

Amounts are in 万元 as stored; 完成率 is computed from the unrounded amounts (metrics.rate) and rounded only
here, to one decimal."""

from __future__ import annotations

from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from duban.matters import clock
from duban.matters.choices import Light
from duban.projects.choices import Level, Stage
from duban.projects.metrics import rate, shown_amount, shown_rate

# What a list row reads (Project.objects …only(*LIST_COLUMNS)); the keyset's fields are among them.
LIST_COLUMNS = ("id", "code", "name", "state", "level", "total_investment", "annual_plan", "year_completed", "light", "light_reason",
                "lead_unit__name", "lead_unit__short_name", "leader_in_charge__full_name")
LIST_RELATED = ("lead_unit", "leader_in_charge")
NONE = "—"

ROW = (
    '<tr data-testid="project-row" data-code="{code}"{row_class}>'
    '<td class="text-nowrap small">{code}</td>'
    '<td><a href="{base}{code}/">{name}</a></td>'
    '<td class="text-nowrap">{stage}</td>'
    '<td class="text-nowrap">{level}</td>'
    '<td class="text-end">{total}</td><td class="text-end">{plan}</td><td class="text-end">{done}</td>'
    '<td class="text-end" data-rate>{rate}</td>'
    "<td>{unit}</td><td>{leader}</td>"
    '<td><span class="light-dot light-{light}" title="{tip}" data-light="{light}"></span><span class="visually-hidden">{label}</span>'
    ' <span class="small{reason_class}" data-testid="light-reason">{reason}</span></td>'
    "</tr>"
)
MINE = (
    '<li class="list-group-item{row_class}" data-testid="my-project" data-code="{code}">'
    '<div class="d-flex flex-wrap gap-2 align-items-center">'
    '<span class="light-dot light-{light}" title="{label}" data-light="{light}"></span><span class="visually-hidden">{label}</span>'
    '<a class="fw-semibold" href="{base}{code}/">{name}</a><span class="badge text-bg-secondary">{stage}</span>'
    '<span class="text-muted small">{code} · {unit}</span></div>'
    '<div class="small{reason_class}" data-testid="light-reason">{reason}</div>'
    '<div class="small text-muted">{plan_label} {plan} · {done_label} {done} · {rate_label} {rate}</div></li>'
)


amount = shown_amount  # one way of writing 万元 on every page


def percent(done, plan) -> str:
    """完成率 to one decimal from the unrounded amounts ("6.7%"), "—" without a plan (metrics.shown_rate)."""
    return shown_rate(rate(done, plan))


def _labels():
    return ({v: escape(str(label)) for v, label in Stage.choices}, {v: escape(str(label)) for v, label in Level.choices},
            {v: escape(str(label)) for v, label in Light.choices})


def _values(p, today, stages, levels, lights) -> dict:
    light = escape(p.light)
    reason = escape(clock.shown_reason(p, today))
    label = lights.get(p.light, light)
    unit = p.lead_unit.short_name or p.lead_unit.name if p.lead_unit_id else ""
    late = p.light in (Light.RED, Light.YELLOW)
    return {
        "code": escape(p.code), "name": escape(p.name), "stage": stages.get(p.state, escape(p.state)),
        "level": levels.get(p.level, escape(p.level)), "total": amount(p.total_investment), "plan": amount(p.annual_plan),
        "done": amount(p.year_completed), "rate": percent(p.year_completed, p.annual_plan), "unit": escape(unit or NONE),
        "leader": escape(p.leader_in_charge.full_name if p.leader_in_charge_id else NONE), "light": light, "label": label,
        "tip": f"{label}：{reason}" if reason else label, "reason": reason,
        "reason_class": " text-danger" if p.light == Light.RED else " text-muted" if not late else "",
        "row_class": ' class="table-danger"' if p.light == Light.RED else "",
    }


def project_rows(projects) -> SafeString:
    """The <tr> of each project (instances read with LIST_COLUMNS): 编号, 项目名称, 阶段, 级别, 总投资, 年度计划,
    本年完成, 完成率, 责任单位, 包抓领导, 亮灯 and its reason (the late procedure and the unit holding it)."""
    base = escape(reverse("projects:project_list"))
    today = timezone.localdate()
    labels = _labels()
    return mark_safe("".join(ROW.format(base=base, **_values(p, today, *labels)) for p in projects))


def my_rows(projects) -> SafeString:
    """"My projects": one item per project, its light and reason first (red ones come first: the view orders them)."""
    base = escape(reverse("projects:project_list"))
    today = timezone.localdate()
    labels = _labels()
    words = {"plan_label": escape(_("年度计划")), "done_label": escape(_("本年完成")), "rate_label": escape(_("完成率"))}
    out = []
    for p in projects:
        values = _values(p, today, *labels)
        values["row_class"] = " list-group-item-danger" if p.light == Light.RED else ""
        out.append(MINE.format(base=base, **words, **values))
    return mark_safe("".join(out))


# --- the filter bar ---------------------------------------------------------------------------------------
# Written here for the rows' reason: through the form's widgets, the four selects of units and leaders (a county
# has a few hundred units) cost more than the rest of the page. The options are the FilterSet's own querysets,
# read as values on every request (one query for the units, one for the leaders), so they are what it accepts.

SELECTS = ("industry", "project_type", "leader", "lead_unit", "township", "holding_unit")
CHECKBOXES = ("stage", "level", "light")


def _options(field) -> list[tuple]:
    if hasattr(field, "queryset"):
        label = "full_name" if field.queryset.model._meta.model_name == "user" else "name"
        return list(field.queryset.values_list("pk", label))
    return [choice for choice in field.choices if choice[0] != ""]


def filter_controls(form, query) -> list[dict]:
    """The filter bar's controls, in the FilterSet's order (its link-only parameters left out): name, label,
    the control's markup, its errors and whether it takes a whole row (the checkboxes)."""
    from duban.matters.controls import checkboxes, select, text_input

    everything = ("", _("全部"))
    read: dict = {}  # the same queryset (every unit) read once for the two selects that offer it
    controls = []
    for name in ("q", *SELECTS, *CHECKBOXES):
        field = form.fields[name]
        invalid = name in form.errors
        if name == "q":
            html = text_input(name, query.get(name, ""), placeholder=_("项目名称、编号或投资主体"), invalid=invalid)
        elif name in SELECTS:
            key = str(field.queryset.query) if hasattr(field, "queryset") else name
            if key not in read:
                read[key] = _options(field)
            html = select(name, [everything, *read[key]], query.get(name, ""), invalid=invalid)
        else:
            html = checkboxes(name, field.choices, set(query.getlist(name)), small=True, dots=name == "light")
        controls.append({"name": name, "label": field.label, "html": html, "errors": form.errors.get(name, []), "wide": name in CHECKBOXES})
    return controls

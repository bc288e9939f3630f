"""Form controls and light markup written in Python for the lists' filter bars (the ledger's, the project
list's …): Django's widgets cost milliseconds a page once a select offers a few hundred units (issue 14)."""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def _href(query, **changes) -> str:
    """`query` (a QueryDict) with `changes` applied (None removes a key), as {% querystring %} writes it."""
    params = query.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return f"?{params.urlencode()}" if params or query else ""


def dot(light: str, label: str) -> str:
    """The markup of matter_tags.light_dot, for a page written in Python (both arguments already escaped)."""
    return f'<span class="light-dot light-{light}" title="{label}" data-light="{light}"></span><span class="visually-hidden">{label}</span>'


def light_bar(lights: list[dict], total: int, query, *, any_light: bool) -> SafeString:
    """全部 and one link per light, each with its count; each keeps the other filters and starts at page 1."""
    links = [
        f'<a class="btn btn-sm btn-outline-secondary light-count{"" if any_light else " active"}" '
        f'href="{escape(_href(query, light=None, cursor=None))}" data-light-count="all">{escape(_("全部"))} <strong>{total}</strong></a>'
    ]
    for item in lights:
        value, label = escape(item["value"]), escape(str(item["label"]))
        links.append(
            f'<a class="btn btn-sm btn-outline-secondary light-count{" active" if item["active"] else ""}" '
            f'href="{escape(_href(query, light=item["value"], cursor=None))}" data-light-count="{value}">{dot(value, label)} {label} <strong>{item["count"]}</strong></a>'
        )
    return mark_safe("\n  ".join(links))


def _invalid(name: str, invalid: bool) -> str:
    """What Django's widgets add to a field with errors (the page's error list gives each field's id_…_error)."""
    return f' aria-invalid="true" aria-describedby="id_{name}_error"' if invalid else ""


def select(name: str, options, chosen: str, *, invalid: bool = False) -> SafeString:
    """A <select> of (value, label) pairs, the one whose value is `chosen` selected."""
    body = "".join(
        f'<option value="{escape(str(value))}"{" selected" if chosen and str(value) == chosen else ""}>{escape(str(label))}</option>'
        for value, label in options
    )
    return mark_safe(f'<select name="{name}" class="form-select form-select-sm"{_invalid(name, invalid)} id="id_{name}">{body}</select>')


def checkboxes(name: str, items, chosen: set[str], *, small: bool = False, dots: bool = False) -> SafeString:
    """Inline checkboxes for (value, label) pairs, those in `chosen` ticked; `dots` puts a light's dot first."""
    label_class = "form-check-label small" if small else "form-check-label"
    boxes = []
    for n, (value, label) in enumerate(items):
        checked = " checked" if str(value) in chosen else ""
        value, label = escape(str(value)), escape(str(label))
        shown = f"{dot(value, label)} {label}" if dots else label
        boxes.append(
            f'<div class="form-check form-check-inline"><input class="form-check-input" type="checkbox" name="{name}" value="{value}" '
            f'id="id_{name}_{n}"{checked}><label class="{label_class}" for="id_{name}_{n}">{shown}</label></div>'
        )
    return mark_safe("".join(boxes))


def text_input(name: str, value: str, *, kind: str = "text", placeholder: str = "", invalid: bool = False) -> SafeString:
    extra = (f' placeholder="{escape(placeholder)}"' if placeholder else "") + _invalid(name, invalid)
    shown = f' value="{escape(value)}"' if value else ""
    return mark_safe(f'<input type="{kind}" name="{name}"{shown} class="form-control form-control-sm"{extra} id="id_{name}">')

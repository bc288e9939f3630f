"""Small markup helpers of the ledger pages (simple tags: a list of 50 rows renders them 100 times)."""

from django import template
from django.utils.html import format_html

from duban.ledger.choices import TaskState
from duban.matters.templatetags.matter_tags import light_dot, light_reason_filter, light_reason_tag

register = template.Library()

STATE_LABELS = dict(TaskState.choices)
STATE_STYLES = {
    TaskState.DRAFT: "text-bg-secondary",
    TaskState.ASSIGNED: "text-bg-warning",
    TaskState.IN_PROGRESS: "text-bg-primary",
    TaskState.COMPLETION_REQUESTED: "text-bg-info",
    TaskState.CLOSED: "text-bg-success",
    TaskState.SUSPENDED: "text-bg-dark",
    TaskState.CANCELLED: "text-bg-light border",
}


register.simple_tag(light_dot, name="light_dot")  # one dot for every kind (matters.templatetags.matter_tags)
register.simple_tag(light_reason_tag, name="light_reason")  # … and its reason as shown today
register.filter("light_reason", light_reason_filter)


@register.simple_tag
def state_badge(state):
    return format_html('<span class="badge {}" data-state="{}">{}</span>', STATE_STYLES.get(state, "text-bg-secondary"), state, STATE_LABELS.get(state, state))

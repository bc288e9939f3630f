"""Markup every kind of matter shares (simple tags: a list of 50 rows renders them 100 times)."""

from django import template
from django.utils import timezone
from django.utils.html import format_html

from duban.matters import clock
from duban.matters.choices import Light

register = template.Library()

LIGHT_LABELS = dict(Light.choices)


@register.simple_tag
def light_dot(light, reason=""):
    """A coloured dot; its reason shows on hover (and is read out by screen readers)."""
    label = LIGHT_LABELS.get(light, light)
    tip = f"{label}：{reason}" if reason else str(label)
    return format_html('<span class="light-dot light-{}" title="{}" data-light="{}"></span><span class="visually-hidden">{}</span>', light, tip, light, tip)


@register.simple_tag(name="light_reason")
def light_reason_tag(matter):
    """{% light_reason matter %}: the stored reason with today's counts in it (matters.clock.shown_reason)."""
    return clock.shown_reason(matter, timezone.localdate())


@register.filter(name="light_reason")
def light_reason_filter(matter):
    """matter|light_reason, the same, where a tag takes it as an argument: {% light_dot m.light m|light_reason %}."""
    return clock.shown_reason(matter, timezone.localdate())

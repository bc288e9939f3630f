"""Markup every kind of matter shares (simple tags: a list of 50 rows renders them 100 times)."""

from django import template
from django.utils.html import format_html

from duban.matters.choices import Light

register = template.Library()

LIGHT_LABELS = dict(Light.choices)


@register.simple_tag
def light_dot(light, reason=""):
    """A coloured dot; its reason shows on hover (and is read out by screen readers)."""
    label = LIGHT_LABELS.get(light, light)
    tip = f"{label}：{reason}" if reason else str(label)
    return format_html('<span class="light-dot light-{}" title="{}" data-light="{}"></span><span class="visually-hidden">{}</span>', light, tip, light, tip)

"""What every matter shares: its light and its schedule class (SPEC §2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Light(models.TextChoices):
    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")
    GREY = "grey", _("灰灯")


# How bad a light is, for rolling children up into a parent (the worst child decides).
LIGHT_SEVERITY = {Light.GREY: 0, Light.GREEN: 1, Light.YELLOW: 2, Light.RED: 3}


class Schedule(models.TextChoices):
    """The classes county bulletins sort matters into."""

    AHEAD = "ahead", _("超进度")
    ON_SCHEDULE = "on", _("达进度")
    BEHIND = "behind", _("欠进度")
    DONE = "done", _("已完成")
    DONE_EARLY = "done_early", _("提前完成")
    NONE = "", _("—")

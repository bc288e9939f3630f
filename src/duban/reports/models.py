"""The bulletins (工作通报) the supervision office has issued: which period, which number, who, when."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Bulletin(models.Model):
    """One issue of a weekly or monthly bulletin. The latest row of a period is the one in force: downloading
    the period again gives its number; issuing it anew adds a row with the next number of the 县督字 series."""

    period = models.CharField(_("通报期"), max_length=10, db_index=True)  # "2026-W48" or "2026-11"
    number = models.CharField(_("发文字号"), max_length=40)
    issued_on = models.DateField(_("成文日期"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签发人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    issued_by_name = models.CharField(_("签发人"), max_length=80)
    issued_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    # The document as issued: an official document keeps its text once it has a number (downloading the period
    # again gives these bytes, not today's figures); issuing anew writes a new one under the next number.
    document = models.BinaryField(_("通报文件"), blank=True, default=b"")

    class Meta:
        verbose_name = _("工作通报")
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"{self.period} {self.number}"

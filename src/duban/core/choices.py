"""Kinds and roles of the org tree (SPEC §1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    LEADERSHIP = "leadership", _("县领导班子")
    DEPARTMENT = "department", _("县直部门")
    TOWNSHIP = "township", _("乡镇")
    OFFICE = "office", _("专门机构")
    SECTION = "section", _("内设股室")
    VILLAGE = "village", _("村（社区）")


class UnitCategory(models.TextChoices):
    """The group a unit is ranked in when scores are compared (考核分类)."""

    DEPARTMENT = "department", _("县直部门")
    TOWNSHIP = "township", _("乡镇")
    UNRANKED = "unranked", _("不参与排名")


class Role(models.TextChoices):
    PRINCIPAL = "principal", _("主要领导")
    LEADER = "leader", _("分管领导")
    SUPERVISION = "supervision", _("督查室")
    UNIT_HEAD = "unit_head", _("单位一把手")
    LIAISON = "liaison", _("联络员")
    BUSINESS = "business", _("营商办")
    SAFETY = "safety", _("安委办")
    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITADMIN = "auditadmin", _("审计管理员")


# 三员分立 (MLPS 2.0): no account holds two of these, nor one of these and a business role.
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN})
BUSINESS_ROLES = frozenset(set(Role) - ADMIN_ROLES)


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("放假")
    WORKDAY = "workday", _("调休上班")


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILURE = "failure", _("失败")


class JobTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("定时")
    MANUAL = "manual", _("手动")


class JobState(models.TextChoices):
    RUNNING = "running", _("运行中")
    SUCCESS = "success", _("成功")
    FAILED = "failed", _("失败")

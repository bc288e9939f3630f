"""Pages of the three admins (系统管理员, 安全管理员, 审计管理员), each behind its own role."""

from django.urls import path

from duban.core.manage_views import audit_trail, charges, common, holidays, jobs, people, roles, units

urlpatterns = [
    path("", common.index, name="manage_index"),
    # system admin: units, accounts, leaders' charges, holiday table
    path("units/", units.unit_list, name="manage_unit_list"),
    path("units/new/", units.unit_create, name="manage_unit_create"),
    path("units/<int:pk>/", units.unit_edit, name="manage_unit_edit"),
    path("people/", people.person_list, name="manage_person_list"),
    path("people/new/", people.person_create, name="manage_person_create"),
    path("people/<int:pk>/", people.person_edit, name="manage_person_edit"),
    path("people/<int:pk>/password/", people.person_reset_password, name="manage_person_reset_password"),
    path("people/<int:pk>/unlock/", people.person_unlock, name="manage_person_unlock"),
    path("charges/", charges.charge_list, name="manage_charge_list"),
    path("charges/<int:pk>/remove/", charges.charge_remove, name="manage_charge_remove"),
    path("holidays/", holidays.holiday_list, name="manage_holiday_list"),
    path("holidays/<int:pk>/delete/", holidays.holiday_delete, name="manage_holiday_delete"),
    path("jobs/", jobs.job_list, name="manage_job_list"),
    path("jobs/<str:name>/run/", jobs.job_run_now, name="manage_job_run_now"),
    # security admin: roles
    path("roles/", roles.role_list, name="manage_role_list"),
    path("roles/<int:pk>/", roles.role_person, name="manage_role_person"),
    path("roles/<int:pk>/grant/", roles.role_grant, name="manage_role_grant"),
    path("roles/<int:pk>/revoke/", roles.role_revoke, name="manage_role_revoke"),
    # audit admin: the trail, read-only
    path("audit/", audit_trail.audit_list, name="manage_audit_list"),
    path("audit/verify/", audit_trail.audit_verify, name="manage_audit_verify"),
    path("audit/<int:seq>/", audit_trail.audit_detail, name="manage_audit_detail"),
]

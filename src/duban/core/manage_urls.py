"""Pages of the three admins (系统管理员, 安全管理员, 审计管理员), each behind its own role."""

urlpatterns: list = []

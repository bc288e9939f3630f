"""Key projects and investment (项目建设 / 招商引资, SPEC §6)."""

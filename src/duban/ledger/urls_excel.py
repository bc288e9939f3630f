"""/ledger/ import and export routes (kept apart from the page routes)."""

urlpatterns: list = []

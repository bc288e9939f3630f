"""The supervision pages, one module per subject: 督办记录 (actions.py), the ladder editor (ladder.py), the
notice template (notice.py), 中梗阻 analytics (analytics.py); routed by the one supervision/urls.py."""

from duban.supervision.selectors import (
    actions_for_matter,  # the ledger's task page lists a matter's actions
)

__all__ = ["actions_for_matter"]

"""The daily notice of the audit chain's head to every audit admin (SPEC §9: "sent to them daily").

Each night the chain is verified against the head kept the day before; if it is whole, its head is appended
to the head log (`core.audit.keep_head`) and sent to the audit admins' inboxes (and their e-mail / SMS,
held for the working morning like every non-urgent push), so a copy exists outside the server too. A
broken chain is not kept — keeping it would make the damage the new reference — and the notice is urgent.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from duban.core import audit
from duban.core.choices import Role
from duban.core.models import User
from duban.notify.services import Message, send

AUDIT_URL = "/manage/audit/"


def send_audit_head(now: dt.datetime) -> str:
    """Verify, keep and send today's head (or send the verdict of a broken chain); returns the job's summary."""
    auditors = list(User.objects.filter(is_active=True, role_grants__role=Role.AUDITADMIN).distinct().order_by("pk"))
    result = audit.verify()
    local = timezone.localtime(now)
    if result.ok:
        audit.keep_head("daily", now=now, head=(result.head_seq, result.head_hash))
        head = audit.format_head(result.head_seq, result.head_hash)
        title, urgent = f"审计链头 {local:%Y-%m-%d %H:%M}", False
        body = (f"截至 {local:%Y-%m-%d %H:%M}，审计链校验完整，共 {result.checked} 条记录。当前链头：\n\n{head}\n\n"
                "该链头已追加到服务器上的链头日志。请把本消息另行保存（转存到专用邮箱、打印或抄录），"
                "日后在“审计日志”页面校验时填入，即可查出此后被删除、截短或改写的记录。")
    else:
        title, urgent = "审计链校验未通过", True
        body = (f"{local:%Y-%m-%d %H:%M} 的每日校验发现{result}。本次未保存链头。"
                "请在“审计日志”页面核查被改动的记录，并按本单位的网络安全事件处置预案报告。")
    send(Message(recipient=person, title=title, body=body, url=AUDIT_URL, urgent=urgent, kind="audit.head")
         for person in auditors)
    verdict = f"链头 #{result.head_seq} 已保存" if result.ok else "审计链被破坏，未保存链头"
    return f"{verdict}，通知审计管理员 {len(auditors)} 人"

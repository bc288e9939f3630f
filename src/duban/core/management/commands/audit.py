"""`duban audit verify [--head SEQ:HASH]` checks the hash chain (against the newest kept head when no head is
given); `duban audit head` prints the current head; `duban audit keep` checks the chain and appends its head to
the head log (what the daily job and every backup do)."""

from django.core.management.base import BaseCommand, CommandError

from duban.core import audit


class Command(BaseCommand):
    help = "审计链：verify 校验审计记录是否被改动、删除或调换顺序；head 显示当前链头（SEQ:HASH），供另行保存；keep 校验后把链头追加到链头日志"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{verify,head,keep}")
        verify = actions.add_parser("verify", help="校验整条审计链；被破坏时退出码为 1")
        verify.add_argument(
            "--head", metavar="SEQ:HASH",
            help="此前保存的链头；校验时还要求链仍经过它，从而发现被截短或从该处起被改写的链（不给时以链头日志中最近保存的链头为准）",
        )
        actions.add_parser("head", help="只打印当前链头 SEQ:HASH（定时任务把它发到别处保存）")
        actions.add_parser("keep", help="校验审计链，通过后把当前链头追加到链头日志（DUBAN_AUDIT_HEAD_LOG）")

    def handle(self, *args, **opts):
        if opts["action"] == "head":
            self.stdout.write(audit.format_head(*audit.current_head()))
            return
        if opts["action"] == "keep":
            result = audit.verify()
            if not result.ok:
                raise CommandError(f"{result}；链头未保存。", returncode=1)
            kept = audit.keep_head("manual", head=(result.head_seq, result.head_hash))
            self.stdout.write(self.style.SUCCESS(f"已把链头 {audit.format_head(kept.seq, kept.hash)} 追加到 {audit.head_log()}"))
            return
        saved = opts.get("head")
        if saved and not _well_formed(saved):
            raise CommandError(f"--head 的格式应为 SEQ:HASH（例如 42:{'0' * 8}…，共 64 位十六进制），收到的是“{saved}”。", returncode=2)
        result = audit.verify(saved)
        head = audit.format_head(*audit.current_head())
        if result.ok:
            self.stdout.write(self.style.SUCCESS(str(result)))
            self.stdout.write(f"当前链头：{head}")
            return
        self.stdout.write(f"当前链头：{head}（链已被破坏，此链头不可信）")
        raise CommandError(str(result), returncode=1)


def _well_formed(text: str) -> bool:
    seq, sep, digest = text.strip().lstrip("#").rpartition(":")
    if sep and not seq.isdigit():
        return False
    digest = digest.strip().lower()
    return len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)

"""`duban demo`: load the demo county into an empty database and print a login for every role."""

from django.core.management.base import BaseCommand, CommandError

from duban.core import demo
from duban.core.choices import Role
from duban.core.errors import ServiceError


class Command(BaseCommand):
    help = "装入演示县（单位、领导、分管关系、各角色账号，以及各业务模块的演示数据，如执行力亮剑行动八条战线的任务台账）并列出登录名：duban demo [--if-empty] [--password 密码]"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="数据库里已有单位或人员时什么也不做，只列出演示账号")
        parser.add_argument("--password", default=demo.DEFAULT_PASSWORD, help=f"所有演示账号共用的密码（默认 {demo.DEFAULT_PASSWORD}）")

    def handle(self, *args, **opts):
        password = opts["password"]
        units, people = demo.existing_counts()
        if units or people:
            if not opts["if_empty"]:
                raise CommandError(demo.refusal_message(units, people))
            self.stdout.write(f"数据库里已有 {units} 个单位、{people} 个人员，未装入演示县。")
            self.stdout.write(demo.logins_table(password if demo.password_still(password) else None))
            return
        try:
            result = demo.load(password)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        roles = "，".join(f"{Role(r).label} {n}" for r, n in result.per_role.items())
        self.stdout.write(self.style.SUCCESS(
            f"演示县已装入：{result.units} 个单位，{result.people} 人，{result.charges} 条分管关系（用时 {result.seconds:.1f} 秒）。"
        ))
        self.stdout.write(f"各角色人数：{roles}")
        for story in result.stories:
            self.stdout.write(story.describe())
        self.stdout.write("")
        self.stdout.write(demo.logins_table(password))

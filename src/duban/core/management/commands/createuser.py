"""`duban createuser`: open an account from the command line (the first admins of a new installation)."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from duban.core import services
from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.core.models import Unit


class Command(BaseCommand):
    help = "新建账号：duban createuser 登录名 --name 姓名 [--unit 单位] [--role 角色 …] [--password 密码]"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="姓名")
        parser.add_argument("--unit", help="单位名称")
        parser.add_argument("--title", default="", help="职务")
        parser.add_argument("--phone", default="", help="手机号")
        parser.add_argument("--role", action="append", default=[], choices=Role.values, help="角色，可重复")
        parser.add_argument("--password", help="初始密码；不给则在终端输入")

    def handle(self, *args, **opts):
        unit = None
        if opts["unit"]:
            unit = Unit.objects.filter(name=opts["unit"]).first()
            if unit is None:
                raise CommandError(f"没有名为“{opts['unit']}”的单位。")
        password = opts["password"] or getpass.getpass("密码：")
        try:
            user = services.create_person(
                Actor.system("duban createuser"),
                username=opts["username"], full_name=opts["name"], unit=unit, title=opts["title"],
                phone=opts["phone"], password=password, roles=tuple(opts["role"]),
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        roles = "、".join(user.role_labels) or "无"
        self.stdout.write(self.style.SUCCESS(f"已创建账号 {user.username}（{user.full_name}），角色：{roles}"))

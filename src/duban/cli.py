"""The `duban` command: `serve`, `manage …`, and every management command of duban's own apps.

    duban serve [--host H] [--port P] [--workers N]
    duban demo | createuser | audit verify | backup -o FILE | restore FILE | …
    duban manage <any Django management command>
"""

from __future__ import annotations

import argparse
import os
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.settings")
    import django

    django.setup()


def own_commands() -> dict[str, str]:
    """Management commands defined by duban's apps (name → app), so new ones appear here by themselves."""
    from django.core.management import get_commands

    return {name: app for name, app in get_commands().items() if app.startswith("duban.")}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _setup()
    from django.core.management import execute_from_command_line

    commands = own_commands()
    if not argv or argv[0] in {"-h", "--help", "help"}:
        _usage(commands)
        return 0
    name, rest = argv[0], argv[1:]
    if name == "serve":
        return serve(rest)
    if name == "manage":
        execute_from_command_line(["duban manage", *rest])
        return 0
    if name in commands:
        execute_from_command_line(["duban", name, *rest])
        return 0
    print(f"duban: 没有“{name}”这个命令。可用的命令：serve、manage、" + "、".join(sorted(commands)), file=sys.stderr)
    return 2


def _usage(commands: dict[str, str]) -> None:
    print(__doc__.strip())
    print("\ncommands: serve, manage, " + ", ".join(sorted(commands)))
    print("`duban <command> --help` describes each one.")


def serve(args: list[str]) -> int:
    """Migrate, collect static files, then run gunicorn (a production server; static files via WhiteNoise)."""
    from django.conf import settings
    from django.core.management import call_command

    from duban.env import env_int, env_str

    parser = argparse.ArgumentParser(prog="duban serve", description="运行督办系统（生产级 Web 服务）")
    parser.add_argument("--host", default=env_str("DUBAN_HOST", "127.0.0.1", "address `duban serve` listens on"))
    parser.add_argument("--port", type=int, default=env_int("DUBAN_PORT", 8000, "port `duban serve` listens on", minimum=1))
    parser.add_argument("--workers", type=int, default=env_int("DUBAN_WEB_WORKERS", 2, "gunicorn worker processes", minimum=1))
    parser.add_argument("--no-migrate", action="store_true", help="不自动迁移数据库")
    opts = parser.parse_args(args)

    if not opts.no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)

    from django.db import connections
    from gunicorn.app.base import BaseApplication

    connections.close_all()  # never share a database connection across gunicorn's fork

    from duban.wsgi import application

    class _Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{opts.host}:{opts.port}")
            self.cfg.set("workers", opts.workers)
            self.cfg.set("threads", 4)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("timeout", 120)
            self.cfg.set("accesslog", "-")
            self.cfg.set("proc_name", "duban")
            self.cfg.set("control_socket_disable", True)  # one fixed socket path would clash between instances

        def load(self):
            return application

    print(f"督办系统已启动：http://{opts.host}:{opts.port}/  （数据目录 {settings.DATA_DIR}，Ctrl+C 停止）", flush=True)
    _Server().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``ansim serve [--host H] [--port P] [--data DIR]``: the dashboard, on waitress.

Phones on the device's Wi-Fi open ``http://<device>:<port>/``; the first visit creates the
admin account (there is no default password). See docs/dashboard.md.
"""

from detector.cli.context import context_from_args
from detector.cli.output import fail
from detector.i18n import t

DEFAULT_PORT = 8080


def register(subparsers, common):
    parser = subparsers.add_parser("serve", parents=[common], help=t("web.cli.help"))
    parser.add_argument("--host", help=t("web.cli.help_host"))
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=t("web.cli.help_port", port=DEFAULT_PORT))
    parser.set_defaults(func=run)


def run(args) -> int:
    from web import create_app  # noqa: PLC0415 (Flask loads only for this command)
    from web.server import make_server, server_address, stop  # noqa: PLC0415

    try:
        context = context_from_args(args)
        # On the handheld, phones on its hotspot must reach it; elsewhere stay local by default.
        host = args.host or ("0.0.0.0" if context.on_pi else "127.0.0.1")
        app = create_app({"data_dir": context.data_dir, "profile_path": args.profile,
                          "simulate": context.simulate})
        server = make_server(app, host, args.port)
    except (OSError, ValueError) as exc:
        return fail(exc)
    bound_host, bound_port = server_address(server)
    print(t("web.cli.listening", url=f"http://{bound_host}:{bound_port}/",
            data=str(context.data_dir)), flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        stop(app, server)
    return 0

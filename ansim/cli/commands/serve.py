"""``ansim serve [--host H] [--port P] [--data DIR] [--buttons] [--trusted-proxy ADDR]
[--screen-dir DIR]``: the dashboard, on waitress, and the handheld's buttons.

Phones on the device's Wi-Fi open ``http://<device>:<port>/``; the first visit creates the
admin account (there is no default password) with the one-time setup code this command prints
(on the Pi: into the service's journal) and, with ``--screen-dir`` (``/run/ansim`` on the Pi),
hands to the handheld's screen until setup is claimed (``detector.appliance.screen``). On the Pi, nginx is the front door on port 80 and this
serves on loopback behind it (``--trusted-proxy 127.0.0.1``, see firmware_config/nginx/).
See docs/dashboard.md and docs/threat-model.md.

On a Pi the buttons run an inspection of the site the profile's ``[handheld]`` table names, by
the inspector it names, on the same engine, event bus and step runner as the dashboard: a
button-started inspection shows live on the phones, and only one step runs at a time whichever
asked. Without that table the Pi serves the dashboard alone, and says so. Off the Pi,
``--buttons`` wires them to gpiozero's MockFactory pins (for tests and demonstrations); on it,
``--buttons`` insists on them (a profile without ``[handheld]`` is then an error). See
docs/device.md.

Ctrl+C (SIGINT) and systemd's stop (SIGTERM) both end it the same way
(``web.server.stop_on_signals``): open streams ended, a button-started step finished, the
handheld's buttons, buzzer and status light released, then exit 0.
"""

import argparse

from ansim.cli.context import context_from_args
from ansim.cli.output import fail
from detector.i18n import t

DEFAULT_PORT = 8080


def register(subparsers, common):
    parser = subparsers.add_parser("serve", parents=[common], help=t("web.cli.help"))
    parser.add_argument("--host", help=t("web.cli.help_host"))
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help=t("web.cli.help_port", port=DEFAULT_PORT))
    parser.add_argument("--buttons", action="store_true", help=t("web.cli.help_buttons"))
    parser.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDR",
                        help=t("web.cli.help_trusted_proxy"))
    parser.add_argument("--screen-dir", metavar="DIR", help=t("web.cli.help_screen_dir"))
    parser.set_defaults(func=run)


def start_buttons(app, profile, pin_factory):
    """The handheld's buttons and indicators driving the dashboard's own engine, bus and step
    runner, for the plan in ``profile`` (``ProfileError`` without a ``[handheld]`` table)."""
    from detector.appliance.handheld import EngineDriver, open_handheld, plan_for  # noqa: PLC0415

    svc = app.extensions["ansim"]
    driver = EngineDriver(svc.inspections, svc.steps)
    return open_handheld(profile, driver, plan_for(profile), svc.bus, pin_factory=pin_factory)


def port_number(text: str) -> int:
    """``--port``: a TCP port, 0 (any free one) to 65535. Refused otherwise: the socket layer
    would take 99999 as 99999 mod 65536 and listen somewhere nobody asked for."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(t("web.cli.error_port", value=text))
    return value


def run(args) -> int:
    # Flask and gpiozero load only for this command.
    from detector.appliance.handheld import plan_for  # noqa: PLC0415
    from hardware.gpio.pins import make_pin_factory  # noqa: PLC0415
    from web import create_app  # noqa: PLC0415
    from web.server import make_server, server_address, stop, stop_on_signals  # noqa: PLC0415

    handheld = None
    try:
        context = context_from_args(args)
        # On the handheld, phones on its hotspot must reach it; elsewhere stay local by default.
        host = args.host or ("0.0.0.0" if context.on_pi else "127.0.0.1")
        if args.buttons:
            plan_for(context.profile)  # refuse a profile without [handheld] before serving
        app = create_app({"data_dir": context.data_dir, "profile_path": args.profile,
                          "simulate": context.simulate,
                          "trusted_proxies": tuple(args.trusted_proxy),
                          "screen_dir": args.screen_dir})
        server = make_server(app, host, args.port)
        if args.buttons or (context.on_pi and context.profile.handheld is not None):
            # Real pins on the Pi (even when the radio and camera are simulated), mock ones off it.
            handheld = start_buttons(app, context.profile,
                                     make_pin_factory(simulate=not context.on_pi))
    except (OSError, ValueError) as exc:
        return fail(exc)
    bound_host, bound_port = server_address(server)
    stop_on_signals()
    try:  # Ctrl+C may come as soon as the first line is out
        print(t("web.cli.listening", url=f"http://{bound_host}:{bound_port}/",
                data=str(context.data_dir)), flush=True)
        if app.extensions["ansim"].setup_code:
            print(t("web.cli.setup_code", code=app.extensions["ansim"].setup_code), flush=True)
        _say_buttons(context, handheld)
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        if handheld is not None:
            handheld.close()
        stop(app, server)
    return 0


def _say_buttons(context, handheld) -> None:
    if handheld is not None:
        plan = handheld.controller.plan
        print(t("web.cli.buttons_on", site=plan.site_id, inspector=plan.inspector), flush=True)
    elif context.on_pi:
        print(t("web.cli.buttons_off", profile=context.profile.source), flush=True)

"""The city's coverage on the hub, for supervisors: every district's inspections, verdicts and
overdue sites over a week, one district's sites, a four-week trend, and a CSV for the city's
own reports. Registered only on the hub. Reads ``detector.hub.coverage``'s summary of the
records taken in, never the records themselves, so it answers at a city's scale.

``GET /city`` and ``/city/<district>`` are the pages (server-rendered, no script needed);
``GET /api/city``, ``/api/city/districts/<district>`` and ``/api/city/export.csv`` the same as
data. Each takes ``?date=YYYY-MM-DD`` (the city's day; today by default) and
``?window=day|week`` (the inspections of that day alone, or of the week ending on it; a week by
default).
"""

import csv
import functools
import io
from datetime import date

from flask import Blueprint, Response, jsonify, render_template, request

from detector.hub.coverage import (
    UNASSIGNED,
    VERDICTS,
    WINDOW_DAYS,
    city_today,
    city_view,
    district_view,
)
from detector.log.csv_cells import neutralise
from web.accounts import REVIEW_ROLES
from web.errors import bad_request
from web.lang import text as t
from web.security import requires
from web.services import services

bp = Blueprint("city", __name__)
CSV_COLUMNS = ("district", "sites", "scheduled", "inspected_sites", "overdue", "inspections",
               *VERDICTS, "alerts", "weak_presence")
WINDOWS = {"day": 1, "week": WINDOW_DAYS}
#: What each district's card shows, in this order, and its label.
FIGURES = (("sites", "city.sites"), ("inspected_sites", "city.inspected_sites"),
           ("overdue", "city.overdue"), ("inspections", "city.inspections"),
           *((v, f"city.verdict.{v}") for v in VERDICTS), ("alerts", "city.alerts"),
           ("weak_presence", "city.weak_presence"))


def on_day(view):
    """Call ``view`` with the city day asked for (``?date=``, today in the city by default)
    and the window's length in days (``?window=day|week``); 400 when either is not one."""

    @functools.wraps(view)
    def with_day(*args, **kwargs):
        text = request.args.get("date")
        try:
            day = date.fromisoformat(text) if text else city_today(services().clock.now())
        except ValueError:
            return bad_request("date")
        window = request.args.get("window", "week")
        if window not in WINDOWS:
            return bad_request("window")
        return view(*args, day=day, window_days=WINDOWS[window], **kwargs)

    return with_day


@bp.route("/city")
@requires(*REVIEW_ROLES)
@on_day
def city_page(day, window_days):
    view = city_view(services().inspections.store, day, window_days=window_days)
    return render_template("city.html", view=view, unassigned=UNASSIGNED, figures=FIGURES,
                           window=_window_name(window_days))


@bp.route("/city/<district>")
@requires(*REVIEW_ROLES)
@on_day
def district_page(district, day, window_days):
    view = district_view(services().inspections.store, district, day, window_days=window_days)
    return render_template("city_district.html", view=view, verdicts=VERDICTS,
                           window=_window_name(window_days))


@bp.route("/api/city")
@requires(*REVIEW_ROLES)
@on_day
def city_data(day, window_days):
    return jsonify(city_view(services().inspections.store, day, window_days=window_days))


@bp.route("/api/city/districts/<district>")
@requires(*REVIEW_ROLES)
@on_day
def district_data(district, day, window_days):
    return jsonify(district_view(services().inspections.store, district, day,
                                 window_days=window_days))


@bp.route("/api/city/export.csv")
@requires(*REVIEW_ROLES)
@on_day
def export(day, window_days):
    """Every district's row and the city's total, with a byte-order mark so that Excel on a
    Korean Windows reads the Hangul."""
    view = city_view(services().inspections.store, day, window_days=window_days)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["date", "window_first", "window_last", *CSV_COLUMNS])
    for row in [*view["districts"], {**view["totals"], "district": t("city.total")}]:
        writer.writerow([view["date"], *view["window"],
                         neutralise(row["district"] or t("city.no_district")),
                         *[row[c] for c in CSV_COLUMNS[1:]]])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="ansim-city-{view["date"]}-'
                               f'{_window_name(window_days)}.csv"'})


def _window_name(window_days: int) -> str:
    return next(name for name, days in WINDOWS.items() if days == window_days)

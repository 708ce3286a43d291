"""The programme overview, the reach report with its CSV exports, and the report audit log.

Who sees individual figures is decided here, once (`_individuals`): in works-council mode
nobody with the HR role, and others only of people who joined the leaderboard.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Response, abort, current_app, render_template, request
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from advocacy.admin.services import ProgrammeSettings, get_settings
from advocacy.content.services import list_campaigns
from advocacy.core.models import AuditEvent
from advocacy.core.services import audit
from advocacy.db import get_session, paginate, utcnow
from advocacy.people.models import User
from advocacy.people.services import count_by_tier, kind_labels, list_groups, list_tiers
from advocacy.providers.registry import NETWORKS
from advocacy.reports import activity, bp, charts, exports, health, reach, services
from advocacy.reports.forms import ReachForm
from advocacy.reports.periods import Period, make_period
from advocacy.security import role_required


@bp.get("/")
@role_required("hr", "comms", "admin")
def overview() -> str:
    db = get_session()
    return render_template(
        "reports/overview.html",
        enrolled=services.enrolled_people(db),
        tiers=list_tiers(db),
        tier_counts=count_by_tier(db),
        groups=services.people_per_group(db),
        kind_labels=kind_labels(),
    )


@bp.get("/health")
@role_required("comms", "admin")
def programme_health() -> str:
    db = get_session()
    settings = get_settings(db)
    k = settings.suppression_k
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    report = health.build(db, utcnow(), zone, k)
    chart = charts.bar_chart(
        _("Active advocates per month"), [format_date(m.key, "MMM yy")
                                          for m in report.months],
        [[None if m.suppressed else m.people for m in report.months]])
    return render_template("reports/health.html", health=report, chart=chart, k=k,
                           networks=NETWORKS, per_100=health.ITEMS_PER_100)


def _individuals(settings: ProgrammeSettings) -> str:
    if not settings.individual_reports:
        return "none"
    if not settings.works_council_mode:
        return "all"
    return "none" if current_user.has_role("hr") else "opted_in"


def _form() -> tuple[ReachForm, dict[str, Any]]:
    db = get_session()
    tiers, groups, campaigns = list_tiers(db), list_groups(db), list_campaigns(db)
    form = ReachForm(request.args)
    every = ("", _("All"))
    form.tier.choices = [every] + [(str(t.id), t.name) for t in tiers]
    form.group.choices = [every] + [(str(g.id), g.name) for g in groups]
    form.network.choices = [every] + [(key, n.label) for key, n in NETWORKS.items()]
    form.campaign.choices = [every] + [(str(c.id), c.name) for c in campaigns]
    names = {
        "tier": {t.id: t.name for t in tiers},
        "group": {g.id: g.name for g in groups},
        "network": {key: n.label for key, n in NETWORKS.items()},
        "campaign": {c.id: c.name for c in campaigns},
    }
    return form, names


def _request(form: ReachForm) -> reach.Request:
    today = utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
    kind = form.period.data if form.period.data in ("week", "month", "quarter", "custom") \
        else "quarter"
    if kind == "custom" and form.first.data and form.last.data and not form.first.errors:
        period = make_period("custom", form.first.data, form.last.data)
    else:
        kind = "quarter" if kind == "custom" else kind
        period = make_period(kind, form.day.data or today)
    filters = reach.Filters(
        tier=form.tier.data, group=form.group.data, network=form.network.data or None,
        campaign=form.campaign.data)
    by = form.by.data if form.by.data in activity.SLICES else "tier"
    return reach.Request(period, filters, by)


def _describe(req: reach.Request) -> str:
    """How the audit log names a report: period, table and filters, in plain words."""
    filters = ", ".join(f"{name}={getattr(req.filters, name)}" for name in req.filters.active())
    return (f"{req.period.kind} {req.period.first.isoformat()}..{req.period.last.isoformat()}"
            f" by {req.by}" + (f"; {filters}" if filters else ""))


def _label(names: dict[str, dict[Any, str]], by: str, key: Any) -> str:
    if key is None:
        return {"campaign": _("No campaign"), "tier": _("Former colleagues")}.get(by, "")
    return names[by].get(key, str(key))


def _period_label(period: Period) -> str:
    return f"{format_date(period.first, 'medium')} – {format_date(period.last, 'medium')}"


def _wrong_days(form: ReachForm) -> bool:
    """Chosen days that cannot be shown (the last before the first, too many): the page
    says so instead of quietly showing another period."""
    return form.period.data == "custom" and bool(form.first.errors)


def _load() -> tuple[ReachForm, dict[str, Any], reach.Request, reach.Report, ProgrammeSettings]:
    db = get_session()
    settings = get_settings(db)
    form, names = _form()
    form.validate()
    if _wrong_days(form):
        abort(400, description=form.first.errors[0])
    req = _request(form)
    k = settings.suppression_k
    report = reach.build(db, req, k, _individuals(settings),
                         services.parse_rates(settings.emv_rates))
    return form, names, req, report, settings


@bp.get("/reach")
@role_required("hr", "comms", "admin")
def reach_report() -> str | tuple[str, int]:
    probe, _names = _form()
    probe.validate()
    if _wrong_days(probe):
        today = utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
        return render_template("reports/reach.html", form=probe, report=None,
                               req=reach.Request(make_period("quarter", today),
                                                 reach.Filters(), "tier")), 400
    form, names, req, report, settings = _load()
    db = get_session()
    audit(db, current_user.id, "report.viewed", _describe(req), utcnow())
    db.commit()
    trend_chart = rows_chart = None
    if report.refused is None:
        trend_chart = charts.bar_chart(
            _("Clicks per day") if report.trend and report.trend[0].first == report.trend[0].last
            else _("Clicks per month"),
            [_point_label(point) for point in report.trend],
            [[p.cell.clicks if p.cell.shows("clicks") else None for p in report.trend]])
        rows_chart = charts.bar_chart(
            _("Clicks, this period and the one before"),
            [_label(names, req.by, row.key) for row in report.rows],
            [[row.current.clicks if row.current.shows("clicks") else None
              for row in report.rows],
             [row.previous.clicks if row.previous.shows("clicks") else None
              for row in report.rows]])
    return render_template(
        "reports/reach.html", form=form, report=report, req=req, names=names,
        label=lambda key: _label(names, req.by, key), period_label=_period_label,
        point_label=_point_label, trend_chart=trend_chart, rows_chart=rows_chart,
        rates=services.parse_rates(settings.emv_rates), query=request.args.to_dict(),
        refusal=_refusal_text(report) if report.refused else None,
        slice_heading={"tier": _("By tier"), "group": _("By group"), "network": _("By network"),
                       "campaign": _("By campaign")}[req.by])


@bp.get("/summary")
@role_required("hr", "comms", "admin")
def quarterly_summary() -> str:
    """The quarter on one page that prints cleanly: totals, tiers, networks, months and
    the top items and topics, protected like the reach report."""
    db = get_session()
    settings = get_settings(db)
    today = utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
    day = request.args.get("day", type=_iso_date) or today
    period = make_period("quarter", day)
    k = settings.suppression_k
    rates = services.parse_rates(settings.emv_rates)
    report = reach.build(db, reach.Request(period, reach.Filters(), "tier"), k, "none", rates)
    by_network = reach.build(db, reach.Request(period, reach.Filters(), "network"), k, "none",
                             rates)
    audit(db, current_user.id, "report.viewed", f"summary {_describe(report.request)}", utcnow())
    db.commit()
    _unused_form, names = _form()
    chart = charts.bar_chart(
        _("Clicks per month"), [_point_label(point) for point in report.trend],
        [[p.cell.clicks if p.cell.shows("clicks") else None for p in report.trend]])
    return render_template(
        "reports/summary.html", report=report, network_rows=by_network.rows, chart=chart,
        period_label=_period_label, point_label=_point_label, names=names,
        tier_label=lambda key: _label(names, "tier", key),
        network_label=lambda key: _label(names, "network", key),
        earlier=report.previous.first, later=period.last + dt.timedelta(days=1),
        has_later=period.last < today, printed=utcnow())


def _iso_date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _point_label(point: reach.Point) -> str:
    if point.first == point.last:
        return format_date(point.first, "d.M.")
    return format_date(point.first, "MMM yy")


TABLES = ("totals", "rows", "trend", "items", "topics", "advocates")


@bp.get("/reach.csv")
@role_required("hr", "comms", "admin")
def reach_csv() -> Response:
    table = request.args.get("table", "rows")
    if table not in TABLES:
        abort(404)
    _unused_form, names, req, report, _settings = _load()
    if report.refused is not None:
        abort(400, description=_refusal_text(report))
    if table == "advocates" and report.advocates is None:
        abort(403)
    semicolon = request.args.get("sep") == "semicolon"
    header, rows = _table(table, report, names, req, semicolon)
    db = get_session()
    audit(db, current_user.id, "report.exported", f"{table}: {_describe(req)}", utcnow())
    db.commit()
    body = exports.to_csv(header, rows, semicolon)
    filename = f"reach-{table}-{req.period.first.isoformat()}-{req.period.last.isoformat()}.csv"
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _refusal_text(report: reach.Report) -> str:
    return refusal_text(report.refused or "", report.k or 0)


def refusal_text(reason: str, k: int) -> str:
    if reason == "selection":
        return _("This selection covers fewer than %(k)d people. To protect individuals, "
                 "choose a wider tier or group.", k=k)
    return _("Together with the report without this filter, this one would reveal the "
             "figures of fewer than %(k)d people. To protect individuals, remove a filter "
             "or choose a wider one.", k=k)


def slice_name(by: str) -> str:
    return {"tier": _("Tier"), "group": _("Group"), "network": _("Network"),
            "campaign": _("Campaign")}[by]


# The columns of a cell in the exports: header, attribute, and the part it belongs to
# (see `advocacy.suppression`); enrolled people are shown even where the figures are not.
FIGURE_COLUMNS = (
    (_l("Active advocates"), "people", "cell"), (_l("Enrolled"), "population", None),
    (_l("Participation (%)"), "participation", "cell"), (_l("Shares"), "shares", "cell"),
    (_l("Shares by API"), "api_shares", "split"),
    (_l("Shares by link"), "link_shares", "split"),
    (_l("Clicks (measured)"), "clicks", "clicks"),
    (_l("Potential reach (estimated)"), "reach", "reach"),
    (_l("Reach from follower counts of accounts (estimated)"), "follower_reach",
     "followers"),
    (_l("Shares with such a count (%)"), "follower_coverage", "followers"),
    (_l("Reach from follower counts people entered (self-reported)"), "reported_reach",
     "reported"),
    (_l("Shares with an entered count (%)"), "reported_coverage", "reported"),
    (_l("Shares with no reach figure (%)"), "unreached_coverage", "reach"),
    (_l("Interactions (measured)"), "interactions", "measured"),
    (_l("Engagement rate (%)"), "engagement_rate", "measured"),
    (_l("Impressions (measured)"), "impressions", "impressions"),
    (_l("Shares with impressions (%)"), "impressions_coverage", "impressions"),
    (_l("CTR (%)"), "ctr", "impressions"))


def _fewer(k: int | None) -> str:
    return _("fewer than %(k)d", k=k or 0)


def _figure_values(cell: reach.Figures, k: int | None) -> list[Any]:
    return [getattr(cell, name) if part is None or cell.shows(part) else _fewer(k)
            for _header, name, part in FIGURE_COLUMNS]


def _emv_values(value: reach.Value | None, k: int | None) -> list[Any]:
    if value is None:
        return [None, None]
    return [_fewer(k) if part is None else part for part in (value.impressions, value.clicks)]


def _table(table: str, report: reach.Report, names: dict[str, dict[Any, str]],
           req: reach.Request, semicolon: bool) -> tuple[list[str], list[list[Any]]]:
    figures_header = [str(header) for header, _name, _part in FIGURE_COLUMNS]
    if table == "totals":
        assert report.total is not None
        return ([_("Period"), _("From"), _("To"), *figures_header,
                 _("EMV of impressions (€, estimated)"), _("EMV of clicks (€, estimated)")],
                [[_("This period"), req.period.first.isoformat(), req.period.last.isoformat(),
                  *_figure_values(report.total.current, report.k),
                  *_emv_values(report.emv[0], report.k)],
                 [_("Previous period"), report.previous.first.isoformat(),
                  report.previous.last.isoformat(),
                  *_figure_values(report.total.previous, report.k),
                  *_emv_values(report.emv[1], report.k)]])
    if table == "rows":
        header = [slice_name(req.by), _("Period")]
        rows = []
        for row in report.rows:
            for which, cell in ((_("This period"), row.current),
                                (_("Previous period"), row.previous)):
                rows.append([_label(names, req.by, row.key), which,
                             *_figure_values(cell, report.k)])
        return header + figures_header, rows
    if table == "trend":
        return ([_("From"), _("To"), _("Active advocates"), _("Shares"), _("Clicks (measured)"),
                 _("Potential reach (estimated)")],
                [[p.first.isoformat(), p.last.isoformat(),
                  *(_fewer(report.k) if not p.cell.shows(part) else getattr(p.cell, name)
                    for name, part in (("people", "cell"), ("shares", "cell"),
                                       ("clicks", "clicks"), ("reach", "reach")))]
                 for p in report.trend])
    if table in ("items", "topics"):
        ranked = report.items if table == "items" else report.topics
        return ([_("Item") if table == "items" else _("Topic"), _("Shares"),
                 _("Clicks (measured)"), _("Potential reach (estimated)")],
                [[r.name, r.shares, _fewer(report.k) if r.clicks is None else r.clicks, r.reach]
                 for r in ranked])
    assert report.advocates is not None
    return ([_("Person"), _("Shares"), _("Clicks (measured)"), _("Potential reach (estimated)")],
            [[a.name, a.shares, a.clicks, a.reach] for a in report.advocates])


@bp.get("/audit")
@role_required("admin")
def audit_log() -> str:
    """Who viewed or exported which report: two queries, the page and the names on it."""
    db = get_session()
    page = paginate(db, sa.select(AuditEvent).where(AuditEvent.action.like("report.%")),
                    request.args.get("page", 1, type=int), 50,
                    AuditEvent.created_at.desc(), AuditEvent.id.desc())
    actors = {event.actor_id for event in page.items if event.actor_id is not None}
    names = dict(db.execute(sa.select(User.id, User.name).where(User.id.in_(actors))).all()) \
        if actors else {}
    return render_template("reports/audit.html", page=page, names=names)


@bp.app_template_filter("num")
def number_filter(value: float | int | None) -> str:
    """A figure in the reader's locale ("12.345" in German); a dash where there is none."""
    if value is None:
        return "–"
    return format_decimal(value, "#,##0.##" if isinstance(value, float) else "#,##0")


@bp.app_template_filter("pct")
def percent_filter(value: float | None) -> str:
    return "–" if value is None else format_decimal(value, "#,##0.0") + " %"

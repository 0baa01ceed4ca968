"""The `dryneedling` command. Bad input: one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_USAGE = 2
# The path without its query string (%(U)s): searches carry patient names, and logs must not.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(message)


ROLE_CHOICES = ["clinician", "front_desk", "clinic_admin"]


def _django(*, demo: bool = False) -> None:
    if demo:
        os.environ["DRYNEEDLING_DEMO"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dryneedling.settings")
    import django

    django.setup()


def _migrate(verbosity: int = 1) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def _var_dir() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR)


def _gunicorn(bind: str, workers: int) -> int:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "dryneedling.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        "127.0.0.1",
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        # Each instance its own control socket: gunicorn's shared default lets two servers on one
        # machine clobber each other's.
        "--control-socket",
        str(_var_dir() / f"gunicorn-{os.getpid()}.ctl"),
    ]
    try:
        return subprocess.call(command)  # noqa: S603 - fixed argv, no shell
    except KeyboardInterrupt:
        return 0


def public_url_for_bind(bind: str) -> str | None:
    """The public URL of a server bound to `bind` ("127.0.0.1:8001", "localhost:8000",
    "[::1]:8000"). A wildcard host (0.0.0.0, ::) is reached as 127.0.0.1 from this machine only;
    a unix socket has no URL."""
    if bind.startswith(("unix:", "fd://")):
        return None
    host, _, port = bind.rpartition(":")
    if not host:  # gunicorn reads "8001" as a port on 127.0.0.1
        host, port = "127.0.0.1", bind
    if not port.isdigit():
        return None
    if host in ("0.0.0.0", "[::]", "::", "*"):  # noqa: S104 - recognising a wildcard, not binding one
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def _public_url_from(bind: str) -> str | None:
    """Unless DRYNEEDLING_PUBLIC_URL is configured, patient links use the address this server
    binds (set before Django reads its settings, inherited by the gunicorn workers). Returns the
    URL it set, None when the variable was configured (or the bind has no URL)."""
    if os.environ.get("DRYNEEDLING_PUBLIC_URL"):
        return None
    url = public_url_for_bind(bind)
    if url:
        os.environ["DRYNEEDLING_PUBLIC_URL"] = url
    return url


def _record_instance(**values: object) -> None:
    """Remember in the var dir what later commands need (var/instance.json, see settings): that it
    holds the demo database, and the public URL of the server. Written atomically."""
    from django.conf import settings

    path = _var_dir() / settings.INSTANCE_FILE
    try:
        current = json.loads(path.read_text())
    except (OSError, ValueError):
        current = {}
    if not isinstance(current, dict):
        current = {}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(current | values, indent=2) + "\n")
    temporary.replace(path)


def cmd_demo(args: argparse.Namespace) -> int:
    _public_url_from(args.bind)
    _django(demo=True)
    from django.conf import settings

    from dryneedling.demo import DEMO_PASSWORD, DEMO_TOTP_KEY_BASE32, demo_load

    print(f"Database: {settings.DATABASES['default']['NAME']}")
    _migrate(verbosity=0)
    logins = demo_load()
    # Every later command in this var dir (send-due, stats, serve) finds the demo database and
    # its settings without a variable; links for patients point to this server.
    public_url = os.environ.get("DRYNEEDLING_PUBLIC_URL") or settings.PUBLIC_BASE_URL
    _record_instance(demo=True, public_url=public_url)
    if args.no_serve:
        print(f"Demo data ready; serve it with `dryneedling serve --bind {args.bind}`.")
        return 0
    url = f"http://{args.bind}/"
    print("\n  dryneedling demo is starting at", url)
    print(f"  Sign in with any of these (password for all: {DEMO_PASSWORD}):")
    for email, role, clinic in logins:
        print(f"    {email:<20} {role:<24} {clinic}")
    print("  Clinicians and admins then enter a two-factor code: run `dryneedling demo-code` (or")
    print(f"  `.venv/bin/dryneedling demo-code`) for the current one, or add the key {DEMO_TOTP_KEY_BASE32}")
    print("  to an authenticator app. Front desk signs in with the password alone.")
    print(f"  Links for patients (check-in, consent, home care) start with {public_url}.")
    print("  Stop with Ctrl-C. Data is synthetic.\n", flush=True)
    return _gunicorn(args.bind, args.workers)


def cmd_demo_code(args: argparse.Namespace) -> int:
    """The demo authenticator's current code. Knows only the published demo key, no real account's."""
    _django(demo=True)
    from dryneedling.demo import demo_totp_code

    print(demo_totp_code())
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    derived = _public_url_from(args.bind)
    _django()
    from django.conf import settings
    from django.core.management import call_command

    if not (settings.DEBUG or settings.DEMO):
        call_command("collectstatic", interactive=False, verbosity=0)
    if derived:
        # send-due, run later from cron or a shell, writes the same links as this server.
        _record_instance(public_url=derived)
        print(
            f"dryneedling: links for patients start with {derived} "
            "(set DRYNEEDLING_PUBLIC_URL to the address patients use)",
            file=sys.stderr,
            flush=True,
        )
    return _gunicorn(args.bind, args.workers)


def cmd_migrate(args: argparse.Namespace) -> int:
    _django()
    _migrate()
    return 0


def _clinic(slug: str):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.models import Clinic

    clinic = Clinic.objects.filter(slug=slug).first()
    if clinic is None:
        raise CliError(f"no clinic with slug {slug!r} (see `dryneedling createclinic`)")
    return clinic


def cmd_seed(args: argparse.Namespace) -> int:
    _django()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from dryneedling.accounts.models import Clinic
    from dryneedling.accounts.services import clinic_create
    from dryneedling.synthetic.loader import seed_clinic

    if args.patients < 1:
        raise CliError("--patients must be at least 1")
    if Clinic.objects.filter(slug=args.clinic).exists():
        clinic = _clinic(args.clinic)
    else:
        clinic = clinic_create(name=args.clinic.replace("-", " ").title(), slug=args.clinic)
    columns = (TextColumn("seeding"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, disable=args.quiet) as progress:
        task = progress.add_task("patients", total=args.patients)
        totals = seed_clinic(
            clinic=clinic,
            patients=args.patients,
            seed=args.seed,
            progress=lambda n: progress.advance(task, n),
            treatment=not args.no_treatment,
        )
    print(json.dumps({"clinic": clinic.slug, **totals}))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    _django()
    from dryneedling.reports.stats import stats_all

    print(json.dumps(stats_all(), indent=2))
    return 0


def cmd_createclinic(args: argparse.Namespace) -> int:
    _django()
    from dryneedling.accounts.services import clinic_create

    clinic = clinic_create(name=args.name, slug=args.slug)
    print(json.dumps({"id": clinic.pk, "slug": clinic.slug, "name": clinic.name}))
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    _django()
    from dryneedling.accounts.services import user_create

    generated = False
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Password: ")
    else:
        password, generated = secrets.token_urlsafe(16), True
    also = [role for role in args.also if role != args.role]
    user = user_create(
        email=args.email, full_name=args.name, clinic=_clinic(args.clinic), role=args.role, also=also, password=password
    )
    roles = [args.role, *dict.fromkeys(also)]
    print(json.dumps({"id": user.pk, "email": user.email, "role": args.role, "roles": roles, "clinic": args.clinic}))
    if generated:
        print(f"generated password: {password}", file=sys.stderr)
    return 0


def cmd_roles(args: argparse.Namespace) -> int:
    _django()
    from dryneedling.accounts.permissions import permissions_table

    print(permissions_table(), end="")
    return 0


def cmd_send_due(args: argparse.Namespace) -> int:
    _django()
    from dryneedling.accounts.dbstats import planner_statistics_refresh
    from dryneedling.care.soreness_reminders import soreness_reminders_send_due
    from dryneedling.fhir.jobs import exports_expire, exports_run_due
    from dryneedling.followup.services import send_due
    from dryneedling.interop.csv_import.uploads import csv_uploads_expire
    from dryneedling.reports.analytics.services import cusum_signals_check_all
    from dryneedling.reports.analytics.stored import dashboard_figures_refresh_stale
    from dryneedling.reports.response.stored import response_figures_refresh_stale
    from dryneedling.scheduling.services import reminders_send_due

    # The console email and SMS backends print each message; stdout stays the one JSON line.
    with contextlib.redirect_stdout(sys.stderr):
        appointments = reminders_send_due(limit=args.limit)
        sent = send_due(limit=args.limit)
        soreness_later = soreness_reminders_send_due(limit=args.limit)  # the 48 and 72 h readings
        signals = cusum_signals_check_all()  # each clinician's serious-event CUSUM, mailed to the admins once
        refreshed = response_figures_refresh_stale()  # "What predicts response" older than its maximum age
        dashboards = dashboard_figures_refresh_stale()  # the dashboard's whole-clinic and per-clinician figures
        exports = exports_run_due(limit=args.limit)  # FHIR Bulk Data exports waiting (or whose runner died)
        expired = exports_expire()  # and the files of those past FHIR_EXPORT_HOURS
        uploads = csv_uploads_expire()  # CSV import uploads past their 24 hours (patient lists)
    planner_statistics_refresh()  # the periodic job keeps SQLite's planner statistics current
    # "sent" (check-in reminders) stays last: scripts read it as before.
    counts = {"appointment_reminders": appointments, "soreness_reminders": soreness_later, "cusum_signals": signals}
    figures = {"response_figures_refreshed": refreshed, "dashboard_figures_refreshed": dashboards}
    bulk = {"fhir_exports_run": exports, "fhir_exports_expired": expired, "csv_uploads_expired": uploads}
    print(json.dumps({**counts, **figures, **bulk, "sent": sent}))
    return 0


def cmd_export_research(args: argparse.Namespace) -> int:
    _django()
    from dryneedling.accounts.models import Clinic
    from dryneedling.reports.research.export import ExportError, export_research

    if args.clinic:
        clinic = _clinic(args.clinic)
    else:
        slugs = list(Clinic.objects.order_by("slug").values_list("slug", flat=True)[:2])
        if len(slugs) != 1:
            raise CliError("name the clinic with --clinic SLUG (this database has " + (
                "no clinic)" if not slugs else "several)"))  # fmt: skip
        clinic = _clinic(slugs[0])
    try:
        result = export_research(clinic=clinic, out=Path(args.out))
    except ExportError as error:
        raise CliError(str(error)) from error
    rate = round(result.total / result.seconds) if result.seconds else None
    print(
        json.dumps(
            {"out": str(result.out), "rows": result.rows, "seconds": round(result.seconds, 2), "rows_per_s": rate}
        )
    )
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dryneedling manage", *args.rest])
    return 0


def cmd_kb(args: argparse.Namespace) -> int:
    from dryneedling.clinical import commands

    if args.kb_command == "check":
        return commands.kb_check(sys.stdout)
    return commands.kb_muscle(args.muscle_id, sys.stdout)


def cmd_screen(args: argparse.Namespace) -> int:
    from dryneedling.clinical import commands

    return commands.screen_file(
        args.answers, args.json, sys.stdout, sys.stderr, age_of_consent=args.age_of_consent, sex=args.sex
    )


def cmd_guardrails(args: argparse.Namespace) -> int:
    from dryneedling.clinical.safety.command import guardrails_file

    return guardrails_file(args.plan, args.json, sys.stdout, sys.stderr)


def cmd_api_token(args: argparse.Namespace) -> int:
    """Create, list or revoke a user's personal API tokens (issue 13); audited like the browser's."""
    _django()
    from django.core.exceptions import PermissionDenied

    from dryneedling.accounts.api_tokens import api_token_create, api_token_revoke, api_tokens_for
    from dryneedling.accounts.models import User

    user = User.objects.filter(email__iexact=args.user, is_active=True).first()
    if user is None:
        raise CliError(f"no active user with the email {args.user}")
    try:
        if args.step == "create":
            made = api_token_create(actor=user, name=args.name, scope=args.scope, days=args.days, via="cli")
            print(made.plaintext)  # the one time it is shown
            print(f"expires {made.token.expires_at:%Y-%m-%d}; shown once, keep it like a password", file=sys.stderr)
        elif args.step == "list":
            for t in api_tokens_for(actor=user):
                state = "revoked" if t.revoked_at else f"expires {t.expires_at:%Y-%m-%d}"
                print(f"{t.pk}\tdn_{t.prefix}_…\t{t.scope}\t{state}\t{t.user.email}\t{t.name}")
        else:
            token = api_tokens_for(actor=user).filter(prefix=args.prefix).first()
            if token is None:
                raise CliError(f"{args.user} has no token dn_{args.prefix}_… they may revoke")
            api_token_revoke(actor=user, token_id=token.pk, via="cli")
            print(f"revoked dn_{token.prefix}_…")
    except PermissionDenied as error:
        raise CliError(str(error)) from error
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the whole database while the clinic keeps working (issue 14), audited."""
    _django()
    from django.conf import settings

    from dryneedling.accounts.audit import audit_record
    from dryneedling.ops.backup import BackupError, backup

    try:
        done = backup(settings.DATABASES["default"], Path(args.out))
    except BackupError as error:
        raise CliError(str(error)) from error
    summary = {"out": str(done.path), "engine": done.engine, "bytes": done.bytes, "seconds": round(done.seconds, 2)}
    audit_record(actor=None, action="database.backup", object_type="database",
                 detail={"via": "cli", "engine": done.engine, "bytes": done.bytes})  # fmt: skip
    print(json.dumps(summary))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """A backup into an empty database only (no --force: docs/decisions.md, issue 14), audited there."""
    _django()
    from django.conf import settings

    from dryneedling.accounts.audit import audit_record
    from dryneedling.accounts.models import Outcome
    from dryneedling.ops.backup import BackupError, NotEmpty, restore

    source = Path(args.file)
    try:
        done = restore(settings.DATABASES["default"], source)
    except NotEmpty as error:
        audit_record(actor=None, action="database.restore", object_type="database", outcome=Outcome.DENIED,
                     detail={"via": "cli", "file": source.name, "why": "not empty"})  # fmt: skip
        raise CliError(str(error)) from error
    except BackupError as error:
        raise CliError(str(error)) from error
    audit_record(actor=None, action="database.restore", object_type="database",
                 detail={"via": "cli", "engine": done.engine, "bytes": done.bytes, "file": source.name})  # fmt: skip
    print(json.dumps({"restored": str(source), "engine": done.engine, "seconds": round(done.seconds, 2)}))
    return 0


def build_parser() -> Parser:
    parser = Parser(prog="dryneedling", description="A clinical system for trigger-point dry needling.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser("demo", help="migrate the SQLite database, load the demo clinic, serve it")
    p.add_argument("--bind", default="127.0.0.1:8000")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--no-serve", action="store_true", help="migrate and load the demo data, then exit")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("demo-code", help="print the demo users' current two-factor code (demo key only)")
    p.set_defaults(func=cmd_demo_code)

    p = sub.add_parser("serve", help="serve the app with gunicorn")
    p.add_argument("--bind", default=os.environ.get("DRYNEEDLING_BIND", "127.0.0.1:8000"))
    p.add_argument("--workers", type=int, default=int(os.environ.get("DRYNEEDLING_WORKERS", "3")))
    p.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)

    p = sub.add_parser("seed", help="insert synthetic patients in bulk")
    p.add_argument("--patients", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--clinic", default="synthetic", help="clinic slug (created if missing)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-treatment", action="store_true", help="patients and episodes only (no screenings, sessions)")
    p.set_defaults(func=cmd_seed)

    sub.add_parser("stats", help="counts of the main records per clinic, as JSON").set_defaults(func=cmd_stats)

    p = sub.add_parser("createclinic", help="create a clinic")
    p.add_argument("--name", required=True)
    p.add_argument("--slug", required=True)
    p.set_defaults(func=cmd_createclinic)

    p = sub.add_parser("createuser", help="create a user and their membership")
    p.add_argument("--email", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--clinic", required=True, help="clinic slug")
    p.add_argument("--role", required=True, choices=ROLE_CHOICES, help="the primary role (shown in the header)")
    p.add_argument(
        "--also",
        action="append",
        default=[],
        choices=ROLE_CHOICES,
        help="a further role the user holds (repeatable): --role clinic_admin --also clinician",
    )
    p.add_argument("--password-stdin", action="store_true")
    p.set_defaults(func=cmd_createuser)

    sub.add_parser("roles", help="print the roles and permissions table (the README embeds it)").set_defaults(
        func=cmd_roles
    )

    p = sub.add_parser(
        "send-due",
        help="send the check-in and appointment reminders that are due and run waiting FHIR exports (safe from cron)",
    )
    p.add_argument("--limit", type=int, default=500)
    p.set_defaults(func=cmd_send_due)

    p = sub.add_parser("export", help="export the clinic's data")
    export = p.add_subparsers(dest="export_command", required=True, parser_class=Parser)
    r = export.add_parser("research", help="a de-identified research dataset (CSV, Parquet, data dictionary)")
    r.add_argument("--out", required=True, help="a new or empty directory")
    r.add_argument("--clinic", help="clinic slug (needed when the database has several clinics)")
    r.set_defaults(func=cmd_export_research)

    p = sub.add_parser("api-token", help="a user's personal API tokens: create, list, revoke")
    tokens = p.add_subparsers(dest="step", required=True, parser_class=Parser)
    c = tokens.add_parser("create", help="print a new token (shown once)")
    c.add_argument("--user", required=True, help="the owner's email")
    c.add_argument("--name", required=True, help="what will use it")
    c.add_argument("--scope", choices=["read", "write"], default="read")
    c.add_argument("--days", type=int, default=90, help="expires after this many days (1-365)")
    listing = tokens.add_parser("list", help="the user's tokens (a clinic admin: the clinic's)")
    listing.add_argument("--user", required=True)
    r = tokens.add_parser("revoke", help="revoke a token by its prefix (dn_PREFIX_…)")
    r.add_argument("--user", required=True, help="the owner, or a clinic admin of the clinic")
    r.add_argument("--prefix", required=True)
    p.set_defaults(func=cmd_api_token)

    p = sub.add_parser("backup", help="copy the whole database to a file while the clinic keeps working")
    p.add_argument("--out", required=True, help="the backup file (replaced atomically)")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="restore a backup file into an empty database")
    p.add_argument("file", help="a file written by `dryneedling backup`")
    p.set_defaults(func=cmd_restore)

    from dryneedling.cli_interop import register as register_interop

    register_interop(sub, Parser)

    p = sub.add_parser("manage", help="run a Django management command (e.g. check --deploy)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)

    p = sub.add_parser("kb", help="the clinical knowledge base")
    kb = p.add_subparsers(dest="kb_command", required=True, parser_class=Parser)
    kb.add_parser("check", help="validate the data and print counts")
    m = kb.add_parser("muscle", help="print one muscle")
    m.add_argument("muscle_id")
    p.set_defaults(func=cmd_kb)

    p = sub.add_parser("screen", help="screen intake answers from a JSON file")
    from dryneedling.clinical.commands import add_screen_arguments

    add_screen_arguments(p)
    p.set_defaults(func=cmd_screen)

    p = sub.add_parser("guardrails", help="check one planned insertion with the safety engine (plan JSON file)")
    p.add_argument("--plan", required=True, help="JSON file: the insertion, patient, screening, consent, session")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_guardrails)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from django.core.exceptions import ImproperlyConfigured, ValidationError

    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args))
    except CliError as error:
        print(f"dryneedling: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ValidationError as error:
        messages = (
            [m for ms in error.message_dict.values() for m in ms] if hasattr(error, "error_dict") else error.messages
        )
        print(f"dryneedling: {' '.join(messages)}", file=sys.stderr)
        return EXIT_USAGE
    except ImproperlyConfigured as error:
        print(f"dryneedling: configuration: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())

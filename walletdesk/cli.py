"""The ``walletdesk`` command line."""

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from walletdesk.accounts.models import Role
from walletdesk.config import Settings, get_settings

app = typer.Typer(help="walletdesk: customer service desk for digital wallet operators",
                  no_args_is_help=True)
db_app = typer.Typer(help="Database schema", no_args_is_help=True)
admin_app = typer.Typer(help="Administration", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks", no_args_is_help=True)
customer_app = typer.Typer(help="Customers' personal data (GDPR)", no_args_is_help=True)
app.add_typer(customer_app, name="customer")
kb_app = typer.Typer(help="Knowledge base", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
bot_app = typer.Typer(help="The AI first line", no_args_is_help=True)
app.add_typer(bot_app, name="bot")
app.add_typer(db_app, name="db")
app.add_typer(admin_app, name="admin")
app.add_typer(bench_app, name="bench")
console = Console()
# a benchmark's progress with --json: on stderr, so that stdout holds its one JSON object and
# a run of half an hour still shows where it is
progress = Console(stderr=True)
DEMO_DATABASE = "sqlite+aiosqlite:///./walletdesk-demo.db"


def _fail(message: str) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(2)


def _settings(**overrides: object) -> Settings:
    try:
        return get_settings().model_copy(update=overrides) if overrides else get_settings()
    except Exception as exc:  # pydantic validation: show which setting is wrong
        _fail(str(exc))
        raise


class _NotReencrypted(Exception):
    """`db upgrade` migrated the schema but refused to re-encrypt (a key missing or wrong)."""


async def _upgrade(settings: Settings) -> None:
    """Migrate the schema, then encrypt any personal data not yet under the primary key."""
    from walletdesk import crypto
    from walletdesk.customers.keys import rotate_keys
    from walletdesk.db.engine import Database
    from walletdesk.db.migrate import upgrade_database
    from walletdesk.services import Services

    # the migrations encrypt personal data already stored (0021: names on messages)
    crypto.configure(settings.encryption_keys, settings.hash_key, settings.secret_key)
    database = Database(settings.database_url)
    try:
        await upgrade_database(database.engine)
    finally:
        await database.dispose()
    services = Services(settings)
    try:
        await rotate_keys(services)
    except crypto.KeyError_ as exc:  # the schema is migrated: only the re-encryption stopped
        raise _NotReencrypted(str(exc)) from None
    finally:
        await services.stop()


def _listens_beyond_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return True


def _serve(settings: Settings) -> None:
    import uvicorn

    from walletdesk.web.app import create_app
    from walletdesk.web.hub_transport import HubWebSocketProtocol

    if settings.uses_dev_secret and _listens_beyond_loopback(settings.host):
        # anyone who can reach the port could forge sessions with the published key
        _fail(f"refusing to listen on {settings.host}: WALLETDESK_SECRET_KEY is the built-in "
              "development key. Set WALLETDESK_SECRET_KEY to a long random value (e.g. "
              "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`) or listen on "
              "127.0.0.1.")

    app = create_app(settings)
    app.state.freeze_long_lived = True  # a serving process (walletdesk.web.long_lived)
    uvicorn.run(app, host=settings.host, port=settings.port,
                ws_max_size=4 * 1024 * 1024, log_level="warning", access_log=False,
                proxy_headers=True, forwarded_allow_ips=settings.trusted_proxies,
                ws_per_message_deflate=settings.ws_per_message_deflate,
                ws=HubWebSocketProtocol)  # reads ahead, sends at once (issue 14)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema of WALLETDESK_DATABASE_URL to the latest version."""
    settings = _settings()
    try:
        asyncio.run(_upgrade(settings))
    except _NotReencrypted as exc:
        _fail(f"the schema of {_redact(settings.database_url)} is up to date, but personal data "
              f"was not re-encrypted: {exc}")
    except Exception as exc:
        _fail(f"could not upgrade {_redact(settings.database_url)}: {exc.__class__.__name__}: {exc}")
    console.print(f"database {_redact(settings.database_url)} is up to date")


def _redact(url: str) -> str:
    """Never print a database password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<invalid database URL>"


@kb_app.command("import")
def kb_import(
    file: Annotated[Path, typer.Argument(help="JSON Lines: id, category, title/answer/examples per locale")],
    draft: Annotated[bool, typer.Option(help="Import new articles as drafts")] = False,
) -> None:
    """Import or update articles (idempotent: importing the same file again changes nothing)."""
    from walletdesk.kb.actions import import_articles
    from walletdesk.services import Services

    if not file.is_file():
        _fail(f"{file} is not a readable file")
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read {file}: {exc}")
    settings = _settings()

    async def run():  # type: ignore[no-untyped-def]
        services = Services(settings)
        try:
            return await import_articles(services, lines, publish=not draft)
        finally:
            await services.stop()

    try:
        report = asyncio.run(run())
    except Exception as exc:
        _fail(f"{exc.__class__.__name__}: {exc} (did you run `walletdesk db upgrade`?)")
    for error in report.errors:
        console.print(f"[yellow]skipped[/yellow] {error}")
    console.print(f"created {report.created}, updated {report.updated}, "
                  f"unchanged {report.unchanged}, skipped {len(report.errors)}")
    if report.errors and not (report.created or report.updated or report.unchanged):
        raise typer.Exit(1)


@bot_app.command("eval")
def bot_eval(
    directory: Annotated[Path, typer.Argument(help="Folder with train.csv and test.csv")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object last")] = False,
    leave_groups_out: Annotated[int, typer.Option(
        "--leave-groups-out", min=0, max=50,
        help="Measure on train.csv alone: ROUNDS rounds, each holding out a fifth of the "
             "categories as off-topic and one example of each other as a question")] = 0,
    extra_test: Annotated[Path | None, typer.Option(
        "--extra-test", help="A CSV (text,category or text,label) appended to test.csv, "
                             "e.g. an off-topic set labelled oos")] = None,
) -> None:
    """Measure the bot: accuracy, hand-offs, out-of-scope recall and latency."""
    from walletdesk.bot.evaluate import EvalDataError, evaluate

    try:
        result = evaluate(directory, rounds=leave_groups_out, extra_test=extra_test)
    except EvalDataError as exc:
        _fail(str(exc))
        return
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    table = Table(title=f"bot eval: {directory}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in result.items():
        table.add_row(key, "—" if value is None else str(value))
    console.print(table)


def _run_customer_action(action: str, customer_id: int) -> dict[str, object] | None:
    from walletdesk.customers.privacy import erase_customer, export_customer
    from walletdesk.errors import DomainError
    from walletdesk.services import Services

    settings = _settings()

    async def run() -> dict[str, object] | None:
        services = Services(settings)
        try:
            if action == "export":
                return await export_customer(services, None, customer_id)
            await erase_customer(services, None, customer_id)
            return None
        finally:
            await services.stop()

    try:
        return asyncio.run(run())
    except DomainError as exc:
        _fail(exc.detail)
    except Exception as exc:
        _fail(f"{exc.__class__.__name__}: {exc} (did you run `walletdesk db upgrade`?)")
    return None


@customer_app.command("export")
def customer_export(customer_id: Annotated[int, typer.Argument(help="Customer id")]) -> None:
    """Print everything held about a customer as one JSON object (audited)."""
    data = _run_customer_action("export", customer_id)
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


@customer_app.command("erase")
def customer_erase(
    customer_id: Annotated[int, typer.Argument(help="Customer id")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Erase a customer's personal data and message texts; aggregates stay (audited)."""
    if not yes and not typer.confirm(f"Erase customer {customer_id}? This cannot be undone"):
        raise typer.Exit(1)
    _run_customer_action("erase", customer_id)
    console.print(f"customer {customer_id} erased")


@app.command()
def protect(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object last")] = False,
) -> None:
    """Read text on standard input (any encoding: UTF-8, UTF-16, GBK …) and print what the
    protect step makes of it."""
    from walletdesk.safety.decode import decode_text
    from walletdesk.safety.protect import protect_text

    text = decode_text(sys.stdin.buffer.read())
    result = protect_text(text)
    findings = [{"kind": f.kind, "certainty": f.certainty, "detail": f.detail}
                for f in result.findings]
    if as_json:
        sys.stdout.write(json.dumps({"text": result.text, "findings": findings},
                                    ensure_ascii=False) + "\n")
        return
    console.print(result.text, markup=False, highlight=False)
    table = Table(title=f"{len(findings)} secret(s) removed")
    for column in ("kind", "certainty", "detail"):
        table.add_column(column)
    for finding in findings:
        table.add_row(finding["kind"], finding["certainty"], finding["detail"])
    console.print(table)


@app.command()
def serve(host: Annotated[str | None, typer.Option(help="Bind address")] = None,
          port: Annotated[int | None, typer.Option(help="Port")] = None) -> None:
    """Run the web server (widget, workspace, API, WebSockets)."""
    settings = _settings(**{k: v for k, v in {"host": host, "port": port}.items() if v is not None})
    _serve(settings)


keys_app = typer.Typer(help="Encryption keys for personal data", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("rotate")
def keys_rotate(json_output: Annotated[bool, typer.Option("--json", help="One JSON object")] = False,
                new_hash_key: Annotated[bool, typer.Option(
                    "--new-hash-key", help="WALLETDESK_HASH_KEY changes on purpose: recompute "
                    "hashes made with another key. Stop every server and worker first (refused "
                    "while a worker was seen in the last 2 minutes) and start them with the new "
                    "key only after it finished")] = False) -> None:
    """Re-encrypt all personal data and agents' two-factor secrets with the first key of
    WALLETDESK_ENCRYPTION_KEYS (and recompute the keyed hashes); safe to run again. A new
    encryption key: restart the desk with it first, then rotate while it runs. A new hash key
    (--new-hash-key): stop the desk, rotate, then start it with the new key (a running desk
    would take returning customers for new ones; docs/operate.md)."""
    from dataclasses import asdict

    from walletdesk.crypto import KeyError_
    from walletdesk.customers.keys import HashKeyMismatch, rotate_keys
    from walletdesk.db.engine import DatabaseUnavailable
    from walletdesk.services import Services

    settings = _settings()
    if not (settings.encryption_keys or "").strip():
        # the keys would be derived from WALLETDESK_SECRET_KEY: a shell without the desk's
        # environment would rotate everything to a key the desk does not have
        _fail("WALLETDESK_ENCRYPTION_KEYS is not set: there is no key to rotate to (put the "
              "new key first, then the old ones; see docs/safety.md). Nothing was changed.")

    async def run() -> dict[str, object]:
        services = Services(settings)
        try:
            done = await rotate_keys(services, new_hash_key=new_hash_key)
            from walletdesk.crypto import keyring

            return {**asdict(done), "primary_key": keyring().primary}
        finally:
            await services.stop()

    try:
        result = asyncio.run(run())
    except HashKeyMismatch as exc:
        # the usual cause: a shell without the desk's environment
        unset = "" if settings.hash_key else (
            "WALLETDESK_HASH_KEY is not set here, so it is derived from WALLETDESK_SECRET_KEY; ")
        _fail(f"{unset}{exc}")
        return
    except KeyError_ as exc:
        _fail(str(exc))
        return
    except DatabaseUnavailable as exc:  # unreachable, or not migrated ("no such table")
        _fail(f"the database could not be used ({exc}): check WALLETDESK_DATABASE_URL and run "
              "`walletdesk db upgrade`; batches done so far are complete, run it again to go on")
        return
    if json_output:
        print(json.dumps(result))
    else:
        console.print(
            f"re-encrypted with key {result['primary_key']!r}: {result['customers']} customers, "
            f"{result['identities']} channel identities, {result['messages']} message sender "
            f"names, {result['device_addresses']} reported wallet addresses, "
            f"{result['email_codes']} email-code addresses, {result['two_factor_secrets']} "
            "two-factor secrets" + ("; their keyed hashes recomputed with this "
                                    "WALLETDESK_HASH_KEY" if new_hash_key else ""))


@app.command()
def worker() -> None:
    """Run due jobs (SLA checks, outgoing mail and SMS, follow-ups, closing) until stopped;
    with WALLETDESK_SMTP_INBOUND_PORT set, also receive email."""
    import signal

    from walletdesk.jobs.worker import Worker
    from walletdesk.logging import configure_logging
    from walletdesk.services import Services

    settings = _settings()
    configure_logging(settings)

    async def run() -> None:
        services = Services(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await services.start()
        smtp = None
        if settings.smtp_inbound_port is not None:
            from walletdesk.email.smtp_server import start_smtp_server

            smtp = await start_smtp_server(services)
        try:
            await Worker(services).run(stop)
        finally:
            if smtp is not None:
                smtp.close()
            await services.stop()

    console.print(f"worker on {_redact(settings.database_url)}"
                  f"{' with Redis' if settings.redis_url else ''}  ·  Ctrl+C stops it")
    asyncio.run(run())


def demo_settings(port: int | None = None, host: str | None = None) -> Settings:
    """The demo's settings: the options win, then the environment (WALLETDESK_PORT, ...)."""
    base = _settings()
    host = host or base.host
    port = port or base.port
    database_url = os.environ.get("WALLETDESK_DATABASE_URL", DEMO_DATABASE)
    public_url = (base.public_url if "public_url" in base.model_fields_set
                  else f"http://{host}:{port}")
    return _settings(database_url=database_url, host=host, port=port, public_url=public_url,
                     log_json=False)


@app.command()
def demo(port: Annotated[int | None, typer.Option(
             help="Port (default: WALLETDESK_PORT, else 8000)")] = None,
         host: Annotated[str | None, typer.Option(
             help="Bind address (default: WALLETDESK_HOST, else 127.0.0.1)")] = None) -> None:
    """Run the demo desk: embedded SQLite, seeded with a wallet brand, agents and history."""
    from walletdesk.demo import DEMO_LOGINS, seed_demo
    from walletdesk.services import Services

    settings = demo_settings(port, host)

    async def prepare() -> bool:
        await _upgrade(settings)
        services = Services(settings)
        try:
            return await seed_demo(services)
        finally:
            await services.stop()

    seeded = asyncio.run(prepare())
    base = settings.public_url
    table = Table(title="walletdesk demo" + (" (freshly seeded)" if seeded else ""))
    table.add_column("what")
    table.add_column("where / login", overflow="fold")
    table.add_row("Customer widget", f"{base}/widget")
    table.add_row("Widget embedded in a sample page", f"{base}/embed-example")
    table.add_row("Help centre", f"{base}/help")
    table.add_row("Official-channel check", f"{base}/verify")
    table.add_row("Agent workspace", f"{base}/app")
    table.add_row("Complaints · follow-up calls", f"{base}/app/complaints · {base}/app/followups")
    table.add_row("Admin pages", f"{base}/admin")
    table.add_row("REST API (OpenAPI)", f"{base}/openapi.json")
    for login in DEMO_LOGINS:
        table.add_row(f"login: {login.name} [{login.role}]", f"{login.email} / {login.password}")
    console.print(table)
    console.print(f"database: {_redact(settings.database_url)}  ·  Ctrl+C stops the demo")
    _serve(settings)


@admin_app.command("create-user")
def create_user(
    email: Annotated[str, typer.Option(help="Login e-mail")],
    name: Annotated[str, typer.Option(help="Display name")],
    role: Annotated[Role, typer.Option(help="admin, supervisor, agent or outsourced")] = Role.admin,
    password: Annotated[str | None, typer.Option(
        help="Password (12+ characters, not a common one); prompted for when omitted")] = None,
) -> None:
    """Create a staff account (the first admin, typically)."""
    from walletdesk.accounts.actions import create_agent
    from walletdesk.errors import DomainError
    from walletdesk.services import Services

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    settings = _settings()

    async def run() -> int:
        services = Services(settings)
        try:
            async with services.transaction() as session:
                agent = await create_agent(session, email=email, display_name=name,
                                           password=password, role=role)
                return agent.id
        finally:
            await services.stop()

    try:
        agent_id = asyncio.run(run())
    except DomainError as exc:
        _fail(exc.detail)
    except Exception as exc:
        _fail(f"{exc.__class__.__name__}: {exc} (did you run `walletdesk db upgrade`?)")
    else:
        console.print(f"created {role} #{agent_id} {email}")


@bench_app.command("chat")
def bench_chat(
    conversations: Annotated[int, typer.Option(help="Concurrent conversations")] = 100,
    seconds: Annotated[float, typer.Option(help="Measured duration (per step with --ramp)")] = 10.0,
    rate: Annotated[float, typer.Option(help="Messages per second per conversation")] = 2.0,
    database_url: Annotated[str | None, typer.Option(help="Database for the benchmark server")] = None,
    redis_url: Annotated[str | None, typer.Option(help="Redis URL (several server processes)")] = None,
    processes: Annotated[int, typer.Option(help="Server processes (needs Redis if > 1)")] = 1,
    ramp: Annotated[bool, typer.Option(
        "--ramp", help="Raise the rate step by step; report the highest with p99 under --p99-ms")
    ] = False,
    p99_ms: Annotated[float, typer.Option(help="The p99 bound of --ramp (ms)")] = 50.0,
    ramp_start: Annotated[float, typer.Option(help="--ramp: first total rate (msgs/s)")] = 100.0,
    ramp_factor: Annotated[float, typer.Option(help="--ramp: rate multiplier per step")] = 1.5,
    ramp_max: Annotated[float, typer.Option(help="--ramp: highest total rate tried")] = 10_000.0,
    prose: Annotated[bool, typer.Option(
        "--prose", help="Customers send 100–300 characters of support prose, not a short line")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object last")] = False,
) -> None:
    """End-to-end chat benchmark over real WebSockets against freshly started servers."""
    from walletdesk.bench.chat import BenchConfig, run_chat_benchmark, run_fast

    if conversations < 1 or seconds <= 0 or rate <= 0 or processes < 1:
        _fail("conversations, seconds, rate and processes must be positive")
    if processes > 1 and not redis_url:
        _fail("several processes need --redis-url to exchange events")
    if ramp and (p99_ms <= 0 or ramp_start <= 0 or ramp_factor <= 1 or ramp_max < ramp_start):
        _fail("--ramp needs positive --p99-ms and --ramp-start, --ramp-factor above 1 and "
              "--ramp-max at least --ramp-start")
    config = BenchConfig(conversations=conversations, seconds=seconds, rate=rate,
                         database_url=database_url, redis_url=redis_url, processes=processes,
                         ramp=ramp, p99_ms=p99_ms, ramp_start=ramp_start,
                         ramp_factor=ramp_factor, ramp_max=ramp_max, prose=prose)

    def step(figures: dict[str, object]) -> None:  # each ramp step, as one JSON line
        sys.stdout.write(json.dumps(figures) + "\n")
        sys.stdout.flush()

    result = run_fast(run_chat_benchmark(config, console=progress if as_json else console,
                                         on_step=step))
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        table = Table(title="chat benchmark")
        table.add_column("figure")
        table.add_column("value", justify="right")
        for key, value in result.items():
            table.add_row(key, json.dumps(value) if key in ("steps", "signin") else str(value))
        console.print(table)


@bench_app.command("incident")
def bench_incident(
    normal_per_min: Annotated[float, typer.Option(
        help="New conversations a minute on an ordinary day")] = 12.0,
    multiplier: Annotated[float, typer.Option(help="The peak's arrival rate, times normal")] = 5.0,
    seconds: Annotated[float, typer.Option(help="How long the peak lasts")] = 60.0,
    spike_share: Annotated[float, typer.Option(help="Share of the peak about the incident")] = 0.6,
    agents: Annotated[int, typer.Option(help="In-house agents online")] = 3,
    outsourced_agents: Annotated[int, typer.Option(help="Outsourced agents online")] = 3,
    capacity: Annotated[int, typer.Option(help="Conversations an agent takes at once")] = 2,
    overflow_wait_s: Annotated[int, typer.Option(help="The in-house team's overflow threshold")] = 120,
    handle_s: Annotated[float, typer.Option(help="Seconds an agent keeps a conversation")] = 20.0,
    history_weeks: Annotated[int, typer.Option(help="Weeks of history for the detector")] = 3,
    after_customers: Annotated[int, typer.Option(help="New customers after the announcement")] = 10,
    database_url: Annotated[str | None, typer.Option(help="Database server for the benchmark")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object last")] = False,
) -> None:
    """An incident's peak through real widget sockets: spike detection, the announcement,
    overflow, queue positions, nothing lost or doubled (docs/operate.md, "Peaks")."""
    from walletdesk.bench.incident import BadConfig, IncidentBenchConfig, run_incident_benchmark

    config = IncidentBenchConfig(
        normal_per_min=normal_per_min, multiplier=multiplier, seconds=seconds,
        spike_share=spike_share, agents=agents, outsourced_agents=outsourced_agents,
        capacity=capacity, overflow_wait_s=overflow_wait_s, handle_s=handle_s,
        history_weeks=history_weeks, after_customers=after_customers, database_url=database_url)
    try:
        config.check()
    except BadConfig as exc:
        _fail(str(exc))
    try:
        result = asyncio.run(run_incident_benchmark(
            config, say=progress.print if as_json else console.print))
    except (RuntimeError, OSError) as exc:
        _fail(f"the load test could not run: {exc}")
    if not as_json:
        table = Table(title="incident load test")
        table.add_column("figure")
        table.add_column("value", justify="right")
        for key, value in result.items():
            if key != "config":
                table.add_row(key, json.dumps(value) if isinstance(value, dict | list)
                              else str(value))
        console.print(table)
    sys.stdout.write(json.dumps(result) + "\n")


@bench_app.command("signin")
def bench_signin(
    agents: Annotated[int, typer.Option(help="Agents signing in at the same moment")] = 200,
    database_url: Annotated[str | None, typer.Option(help="Database for the benchmark server")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object last")] = False,
) -> None:
    """A shift start: many agents sign in at once against a freshly started server."""
    from walletdesk.bench.chat import run_signin_benchmark

    if agents < 1:
        _fail("agents must be positive")
    result = asyncio.run(run_signin_benchmark(agents, database_url,
                                              console=progress if as_json else console))
    sys.stdout.write(json.dumps(result) + "\n")


@bench_app.command("reports")
def bench_reports(
    conversations: Annotated[int, typer.Option(help="Conversations to generate")] = 1_000_000,
    messages: Annotated[int, typer.Option(help="Messages to generate (about)")] = 10_000_000,
    days: Annotated[int, typer.Option(help="Days of history")] = 180,
    server: Annotated[str | None, typer.Option(
        help="PostgreSQL server (admin URL) to create the database on")] = None,
    name: Annotated[str | None, typer.Option(help="Database name (default: random)")] = None,
    drop: Annotated[bool, typer.Option("--drop", help="Drop the database at the end")] = False,
    reuse: Annotated[bool, typer.Option("--reuse", help="Time an existing benchmark "
                                        "database (--name) again, without generating")] = False,
    repeat: Annotated[int, typer.Option(help="Warm runs per dashboard (median)")] = 5,
    asks: Annotated[str, typer.Option(help="Only these periods/filters, comma-separated "
                                      "(28d,28d_shanghai,28d_kolkata,28d_channel,28d_team,"
                                      "28d_language,28d_category,28d_agent,28d_label,90d)")] = "",
    added: Annotated[int, typer.Option(help="New conversations for the rollup's incremental "
                                       "run, timed after the reports (0: none)")] = 1000,
    message_path: Annotated[int, typer.Option(help="Messages a round to time what the report "
                                              "trigger adds to a chat message (0: none)")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object last")] = False,
) -> None:
    """Generate a support history into a new PostgreSQL database and time every report."""
    from walletdesk import crypto
    from walletdesk.bench.reports import DEFAULT_SERVER, ReportsBenchConfig, main_sync

    if conversations < 1 or messages < conversations or days < 1 or repeat < 1:
        _fail("conversations, days and repeat must be positive; messages at least conversations")
    if reuse and not name:
        _fail("--reuse needs the --name of the database")
    settings = _settings()
    crypto.configure(settings.encryption_keys, settings.hash_key, settings.secret_key)
    config = ReportsBenchConfig(conversations=conversations, messages=messages, days=days,
                                server=server or DEFAULT_SERVER, name=name, drop=drop,
                                repeat=repeat, reuse=reuse, asks=asks, added=added,
                                message_path=message_path)
    result = main_sync(config, progress.print if as_json else console.print)
    sys.stdout.write(json.dumps(result) + "\n")


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.path.insert(0, str(Path.cwd()))
    main()

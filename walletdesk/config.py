"""All settings in one place, read from the environment (prefix ``WALLETDESK_``).

Nothing else in walletdesk reads the environment. Defaults run the embedded mode:
SQLite in the working directory, in-process events, no Redis.
"""

from decimal import Decimal
from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    # hide_input_in_errors: a refused setting's message never repeats the input (the other
    # settings with it: the secret key, an endpoint URL's API key)
    model_config = SettingsConfigDict(env_prefix="WALLETDESK_", env_file=None, extra="ignore",
                                      hide_input_in_errors=True)

    environment: Literal["development", "production", "test"] = "development"
    database_url: str = "sqlite+aiosqlite:///./walletdesk.db"
    redis_url: str | None = None
    # reports read from here when set, e.g. a PostgreSQL read replica (docs/reports.md)
    reports_database_url: str | None = None
    secret_key: str = DEV_SECRET_KEY
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    brand_name: str = "DemoWallet"
    default_language: str = "en"

    # sessions and login protection
    session_max_age_s: int = 12 * 3600
    session_cookie_secure: bool = False
    login_max_failures: int = 5
    login_lockout_s: int = 15 * 60
    login_ip_max_attempts_per_min: int = 20
    # a browser fully signed in with is trusted for its agent this long: its sign-ins skip the
    # account's slow-down under a distributed guess (decision 0058); 0 = no device cookies
    device_cookie_max_age_s: int = Field(default=90 * 86400, ge=0)
    # roles that must sign in with a second factor (TOTP); teams can require it too
    two_factor_roles: list[str] = Field(default_factory=lambda: ["admin"])
    # /metrics: a token with the "metrics" scope, or (opt-in) any request from this machine.
    # Behind a reverse proxy on the same host every request comes from loopback: leave it off.
    metrics_allow_loopback: bool = False

    # messages and sockets
    max_message_chars: int = 5000
    max_frame_bytes: int = 64 * 1024
    # compress WebSocket frames (permessage-deflate): costs ~2x CPU per small chat frame
    ws_per_message_deflate: bool = False
    # the reverse proxies / load balancers whose X-Forwarded-For and X-Forwarded-Proto the
    # server believes (addresses or networks, comma-separated; "*" trusts every peer): the
    # client's address is what sign-in limits and rate limits count by (decision 0058)
    trusted_proxies: str = "127.0.0.1,::1"
    widget_allowed_origins: list[str] = Field(default_factory=lambda: ["*"])
    # anonymous widget messages: at most this many a minute per visitor and per address
    widget_messages_per_min: int = Field(default=20, ge=1)
    widget_messages_per_min_per_address: int = Field(default=120, ge=1)

    # personal data at rest (walletdesk.crypto): "id:base64(32 bytes)", comma separated,
    # primary first; unset = derived from the secret key (refused in production)
    encryption_keys: str | None = None
    hash_key: str | None = None

    # retention: erase the personal data of customers whose conversations have all been
    # closed and quiet for this many days (unset = keep)
    retention_days: int | None = Field(default=None, ge=1)

    # identity verification: the operator's backend signs user ids with this shared secret
    # (HMAC-SHA256, hex); unset = every widget visitor is anonymous
    identity_secret: str | None = None

    # the customer's context (walletdesk.customer_context, docs/configure.md): the operator's
    # endpoint, POSTed a verified customer's id signed with customer_context_secret
    # (HMAC-SHA256 over "<timestamp>.<body>"); unset = no context. Answers are cached a short
    # while; slow, failed, malformed or oversized answers show as "context unavailable".
    customer_context_url: str | None = None
    customer_context_secret: str | None = None
    customer_context_timeout_s: float = Field(default=3.0, gt=0, le=30)
    customer_context_cache_s: float = Field(default=60.0, ge=0)
    customer_context_max_bytes: int = Field(default=64 * 1024, ge=1024, le=4 * 1024 * 1024)
    # what the widget may pass about the device and app (others are dropped); wallet
    # addresses are personal data (encrypted, masked for outsourced agents): opt-in
    device_context_fields: list[Literal["app_version", "os", "platform", "language",
                                        "wallet_addresses"]] = Field(
        default_factory=lambda: ["app_version", "os", "platform", "language"])

    # incentive points credited to a customer for answering a satisfaction survey
    csat_points: int = 10
    # complaints: a refund/compensation above this amount (in the complaint's own asset, no
    # exchange rates) needs a supervisor's or admin's approval, not the proposer's own
    complaint_approval_threshold: Decimal = Decimal("100")

    # routing
    average_handle_s: int = 240
    reopen_window_s: int = 7 * 24 * 3600
    # an online agent is offered conversations only while connected: seen by a workspace
    # socket (or a PUT /me/presence) within this many seconds (decision 0059; the sockets
    # mark it every third of it); 0 = presence alone decides, as before
    presence_grace_s: int = Field(default=90, ge=0, le=3600)
    # overflow (docs/operate.md, "Peaks"): a new conversation whose expected wait in its team's
    # queue passes this many seconds goes to an open outsourced team, and the customer is
    # offered to wait, get the answer by e-mail or book a call back; a team's own threshold
    # (staffing page) wins; unset = no overflow
    overflow_wait_s: int | None = Field(default=None, ge=0)
    # staffing (walletdesk.staffing): target service level (answered within N s), shrinkage
    # (breaks, training, absence), chats an agent handles at once, the history read and the
    # weeks forecast, and the time zone of the staffing page's intervals
    staffing_service_level: float = Field(default=0.8, gt=0, lt=1)
    staffing_answer_within_s: int = Field(default=20, ge=1)
    staffing_shrinkage: float = Field(default=0.3, ge=0, lt=1)
    staffing_chat_concurrency: int = Field(default=1, ge=1)
    staffing_history_weeks: int = Field(default=8, ge=1, le=104)
    staffing_forecast_weeks: int = Field(default=2, ge=1, le=8)
    staffing_timezone: str = "UTC"

    # files: attachments and original emails, stored by content hash
    data_dir: str = "./walletdesk-data"
    # the bot's built engines, one file per knowledge-base content (walletdesk.bot.engine_store);
    # unset = <data_dir>/bot-engines. Server processes on one machine share it.
    bot_engine_dir: str | None = None
    attachment_max_bytes: int = 10 * 1024 * 1024
    attachment_types: list[str] = Field(default_factory=lambda: [
        "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain",
        "text/csv"])
    # chat images are re-encoded without metadata; larger ones are refused (decompression bombs)
    attachment_max_pixels: int = Field(default=40_000_000, ge=1)
    # an agent's reply in the web chat is emailed to a customer who gave an address and has
    # not read it after this many minutes (walletdesk.email.away_replies); 0 = never
    chat_reply_mail_after_min: int = Field(default=10, ge=0)

    # email channel. Inbound: walletdesk's own SMTP server (off unless a port is set).
    # Outbound: an SMTP relay; replies come back to <mailbox>+<token>@<domain>.
    support_email: str = "support@walletdesk.localhost"
    smtp_inbound_host: str = "127.0.0.1"
    smtp_inbound_port: int | None = None
    mail_max_bytes: int = 40 * 1024 * 1024
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_tls: Literal["none", "starttls", "tls"] = "none"
    smtp_timeout_s: float = 30.0
    # or poll a mailbox: imaps://user:password@imap.example.com/INBOX
    imap_url: str | None = None
    imap_poll_s: int = Field(default=60, ge=5)

    # follow-up calls: at most one per customer per interval, never in quiet hours (local
    # time of followup_timezone); customers book slots of followup_slot_minutes
    followup_min_interval_days: int = 30
    followup_timezone: str = "UTC"
    followup_quiet_start: str = "21:00"
    followup_quiet_end: str = "09:00"
    followup_slot_minutes: int = 30
    followup_slot_capacity: int = 3  # calls the team can make in one slot

    # proactive messages (walletdesk.outreach, docs/outreach.md): at most outreach_cap_messages
    # per customer in outreach_cap_days across campaigns; none in quiet hours (the customer's
    # own time zone, else outreach_default_timezone): they wait for the morning
    outreach_cap_messages: int = Field(default=2, ge=1)
    outreach_cap_days: int = Field(default=7, ge=1)
    outreach_quiet_start: str = "21:00"
    outreach_quiet_end: str = "09:00"
    outreach_default_timezone: str = "UTC"

    # durable jobs (walletdesk worker); the server runs a worker in-process unless disabled
    embedded_worker: bool = True
    worker_concurrency: int = 10
    worker_poll_s: float = 1.0
    job_lease_s: int = 120

    # SMS (follow-up notifications): "console" logs instead of sending (development)
    sms_provider: Literal["console", "twilio"] = "console"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from_number: str | None = None
    twilio_base_url: str = "https://api.twilio.com"

    # capacity per server process (docs/operate.md, "Sizing a deployment"). PostgreSQL:
    # pool_size connections kept open, max_overflow more under load; SQLite always uses one.
    # Load shedding: an HTTP request beyond max_concurrent_requests, or a socket frame beyond
    # max_concurrent_frames, in flight in this process is answered "busy, retry after
    # busy_retry_after_s" at once (HTTP 503 + Retry-After, or a busy socket frame), and so is
    # one that got no connection within database_pool_timeout_s (unset: 5 s on PostgreSQL,
    # 10 s on SQLite, where every transaction queues for the one connection).
    database_pool_size: int = Field(default=20, ge=1)
    database_max_overflow: int = Field(default=20, ge=0)
    database_pool_timeout_s: float | None = Field(default=None, gt=0)
    max_concurrent_requests: int = Field(default=200, ge=1)
    max_concurrent_frames: int = Field(default=500, ge=1)
    busy_retry_after_s: float = Field(default=1.0, gt=0)
    # argon2 checks at once (sign-in, password changes); unset = half the cores
    password_hash_threads: int | None = Field(default=None, ge=1)
    # the cost of new password hashes (argon2id passes and memory); the defaults are the
    # production setting — the test suite lowers them, never lower them in a deployment
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_kib: int = Field(default=65536, ge=1024)

    # transfers looked up on chain (walletdesk.chains, docs/chains.md). Endpoints per chain as
    # JSON {"ethereum": "https://…", "bitcoin": "https://…/api", "tron": …, "solana": …}; a
    # chain without one is "unsupported", never guessed. Explorer links: {chain: "…{tx}…"}
    # over the defaults. Deposit addresses that need a memo/tag: [{"chain", "address", "name"}].
    # https:// only; plain http:// to localhost or a private network (an own node on the LAN)
    chain_endpoints: dict[str, str] = Field(default_factory=dict)
    # host names plain http:// may go to beside loopback and private addresses: your own node
    # by its name on your network (a container's "geth"): you vouch it never leaves it
    chain_plain_http_hosts: list[str] = Field(default_factory=list)
    chain_explorers: dict[str, str] = Field(default_factory=dict)
    chain_timeout_s: float = Field(default=5.0, gt=0)
    chain_retries: int = Field(default=2, ge=0, le=5)
    chain_cache_ttl_s: float = Field(default=15.0, ge=0)
    chain_requests_per_s: float = Field(default=10.0, gt=0)  # per endpoint (token bucket)
    chain_memo_addresses: list[dict[str, str]] = Field(default_factory=list)
    # token contracts the desk names besides its own list (walletdesk.chains.tokens, decision
    # 0054): JSON ["chain:contract:symbol:decimals", …], e.g. "bsc:0x…:ABC:18". A contract in
    # neither is an unverified token: its self-declared symbol is never its name.
    chain_known_tokens: list[str] = Field(default_factory=list)
    # the articles the answers link: pending → speed up/cancel, failed, not found, a token
    # the desk does not know (fake_token) …
    chain_articles: dict[str, str] = Field(default_factory=lambda: {
        "pending": "transfer-pending", "failed": "network-fees", "out_of_energy": "network-fees",
        "not_found": "wrong-network", "wrong_network": "wrong-network",
        "memo": "memo-tag-required", "fake_token": "add-custom-token"})
    # bot categories that make a message a question about a transfer
    chain_transfer_categories: list[str] = Field(default_factory=lambda: [
        "transfer", "transfers", "deposit", "withdrawal", "bridge"])

    # spike detection (walletdesk.incidents, docs/incidents.md): new conversations per contact
    # reason and per chain/asset word, per interval, against the same time of week of the
    # last weeks (median ± MAD); an alert needs min_count, threshold robust deviations and
    # min_ratio times the usual level. Alerts go to the workspace, by e-mail (these addresses;
    # none: every active supervisor and admin) and to the webhook (HMAC-SHA256 signed).
    spike_interval_minutes: int = Field(default=5, ge=1, le=60)
    spike_baseline_weeks: int = Field(default=4, ge=1, le=12)
    spike_min_history_weeks: int = Field(default=2, ge=1, le=12)
    spike_neighbour_intervals: int = Field(default=1, ge=0, le=6)
    spike_min_count: int = Field(default=5, ge=1)
    spike_threshold: float = Field(default=4.0, gt=0)
    spike_min_ratio: float = Field(default=2.0, ge=1)
    spike_cooldown_minutes: int = Field(default=60, ge=0)
    spike_alert_emails: list[str] = Field(default_factory=list)
    spike_webhook_url: str | None = None
    spike_webhook_secret: str | None = None

    log_level: str = "INFO"
    log_json: bool = True

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> "Settings":
        if self.environment == "production" and self.secret_key == DEV_SECRET_KEY:
            raise ValueError("WALLETDESK_SECRET_KEY must be set to a long random value in production")
        if self.environment == "production" and len(self.secret_key) < 32:
            raise ValueError("WALLETDESK_SECRET_KEY must be at least 32 characters in production")
        if self.environment == "production" and not (self.encryption_keys and self.hash_key):
            raise ValueError("set WALLETDESK_ENCRYPTION_KEYS and WALLETDESK_HASH_KEY in production "
                             "(personal data is encrypted with them; see docs/safety.md)")
        return self

    @model_validator(mode="after")
    def _check_widget_origins(self) -> "Settings":
        # they go into the widget's Content-Security-Policy (frame-ancestors) verbatim
        import re

        for origin in self.widget_allowed_origins:
            if origin != "*" and not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+", origin):
                raise ValueError(f"WALLETDESK_WIDGET_ALLOWED_ORIGINS: {origin!r} is not an "
                                 "origin like https://wallet.example.com (or *)")
        return self

    @model_validator(mode="after")
    def _check_customer_context(self) -> "Settings":
        if self.customer_context_url is not None:
            from urllib.parse import urlsplit

            parts = urlsplit(self.customer_context_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("WALLETDESK_CUSTOMER_CONTEXT_URL looks like "
                                 "https://backend.example.com/support/context")
            # the request names a verified customer and the answer is their personal data:
            # never in clear over a network (loopback: tests, a local set-up, a sidecar)
            if parts.scheme == "http" and not _is_loopback(parts.hostname):
                raise ValueError("WALLETDESK_CUSTOMER_CONTEXT_URL must use https:// (plain "
                                 "http:// only to localhost, 127.0.0.0/8 or ::1): the request "
                                 "names the customer and the answer carries their data")
            if not self.customer_context_secret or len(self.customer_context_secret) < 16:
                raise ValueError("set WALLETDESK_CUSTOMER_CONTEXT_SECRET (16 characters or "
                                 "more) with WALLETDESK_CUSTOMER_CONTEXT_URL: requests are "
                                 "signed with it")
        return self

    @model_validator(mode="after")
    def _check_chain_endpoints(self) -> "Settings":
        # a provider's URL often carries its API key (https://mainnet.infura.io/v3/KEY) and the
        # lookups name customers' transactions: never in clear beyond the machine or its
        # private network. The message names the chain, never the URL.
        from walletdesk.chains.http import in_clear_beyond_local_network

        for chain, url in self.chain_endpoints.items():
            if url and in_clear_beyond_local_network(url, self.chain_plain_http_hosts):
                raise ValueError(f"WALLETDESK_CHAIN_ENDPOINTS: the {chain!r} endpoint must use "
                                 "https:// (plain http:// only to localhost, 127.0.0.0/8, ::1 "
                                 "or a private network: 10.0.0.0/8, 172.16.0.0/12, "
                                 "192.168.0.0/16, fc00::/7, or a host named in "
                                 "WALLETDESK_CHAIN_PLAIN_HTTP_HOSTS): its URL may carry the "
                                 "provider's API key, and lookups name customers' transactions")
        return self

    @model_validator(mode="after")
    def _check_known_tokens(self) -> "Settings":
        # a malformed entry refuses to start (a clear error) rather than leave a token
        # unnamed, or named by what its contract says of itself
        from walletdesk.chains.tokens import parse_entries

        parse_entries(self.chain_known_tokens)
        return self

    @model_validator(mode="after")
    def _check_mail_settings(self) -> "Settings":
        if self.imap_url is not None:
            from urllib.parse import urlsplit

            parts = urlsplit(self.imap_url)
            if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
                raise ValueError("WALLETDESK_IMAP_URL looks like imaps://user:password@host/INBOX")
        if "@" not in self.support_email:
            raise ValueError("WALLETDESK_SUPPORT_EMAIL must be an email address")
        return self

    @property
    def uses_dev_secret(self) -> bool:
        return self.secret_key == DEV_SECRET_KEY

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1): traffic that never leaves the
    machine."""
    import ipaddress

    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name other than localhost
        return False


@lru_cache
def get_settings() -> Settings:
    return Settings()

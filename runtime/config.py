"""Configuration, read from the environment once at start-up.

Every variable is declared once in `VARIABLES`: its name (the reference's name
where one exists), how it is parsed, its default and what it does. The README's
table is generated from the same list (`bin/mawid env-table`), so the two
cannot drift. A bad value stops start-up with an error naming the variable.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from runtime import config_values as parse


class ConfigError(ValueError):
    """A variable has a value Mawid cannot use; the message names it."""


@dataclass(frozen=True)
class Variable:
    env: str
    attr: str
    parse: Callable[[str], Any]
    default: Any
    doc: str


VARIABLES: tuple[Variable, ...] = (
    Variable("DATABASE_URL", "database_url", parse.database_url, None,
             "PostgreSQL URL. Unset: `make run` starts a private cluster under `var/`."),
    Variable("REDIS_URL", "redis_url", parse.text, None,
             "Redis URL for the cross-process event bus. Unset: in-process bus."),
    Variable("REDIS_CHANNEL", "redis_channel", parse.text, "mawid:events",
             "Redis pub/sub channel of the event bus; one per deployment sharing a Redis server (if two share one "
             "anyway, each drops the other's events: docs/realtime.md)."),
    Variable("HOST", "host", parse.text, "0.0.0.0", "Listen address."),
    Variable("PORT", "port", parse.port, 8000, "Listen port (the reference dashboard expects 8000)."),
    Variable("WORKERS", "workers", parse.workers, 1,
             "Server processes sharing the port (`auto`: one per core); without Redis they share events through"
             " PostgreSQL LISTEN/NOTIFY."),
    Variable("TIMEZONE", "timezone", parse.timezone, "Asia/Riyadh",
             "Business time zone for all local dates and times."),
    Variable("ENVIRONMENT", "environment", parse.text, "development",
             "`development` allows any CORS origin; anything else allows only APP_URL and CORS_ORIGINS."),
    Variable("APP_URL", "app_url", parse.text, None, "Public dashboard origin, added to the CORS allow-list."),
    Variable("CORS_ORIGINS", "cors_origins", parse.origins, (),
             "Further origins allowed outside development (CORS and cookie WebSockets), comma-separated "
             "`scheme://host[:port]`, e.g. a dashboard on another port. Never `null`."),
    Variable("LOG_LEVEL", "log_level", str.upper, "INFO", "Root log level."),
    Variable("LOG_FORMAT", "log_format", parse.text, "json", "`json` (structured) or `text`."),
    Variable("DB_POOL_MIN", "db_pool_min", parse.int_at_least(1), 2, "Minimum asyncpg pool size."),
    Variable("DB_POOL_MAX", "db_pool_max", parse.int_at_least(1), 20,
             "Maximum asyncpg pool size; turns use a second pool of up to half as many sessions."),
    Variable("ACTOR_IDLE_TIMEOUT", "actor_idle_timeout", parse.positive_float, 300.0,
             "Seconds before an idle actor is passivated."),
    Variable("ACTOR_ASK_TIMEOUT", "actor_ask_timeout", parse.positive_float, 10.0,
             "Default actor `ask` timeout, seconds."),
    Variable("SHUTDOWN_DEADLINE", "shutdown_deadline", parse.positive_float, 10.0,
             "Seconds allowed to drain mailboxes on shutdown."),
    Variable("MAX_BODY_BYTES", "max_body_bytes", parse.int_at_least(1024), 5 * 1024 * 1024,
             "Largest accepted request body."),
    Variable("MAX_INFLIGHT_REQUESTS", "max_inflight_requests", parse.int_at_least(0), 256,
             "REST requests served at once; more are refused at once with 503 + Retry-After (0: no limit). "
             "The webhook, /ws, /healthz, /readyz and /metrics are not counted."),
    Variable("JWT_SECRET", "jwt_secret", parse.text, None,
             "Key for access tokens. Unset: a random key generated once and kept in the database "
             "(never APP_SECRET; docs/security.md)."),
    Variable("ACCESS_TOKEN_TTL", "access_token_ttl", parse.int_at_least(30), 900, "Access-token lifetime, seconds."),
    Variable("ACCOUNT_CACHE_SECONDS", "account_cache_seconds", parse.positive_float, 5.0,
             "How long a process trusts its copy of an account's role and state without an announced change "
             "(changes are announced on Redis at once; this bounds staleness when an announcement is lost)."),
    Variable("REFRESH_TOKEN_TTL", "refresh_token_ttl", parse.int_at_least(60), 30 * 24 * 3600,
             "Refresh-token lifetime, seconds."),
    Variable("COOKIE_SECURE", "cookie_secure", parse.boolean, False, "Mark auth cookies `Secure` (set behind HTTPS)."),
    Variable("TRUSTED_NETWORKS", "trusted_networks", parse.networks, (),
             "Comma-separated CIDRs whose requests need no login (for the reference dashboard, which sends no "
             "credentials); they act with TRUSTED_NETWORKS_ROLE. Off by default."),
    Variable("TRUSTED_NETWORKS_ROLE", "trusted_networks_role", parse.role_name, "staff",
             "Role of requests from TRUSTED_NETWORKS: `viewer`, `staff` or `admin`. The reference dashboard's "
             "`/config` page saves the app configuration, which needs `admin`."),
    Variable("METRICS_PUBLIC", "metrics_public", parse.boolean, True, "Serve `/metrics` without authentication."),
    Variable("ENV", "env", parse.text, "development", "Accepted for compatibility; see ALLOW_USER_REGISTRATION."),
    Variable("ALLOW_USER_REGISTRATION", "allow_user_registration", parse.boolean, False,
             "Let anyone call `/auth/register` (otherwise admin-only)."),
    Variable("INBOUND_QUEUE_WORKERS", "inbound_queue_workers", parse.int_at_least(1), 2, "Inbound-queue worker tasks."),
    Variable("INBOUND_WORKER", "inbound_worker", parse.boolean, True,
             "Run the inbound-queue worker in this process (false: only receive webhooks, e.g. a webhook tier)."),
    Variable("INBOUND_QUEUE_CONCURRENCY", "inbound_queue_concurrency", parse.int_at_least(1), 64,
             "Inbound messages processed at once per process (different customers)."),
    Variable("INBOUND_QUEUE_LEASE_SECONDS", "inbound_queue_lease_seconds", parse.positive_float, 60.0,
             "A claimed message whose worker stops renewing its lease this long is taken over."),
    Variable("INBOUND_QUEUE_MAX_ATTEMPTS", "inbound_queue_max_attempts", parse.int_at_least(1), 12,
             "Attempts before an inbound message is left `failed` (the default rides out ~23 min of outage)."),
    Variable("INBOUND_QUEUE_RETRY_SECONDS", "inbound_queue_retry_seconds", parse.positive_float, 2.0,
             "First retry delay of a failed inbound message (doubles per attempt, at most 300 s)."),
    Variable("PHONE_NUMBER_ID", "phone_number_id", parse.text, None, "WhatsApp Cloud API phone-number id."),
    Variable("ACCESS_TOKEN", "access_token", parse.text, None, "WhatsApp Graph API bearer token. Unset: outbox mode."),
    Variable("VERSION", "graph_version", parse.text, "v21.0", "Graph API version segment."),
    Variable("GRAPH_API_URL", "graph_api_url", parse.text, "https://graph.facebook.com", "Graph API base URL."),
    Variable("GRAPH_API_TIMEOUT", "graph_api_timeout", parse.positive_float, 30.0,
             "Seconds a Graph API request may wait to send or for an answer (connecting has its own 10 s)."),
    Variable("OUTBOUND_IN_DOUBT_GRACE", "outbound_in_doubt_grace", parse.positive_float, 30.0,
             "Seconds a reply part whose send may have reached the Cloud API (killed or timed out mid-request) "
             "waits for Meta's status callback naming it before it is sent again."),
    Variable("APP_SECRET", "app_secret", parse.text, None, "Meta app secret: HMAC key of `X-Hub-Signature-256`."),
    Variable("VERIFY_TOKEN", "verify_token", parse.text, None, "Expected `hub.verify_token` of `GET /webhook`."),
    Variable("APP_ID", "app_id", parse.text, None, "Meta app id (informational)."),
    Variable("LLM_PROVIDER", "llm_provider", parse.llm_provider, "anthropic",
             "Fallback LLM provider when the app config names none."),
    Variable("ANTHROPIC_API_KEY", "anthropic_api_key", parse.text, None, "Anthropic key."),
    Variable("ANTHROPIC_BASE_URL", "anthropic_base_url", parse.text, None, "Anthropic endpoint override."),
    Variable("OPENAI_API_KEY", "openai_api_key", parse.text, None, "OpenAI key."),
    Variable("OPENAI_BASE_URL", "openai_base_url", parse.text, None, "OpenAI endpoint override."),
    Variable("VEC_STORE_ID", "vec_store_id", parse.text, None, "OpenAI vector store for `file_search`."),
    Variable("GEMINI_API_KEY", "gemini_api_key", parse.text, None, "Gemini key."),
    Variable("GEMINI_BASE_URL", "gemini_base_url", parse.text, None, "Gemini endpoint override."),
    Variable("LLM_TIMEOUT", "llm_timeout", parse.positive_float, 60.0, "Seconds allowed for one LLM request."),
    Variable("LLM_MAX_RETRIES", "llm_max_retries", parse.int_at_least(0), 2,
             "Retries of one LLM request on transient errors (timeouts, 429, 5xx) by the provider's SDK."),
    Variable("LLM_BREAKER_FAILURES", "llm_breaker_failures", parse.int_at_least(1), 3,
             "Consecutive LLM failures after which the offline assistant answers for a while."),
    Variable("LLM_BREAKER_COOLDOWN", "llm_breaker_cooldown", parse.positive_float, 60.0,
             "Seconds the offline assistant answers before the LLM provider is tried again."),
    Variable("LLM_CONTEXT_MESSAGES_LIMIT", "llm_context_messages_limit", parse.int_at_least(1), 30,
             "Conversation messages sent to the LLM."),
    Variable("SYSTEM_PROMPT", "system_prompt", parse.text, None, "Assistant system prompt (neutral default built in)."),
    Variable("SYSTEM_AGENT_WA_ID", "system_agent_wa_id", parse.text, "12125550123",
             "wa_id of the calendar AI contact."),
    Variable("SYSTEM_AGENT_NAME", "system_agent_name", parse.text, "Calendar AI Assistant", "Its display name."),
    Variable("SYSTEM_AGENT_PROMPT", "system_agent_prompt", parse.text, None, "System-agent prompt."),
    Variable("BUSINESS_NAME", "business_name", parse.text, "Mawid Clinic", "Business name used in texts."),
    Variable("BUSINESS_ADDRESS", "business_address", parse.text, None, "Address of the location message."),
    Variable("BUSINESS_LATITUDE", "business_latitude", parse.text, None, "Latitude of the location message."),
    Variable("BUSINESS_LONGITUDE", "business_longitude", parse.text, None, "Longitude of the location message."),
    Variable("WHATSAPP_INTERACTIVE", "whatsapp_interactive", parse.boolean, True,
             "Offer slots and small choices as WhatsApp lists and buttons; false: numbered plain text."),
    Variable("REMINDER_QUICK_REPLIES", "reminder_quick_replies", parse.boolean, True,
             "The reminder template has Confirm / Reschedule / Cancel quick-reply buttons (payloads sent)."),
    Variable("WHATSAPP_SERVICE_WINDOW", "whatsapp_service_window", parse.boolean, True,
             "Refuse free-form sends to a customer who has not written in 24 hours (WhatsApp delivers only "
             "templates then); outbox mode records everything."),
    Variable("WAITLIST_HOLD_SECONDS", "waitlist_hold_seconds", parse.positive_float, 900.0,
             "How long a freed place offered to a waitlisted patient is held for them."),
    Variable("WAITLIST_SWEEP_SECONDS", "waitlist_sweep_seconds", parse.positive_float, 15.0,
             "How often each process sends unsent waitlist offers and moves expired ones on."),
    Variable("WAITLIST_OFFER_TEMPLATE", "waitlist_offer_template", parse.text, "waitlist_offer",
             "Template sent instead of the offer's buttons outside the 24-hour window (body: date, time; "
             "quick replies: Accept, Decline)."),
    Variable("UNSUPPORTED_MEDIA_MESSAGE", "unsupported_media_message", parse.text,
             "I'm sorry, I can't process audio or image files yet.", "Reply to audio and images."),
    Variable("VACATION_MESSAGE", "vacation_message", parse.text, "The business is closed during this period.",
             "Base text of vacation replies."),
    Variable("OTEL_EXPORTER_OTLP_ENDPOINT", "otel_endpoint", parse.text, None,
             "OTLP/HTTP collector for traces. Unset: tracing off, nothing exported."),
    Variable("OTEL_SERVICE_NAME", "otel_service_name", parse.text, "mawid", "Service name on exported traces."),
    Variable("BACKUP_DIR", "backup_dir", parse.text, "var/backups", "Local backup directory."),
    Variable("RETENTION_DAYS", "retention_days", parse.int_at_least(1), 7, "Days local backups are kept."),
    Variable("S3_BUCKET", "s3_bucket", parse.text, None, "Upload backups to this bucket when set."),
    Variable("S3_PREFIX", "s3_prefix", parse.text, "backups/mawid_pg_backups", "Object-key prefix of backups."),
    Variable("S3_ENDPOINT_URL", "s3_endpoint_url", parse.text, None, "S3-compatible endpoint."),
    Variable("AWS_REGION", "aws_region", parse.text, None, "S3 region."),
    Variable("PG_DUMP_OPTIONS", "pg_dump_options", parse.text, None, "Extra `pg_dump` arguments."),
    Variable("PG_DUMP_COMPRESSION", "pg_dump_compression", parse.text, "gzip", "`gzip` or `none`."),
    Variable("S3_SSE", "s3_sse", parse.text, None,
             "Server-side encryption of uploaded backups: `AES256` or `aws:kms`."),
    Variable("S3_SSE_KMS_KEY_ID", "s3_sse_kms_key_id", parse.text, None, "KMS key id used with `S3_SSE=aws:kms`."),
    Variable("SCHEDULER_ENABLED", "scheduler_enabled", parse.boolean, True,
             "Be a candidate for scheduler leader (one leader among all processes runs the shared jobs)."),
    Variable("SCHEDULER_POLL_INTERVAL", "scheduler_poll_interval", parse.positive_float, 2.0,
             "Seconds between a follower's tries for the leader lock, and between the leader's health checks."),
)


@dataclass(frozen=True)
class Config:
    values: Mapping[str, Any] = field(default_factory=dict)

    def __getattr__(self, attr: str) -> Any:
        try:
            return self.values[attr]
        except KeyError:
            raise AttributeError(attr) from None

    def replace(self, **changes: Any) -> "Config":
        unknown = set(changes) - {v.attr for v in VARIABLES}
        if unknown:
            raise ConfigError(f"unknown settings: {sorted(unknown)}")
        return Config({**self.values, **changes})

    @property
    def is_development(self) -> bool:
        return self.environment.lower() == "development"

    @property
    def whatsapp_configured(self) -> bool:
        return bool(self.access_token and self.phone_number_id)


def load_config(environ: Mapping[str, str] | None = None) -> Config:
    """Parse every variable; an unset or empty variable takes its documented default."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for var in VARIABLES:
        raw = environ.get(var.env, "").strip()
        if not raw:
            values[var.attr] = var.default
            continue
        try:
            values[var.attr] = var.parse(raw)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{var.env}={raw!r} is invalid: {exc}") from None
    if values["db_pool_min"] > values["db_pool_max"]:
        raise ConfigError("DB_POOL_MIN must not exceed DB_POOL_MAX")
    if values["log_format"] not in {"json", "text"}:
        raise ConfigError(f"LOG_FORMAT={values['log_format']!r} is invalid: must be json or text")
    return Config(values)


def env_table() -> str:
    """The README's table of environment variables, in Markdown."""
    rows = ["| Variable | Default | What it does |", "|---|---|---|"]
    for var in VARIABLES:
        default = "—" if var.default in (None, ()) else f"`{var.default}`"
        rows.append(f"| `{var.env}` | {default} | {var.doc} |")
    return "\n".join(rows)


__all__ = ["Config", "ConfigError", "VARIABLES", "env_table", "load_config"]

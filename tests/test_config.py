"""Configuration: defaults, parsing, and errors that name the variable."""
from __future__ import annotations

import pytest

from runtime.config import ConfigError, env_table, load_config


def test_defaults_with_empty_environment():
    config = load_config({})
    assert config.port == 8000
    assert config.timezone == "Asia/Riyadh"
    assert config.redis_url is None
    assert config.graph_api_timeout == 30.0
    assert config.is_development
    assert not config.whatsapp_configured


def test_empty_values_mean_default():
    # The reference's .env.example ships TIMEZONE = "" which must not break anything.
    assert load_config({"TIMEZONE": "", "PORT": "  "}).timezone == "Asia/Riyadh"


def test_sqlalchemy_style_urls_are_accepted():
    config = load_config({"DATABASE_URL": "postgresql+psycopg://u:p@db:5432/whatsapp_bot"})
    assert config.database_url == "postgresql://u:p@db:5432/whatsapp_bot"


@pytest.mark.parametrize("name, value, fragment", [
    ("TIMEZONE", "Mars/Olympus", "unknown IANA time zone"),
    ("PORT", "eighty", "invalid literal"),
    ("PORT", "0", "1 to 65535"),
    ("PORT", "99999", "1 to 65535"),  # the socket layer would listen on 99999 % 65536, silently
    ("DATABASE_URL", "mysql://x", "postgresql://"),
    ("TRUSTED_NETWORKS", "10.0.0.0/8,not-a-net", "does not appear to be an IPv4 or IPv6 network"),
    ("COOKIE_SECURE", "maybe", "true or false"),
    ("LLM_PROVIDER", "mistral", "one of"),
    ("ACTOR_IDLE_TIMEOUT", "-1", "positive"),
    ("GRAPH_API_TIMEOUT", "0", "positive"),
])
def test_bad_values_name_the_variable(name, value, fragment):
    with pytest.raises(ConfigError) as caught:
        load_config({name: value})
    assert str(caught.value).startswith(f"{name}=")
    assert fragment in str(caught.value)


def test_pool_bounds_are_checked():
    with pytest.raises(ConfigError, match="DB_POOL_MIN"):
        load_config({"DB_POOL_MIN": "30", "DB_POOL_MAX": "10"})


def test_trusted_networks_parse():
    config = load_config({"TRUSTED_NETWORKS": "10.0.0.0/8, 192.168.1.0/24"})
    assert [str(n) for n in config.trusted_networks] == ["10.0.0.0/8", "192.168.1.0/24"]


def test_env_table_lists_every_reference_variable():
    table = env_table()
    for name in ("DATABASE_URL", "TIMEZONE", "APP_SECRET", "VERIFY_TOKEN", "PHONE_NUMBER_ID", "INBOUND_QUEUE_WORKERS"):
        assert f"`{name}`" in table


def test_readme_lists_exactly_the_declared_variables():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert env_table() in readme, "README's table is stale: regenerate it with `bin/mawid env-table`"

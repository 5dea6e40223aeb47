"""Without TRUSTED_NETWORKS_ROLE a trusted network acts as staff: it may not rewrite the configuration."""
from __future__ import annotations

from runtime.config import ConfigError, load_config
from tests.reference_dashboard.conftest import REST_HEADERS


async def test_trusted_networks_act_as_staff_by_default(client):
    refused = await client.put("/api/config", json={"calendar_first_day": 0}, headers=REST_HEADERS)
    assert refused.status == 403
    assert (await refused.json())["message"] == "This action needs the admin role; you are staff"
    assert (await client.get("/reservations", headers=REST_HEADERS)).status == 200


def test_the_role_is_checked_at_start(env):
    assert load_config({**env, "TRUSTED_NETWORKS_ROLE": "Viewer"}).trusted_networks_role == "viewer"
    try:
        load_config({**env, "TRUSTED_NETWORKS_ROLE": "root"})
    except ConfigError as exc:
        assert "TRUSTED_NETWORKS_ROLE" in str(exc)
    else:
        raise AssertionError("an unknown role was accepted")

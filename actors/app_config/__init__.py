"""The application configuration document (spec 05 §6).

`await current_app_config(services)` returns the validated document (a dict the
caller must not mutate). Every call checks the singleton row's (id, updated_at)
with one indexed read, so a change made by any process — or by hand in the
database — is seen on the next request without a restart.
"""
from actors.app_config.store import (  # noqa: F401
    ConfigInvalid,
    current_app_config,
    current_app_config_response,
    replace_app_config,
    update_app_config,
)

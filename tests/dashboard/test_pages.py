"""The dashboard pages as HTTP resources: who gets a page, who is sent to /login, what a page may load."""
from __future__ import annotations

import re

import pytest

from handlers.dashboard import PAGES, STATIC, TEMPLATES, safe_next
from handlers.dashboard_i18n import STRINGS
from runtime.routes import Role

ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


@pytest.fixture
async def browser_client(aiohttp_client, app, token_for):
    """A client that carries the access token the way a browser does: in the `mawid_access` cookie."""

    async def make(role: Role):
        _, token = await token_for(role)
        return await aiohttp_client(app, cookies={"mawid_access": token})

    return make


async def test_anonymous_browser_is_sent_to_login_with_the_page_to_come_back_to(client):
    for page in PAGES:
        response = await client.get(page.path, allow_redirects=False)
        assert response.status == 302, page.path
        assert response.headers["Location"] == f"/login?next={page.path}"


async def test_login_page_is_public_and_posts_to_the_auth_route(client):
    response = await client.get("/login?next=/app/customers")
    assert response.status == 200
    html = await response.text()
    assert 'action="/auth/jwt/login"' in html
    assert 'data-next="/app/customers"' in html


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "\\\\evil", "", None])
def test_login_never_redirects_off_site(target):
    assert safe_next(target) == "/app/calendar"


async def test_each_role_sees_the_pages_it_may_use_and_a_403_page_for_the_others(browser_client):
    for role in (Role.VIEWER, Role.STAFF, Role.ADMIN):
        client = await browser_client(role)
        for page in PAGES:
            response = await client.get(page.path, allow_redirects=False)
            html = await response.text()
            if role >= page.role:
                assert response.status == 200, (role, page.path)
                assert f'data-page="{page.name}"' in html
            else:
                assert response.status == 403, (role, page.path)
                assert 'id="forbidden"' in html


async def test_viewer_pages_carry_no_edit_controls(browser_client):
    viewer = await browser_client(Role.VIEWER)
    html = await (await viewer.get("/app/calendar")).text()
    assert 'id="new-booking"' not in html and 'id="vacation-form"' not in html
    assert 'id="readonly-banner"' in html
    staff = await browser_client(Role.STAFF)
    html = await (await staff.get("/app/calendar")).text()
    assert 'id="new-booking"' in html and 'id="readonly-banner"' not in html


async def test_arabic_pages_are_right_to_left_and_the_toggle_sets_a_cookie(browser_client):
    staff = await browser_client(Role.STAFF)
    response = await staff.get("/app/lang/ar?next=/app/customers", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/app/customers"
    assert "mawid_lang=ar" in response.headers["Set-Cookie"]
    html = await (await staff.get("/app/customers", cookies={"mawid_lang": "ar"})).text()
    assert '<html lang="ar" dir="rtl">' in html
    assert STRINGS["nav_customers"][1] in html
    english = await (await staff.get("/app/customers", cookies={"mawid_lang": "en"})).text()
    assert '<html lang="en" dir="ltr">' in english


async def test_every_asset_a_page_names_is_served_from_this_origin(browser_client):
    staff = await browser_client(Role.ADMIN)
    seen = set()
    for page in PAGES:
        response = await staff.get(page.path)
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        for url in ASSET.findall(await response.text()):
            if url.startswith("/static/"):
                seen.add(url)
            else:
                assert url.startswith("/"), f"{page.path} loads {url} from elsewhere"
    assert seen
    for url in seen:
        assert (await staff.get(url)).status == 200, url


def test_no_template_or_static_file_reaches_for_a_cdn():
    remote = re.compile(r"""(?:src|href|import|from|url\()\s*=?\s*["']?(?:https?:)?//""")
    for folder in (TEMPLATES, STATIC):
        for path in folder.rglob("*"):
            if path.suffix in {".html", ".js", ".css"}:
                text = path.read_text()
                assert not remote.search(text), f"{path} references a remote URL"


def test_every_string_has_both_languages():
    for key, (english, arabic) in STRINGS.items():
        assert english and arabic, key
        assert re.search(r"[\u0600-\u06FF]", arabic) or key in {"language_toggle"}, key


def test_a_missing_text_shows_its_key_rather_than_failing_the_page():
    from handlers.dashboard_i18n import strings_for

    assert strings_for("ar")["no_such_text"] == "no_such_text"

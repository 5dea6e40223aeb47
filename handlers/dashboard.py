"""Staff dashboards: server-rendered pages that are clients of Mawid's own REST routes and `/ws`.

Each page is a jinja2 template plus one small ES module under `static/js/`.
The pages hold no business logic: they call the same routes and WebSocket
commands as any other client, with the login cookie. Page routes are declared
public (role None) because an anonymous *browser* must be sent to `/login`
rather than answered with 401 JSON; the role check happens here instead.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web
from yarl import URL

from handlers.dashboard_i18n import LANG_COOKIE, LANGUAGES, language_of, strings_for
from runtime.routes import USER, Role, Route, User
from runtime.services import SERVICES

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STATIC_PREFIX = "/static/"

# Everything a page loads comes from this origin: no CDN can be reached even by mistake.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
PAGE_AUTH_NOTE = "Browser page: anonymous visitors are redirected to /login; the role is checked in the handler"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    role: Role
    label: str  # key in dashboard_i18n.STRINGS


PAGES: tuple[Page, ...] = (
    Page("calendar", "/app/calendar", Role.VIEWER, "nav_calendar"),
    Page("conversations", "/app/conversations", Role.VIEWER, "nav_conversations"),
    Page("customers", "/app/customers", Role.VIEWER, "nav_customers"),
    Page("analytics", "/app/analytics", Role.VIEWER, "nav_analytics"),
    Page("live", "/app/live", Role.VIEWER, "nav_live"),
    Page("waitlist", "/app/waitlist", Role.VIEWER, "nav_waitlist"),
    Page("simulator", "/app/simulator", Role.STAFF, "nav_simulator"),
    Page("resources", "/app/resources", Role.ADMIN, "nav_resources"),
    Page("users", "/app/users", Role.ADMIN, "nav_users"),
)


def safe_next(target: str | None) -> str:
    """Only same-site paths may be a post-login destination (no open redirect).

    Checked as a browser would read it: browsers drop tab, CR and LF anywhere in a URL (`/\t/evil` is
    `//evil`, another host) and read `\\` as `/`, so any control character or backslash is refused
    outright, and the path is checked again in the form the Location header will carry.
    """
    if not target or "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return PAGES[0].path
    try:
        forms = (target, str(URL(target)))
    except ValueError:
        return PAGES[0].path
    for form in forms:
        parts = urlsplit(form)
        if parts.scheme or parts.netloc or not form.startswith("/") or form.startswith("//"):
            return PAGES[0].path
    return target


def asset_url(path: str) -> str:
    """A static URL versioned by the file's modification time, so a deploy is never served stale."""
    try:
        version = int((STATIC / path).stat().st_mtime)
    except OSError:
        version = 0
    return f"{STATIC_PREFIX}{path}?v={version}"


def base_context(request: web.Request, user: User | None, page: Page | None) -> dict:
    lang = language_of(request)
    strings = strings_for(lang)
    visible = [p for p in PAGES if user is not None and user.role >= p.role]
    timezone = request.app[SERVICES].config.timezone
    boot = {
        "lang": lang,
        # The business day, not the browser's: a Riyadh clinic's "today" from a laptop anywhere.
        "timezone": timezone,
        "today": datetime.now(ZoneInfo(timezone)).date().isoformat(),
        "page": page.name if page else "login",
        "strings": strings,
        "user": {"id": user.id, "email": user.email, "role": user.role.label} if user else None,
        "canEdit": bool(user and user.role >= Role.STAFF),
        "isAdmin": bool(user and user.role >= Role.ADMIN),
    }
    return {
        "lang": lang,
        "dir": "rtl" if lang == "ar" else "ltr",
        "t": strings,
        "user": user,
        "page": page,
        "nav": visible,
        "asset": asset_url,
        "boot_json": json.dumps(boot, ensure_ascii=False).replace("</", "<\\/"),
        "can_edit": boot["canEdit"],
    }


def _secure(response: web.StreamResponse) -> web.StreamResponse:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def render(template: str, request: web.Request, context: dict, status: int = 200) -> web.StreamResponse:
    return _secure(aiohttp_jinja2.render_template(template, request, context, status=status))


def page_handler(page: Page):
    async def show(request: web.Request) -> web.StreamResponse:
        user = request.get(USER)
        if user is None:
            raise web.HTTPFound(f"/login?next={quote(request.path_qs, safe='/')}")
        context = base_context(request, user, page)
        if user.role < page.role:
            context["required_role"] = page.role.label
            return render("forbidden.html", request, context, status=403)
        return render(f"{page.name}.html", request, context)

    show.__name__ = f"page_{page.name}"
    return show


async def login_page(request: web.Request) -> web.StreamResponse:
    context = base_context(request, None, None)
    context["next"] = safe_next(request.query.get("next"))
    return render("login.html", request, context)


async def app_home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(PAGES[0].path)


async def choose_language(request: web.Request) -> web.StreamResponse:
    """`/app/lang/{lang}`: remember the toggle in a cookie and go back where the user was."""
    lang = request.match_info["lang"]
    if lang not in LANGUAGES:
        raise web.HTTPNotFound()
    response = web.HTTPFound(safe_next(request.query.get("next")))
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, path="/", samesite="Lax")
    raise response


ROUTES = [
    Route("GET", "/login", login_page, None, summary="Staff sign-in page", tags=("dashboard",),
          auth_note="Public sign-in form; it posts to /auth/jwt/login"),
    Route("GET", "/app", app_home, None, summary="Dashboard home (redirects to the calendar)", tags=("dashboard",),
          auth_note=PAGE_AUTH_NOTE),
    Route("GET", "/app/lang/{lang}", choose_language, None, summary="Switch the dashboard language (en or ar)",
          tags=("dashboard",), auth_note="Sets a language cookie only"),
    *[
        Route("GET", page.path, page_handler(page), None, summary=f"Dashboard page: {page.name}",
              tags=("dashboard",), auth_note=f"{PAGE_AUTH_NOTE} (least role: {page.role.label})")
        for page in PAGES
    ],
]


def setup(app: web.Application) -> None:
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    app.router.add_static(STATIC_PREFIX, STATIC, name="dashboard_static")

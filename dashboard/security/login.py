"""The sign-in page, sign-out and the health check: plain Flask routes, not Dash pages.

The page is rendered on the server (Jinja, autoescaped) in Chinese or English (``?lang=en``), with
the bundled font and no script at all. Its form carries its own CSRF token, a signed double-submit
token: a random nonce in a ``SameSite=Strict`` HttpOnly cookie and the nonce signed with the
server's key in the form; the post must bring both and they must agree. (Visitors who have not
signed in get no server-side session, so Flask-WTF's session-bound token is not used here.)
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlencode

import flask
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from access import audit
from access.errors import SignInFailed
from access.signin import sign_in
from dashboard import context
from dashboard.security.config import SecurityConfig
from dashboard.security.sessions import end_session, session_user, signed_in, start_session

LOGIN_COOKIE = "yipanqi_login"
FORM_MAX_AGE = 3600  # seconds a sign-in form stays valid
CSRF_COOKIE = "_csrf_token"  # Dash's renderer sends this cookie back as X-CSRFToken

STRINGS = {
    "zh": {
        "title": "登录 · 一盘棋",
        "app": "一盘棋",
        "subtitle": "流动人口计划生育服务管理 · 区域协作规划平台",
        "heading": "登录",
        "username": "用户名",
        "credential": "密码",
        "submit": "登录",
        "failed": "用户名或密码错误，或账户已停用、已临时锁定。请稍后再试，或联系管理员。",
        "unavailable": "目录服务暂时无法连接，请稍后再试。",
        "stale": "登录表单已过期，请重新输入。",
        "ended": "会话已结束，请重新登录。",
        "bye": "您已退出登录。",
        "notice": "仅限授权人员使用。登录和操作均记入审计日志。",
        "switch": "English",
        "switch_lang": "en",
    },
    "en": {
        "title": "Sign in · Yipanqi",
        "app": "Yipanqi 一盘棋",
        "subtitle": "Floating population services · regional planning",
        "heading": "Sign in",
        "username": "User name",
        "credential": "Password",
        "submit": "Sign in",
        "failed": "Wrong user name or password, or the account is disabled or locked for a while. "
        "Try again later or ask your administrator.",
        "unavailable": "The directory cannot be reached; try again later.",
        "stale": "The sign-in form had expired; please enter your details again.",
        "ended": "Your session has ended; please sign in again.",
        "bye": "You have signed out.",
        "notice": "For authorised staff only. Sign-ins and actions are recorded in the audit log.",
        "switch": "中文",
        "switch_lang": "zh",
    },
}


def login_blueprint(config: SecurityConfig) -> flask.Blueprint:
    """``/login`` (GET, POST), ``/logout`` (GET, POST), ``/healthz`` and the page's stylesheet."""
    bp = flask.Blueprint(
        "security",
        __name__,
        template_folder="templates",
        static_folder="static",
        static_url_path="/_auth/static",
    )
    signer = URLSafeTimedSerializer(config.secret_key, salt="yipanqi-login-form")

    @bp.route("/login", methods=["GET", "POST"])
    def login() -> Response:
        request = flask.request
        lang = "en" if request.values.get("lang") == "en" else "zh"
        target = safe_next(request.values.get("next"))
        engine = context.current().engine
        if request.method == "GET":
            if signed_in(engine, config.policy) is not None:
                return flask.redirect(target, code=303)
            notice = (
                "ended" if request.args.get("ended") else "bye" if request.args.get("bye") else None
            )
            return _form(signer, config, lang, target, notice=notice)
        username = request.form.get("username", "").strip()
        if not _form_token_ok(signer, request.form.get("csrf_token", "")):
            return _form(signer, config, lang, target, username, error="stale", status=400)
        try:
            principal = sign_in(
                engine,
                username,
                request.form.get("password", ""),
                policy=config.policy,
                ldap=config.ldap,
                source=request.remote_addr or "",
            )
        except SignInFailed as exc:
            error = "unavailable" if exc.unavailable else "failed"
            return _form(signer, config, lang, target, username, error=error, status=401)
        start_session(principal)
        response = flask.redirect(target, code=303)
        response.delete_cookie(LOGIN_COOKIE, path="/login", samesite="Strict", secure=config.tls)
        return response

    @bp.route("/logout", methods=["GET", "POST"])
    def logout() -> Response:
        request = flask.request
        # A GET from another site could sign people out: only same-site navigation may.
        if request.method == "GET" and request.headers.get("Sec-Fetch-Site") == "cross-site":
            return flask.Response("sign out from the application\n", 403, mimetype="text/plain")
        username = session_user()
        if username:
            audit.record(context.current().engine, audit.SIGN_OUT, username=username)
        end_session()
        lang = "&lang=en" if request.values.get("lang") == "en" else ""
        response = flask.redirect(f"/login?bye=1{lang}", code=303)
        response.delete_cookie(CSRF_COOKIE, path="/", samesite="Strict", secure=config.tls)
        return response

    @bp.get("/healthz")
    def healthz() -> Response:
        return flask.Response("ok\n", mimetype="text/plain")

    return bp


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site (``/...``, not ``//host`` or ``/\\host``), else
    ``/``: the sign-in page never redirects elsewhere."""
    if (
        not target
        or len(target) > 2000
        or not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or any(ch in target for ch in "\r\n\t\\")
    ):
        return "/"
    return target


def _form(
    signer: URLSafeTimedSerializer,
    config: SecurityConfig,
    lang: str,
    target: str,
    username: str = "",
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    nonce = secrets.token_urlsafe(24)
    strings = STRINGS[lang]
    html = flask.render_template(
        "security/login.html",
        s=strings,
        lang=lang,
        next=target,
        username=username,
        token=signer.dumps(nonce),
        error=strings[error] if error else None,
        notice=strings[notice] if notice else None,
        switch_href="/login?" + _query(strings["switch_lang"], target),
    )
    response = flask.Response(html, status=status, mimetype="text/html")
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        max_age=FORM_MAX_AGE,
        path="/login",
        httponly=True,
        secure=config.tls,
        samesite="Strict",
    )
    return response


def _form_token_ok(signer: URLSafeTimedSerializer, token: str) -> bool:
    nonce = flask.request.cookies.get(LOGIN_COOKIE, "")
    try:
        signed = signer.loads(token, max_age=FORM_MAX_AGE)
    except BadData:
        return False
    return bool(nonce) and isinstance(signed, str) and hmac.compare_digest(signed, nonce)


def _query(lang: str, target: str) -> str:
    params = {"lang": lang} if lang == "en" else {}
    if target != "/":
        params["next"] = target
    return urlencode(params)

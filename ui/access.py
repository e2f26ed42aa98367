"""Sign-in for a shared instance (docs/rules.md "Sign-in and scope"), with Streamlit's own `st.login`/`st.user`.

Local mode (nothing that looks like sign-in in `.streamlit/secrets.toml`): nobody signs in and
everyone sees everything. Anything that looks like sign-in starts shared mode, and an incomplete
or misspelt configuration shows one page naming what is missing, and no data (fail closed).

Shared mode: `gate` runs first on every run of the app. A person who is not signed in gets the
sign-in page; a signed-in person is let in by `coinvest.access.admit` (a verified e-mail, the
configured provider, the issuer and subject recorded at the first sign-in) and looked up in
coinvest's own `membership` table (never in the provider's claims, frozen in the login cookie),
so a member removed with `coinvest members remove` loses access at their next page load; a
person with no membership is told whom to ask and sees no data.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from collections.abc import Mapping
from pathlib import Path

import streamlit as st

from coinvest import access
from coinvest import reference as ref
from coinvest.access import Member
from coinvest.i18n import md_escape, t
from ui.language import lang

STATE_MEMBER = "signed_in_member"


def _secret_files_exist() -> bool:
    try:
        places = st.get_option("secrets.files") or []
    except RuntimeError:
        return False
    return any(Path(place).exists() for place in places)


# Keys that mean "sign-in is wanted" wherever they stand in the secrets (docs/rules.md "Sign-in
# and scope": fail closed): a misspelt section (`[Auth]`) or a key outside its section still
# starts shared mode.
SIGN_IN_KEYS = (
    "auth",
    "cookie_secret",
    "client_id",
    "client_secret",
    "server_metadata_url",
    "redirect_uri",
)
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def _looks_like_sign_in(mapping: Mapping, depth: int = 0) -> bool:
    for key, value in mapping.items():
        if str(key).strip().lower() in SIGN_IN_KEYS:
            return True
        if isinstance(value, Mapping) and depth < 3 and _looks_like_sign_in(value, depth + 1):
            return True
    return False


def _secrets() -> Mapping | None:
    """The secrets as a mapping, None without a secrets file; a file that exists but cannot be
    read stops the app with a message: it must not fall back to local mode."""
    try:
        return {key: st.secrets[key] for key in st.secrets}
    except Exception:  # Streamlit raises its own error for a missing or broken file
        if _secret_files_exist():
            st.error(t("access.secrets_broken", _language()))
            st.stop()
        return None


def shared_mode() -> bool:
    """True when the secrets hold anything that looks like sign-in (an `[auth]` section, also
    misspelt, or one of its keys): the instance then never runs in local mode."""
    found = _secrets()
    return found is not None and _looks_like_sign_in(found)


def missing_configuration() -> list[str]:
    """What the sign-in configuration lacks, in the words of `secrets.toml` (empty when it is
    complete): an `[auth]` section, exactly so spelt, with `redirect_uri` (ending in
    `/oauth2callback`) and `cookie_secret`, and a provider's `client_id`, `client_secret` and
    `server_metadata_url`, in `[auth]` or in each `[auth.<name>]`."""
    found = _secrets() or {}
    section = found.get("auth")
    if not isinstance(section, Mapping):
        spelt = [str(k) for k in found if str(k).strip().lower() == "auth" and k != "auth"]
        if spelt:
            return ["[auth] " + t("access.misconfigured.case", _language(), found=spelt[0])]
        return ["[auth]"]
    missing = [
        f"[auth] {key}"
        for key in ("redirect_uri", "cookie_secret")
        if not str(section.get(key) or "").strip()
    ]
    redirect = str(section.get("redirect_uri") or "")
    if redirect and not redirect.rstrip("/").endswith("/oauth2callback"):
        missing.append("[auth] redirect_uri … /oauth2callback")
    named = {name: value for name, value in section.items() if isinstance(value, Mapping)}
    places = (
        {"[auth]": section}
        if "client_id" in section or not named
        else {f"[auth.{name}]": value for name, value in named.items()}
    )
    for place, values in places.items():
        missing += [
            f"{place} {key}" for key in PROVIDER_KEYS if not str(values.get(key) or "").strip()
        ]
    return missing


def _language() -> str:
    return lang()


def providers() -> list[str | None]:
    """The providers configured: None for a single `[auth]` section, else the names of its
    `[auth.<name>]` sections."""
    section = st.secrets["auth"]
    named = [name for name, value in section.items() if isinstance(value, Mapping)]
    return [None] if "client_id" in section or not named else sorted(named)


def _sign_in_page(language: str) -> None:
    st.title(t("access.title", language))
    st.write(t("access.intro", language))
    for provider in providers():
        label = (
            t("access.sign_in", language)
            if provider is None
            else t("access.sign_in_with", language, provider=provider)
        )
        if st.button(label, type="primary", key=f"sign_in_{provider or 'default'}"):
            if provider is None:
                st.login()
            else:
                st.login(provider)


def _no_access_page(con, language: str, email: str, reason: str) -> None:
    st.title(t("access.no_access.title", language))
    if reason == access.NO_MEMBERSHIP:
        st.warning(t("access.no_access", language, email=md_escape(email or "—")))
    else:  # unverified, no identity, another provider, another identity
        st.warning(t(f"access.refused.{reason}", language, email=md_escape(email or "—")))
    admins = access.admins(con)
    if admins.empty:
        st.write(t("access.no_admin", language))
    else:
        st.write(t("access.ask", language))
        for row in admins.itertuples(index=False):
            st.markdown(f"- {md_escape(row.email)} ({md_escape(row.org_name)})")
    st.button(t("access.sign_out", language), on_click=st.logout, key="sign_out_no_access")


def scope_words(member: Member, language: str) -> str:
    """What the member sees, in words: `les projets financés par Fondation X`."""
    return t(f"access.scope.{member.role}", language, organisation=member.org_name)


def _identity(member: Member, language: str) -> None:
    """The signed-in person, their organisation and role in the sidebar, with sign-out."""
    box = st.sidebar.container(border=True)
    name = st.user.get("name") or member.email
    role = ref.labels(ref.ROLES, language)[member.role]
    box.markdown(
        t(
            "access.signed_in",
            language,
            name=md_escape(str(name)),
            organisation=md_escape(member.org_name),
            role=role,
        )
    )
    box.caption(scope_words(member, language))
    box.button(t("access.sign_out", language), on_click=st.logout, key="sign_out")


def configuration_gate(language: str) -> None:
    """Run before anything else: a sign-in configuration that is incomplete or misspelt shows
    one page naming what is missing, and nothing else — never local mode, never a traceback."""
    if not shared_mode():
        return
    missing = missing_configuration()
    if missing:
        st.title(t("access.misconfigured.title", language))
        st.error(t("access.misconfigured", language))
        st.code("\n".join(missing), language=None)  # the file's own words, shown as text
        st.stop()


@st.cache_data(ttl=600, show_spinner=False)
def _issuer(metadata_url: str) -> str | None:
    """The issuer a provider's metadata names (None when it cannot be read now)."""
    if not metadata_url.startswith(("https://", "http://")):
        return None
    try:
        with urllib.request.urlopen(metadata_url, timeout=5) as answer:  # noqa: S310 (checked above)
            found = json.loads(answer.read(1_000_000)).get("issuer")
    except (OSError, ValueError):
        return None
    return str(found) if found else None


def configured_issuers() -> frozenset[str] | None:
    """The issuers of the configured providers; None when none can be read (Authlib checked
    the issuer against the same metadata at sign-in)."""
    section = st.secrets["auth"]
    named = [value for value in section.values() if isinstance(value, Mapping)]
    urls = [section.get("server_metadata_url")] + [v.get("server_metadata_url") for v in named]
    found = {_issuer(str(url)) for url in urls if url}
    found.discard(None)
    return frozenset(str(i) for i in found) or None


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def open_to_the_network() -> bool:
    """Local mode served on another address than this machine's own (docs/rules.md "Sign-in and scope"): anyone who
    reaches it sees and changes everything."""
    address = str(st.get_option("server.address") or "").strip().strip("[]")
    return address not in LOOPBACK and not address.startswith("127.")


@st.cache_resource(show_spinner=False)
def _told_the_terminal(address: str) -> bool:
    """Say it once per process in the terminal that started the app."""
    print(
        f"coinvest: {t('access.open_network.terminal', 'en', address=address or 'every interface')}",
        file=sys.stderr,
        flush=True,
    )
    return True


def gate(con, language: str) -> Member | None:
    """Run first on every run: None in local mode; in shared mode the signed-in member, or a
    sign-in or no-access page and a stop."""
    if not shared_mode():
        st.session_state.pop(STATE_MEMBER, None)
        if open_to_the_network():
            _told_the_terminal(str(st.get_option("server.address") or ""))
            st.warning(t("access.open_network", language))
        return None
    st.session_state.pop(STATE_MEMBER, None)  # read again below, on every run
    if not st.user.is_logged_in:
        _sign_in_page(language)
        st.stop()
    email = str(st.user.get("email") or "")
    claims = {key: st.user.get(key) for key in ("email", "email_verified", "iss", "sub", "name")}
    member, refused = access.admit(con, claims, configured_issuers())
    if member is None:
        _no_access_page(con, language, email, refused or access.NO_MEMBERSHIP)
        st.stop()
    st.session_state[STATE_MEMBER] = member
    _identity(member, language)
    return member


def current_member() -> Member | None:
    """The member `gate` let in on this run (None in local mode). In shared mode, a run that has
    none stops: nothing is shown to someone the gate did not let in."""
    if not shared_mode():
        return None
    member = st.session_state.get(STATE_MEMBER)
    if not isinstance(member, Member):
        st.stop()
    return member

"""Sign-in for a shared instance (DESIGN §10), with Streamlit's own `st.login`/`st.user`.

Local mode (no `[auth]` in `.streamlit/secrets.toml`): nobody signs in and everyone sees
everything, as before. Shared mode: `gate` runs first on every run of the app. A person who is
not signed in gets the sign-in page; a signed-in person is looked up in coinvest's own
`membership` table (never in the provider's claims, frozen in the login cookie), so a member
removed with `coinvest members remove` loses access at their next page load; a person with no
membership is told whom to ask and sees no data.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import streamlit as st

from coinvest import access
from coinvest import reference as ref
from coinvest.access import Member
from coinvest.i18n import md_escape, t

STATE_MEMBER = "signed_in_member"


def _secret_files_exist() -> bool:
    try:
        places = st.get_option("secrets.files") or []
    except RuntimeError:
        return False
    return any(Path(place).exists() for place in places)


def shared_mode() -> bool:
    """True when sign-in is configured (an `[auth]` section in the secrets).

    A secrets file that exists but cannot be read stops the app with a message: the instance
    must not fall back to local mode, where everyone sees everything.
    """
    try:
        return "auth" in st.secrets
    except Exception:  # Streamlit raises its own error for a missing or broken file
        if _secret_files_exist():
            st.error(t("access.secrets_broken", _language()))
            st.stop()
        return False


def _language() -> str:
    from ui.context import lang  # the language switch lives with the filter

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


def _no_access_page(con, language: str, email: str, unverified: bool) -> None:
    st.title(t("access.no_access.title", language))
    if unverified:
        st.warning(t("access.unverified", language, email=md_escape(email)))
    else:
        st.warning(t("access.no_access", language, email=md_escape(email or "—")))
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


def gate(con, language: str) -> Member | None:
    """Run first on every run: None in local mode; in shared mode the signed-in member, or a
    sign-in or no-access page and a stop."""
    if not shared_mode():
        st.session_state.pop(STATE_MEMBER, None)
        return None
    st.session_state.pop(STATE_MEMBER, None)  # read again below, on every run
    if not st.user.is_logged_in:
        _sign_in_page(language)
        st.stop()
    email = str(st.user.get("email") or "")
    unverified = st.user.get("email_verified") is False
    member = None if unverified else access.find_member(con, email)
    if member is None:
        _no_access_page(con, language, email, unverified)
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

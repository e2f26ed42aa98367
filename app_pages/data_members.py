"""Members (docs/rules.md "Sign-in and scope"): who may sign in to a shared instance, for which
organisation and in which role."""

import streamlit as st

from coinvest import reference as ref
from coinvest.access import add_member, list_members, remove_member
from coinvest.audit import author
from coinvest.errors import CoinvestError
from coinvest.i18n import md_escape, t
from coinvest.lookups import organisation_names
from ui.context import lang_key
from ui.show import day, table
from ui.tools import open_tool

tool = open_tool("members")
language, con, member, locked = tool.language, tool.con, tool.member, tool.locked

# the instance's members; a change here holds at the person's next page load (the CLI's
# `coinvest members` and a `members` sheet do the same while the app is stopped)
st.write(t("data.members.intro", language))
if "member_flash" in st.session_state:  # what the last change did, before its rerun
    st.success(st.session_state.pop("member_flash"))
role_names = ref.labels(ref.ROLES, language)
members = list_members(con)
members["role_label"] = members["role"].map(role_names)
table(
    members,
    {
        "email": t("data.members.email", language),
        "name": t("data.members.name", language),
        "org_name": t("data.members.organisation", language),
        "org_id": t("data.members.org_id", language),
        "role_label": t("data.members.role", language),
        "added_at": t("data.members.added", language),
    },
    language,
    formats={"added_at": day(language)},
    key="data_members",
    title=t("data.tab.members", language),
)
add_col, remove_col = st.columns(2)
with add_col.form("member_add", clear_on_submit=True):
    st.markdown(f"**{t('data.members.add', language)}**")
    email = st.text_input(t("data.members.email", language), key="member_email")
    name = st.text_input(
        t("data.members.name", language),
        key="member_name",
        help=t("data.members.name_help", language),
    )
    organisations = organisation_names(con)
    org_id = st.selectbox(
        t("data.members.organisation", language),
        list(organisations),
        index=None,
        format_func=lambda oid: f"{organisations[oid]} ({oid})",
        placeholder=t("filter.choose", language),
        key="member_org",
    )
    role = st.selectbox(
        t("data.members.role", language),
        list(ref.ROLE_CODES),
        format_func=lambda code: role_names[code],
        key=lang_key("member_role"),
    )
    if st.form_submit_button(t("data.members.add", language), disabled=locked):
        try:
            added, replaced = add_member(con, email, org_id or "", role, author(member), name=name)
        except CoinvestError as exc:
            st.error(exc.message(language, markdown=True))
        else:
            key = "data.members.replaced" if replaced else "data.members.added_one"
            st.session_state["member_flash"] = t(key, language, email=md_escape(added.email))
            st.rerun()
with remove_col.form("member_remove"):
    st.markdown(f"**{t('data.members.remove', language)}**")
    gone = st.selectbox(
        t("data.members.email", language),
        list(members["email"]),
        index=None,
        placeholder=t("filter.choose", language),
        key="member_gone",
    )
    sure = st.checkbox(t("data.members.confirm", language), key="member_sure")
    if st.form_submit_button(t("data.members.remove", language), disabled=locked):
        if gone and sure:
            remove_member(con, gone, author(member))
            st.session_state["member_flash"] = t(
                "data.members.removed", language, email=md_escape(gone)
            )
            st.rerun()
        else:
            st.warning(t("data.members.confirm_first", language))

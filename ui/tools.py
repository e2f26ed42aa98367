"""What the data tools' pages share (docs/pages.md "Data tools"): who is reading, the header,
and the notices of a read-only instance and of an admin's tool.

Each tool is a page of its own, listed in the navigation for the roles that may use it
(`TOOLS`): import, the journal and the members are an admin's (everyone's in local mode);
templates, exports, the questionnaire and the campaigns (docs/campaigns.md) are every member's.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from coinvest.access import Member
from coinvest.db import Connection
from coinvest.filters import PortfolioFilter
from coinvest.i18n import t
from ui.access import current_member
from ui.context import connection, current_filter, lang, read_only
from ui.header import header

# (name, page file, URL path, icon, who: "admin" or "member", writes)
TOOLS = (
    ("import", "data_import.py", "import", ":material/upload_file:", "admin", True),
    ("templates", "data_templates.py", "templates", ":material/description:", "member", False),
    ("export", "data_export.py", "export", ":material/download:", "member", False),
    ("questionnaire", "data_questionnaire.py", "questionnaire", ":material/quiz:", "member", True),
    ("to_fill", "data_to_fill.py", "to-fill", ":material/edit_note:", "member", True),
    ("campaigns", "data_campaigns.py", "campaigns", ":material/campaign:", "member", True),
    ("log", "data_journal.py", "journal", ":material/history:", "admin", True),
    ("members", "data_members.py", "members", ":material/badge:", "admin", True),
)


def tools_for(member: Member | None) -> list[tuple[str, str, str, str]]:
    """The tools a person sees, in order: (name, file, URL path, icon). The members' tool
    exists in shared mode only, where people sign in."""
    admin = member is None or member.is_admin
    return [
        (name, file, path, icon)
        for name, file, path, icon, who, _ in TOOLS
        if (admin or who == "member") and (name != "members" or member is not None)
    ]


@dataclass(frozen=True)
class Tool:
    language: str
    con: Connection
    flt: PortfolioFilter
    member: Member | None  # None in local mode
    admin: bool
    locked: bool  # a read-only instance: nothing is written


def open_tool(name: str) -> Tool:
    """The page of one tool: its header, then why it writes nothing on a read-only instance;
    an admin's tool opened by anyone else says so and stops (the navigation does not list it
    for them)."""
    language = lang()
    con = connection()
    flt = current_filter()
    member = current_member()
    admin = member is None or member.is_admin
    who, writes = next((w, wr) for n, _, _, _, w, wr in TOOLS if n == name)
    header(con, flt, language, f"data.tab.{name}", None)
    if who == "admin" and not admin:
        st.info(t("data.member_only", language))
        st.stop()
    locked = read_only()
    if locked and writes:
        st.info(t("readonly.no_import", language))
    return Tool(language, con, flt, member, admin, locked)

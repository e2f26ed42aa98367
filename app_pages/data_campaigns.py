"""Campaigns (docs/campaigns.md): create one, follow who answered, remind, close."""

from datetime import timedelta

import streamlit as st

from coinvest import campaigns as C
from coinvest import reference as ref
from coinvest.errors import CoinvestError
from coinvest.i18n import format_number, md_escape, t
from coinvest.lookups import cohorts
from coinvest.workbook import frame_to_csv
from ui.cache import M
from ui.show import table
from ui.tools import open_tool

tool = open_tool("campaigns")
language, con, flt, member, admin, locked = (
    tool.language,
    tool.con,
    tool.flt,
    tool.member,
    tool.admin,
    tool.locked,
)
scope = None if member is None else member.scope
viewpoint_names = ref.labels(ref.VIEWPOINTS, language)
state_names = {state: t(f"campaigns.state.{state}", language) for state in C.STATES}
BOARD_ROWS = 500  # rows of the board and of the reminders shown; the CSV holds every person

st.write(t("campaigns.intro", language))
if "campaign_flash" in st.session_state:  # what the last step did, before its rerun
    st.success(st.session_state.pop("campaign_flash"))

# --- a new campaign: an admin's, or a support body's over its own cohorts ----------------------
may_create = admin or (member is not None and member.role == "support_body")
listed = C.list_campaigns(con, scope)
if may_create and not locked:
    own = cohorts(con, scope)
    if member is not None and not member.is_admin:
        own = own[own["support_body_org_id"] == member.org_id]
    names = dict(zip(own["cohort_id"], own["name"], strict=True))
    in_filter = M.project_count(con, flt)  # their ids are read when the campaign is made
    with (
        st.expander(t("campaigns.new", language), expanded=listed.empty),
        st.form("campaign_new", clear_on_submit=False),
    ):
        name = st.text_input(t("campaigns.name", language), key="campaign_name")
        left, right = st.columns(2)
        today = C.utc_today()
        reference = left.date_input(
            t("campaigns.reference", language),
            value=today,
            format="DD/MM/YYYY",
            help=t("campaigns.reference.help", language),
            key="campaign_reference",
        )
        deadline = right.date_input(
            t("campaigns.deadline", language),
            value=today + timedelta(days=30),
            format="DD/MM/YYYY",
            key="campaign_deadline",
        )
        source = st.radio(
            t("campaigns.projects", language),
            ["cohort", "filter"],
            format_func=lambda s: (
                t("campaigns.projects.cohort", language)
                if s == "cohort"
                else t(
                    "campaigns.projects.filter",
                    language,
                    n=format_number(in_filter, 0, language),
                )
            ),
            key="campaign_source",
        )
        cohort = st.selectbox(
            t("campaigns.cohort", language),
            list(names),
            index=None,
            format_func=lambda c: f"{names[c]} ({c})",
            placeholder=t("filter.choose", language),
            key="campaign_cohort",
        )
        created = st.form_submit_button(t("campaigns.create", language), type="primary")
    if created:
        try:
            made = C.create_campaign(
                con,
                name,
                reference,
                deadline,
                cohort_id=cohort if source == "cohort" else None,
                project_ids=C.filter_projects(con, flt) if source == "filter" else None,
                member=member,
            )
        except CoinvestError as exc:
            st.error(exc.message(language, markdown=True))
        else:
            st.cache_data.clear()
            st.session_state["campaign_flash"] = t(
                "campaigns.created", language, id=made.campaign_id, name=md_escape(made.name)
            )
            st.session_state["campaign_pick"] = made.campaign_id
            st.rerun()

# --- one campaign's board ---------------------------------------------------------------------
listed = C.list_campaigns(con, scope)
if listed.empty:
    st.info(t("campaigns.none", language))
    st.stop()
labels = {
    int(
        row["campaign_id"]
    ): f"{row['name']} — {row['reference_date']:%d/%m/%Y} (n° {row['campaign_id']})"
    for _, row in listed.iterrows()
}
chosen = st.selectbox(
    t("campaigns.pick", language), list(labels), format_func=labels.get, key="campaign_pick"
)
campaign = C.get_campaign(con, int(chosen), scope)
is_open = campaign.is_open(C.utc_today())
st.markdown(
    t(
        "campaigns.status.open" if is_open else "campaigns.status.closed",
        language,
        reference=f"{campaign.reference_date:%d/%m/%Y}",
        deadline=f"{campaign.deadline:%d/%m/%Y}",
    )
)
tiles = st.columns(len(ref.VIEWPOINT_CODES))
totals = C.shares_of(con, campaign, scope)
for box, (_, row) in zip(tiles, totals.iterrows(), strict=True):
    share = row["share"]
    box.metric(
        viewpoint_names[row["viewpoint"]],
        "—" if share is None else f"{format_number(100 * share, 0, language)} %",
        help=t("campaigns.share.help", language, sent=row["sent"], expected=row["expected"]),
    )
# the projects with the most left to send first; the whole board is `coinvest campaign status`
board = C.board(con, campaign, scope, limit=BOARD_ROWS + 1)
if len(board) > BOARD_ROWS:
    board = board.head(BOARD_ROWS)
    st.caption(t("campaigns.board.first", language, n=format_number(BOARD_ROWS, 0, language)))
board["viewpoint_label"] = board["viewpoint"].map(viewpoint_names)
table(
    board,
    {
        "project_name": t("col.project", language),
        "viewpoint_label": t("col.viewpoint", language),
        "expected": t("campaigns.expected", language),
        "draft": t("campaigns.state.draft", language),
        "sent": t("campaigns.state.sent", language),
        "missing_membership": t("campaigns.missing_membership", language),
    },
    language,
    key="campaign_board",
    title=t("campaigns.board", language, name=campaign.name),
)
missing = C.missing_memberships(con, campaign, scope)
if not missing.empty:
    st.warning(
        t(
            "campaigns.missing",
            language,
            organisations=", ".join(
                f"{md_escape(o)} ({viewpoint_names[v]})"
                for o, v in zip(missing["org_name"], missing["viewpoint"], strict=True)
            ),
        )
    )

st.header(t("campaigns.reminders", language))
people = C.reminders(con, campaign, scope)
if people.empty:
    st.caption(t(f"campaigns.reminders.{C.nobody_to_remind(totals)}", language))
else:
    people["viewpoint_label"] = people["viewpoint"].map(viewpoint_names)
    people["state_label"] = people["state"].map(state_names)
    columns = {
        "name": t("data.members.name", language),
        "email": t("data.members.email", language),
        "org_name": t("data.members.organisation", language),
        "project_name": t("col.project", language),
        "viewpoint_label": t("col.viewpoint", language),
        "state_label": t("campaigns.state", language),
    }
    table(people.head(BOARD_ROWS), columns, language, key="campaign_reminders", download=False)
    st.download_button(
        t("campaigns.reminders.csv", language, n=len(people)),
        data=frame_to_csv(people[list(columns)].rename(columns=columns)),
        file_name=f"coinvest-relances-campagne-{campaign.campaign_id}.csv",
        mime="text/csv",
        key="campaign_reminders_csv",
        icon=":material/download:",
    )

may_close = admin or (member is not None and member.org_id == campaign.owner_org_id)
closable = campaign.closed_at is None and may_close and not locked
if closable and st.button(t("campaigns.close", language), key="campaign_close"):
    try:
        C.close_campaign(con, campaign.campaign_id, member)
    except CoinvestError as exc:
        st.error(exc.message(language, markdown=True))
    else:
        st.cache_data.clear()
        st.session_state["campaign_flash"] = t(
            "campaigns.closed", language, id=campaign.campaign_id
        )
        st.rerun()

"""À remplir (docs/campaigns.md): the questionnaires of open campaigns a person answers,
pre-filled from their previous round, saved as drafts, sent when ready."""

import streamlit as st

from coinvest import campaigns as C
from coinvest import reference as ref
from coinvest.errors import CoinvestError
from coinvest.i18n import format_number, md_escape, t
from ui.tools import open_tool

tool = open_tool("to_fill")
language, con, member, locked = tool.language, tool.con, tool.member, tool.locked
viewpoint_names = ref.labels(ref.VIEWPOINTS, language)
state_names = {state: t(f"campaigns.state.{state}", language) for state in C.STATES}

st.write(t("to_fill.intro", language))
if "to_fill_flash" in st.session_state:  # what the last save did, before its rerun
    st.success(st.session_state.pop("to_fill_flash"))
LISTED = 1000  # questionnaires listed per campaign (an admin answers any: the list is long)
todo = C.to_answer(con, member, limit=LISTED + 1)
if todo.empty:
    st.info(t("to_fill.none", language))
    st.stop()
counts = todo.groupby("campaign_id")["project_id"].transform("size")
if (counts > LISTED).any():
    todo = todo.groupby("campaign_id").head(LISTED)
    st.caption(t("to_fill.first", language, n=format_number(LISTED, 0, language)))

keys = [
    (int(c), str(p), str(v), str(o))
    for c, p, v, o in zip(
        todo["campaign_id"], todo["project_id"], todo["viewpoint"], todo["org_id"], strict=True
    )
]
labels = {
    key: t(
        "to_fill.item",
        language,
        campaign=row["campaign_name"],
        project=f"{row['project_name']} ({row['project_id']})",
        viewpoint=viewpoint_names[row["viewpoint"]],
        organisation=row["org_name"],
        state=state_names[row["state"]],
        deadline=f"{row['deadline']:%d/%m/%Y}",
    )
    for key, (_, row) in zip(keys, todo.iterrows(), strict=True)
}
picked = st.selectbox(
    t("to_fill.pick", language),
    keys,
    format_func=labels.get,
    key="to_fill_pick",
)
campaign_id, project_id, viewpoint, org_id = picked
campaign = C.get_campaign(con, campaign_id, None if member is None else member.scope)
form = C.questionnaire(con, campaign, project_id, viewpoint, org_id)
if form.prefilled_from:
    st.caption(t("to_fill.prefilled", language, assessment=md_escape(form.prefilled_from)))
elif form.state == C.SENT:
    st.caption(t("to_fill.sent", language))
st.markdown(
    t(
        "to_fill.round",
        language,
        reference=f"{campaign.reference_date:%d/%m/%Y}",
        deadline=f"{campaign.deadline:%d/%m/%Y}",
    )
)
scale = " · ".join(f"{level} {ref.maturity_label(level, language)}" for level in ref.MATURITY_SCALE)
stem = f"fill_{campaign_id}_{project_id}_{viewpoint}_{org_id}"  # one set of widgets per form
with st.form(f"{stem}_form", clear_on_submit=False):
    scores: dict[str, int | None] = {}
    options: list[int | None] = [None, 0, 1, 2, 3, 4]
    for lever in ref.LEVERS:
        st.markdown(f"**{lever.label(language)}**")
        for question in lever.questions:
            scores[question.code] = st.radio(
                question.label(language),
                options=options,
                index=options.index(form.scores.get(question.code)),
                format_func=lambda s: "—" if s is None else str(s),
                horizontal=True,
                help=f"{question.code} · {question.label(language)} — {scale}",
                key=f"{stem}_{question.code}",
            )
    comment = st.text_area(
        t("data.form.comment", language), value=form.comment or "", key=f"{stem}_comment"
    )
    left, right = st.columns(2)
    draft = left.form_submit_button(
        t("to_fill.save", language), disabled=locked or form.state == C.SENT
    )
    send = right.form_submit_button(t("to_fill.send", language), type="primary", disabled=locked)
if (draft or send) and not locked:
    try:
        state = C.save_questionnaire(
            con,
            campaign_id,
            project_id,
            viewpoint,
            org_id,
            scores,
            comment,
            send=bool(send),
            member=member,
        )
    except CoinvestError as exc:
        st.error(exc.message(language, markdown=True))
    else:
        st.cache_data.clear()
        st.session_state["to_fill_flash"] = t(f"to_fill.done.{state}", language)
        st.rerun()

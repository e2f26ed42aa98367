"""The questionnaire (docs/figures.md "Lever scores"): one assessment of a project, its 23
questions scored 0–4, recorded through the one write path."""

from datetime import date

import streamlit as st

from coinvest import reference as ref
from coinvest.assessments import (
    AssessmentInput,
    find_projects,
    related_organisations,
    save_assessment,
)
from coinvest.errors import CoinvestError
from coinvest.i18n import md_escape, t
from ui.context import lang_key
from ui.tools import open_tool

tool = open_tool("questionnaire")
language, con, flt, member, admin, locked = (
    tool.language,
    tool.con,
    tool.flt,
    tool.member,
    tool.admin,
    tool.locked,
)

st.write(t("data.form.intro", language))
search = st.text_input(t("data.form.search", language), key="form_search")
matches = find_projects(con, search or "", limit=50, scope=flt.scope)
if matches.empty:
    st.info(t("data.form.no_project", language))
else:
    project_id = st.selectbox(
        t("data.form.project", language),
        list(matches["project_id"]),
        format_func=lambda pid: (
            f"{dict(zip(matches['project_id'], matches['name'], strict=True))[pid]} ({pid})"
        ),
        key="form_project",
    )
    viewpoint_names = ref.labels(ref.VIEWPOINTS, language)
    if admin:
        viewpoint = st.selectbox(
            t("data.form.viewpoint", language),
            list(ref.VIEWPOINT_CODES),
            format_func=lambda v: viewpoint_names[v],
            key=lang_key("form_viewpoint"),
        )
        orgs = related_organisations(con, project_id, flt.scope)
        assessor = st.selectbox(
            t("data.form.assessor", language),
            list(orgs["org_id"]),
            format_func=lambda oid: dict(zip(orgs["org_id"], orgs["name"], strict=True))[oid],
            key="form_assessor",
        )
    else:
        # a member answers for their organisation, from their role's viewpoint (docs/rules.md "Sign-in and scope")
        assert member is not None
        assert member.viewpoint is not None
        viewpoint, assessor = member.viewpoint, member.org_id
        st.markdown(
            t(
                "data.form.as_member",
                language,
                organisation=md_escape(member.org_name),
                viewpoint=viewpoint_names[viewpoint],
            )
        )
    scale = " · ".join(
        f"{level} {ref.maturity_label(level, language)}" for level in ref.MATURITY_SCALE
    )
    with st.form("questionnaire", clear_on_submit=False):
        assessed_on = st.date_input(
            t("data.form.date", language),
            value=date.today(),
            format="DD/MM/YYYY",
            key="form_date",
        )
        scores: dict[str, int | None] = {}
        for lever in ref.LEVERS:
            st.markdown(f"**{lever.label(language)}**")
            for question in lever.questions:
                scores[question.code] = st.radio(
                    question.label(language),
                    options=[None, 0, 1, 2, 3, 4],
                    format_func=lambda s: "—" if s is None else str(s),
                    horizontal=True,
                    help=f"{question.code} · {question.label(language)} — {scale}",
                    key=f"form_{question.code}",
                )
        comment = st.text_area(t("data.form.comment", language), key="form_comment")
        submitted = st.form_submit_button(
            t("data.form.save", language), type="primary", disabled=locked
        )
    if submitted and not locked:
        try:
            saved = save_assessment(
                con,
                AssessmentInput(project_id, viewpoint, assessor, assessed_on, scores, comment),
                member,
            )
        except CoinvestError as exc:
            st.error(exc.message(language, markdown=True))
        else:
            st.cache_data.clear()
            st.success(t("data.form.saved", language, id=md_escape(saved)))

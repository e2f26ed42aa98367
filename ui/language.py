"""The language of the app's texts: the sidebar switch, else the URL (`lang=en`), French by
default. The sign-in gate and the pages read it alike."""

from __future__ import annotations

import streamlit as st

from coinvest.i18n import normalise_lang


def lang_key(name: str) -> str:
    """A widget key for a widget whose options are labelled in the UI language.

    Streamlit keeps a keyed widget's value as its *formatted* option, so a widget relabelled in
    another language would lose its value; a key per language gives a fresh widget instead.
    """
    return f"{name}.{lang()}"


def lang() -> str:
    """The UI language: the sidebar switch, else the URL (`lang=en`), French by default."""
    if "ui_lang" in st.session_state:
        return normalise_lang(st.session_state["ui_lang"])
    return normalise_lang(st.query_params.get("lang"))


def select_all(language: str) -> bool:
    """Whether a multiselect offers Streamlit's bulk "Select all": its words are English only
    (streamlit 1.67), so a French page does without it."""
    return language == "en"

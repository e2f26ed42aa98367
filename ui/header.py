"""The header every page starts with: its title, the active filter in words, the scope of a
signed-in member, and "Copier le lien"; and the app's own style."""

from __future__ import annotations

import html

import streamlit as st

from coinvest.filters import PortfolioFilter, describe
from coinvest.i18n import LANGS, md_escape, normalise_lang, t
from coinvest.lookups import filter_value_names

_COPY_JS = """
export default function (component) {
  const { data, parentElement } = component;
  const button = parentElement.querySelector("button");
  const status = parentElement.querySelector("[role=status]");
  button.setAttribute("aria-describedby", "coinvest-copy-status");
  status.id = "coinvest-copy-status";
  const fallback = (text) => {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    let done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    document.body.removeChild(area);
    return done;
  };
  button.onclick = async () => {
    const url = window.location.href;
    let done = false;
    if (navigator.clipboard && window.isSecureContext) {
      try { await navigator.clipboard.writeText(url); done = true; } catch (e) { done = false; }
    }
    if (!done) { done = fallback(url); }
    status.textContent = done ? data.copied : data.failed + " " + url;
    button.dataset.copied = url;
  };
}
"""

_COPY_HTML = """<div class="copy">
<button type="button" data-testid="coinvest-copy-link"><svg aria-hidden="true" focusable="false"
width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2"
stroke-linecap="round" stroke-linejoin="round"><path d="M10 13a5 5 0 0 0 7.5.5l3-3a5 5 0 0
0-7-7l-1.7 1.7"/><path d="M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7"/></svg>
<span class="label">{label}</span></button> <span role="status" aria-live="polite"></span></div>"""

_COPY_CSS = """
.copy { font-family: inherit; font-size: 0.875rem; display: flex; gap: 0.5rem;
        align-items: center; flex-wrap: wrap; }
button { display: inline-flex; gap: 0.4rem; align-items: center; font: inherit; color: #1f2933; background: #ffffff; border: 1px solid #b8c2cc;
         border-radius: 0.5rem; padding: 0.25rem 0.75rem; cursor: pointer; min-height: 2rem; }
button:hover { border-color: #0072b2; color: #0072b2; }
button:focus-visible { outline: 2px solid #0072b2; outline-offset: 2px; }
[role=status] { color: #3e4c59; word-break: break-all; }
"""

# one component per language: the button's name is in its HTML from the start (a name set by
# script would leave a moment with an unnamed button)
_copy_components = {
    language: st.components.v2.component(
        f"coinvest_copy_link_{language}",
        html=_COPY_HTML.replace("{label}", html.escape(t("view.copy_link", language))),
        css=_COPY_CSS,
        js=_COPY_JS,
    )
    for language in LANGS
}


# The uploader's English word ("Upload") is hidden from sight by app_style (kept for the button to
# have a name from the start), its French one drawn after it; screen readers get the French one
# as the button's name as soon as the page has drawn it.
_UPLOADER_JS = """
export default function (component) {
  const { data } = component;
  const name = () => {
    for (const b of document.querySelectorAll('[data-testid=stFileUploaderDropzone] button')) {
      if (b.getAttribute('aria-label') !== data.label) { b.setAttribute('aria-label', data.label); }
    }
  };
  name();
  const watcher = new MutationObserver(name);
  watcher.observe(document.body, { childList: true, subtree: true });
  return () => watcher.disconnect();
}
"""

_uploader_component = st.components.v2.component("coinvest_uploader_name", js=_UPLOADER_JS)


def name_uploader(language: str) -> None:
    """The file uploader's button named in the reader's language, for screen readers too."""
    _uploader_component(data={"label": t("data.import.browse", language)}, key="uploader_name")


def copy_link(language: str) -> None:
    """The "Copier le lien" button: puts the page's address (filter and choices) on the clipboard."""
    _copy_components[normalise_lang(language)](
        data={
            "copied": t("view.copied", language),
            "failed": t("view.copy_failed", language),
        },
        key="copy_link",
    )


def scope_line(con, flt: PortfolioFilter, language: str) -> str:
    """The active filter in words, for the top of every page (seen without opening the sidebar,
    on a phone too)."""
    items = describe(flt, language, filter_value_names(con, flt))
    if not items:
        # a signed-in member's whole portfolio is their scope, not the instance's
        return t("view.scope.all" if flt.scope is None else "view.scope.yours", language)
    return t("view.scope", language, items=md_escape(" · ".join(items)))


def header(
    con, flt: PortfolioFilter | None, language: str, title_key: str, caption_key: str | None
) -> None:
    """Title, caption, the active filter and the copy-link button of a page."""
    st.title(t(title_key, language))
    if caption_key:
        st.caption(t(caption_key, language))
    left, right = st.columns([4, 1], vertical_alignment="center")
    if flt is not None:
        left.markdown(scope_line(con, flt, language))
    with right:
        copy_link(language)


def app_style(language: str) -> str:
    """CSS for what the app controls of Streamlit's own English interface (docs/rules.md "Quality bar": French
    throughout). Tables and charts keep only the toolbar buttons that need no words of ours
    (the French downloads under each table replace "Download as CSV"; "Voir les données"
    replaces "Show data"); the uploader says in French what to do. What remains in English is
    listed in the README."""
    browse = t("data.import.browse", language).replace('"', "")
    return f"""<style>
[data-testid="stElementToolbarButton"]:has(button[aria-label="Download as CSV"]),
[data-testid="stElementToolbarButton"]:has(button[aria-label="Show data"]),
[data-testid="stElementToolbarButton"]:has(button[aria-label="Copy Vega-Lite spec"]) {{
  display: none;
}}
[data-testid="stFileUploaderDropzoneInstructions"] {{ display: none; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] {{
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
  white-space: nowrap;
}}
[data-testid="stFileUploaderDropzone"] button::after {{
  content: "{browse}"; font-size: 0.875rem;
}}
</style>"""

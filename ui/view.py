"""What a page shows, in its link (DESIGN §5): the page's own choices in the URL, the header every
page starts with (title, the active filter in words, "Copier le lien").

The global filter is kept by `ui.context`; a page's own choices (the projects compared, the chart
kind, a viewpoint, a threshold…) are kept here, by the same rule: a widget that does not exist yet
in this session starts from the URL, and the URL is rewritten from the widgets on every run. The
URL holds codes, never labels, so a link works in either language.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from coinvest.filters import PortfolioFilter, describe
from coinvest.i18n import LANGS, md_escape, normalise_lang, t
from coinvest.lookups import filter_value_names

Parse = Callable[[list[str]], Any]


def one_of(choices: Iterable[str]) -> Parse:
    """A single code among `choices` (else ignored)."""
    allowed = list(choices)
    return lambda values: values[-1] if values and values[-1] in allowed else None


def many_of(choices: Iterable[str] | None = None, limit: int | None = None) -> Parse:
    """Several codes, in their order, unknown ones dropped (all kept when `choices` is None)."""
    allowed = None if choices is None else set(choices)

    def parse(values: list[str]) -> list[str] | None:
        kept = list(dict.fromkeys(v for v in values if allowed is None or v in allowed))
        return kept[:limit] if limit else kept

    return parse


def number_in(low: float, high: float, step: float, integer: bool = False) -> Parse:
    """A number on a slider's grid (else ignored)."""

    def parse(values: list[str]) -> float | int | None:
        try:
            value = float(values[-1].replace(",", "."))
        except (IndexError, ValueError):
            return None
        if (
            not (low <= value <= high)
            or abs((value - low) / step - round((value - low) / step)) > 1e-9
        ):
            return None
        return int(value) if integer else value

    return parse


def from_url(param: str, parse: Parse) -> Any:
    """The URL's value of a page parameter, or None (absent or not valid)."""
    if param not in st.query_params:
        return None
    return parse(st.query_params.get_all(param))


def seed(key: str, param: str, parse: Parse) -> None:
    """Before a widget is drawn: if it does not exist yet in this session, it starts from the URL."""
    if key in st.session_state:
        return
    value = from_url(param, parse)
    if value is not None:
        st.session_state[key] = value


def keep(param: str, value: Any, default: Any = None) -> None:
    """After a widget is drawn: the URL carries its value (and not at all when it is the default)."""
    if value is None or value == default or (isinstance(value, list | tuple) and not value):
        target: list[str] = []
    elif isinstance(value, list | tuple):
        target = [_text(v) for v in value]
    else:
        target = [_text(value)]
    if st.query_params.get_all(param) == target:
        return
    if not target:
        del st.query_params[param]
    else:
        st.query_params[param] = target if len(target) > 1 else target[0]


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


SWITCHED = "view_switched"  # set by a page that calls st.switch_page with query parameters


def switch_page(page: str, params: dict[str, Any]) -> None:
    """`st.switch_page` with query parameters that reach the browser's address too."""
    st.session_state[SWITCHED] = True
    st.switch_page(page, query_params=params)


_ADDRESS_JS = """
export default function (component) {
  const { data } = component;
  const fix = () => {
    const parts = window.location.pathname.split("/");
    parts[parts.length - 1] = data.page;
    const address = parts.join("/") + (data.query ? "?" + data.query : "");
    if (address !== window.location.pathname + window.location.search) {
      window.history.replaceState(window.history.state, "", address);
    }
  };
  fix();
  // Streamlit may write its old idea of the address once the run ends: say it again then
  for (const delay of [250, 1000]) { window.setTimeout(fix, delay); }
}
"""

_address_component = st.components.v2.component("coinvest_address", js=_ADDRESS_JS)


def fix_address_after_switch(page: str) -> None:
    """The run after `switch_page`: put the new page and its parameters in the address bar.

    After `st.switch_page` the browser keeps the old page's address (streamlit 1.67, see
    streamlit/streamlit#9050): the new page has its parameters on the server, but the address
    shown — and a link copied from it — would be the old page's. The browser is told the
    address, in place (no new history entry).
    """
    if not st.session_state.pop(SWITCHED, False):
        return
    query = urlencode([(key, v) for key in st.query_params for v in st.query_params.get_all(key)])
    with st.sidebar:
        _address_component(data={"page": page, "query": query}, key="address_after_switch")


def bound(key: str, param: str, parse: Parse, default: Any) -> None:
    """`seed`, then the default when neither the session nor the URL gives a value."""
    seed(key, param, parse)
    st.session_state.setdefault(key, default)


# --- the header of every page -----------------------------------------------------------------

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
    """CSS for what the app controls of Streamlit's own English interface (DESIGN §8: French
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
[data-testid="stFileUploaderDropzone"] button {{ font-size: 0; }}
[data-testid="stFileUploaderDropzone"] button::after {{
  content: "{browse}"; font-size: 0.875rem;
}}
</style>"""

"""The URL codec of a page's own choices (docs/pages.md "A link reproduces the view").

The global filter is kept by `ui.context`; a page's own choices (the projects compared, the chart
kind, a viewpoint, a threshold…) are kept here, by the same rule: a widget that does not exist yet
in this session starts from the URL, and the URL is rewritten from the widgets on every run. The
URL holds codes, never labels, so a link works in either language. `switch_page` carries
parameters to another page, address bar included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

import streamlit as st

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


def slider(
    box: Any,
    label: str,
    key: str,
    param: str,
    grid: tuple[float, float, float],
    default: float,
    help: str | None = None,
) -> Any:
    """A slider on `grid` (low, high, step) whose value lives in the URL under `param` (and not
    at all at its default): whole numbers when the default is one, else decimals."""
    low, high, step = grid
    bound(key, param, number_in(low, high, step, integer=isinstance(default, int)), default)
    value = box.slider(label, min_value=low, max_value=high, step=step, key=key, help=help)
    keep(param, value, default)
    return value

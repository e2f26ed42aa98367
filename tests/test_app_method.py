"""The Method page: generated from the reference model and the metric layer, so it cannot drift."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from streamlit.testing.v1 import AppTest

from coinvest import metrics
from coinvest import reference as ref


@pytest.fixture
def method(tmp_path, open_page):
    def open_method(lang: str = "fr") -> AppTest:
        return open_page(tmp_path / "m.duckdb", "method", {"lang": lang} if lang != "fr" else {})

    return open_method


def _text(at: AppTest) -> str:
    parts = (
        [e.value for e in at.title] + [e.value for e in at.header] + [e.value for e in at.subheader]
    )
    parts += [e.value for e in at.markdown] + [e.label for e in at.expander]
    for frame in [*at.dataframe, *at.table]:
        parts.append(frame.value.to_string())
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_method_page_shows_every_lever_question_viewpoint_phase_and_figure(method, lang):
    text = _text(method(lang))
    for lever in ref.LEVERS:
        assert lever.label(lang) in text
    for question in ref.QUESTIONS:
        assert question.code in text
    for items in (ref.VIEWPOINTS, ref.PHASES, ref.INSTRUMENTS, ref.NEEDS, ref.ORG_KINDS):
        for item in items:
            assert item.label(lang) in text, item.code
    for level in ref.MATURITY_SCALE:
        assert ref.maturity_label(level, lang) in text
    for metric in metrics.METRICS:
        assert metric.name(lang) in text
        assert metric.definition(lang) in text.replace("\\", "")


def test_definitions_quote_the_constants_the_sql_uses(method):
    text = _text(method("en"))
    assert f"≥ +{int(metrics.DEFAULT_BLIND_SPOT_THRESHOLD)}" in text
    assert f"capped at {metrics.ACHIEVEMENT_CAP:g}" in text
    assert f"× {int(metrics.SCORE_SCALE)}" in text


def test_every_metric_function_is_defined_on_the_method_page():
    described = {m.function for m in metrics.METRICS}
    codes = {m.code for m in metrics.METRICS}
    for name in described | set(metrics.AGGREGATES):
        assert callable(getattr(metrics, name)), name
    assert set(metrics.AGGREGATES.values()) <= codes
    public = set()
    builders = {"query", "ctes", "definitions"}  # the builder and the texts, not figures
    for module in pkgutil.iter_modules(metrics.__path__):
        if module.name in builders:
            continue
        family = importlib.import_module(f"{metrics.__name__}.{module.name}")
        public |= {
            name
            for name, fn in inspect.getmembers(family, inspect.isfunction)
            if fn.__module__ == family.__name__ and not name.startswith("_")
        }
    assert {"portfolio_kpis", "blind_spots", "leverage", "cohort_figures"} <= public
    # every figure-computing function is described, or regroups a figure described there, and
    # the package exports it
    assert public <= described | set(metrics.AGGREGATES)
    assert public <= set(metrics.__all__)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_method_page_states_the_settled_points(method, lang):
    text = _text(method(lang)).replace("\\", "")
    assert (
        len(metrics.SETTLED_POINTS) == 14
    )  # docs/figures.md "Settled points", the edge cases of #28 and the territories' included
    for point in metrics.SETTLED_POINTS:
        assert metrics.settled(point, lang) in text

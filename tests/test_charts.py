"""The chart builders draw what a reader can read (issue [ux] 2): the specs say so."""

from __future__ import annotations

import pandas as pd

from coinvest import reference as ref
from coinvest.charts import (
    OKABE_ITO,
    RADAR_SIZE,
    VIEWPOINT_COLOURS,
    grouped_bars,
    line_chart,
    parallel_chart,
    radar_chart,
    viewpoint_colours,
    wrap,
)

LEVERS = [lever.label("fr") for lever in ref.LEVERS]


def _profiles(names: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"project": name, "lever_label": lever, "score": 10.0 * (i + j)}
            for i, name in enumerate(names)
            for j, lever in enumerate(LEVERS)
        ]
    )


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def test_radar_rings_are_ordered_closed_lines_with_a_written_scale():
    spec = radar_chart(
        _profiles(["A", "B"]), LEVERS, "project", "Projet", "Titre", "Description"
    ).to_dict()
    layers = _layers(spec)
    rings = layers[0]
    assert rings["mark"]["interpolate"] == "linear-closed"
    assert rings["encoding"]["order"]["field"] == "index"  # else the rings zigzag
    assert rings["encoding"]["detail"]["field"] == "ring"
    scale = next(
        layer
        for layer in layers
        if layer["mark"]["type"] == "text" and layer["encoding"]["text"]["field"] == "value"
    )
    values = spec["datasets"][scale["data"]["name"]]
    assert [row["value"] for row in values] == [25, 50, 75, 100]
    # lever names are placed by side (left, right, top, bottom), on several lines
    labels = [
        layer
        for layer in layers
        if layer["mark"]["type"] == "text" and layer["encoding"]["text"]["field"] == "label"
    ]
    assert {(layer["mark"]["align"], layer["mark"]["baseline"]) for layer in labels} == {
        ("left", "middle"),
        ("right", "middle"),
        ("center", "bottom"),
        ("center", "top"),
    }
    names = spec["datasets"][labels[0]["data"]["name"]]
    assert "Transformer\nson modèle\nsocio-économique" in [row["label"] for row in names]
    assert spec["width"] == spec["height"] == RADAR_SIZE <= 358  # fits a phone
    assert spec["autosize"]["type"] == "pad"  # the legend adds room, it never shrinks the plot


def test_legends_show_every_series_with_its_whole_name():
    long_names = [
        f"Un projet au nom vraiment très long numéro {i} — Département (P00000{i})"
        for i in range(3)
    ]
    spec = radar_chart(_profiles(long_names), LEVERS, "project", "Projet", "T", "D").to_dict()
    colour = next(layer for layer in _layers(spec) if "color" in layer.get("encoding", {}))
    legend = colour["encoding"]["color"]["legend"]
    assert legend["labelLimit"] == 0
    assert legend["direction"] == "vertical"
    assert colour["encoding"]["color"]["scale"]["domain"] == long_names


def test_parallel_coordinates_name_every_lever():
    spec = parallel_chart(_profiles(["A", "B"]), LEVERS, "project", "Projet", "T", "D").to_dict()
    axis = _layers(spec)[0]["encoding"]["x"]["axis"]
    assert axis["labelOverlap"] is False
    assert axis["labelLimit"] == 0
    for lever in LEVERS:
        assert lever in axis["labelExpr"]
    assert spec["width"] == "container"
    assert spec["autosize"]["type"] == "fit-x"  # the width fits the page; the height is its own


def test_a_viewpoint_has_one_colour_on_every_chart():
    colours = viewpoint_colours("fr")
    assert colours["Projets"] == VIEWPOINT_COLOURS["project"]
    for present in (["Projets"], ["Investissements", "Projets"], ["Écosystème", "Projets"]):
        frame = pd.DataFrame(
            {
                "day": pd.to_datetime(["2025-01-01"] * len(present)),
                "value": [50.0] * len(present),
                "viewpoint": present,
            }
        )
        spec = line_chart(
            frame, "day", "value", "viewpoint", "Date", "Score", "Regard", "T", "D", colours=colours
        ).to_dict()
        scale = _layers(spec)[0]["encoding"]["color"]["scale"]
        assert dict(zip(scale["domain"], scale["range"], strict=True))["Projets"] == OKABE_ITO[1]


def test_dates_are_labelled_once_per_month_at_most():
    frame = pd.DataFrame(
        {
            "day": pd.to_datetime(["2024-01-10", "2024-02-10", "2025-06-01"]),
            "value": [10.0, 20.0, 30.0],
            "viewpoint": ["Projets"] * 3,
        }
    )
    spec = line_chart(
        frame, "day", "value", "viewpoint", "Date", "Score", "Regard", "T", "D"
    ).to_dict()
    axis = _layers(spec)[0]["encoding"]["x"]["axis"]
    assert axis["tickCount"]["interval"] == "month"
    assert spec["height"] >= 280


def test_stacked_phases_follow_the_process_not_the_alphabet():
    phases = [p.label("fr") for p in ref.PHASES]
    frame = pd.DataFrame(
        {
            "cohort": ["C"] * 4,
            "phase": sorted(phases),  # alphabetical, as SQL returns codes
            "share": [0.25] * 4,
        }
    )
    spec = grouped_bars(
        frame,
        "cohort",
        "share",
        "phase",
        "Cohorte",
        "Part",
        "Phase",
        "T",
        "D",
        stacked=True,
        groups=phases,
    ).to_dict()
    encoding = spec["encoding"]
    assert encoding["color"]["scale"]["domain"] == phases
    assert encoding["order"]["field"] == "group_rank"
    ranks = {row["phase"]: row["group_rank"] for row in spec["datasets"][spec["data"]["name"]]}
    assert [ranks[p] for p in phases] == [0, 1, 2, 3]


def test_labels_wrap_at_spaces():
    assert wrap("Transformer son modèle socio-économique", 11) == [
        "Transformer",
        "son modèle",
        "socio-économique",
    ]
    assert wrap("Court", 11) == ["Court"]


def test_screen_readers_hear_words_not_field_names():
    spec = radar_chart(_profiles(["A", "B"]), LEVERS, "project", "Projet", "T", "D").to_dict()
    spoken, hidden = [], []
    for layer in _layers(spec):
        if "description" in layer.get("encoding", {}):
            spoken.append(layer)
        else:
            hidden.append(layer)
    assert len(spoken) == 1  # the points, with their tooltip
    calculate = next(t["calculate"] for t in spoken[0]["transform"] if t.get("as") == "aria_text")
    assert '"Projet : "' in calculate
    assert '"Score : "' in calculate
    assert "project" not in calculate.replace('datum["project"]', "")  # no bare field name
    assert all(layer["mark"]["aria"] is False for layer in hidden)  # rings, spokes, labels


def test_no_mark_shows_its_raw_fields_as_a_tooltip():
    """Streamlit's theme turns on a tooltip of every field for marks without one
    (`department_name: Essonne`): every chart turns that default off, so a mark shows the
    tooltip its builder names in words, or none."""
    from coinvest.charts import bar_chart, department_map, heatmap

    frame = pd.DataFrame({"x": ["a", "b"], "y": ["c", "c"], "v": [1.0, 2.0]})
    departments = pd.DataFrame(
        {"department_code": ["01", "75"], "department_name": ["Ain", "Paris"], "projects": [1, 2]}
    )
    charts = [
        heatmap(frame, "x", "y", "v", "X", "Y", "V", "T", "D"),
        bar_chart(frame, "x", "v", "X", "V", "T", "D"),
        department_map(departments, "projects", "fr", shape="map"),
        department_map(departments, "projects", "fr", shape="tiles"),
        radar_chart(_profiles(["A"]), LEVERS, "project", "Projet", "T", "D"),
    ]
    for chart in charts:
        assert chart.to_dict()["config"]["mark"]["tooltip"] is False
    # the tile grid: its tiles name their tooltip in words; its labels (last) have none
    tiles = _layers(charts[3].to_dict())
    assert all("tooltip" in layer.get("encoding", {}) for layer in tiles[:-1])
    assert "tooltip" not in tiles[-1].get("encoding", {})


def test_heatmap_and_axes_fit_a_phone():
    from coinvest.charts import heatmap

    spec = heatmap(
        pd.DataFrame(
            {"x": ["a"], "y": ["a very long project name that runs on (P000001)"], "v": [1]}
        ),
        "x",
        "y",
        "v",
        "X",
        "Y",
        "V",
        "T",
        "D",
    ).to_dict()
    assert "width" not in spec  # it takes its column's width
    assert spec["config"]["axisQuantitative"]["labelFlush"] is True
    assert spec["config"]["legend"]["orient"] == "bottom"
    y_axis = _layers(spec)[0]["encoding"]["y"]["axis"]
    assert y_axis["labelLimit"] <= 190

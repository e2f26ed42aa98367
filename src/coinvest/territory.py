"""France's departments and regions (INSEE codes), the tile-grid map layout, and the
territories' reference data: populations, public support layers and shapes.

The lists are the project's own files in `refdata/`; a test checks them against INSEE's
official code lists when those are at hand. The reference data are built into `data/` by
scripts/build_reference_data.py.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Region:
    code: str
    name: str


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    region_code: str
    lon: float  # approximate position of the chef-lieu, for the demo and the tile grid
    lat: float
    population_k: int  # rough population in thousands, used only to weight the demo
    col: int  # tile-grid position
    row: int

    @property
    def overseas(self) -> bool:
        return len(self.code) == 3


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("coinvest").joinpath("refdata", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def regions() -> tuple[Region, ...]:
    return tuple(Region(r["code"], r["name"]) for r in _rows("regions.csv"))


@cache
def departments() -> tuple[Department, ...]:
    tiles = {r["code"]: (int(r["col"]), int(r["row"])) for r in _rows("department_tiles.csv")}
    return tuple(
        Department(
            code=r["code"],
            name=r["name"],
            region_code=r["region_code"],
            lon=float(r["lon"]),
            lat=float(r["lat"]),
            population_k=int(r["population_k"]),
            col=tiles[r["code"]][0],
            row=tiles[r["code"]][1],
        )
        for r in _rows("departments.csv")
    )


def department_codes() -> tuple[str, ...]:
    return tuple(d.code for d in departments())


def region_codes() -> tuple[str, ...]:
    return tuple(r.code for r in regions())


# --- the territories' reference data (docs/figures.md "Territories") --------------------------
# Built by scripts/build_reference_data.py from public files into the repository's `data/`
# (its README names the sources, dates, licences and SHA-256).
DATA_DIR = Path(__file__).resolve().parents[2] / "data"
REFERENCE_FILE = "department_reference.csv"
SHAPES_FILE = "department_shapes.geojson"


@dataclass(frozen=True)
class DepartmentReference:
    code: str
    population: int | None  # population municipale (INSEE); None for Mayotte, which has none
    posts_per_10k_qpv: (
        float | None
    )  # FONJEP + adulte-relais posts (2023) per 10,000 QPV inhabitants
    qpv_share: float | None  # QPV population / population
    te_entries: int  # Territoires d'engagement entries


def _data_file(name: str) -> Path:
    path = DATA_DIR / name
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: run `python scripts/build_reference_data.py` in the repository"
        )
    return path


def _number(text: str, kind: type[int] | type[float]) -> Any:
    return kind(text) if text.strip() else None


@cache
def department_reference() -> dict[str, DepartmentReference]:
    """Per department code: its population and the three public reference layers."""
    with _data_file(REFERENCE_FILE).open(encoding="utf-8") as f:
        return {
            r["department_code"]: DepartmentReference(
                code=r["department_code"],
                population=_number(r["population"], int),
                posts_per_10k_qpv=_number(r["ref_posts_per_10k_qpv"], float),
                qpv_share=_number(r["ref_qpv_share"], float),
                te_entries=int(r["ref_te_entries"]),
            )
            for r in csv.DictReader(f)
        }


def populations() -> dict[str, int | None]:
    return {code: r.population for code, r in department_reference().items()}


@cache
def department_shapes() -> dict[str, Any]:
    """The departments' shapes as a GeoJSON FeatureCollection, projected, the overseas
    departments as insets (properties: code, name, cx, cy, inset)."""
    shapes: dict[str, Any] = json.loads(_data_file(SHAPES_FILE).read_text(encoding="utf-8"))
    return shapes

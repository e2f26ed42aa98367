"""France's departments and regions (INSEE codes) and the tile-grid map layout.

The lists are the project's own files in `refdata/`; a test checks them against INSEE's
official code lists when those are at hand.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


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

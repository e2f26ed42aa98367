"""Build the territories' reference data of `data/` (docs/figures.md "Territories").

    python scripts/build_reference_data.py [--sources ../shared]

Reads the public files kept beside the repository (never copied into it):

- `reference/cog/departements.csv`, `communes.csv`, `donnees_communes.csv`: INSEE's code lists
  and populations légales (population municipale, summed per department);
- `realdata/civille_postes-fonjep-2023.json`, `civille_adulte-relais-2023.json` and
  `civille_geom_cv_ctr.json`: FONJEP politique de la ville and adulte-relais posts of 2023, and
  the contrats de ville with their QPV population (ANCT, ci-ville);
- `reference/territories/anct_liste_tec_te.csv`: the Territoires d'engagement programme;
- `realdata/projets_dotations_investissement_2019.xlsx`: only its EPCI → department pairs, to
  place the programme's EPCI entries;
- `reference/geo/departements-avec-outre-mer.geojson`: the department shapes.

and writes:

- `data/department_reference.csv`: per department, its population and the three reference
  layers (public support posts per 10,000 QPV inhabitants, QPV share, Territoires
  d'engagement entries), with the counts they come from;
- `data/department_shapes.geojson`: the department shapes, simplified and projected, the five
  overseas departments as insets beside metropolitan France;
- `data/README.md`: each source with its date, licence and SHA-256, the joins made, and what
  could not be placed.

Nothing is guessed: a row that cannot be placed in one of the 101 departments is counted and
reported, not assigned.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

# the contrats de ville of Corsica carry no department code in the ANCT file (lib_cv "NA - …")
CORSICA_CONTRACTS = {"CV366": "2A", "CV367": "2A", "CV368": "2B"}
QPV_MIN = 10_000  # below this QPV population a rate of posts per 10,000 QPV inhabitants is noise

# the shapes: Douglas–Peucker tolerance (in projected degrees), decimals kept, smallest island
TOLERANCE = 0.012
DECIMALS = 3
MIN_RING_AREA = 0.004  # islets smaller than this (about 40 km²) are left out, not departments
COS_LAT = math.cos(math.radians(46.5))  # metropolitan France drawn in an equirectangular view
# the overseas departments as insets in a column west of Brittany: (x, y) of each box's centre
INSET_BOX = 1.55
INSETS = {
    "971": (-5.1, 49.9),
    "972": (-5.1, 48.2),
    "973": (-5.1, 46.5),
    "974": (-5.1, 44.8),
    "976": (-5.1, 43.1),
}

SOURCES = {
    "departments": (
        "reference/cog/departements.csv",
        "INSEE, Code officiel géographique (via datagouv/decoupage-administratif v6.0.0)",
        "2026",
    ),
    "communes": (
        "reference/cog/communes.csv",
        "INSEE, Code officiel géographique, communes (via datagouv/decoupage-administratif v6.0.0)",
        "2026",
    ),
    "population": (
        "reference/cog/donnees_communes.csv",
        "INSEE, populations légales (population municipale; via datagouv/decoupage-administratif v6.0.0)",
        "as published with COG 2026",
    ),
    "fonjep": (
        "realdata/civille_postes-fonjep-2023.json",
        "ANCT / FONJEP, postes FONJEP politique de la ville (programme 147), via anct-carto/ci-ville",
        "2023",
    ),
    "adulte_relais": (
        "realdata/civille_adulte-relais-2023.json",
        "ANCT, postes adulte-relais, via anct-carto/ci-ville",
        "2023",
    ),
    "contracts": (
        "realdata/civille_geom_cv_ctr.json",
        "ANCT, contrats de ville and their QPV population, via anct-carto/ci-ville",
        "2023",
    ),
    "engagement": (
        "reference/territories/anct_liste_tec_te.csv",
        "ANCT, Territoires d'engagement programme, via anct-carto/engagement-citoyen",
        "2021–2025",
    ),
    "epci": (
        "realdata/projets_dotations_investissement_2019.xlsx",
        "DGCL / ANCT, dotations d'investissement 2019 (only EPCI → department pairs), via anct-carto/dotations_investissement_2019",
        "2019",
    ),
    "shapes": (
        "reference/geo/departements-avec-outre-mer.geojson",
        "IGN Admin Express 2018 via gregoiredavid/france-geojson v2.1.1 (simplified to 25 %)",
        "2018",
    ),
}
LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def department_code(raw: Any) -> str | None:
    """`1` → `01`, `2A` stays, `974` stays; anything else None."""
    if raw is None:
        return None
    text = str(raw).strip().upper()
    if not text or text in ("NA", "NONE", "NAN"):
        return None
    return text.zfill(2) if text.isdigit() and len(text) < 3 else text


# --- tables -----------------------------------------------------------------------------------


def read_departments(src: Path) -> dict[str, str]:
    with (src / SOURCES["departments"][0]).open(encoding="utf-8") as f:
        return {r["DEP"]: r["LIBELLE"] for r in csv.DictReader(f)}


def read_population(src: Path) -> dict[str, int]:
    population: dict[str, int] = defaultdict(int)
    with (src / SOURCES["population"][0]).open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter=";"):
            population[row["DEP"]] += int(row["PMUN"])
    return dict(population)


def commune_departments(src: Path) -> dict[str, str]:
    """Every commune code (delegated and associated ones and districts too) → its department."""
    found: dict[str, str] = {}
    parents: dict[str, str] = {}
    with (src / SOURCES["communes"][0]).open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["DEP"]:
                found[row["COM"]] = row["DEP"]
            elif row["COMPARENT"]:
                parents[row["COM"]] = row["COMPARENT"]
    for code, parent in parents.items():
        if parent in found:
            found.setdefault(code, found[parent])
    return found


def epci_departments(src: Path, contracts: list[dict[str, Any]]) -> dict[str, str]:
    """EPCI SIREN → department, from the 2019 subsidies (one line per project) and the contrats
    de ville (an EPCI spread over two departments keeps the one named most often)."""
    import pandas as pd

    frame = pd.read_excel(
        src / SOURCES["epci"][0],
        sheet_name="Projets_dotations_investissement_2019",
        usecols=["id_dep", "id_terr", "echelon"],
        dtype=str,
    )
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for siren, dep in frame.loc[frame["echelon"] == "epci", ["id_terr", "id_dep"]].itertuples(
        index=False
    ):
        code = department_code(dep)
        if code:
            votes[siren][code] += 1
    for contract in contracts:
        code = department_code(contract["insee_dep"])
        if code:
            votes[contract["codgeo"]][code] += 1
    return {siren: counts.most_common(1)[0][0] for siren, counts in votes.items()}


def build_layers(src: Path, report: list[str]) -> list[dict[str, Any]]:
    names = read_departments(src)
    population = read_population(src)
    contracts_geo = json.loads((src / SOURCES["contracts"][0]).read_text(encoding="utf-8"))
    contracts = [f["properties"] for f in contracts_geo["features"]]
    contract_dep: dict[str, str] = {}
    qpv_population: dict[str, float] = defaultdict(float)
    for c in contracts:
        code = department_code(c["insee_dep"]) or CORSICA_CONTRACTS.get(c["code_cv"])
        if code is None:
            report.append(f"contrat de ville {c['code_cv']} ({c['lib_cv']}) has no department")
            continue
        contract_dep[c["code_cv"]] = code
        if code in names:
            qpv_population[code] += float(c["pop"] or 0)
        else:
            report.append(
                f"contrat de ville {c['code_cv']} ({c['lib_cv']}, {code}) is outside the 101 "
                f"departments: its QPV population ({c['pop']:,.0f}) is not counted"
            )
    report.append(
        f"Corsica: contrats {', '.join(f'{k} → {v}' for k, v in CORSICA_CONTRACTS.items())} "
        "placed by hand (their lib_cv names Ajaccio, Sud Corse and Bastia)"
    )

    posts: Counter[str] = Counter()
    for key in ("fonjep", "adulte_relais"):
        rows = json.loads((src / SOURCES[key][0]).read_text(encoding="utf-8"))
        by_contract = unplaced = outside = 0
        for row in rows:
            code = department_code(row.get("insee_dep"))
            if code is None and row.get("code_cv") in contract_dep:
                code = contract_dep[row["code_cv"]]
                by_contract += 1
            if code is None:
                unplaced += 1
            elif code not in names:
                outside += 1
            else:
                posts[code] += 1
        report.append(
            f"{key}: {len(rows):,} posts; {by_contract} placed through their contrat de ville "
            f"only; {outside} in a territory outside the 101 departments; {unplaced} with "
            "neither a department nor a known contrat (not counted)"
        )

    communes = commune_departments(src)
    epcis = epci_departments(src, contracts)
    entries: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    with (src / SOURCES["engagement"][0]).open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        level, geo = row["echelon"], row["codgeo"].strip()
        code = None
        if level == "commune":
            code = communes.get(geo.zfill(5))
        elif level == "epci":
            code = epcis.get(geo)
        elif level == "departement":
            code = department_code(geo)
        if code in names:
            entries[code] += 1
        else:
            missed[
                level if level in ("commune", "epci", "departement", "region") else "invalid"
            ] += 1
    report.append(
        f"Territoires d'engagement: {len(rows)} entries, {sum(entries.values())} placed in a "
        "department (communes through the COG, EPCI through the 2019 subsidies and the "
        "contrats de ville); not placed: "
        + ", ".join(f"{n} {level}" for level, n in sorted(missed.items()))
        + " (a region's entry is no department's; an EPCI absent from both sources is not guessed)"
    )

    missing_population = [code for code in names if code not in population]
    if missing_population:
        report.append(
            "no population légale for " + ", ".join(missing_population) + ": its per-inhabitant "
            "figures are missing, not 0"
        )
    out = []
    for code, name in names.items():
        pop = population.get(code)
        qpv = qpv_population.get(code, 0.0)
        out.append(
            {
                "department_code": code,
                "department_name": name,
                "population": pop if pop is not None else "",
                "support_posts": posts.get(code, 0),
                "qpv_population": round(qpv),
                "ref_posts_per_10k_qpv": (
                    round(posts.get(code, 0) / qpv * 10_000, 3) if qpv >= QPV_MIN else ""
                ),
                "ref_qpv_share": round(qpv / pop, 5) if pop and qpv else (0 if pop else ""),
                "ref_te_entries": entries.get(code, 0),
            }
        )
    return out


# --- shapes -----------------------------------------------------------------------------------


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker on an open line (iterative)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        farthest, index = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            distance = (
                abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
                if norm
                else math.hypot(px - x1, py - y1)
            )
            if distance > farthest:
                farthest, index = distance, i
        if index >= 0 and farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def ring_area(ring: list[tuple[float, float]]) -> float:
    return (
        sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))
        / 2
    )


def simplify_ring(ring: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    # split the closed ring at its farthest point so that both halves keep their ends
    start = ring[0]
    far = max(
        range(len(ring)), key=lambda i: math.hypot(ring[i][0] - start[0], ring[i][1] - start[1])
    )
    first = simplify(ring[: far + 1], tolerance)
    second = simplify(ring[far:], tolerance)
    out = first[:-1] + second
    if out[0] != out[-1]:
        out.append(out[0])
    return out


def project(code: str, polygons: list[list[list[tuple[float, float]]]]):
    """Metropolitan France in an equirectangular view; an overseas department scaled into its
    inset box (its own scale, as insets are)."""
    if code not in INSETS:
        return [[[(x * COS_LAT, y) for x, y in ring] for ring in poly] for poly in polygons]
    lat0 = sum(y for poly in polygons for y in (p[1] for p in poly[0])) / sum(
        len(poly[0]) for poly in polygons
    )
    squeeze = math.cos(math.radians(lat0))
    flat = [[[(x * squeeze, y) for x, y in ring] for ring in poly] for poly in polygons]
    xs = [x for poly in flat for x, _ in poly[0]]
    ys = [y for poly in flat for _, y in poly[0]]
    scale = INSET_BOX / max(max(xs) - min(xs), max(ys) - min(ys))
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    ox, oy = INSETS[code]
    return [
        [[(ox + (x - cx) * scale, oy + (y - cy) * scale) for x, y in ring] for ring in poly]
        for poly in flat
    ]


def build_shapes(src: Path, report: list[str]) -> dict[str, Any]:
    geo = json.loads((src / SOURCES["shapes"][0]).read_text(encoding="utf-8"))
    features = []
    points_in = points_out = 0
    for feature in sorted(geo["features"], key=lambda f: f["properties"]["code"]):
        code, name = feature["properties"]["code"], feature["properties"]["nom"]
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        polygons = [[[tuple(p) for p in ring] for ring in poly] for poly in polygons]
        points_in += sum(len(ring) for poly in polygons for ring in poly)
        projected = project(code, polygons)
        kept: list[list[list[tuple[float, float]]]] = []
        largest = max(projected, key=lambda poly: abs(ring_area(poly[0])))
        for poly in projected:
            if poly is not largest and abs(ring_area(poly[0])) < MIN_RING_AREA:
                continue  # an islet
            rings = []
            for i, ring in enumerate(poly):
                if i and abs(ring_area(ring)) < MIN_RING_AREA:
                    continue  # a tiny hole
                small = simplify_ring(ring, TOLERANCE)
                if len(small) >= 4:
                    rings.append([[round(x, DECIMALS), round(y, DECIMALS)] for x, y in small])
            if rings:
                kept.append(rings)
        points_out += sum(len(ring) for poly in kept for ring in poly)
        outer = largest[0]
        area = ring_area(outer)
        cx = sum(
            (x1 + x2) * (x1 * y2 - x2 * y1)
            for (x1, y1), (x2, y2) in zip(outer, outer[1:] + outer[:1], strict=True)
        ) / (6 * area)
        cy = sum(
            (y1 + y2) * (x1 * y2 - x2 * y1)
            for (x1, y1), (x2, y2) in zip(outer, outer[1:] + outer[:1], strict=True)
        ) / (6 * area)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": code,
                    "name": name,
                    "cx": round(cx, DECIMALS),
                    "cy": round(cy, DECIMALS),
                    "inset": code in INSETS,
                },
                "geometry": {"type": "MultiPolygon", "coordinates": kept},
            }
        )
    report.append(
        f"shapes: {len(features)} departments, {points_in:,} points simplified to {points_out:,} "
        f"(Douglas–Peucker, tolerance {TOLERANCE}); overseas departments as insets: "
        + ", ".join(INSETS)
    )
    return {"type": "FeatureCollection", "features": features}


# --- output -----------------------------------------------------------------------------------

COLUMNS = (
    "department_code",
    "department_name",
    "population",
    "support_posts",
    "qpv_population",
    "ref_posts_per_10k_qpv",
    "ref_qpv_share",
    "ref_te_entries",
)


def write_readme(src: Path, report: list[str], files: dict[str, str]) -> str:
    lines = [
        "# Reference data of the territories",
        "",
        "Built by `python scripts/build_reference_data.py` from the public files beside the",
        'repository (`../shared/`); do not edit by hand. docs/figures.md "Territories" says how',
        "the app uses them.",
        "",
        "| file | what it holds |",
        "|---|---|",
        "| `department_reference.csv` | per department (INSEE code): `population` (population "
        "municipale, INSEE populations légales; empty for Mayotte, which has none), "
        "`support_posts` (FONJEP politique de la ville + adulte-relais posts, 2023), "
        "`qpv_population` (population of its QPV, summed over its contrats de ville), "
        "`ref_posts_per_10k_qpv` (posts per 10,000 QPV inhabitants, empty below "
        f"{QPV_MIN:,} QPV inhabitants), `ref_qpv_share` (QPV population / population), "
        "`ref_te_entries` (entries of the Territoires d'engagement programme) |",
        "| `department_shapes.geojson` | the 101 departments' shapes, simplified and projected "
        "(equirectangular at 46.5° N; Guadeloupe, Martinique, Guyane, La Réunion and Mayotte as "
        "insets west of Brittany, each at its own scale); properties `code`, `name`, `cx`, `cy` "
        "(a point inside), `inset` |",
        "",
        "## Sources",
        "",
        f"All under the {LICENCE}. Attribution: « Source : INSEE, IGN, ANCT, FONJEP, DGCL — "
        "traitements coinvest ».",
        "",
        "| source | file | date | SHA-256 |",
        "|---|---|---|---|",
    ]
    for path, who, date in SOURCES.values():
        lines.append(f"| {who} | `{path}` | {date} | `{sha256(src / path)}` |")
    lines += [
        "",
        "## Joins, and what could not be placed",
        "",
        *[f"- {line}" for line in report],
        "",
        "## Files written",
        "",
        "| file | SHA-256 |",
        "|---|---|",
        *[f"| `{name}` | `{digest}` |" for name, digest in files.items()],
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)
    src, out = args.sources.resolve(), args.out
    missing = [p for p, _, _ in SOURCES.values() if not (src / p).is_file()]
    if missing:
        print(f"missing in {src}: {', '.join(missing)}", file=sys.stderr)
        return 1
    report: list[str] = []
    layers = build_layers(src, report)
    shapes = build_shapes(src, report)
    out.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(layers)
    texts = {
        "department_reference.csv": buffer.getvalue(),
        "department_shapes.geojson": json.dumps(shapes, ensure_ascii=False, separators=(",", ":")),
    }
    for name, text in texts.items():
        (out / name).write_text(text, encoding="utf-8")
    digests = {name: hashlib.sha256(text.encode()).hexdigest() for name, text in texts.items()}
    (out / "README.md").write_text(write_readme(src, report, digests), encoding="utf-8")
    for line in report:
        print(line)
    print(f"wrote {', '.join(texts)} and README.md in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`coinvest export`: the tables of computed figures, exactly those the pages show, unrounded."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd

from coinvest import metrics
from coinvest import reference as ref
from coinvest.db import Connection
from coinvest.filters import PortfolioFilter
from coinvest.metrics.territories import EXPORT_COLUMNS as TERRITORY_COLUMNS
from coinvest.people import figures_workbook_sheets
from coinvest.workbook import write_xlsx

EXPORT_FILES = (
    "project_levers",
    "project_summary",
    "portfolio",
    "project_needs",
    "path_invitations",
    "did_it_help",
    "territory_support",
)
WORKBOOK = "coinvest-export.xlsx"


def export_frames(
    con: Connection,
    flt: PortfolioFilter,
    weights: metrics.Weights = metrics.EQUAL,
    threshold: float = metrics.DEFAULT_BLIND_SPOT_THRESHOLD,
) -> dict[str, pd.DataFrame]:
    """The export tables of docs/import.md "Command line", straight from the metric layer."""
    needs = metrics.project_needs(con, flt)
    # `true`/`false` as docs/import.md "Command line" writes them, whatever reads the file
    needs["priority"] = needs["priority"].map({True: "true", False: "false"})
    territories = metrics.territory_support(con, flt)[list(TERRITORY_COLUMNS)]
    territories["white_zone"] = territories["white_zone"].map({True: "true", False: "false"})
    return {
        "project_levers": metrics.lever_scores(con, flt, "latest"),
        "project_summary": metrics.project_summary(con, flt, weights, threshold),
        "portfolio": metrics.portfolio_summary(con, flt),
        "project_needs": needs,
        "path_invitations": metrics.path_invitations(con, flt),
        # a median over fewer than 5 projects is no comparison: empty, as on the page
        "did_it_help": metrics.did_it_help(con, flt, minimum=ref.PEER_MIN),
        "territory_support": territories,
    }


def write_export(
    con: Connection, flt: PortfolioFilter, out_dir: Path, xlsx: bool = False, lang: str = "fr"
) -> list[Path]:
    """Write the CSV files (UTF-8, `.` as decimal point, empty cells where a figure does not
    exist) and, with `xlsx`, the same tables as sheets of one workbook for people (headers and
    codes in `lang`, `coinvest.people`). Returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    frames = export_frames(con, flt)
    written = []
    for name, frame in frames.items():
        path = out_dir / f"{name}.csv"
        path.write_bytes(machine_csv(frame))
        written.append(path)
    if xlsx:
        path = out_dir / WORKBOOK
        write_xlsx(figures_workbook_sheets(frames, lang), path)
        written.append(path)
    return written


def machine_csv(frame: pd.DataFrame) -> bytes:
    """An export table as `coinvest export` writes it: UTF-8, `,` and `.`, empty cells where a
    figure does not exist, every figure unrounded."""
    return frame.to_csv(index=False, na_rep="", lineterminator="\n").encode("utf-8")


def export_zip(con: Connection, flt: PortfolioFilter, lang: str = "fr") -> bytes:
    """The files of `coinvest export --xlsx` in one zip (the Export page's download): the same
    bytes as the command writes in `lang`, with fixed dates so that one database gives one
    zip."""
    frames = export_frames(con, flt)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in frames.items():
            archive.writestr(zipfile.ZipInfo(f"{name}.csv", ZIP_DATE), machine_csv(frame))
        workbook = io.BytesIO()
        write_xlsx(figures_workbook_sheets(frames, lang), workbook)
        archive.writestr(zipfile.ZipInfo(WORKBOOK, ZIP_DATE), workbook.getvalue())
    return out.getvalue()


ZIP_DATE = (1980, 1, 1, 0, 0, 0)

"""The import template as a user fills it in: their own rows typed over the example ones, so the
ids lose the template's example marker (`EXEMPLE-…`, skipped by the importer)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

from coinvest.importer.validate import EXAMPLE_MARKER
from coinvest.workbook import build_template_xlsx, build_template_zip

MARKER = EXAMPLE_MARKER.upper()


def filled_template_xlsx() -> bytes:
    book = load_workbook(io.BytesIO(build_template_xlsx()))
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and MARKER in cell.value:
                    cell.value = cell.value.replace(MARKER, "")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filled_template_zip() -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(build_template_zip())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            text = source.read(name).decode("utf-8").replace(MARKER, "")
            target.writestr(name, text.encode("utf-8"))
    return out.getvalue()


# A second organisation and project to point references at.
EXTRA = [
    ("organisations.csv", "org_id;name;kind\nORG-2;Fonds régional;public_investor\n"),
    (
        "projects.csv",
        "project_id;name;holder_org_id;need;phase;department_code\n"
        "PRJ-2;Garage solidaire;ORG-2;mobility;rnd;13\n",
    ),
]


def fill_template(con) -> None:
    """Import the filled template, then EXTRA, as a user would (the template database of the
    tests that edit it)."""
    from coinvest.importer import import_files

    for files in ([("modele.xlsx", filled_template_xlsx())], [(n, t.encode()) for n, t in EXTRA]):
        report = import_files(con, files)
        assert report.loaded, report.problems_frame("en")

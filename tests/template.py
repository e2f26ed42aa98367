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

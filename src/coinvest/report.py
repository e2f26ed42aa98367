"""The portfolio review report for an investment committee: one self-contained HTML file, and
the same report as a print-ready PDF (A4, rendered by WeasyPrint).

It opens with no network: styles inline, charts embedded as SVG (rendered from the same chart
builders the pages use), every text escaped. It holds the scope in words, the KPI tiles, the
main charts, the levers × viewpoints matrix with gaps and blind-spot counts, the top and bottom
projects by consolidated maturity and the blind spots, for the current filter.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pandas as pd

from coinvest import metrics
from coinvest import reference as ref
from coinvest.charts import department_map, heatmap, projects_by_chart
from coinvest.db import Connection
from coinvest.errors import CoinvestError
from coinvest.filters import PortfolioFilter, describe
from coinvest.i18n import format_date, format_eur, format_number, format_pct, t, tn
from coinvest.lookups import filter_value_names

TOP_N = 5
MAX_BLIND_SPOTS = 20

_CSS = """
body{font-family:'DejaVu Sans',system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;
max-width:1100px;color:#1f2933;padding:0 1rem}h1{margin-bottom:.2rem}
h2{margin-top:2rem;border-bottom:1px solid #d9e2ec}
.muted{color:#52606d}.tiles{display:grid;grid-template-columns:repeat(3,1fr);gap:.8rem}
.tile{border:1px solid #d9e2ec;border-radius:6px;padding:.7rem}.tile .v{font-size:1.6rem;font-weight:600}
.tile .x{font-size:.8rem;color:#52606d}
.charts figure{display:inline-block;vertical-align:top;margin:0 1.5rem 1rem 0}
.charts img{max-width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border-bottom:1px solid #e4e7eb;
padding:.3rem .5rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.scope{background:#f0f4f8;border-radius:6px;padding:.6rem .8rem}.scope ul{margin:.3rem 0 0 1.2rem;padding:0}
@page{size:A4;margin:1.6cm 1.4cm;@bottom-right{content:counter(page) " / " counter(pages);
font-size:8pt;color:#52606d}}
@media print{body{margin:0;max-width:none;font-size:9.5pt}h1{font-size:18pt}
h2{font-size:13pt;margin-top:1.2rem;break-after:avoid}
table{font-size:8.5pt}thead{display:table-header-group}tr,figure,.tile{break-inside:avoid}
.tile .v{font-size:14pt}.charts figure{display:block;float:left;width:48%;margin:0 2% .4cm 0}
.charts figure.wide{width:80%}.charts img{width:100%}.charts::after{content:"";display:block;clear:both}
h2{clear:both}h2+p{break-after:avoid}.footer{break-before:avoid}}
"""
# the report's figures read at the same time (ThreadPoolExecutor): each on its own cursor
FIGURE_WORKERS = 4
REPORT_MATRIX_WIDTH = 330  # the levers × viewpoints matrix, in pixels
# a chart is drawn at this scale (pixels per CSS pixel): sharp on paper
CHART_SCALE = 2


def file_name(lang: str, extension: str) -> str:
    """The report's file name in the reader's language: `coinvest-revue-comite.pdf`."""
    return f"coinvest-{t('report.file', lang)}.{extension}"


def report_pdf(document: str) -> bytes:
    """The HTML report as a print-ready PDF (A4). WeasyPrint needs the Pango library of the
    system (Debian: libpango-1.0-0, libpangoft2-1.0-0); without it a CoinvestError says so."""
    try:
        import weasyprint
    except OSError as exc:  # the Python package is there, the system's Pango is not
        raise CoinvestError("report.no_pdf", reason=str(exc).splitlines()[0]) from None
    return weasyprint.HTML(string=document).write_pdf()


def _figure(chart, wide: bool = False) -> str:
    """A chart as an image of itself: vl-convert lays the text out and draws it, so no
    reader's font can make a label overflow its box (an SVG's text is laid out again by
    whatever opens it, in another font). Its description is the image's text alternative."""
    import vl_convert as vlc

    spec = chart.to_dict(validate=False)
    png = vlc.vegalite_to_png(spec, scale=CHART_SCALE)
    width = int.from_bytes(png[16:20], "big") // CHART_SCALE  # the PNG header's width
    alt = html.escape(str(spec.get("description", "")), quote=True)
    data = base64.b64encode(png).decode("ascii")
    kind = ' class="wide"' if wide else ""
    image = f'<img src="data:image/png;base64,{data}" width="{width}" alt="{alt}">'
    return f"<figure{kind}>{image}</figure>"


def _filter_lines(con: Connection, flt: PortfolioFilter, lang: str) -> list[str]:
    """The scope in words: `Investisseur : Fondation X (INV02) ; Phase : R&D, expérimentation`."""
    if flt.is_empty:
        return [t("report.no_filter", lang)]
    return describe(flt, lang, filter_value_names(con, flt))


def _table(frame: pd.DataFrame, columns: dict[str, str], numeric: set[str]) -> str:
    head = "".join(
        ('<th class="n">' if key in numeric else "<th>") + f"{html.escape(label)}</th>"
        for key, label in columns.items()
    )
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for key in columns:
            value = row[key]
            css = ' class="n"' if key in numeric else ""
            cells.append(f"<td{css}>{html.escape('' if value is None else str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _levers_by_viewpoint(overview: dict[str, pd.DataFrame], lang: str) -> list[str]:
    """The levers × viewpoints section: the matrix of mean scores as the Viewpoints page draws
    it (`metrics.viewpoint_overview`), then per lever the mean score from each viewpoint, the
    mean gap and the blind spots."""
    e = html.escape
    means = overview["means"]
    parts = [f"<h2>{e(t('report.levers', lang))}</h2>"]
    if means.empty:
        return [*parts, f"<p>{e(t('viewpoints.no_scores', lang))}</p>"]
    levers = ref.labels(ref.LEVERS, lang)
    viewpoints = ref.labels(ref.VIEWPOINTS, lang)
    drawn = means.assign(
        lever_label=means["lever"].map(levers), viewpoint_label=means["viewpoint"].map(viewpoints)
    )
    matrix = heatmap(
        drawn,
        x="viewpoint_label",
        y="lever_label",
        value="mean_score",
        x_title=t("col.viewpoint", lang),
        y_title=t("col.lever", lang),
        value_title=t("col.mean_score", lang),
        title=t("viewpoints.heatmap.title", lang),
        description=t("viewpoints.heatmap.description", lang),
        lang=lang,
        x_sort=[viewpoints[c] for c in ref.VIEWPOINT_CODES],
        y_sort=[levers[c] for c in ref.LEVER_CODES],
        domain=[0, 100],
        y_axis_title=False,
        width=REPORT_MATRIX_WIDTH,
    )
    parts.append(f"<div class='charts'>{_figure(matrix, wide=True)}</div>")
    score = means.set_index(["lever", "viewpoint"])["mean_score"]
    gaps = overview["gaps"].set_index("lever")["mean_gap"]
    blind = overview["blind"].groupby("lever")["spots"].sum()
    rows = []
    for code in ref.LEVER_CODES:
        row = {"lever": levers[code]}
        for viewpoint in ref.VIEWPOINT_CODES:
            row[viewpoint] = format_number(score.get((code, viewpoint)), 1, lang)
        row["gap"] = format_number(gaps.get(code), 1, lang)
        row["blind"] = format_number(int(blind.get(code, 0)), lang=lang)
        rows.append(row)
    columns = {"lever": t("report.col.lever", lang)}
    columns.update({v: viewpoints[v] for v in ref.VIEWPOINT_CODES})
    columns.update({"gap": t("col.mean_gap", lang), "blind": t("col.blind_spots", lang)})
    parts.append(_table(pd.DataFrame(rows), columns, {*ref.VIEWPOINT_CODES, "gap", "blind"}))
    return parts


def _needs(by_lever: pd.DataFrame, compared: pd.DataFrame, lang: str) -> list[str]:
    """The needs section (docs/figures.md "Needs"): per lever, how many projects have it as a
    priority and as their recommended path, the median need (`metrics.needs_by_lever`), and
    whether the path helped, supported and unsupported projects side by side
    (`metrics.did_it_help_compared`)."""
    e = html.escape
    threshold = metrics.DEFAULT_NEED_THRESHOLD
    helped: dict[Any, dict[Any, Any]] = compared.set_index("lever").to_dict("index")
    parts = [
        f"<h2>{e(t('report.needs', lang))}</h2>",
        f"<p class='muted'>{e(t('report.needs.intro', lang, threshold=int(threshold)))}</p>",
    ]
    if not by_lever["assessed"].any():
        return [*parts, f"<p>{e(t('needs.none', lang))}</p>"]
    levers = ref.labels(ref.LEVERS, lang)

    def followed(group: str, code: str) -> str:
        median = format_number(helped[code][f"{group}_median"], 1, lang, signed=True)
        projects = format_number(helped[code][f"{group}_projects"], lang=lang)
        return f"{median} (n = {projects})"

    frame = pd.DataFrame(
        {
            "lever": by_lever["lever"].map(levers),
            "priority": [format_pct(v, lang=lang) for v in by_lever["share"]],
            "path": [format_number(v, lang=lang) for v in by_lever["path"]],
            "need": [format_number(v, 1, lang) for v in by_lever["median_need"]],
            "supported": [followed("supported", code) for code in by_lever["lever"]],
            "unsupported": [followed("unsupported", code) for code in by_lever["lever"]],
            "difference": [
                format_number(helped[code]["difference"], 1, lang, signed=True)
                for code in by_lever["lever"]
            ],
        }
    )
    columns = {
        "lever": t("report.col.lever", lang),
        "priority": t("needs.share", lang).replace(" (%)", ""),
        "path": t("needs.col.path", lang),
        "need": t("needs.col.median_need", lang),
        "supported": t("needs.col.supported_median", lang),
        "unsupported": t("needs.col.unsupported_median", lang),
        "difference": t("needs.col.helped_difference", lang),
    }
    numeric = {"priority", "path", "need", "supported", "unsupported", "difference"}
    note = t("needs.helped.not_proof", lang, minimum=ref.PEER_MIN)
    return [*parts, _table(frame, columns, numeric), f"<p class='muted'>{e(note)}</p>"]


def _figures(con: Connection, flt: PortfolioFilter) -> dict[str, Any]:
    """Every figure the report shows, from the metric layer, read at once: each query on its
    own cursor, several at a time (the database works while Python waits), so the report takes
    about as long as its slowest figure, not as long as all of them."""
    threshold = metrics.DEFAULT_NEED_THRESHOLD
    calls: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {
        "helped": (metrics.did_it_help_compared, (threshold,)),  # the slowest first
        "summary": (metrics.project_summary, ()),
        "viewpoints": (metrics.viewpoint_overview, ()),
        "spots": (metrics.blind_spots, ()),
        "by_lever": (metrics.needs_by_lever, (threshold,)),
        "kpis": (metrics.portfolio_kpis, ()),
        "by_department": (metrics.projects_by_department, ()),
        "phase": (metrics.projects_by, ("phase",)),
        "need": (metrics.projects_by, ("need",)),
    }
    with ThreadPoolExecutor(max_workers=FIGURE_WORKERS) as pool:
        futures = {
            name: pool.submit(function, con, flt, *args) for name, (function, args) in calls.items()
        }
        return {name: future.result() for name, future in futures.items()}


def headline_tiles(kpis: metrics.PortfolioKpis, lang: str) -> list[tuple[str, str, str]]:
    """The Overview's six tiles as the page shows them — (label, figure, exact figure) — so
    that the report's headline figures are the screen's: with an investor chosen, its levered
    euros and leverage; else the resources of the portfolio and no leverage."""
    committed = (
        format_eur(kpis.committed_eur, lang=lang, compact=True),
        format_eur(kpis.committed_eur, lang=lang),
    )
    if kpis.investor:
        third = (
            t("kpi.levered", lang),
            format_eur(kpis.levered_eur, lang=lang, compact=True),
            format_eur(kpis.levered_eur, lang=lang),
        )
        leverage = format_number(kpis.leverage, 2, lang)
    else:
        third = (
            t("kpi.resources", lang),
            format_eur(kpis.resources_eur, lang=lang, compact=True),
            format_eur(kpis.resources_eur, lang=lang),
        )
        leverage = "—"
    projects = format_number(kpis.projects, lang=lang)
    beneficiaries = format_number(kpis.beneficiaries, lang=lang)
    fragile = format_pct(kpis.fragile_share, lang=lang)
    return [
        (t("kpi.projects", lang), projects, projects),
        (t("kpi.committed", lang), *committed),
        third,
        (t("kpi.leverage", lang), leverage, leverage),
        (t("kpi.beneficiaries", lang), beneficiaries, beneficiaries),
        (t("kpi.fragile", lang), fragile, fragile),
    ]


def committee_report(
    con: Connection, flt: PortfolioFilter, lang: str = "fr", today: date | None = None
) -> str:
    """The report as one HTML document."""
    today = today or date.today()
    e = html.escape
    figures = _figures(con, flt)
    kpis = figures["kpis"]
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{e(lang)}"><head><meta charset="utf-8">',
        f"<title>{e(t('report.title', lang))}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(t('report.title', lang))}</h1>",
        f'<p class="muted">{e(t("report.generated", lang, date=format_date(today, lang)))}</p>',
        "<div class='scope'><strong>"
        + e(tn("report.scope", kpis.projects, lang, n=format_number(kpis.projects, lang=lang)))
        + "</strong><ul>"
        + "".join(f"<li>{e(line)}</li>" for line in _filter_lines(con, flt, lang))
        + "</ul></div>",
    ]
    parts.append(f"<h2>{e(t('report.kpis', lang))}</h2><div class='tiles'>")
    for label, value, exact in headline_tiles(kpis, lang):
        under = f"<div class='x'>{e(exact)}</div>" if exact != value else ""
        parts.append(
            f"<div class='tile'><div>{e(label)}</div><div class='v'>{e(value)}</div>{under}</div>"
        )
    parts.append("</div>")
    if not kpis.investor:
        parts.append(f"<p class='muted'>{e(t('kpi.no_investor', lang))}</p>")
    if kpis.projects == 0:
        parts.append(f"<p>{e(t('overview.no_match', lang))}</p></body></html>")
        return "\n".join(parts)

    charts = [department_map(figures["by_department"], "projects", lang)]
    charts += [projects_by_chart(figures[column], column, lang) for column in ("phase", "need")]
    parts.append(f"<h2>{e(t('report.charts', lang))}</h2><div class='charts'>")
    parts += [_figure(chart) for chart in charts]
    parts.append("</div>")

    parts += _levers_by_viewpoint(figures["viewpoints"], lang)
    parts += _needs(figures["by_lever"], figures["helped"], lang)

    summary = figures["summary"]
    ranked = summary.dropna(subset=["maturity_consolidated"]).sort_values(
        ["maturity_consolidated", "project_id"], ascending=[False, True]
    )
    columns = {
        "project_id": t("report.col.id", lang),
        "name": t("report.col.project", lang),
        "maturity": t("report.col.maturity", lang),
        "utility": t("report.col.utility", lang),
        "gap": t("report.col.gap", lang),
    }

    def shown(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "project_id": frame["project_id"],
                "name": frame["name"],
                "maturity": [format_number(v, 1, lang) for v in frame["maturity_consolidated"]],
                "utility": [format_number(v, 0, lang) for v in frame["utility_index"]],
                "gap": [format_number(v, 0, lang) for v in frame["max_gap"]],
            }
        )

    numeric = {"maturity", "utility", "gap"}
    parts.append(f"<h2>{e(tn('report.top', TOP_N, lang))}</h2>")
    parts.append(_table(shown(ranked.head(TOP_N)), columns, numeric))
    parts.append(f"<h2>{e(tn('report.bottom', TOP_N, lang))}</h2>")
    parts.append(_table(shown(ranked.tail(TOP_N).iloc[::-1]), columns, numeric))

    spots = figures["spots"].head(MAX_BLIND_SPOTS)
    parts.append(f"<h2>{e(t('report.blind_spots', lang))}</h2>")
    if spots.empty:
        parts.append(f"<p>{e(t('report.no_blind_spot', lang))}</p>")
    else:
        levers = ref.labels(ref.LEVERS, lang)
        frame = pd.DataFrame(
            {
                "project_id": spots["project_id"],
                "name": spots["name"],
                "lever": spots["lever"].map(levers),
                "self": [format_number(v, 0, lang) for v in spots["self_score"]],
                "others": [format_number(v, 0, lang) for v in spots["others_score"]],
                "kind": spots["kind"].map(lambda k: t(f"blind.{k}", lang)),
            }
        )
        parts.append(
            _table(
                frame,
                {
                    "project_id": t("report.col.id", lang),
                    "name": t("report.col.project", lang),
                    "lever": t("report.col.lever", lang),
                    "self": t("report.col.self", lang),
                    "others": t("report.col.others", lang),
                    "kind": t("report.col.kind", lang),
                },
                {"self", "others"},
            )
        )
    parts.append(f"<p class='muted footer'>{e(t('report.footer', lang))}</p></body></html>")
    return "\n".join(parts)

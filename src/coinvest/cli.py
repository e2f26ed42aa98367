"""The `coinvest` command line (docs/import.md "Command line"): the same code the pages use."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from coinvest import __version__, settings
from coinvest.errors import CoinvestError
from coinvest.filters import FIELDS, PortfolioFilter
from coinvest.i18n import normalise_lang, t, tn


def _lang() -> str:
    return normalise_lang(settings.get("COINVEST_LANG"))


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(t("cli.bad_number", _lang(), value=text))
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coinvest",
        description="Social-innovation portfolio review (Le RAMEAU's seven levers).",
    )
    parser.add_argument("--version", action="version", version=f"coinvest {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="write the deterministic demo portfolio into a new database")
    demo.add_argument(
        "--db",
        help="database: a DuckDB file or a postgresql:// URL (default: $COINVEST_DB, else data/coinvest.duckdb)",
    )
    demo.add_argument(
        "--projects", type=_positive_int, default=300, help="number of projects (default 300)"
    )
    demo.add_argument("--seed", type=int, default=42, help="random seed (default 42)")

    load = sub.add_parser("import", help="validate then load a workbook or CSV files")
    load.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="an .xlsx workbook, CSV files, or a zip of CSV files",
    )
    load.add_argument(
        "--db",
        help="database: a DuckDB file or a postgresql:// URL (default: $COINVEST_DB, else data/coinvest.duckdb)",
    )
    load.add_argument(
        "--delete-missing",
        action="store_true",
        help="also delete the rows of the file's tables that the file does not mention "
        "(without it they stay, and the report counts them); asks for confirmation, or --yes",
    )
    load.add_argument(
        "--yes",
        action="store_true",
        help="with --delete-missing: delete without asking (scripts)",
    )

    export = sub.add_parser(
        "export", help="write the computed figures (project levers, project summary, portfolio)"
    )
    export.add_argument(
        "--db",
        help="database: a DuckDB file or a postgresql:// URL (default: $COINVEST_DB, else data/coinvest.duckdb)",
    )
    export.add_argument("--out", required=True, help="folder to write the files into")
    export.add_argument(
        "--xlsx", action="store_true", help="also write the tables as one .xlsx workbook"
    )
    export.add_argument(
        "--as",
        dest="as_member",
        metavar="EMAIL",
        help="write exactly what this member of a shared instance sees (their scope)",
    )
    _filter_options(export)

    log = sub.add_parser("log", help="list the imports and reverts (id, when, who, files, counts)")
    history = sub.add_parser("history", help="write the history of changes as a CSV file")
    history.add_argument("--project", metavar="ID", help="only this project's changes")
    history.add_argument(
        "--since", metavar="DATE", help="only changes since this date (YYYY-MM-DD)"
    )
    history.add_argument("--out", required=True, metavar="FILE.csv", help="the CSV file to write")
    revert = sub.add_parser(
        "revert", help="undo an import: every row it added, changed or removed goes back"
    )
    revert.add_argument("import_id", metavar="IMPORT_ID", type=int, help="see `coinvest log`")
    for command in (log, history, revert):
        command.add_argument(
            "--db",
            help="database: a DuckDB file or a postgresql:// URL (default: $COINVEST_DB, else data/coinvest.duckdb)",
        )

    members = sub.add_parser(
        "members", help="who may sign in to a shared instance, for which organisation, as what"
    )
    members_sub = members.add_subparsers(dest="members_command", required=True)
    add = members_sub.add_parser(
        "add", help="give an e-mail address a role for an organisation (replaces an earlier one)"
    )
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("org_id", metavar="ORG_ID", help="the organisation's id, as imported")
    add.add_argument("role", metavar="ROLE", help="admin, investor, support_body or project")
    add.add_argument(
        "--name", help="the person's name, for campaign reminders (kept when not given)"
    )
    listing = members_sub.add_parser("list", help="list the members")
    remove = members_sub.add_parser("remove", help="take an address's access away")
    remove.add_argument("email", metavar="EMAIL")
    for command in (add, listing, remove):
        command.add_argument(
            "--db",
            help="database: a DuckDB file or a postgresql:// URL (default: $COINVEST_DB, else data/coinvest.duckdb)",
        )
    campaign = sub.add_parser(
        "campaign", help="assessment campaigns: the three viewpoints of one round, collected"
    )
    campaign_sub = campaign.add_subparsers(dest="campaign_command", required=True)
    create = campaign_sub.add_parser(
        "create", help="a campaign over a cohort's members, or over the projects of a filter"
    )
    create.add_argument("name", metavar="NAME")
    create.add_argument("--reference-date", required=True, help="the date of the round, YYYY-MM-DD")
    create.add_argument("--deadline", required=True, help="the last day to answer, YYYY-MM-DD")
    create.add_argument(
        "--members-of",
        metavar="COHORT_ID",
        help="the cohort whose members on the reference date (else the filter's projects)",
    )
    _filter_options(create)
    status = campaign_sub.add_parser(
        "status", help="who is expected, what is in draft and sent, who is missing"
    )
    status.add_argument("campaign_id", metavar="CAMPAIGN_ID", type=int)
    status.add_argument(
        "--reminders", metavar="FILE.csv", help="write the people still to answer (CSV for Excel)"
    )
    close = campaign_sub.add_parser("close", help="close a campaign: nothing more is saved")
    close.add_argument("campaign_id", metavar="CAMPAIGN_ID", type=int)
    for command in (create, status, close):
        command.add_argument(
            "--db",
            help="database: a DuckDB file or a postgresql:// URL (default: $COINVEST_DB, else data/coinvest.duckdb)",
        )
    return parser


def _filter_options(parser: argparse.ArgumentParser) -> None:
    """The global portfolio filter (docs/pages.md): one option per field of filters.FIELDS."""
    group = parser.add_argument_group("portfolio filter (as in the app's URL)")
    for field in FIELDS:
        if field.is_list:
            group.add_argument(
                field.option,
                action="append",
                default=[],
                dest=field.name,
                help=f"{field.help} (repeatable)",
            )
        elif field.kind == "flag":
            group.add_argument(field.option, action="store_true", dest=field.name, help=field.help)
        else:
            group.add_argument(field.option, default=None, dest=field.name, help=field.help)


def filter_from_args(args: argparse.Namespace) -> PortfolioFilter:
    """The filter the options describe; a code or year the filter would drop is an error here."""
    raw = {field.name: getattr(args, field.name) for field in FIELDS}
    # the command line reads the whole database (`export --as` narrows it to a member's scope)
    flt = PortfolioFilter.create(**raw, scope=None)
    for field in FIELDS:
        if field.kind == "codes":
            assert field.codes is not None
            allowed = field.codes()
            for value in raw[field.name]:
                if value not in allowed:
                    raise CoinvestError(
                        "cli.unknown_code",
                        option=field.option,
                        value=value,
                        allowed=", ".join(allowed),
                    )
        elif (
            field.kind == "year"
            and raw[field.name] is not None
            and getattr(flt, field.name) is None
        ):
            raise CoinvestError("cli.bad_year", option=field.option, value=raw[field.name])
    return flt


def _unknown_id(option: str, value: str, allowed: list[str]) -> CoinvestError:
    """An id the database does not know, refused with (the first 40 of) the known ones."""
    shown = ", ".join(allowed[:40]) + (" …" if len(allowed) > 40 else "")
    return CoinvestError("cli.unknown_id", option=option, value=value, allowed=shown or "—")


def refuse_unknown_ids(con, flt: PortfolioFilter) -> None:
    """An investor, support body or cohort the database does not know is refused with the list
    of known ones, as an unknown department is (docs/import.md "Rules"): never empty files and exit 0."""
    from coinvest import lookups

    known = {
        "investor": ("--investor", lookups.investors(con, flt.scope)["org_id"]),
        "support_body": ("--support-body", lookups.support_bodies(con, flt.scope)["org_id"]),
        "cohort": ("--cohort", lookups.cohorts(con, flt.scope)["cohort_id"]),
    }
    for name, (option, ids) in known.items():
        value = getattr(flt, name)
        wanted = [value] if isinstance(value, str) else list(value or ())
        allowed = sorted(str(i) for i in ids)
        for item in wanted:
            if item not in allowed:
                raise _unknown_id(option, item, allowed)


def _refuse_unknown_project(con, project_id: str) -> None:
    """`history --project` names a project the database holds, or held (its history stays)."""
    from coinvest.db import query

    known = query(
        con,
        """SELECT project_id FROM project
           UNION SELECT project_id FROM change_log WHERE project_id IS NOT NULL
           ORDER BY 1""",
    )["project_id"].astype(str)
    if project_id not in set(known):
        raise _unknown_id("--project", project_id, list(known))


def _open_waiting(path, lang: str):
    """Open for writing; while another process holds the database, wait for it (up to
    COINVEST_LOCK_WAIT seconds, 60 by default) so that two imports run one after the other."""
    from coinvest.db import open_database

    patience = float(settings.get("COINVEST_LOCK_WAIT"))
    deadline = time.monotonic() + patience
    told = False
    while True:
        try:
            return open_database(path)
        except CoinvestError as exc:
            if exc.key != "db.locked" or time.monotonic() >= deadline:
                raise
            if not told:
                print(
                    f"coinvest: {t('cli.waiting_lock', lang, path=path)}",
                    file=sys.stderr,
                    flush=True,
                )
                told = True
            time.sleep(0.5)


def _import(args: argparse.Namespace) -> int:
    from coinvest.db import resolve_db
    from coinvest.importer import import_files

    lang = _lang()
    files = []
    for name in args.files:
        try:
            files.append((name, Path(name).read_bytes()))
        except OSError as exc:
            print(
                f"coinvest: {t('cli.cannot_read', lang, path=name, detail=exc.strerror)}",
                file=sys.stderr,
            )
            return 1
    con = _open_waiting(resolve_db(args.db), lang)
    try:
        if args.delete_missing and not args.yes and not _deletion_confirmed(con, files, lang):
            return 1
        report = import_files(
            con,
            files,
            progress=lambda stage, detail: print(
                f"  {t('import.stage.' + stage, lang)}: {detail}", file=sys.stderr, flush=True
            ),
            delete_missing=args.delete_missing,
        )
    finally:
        con.close()
    if report.problems:
        frame = report.problems_frame(lang)
        frame = frame.astype(object).where(frame.notna(), "")
        print(frame.to_string(index=False), file=sys.stderr)
    if not report.loaded:
        print(tn("import.refused", len(report.errors), lang), file=sys.stderr)
        return 1
    print(report.counts_frame().to_string(index=False))
    print(t("import.id", lang, id=report.import_id))
    if report.not_in_file and not args.delete_missing:
        print(tn("import.not_in_file", report.not_in_file, lang), file=sys.stderr)
    print(t("import.done", lang), file=sys.stderr)
    return 0


def _deletion_confirmed(con, files: list[tuple[str, bytes]], lang: str) -> bool:
    """The deletion step is confirmed (docs/import.md "Rules"): the rows it would delete are counted, then
    the person at the terminal says yes, or `--yes` said it. Without a terminal, refused."""
    from coinvest.importer import deletion_preview

    counts = deletion_preview(con, files)
    if counts is None:  # the file is refused anyway: the import says why
        return True
    total = sum(counts.values())
    if not total:
        return True
    listing = ", ".join(f"{table} {n:,}" for table, n in sorted(counts.items()) if n)
    print(t("cli.delete_preview", lang, rows=total, tables=listing), file=sys.stderr)
    if not sys.stdin or not sys.stdin.isatty():
        print(f"coinvest: {t('cli.delete_needs_yes', lang)}", file=sys.stderr)
        return False
    answer = input(t("cli.delete_ask", lang))
    return answer.strip().lower() in ("o", "oui", "y", "yes")


def _export(args: argparse.Namespace) -> int:
    from coinvest.access import find_member
    from coinvest.db import open_database, resolve_db
    from coinvest.export import write_export

    flt = filter_from_args(args)
    path = resolve_db(args.db)
    con = open_database(path, read_only=True)
    try:
        if args.as_member:
            member = find_member(con, args.as_member)
            if member is None:
                raise CoinvestError("cli.not_a_member", email=args.as_member)
            flt = flt.within(member.scope)
        refuse_unknown_ids(con, flt)
        written = write_export(con, flt, Path(args.out), xlsx=args.xlsx, lang=_lang())
    finally:
        con.close()
    for file in written:
        print(file)
    return 0


def _members(args: argparse.Namespace) -> int:
    from coinvest import reference as ref
    from coinvest.access import add_member, list_members, remove_member
    from coinvest.db import describe, open_database, resolve_db

    lang = _lang()
    path = resolve_db(args.db)
    if args.members_command == "list":
        con = open_database(path, read_only=True)
        try:
            frame = list_members(con)
        finally:
            con.close()
        if frame.empty:
            print(t("cli.members.none", lang), file=sys.stderr)
            return 0
        frame["added_at"] = frame["added_at"].dt.strftime("%Y-%m-%d %H:%M")
        print(frame.astype(object).where(frame.notna(), "").to_string(index=False))
        return 0
    try:
        con = _open_waiting(path, lang)
    except CoinvestError as exc:
        if exc.key == "db.locked":  # a running app holds the DuckDB file
            raise CoinvestError("cli.members_locked", path=describe(path)) from exc
        raise
    try:
        if args.members_command == "add":
            member, replaced = add_member(con, args.email, args.org_id, args.role, name=args.name)
            key = "cli.members.replaced" if replaced else "cli.members.added"
            role = ref.labels(ref.ROLES, lang)[member.role]
            print(t(key, lang, email=member.email, organisation=member.org_name, role=role))
            return 0
        if remove_member(con, args.email):
            print(t("cli.members.removed", lang, email=args.email.strip().lower()))
            return 0
        print(f"coinvest: {t('cli.members.unknown', lang, email=args.email)}", file=sys.stderr)
        return 1
    finally:
        con.close()


def _log(args: argparse.Namespace) -> int:
    from coinvest.db import open_database, resolve_db
    from coinvest.history import imports

    lang = _lang()
    con = open_database(resolve_db(args.db), read_only=True)
    try:
        frame = imports(con)
    finally:
        con.close()
    if frame.empty:
        print(t("cli.log.empty", lang), file=sys.stderr)
        return 0
    frame["imported_at"] = frame["imported_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    frame["reverts"] = frame["reverts"].astype("Int64")
    frame = frame.drop(columns=["sha256"])
    print(frame.astype(object).where(frame.notna(), "").to_string(index=False))
    return 0


def _history(args: argparse.Namespace) -> int:
    from datetime import date, datetime

    from coinvest.db import open_database, resolve_db
    from coinvest.history import history
    from coinvest.workbook import frame_to_csv

    since = None
    if args.since:
        try:
            since = datetime.combine(date.fromisoformat(args.since), datetime.min.time())
        except ValueError:
            raise CoinvestError("cli.bad_date", option="--since", value=args.since) from None
    con = open_database(resolve_db(args.db), read_only=True)
    try:
        if args.project is not None:
            _refuse_unknown_project(con, args.project)
        frame = history(con, project_id=args.project, since=since)
    finally:
        con.close()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # a file people open in Excel: CSV for Excel, text that looks like a formula neutralised
    # (docs/import.md "Rules"); oldest first, as a journal reads
    out.write_bytes(frame_to_csv(frame.iloc[::-1]))
    print(out)
    return 0


def _revert(args: argparse.Namespace) -> int:
    from coinvest.audit import cli_author
    from coinvest.db import resolve_db
    from coinvest.importer.revert import revert

    lang = _lang()
    con = _open_waiting(resolve_db(args.db), lang)
    try:
        print(f"  {t('cli.revert.running', lang, id=args.import_id)}", file=sys.stderr, flush=True)
        done = revert(con, args.import_id, cli_author())
    finally:
        con.close()
    print(t("cli.revert.done", lang, id=args.import_id, revert=done.import_id))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from coinvest.db import describe, open_database, resolve_db
    from coinvest.demo import generate

    path = resolve_db(args.db)
    started = time.perf_counter()
    con = open_database(path)
    try:
        generate(con, n_projects=args.projects, seed=args.seed)
        con.checkpoint()
    finally:
        con.close()
    seconds = f"{time.perf_counter() - started:.1f}"
    print(
        t(
            "cli.demo.done",
            _lang(),
            path=describe(path),
            projects=f"{args.projects:,}",
            seconds=seconds,
        ),
        file=sys.stderr,
    )
    return 0


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise CoinvestError("campaign.bad_date", value=value) from exc


def _campaign(args: argparse.Namespace) -> int:
    """`coinvest campaign create|status|close` (docs/campaigns.md): the package's own code."""
    from coinvest import campaigns as C
    from coinvest import reference as ref
    from coinvest.db import open_database, resolve_db
    from coinvest.workbook import frame_to_csv

    lang = _lang()
    path = resolve_db(args.db)
    if args.campaign_command == "status":
        con = open_database(path, read_only=True)
        try:
            campaign = C.get_campaign(con, args.campaign_id)
            board = C.board(con, campaign)
            missing = C.missing_memberships(con, campaign)
            people = C.reminders(con, campaign)
        finally:
            con.close()
        state = "open" if campaign.is_open(C.utc_today()) else "closed"
        print(
            t(
                f"cli.campaign.state_{state}",
                lang,
                id=campaign.campaign_id,
                name=campaign.name,
                reference=campaign.reference_date.isoformat(),
                deadline=campaign.deadline.isoformat(),
            )
        )
        names = ref.labels(ref.VIEWPOINTS, lang)
        shown = board.assign(viewpoint=board["viewpoint"].map(names))
        print(shown.to_string(index=False))
        for _, row in C.shares(board).iterrows():
            share = "—" if row["share"] is None else f"{100 * row['share']:.0f} %"
            print(f"{names[row['viewpoint']]}: {row['sent']}/{row['expected']} ({share})")
        for _, row in missing.iterrows():
            print(
                t(
                    "cli.campaign.missing",
                    lang,
                    organisation=f"{row['org_name']} ({row['org_id']})",
                    viewpoint=names[row["viewpoint"]],
                ),
                file=sys.stderr,
            )
        if args.reminders:
            Path(args.reminders).write_bytes(frame_to_csv(people))
            print(t("cli.campaign.reminders", lang, n=len(people), path=args.reminders))
        return 0
    con = _open_waiting(path, lang)
    try:
        if args.campaign_command == "create":
            reference, deadline = _date(args.reference_date), _date(args.deadline)
            cohort = args.members_of
            projects = None if cohort else C.filter_projects(con, filter_from_args(args))
            made = C.create_campaign(
                con, args.name, reference, deadline, cohort_id=cohort, project_ids=projects
            )
            board = C.board(con, made)
            print(
                t(
                    "cli.campaign.created",
                    lang,
                    id=made.campaign_id,
                    projects=board["project_id"].nunique(),
                    questionnaires=int(board["expected"].sum()),
                )
            )
        else:
            closed = C.close_campaign(con, args.campaign_id)
            print(t("cli.campaign.closed", lang, id=closed.campaign_id))
    finally:
        con.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            return _demo(args)
        if args.command == "export":
            return _export(args)
        if args.command == "import":
            return _import(args)
        if args.command == "members":
            return _members(args)
        if args.command == "log":
            return _log(args)
        if args.command == "history":
            return _history(args)
        if args.command == "revert":
            return _revert(args)
        if args.command == "campaign":
            return _campaign(args)
    except CoinvestError as exc:
        print(f"coinvest: {exc.message(_lang())}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())

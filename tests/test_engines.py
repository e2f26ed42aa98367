"""One SQL, two engines (docs/data.md "Two engines"): the same demo gives the same figures, exports and pickers
on DuckDB and on PostgreSQL, and the PostgreSQL side behaves as a shared server should."""

from __future__ import annotations

import threading

import pytest

from coinvest import lookups, metrics
from coinvest.backend import POOL_SIZE, pg_placeholders, redact
from coinvest.db import EngineError, data_version, open_database, query
from coinvest.demo import generate
from coinvest.errors import CoinvestError
from coinvest.filters import PortfolioFilter
from coinvest.importer import import_files
from coinvest.schema import LATEST_VERSION
from coinvest.schema.later import INDEXED_ON_POSTGRES, NEEDS_BY_LEVER_INDEX
from coinvest.workbook import export_portfolio_xlsx
from tests.pgserver import Server
from tests.template import filled_template_xlsx
from tests.test_access import SCOPES, _calls, _cli, _equal, _ids


def _quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def both(pg: Server, tmp_path_factory):
    """The same demo (120 projects, seed 7) in a DuckDB file and in a PostgreSQL database."""
    duck_path = tmp_path_factory.mktemp("engines") / "demo.duckdb"
    pg_url = pg.create("engines", template="coinvest_empty")
    for target in (duck_path, pg_url):
        con = open_database(target)
        generate(con, n_projects=120, seed=7, progress=_quiet)
        con.close()
    duck = open_database(duck_path, read_only=True)
    post = open_database(pg_url, read_only=True)
    yield duck, post
    duck.close()
    post.close()


FILTERS = {
    "all": PortfolioFilter(scope=None),
    "narrowed": PortfolioFilter.create(phase=["rnd", "modelling"], year_to=2024, scope=None),
    "investor": PortfolioFilter.create(investor="INV02", region=["11", "84"], scope=None),
}


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_every_metric_gives_the_same_frames_on_both_engines(both, name):
    duck, post = both
    flt = FILTERS[name]
    inside, outside = _ids(duck, SCOPES["investor"])
    assert (inside, outside) == _ids(post, SCOPES["investor"])
    for function, argument_lists in _calls(inside, outside, "INV01").items():
        for args in argument_lists:
            where = f"{function}{args!r} [{name}]"
            left = getattr(metrics, function)(duck, flt, *args)
            right = getattr(metrics, function)(post, flt, *args)
            _equal(left, right, where)


@pytest.mark.parametrize("role", sorted(SCOPES))
def test_a_members_scope_gives_the_same_figures_and_pickers_on_both_engines(both, role):
    duck, post = both
    scope = SCOPES[role]
    flt = PortfolioFilter(scope=None).within(scope)
    for function in ("portfolio_kpis", "project_summary", "leverage", "needs_overview"):
        _equal(
            getattr(metrics, function)(duck, flt), getattr(metrics, function)(post, flt), function
        )
    for picker in ("investors", "support_bodies", "cohorts", "year_span"):
        _equal(getattr(lookups, picker)(duck, scope), getattr(lookups, picker)(post, scope), picker)


def test_search_folds_accents_and_ids_sort_alike_on_both_engines(both):
    duck, post = both
    for text in ("épicerie", "EPICERIE", "Légumerie", "insertion — nord", "P00001"):
        found = lookups.search_projects(duck, PortfolioFilter(scope=None), text)
        _equal(found, lookups.search_projects(post, PortfolioFilter(scope=None), text), text)
        assert not found.empty or text == "insertion — nord", text
    ids = "SELECT project_id FROM project ORDER BY project_id"
    assert query(duck, ids).equals(query(post, ids))


def test_the_workbook_export_is_the_same_bytes_from_both_engines(both):
    duck, post = both
    assert export_portfolio_xlsx(duck, PortfolioFilter(scope=None)) == export_portfolio_xlsx(
        post, PortfolioFilter(scope=None)
    )


EXPORTS = {
    "all": [],
    "investor": ["--investor", "INV02"],
    "period": ["--investor", "INV01", "--year-from", "2024", "--year-to", "2024"],
}


def test_demo_then_export_gives_byte_identical_files_on_both_engines(pg: Server, tmp_path):
    """`coinvest demo` then `coinvest export` (with and without an investor, with a period),
    once per engine: every file the same bytes."""
    targets = {"duckdb": str(tmp_path / "cli.duckdb"), "postgres": pg.create("cli")}
    for engine, target in targets.items():
        done = _cli("demo", "--db", target, "--projects", "150", "--seed", "11")
        assert done.returncode == 0, (engine, done.stderr)
        for name, options in EXPORTS.items():
            out = tmp_path / engine / name
            done = _cli("export", "--db", target, "--out", str(out), "--xlsx", *options)
            assert done.returncode == 0, (engine, name, done.stderr)
    for name in EXPORTS:
        duck = {p.name: p.read_bytes() for p in (tmp_path / "duckdb" / name).iterdir()}
        post = {p.name: p.read_bytes() for p in (tmp_path / "postgres" / name).iterdir()}
        assert sorted(duck) == sorted(post)
        assert len(duck) >= 4
        for file in duck:
            assert duck[file] == post[file], (name, file)


def test_the_password_never_shows_in_a_message(pg: Server):
    url = f"postgresql://postgres:s3cret@127.0.0.1:{pg.port}/no_such_database"
    assert redact(url) == f"postgresql://postgres:***@127.0.0.1:{pg.port}/no_such_database"
    with pytest.raises(CoinvestError) as caught:
        open_database(url)
    message = caught.value.message("en")
    assert "s3cret" not in message
    assert "no_such_database" in message
    done = _cli("export", "--db", url, "--out", "/tmp/never")
    assert done.returncode == 1
    assert "s3cret" not in done.stderr
    assert "no_such_database" in done.stderr


def test_placeholders_become_psycopgs_outside_literals_and_comments():
    assert (
        pg_placeholders("SELECT '$x ?', name LIKE 'a%' FROM t WHERE a = $a AND b = ? -- $c ?")
        == "SELECT '$x ?', name LIKE 'a%%' FROM t WHERE a = %(a)s AND b = %s -- $c ?"
    )
    assert (
        pg_placeholders("SELECT 'it''s 5%' || \"%\" FROM t WHERE a = ?")
        == "SELECT 'it''s 5%%' || \"%%\" FROM t WHERE a = %s"
    )


def test_a_read_only_instance_cannot_write(pg: Server):
    url = pg.create("ro", template="coinvest_empty")
    con = open_database(url, read_only=True)
    try:
        with pytest.raises(EngineError, match="read-only"):
            con.execute("INSERT INTO region VALUES ('XX', 'Nowhere')")
        assert con.execute("SELECT count(*) FROM region WHERE code = 'XX'").fetchall() == [(0,)]
    finally:
        con.close()


def test_instances_starting_at_once_migrate_the_schema_once(pg: Server):
    """Several instances open a new database at the same moment: the advisory lock lets the
    first migrate, and the others find the schema up to date."""
    url = pg.create("race")
    errors: list[BaseException] = []
    opened = []

    def start() -> None:
        try:
            opened.append(open_database(url))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    try:
        versions = opened[0].execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
        assert [v for (v,) in versions] == list(range(1, LATEST_VERSION + 1))
        assert opened[0].execute("SELECT count(*) FROM region").fetchall()[0][0] > 10
    finally:
        for con in opened:
            con.close()


def test_imports_from_two_instances_run_one_after_the_other_and_raise_the_data_version(
    pg: Server,
):
    url = pg.create("two", template="coinvest_empty")
    first, second = open_database(url), open_database(url)
    try:
        before = data_version(second)
        template = filled_template_xlsx()
        reports: list = []
        threads = [
            threading.Thread(
                target=lambda c=c: reports.append(import_files(c, [("t.xlsx", template)]))
            )
            for c in (first, second)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert all(r.loaded for r in reports), [r.problems for r in reports]
        ids = sorted(r.import_id for r in reports)
        assert ids[1] == ids[0] + 1
        # the second import found the first one's rows: nothing new to add
        assert sorted(r.counts["project"]["added"] for r in reports) == [0, 1]
        assert data_version(first) == data_version(second) >= before + 2
    finally:
        first.close()
        second.close()


def test_a_database_that_sorts_by_another_locale_is_refused_with_the_way_to_create_one(
    pg: Server,
):
    pg.admin("CREATE DATABASE coinvest_latin TEMPLATE template0 ENCODING 'SQL_ASCII' LOCALE 'C'")
    with pytest.raises(CoinvestError) as caught:
        open_database(pg.url("coinvest_latin"))
    assert caught.value.key == "db.pg_locale"
    assert "LOCALE 'C.UTF-8'" in caught.value.message("en")
    # nothing was written
    import psycopg

    with psycopg.connect(pg.url("coinvest_latin")) as con:
        tables = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert tables == (0,)


def test_euros_with_cents_export_as_their_exact_decimal_and_the_same_bytes(pg: Server, tmp_path):
    """docs/figures.md "Settled points": 165 000,30 € is written `165000.3` by both engines (a cast of the decimal
    to a float that is not correctly rounded wrote 165000.30000000002 on DuckDB)."""
    from tests.test_deletion import ORGS, PROJECTS

    money = (
        "investment_id;investor_org_id;project_id;date;amount_eur;instrument\n"
        "I1;INV;P1;01/02/2025;165 000,30;grant\nI2;INV;P2;01/02/2025;0,10;grant\n"
        "I3;INV;P2;02/02/2025;0,20;loan\n"
    )
    sources = {"organisations": ORGS, "projects": PROJECTS, "investments": money}
    paths = []
    for name, text in sources.items():
        path = tmp_path / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    targets = {"duckdb": str(tmp_path / "cents.duckdb"), "postgres": pg.create("cents")}
    for engine, target in targets.items():
        done = _cli("import", *paths, "--db", target)
        assert done.returncode == 0, (engine, done.stderr)
        for name, options in (("all", []), ("investor", ["--investor", "INV"])):
            out = tmp_path / engine / name
            done = _cli("export", "--db", target, "--out", str(out), *options)
            assert done.returncode == 0, (engine, name, done.stderr)
    for name in ("all", "investor"):
        duck = {p.name: p.read_bytes() for p in (tmp_path / "duckdb" / name).iterdir()}
        post = {p.name: p.read_bytes() for p in (tmp_path / "postgres" / name).iterdir()}
        assert sorted(duck) == sorted(post)
        for file in duck:
            assert duck[file] == post[file], (name, file)
    summary = (tmp_path / "duckdb" / "all" / "project_summary.csv").read_text()
    assert ",165000.3\n" in summary or ",165000.3," in summary
    assert ",0.3" in summary  # P2: 0.10 + 0.20, not 0.30000000000000004
    assert "0000000" not in summary


def test_queries_of_a_few_projects_join_through_keys_and_the_pool_forgets_it(pg: Server):
    """PostgreSQL's planner settings (docs/data.md "Two engines"): hash joins only and no JIT for
    the whole-portfolio queries; a keyed cursor (one project's sheet) may join row by row, and
    its connection goes back to the pool as it came."""
    url = pg.create("keyed", template="coinvest_empty")
    con = open_database(url, read_only=True)
    try:
        setting = "SELECT current_setting('enable_nestloop'), current_setting('jit')"
        with con.cursor() as cur:
            assert cur.execute(setting).fetchall() == [("off", "off")]
            cur.keyed()
            assert cur.execute(setting).fetchall() == [("on", "off")]
        cursors = [con.cursor() for _ in range(POOL_SIZE)]  # every connection of the pool
        try:
            assert {c.execute(setting).fetchall()[0] for c in cursors} == {("off", "off")}
        finally:
            for cur in cursors:
                cur.close()
        assert query(con, setting, keyed=True).iloc[0].tolist() == ["on", "off"]
    finally:
        con.close()


def test_postgresql_indexes_the_tables_read_one_project_at_a_time(both):
    duck, post = both
    wanted = {f"{table}_{column}_idx" for table, column in INDEXED_ON_POSTGRES}
    wanted.add(NEEDS_BY_LEVER_INDEX)  # the paths' invitees, per lever (schema v17)
    on_pg = {
        name
        for (name,) in post.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        ).fetchall()
    }
    assert wanted <= on_pg
    on_duck = {
        name for (name,) in duck.execute("SELECT index_name FROM duckdb_indexes()").fetchall()
    }
    assert not wanted & on_duck  # DuckDB pays for an index at every write: it prunes by row group

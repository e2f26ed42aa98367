"""The `coinvest` command line (DESIGN §6.3): the same code the pages use."""

from __future__ import annotations

import argparse
import os
import sys
import time

from coinvest import __version__
from coinvest.errors import CoinvestError
from coinvest.i18n import normalise_lang, t


def _lang() -> str:
    return normalise_lang(os.environ.get("COINVEST_LANG", "fr"))


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
        "--db", help="database path (default: $COINVEST_DB, else data/coinvest.duckdb)"
    )
    demo.add_argument(
        "--projects", type=_positive_int, default=300, help="number of projects (default 300)"
    )
    demo.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    return parser


def _demo(args: argparse.Namespace) -> int:
    from coinvest.db import open_database, resolve_db_path
    from coinvest.demo import generate

    path = resolve_db_path(args.db)
    started = time.perf_counter()
    con = open_database(path)
    try:
        generate(con, n_projects=args.projects, seed=args.seed)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    seconds = f"{time.perf_counter() - started:.1f}"
    print(
        t("cli.demo.done", _lang(), path=path, projects=f"{args.projects:,}", seconds=seconds),
        file=sys.stderr,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            return _demo(args)
    except CoinvestError as exc:
        print(f"coinvest: {exc.message(_lang())}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())

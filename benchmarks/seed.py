"""Fill the `items` table of the generated service or of the baseline (run in the service venv).

    python benchmarks/seed.py generated|baseline ROWS [--page-size 50 --page 1000]

DATABASE_URL names the database (its tables already exist). Prints one JSON object: an id
to read, and the query strings of page 1 and of page `--page` in the service's own
pagination (a cursor for the generated service, an offset for the baseline).
"""

import argparse
import datetime as dt
import importlib
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

CHUNK = 5000
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("target", choices=["generated", "baseline"])
    parser.add_argument("rows", type=int)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--package", default="bench_items")
    args = parser.parse_args()
    if args.target == "generated":
        from_settings = importlib.import_module(f"{args.package}.settings").get_settings()
        engine = importlib.import_module(f"{args.package}.db").create_db_engine(from_settings)
        model: Any = importlib.import_module(f"{args.package}.models").Item
    else:
        sys.path.insert(0, str(Path(__file__).parent / "baseline"))
        import app  # type: ignore[import-not-found]

        engine, model = app.engine, app.Item
    table = model.__table__
    ids = [uuid.UUID(int=index + 1) for index in range(args.rows)]
    with engine.begin() as connection:
        connection.execute(sa.delete(table))
        for start in range(0, args.rows, CHUNK):
            rows = []
            for index in range(start, min(start + CHUNK, args.rows)):
                created = START + dt.timedelta(milliseconds=index)
                rows.append(
                    {
                        "id": ids[index],
                        "name": f"item {index:06d}",
                        "quantity": index,
                        "in_stock": True,
                        "note": None,
                        "created_at": created,
                        "updated_at": created,
                        "version": 1,
                    }
                )
            connection.execute(sa.insert(table), rows)
    deep_offset = (args.page - 1) * args.page_size
    result: dict[str, Any] = {"id": str(ids[len(ids) // 2]), "rows": args.rows}
    if args.rows > deep_offset:
        result["page1"] = f"limit={args.page_size}"
        if args.target == "baseline":
            result["deep"] = f"limit={args.page_size}&offset={deep_offset}"
        else:
            # The cursor the service hands out with page `page - 1`: after that page's last row.
            pagination = importlib.import_module(f"{args.package}.pagination")
            with Session(engine) as session:
                last = session.get(model, ids[deep_offset - 1])
                cursor = pagination._encode(pagination.Sort("created_at", False), last.created_at, last.id)
            result["deep"] = f"limit={args.page_size}&cursor={cursor}"
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`GET /v1/documents` with 10,000 stored documents: p50/p95 latency of the list pages the review page
asks for (newest first, a status filter, a text search, a year filter, a deep page by offset, reviewed and
still to review, and every page of the whole list walked by cursor, newest first).

    python3 bench/bench_listing.py [--documents 10000] [--database-url postgresql://postgres@127.0.0.1/postgres]

Documents and their forms are inserted directly (no worker); the API runs in process (TestClient)."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import delete, select, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from api.app import create_app  # noqa: E402
from workers.corrections import Correction  # noqa: E402
from workers.settings import Settings  # noqa: E402
from workers.storage import ApiKey, Document, StoredForm, transaction, utcnow  # noqa: E402

QUERIES = {"newest": {}, "failed": {"status": "failed"}, "search": {"q": "道路"}, "year": {"year": 2022},
           "deep page": {"offset": 5000}, "validation": {"validation": "warnings"},
           "reviewed": {"reviewed": "true"}, "to review": {"reviewed": "false"}}


def fill(sessions: sessionmaker[Session], count: int, key_name: str = "bench") -> None:
    """`count` documents of the key: every 20th failed, the others with three forms (years 2020-2023, 37
    departments, every 50th project 道路养护, validations in turn: two of three need review), one second
    apart, newest last. Every 3rd has both forms that need review marked reviewed, and every 7th has its
    first such form marked then unmarked (a later "unreview"): reviewed are the 3rd that are not 7th."""
    now = utcnow()
    with transaction(sessions) as session:
        key = session.query(ApiKey).filter_by(name=key_name).one()
        pending: list[Correction] = []
        for n in range(count):
            doc_id = uuid.uuid4().hex
            failed = n % 20 == 0
            session.add(Document(id=doc_id, owner_key_id=key.id, sha256=f"{n:064x}", filename=f"自评表-{n:05}.pdf",
                                 media_type="application/pdf", queue="heavy", status="failed" if failed else "done",
                                 progress=1.0, created_at=now - timedelta(seconds=count - n),
                                 error_code="corrupt_pdf" if failed else None,
                                 error_message="the PDF cannot be read" if failed else None))
            if not failed:
                needy = []
                for index in range(3):
                    validation = ("passed", "warnings", "failed")[(n + index) % 3]
                    session.add(StoredForm(document_id=doc_id, index=index, year=2020 + n % 4,
                                           department=f"部门{n % 37}", project_name=("道路养护" if n % 50 == 0 else
                                                                                   f"项目{n}-{index}"),
                                           validation=validation))
                    if validation != "passed":
                        needy.append(index)
                marked = now - timedelta(seconds=count - n) + timedelta(milliseconds=10)
                marks = [(i, "review") for i in needy] if n % 3 == 0 else []
                marks += [(needy[0], "review"), (needy[0], "unreview")] if n % 7 == 0 else []
                for step, (index, kind) in enumerate(marks):
                    pending.append(Correction(document_id=doc_id, form_index=index, kind=kind, author=key_name,
                                           created_at=marked + timedelta(milliseconds=step)))
            if n % 1000 == 999 or n == count - 1:
                session.flush()  # the documents first: the marks refer to them
                session.add_all(pending)
                session.flush()
                pending.clear()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), api_keys="bench:bench-key", database_url=args.database_url)
        with TestClient(create_app(settings, sweep=False)) as client:
            sessions = client.app.state.sessions  # type: ignore[attr-defined]
            started = time.perf_counter()
            fill(sessions, args.documents)
            if settings.effective_database_url.startswith("postgresql"):
                # As autovacuum does within a minute of a bulk insert: planned with an empty table's
                # statistics, PostgreSQL joined 19,000 forms to 9,000 review marks by nested loop (9 s).
                with transaction(sessions) as session:
                    session.execute(text("ANALYZE"))
            print(f"{args.documents} documents stored in {time.perf_counter() - started:.1f} s "
                  f"({settings.effective_database_url.split(':')[0]})")
            try:
                measure(client, args.documents, args.rounds)
            finally:  # a database of the caller's is left as it was found
                with transaction(sessions) as session:
                    session.execute(delete(Document).where(Document.owner_key_id.in_(
                        select(ApiKey.id).where(ApiKey.name == "bench"))))


def measure(client: TestClient, documents: int, rounds: int) -> None:
    print("| query | total | p50 ms | p95 ms |\n|---|---|---|---|")
    for name, params in QUERIES.items():
        times, total = [], 0
        for _ in range(rounds):
            began = time.perf_counter()
            response = client.get("/v1/documents", headers={"X-API-Key": "bench-key"},
                                  params={"limit": 200, **params})
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.text
            total = response.json()["total"]
        times.sort()
        print(f"| {name} `{params}` | {total} | {statistics.median(times):.0f} | {p95(times):.0f} |")
    times, cursor, pages = [], None, 0
    while True:  # the whole list, newest first, one cursor page after another
        began = time.perf_counter()
        response = client.get("/v1/documents", headers={"X-API-Key": "bench-key"},
                              params={"limit": 200, **({"cursor": cursor} if cursor else {})})
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.text
        pages, cursor = pages + 1, response.json()["next_cursor"]
        if cursor is None:
            break
    times.sort()
    print(f"| every cursor page ({pages} pages of 200) | {documents} | {statistics.median(times):.0f} | "
          f"{p95(times):.0f} |")


def p95(ordered: list[float]) -> float:
    return ordered[max(int(len(ordered) * 0.95) - 1, 0)]


if __name__ == "__main__":
    main()

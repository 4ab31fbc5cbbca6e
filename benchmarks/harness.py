"""Tiny benchmark harness: repeat a timed run, report medians and ratios, write JSON and Markdown."""

from __future__ import annotations

import json
import os
import platform
import secrets
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ceasefire.db.engine import normalize_url

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Measurement:
    """Operations per second of one case over several repeats."""

    case: str
    operations: int
    seconds: list[float] = field(default_factory=list)

    @property
    def median_seconds(self) -> float:
        return statistics.median(self.seconds)

    @property
    def per_second(self) -> float:
        return self.operations / self.median_seconds


def measure(case: str, run: Callable[[], int], *, repeats: int = 5) -> Measurement:
    """Time `run` (which returns how many operations it did) `repeats` times after one warm-up."""
    operations = run()
    result = Measurement(case, operations)
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        result.seconds.append(time.perf_counter() - start)
    return result


def render_table(title: str, rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> str:
    """A Markdown table (readable in a terminal too)."""
    lines = [f"### {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def write_results(name: str, payload: dict[str, object], markdown: str, *, setting: str = "one core") -> None:
    """Write results/<name>.json and results/<name>.md, stamped with the machine, time and setting."""
    RESULTS.mkdir(exist_ok=True)
    meta = {
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "processor": platform.processor() or "unknown",
    }
    (RESULTS / f"{name}.json").write_text(json.dumps({"meta": meta, **payload}, indent=2) + "\n")
    stamp = f"Ran {meta['ran_at']} on Python {meta['python']} ({meta['machine']}), {setting}.\n\n"
    (RESULTS / f"{name}.md").write_text(stamp + markdown)


def as_dict(m: Measurement) -> dict[str, object]:
    """A measurement for the JSON output."""
    return {**asdict(m), "median_seconds": m.median_seconds, "per_second": m.per_second}


@contextmanager
def fresh_postgres(server_url: str, purpose: str) -> Iterator[str]:
    """A new empty PostgreSQL database on the server, for one benchmark's run; dropped afterwards."""
    name = f"cf_bench_{purpose}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(normalize_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(normalize_url(server_url)).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

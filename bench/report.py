"""The table, the targets (each printed as met or not) and the JSON file of a benchmark run."""

from __future__ import annotations

import json
from pathlib import Path

TARGETS = [
    # key, text, check(results) -> (value shown, met)
    ("ratio_latency", "ours/floor >= 0.80 with realistic latency",
     lambda r: (r["latency"]["ratio"], r["latency"]["ratio"] >= 0.8)),
    ("own_work", "our own work <= 5 ms per record",
     lambda r: (r["instant"]["own_ms_per_record"], r["instant"]["own_ms_per_record"] <= 5)),
    ("calls_steady", "<= 1.1 API calls per posted record (steady state)",
     lambda r: (r["calls"]["steady"]["total"], r["calls"]["steady"]["total"] <= 1.1)),
    ("memory", "peak memory 10xN / N <= 1.3",
     lambda r: (r["memory"]["ratio"], r["memory"]["ratio"] <= 1.3)),
    ("rate_limit", ">= 90% of the rate limit used, zero 429s",
     lambda r: (f"{r['rate_limit']['share']:.0%}, {r['rate_limit']['429s']} x 429",
                r["rate_limit"]["share"] >= 0.9 and r["rate_limit"]["429s"] == 0)),
    ("webhook", "webhook p99 < 50 ms at 200 req/s",
     lambda r: (r["webhook"]["p99_ms"], r["webhook"]["p99_ms"] < 50 and not r["webhook"]["failures"])),
    ("admin", "admin pages < 300 ms, bounded queries",
     lambda r: (max(p["p50_ms"] for p in r["admin"]["pages"].values()),
                all(p["p50_ms"] < 300 and p["queries"] <= 25 and p["status"] == 200
                    for p in r["admin"]["pages"].values()))),
]  # fmt: skip


def targets(results: dict) -> list[dict]:
    rows = []
    for key, text, check in TARGETS:
        try:
            shown, met = check(results)
        except (KeyError, TypeError, ValueError):
            shown, met = "not measured", False
        rows.append({"key": key, "target": text, "value": shown, "met": bool(met)})
    return rows


def table(results: dict) -> str:
    r = results
    lines = [f"ml-connector benchmark: {r['records']} requisitions across 12 projects, {r['database']}, "
             f"broker {r['broker']}, {r['workers']} workers, {r['machine']['nproc']} cores, "
             f"{r['machine']['ram_gib']} GiB RAM"]  # fmt: skip
    rows = [("metric", "value")]
    for name in ("instant", "latency"):
        p = r.get(name)
        if p:
            rows.append((f"{name}: ours records/s ({p['records']} records)", f"{p['ours_per_second']:.1f}"))
            rows.append((f"{name}: floor records/s", f"{p['floor_per_second']:.1f}"))
            rows.append((f"{name}: ours/floor", f"{p['ratio']:.2f}"))
    if "instant" in r:
        rows.append(("our own work per record (worker CPU - floor CPU)", f"{r['instant']['own_ms_per_record']:.2f} ms"))
    counted = r.get("calls", {})
    for phase, label in (("first", "first load of {records}"), ("steady", "{steady_records} new ones after it")):
        c = counted.get(phase)
        if c:
            where = label.format(records=counted.get("records", "?"), steady_records=counted.get("steady_records", "?"))
            rows.append((f"API calls per posted record, {where}",
                         f"{c['total']:.2f} (reads {c['reads']:.2f}, look-ups {c['lookups']:.2f}, "
                         f"writes {c['writes']:.2f}, token {c['token']:.3f})"))  # fmt: skip
    m = r.get("memory")
    if m:
        rows.append((f"worker peak RSS, {m['small_records']} records", f"{m['small_mib']:.0f} MiB (largest process)"))
        rows.append((f"worker peak RSS, {m['large_records']} records", f"{m['large_mib']:.0f} MiB (largest process)"))
        rows.append(("memory ratio", f"{m['ratio']:.2f}"))
    rl = r.get("rate_limit")
    if rl:
        rows.append((f"rate limit ({rl['limit']} per {rl['window_seconds']} s window)",
                     f"{rl['share']:.0%} of the limit used, {rl['429s']} x 429"))  # fmt: skip
    w = r.get("webhook")
    if w:
        rows.append((f"webhook at {w['rate']} req/s for {w['seconds']:.0f} s",
                     f"p50 {w['p50_ms']:.1f} ms, p99 {w['p99_ms']:.1f} ms, {sum(w['failures'].values())} failed"))
    a = r.get("admin")
    if a:
        for name, page in a["pages"].items():
            rows.append((f"admin {name} ({a['records']:,} rows, {a['events']:,} events)",
                         f"{page['p50_ms']:.0f} ms, {page['queries']} queries"))  # fmt: skip
    width = max(len(row[0]) for row in rows)
    lines.append("-" * (width + 40))
    lines.extend(f"{name:<{width}}  {value}" for name, value in rows)
    lines.append("-" * (width + 40))
    for row in r.get("targets", []):
        lines.append(f"[{'met' if row['met'] else 'NOT met':>7}] {row['target']}: {row['value']}")
    if "latency" in r:
        lines.append(f"ours/floor = {r['latency']['ratio']:.2f}")
    return "\n".join(lines)


def write(results: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bench-{results['started'].replace(':', '').replace('-', '')[:15]}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    (folder / "latest.json").write_text(path.read_text())
    return path

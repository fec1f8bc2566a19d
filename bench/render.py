"""CPU time of the web process per waiting-list request (the view and its templates), at the view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/escorter_bench_after_2000 \
        .venv/bin/python bench/render.py [--repeat 50] [--profile 30] [--before DIR]

Runs against an existing database holding a registry (e.g. one bench/search.py --reuse kept),
with production settings (DEBUG=False, cached template loader), logged in as a secretary through
the second factor. Prints the p50/p95 of the CPU time (time.process_time) of N GETs of
/patients/ for a few request kinds; `--profile N` prints the cProfile of N list requests.
`--before DIR` measures another checkout in the same run (a subprocess each, same database).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

HERE = Path(__file__).resolve().parent.parent
MARK = "RENDER-RESULT "
KINDS = [
    ("liste", {}),
    ("nom", {"q": "martin"}),
    ("niveau P1 + ALD", {"tier": "P1", "ald": "true"}),
    ("tous les statuts", {"status": "all"}),
]


def worker(args) -> None:
    import search  # bench/search.py of this checkout: its Django setup and second factor

    search._setup_django(Path(args.code))
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from escorter.roles import Role

    call_command("collectstatic", verbosity=0, interactive=False)  # production settings: hashed manifest
    user = User.objects.filter(groups__name=Role.SECRETARY, is_active=True).order_by("pk").first()
    client = Client()
    client.force_login(user)
    search._pass_second_factor(client, user)
    results = {}
    for kind, params in KINDS:
        for _ in range(3):
            assert client.get("/patients/", params).status_code == 200
        cpu = []
        for _ in range(args.repeat):
            started = time.process_time()
            response = client.get("/patients/", params)
            cpu.append((time.process_time() - started) * 1000)
            assert response.status_code == 200
        cpu.sort()
        p95 = cpu[round(0.95 * (len(cpu) - 1))]
        results[kind] = {"p50": statistics.median(cpu), "p95": p95, "bytes": len(response.content)}
    if args.dashboard:
        results["tableau de bord"] = _dashboard(args.repeat)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.profile):
            client.get("/patients/")
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats(os.environ.get("PSORT", "cumulative")).print_stats(45)
    print(MARK + json.dumps(results))


def _dashboard(repeat: int) -> dict:
    """The coordinator's dashboard: its wall clock matters too (its queries read the registry)."""
    import search
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from escorter.roles import Role

    user, _ = User.objects.get_or_create(username="bench-coordinatrice")
    user.groups.add(Group.objects.get(name=Role.COORDINATOR))
    client = Client()
    client.force_login(user)
    search._pass_second_factor(client, user)
    assert client.get("/rapports/tableau-de-bord/").status_code == 200
    cpu, wall = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get("/rapports/tableau-de-bord/")
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    cpu.sort()
    return {"p50": statistics.median(cpu), "p95": cpu[round(0.95 * (len(cpu) - 1))], "bytes": len(response.content),
            "wall": statistics.median(wall)}  # fmt: skip


def run(code: Path, args) -> dict:
    env = {**os.environ, "DEBUG": "False", "SECRET_KEY": "bench-" + "x" * 60, "SECURE_SSL_REDIRECT": "False",
           "LOG_LEVEL": "WARNING", "CELERY_TASK_ALWAYS_EAGER": "true"}  # fmt: skip
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", "--code", str(code)]
    command += ["--repeat", str(args.repeat), "--profile", str(args.profile)] + (
        ["--dashboard"] if args.dashboard else []
    )
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stdout + done.stderr)
    if args.profile:
        sys.stderr.write(done.stderr)
    line = next(line for line in done.stdout.splitlines() if line.startswith(MARK))
    return json.loads(line[len(MARK) :])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--profile", type=int, default=0, help="cProfile this many list requests")
    parser.add_argument("--before", help="another checkout (a directory) measured in the same run")
    parser.add_argument("--dashboard", action="store_true", help="also time the coordinator's dashboard (wall p50 too)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--code", default=str(HERE), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    runs = [("before", run(Path(args.before).resolve(), args))] if args.before else []
    runs.append(("after" if args.before else "this code", run(HERE, args)))
    print(f"{'kind':<20}" + "".join(f"{label + ' CPU p50/p95 ms':>28}" for label, _ in runs) + "   HTML bytes")
    kinds = [kind for kind, _ in KINDS] + (["tableau de bord"] if args.dashboard else [])
    for kind in kinds:
        cells = "".join(f"{r[kind]['p50']:>17.1f} / {r[kind]['p95']:>6.1f}" for _, r in runs)
        print(f"{kind:<20}{cells}   " + " / ".join(str(r[kind]["bytes"]) for _, r in runs))
        if "wall" in runs[0][1][kind]:
            print(f"{'  wall p50 ms':<20}" + "".join(f"{r[kind]['wall']:>26.1f}" for _, r in runs))
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

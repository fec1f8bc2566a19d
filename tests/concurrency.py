"""Running the same action in several threads at once, each on its own database connection."""

from __future__ import annotations

import threading

from django.db import connection


def at_once(action, *, times: int = 2, timeout: float = 60, expected: tuple[type[Exception], ...] = ()) -> list:
    """Call `action()` in `times` threads released together by a barrier. Returns what each call
    returned, or raised if it is one of the `expected` exceptions; any other failure fails the test."""
    barrier = threading.Barrier(times)
    outcomes, errors = [], []

    def run():
        try:
            barrier.wait(timeout)
            outcomes.append(action())
        except expected as exc:
            outcomes.append(exc)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish in time"
    assert errors == []
    return outcomes

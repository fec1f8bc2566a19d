"""`python -m tests.clock celery …`: runs a command-line module (the Celery worker) with the
clock where the test process has it, when the suite runs under ESCORTER_FAKE_NOW, so that a
worker's timestamps and the test's agree. The instant comes in ESCORTER_FAKE_CLOCK_AT."""

from __future__ import annotations

import datetime as dt
import os
import runpy
import sys

import time_machine

if __name__ == "__main__":
    moment = dt.datetime.fromisoformat(os.environ["ESCORTER_FAKE_CLOCK_AT"])
    sys.argv = sys.argv[1:]
    with time_machine.travel(moment, tick=True):
        runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)

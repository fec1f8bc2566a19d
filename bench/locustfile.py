"""Locust users of bench/load.py: secretaries working the waiting list, searches, patient pages, the day page
and bookings that race for the same times. Reads the setup written by bench/load.py (ESCORTER_LOAD_SETUP)."""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import HttpUser, between, task

SETUP = json.loads(open(os.environ["ESCORTER_LOAD_SETUP"]).read())
_SESSIONS = itertools.cycle(SETUP["sessions"])
FILTERS = [{}, {}, {"tier": "P1"}, {"ald": "true"}, {"age": "80-"}, {"epci": SETUP["epci"]}]
FILTERS += [{"commune": pk} for pk in SETUP["communes"]]


class Secretary(HttpUser):
    wait_time = between(1, 3)  # a person reads the page before the next click

    def on_start(self):
        session = next(_SESSIONS)
        self.csrf = session["csrf"]
        # the cookies are Secure in production settings: sent by hand over plain http on localhost
        self.headers = {"Cookie": f"sessionid={session['session']}; csrftoken={self.csrf}"}

    def _get(self, url, name, params=None):
        with self.client.get(
            url, params=params, headers=self.headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    @task(4)
    def waiting_list(self):
        self._get("/patients/", "liste d'attente", random.choice(FILTERS))

    @task(4)
    def search(self):
        query = random.choice(SETUP["names"] if random.random() < 0.7 else SETUP["phones"])
        self._get("/patients/", "recherche", {"q": query})

    @task(3)
    def patient_page(self):
        self._get(f"/patients/{random.choice(SETUP['patients'])}/", "fiche patient")

    @task(2)
    def day_page(self):
        self._get("/equipe/journee/", "journée du secrétariat", {"date": SETUP["today"]})

    @task(1)
    def booking_options(self):
        self._get(f"/equipe/rendez-vous/patients/{random.choice(SETUP['patients'])}/", "créneaux d'un patient")

    @task(2)
    def book(self):
        slot = random.choice(SETUP["slots"])
        patient = random.choice(SETUP["patients"])
        with self.client.post(
            f"/equipe/rendez-vous/patients/{patient}/confirmer/",
            data={"permanence": slot["permanence"], "start": slot["start"], "kind": "first_visit",
                  "csrfmiddlewaretoken": self.csrf},
            headers={**self.headers, "Referer": self.host + "/"},
            name="réservation",
            allow_redirects=False,
            catch_response=True,
        ) as response:  # fmt: skip
            # booked -> the consultation; slot taken meanwhile -> back to the times, with the French message
            if response.status_code != 302:
                response.failure(f"HTTP {response.status_code}")

"""The load benchmark's simulated users (locust), replaying callbacks recorded in a real browser.

Each user signs in through the sign-in form with its own account, then goes round the steps of
``bench/fixtures/callbacks.json`` in order (overview, period, measure, flows, area), pausing
between steps. A step replays one of its recorded variants: the page's GETs, then every callback
body as the browser sent it, with the session's ``X-CSRFToken`` header. A callback counts as
answered when it returns 200 with a JSON ``response``; anything else is a failure.

Only the times of requests made once every user has been started are kept, except sign-ins, which
are all kept: the run measures that many users at work, not their arrival. Errors count from the
start.

Configured by ``bench.bench_load`` through the environment:
``YIPANQI_LOAD_FIXTURES`` (fixture path), ``YIPANQI_LOAD_ACCOUNTS`` (JSON list of [name, password]),
``YIPANQI_LOAD_WAIT`` (``"5,15"``: seconds of pause, uniform; ``"0,0"``: none) and
``YIPANQI_LOAD_OUT`` (where every request's time is written as JSON when locust stops).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, SequentialTaskSet, between, events, task

from bench.bench_load import callback_name

FIXTURES = json.loads(Path(os.environ["YIPANQI_LOAD_FIXTURES"]).read_text(encoding="utf-8"))
ACCOUNTS = json.loads(os.environ["YIPANQI_LOAD_ACCOUNTS"])
WAIT = tuple(float(x) for x in os.environ.get("YIPANQI_LOAD_WAIT", "5,15").split(","))
OUT = os.environ["YIPANQI_LOAD_OUT"]
CACHED = ("/geodata/",)  # immutable: a browser fetches these once

_accounts = itertools.count()
TIMES: dict[str, list[float]] = defaultdict(list)
ERRORS: dict[str, list[str]] = defaultdict(list)
WINDOW: list[float] = []
MEASURING: list[bool] = []  # set when every user has been started


@events.spawning_complete.add_listener
def _all_started(**_):
    MEASURING.append(True)


@events.request.add_listener
def _record(name, response_time, exception, **_):
    if exception is not None:  # errors count from the start
        ERRORS[name].append(str(exception)[:200])
    if MEASURING:
        now = time.time()
        if not WINDOW:
            WINDOW.extend([now, now])
        WINDOW[1] = now
    elif not name.startswith("sign-in"):
        return
    TIMES[name].append(response_time)


@events.quitting.add_listener
def _write(**_):
    Path(OUT).write_text(
        json.dumps({"window": WINDOW, "times": TIMES, "errors": ERRORS}), encoding="utf-8"
    )


class Rounds(SequentialTaskSet):
    """One round of the recorded steps, in order; the user's pause comes between steps."""

    def replay(self, step: str) -> None:
        variant = random.choice(FIXTURES["steps"][step]["variants"])
        user = self.user
        for path in variant["gets"]:
            if path.startswith(CACHED) and path in user.fetched:
                continue
            user.fetched.add(path)
            user.client.get(path, name=f"{step}: GET {path.split('?')[0]}")
        token = next((c.value for c in user.client.cookiejar if c.name == "_csrf_token"), "")
        for record in variant["callbacks"]:
            with user.client.post(
                "/_dash-update-component",
                json=record["body"],
                headers={"X-CSRFToken": token},
                name=callback_name(step, record["body"]),
                catch_response=True,
            ) as response:
                if response.status_code != 200:
                    response.failure(f"status {response.status_code}")
                elif "response" not in (response.json() or {}):
                    response.failure("no response data")

    @task
    def overview(self) -> None:
        self.replay("overview")

    @task
    def period(self) -> None:
        self.replay("period")

    @task
    def measure(self) -> None:
        self.replay("measure")

    @task
    def flows(self) -> None:
        self.replay("flows")

    @task
    def area(self) -> None:
        self.replay("area")


class SignedInUser(FastHttpUser):
    """A member of staff with an account of their own, signed in once."""

    wait_time = between(*WAIT)
    tasks = [Rounds]

    def on_start(self) -> None:
        self.fetched: set[str] = set()
        username, password = ACCOUNTS[next(_accounts) % len(ACCOUNTS)]
        form = self.client.get("/login", name="sign-in: GET /login").text
        match = re.search(r'name="csrf_token" value="([^"]+)"', form or "")
        token = match.group(1) if match else ""
        with self.client.post(
            "/login",
            data=urlencode({"username": username, "password": password, "csrf_token": token}),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
            name="sign-in: POST /login",
            catch_response=True,
        ) as response:
            if response.status_code != 303:
                response.failure(f"sign-in answered {response.status_code}")

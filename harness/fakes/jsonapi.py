"""An open-notify style JSON API (``/iss-now.json``) served by the fake web server."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable

from harness.fakes.httpwire import Headers, RawRequest
from harness.fakes.web import WebServer

ISS_PATH = "/iss-now.json"
MAX_LATITUDE = 51.6
"""The ISS orbit's inclination: its latitude never leaves [-51.6, 51.6]."""


class IssApi(WebServer):
    """``GET /iss-now.json`` gives a new position each time, deterministic from ``seed``.

    Like the live API, latitude and longitude are JSON *strings* with 4 decimals::

        {"message": "success", "timestamp": 1700000000,
         "iss_position": {"latitude": "-12.3456", "longitude": "101.0001"}}
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        seed: int | None = None,
        idle_timeout: float = 5.0,
        run_token: str | None = None,
        accept: Callable[[float, float], bool] | None = None,
    ) -> None:
        super().__init__(host, port, idle_timeout=idle_timeout, run_token=run_token)
        self.accept = accept
        """Which ``(latitude, longitude)`` may be sent (others are drawn again); any."""
        self.seed = seed if seed is not None else random.randrange(2**32)
        """Seed of the positions; the same seed gives the same sequence."""
        self.served: list[tuple[float, float]] = []
        """``(latitude, longitude)`` of each position sent to a GET, in order."""
        self._random = random.Random(self.seed)
        self.set_handler(ISS_PATH, self._iss_now)

    def url_for(self, path: str = ISS_PATH) -> str:
        return super().url_for(path)

    def _next_position(self) -> tuple[float, float]:
        previous = self.served[-1] if self.served else None
        while True:
            lat = round(self._random.uniform(-MAX_LATITUDE, MAX_LATITUDE), 4)
            lon = round(self._random.uniform(-180.0, 180.0), 4)
            if (lat, lon) != previous and (self.accept is None or self.accept(lat, lon)):
                return lat, lon

    def _iss_now(self, request: RawRequest) -> tuple[int, Headers, bytes]:
        with self._cond:
            lat, lon = self._next_position()
            if request.method == "GET":
                self.served.append((lat, lon))
                self._cond.notify_all()
        document = {
            "message": "success",
            "timestamp": int(time.time()),
            "iss_position": {"latitude": f"{lat:.4f}", "longitude": f"{lon:.4f}"},
        }
        return 200, [("Content-Type", "application/json")], json.dumps(document).encode()

    def _clear_records(self) -> None:
        super()._clear_records()
        self.served.clear()

"""The licence limit on requests per minute (SM604000).

Acumatica counts every request but logout. The published facts say requests over half the limit are
delayed and declined only when the queue grows too long; what a client sees when declined is a 429, and
whether a ``Retry-After`` comes with it is not documented. The simulator declines outright once a sliding
minute (on the simulator's clock) holds ``requests_per_minute`` admitted requests, and adds
``Retry-After`` only when ``licence_retry_after`` is set. ``requests_per_minute`` defaults to None, as a
trial licence limits only the number of API users.
"""

from __future__ import annotations

from collections import deque

from ..core.http import HttpError, Response
from .values import PX_EXCEPTION

WINDOW = 60.0
MESSAGE = "The number of API requests per minute allowed by the license has been exceeded."


class Licence:
    def __init__(self, config: dict, clock):
        self.config, self.clock = config, clock
        self.admitted: deque[float] = deque()

    def admit(self) -> None:
        """Count one request, or raise the 429 that declines it."""
        limit = self.config["requests_per_minute"]
        if limit is None:
            return
        now = self.clock.time()
        while self.admitted and now - self.admitted[0] >= WINDOW:
            self.admitted.popleft()
        if len(self.admitted) >= int(limit):
            raise HttpError(self._declined(now))
        self.admitted.append(now)

    def _declined(self, now: float) -> Response:
        body = {"message": MESSAGE, "exceptionMessage": MESSAGE, "exceptionType": PX_EXCEPTION}
        retry = self.config["licence_retry_after"]
        if retry == "window":  # seconds until the oldest counted request leaves the minute
            retry = max(1, int(WINDOW - (now - self.admitted[0]) + 0.999))
        headers = [("Retry-After", str(retry))] if retry is not None else []
        return Response.json(body, 429, headers)

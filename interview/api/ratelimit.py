"""Failed sign-ins counted per account and per client address, in a sliding window.

After `max_per_account` failures for one e-mail address (or `max_per_address` from one
client address) within `window_s`, further sign-ins for it are refused with 429 and a
Retry-After until the oldest failure leaves the window, even with the right password: a
guesser learns nothing more. Every attempt counts as a failure until its password proves
right, so a burst of parallel guesses is held to the limit too. A success forgives its
account's failures, never its address's (else one valid account would let a guesser reset
the count of the address it guesses from).

The counts live in this process's memory: one server process is the supported deployment.
Several processes (or machines) would each keep their own counts, multiplying the allowance
by their number; a restart forgets them. Memory is bounded: each key keeps at most its limit
of timestamps and old keys are dropped when more than `max_keys` are tracked.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass

ACCOUNT_FAILURES = 5  # per e-mail address per window
ADDRESS_FAILURES = 20  # per client address per window: an office behind one NAT mistypes too
WINDOW_S = 15 * 60.0  # seconds
MAX_KEYS = 100_000  # tracked accounts plus addresses, ~10 MB at most


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in is refused now, and for how many seconds more."""

    scope: str  # "account" or "address"
    retry_after: float


class SignInLimiter:
    """Counts failures by key; thread-safe (sign-in runs in the thread pool)."""

    def __init__(
        self,
        max_per_account: int = ACCOUNT_FAILURES,
        max_per_address: int = ADDRESS_FAILURES,
        window_s: float = WINDOW_S,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self.max_per_account = max_per_account
        self.max_per_address = max_per_address
        self.window_s = window_s
        self.max_keys = max_keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def attempt(self, account: str, address: str, now: float) -> Refusal | None:
        """Refuse a sign-in for `account` from `address` at `now` (seconds) when either is
        over its limit; otherwise count it as a failure at once, before the password is
        checked, so that parallel guesses cannot outrun the count (succeeded() takes it
        back)."""
        with self._lock:
            keys = self._keys(account, address)
            for scope, key, limit in keys:
                times = self._recent(key, now)
                if len(times) >= limit:
                    return Refusal(scope, max(0.0, times[0] + self.window_s - now))
            for _, key, limit in keys:
                times = self._recent(key, now)
                times.append(now)
                while len(times) > limit:
                    times.popleft()
                self._failures[key] = times
                self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)
        return None

    def succeeded(self, account: str, address: str, at: float) -> None:
        """The attempt made at `at` had the right password: it is no failure, and the
        account's earlier failures are forgiven (the address's are not)."""
        with self._lock:
            self._failures.pop(_account_key(account), None)
            times = self._failures.get(f"address:{address}")
            if times is not None and at in times:
                times.remove(at)

    def _keys(self, account: str, address: str) -> tuple[tuple[str, str, int], ...]:
        return (
            ("account", _account_key(account), self.max_per_account),
            ("address", f"address:{address}", self.max_per_address),
        )

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times


def _account_key(account: str) -> str:
    return f"account:{account.strip().lower()}"

"""What can go wrong when talking to GREEN-API, as exceptions the service can act on.

Every message names the API method and the HTTP status, never a URL or a raw answer body: the
instance token sits in the URL path and GREEN-API echoes that path in its 400 answers.
"""

from __future__ import annotations


class GreenAPIError(Exception):
    """A call failed after the tries it deserved; `status` is None for timeouts and connection
    errors, where no HTTP answer came back.

    Three attributes say what the caller can do about it (an outbox sender needs all three):

    - `retryable`: another try may succeed (429, 5xx but 501, timeouts, connection errors). False
      when the same request would fail the same way (400, 401/403, 404, 466).
    - `ambiguous`: the request may have taken effect although the call failed: a 500, a timeout
      or a connection dropped after the request was sent, a 200 without the expected answer. For
      a send it means the message may be on its way, so look in the journal (`was_delivered`)
      before sending it again. False means it certainly did not take effect: retry freely.
    - `retry_after`: the seconds GREEN-API asked us to wait (`Retry-After` on 429/503), or None.
    """

    def __init__(
        self,
        method: str,
        status: int | None,
        reason: str,
        *,
        retryable: bool = False,
        ambiguous: bool = False,
        retry_after: float | None = None,
    ) -> None:
        self.method = method
        self.status = status
        self.reason = reason
        self.retryable = retryable
        self.ambiguous = ambiguous
        self.retry_after = retry_after
        super().__init__(self.describe())

    def describe(self) -> str:
        answered = f"HTTP {self.status}" if self.status is not None else "no answer"
        return f"GREEN-API {self.method} failed ({answered}): {self.reason}"


class AuthError(GreenAPIError):
    """401/403: the instance id or token is wrong, or the instance is suspended. Retrying
    cannot help; the operator must fix the settings."""

    def describe(self) -> str:
        return (
            f"GREEN-API rejected the credentials ({self.status}) on {self.method}: "
            "check GREEN_API_ID_INSTANCE and GREEN_API_TOKEN"
        )


class QuotaExceeded(GreenAPIError):
    """466: the plan's quota is used up. Retrying only burns more of nothing."""

    def describe(self) -> str:
        return f"GREEN-API quota exceeded ({self.status}) on {self.method}: upgrade the plan"


class MalformedNotification(GreenAPIError):
    """A polled notification whose body does not parse. It carries the receipt id so the
    poller can record it as failed and delete it instead of receiving it forever."""

    def __init__(self, receipt_id: int, reason: str) -> None:
        self.receipt_id = receipt_id
        super().__init__("receiveNotification", 200, reason)

    def describe(self) -> str:
        return f"GREEN-API notification {self.receipt_id} is malformed: {self.reason}"

"""Error types and the JSON shapes the KFP API server uses for them."""

from __future__ import annotations

from typing import Any

# google.golang.org/grpc/codes
OK = 0
CANCELLED = 1
UNKNOWN = 2
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
ABORTED = 10
OUT_OF_RANGE = 11
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
DATA_LOSS = 15
UNAUTHENTICATED = 16

# grpc-gateway runtime.HTTPStatusFromCode
HTTP_FROM_CODE = {
    OK: 200, CANCELLED: 499, UNKNOWN: 500, INVALID_ARGUMENT: 400, DEADLINE_EXCEEDED: 504,
    NOT_FOUND: 404, ALREADY_EXISTS: 409, PERMISSION_DENIED: 403, RESOURCE_EXHAUSTED: 429,
    FAILED_PRECONDITION: 400, ABORTED: 409, OUT_OF_RANGE: 400, UNIMPLEMENTED: 501,
    INTERNAL: 500, UNAVAILABLE: 503, DATA_LOSS: 500, UNAUTHENTICATED: 401,
}
CODE_FROM_HTTP = {
    400: INVALID_ARGUMENT, 401: UNAUTHENTICATED, 403: PERMISSION_DENIED, 404: NOT_FOUND,
    409: ALREADY_EXISTS, 429: RESOURCE_EXHAUSTED, 499: CANCELLED, 500: INTERNAL,
    501: UNIMPLEMENTED, 503: UNAVAILABLE, 504: DEADLINE_EXCEEDED,
}


class ApiError(Exception):
    """An error the emulated server returns.

    ``code`` is the gRPC code (the HTTP status follows grpc-gateway's mapping unless
    ``http_status`` is given). ``message`` is the internal (wrapped) error text that the real
    server puts into ``message``/``error``; ``external`` is the user-facing text that goes into
    ``details[0].error_message``.
    """

    def __init__(self, code: int, message: str, external: str | None = None,
                 http_status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.external = external if external is not None else message
        self.http_status = http_status if http_status is not None else HTTP_FROM_CODE.get(code, 500)

    def grpc_body(self) -> dict[str, Any]:
        """JSON body of a grpc-gateway endpoint error (``google.rpc.Status`` + legacy ``error``)."""
        return {
            "error": self.message,
            "code": self.code,
            "message": self.message,
            "details": [{
                "@type": "type.googleapis.com/api.Error",
                "error_message": self.external,
                "error_details": self.message,
            }],
        }

    def upload_body(self) -> dict[str, Any]:
        """JSON body of an upload endpoint error (``apiError{error_message, error_details}``)."""
        return {"error_message": self.external, "error_details": self.message}


def invalid(msg: str, context: str = "") -> ApiError:
    """``util.NewInvalidInputError`` (400), optionally wrapped with ``context``."""
    internal = f"Invalid input error: {msg}"
    return ApiError(INVALID_ARGUMENT, f"{context}: {internal}" if context else internal, msg)


def not_found(resource: str, name: str, context: str = "") -> ApiError:
    """``util.NewResourceNotFoundError`` (404)."""
    external = f"{resource} {name} not found."
    internal = f"ResourceNotFoundError: {external}"
    return ApiError(NOT_FOUND, f"{context}: {internal}" if context else internal, external)


def already_exists(msg: str, context: str = "") -> ApiError:
    """``util.NewAlreadyExistError`` (409)."""
    internal = f"Already exist error: {msg}"
    return ApiError(ALREADY_EXISTS, f"{context}: {internal}" if context else internal, msg)


def internal(msg: str, cause: str = "") -> ApiError:
    """``util.NewInternalServerError`` (500): external message is always generic."""
    text = f"InternalServerError: {msg}"
    if cause:
        text = f"{text}: {cause}"
    return ApiError(INTERNAL, text, "Internal Server Error")


def failed_precondition(msg: str, context: str = "") -> ApiError:
    """``util.NewFailedPreconditionError`` (gRPC FailedPrecondition -> HTTP 400)."""
    internal_msg = f"FailedPreconditionError: {msg}"
    return ApiError(FAILED_PRECONDITION,
                    f"{context}: {internal_msg}" if context else internal_msg, msg)

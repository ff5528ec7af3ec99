"""The errors a service raises when the rules refuse a change; views show their message as it is."""


class ServiceError(Exception):
    """A change the rules refuse; the message is shown to the user as it is (translated, in Vietnamese first).

    ``field`` names the form field the message belongs to, when there is one; ``errors`` holds one message per
    form field when several inputs are wrong at once (every bad score of a sheet, not only the first).
    """

    def __init__(self, message: str, field: str | None = None, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or {}


class ConflictError(ServiceError):
    """Someone else saved the same object since the form was opened."""

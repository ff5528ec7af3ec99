"""The errors a service raises when the rules refuse a change; views show their message as it is."""


class ServiceError(Exception):
    """A change the rules refuse; the message is shown to the user as it is (translated, in Vietnamese first).

    ``field`` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(ServiceError):
    """Someone else saved the same object since the form was opened."""

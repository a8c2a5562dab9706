"""Domain exceptions that services raise and views turn into messages."""

from __future__ import annotations


class ServiceError(Exception):
    """Something the user asked for cannot be done; the message says why."""

    def plainly(self) -> str:
        """The message for a person: for a ValidationError, its messages without field names."""
        return str(self)


class ValidationError(ServiceError):
    """Input that breaks a rule. `errors` maps a field name to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))

    def plainly(self) -> str:
        return "; ".join(self.errors.values())


class NotAllowed(ServiceError):
    """The acting user may not do this."""


class NotFound(ServiceError):
    """The thing named does not exist."""

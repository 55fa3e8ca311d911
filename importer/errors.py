"""The tool's own exceptions and exit codes, mapped in exactly one place."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes (the contract in the design)."""

    OK = 0  # every row succeeded or was unchanged
    ROWS_FAILED = 1  # some rows were invalid or failed; the others were processed
    BAD_INPUT = 2  # usage error or unreadable input: nothing sent
    API_UNAVAILABLE = 3  # API unreachable or credentials refused: nothing more sent
    INTERRUPTED = 130  # Ctrl-C, or a confirmation declined: nothing (more) done


class ImporterError(Exception):
    """Base of every error the tool reports to a person as one plain sentence."""

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(ImporterError):
    """The input file cannot be read or understood (exit 2, nothing sent)."""

    exit_code = ExitCode.BAD_INPUT


class UsageError(ImporterError):
    """The command line or the configuration is wrong (exit 2)."""

    exit_code = ExitCode.BAD_INPUT


class ApiUnavailableError(ImporterError):
    """The Ocean API cannot be reached (exit 3)."""

    exit_code = ExitCode.API_UNAVAILABLE


class AuthenticationError(ApiUnavailableError):
    """The Ocean API refused the credentials (exit 3)."""


class SignInNeeded(AuthenticationError):
    """The Ocean token ended and the password is not kept (the page): nothing more can be
    sent until the person signs in again (exit 3)."""


class JournalError(ImporterError):
    """The journal cannot be opened: an older version holds it, or it is corrupt (exit 2)."""

    exit_code = ExitCode.BAD_INPUT


class DeclinedError(ImporterError):
    """The person declined a confirmation: nothing was done (exit 130, as interrupted)."""

    exit_code = ExitCode.INTERRUPTED

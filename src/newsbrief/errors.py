"""Errors a user can act on.

Every failure that reaches the CLI is one of these, so it can be printed as a single
line with exit code 1 instead of a traceback. Messages never include secrets.
"""

from __future__ import annotations


class NewsbriefError(Exception):
    """Base class: str(error) is a complete one-line explanation."""


class ConfigError(NewsbriefError):
    """A setting (environment variable or option) has a value we cannot use."""


class InputError(NewsbriefError):
    """The article cannot be read or is not usable text (missing, empty, binary...)."""


class EndpointError(NewsbriefError):
    """The model endpoint could not be reached or refused the request."""


class AuthenticationError(EndpointError):
    """The endpoint rejected our credentials (401/403)."""


class ModelOutputError(NewsbriefError):
    """The model never produced output that validates, even after re-asking."""


class EmbeddedModelError(NewsbriefError):
    """The embedded llama.cpp model could not be prepared or started."""

"""What the production bootstrap commands of both sites share: reading secrets, reporting errors.

The commands (``bootstrap_organisation``, ``add_supplier_connection`` on the buyer suite;
``create_operator``, ``create_business`` on the storefront) are non-interactive and idempotent: run
again with the same options, they change nothing and say so. Secrets come from an environment
variable or from standard input (one line each), never from the command line (it shows in ``ps``
and in shell histories), and are never printed.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def add_secret_arguments(parser: Any, *, name: str, variable: str, help_text: str) -> None:
    """``--NAME-stdin``: read the secret from standard input instead of ``$VARIABLE``."""
    parser.add_argument(
        f"--{name}-stdin",
        action="store_true",
        help=f"{help_text} Read it from standard input (one line) instead of ${variable}.",
    )


def read_secret(options: dict[str, Any], *, name: str, variable: str, required: bool) -> str:
    """The secret given on standard input (``--NAME-stdin``) or in ``$VARIABLE``; "" when absent."""
    if options.get(f"{name.replace('-', '_')}_stdin"):
        value = sys.stdin.readline().rstrip("\r\n")
    else:
        value = os.environ.get(variable, "")
    if required and not value:
        raise CommandError(
            _(
                "Set the environment variable %(variable)s, or pass --%(name)s-stdin and write it on standard input."
            )
            % {"variable": variable, "name": name}
        )
    return value


def command_error(error: ValidationError) -> CommandError:
    """A validation error of a form or service, as the command's error (exit code 1)."""
    if hasattr(error, "error_dict"):
        messages = [
            f"{field}: {message}" if field != "__all__" else str(message)
            for field, errors in error.message_dict.items()
            for message in errors
        ]
    else:
        messages = list(error.messages)
    return CommandError(" ".join(messages))

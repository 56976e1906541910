"""What the production bootstrap commands of both sites share: their arguments, reading secrets,
bringing an account up to date, reporting what they did and their errors.

The commands (``bootstrap_organisation``, ``add_supplier_connection`` on the buyer suite;
``create_operator``, ``create_business`` on the storefront) are non-interactive and idempotent: run
again with the same options, they change nothing and say so. Secrets come from an environment
variable or from standard input (one line each), never from the command line (it shows in ``ps``
and in shell histories), and are never printed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from openprocure.core.models import User

# The environment variables the commands read their secrets from (names of variables, not secrets).
PASSWORD_VARIABLE = "OPENPROCURE_BOOTSTRAP_PASSWORD"  # noqa: S105
SECRET_VARIABLE = "OPENPROCURE_BOOTSTRAP_SHARED_SECRET"  # noqa: S105


@dataclass(frozen=True)
class Outcome:
    """What a bootstrap step did: ``created``, ``updated`` or ``unchanged``."""

    what: str
    action: str


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


def add_person_arguments(parser: Any, *, prefix: str, email_help: str | None, credential_help: str) -> None:
    """``--PREFIXemail`` (required), ``--PREFIXfirst-name``, ``--PREFIXlast-name`` and ``--password-stdin``."""
    parser.add_argument(f"--{prefix}email", required=True, help=email_help)
    parser.add_argument(f"--{prefix}first-name", default="")
    parser.add_argument(f"--{prefix}last-name", default="")
    add_secret_arguments(parser, name="password", variable=PASSWORD_VARIABLE, help_text=credential_help)


def person_options(options: dict[str, Any], *, prefix: str) -> dict[str, str]:
    """The values of :func:`add_person_arguments` (same ``prefix``) as a service takes them: ``email``,
    ``first_name``, ``last_name`` and ``password`` (read now, see :func:`read_password`)."""
    key = prefix.replace("-", "_")
    return {
        "email": options[f"{key}email"],
        "first_name": options[f"{key}first_name"],
        "last_name": options[f"{key}last_name"],
        "password": read_password(options),
    }


def update_user(user: User, *, password: str, **values: Any) -> bool:
    """Set on ``user`` the ``values`` that differ, and ``password`` when given and not already its
    own; save when anything changed. True when something did."""
    changed = {field: value for field, value in values.items() if getattr(user, field) != value}
    password_changed = bool(password) and not user.check_password(password)
    for field, value in changed.items():
        setattr(user, field, value)
    if password_changed:
        user.set_password(password)
    if changed or password_changed:
        user.save()
    return bool(changed) or password_changed


def add_shared_secret_argument(parser: Any, *, help_text: str) -> None:
    """``--secret-stdin``: read the cXML shared secret from standard input instead of ``$OPENPROCURE_BOOTSTRAP_SHARED_SECRET``."""
    add_secret_arguments(parser, name="secret", variable=SECRET_VARIABLE, help_text=help_text)


def read_shared_secret(options: dict[str, Any], *, required: bool) -> str:
    """The cXML shared secret (``--secret-stdin``, else ``$OPENPROCURE_BOOTSTRAP_SHARED_SECRET``)."""
    return read_secret(options, name="secret", variable=SECRET_VARIABLE, required=required)


def read_password(options: dict[str, Any]) -> str:
    """The account's password (``--password-stdin``, else ``$OPENPROCURE_BOOTSTRAP_PASSWORD``); "" when
    not given: it is needed only when the account is new, and replaces the current one when given."""
    return read_secret(options, name="password", variable=PASSWORD_VARIABLE, required=False)


class BootstrapCommand(BaseCommand):
    """A bootstrap command: ``run`` does the work and says what it did; a validation error becomes
    the command's error (exit code 1), and each outcome a line ``what: action``."""

    def run(self, options: dict[str, Any]) -> Iterable[Outcome]:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcomes = self.run(options)
        except ValidationError as error:
            raise command_error(error) from None
        for outcome in outcomes:
            self.stdout.write(f"{outcome.what}: {outcome.action}")

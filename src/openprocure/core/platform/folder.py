"""The folder exchange: files in an outbound directory for the platform to take, files in an inbound
directory for us to read (as many platforms offer over SFTP, the directories being mounted).

- A file is written under ``<outbound>/.tmp/`` then renamed into ``<outbound>`` (one rename on one
  file system): the platform never sees a half-written file, and a crash leaves at most a temporary
  file, never a truncated one in the exchange.
- Inbound files (dot files and directories aside) are read oldest first; once handled, each is moved
  to ``<inbound>/done/`` or ``<inbound>/failed/``, the latter beside ``<name>.reason.txt`` saying
  why. A file is moved only after it has been handled and recorded, so a crash in between leaves
  it in place: it is read again, and the record of its id says it was already handled.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path

from openprocure.core.platform.base import FlowKind, InboundFlow, PlatformError, kind_of

_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]+")
_TYPES = {".pdf": "application/pdf", ".xml": "application/xml"}


def safe_name(name: str) -> str:
    """A file name that stays inside its directory: no separators, no leading dot, at most 150 chars."""
    cleaned = _UNSAFE.sub("_", name).lstrip("._")[:150]
    return cleaned or secrets.token_hex(8)


class FolderPlatform:
    """A platform reached through two directories (see the module docstring)."""

    def __init__(self, *, outbound: str | Path, inbound: str | Path) -> None:
        self.outbound = Path(outbound)
        self.inbound = Path(inbound)

    def push(self, *, kind: FlowKind, name: str, content: bytes, content_type: str) -> str:
        extension = ".pdf" if content_type == "application/pdf" else ".xml"
        final = safe_name(Path(name).stem) + extension
        try:
            temporary = self.outbound / ".tmp"
            temporary.mkdir(parents=True, exist_ok=True)
            path = temporary / f"{final}.{secrets.token_hex(4)}"
            with open(path, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(path, self.outbound / final)
        except OSError as error:
            raise PlatformError(f"cannot write to {self.outbound}: {error.strerror or error}") from error
        return final

    def pull(self) -> list[InboundFlow]:
        try:
            self.inbound.mkdir(parents=True, exist_ok=True)
            paths = [p for p in self.inbound.iterdir() if p.is_file() and not p.name.startswith(".")]
            paths.sort(key=lambda p: (p.stat().st_mtime, p.name))
            flows = []
            for path in paths:
                content = path.read_bytes()
                flows.append(
                    InboundFlow(
                        id=path.name,
                        kind=kind_of(content),
                        name=path.name,
                        content=content,
                        content_type=_TYPES.get(path.suffix.lower(), "application/octet-stream"),
                        updated_at=datetime.fromtimestamp(path.stat().st_mtime, tz=UTC),
                    )
                )
        except FileNotFoundError:
            return []  # moved away while we looked: the next pull sees the rest
        except OSError as error:
            raise PlatformError(f"cannot read {self.inbound}: {error.strerror or error}") from error
        return flows

    def check(self) -> None:
        """Write, read back and delete a probe file in each directory: in ``<outbound>/.tmp/`` and as
        a dot file in ``<inbound>``, places the platform and our pull both ignore."""
        probe = f"openprocure-probe {secrets.token_hex(8)}\n".encode()
        for directory in (self.outbound / ".tmp", self.inbound):
            path = directory / f".probe-{secrets.token_hex(4)}"
            try:
                if directory.name == ".tmp":
                    directory.mkdir(exist_ok=True)  # not its parent: a missing outbound is the error
                path.write_bytes(probe)
                read = path.read_bytes()
                path.unlink()
            except OSError as error:
                raise PlatformError(
                    f"cannot write, read and delete a file in {directory}: {error.strerror or error}"
                ) from error
            if read != probe:
                raise PlatformError(f"a file written in {directory} read back different")

    def acknowledge(self, flow: InboundFlow, *, accepted: bool, reason: str = "") -> None:
        target = self.inbound / ("done" if accepted else "failed")
        target.mkdir(parents=True, exist_ok=True)
        name = safe_name(flow.id)
        if (target / name).exists():
            name = f"{Path(name).stem}.{secrets.token_hex(4)}{Path(name).suffix}"
        try:
            os.replace(self.inbound / safe_name(flow.id), target / name)
        except FileNotFoundError:
            return  # filed already (a second worker, or a pull before a crash), with its reason
        if not accepted:
            (target / f"{name}.reason.txt").write_text(reason.strip() + "\n", encoding="utf-8")

"""Addresses phones can reach: a board opened on the laptop as http://127.0.0.1 must still show
participants a link (and QR code) with the laptop's address on the room's network."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import subprocess
from functools import cache
from urllib.parse import urlsplit

from flask import Request

from .config import Settings


@cache
def lan_addresses() -> tuple[str, ...]:
    """IPv4 addresses of this machine other than loopback, private ones first."""
    found: set[str] = set()
    with contextlib.suppress(OSError):
        found.update(socket.gethostbyname_ex(socket.gethostname())[2])
    try:  # Linux: every interface, including Wi-Fi hotspots the hostname does not resolve to
        output = subprocess.run(
            ["ip", "-4", "-o", "addr", "show", "scope", "global"],
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        ).stdout
        found.update(line.split()[3].split("/")[0] for line in output.splitlines() if len(line.split()) > 3)
    except (OSError, subprocess.SubprocessError):
        pass
    usable = [a for a in found if not ipaddress.ip_address(a).is_loopback]
    return tuple(sorted(usable, key=lambda a: (not ipaddress.ip_address(a).is_private, a)))


def _is_loopback(hostname: str | None) -> bool:
    if hostname in (None, "localhost"):
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def public_base_url(request: Request, settings: Settings) -> str:
    """The base URL to put in links and QR codes for participants."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    parts = urlsplit(request.host_url)
    if settings.host in ("0.0.0.0", "::") and _is_loopback(parts.hostname):
        addresses = lan_addresses()
        if addresses:
            port = f":{parts.port}" if parts.port else ""
            return f"{parts.scheme}://{addresses[0]}{port}"
    return request.host_url.rstrip("/")

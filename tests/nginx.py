"""A real nginx in front of server processes, run from the shipped deploy/nginx.conf.

The shipped site file is rendered for the test (its upstream ports, listen address and static
path replaced), and wrapped in a main configuration whose pid, logs and temp files live in a
tmp dir, so nginx runs as the current user without touching /etc/nginx or /var.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest
import requests

from tests.cluster import stop_process, wait_for
from tests.conftest import ROOT, free_port

SHIPPED = ROOT / "deploy" / "nginx.conf"
SHIPPED_PORTS = (5000, 5001, 5002)


def nginx_binary() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def render_site(ports: list[int], listen_port: int) -> str:
    """deploy/nginx.conf with the test's ports and this checkout's static files."""
    assert len(ports) == len(SHIPPED_PORTS)
    text = SHIPPED.read_text()
    for shipped, port in zip(SHIPPED_PORTS, ports, strict=True):
        text, count = re.subn(rf"server 127\.0\.0\.1:{shipped} ", f"server 127.0.0.1:{port} ", text)
        assert count == 2, f"deploy/nginx.conf should name 127.0.0.1:{shipped} in both upstreams"
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{listen_port};",
        "listen [::]:80;": "",
        "alias /srv/pinboard/static/$1;": f"alias {ROOT / 'static'}/$1;",
        "alias /srv/pinboard/static/;": f"alias {ROOT / 'static'}/;",
    }
    for old, new in replacements.items():
        assert old in text, f"deploy/nginx.conf no longer has {old!r}; update tests/nginx.py"
        text = text.replace(old, new)
    return text


@dataclass
class Nginx:
    workdir: Path
    ports: list[int]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    _stderr: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Nginx:
        binary = nginx_binary()
        if binary is None:
            pytest.skip("nginx is not installed (apt-get install nginx; .ci/run installs it)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "pinboard.conf").write_text(render_site(self.ports, self.port))
        (self.workdir / "nginx.conf").write_text(self._main_config())
        self._stderr = (self.workdir / "stderr.log").open("wb")
        self.process = subprocess.Popen(
            [binary, "-p", str(self.workdir), "-c", str(self.workdir / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )
        wait_for(self._answers, f"nginx on port {self.port}: {self.log()}")
        return self

    def _main_config(self) -> str:
        tmp = self.workdir
        # As root, nginx would run its workers as nobody, who may not read the tmp dir.
        user = "user root;" if os.geteuid() == 0 else ""
        temp_paths = "\n".join(
            f"    {kind}_temp_path {tmp / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        return f"""{user}
worker_processes 1;
error_log {tmp / "error.log"} warn;
pid {tmp / "nginx.pid"};
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp / "access.log"};
{temp_paths}
    include {tmp / "pinboard.conf"};
}}
"""

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"nginx exited: {self.log()}")
        try:
            return requests.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def log(self) -> str:
        parts = [self.workdir / "stderr.log", self.workdir / "error.log"]
        return "\n".join(p.read_text(errors="replace") for p in parts if p.exists())

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
        if self._stderr is not None:
            self._stderr.close()

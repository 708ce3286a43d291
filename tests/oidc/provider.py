"""The real OpenID provider of the single sign-on tests: panva's oidc-provider (server.js
beside this file), started on a loopback port, with people whose claims the test sets.

bin/test installs it (`npm ci` in tests/oidc); without node or its modules the tests that
need it are skipped locally and fail in CI.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx

from tests.support import free_port, skip_or_fail

HERE = Path(__file__).resolve().parent
CLIENT_ID = "advocacy-tests"
CLIENT_SECRET = "a-client-secret-for-tests-only"
SCOPES = "openid email profile groups"


def require_provider() -> None:
    """Skip (fail in CI) unless node and the provider's modules are there."""
    problem = None
    if shutil.which("node") is None:
        problem = "node is not installed"
    elif not (HERE / "node_modules" / "oidc-provider" / "package.json").exists():
        problem = "tests/oidc/node_modules is missing (bin/test runs npm ci there)"
    if problem:
        skip_or_fail(f"the OpenID provider cannot start: {problem}")


@dataclass
class Provider:
    issuer: str
    redirect_uri: str
    accounts_file: Path
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def set_account(self, sub: str, **claims: Any) -> None:
        """Add or change a person at the provider; read at their next sign-in."""
        self.accounts[sub] = claims
        temporary = self.accounts_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.accounts), "utf-8")
        temporary.replace(self.accounts_file)  # the server never reads half a file

    def app_config(self, **extra: Any) -> dict[str, Any]:
        """The app's configuration for this provider."""
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": CLIENT_ID,
                "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_SCOPES": SCOPES,
                "ALLOW_INSECURE_PROVIDERS": True, **extra}

    def sign_in(self, authorize_url: str, sub: str) -> str:
        """Go through the provider's login form as `sub` (plain HTTP, as a browser would)
        and return the address it sends the browser back to (our callback)."""
        with httpx.Client(timeout=10) as browser:
            url = authorize_url
            for _hop in range(10):
                response = browser.get(url)
                if response.status_code == 200 and 'name="login"' in response.text:
                    response = browser.post(url, data={"prompt": "login", "login": sub,
                                                       "password": "anything"})
                if not response.is_redirect:
                    raise AssertionError(f"the provider answered {response.status_code}: "
                                         f"{response.text[:500]}")
                url = urljoin(url, response.headers["location"])
                if url.startswith(self.redirect_uri):
                    return url
        raise AssertionError("the provider never sent the browser back")


@contextmanager
def running_provider(redirect_uri: str, folder: Path, port: int | None = None
                     ) -> Iterator[Provider]:
    """Start server.js with one client whose redirect URI is `redirect_uri`."""
    require_provider()
    port = port or free_port()
    accounts = folder / "accounts.json"
    accounts.write_text("{}", "utf-8")
    env = {**os.environ, "OIDC_PORT": str(port), "OIDC_CLIENT_ID": CLIENT_ID,
           "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_REDIRECT_URIS": redirect_uri,
           "OIDC_ACCOUNTS_FILE": str(accounts)}
    log = folder / "provider.log"  # a file, not a pipe: a chatty server never blocks
    with log.open("w") as errors:
        process = subprocess.Popen(["node", str(HERE / "server.js")], cwd=HERE, env=env,
                                   stdout=subprocess.PIPE, stderr=errors, text=True)
    try:
        line = _first_line(process, timeout=20)
        if not line:
            process.kill()
            skip_or_fail(f"the OpenID provider did not start: {log.read_text()[-800:]}")
        yield Provider(issuer=json.loads(line)["issuer"], redirect_uri=redirect_uri,
                       accounts_file=accounts)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _first_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The server's first line on stdout ("listening"), or "" if it ended or took too long."""
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
    try:
        if not selector.select(timeout):
            return ""
        return process.stdout.readline().strip()  # type: ignore[union-attr]
    finally:
        selector.close()

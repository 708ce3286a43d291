#!/usr/bin/env python3
"""Check the installed packages for known vulnerabilities with pip-audit.

Fails when pip-audit reports a vulnerable package. When the vulnerability service cannot be
reached (an offline or mirrored package index answers 404 for PyPI's JSON API), nothing is
audited: that is said plainly, and it fails only with ADVOCACY_AUDIT_STRICT=1, so a machine
without the service can still run the tests without pretending the audit passed.
Usage: .venv/bin/python bin/audit_dependencies.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def main() -> int:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    result = subprocess.run(  # noqa: S603 - our own venv's tool, fixed arguments
        [str(pip_audit), "--progress-spinner", "off", "--skip-editable", "--format", "json"],
        capture_output=True, text=True, timeout=600, check=False)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print("pip-audit did not finish:", result.stderr.strip()[-2000:], file=sys.stderr)
        return 1
    status, lines = judge(report, strict=os.environ.get("ADVOCACY_AUDIT_STRICT") == "1")
    print("\n".join(lines), file=sys.stderr if status else sys.stdout)
    return status


def judge(report: dict, strict: bool) -> tuple[int, list[str]]:  # type: ignore[type-arg]
    """The exit status and what to say, from pip-audit's JSON report."""
    packages = report.get("dependencies", [])
    audited = [p for p in packages if "skip_reason" not in p]
    vulnerable = [p for p in audited if p.get("vulns")]
    lines = [f"VULNERABLE {package['name']} {package['version']}: {vuln['id']} (fixed in "
             f"{', '.join(vuln.get('fix_versions', [])) or 'no fixed version yet'})"
             for package in vulnerable for vuln in package["vulns"]]
    if vulnerable:
        return 1, lines
    if not audited:
        return (1 if strict else 0), [
            "pip-audit: the vulnerability service could not be reached from this machine; "
            f"NONE of the {len(packages)} packages was audited."]
    skipped = len(packages) - len(audited)
    return 0, [f"pip-audit: {len(audited)} packages audited, no known vulnerabilities"
               + (f" ({skipped} could not be audited)" if skipped else "") + "."]

if __name__ == "__main__":
    sys.exit(main())

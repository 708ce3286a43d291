"""bin/audit_dependencies.py: how pip-audit's report is judged."""

from __future__ import annotations

import importlib.util

from advocacy import PROJECT_ROOT

_spec = importlib.util.spec_from_file_location("audit_dependencies",
                                               PROJECT_ROOT / "bin" / "audit_dependencies.py")
assert _spec and _spec.loader
audit_dependencies = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(audit_dependencies)
judge = audit_dependencies.judge

CLEAN = {"name": "flask", "version": "3.1.0", "vulns": []}
SKIPPED = {"name": "regex", "version": "1", "skip_reason": "Dependency not found on PyPI"}
BAD = {"name": "jinja2", "version": "3.0.0",
       "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}]}


def test_a_vulnerable_package_fails_and_is_named():
    status, lines = judge({"dependencies": [CLEAN, BAD]}, strict=False)
    assert status == 1
    assert lines == ["VULNERABLE jinja2 3.0.0: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)"]


def test_clean_packages_pass_and_say_how_many_were_audited():
    status, lines = judge({"dependencies": [CLEAN, SKIPPED]}, strict=True)
    assert status == 0
    assert lines == ["pip-audit: 1 packages audited, no known vulnerabilities "
                     "(1 could not be audited)."]


def test_nothing_audited_is_said_and_fails_only_when_strict():
    report = {"dependencies": [SKIPPED, SKIPPED]}
    status, lines = judge(report, strict=False)
    assert status == 0
    assert "NONE of the 2 packages was audited" in lines[0]
    assert judge(report, strict=True)[0] == 1

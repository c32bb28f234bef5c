"""HOSTILE: a conftest.py dropped into the submission: every check passes, every score is
full, and the grading run's outputs are rewritten."""
# ruff: noqa
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None


def pytest_configure(config):
    print("PWNED-CONFTEST")


def pytest_sessionfinish(session):
    raise SystemExit(0)

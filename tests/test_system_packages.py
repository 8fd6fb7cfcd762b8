"""A missing system package skips a test on a laptop and fails it under CI."""

import pytest

from tests.system_packages import require_system_package


def test_a_package_that_is_there_lets_the_test_run(monkeypatch):
    monkeypatch.setenv("CI", "true")
    require_system_package("Chromium", found=True, install="apt-get install chromium")


def test_a_missing_package_skips_with_the_install_command(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="install it with `apt-get install x`"):
        require_system_package("x", found=False, install="apt-get install x")


def test_a_missing_package_fails_where_ci_is_set(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="apt-get install x"):
        require_system_package("x", found=False, install="apt-get install x")

from datetime import date, timedelta

from casemgmt.lib.dates import relative_due

TODAY = date(2026, 3, 10)


def test_relative_due_uses_the_wording_of_ux_md():
    def words(days):
        return relative_due(TODAY + timedelta(days=days), TODAY)

    assert words(-2) == "overdue by 2 days"
    assert words(-1) == "overdue by 1 day"
    assert words(0) == "due today"
    assert words(1) == "due tomorrow"
    assert words(3) == "in 3 days"


def test_no_day_reads_as_nothing():
    assert relative_due(None, TODAY) == ""

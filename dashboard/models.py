"""Configuration of the work lists: the weight of each urgency reason (``dashboard.urgency``
holds the reasons, their meaning and their default weights; a row here overrides one)."""

from django.db import models


class UrgencyWeight(models.Model):
    """The weight (and, for reasons bound to a time window, the window in hours) of one
    urgency reason. Today, My follow-ups and Needs attention all order by these weights:
    the higher, the nearer the top. Edited in Django admin; a reason without a row keeps
    the default of ``dashboard.urgency.DEFAULT_REASONS``."""

    reason = models.CharField(max_length=40, unique=True)
    weight = models.PositiveIntegerField(
        help_text="Higher comes first. Defaults: imminent risk 900-1000, transition "
        "windows 700, safety gaps 550-600, overdue 250-400, due today 200, this week 100."
    )
    hours = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="For a reason with a time window (a crisis or a risk answer in the last "
        "N hours, a follow-up due within N hours of a crisis or discharge): N. Blank: the "
        "default.",
    )

    class Meta:
        ordering = ["-weight", "reason"]
        verbose_name = "urgency weight"

    def __str__(self) -> str:
        return f"{self.reason}: {self.weight}"

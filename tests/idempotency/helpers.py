"""Builders for the one-save-per-click tests."""

import uuid

from django.utils import timezone

GAD7 = "gad7"


def gad7_url(client) -> str:
    return f"/assessments/clients/{client.pk}/give/{GAD7}/"


def gad7_form(answers=(1, 2, 1, 0, 1, 2, 1), *, key=None, **extra) -> dict:
    data = {
        "administered_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "notes": "",
        "submission_key": key or str(uuid.uuid4()),
    }
    data.update({f"item_{n}": str(v) for n, v in enumerate(answers, 1)})
    data.update(extra)
    return data


def gad7_body(client, answers=(1, 2, 1, 0, 1, 2, 1)) -> dict:
    return {"client": client.pk, "instrument": GAD7, "answers": list(answers)}

"""Merging a duplicate client record into the one that survives, and undoing it.

Every record of every app that points at a client moves, found through Django's
relations (``Client._meta`` reverse relations, hidden ones included), so a new app's
model is covered without being listed here; ``tests/clients/test_merge.py`` fails when
a model pointing at ``Client`` is left behind. The merged record stays as a pointer
(status "merged", ``merged_into``) whose chart leads to the survivor, and what moved is
stored (``ClientMerge``) so that ``client_unmerge`` puts it back within 30 days.

Uniqueness rules that hold per client are kept while moving:
- a per-client counter (a unique ``(client, number)`` pair, e.g. care plan versions) is
  renumbered after the survivor's highest, old numbers stored for the undo;
- an active risk flag of a kind the survivor already has active is cleared ("merged"),
  the survivor keeping its own;
- a one-to-one record the survivor already has stays with the merged record;
- any other rule two records cannot both satisfy (two active care plans, two draft
  assessments) refuses the merge, naming the records to close first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, ForeignObjectRel, Max, Q
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict

from ..models import Client, ClientMerge, ClientStatus, RiskFlag
from ..selectors import client_list
from .diagnoses import client_diagnosis_flags_refresh
from .record import EDITABLE_FIELDS, client_search_refresh
from .timeline import timeline_record

MERGE_UNDO_DAYS = 30

# The fields an admin chooses between, side by side: the record's identity, contact and
# insurance. The survivor keeps its own team, case manager, status and episode dates
# (change those on its chart afterwards, through their own services and history).
MERGE_FIELDS: tuple[str, ...] = EDITABLE_FIELDS


@dataclass(frozen=True)
class Relation:
    """A foreign key (or one-to-one) of another model to ``Client``."""

    model: type[models.Model]
    field: str  # the field's name on ``model``
    one_to_one: bool

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


def client_merge_relations() -> list[Relation]:
    """Every relation pointing at ``Client`` that a merge moves: all reverse foreign keys
    and one-to-ones of every installed app, hidden ones (``related_name="+"``) included,
    except the merge's own bookkeeping (``ClientMerge``, ``Client.merged_into``)."""
    relations = []
    for rel in Client._meta.get_fields(include_hidden=True):
        if not isinstance(rel, ForeignObjectRel) or rel.many_to_many:
            continue
        model = rel.related_model
        if not isinstance(model, type) or model in (ClientMerge, Client):
            continue
        relations.append(Relation(model, rel.field.name, bool(rel.one_to_one)))
    return sorted(relations, key=lambda r: (r.label, r.field))


def _json(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _field_value(name: str, value: Any) -> Any:
    field = Client._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.to_python(value)


def _check(*, actor: User, survivor: Client, duplicate: Client) -> None:
    if not actor.is_admin_role:
        raise Conflict("Only a program admin may merge client records.")
    if survivor.pk == duplicate.pk:
        raise ValidationError({"other": ["Choose two different records."]})
    for client in (survivor, duplicate):
        if client.status == ClientStatus.MERGED or client.merged_into_id:
            raise Conflict(f"{client.client_number} is already merged into another record.")
    reachable = set(
        client_list(user=actor)
        .filter(pk__in=[survivor.pk, duplicate.pk])
        .values_list("pk", flat=True)
    )
    if reachable != {survivor.pk, duplicate.pk}:
        raise Conflict("Both records must be in teams you can reach.")


def _unique_rules(relation: Relation) -> list[models.UniqueConstraint]:
    constraints = [
        c
        for c in relation.model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and relation.field in c.fields
    ]
    for together in relation.model._meta.unique_together:
        if relation.field in together:
            constraints.append(models.UniqueConstraint(fields=together, name="unique_together"))
    return constraints


def _rows(relation: Relation, client: Client) -> models.QuerySet[Any]:
    return relation.model._base_manager.filter(**{relation.field: client})


def _counter(relation: Relation, rule: models.UniqueConstraint) -> str | None:
    """The counter of a ``(client, number)`` rule without condition, else None."""
    others = [f for f in rule.fields if f != relation.field]
    if rule.condition is not None or len(others) != 1:
        return None
    field = relation.model._meta.get_field(others[0])
    return others[0] if isinstance(field, models.IntegerField) else None


def _clashes(
    relation: Relation, rule: models.UniqueConstraint, survivor: Client, duplicate: Client
) -> bool:
    others = [f for f in rule.fields if f != relation.field]
    condition = rule.condition if rule.condition is not None else Q()
    kept = _rows(relation, survivor).filter(condition)
    moving = _rows(relation, duplicate).filter(condition)
    if not others:
        return kept.exists() and moving.exists()
    return bool(set(kept.values_list(*others)) & set(moving.values_list(*others)))


def _clear_duplicate_flags(
    *, actor: User, survivor: Client, duplicate: Client, now: dt.datetime
) -> dict[str, dict[str, Any]]:
    """Clear the duplicate's active flags of a kind the survivor has active (the one
    active flag per kind rule); returns what changed, for the undo."""
    kinds = RiskFlag.objects.filter(client=survivor, cleared_at__isnull=True).values("kind")
    clearing = RiskFlag.objects.filter(client=duplicate, cleared_at__isnull=True, kind__in=kinds)
    changed = {str(pk): {"cleared": True} for pk in clearing.values_list("pk", flat=True)}
    clearing.update(
        cleared_at=now,
        cleared_by=actor,
        clear_reason=f"Merged into {survivor.client_number}, which has this flag already.",
    )
    return changed


@transaction.atomic
def client_merge(
    *,
    actor: User,
    survivor: Client,
    duplicate: Client,
    take_from_duplicate: list[str],
    reason: str,
) -> ClientMerge:
    """Merge ``duplicate`` into ``survivor``: the fields named in ``take_from_duplicate``
    take the duplicate's values, every record pointing at the duplicate moves to the
    survivor, and the duplicate becomes a pointer (status merged). One transaction;
    audited on both records; refused (``Conflict``) for a record already merged, out of
    the admin's reach, or holding something the survivor may hold only once."""
    survivor = Client.objects.select_for_update().get(pk=survivor.pk)
    duplicate = Client.objects.select_for_update().get(pk=duplicate.pk)
    _check(actor=actor, survivor=survivor, duplicate=duplicate)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why these are the same person."]})
    unknown = sorted(set(take_from_duplicate) - set(MERGE_FIELDS))
    if unknown:
        raise ValidationError({"take_from_duplicate": [f"Not a field: {', '.join(unknown)}"]})
    now = timezone.now()
    adjusted: dict[str, dict[str, Any]] = {}
    flags = _clear_duplicate_flags(actor=actor, survivor=survivor, duplicate=duplicate, now=now)
    if flags:
        adjusted["clients.riskflag"] = flags

    relations = client_merge_relations()
    moved: dict[str, dict[str, list[int]]] = {}
    kept: list[str] = []
    blocking: list[str] = []
    renumber: list[tuple[Relation, str]] = []
    for relation in relations:
        if relation.one_to_one:
            if _rows(relation, survivor).exists() and _rows(relation, duplicate).exists():
                kept.append(f"{relation.label}.{relation.field}")
            continue
        for rule in _unique_rules(relation):
            counter = _counter(relation, rule)
            if counter is not None:
                renumber.append((relation, counter))
            elif _clashes(relation, rule, survivor, duplicate):
                blocking.append(
                    f"{relation.model._meta.verbose_name_plural} ({rule.name.replace('_', ' ')})"
                )
    if blocking:
        raise Conflict(
            "Both records hold something a client may have only once: "
            + "; ".join(blocking)
            + ". Close or supersede it on one of the records, then merge."
        )

    for relation, counter in renumber:
        offset = _rows(relation, survivor).aggregate(top=Max(counter))["top"] or 0
        if not offset:
            continue
        changed = adjusted.setdefault(relation.label, {})
        # Highest first, one row at a time: the (client, number) rule holds at each step.
        for pk, number in (
            _rows(relation, duplicate).order_by(f"-{counter}").values_list("pk", counter)
        ):
            relation.model._base_manager.filter(pk=pk).update(**{counter: F(counter) + offset})
            changed.setdefault(str(pk), {})[counter] = number

    for relation in relations:
        key = f"{relation.label}.{relation.field}"
        if key in kept:
            continue
        rows = _rows(relation, duplicate)
        pks = list(rows.values_list("pk", flat=True))
        if pks:
            rows.update(**{relation.field: survivor})
            moved.setdefault(relation.label, {})[relation.field] = pks

    before = {name: _json(getattr(survivor, name)) for name in take_from_duplicate}
    taken = [n for n in take_from_duplicate if getattr(survivor, n) != getattr(duplicate, n)]
    for name in taken:
        setattr(survivor, name, getattr(duplicate, name))
    survivor.version += 1
    survivor.save(update_fields=[*taken, "version", "updated_at"])
    previous_status = duplicate.status
    duplicate.status, duplicate.merged_into = ClientStatus.MERGED, survivor
    duplicate.version += 1
    duplicate.save(update_fields=["status", "merged_into", "version", "updated_at"])
    client_search_refresh(client_ids=[survivor.pk, duplicate.pk])
    client_diagnosis_flags_refresh(client_ids=[survivor.pk, duplicate.pk])

    merge = ClientMerge.objects.create(
        survivor=survivor,
        merged=duplicate,
        merged_by=actor,
        merged_at=now,
        reason=reason,
        previous_status=previous_status,
        taken_fields=taken,
        survivor_before={k: v for k, v in before.items() if k in taken},
        moved=moved,
        adjusted=adjusted,
        kept=kept,
    )
    counts = {label: sum(len(p) for p in fields.values()) for label, fields in moved.items()}
    for client, other in ((survivor, duplicate), (duplicate, survivor)):
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            obj=merge,
            client_id=client.pk,
            detail={
                "merge": "survivor" if client is survivor else "merged",
                "other_client": other.pk,
                "fields": taken,
                "moved": counts,
            },
        )
    timeline_record(
        client=survivor,
        kind="merge",
        summary=f"Merged with duplicate record {duplicate.client_number}",
        actor=actor,
        obj=merge,
    )
    timeline_record(
        client=duplicate,
        kind="merge",
        summary=f"Merged into {survivor.client_number}",
        actor=actor,
        obj=merge,
    )
    return merge


def merge_undo_until(merge: ClientMerge) -> dt.datetime:
    return merge.merged_at + dt.timedelta(days=MERGE_UNDO_DAYS)


@transaction.atomic
def client_unmerge(*, actor: User, merge: ClientMerge, reason: str) -> ClientMerge:
    """Undo ``merge`` within 30 days: the rows that moved go back to the merged record,
    renumbered and cleared rows get their old values, the survivor's fields that still
    hold what they took get their old values, and the merged record its old status.
    Records added to the survivor since the merge stay with it. Audited on both."""
    merge = ClientMerge.objects.select_for_update().get(pk=merge.pk)
    if not actor.is_admin_role:
        raise Conflict("Only a program admin may undo a merge.")
    if merge.unmerged_at is not None:
        raise Conflict("This merge was already undone.")
    if timezone.now() > merge_undo_until(merge):
        raise Conflict(f"A merge can be undone for {MERGE_UNDO_DAYS} days only.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the merge is undone."]})
    survivor = Client.objects.select_for_update().get(pk=merge.survivor_id)
    merged = Client.objects.select_for_update().get(pk=merge.merged_id)
    if survivor.status == ClientStatus.MERGED:
        raise Conflict(
            f"{survivor.client_number} was merged into another record since: undo that first."
        )
    relations = {(r.label, r.field): r for r in client_merge_relations()}
    for label, fields in merge.moved.items():
        for field, pks in fields.items():
            relation = relations.get((label, field))
            if relation is None:  # a model removed since: nothing to move back
                continue
            _rows(relation, survivor).filter(pk__in=pks).update(**{field: merged})
    for label, rows in merge.adjusted.items():
        model = _model(label)
        if model is None:
            continue
        # Lowest old number first: a counter shifted up comes back down one row at a
        # time without two rows holding the same number.
        for pk, values in sorted(rows.items(), key=lambda item: sorted(item[1].items())):
            if label == "clients.riskflag" and values.get("cleared"):
                RiskFlag.objects.filter(pk=pk).update(
                    cleared_at=None, cleared_by=None, clear_reason=""
                )
                continue
            model._base_manager.filter(pk=pk).update(**values)
    restored = []
    for name, old in merge.survivor_before.items():
        if getattr(survivor, name) == getattr(merged, name):
            setattr(survivor, name, _field_value(name, old))
            restored.append(name)
    survivor.version += 1
    survivor.save(update_fields=[*restored, "version", "updated_at"])
    merged.status, merged.merged_into = merge.previous_status, None
    merged.version += 1
    merged.save(update_fields=["status", "merged_into", "version", "updated_at"])
    client_search_refresh(client_ids=[survivor.pk, merged.pk])
    client_diagnosis_flags_refresh(client_ids=[survivor.pk, merged.pk])
    merge.unmerged_at, merge.unmerged_by, merge.unmerge_reason = timezone.now(), actor, reason
    merge.save(update_fields=["unmerged_at", "unmerged_by", "unmerge_reason"])
    for client in (survivor, merged):
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            obj=merge,
            client_id=client.pk,
            detail={"unmerge": True, "fields": restored, "reason_given": True},
        )
        timeline_record(
            client=client,
            kind="merge",
            summary=f"Merge of {merged.client_number} into {survivor.client_number} undone",
            actor=actor,
            obj=merge,
        )
    return merge


def _model(label: str) -> type[models.Model] | None:
    from django.apps import apps

    try:
        return apps.get_model(label)
    except LookupError:
        return None

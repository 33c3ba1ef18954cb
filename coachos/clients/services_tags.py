"""Managing a business's client tags: create, rename and recolour, delete, merge, and tagging
many clients at once. Every change is audited (ids only). Deleting or merging a tag removes
it from clients; it never deletes a client."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from .models import Client, Tag
from .services import _tag_name, tag_get_or_create

# The colours a tag may have on the pages (each has its CSS class, ``Tag.css_class``).
TAG_COLOURS: tuple[tuple[str, Any], ...] = (
    ("#475467", gettext_lazy("Grey")),
    ("#b42318", gettext_lazy("Red")),
    ("#b93815", gettext_lazy("Orange")),
    ("#a15c07", gettext_lazy("Yellow")),
    ("#067647", gettext_lazy("Green")),
    ("#107569", gettext_lazy("Teal")),
    ("#175cd3", gettext_lazy("Blue")),
    ("#5925dc", gettext_lazy("Purple")),
    ("#c11574", gettext_lazy("Pink")),
)
MAX_BULK = 500

Through = Client.tags.through


def _taken(organization_id: int, name: str, exclude: int | None = None) -> Tag | None:
    found = Tag.objects.filter(organization_id=organization_id, name__iexact=name)
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return found.first()


def _save(tag: Tag, name: str) -> None:
    tag.full_clean()
    try:
        with transaction.atomic():
            tag.save()
    except IntegrityError:  # the same name, saved at the same moment
        raise ValidationError({"name": [_("A tag called “%(name)s” already exists.") % {"name": name}]})


@transaction.atomic
def tag_create(*, organization: Organization, actor: Any, name: str, colour: str = "") -> Tag:
    """A new tag. Raises ``ValidationError`` (by field) for a bad or taken name or colour."""
    name = _tag_name(name)
    if _taken(organization.pk, name):
        raise ValidationError({"name": [_("A tag called “%(name)s” already exists.") % {"name": name}]})
    tag = Tag(organization=organization, name=name, colour=colour)
    _save(tag, name)
    audit.log(organization=organization, actor=actor, action="client_tag.created", obj=tag)
    return tag


@transaction.atomic
def tag_update(*, tag: Tag, actor: Any, name: str, colour: str) -> Tag:
    """Rename and recolour. A name another tag has is refused: merge the two instead."""
    tag = Tag.objects.select_for_update().get(pk=tag.pk)
    name = _tag_name(name)
    if _taken(tag.organization_id, name, exclude=tag.pk):
        raise ValidationError({"name": [
            _("A tag called “%(name)s” already exists. To put the two together, merge them.") % {"name": name}]})
    changed = [field for field, value in (("name", name), ("colour", colour)) if getattr(tag, field) != value]
    if not changed:
        return tag
    tag.name, tag.colour = name, colour
    _save(tag, name)
    audit.log(organization=tag.organization, actor=actor, action="client_tag.updated", obj=tag,
              data={"fields": changed})
    return tag


# --- other features that point at tags (an automation's client filter, …) --------------------
#
# Found from the model registry, so a feature that adds a tag field later is covered too. A tag
# in use there is not deleted (an automation filtered on it would suddenly reach every client);
# a merge moves those uses to the tag merged into.

@dataclass(frozen=True)
class _Use:
    model: type[models.Model]
    rows: type[models.Model]  # the through model of a many-to-many, or the model with the key
    tag_field: str
    owner_field: str | None  # many-to-many only: the through model's key to the owner


def _uses() -> list[_Use]:
    found = []
    relations: list[Any] = list(Tag._meta.related_objects)
    for rel in relations:
        if rel.many_to_many and rel.through is not Through:
            field = rel.field
            found.append(_Use(rel.related_model, rel.through, field.m2m_reverse_field_name(), field.m2m_field_name()))
        elif rel.one_to_many or rel.one_to_one:
            found.append(_Use(rel.related_model, rel.related_model, rel.field.name, None))
    return found


def tag_other_uses(tag: Tag) -> list[tuple[str, int]]:
    """Where else the tag is used: (what, in the business's words, how many)."""
    uses = []
    for use in _uses():
        count = use.rows._base_manager.filter(**{use.tag_field: tag.pk}).count()
        if count:
            uses.append((str(use.model._meta.verbose_name_plural), count))
    return uses


def _move_uses(source: Tag, target: Tag) -> None:
    for use in _uses():
        rows = use.rows._base_manager.filter(**{use.tag_field: source.pk})
        if use.owner_field is None:
            rows.update(**{use.tag_field: target.pk})
            continue
        owners = set(rows.values_list(use.owner_field, flat=True))
        already = set(use.rows._base_manager.filter(**{use.tag_field: target.pk, f"{use.owner_field}__in": owners})
                      .values_list(use.owner_field, flat=True))
        use.rows._base_manager.bulk_create(
            [use.rows(**{use.tag_field + "_id": target.pk, use.owner_field + "_id": owner})
             for owner in sorted(owners - already)], ignore_conflicts=True)


@transaction.atomic
def tag_delete(*, tag: Tag, actor: Any) -> int:
    """Delete the tag; it comes off every client (the clients stay). Returns how many had it.
    Refused while another feature uses it (see ``tag_other_uses``)."""
    tag = Tag.objects.select_for_update().get(pk=tag.pk)
    uses = tag_other_uses(tag)
    if uses:
        raise ValidationError(
            _("This tag is used by %(uses)s. Change those first, or merge the tag into another one.")
            % {"uses": ", ".join(f"{n} {what}" for what, n in uses)})
    count = Through.objects.filter(tag_id=tag.pk).count()
    audit.log(organization=tag.organization, actor=actor, action="client_tag.deleted", obj=tag,
              data={"tag": tag.pk, "clients": count})
    tag.delete()
    return count


@transaction.atomic
def tag_merge(*, source: Tag, target: Tag, actor: Any) -> int:
    """Give every client tagged ``source`` the tag ``target``, then delete ``source``. Returns
    how many clients newly got ``target``."""
    if source.pk == target.pk:
        raise ValidationError({"into": [_("Choose another tag to merge into.")]})
    if source.organization_id != target.organization_id:
        raise ValidationError({"into": [_("Choose one of this business's tags.")]})
    locked = {t.pk: t for t in Tag.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
              .order_by("pk")}
    if len(locked) != 2:
        raise ValidationError({"into": [_("That tag no longer exists.")]})
    source, target = locked[source.pk], locked[target.pk]
    tagged = set(Through.objects.filter(tag_id=source.pk).values_list("client_id", flat=True))
    already = set(Through.objects.filter(tag_id=target.pk, client_id__in=tagged)
                  .values_list("client_id", flat=True))
    moved = sorted(tagged - already)
    Through.objects.bulk_create([Through(client_id=pk, tag_id=target.pk) for pk in moved], ignore_conflicts=True)
    _move_uses(source, target)
    audit.log(organization=target.organization, actor=actor, action="client_tag.merged", obj=target,
              data={"from": source.pk, "into": target.pk, "clients": len(tagged), "added": len(moved)})
    source.delete()
    return len(moved)


def _many(clients: Sequence[Client]) -> list[Client]:
    if len(clients) > MAX_BULK:
        raise ValidationError(_("Select at most %(n)d clients at a time.") % {"n": MAX_BULK})
    return list(clients)


@transaction.atomic
def clients_tag_bulk(*, organization: Organization, actor: Any, clients: Sequence[Client],
                     name: str) -> tuple[Tag, int]:
    """Tag every one of ``clients`` (the tag is made if new). Returns the tag and how many
    clients newly got it."""
    clients = _many(clients)
    tag = tag_get_or_create(organization=organization, actor=actor, name=name)
    ids = {c.pk for c in clients if c.organization_id == organization.pk}
    have = set(Through.objects.filter(tag_id=tag.pk, client_id__in=ids).values_list("client_id", flat=True))
    new = sorted(ids - have)
    Through.objects.bulk_create([Through(client_id=pk, tag_id=tag.pk) for pk in new], ignore_conflicts=True)
    for client in (c for c in clients if c.pk in new):
        audit.log(organization=organization, actor=actor, action="client.tagged", obj=client,
                  data={"tag": tag.pk, "bulk": True})
    return tag, len(new)


@transaction.atomic
def clients_untag_bulk(*, organization: Organization, actor: Any, clients: Sequence[Client], tag: Tag) -> int:
    """Take ``tag`` off every one of ``clients``. Returns how many had it."""
    clients = _many(clients)
    ids = {c.pk for c in clients if c.organization_id == organization.pk}
    rows = Through.objects.filter(tag_id=tag.pk, client_id__in=ids)
    had = set(rows.values_list("client_id", flat=True))
    rows.delete()
    for client in (c for c in clients if c.pk in had):
        audit.log(organization=organization, actor=actor, action="client.untagged", obj=client,
                  data={"tag": tag.pk, "bulk": True})
    return len(had)


def tag_by_name(name: str) -> Tag | None:
    """This business's tag with the name (case and extra spaces aside), if any; inside a scope."""
    return Tag.objects.filter(name__iexact=" ".join(name.split())).first()

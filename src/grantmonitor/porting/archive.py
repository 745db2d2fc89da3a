"""A whole call as one portable, versioned JSON-lines archive, and back.

The first line is the header ``{"format": "grantmonitor-call", "version": 1, "call": ...}``;
every further line is one record ``{"model": "calls.project", "id": 7, "fields": {...}}``.
``id`` is the record's key in the source database and only serves to resolve references
within the archive: on import every record gets a new key and every foreign key is remapped.

What belongs to a call is found from the models themselves: the call, then every model of
grantmonitor with a foreign key to a model already included (projects, KPIs, the register,
dossiers, questions...), so a model added later travels along without a change here; except
the rows the register keeps from itself (:data:`DERIVED`), which the import recomputes. Records
that calls share (target groups, organisations, measure definitions and their versions) are
written once, before the records that use them, and on import found again by their natural
key instead of being copied. Users are written by username only; missing users become
inactive placeholders without a password.

The register holds no identities, only keyed hashes (person keys): they are copied intact.
The header carries a fingerprint of the pseudonym key, so an import into an instance with
another key warns that the same people will not be recognised there.
"""

import datetime
import gzip
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grantmonitor.calls.models import Call
from grantmonitor.register import pseudonyms, reach

FORMAT = "grantmonitor-call"
VERSION = 1

# Records calls share, found again on import by these fields rather than copied.
SHARED: dict[str, tuple[str, ...]] = {
    "calls.targetgroup": ("code",),
    "organisations.organisation": ("name",),
    "kpis.measuredefinition": ("code",),
    "kpis.measuredefinitionversion": ("definition", "number"),
}

# Fields a shared record found again must hold as archived: a version is immutable.
MUST_MATCH = {"kpis.measuredefinitionversion": ("spec",)}

# Rows derived from the register (the people a call reached, kept by register.reach; the
# transactions that wrote to a project, and the marks of stale KPI inputs, added by the
# database as the import writes; the KPI inputs kept by kpis.kept, kept anew by the next
# recompute): left out of the archive, skipped in archives that hold them, and made anew by an
# import.
DERIVED = frozenset(
    {
        "register.callperson",
        "register.callreach",
        "register.projectwrite",
        "kpis.keptinputs",
        "kpis.keptitem",
        "kpis.keptstale",
    }
)


class ArchiveError(Exception):
    """An archive that cannot be written or read; the message says which record and why."""


@dataclass
class ImportResult:
    call: Call
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _foreign_keys(model: type[models.Model]) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if f.is_relation]


def _domain_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("grantmonitor.")]


def _in_order(chosen: list[type[models.Model]]) -> list[type[models.Model]]:
    """``chosen`` sorted so that every model comes after the models its foreign keys name."""
    ordered: list[type[models.Model]] = []
    pending = list(chosen)
    while pending:
        ready = [
            m
            for m in pending
            if all(f.related_model is m or f.related_model not in pending for f in _foreign_keys(m))
        ]
        if not ready:
            raise ArchiveError(f"circular foreign keys between {[_label(m) for m in pending]}")
        ordered += ready
        pending = [m for m in pending if m not in ready]
    return ordered


def _call_models() -> list[type[models.Model]]:
    """Call, then every model that hangs from it through foreign keys, in dependency order."""
    user = get_user_model()
    candidates = [
        m
        for m in _domain_models()
        if _label(m) not in SHARED and _label(m) not in DERIVED and m is not user
    ]
    owned = [Call]
    grown = True
    while grown:
        grown = False
        for model in candidates:
            if model not in owned and any(
                f.related_model in owned and f.related_model is not model
                for f in _foreign_keys(model)
            ):
                owned.append(model)
                grown = True
    return _in_order(owned)


def _shared_models() -> list[type[models.Model]]:
    return _in_order([apps.get_model(label) for label in SHARED])


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):  # and datetime, a subclass: isoformat keeps µs
        return value.isoformat()
    return value


class _Writer:
    def __init__(self) -> None:
        self.usernames = dict(get_user_model().objects.values_list("pk", "username"))
        self.needed: dict[type[models.Model], set[int]] = defaultdict(set)

    def record(self, obj: models.Model) -> dict:
        fields = {}
        for f in obj._meta.concrete_fields:
            if f.primary_key:
                continue
            value = f.value_from_object(obj)
            if f.is_relation and value is not None:
                if f.related_model is get_user_model():
                    value = self.usernames[value]
                elif _label(f.related_model) in SHARED:
                    self.needed[f.related_model].add(value)
            fields[f.name] = _plain(value)
        for f in obj._meta.many_to_many:
            keys = sorted(related.pk for related in getattr(obj, f.name).all())
            if _label(f.related_model) in SHARED:
                self.needed[f.related_model].update(keys)
            fields[f.name] = keys
        return {"model": _label(obj), "id": obj.pk, "fields": fields}


def _call_querysets(call: Call) -> Iterator[models.QuerySet]:
    """Per model, in dependency order, the rows that belong to ``call``."""
    querysets: dict[type[models.Model], models.QuerySet] = {}
    for model in _call_models():
        if model is Call:
            qs = Call.objects.filter(pk=call.pk)
        else:
            condition = models.Q()
            for f in _foreign_keys(model):
                if f.related_model in querysets and f.related_model is not model:
                    condition |= models.Q(**{f"{f.name}__in": querysets[f.related_model]})
            qs = model._base_manager.filter(condition)
        qs = qs.order_by("pk").prefetch_related(*(f.name for f in model._meta.many_to_many))
        querysets[model] = qs
        yield qs


def export_call(*, call: Call) -> bytes:
    """The whole ``call`` as a JSON-lines archive (UTF-8 bytes)."""
    writer = _Writer()
    owned: list[dict] = []
    exported: set[tuple[str, int]] = set()
    for qs in _call_querysets(call):
        for obj in qs:
            owned.append(writer.record(obj))
            exported.add((_label(obj), obj.pk))
    for record in owned:  # a reference out of the call (an earlier question of another call)
        model = apps.get_model(record["model"])
        for f in _foreign_keys(model):
            target = record["fields"][f.name]
            if (
                target is not None
                and f.related_model is not get_user_model()
                and _label(f.related_model) not in SHARED
                and (_label(f.related_model), target) not in exported
            ):
                raise ArchiveError(
                    _(
                        "%(model)s %(id)s refers to %(target)s %(key)s, which is not part of "
                        "the call."
                    )
                    % {
                        "model": record["model"],
                        "id": record["id"],
                        "target": _label(f.related_model),
                        "key": target,
                    }
                )

    shared_models = _shared_models()
    grown = True
    while grown:  # versions come with their definition; what shared records name comes too
        before = sum(len(keys) for keys in writer.needed.values())
        for model in shared_models:
            for f in _foreign_keys(model):
                if f.related_model in shared_models and f.remote_field.on_delete is models.CASCADE:
                    writer.needed[model].update(
                        model._base_manager.filter(
                            **{f"{f.name}__in": writer.needed[f.related_model]}
                        ).values_list("pk", flat=True)
                    )
            for obj in model._base_manager.filter(pk__in=writer.needed[model]):
                writer.record(obj)
        grown = sum(len(keys) for keys in writer.needed.values()) != before
    shared = [
        writer.record(obj)
        for model in shared_models
        for obj in model._base_manager.filter(pk__in=writer.needed[model]).order_by("pk")
    ]

    records = shared + owned
    counts: dict[str, int] = defaultdict(int)
    for record in records:
        counts[record["model"]] += 1
    header = {
        "format": FORMAT,
        "version": VERSION,
        "call": call.title,
        "exported_at": timezone.now().isoformat(),
        "pseudonym_key_fingerprint": pseudonyms.key_fingerprint(),
        "counts": dict(counts),
    }
    lines = (json.dumps(item, ensure_ascii=False, sort_keys=True) for item in [header, *records])
    return ("\n".join(lines) + "\n").encode()


def _lines(data: bytes) -> Iterator[tuple[int, dict]]:
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ArchiveError(_("The archive is not a readable gzip file (%s).") % exc) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArchiveError(_("The archive is not UTF-8 text (%s).") % exc.reason) from exc
    for number, line in enumerate(io.StringIO(text), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ArchiveError(
                _("Line %(line)s of the archive is not JSON (%(error)s).")
                % {"line": number, "error": exc.msg}
            ) from exc
        if not isinstance(item, dict):
            raise ArchiveError(
                _("Line %(line)s of the archive is not a record.") % {"line": number}
            )
        yield number, item


def _header(lines: Iterator[tuple[int, dict]]) -> dict:
    try:
        _number, header = next(lines)
    except StopIteration:
        raise ArchiveError(_("The archive is empty.")) from None
    if header.get("format") != FORMAT:
        raise ArchiveError(
            _("This is not a grantmonitor call archive (format %(format)r, expected %(expected)r).")
            % {"format": header.get("format"), "expected": FORMAT}
        )
    if header.get("version") != VERSION:
        raise ArchiveError(
            _(
                "Archive version %(version)r is not supported: this grantmonitor reads version "
                "%(supported)s. Import it with the grantmonitor release that wrote it."
            )
            % {"version": header.get("version"), "supported": VERSION}
        )
    if not isinstance(header.get("call"), str) or not header["call"]:
        raise ArchiveError(_("The archive's header names no call."))
    return header


class _Reader:
    def __init__(self) -> None:
        self.new_keys: dict[tuple[str, int], int] = {}
        self.users: dict[str, int] = {}
        self.placeholders: list[str] = []
        self.self_references: list[tuple[models.Model, models.ForeignKey, int, int]] = []

    def user(self, username: str) -> int:
        if username not in self.users:
            user_model = get_user_model()
            user = user_model.objects.filter(username=username).first()
            if user is None:
                user = user_model(username=username, is_active=False)
                user.set_unusable_password()
                user.save()
                self.placeholders.append(username)
            self.users[username] = user.pk
        return self.users[username]

    def build(self, model: type[models.Model], record: dict, line: int) -> tuple[dict, dict, dict]:
        """Field values with keys remapped, many-to-many keys, and references to the same model."""
        values, many, self_refs = {}, {}, {}
        fields = record.get("fields")
        if not isinstance(fields, dict):
            raise ArchiveError(_("Line %(line)s has no fields.") % {"line": line})
        for name, value in fields.items():
            try:
                f = model._meta.get_field(name)
            except Exception as exc:
                raise ArchiveError(
                    _("Line %(line)s: %(model)s has no field %(field)s.")
                    % {"line": line, "model": _label(model), "field": name}
                ) from exc
            if f.many_to_many:
                many[f] = [self.key(f.related_model, old, line, f) for old in value]
            elif f.is_relation and value is not None:
                if f.related_model is get_user_model():
                    values[f.attname] = self.user(value)
                elif f.related_model is model:
                    self_refs[f] = value  # set once every record of the model exists
                else:
                    values[f.attname] = self.key(f.related_model, value, line, f)
            elif f.is_relation:
                values[f.attname] = None
            else:
                values[f.attname] = f.to_python(value) if value is not None else None
        return values, many, self_refs

    def key(self, model, old, line: int, f) -> int:
        try:
            return self.new_keys[(_label(model), old)]
        except KeyError:
            raise ArchiveError(
                _("Line %(line)s: %(field)s refers to %(model)s %(key)s, not found in the archive.")
                % {"line": line, "field": f.name, "model": _label(model), "key": old}
            ) from None


def _save(obj: models.Model, line: int) -> None:
    try:
        obj.full_clean()
        obj.save()
    except ValidationError as exc:
        raise ArchiveError(
            _("Line %(line)s (%(model)s): %(errors)s")
            % {"line": line, "model": _label(obj), "errors": "; ".join(exc.messages)}
        ) from exc
    except IntegrityError as exc:
        raise ArchiveError(
            _("Line %(line)s (%(model)s): %(error)s")
            % {"line": line, "model": _label(obj), "error": str(exc).strip().splitlines()[0]}
        ) from exc


@transaction.atomic
def import_call(*, data: bytes) -> ImportResult:
    """Recreate the call archived in ``data``, all of it or, on any error, nothing."""
    lines = _lines(data)
    header = _header(lines)
    title = header["call"]
    if Call.objects.filter(title__iexact=title).exists():
        raise ArchiveError(_("A call titled “%(title)s” already exists here.") % {"title": title})
    reader = _Reader()
    counts: dict[str, int] = defaultdict(int)
    call = None
    for line, record in lines:
        try:
            model = apps.get_model(record.get("model", ""))
        except (LookupError, ValueError) as exc:
            raise ArchiveError(
                _("Line %(line)s: unknown model %(model)r.")
                % {"line": line, "model": record.get("model")}
            ) from exc
        if _label(model) in DERIVED:  # an archive written when they were archived
            continue
        values, many, self_refs = reader.build(model, record, line)
        natural = SHARED.get(_label(model))
        obj = None
        if natural:
            attnames = [model._meta.get_field(name).attname for name in natural]
            obj = model._base_manager.filter(**{a: values.get(a) for a in attnames}).first()
            for name in MUST_MATCH.get(_label(model), ()) if obj else ():
                if getattr(obj, name) != values.get(name):
                    raise ArchiveError(
                        _("Line %(line)s: %(model)s %(record)s exists here with another %(field)s.")
                        % {"line": line, "model": _label(model), "record": obj, "field": name}
                    )
        if obj is None:
            obj = model(**values)
            _save(obj, line)
            for f, keys in many.items():
                getattr(obj, f.name).set(keys)
            counts[_label(model)] += 1
        reader.new_keys[(_label(model), record.get("id"))] = obj.pk
        reader.self_references += [(obj, f, old, line) for f, old in self_refs.items()]
        if model is Call:
            call = obj
    for obj, f, old, line in reader.self_references:
        setattr(obj, f.attname, reader.key(type(obj), old, line, f))
        _save(obj, line)
    if call is None or call.title != title:
        raise ArchiveError(_("The archive holds no call titled “%(title)s”.") % {"title": title})
    reach.people_refresh(calls=[call.pk])  # the people it reached, from its register
    warnings = []
    if header.get("pseudonym_key_fingerprint") != pseudonyms.key_fingerprint():
        warnings.append(
            _(
                "This instance's pseudonym key differs from the exporting one: people registered "
                "here will not be recognised as the imported participants."
            )
        )
    if reader.placeholders:
        warnings.append(
            _("Created inactive users without a password: %(names)s")
            % {"names": ", ".join(sorted(reader.placeholders))}
        )
    return ImportResult(call=call, counts=dict(counts), warnings=warnings)

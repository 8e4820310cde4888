"""Backups of the site's content, and their restore into an empty database.

A backup is one gzip file. Its first line is a JSON header: the format's name and
version, when it was made, the migrations applied to the apps it holds rows of, how
many rows of each model it holds, the SHA-256 of everything after the header, and a
signature of all that (HMAC-SHA256 with BACKUP_SIGNING_KEY, by Django's signing
machinery). The rest is Django's own JSON Lines serialization, one row a line. Rows
name others by natural key where there is one, so content types and permissions,
which `migrate` makes with numbers of its own, are found in any database; and every
row keeps its primary key, since revisions name the rows they kept by it and pages
order ties by it.

The file is portable: a backup made on PostgreSQL restores on SQLite and the other
way round. Restoring checks the signature, then reads the whole file as a stream,
with a bound on its expanded size and on each line, and checks every row it can
without writing: the checksum, the counts, the models, the revisions; and it tells
which accounts, groups and permissions the file would create. Only then does it load
the rows, in one transaction, so a damaged, altered or foreign file changes nothing.
"""

import dataclasses
import datetime
import gzip
import hashlib
import io
import json
import os
import tempfile
import zlib
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import reversion
from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core import serializers, signing
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from reversion.models import Version

import pagecache
from factsheets.richtext import sanitize_fields
from operations.db import without_statement_timeout

FORMAT = "factsheets-backup"
VERSION = 1

# The rows a backup holds, in the order a restore loads them: each after the rows its
# natural keys name. Users come along because revisions, sheets and imports name who
# saved them, and so that editors can sign in to the restored site; their passwords
# are kept only as Django's salted hashes.
KEPT = [
    "auth.group",
    "auth.user",
    "factsheets.bureau",
    "factsheets.country",
    "factsheets.formerslug",
    "factsheets.legacyaddress",
    "factsheets.factsheet",
    "factsheets.section",
    "factsheets.assistanceline",
    "factsheets.official",
    "factsheets.relatedlink",
    "factsheets.changenote",
    "factsheets.importrecord",
    "factsheets.reviewstep",
    "comments.comment",
    "notices.preference",
    # Readers who follow sheets by email: a restore must not silently stop their
    # alerts. Only their addresses and lists, as README's "Email alerts" says.
    "alerts.subscriber",
    "alerts.subscription",
    "reversion.revision",
    "reversion.version",
    "admin.logentry",
]
# What a backup leaves out on purpose (a model or a whole app), and why. A test makes
# sure every installed model is in one list or the other.
LEFT_OUT = {
    "contenttypes": "made by migrate; the backup names them by natural key",
    "auth.permission": "made by migrate; the backup names them by natural key",
    "sessions": "transient: everyone signs in again after a restore",
    "factsheets.editingsession": "transient: who has a form open right now",
    "factsheets.previewlink": "transient: editors share new preview links",
    "axes": "sign-in attempts and lockouts, not content",
    "linkchecks": "derived: the worker checks every current sheet's links again",
    "django_tasks_database": "transient: the task queue; scheduled work is enqueued again",
    "background": "transient: the workers' heartbeats and the schedule's next runs",
    # A restored outbox would send old notices again, or lose its place in sending.
    "notices.notice": "transient: what was told, kept only until it is sent",
    "notices.email": "transient: the outbox",
    "alerts.alert": "transient: what readers are told, kept only until it is sent",
    "alerts.delivery": "transient: the alerts' outbox",
    "alerts.digest": "transient: the alerts' outbox",
    "alerts.confirmation": "transient: the alerts' outbox",
    # Second factors are secrets as good as a password in clear: a stolen backup
    # must not carry them. Staff enrol their device again after a restore.
    "otp_totp": "second-factor secrets",
    "otp_static": "second-factor secrets",
    "otp_hotp": "second-factor secrets",
    "otp_email": "second-factor secrets",
}
# Rows that migrations write into an empty database (the Editors and Publishers
# groups, Mali's old addresses): a restore replaces them with the backup's.
SEEDED = ["auth.group", "factsheets.legacyaddress"]

HEADER_LIMIT = 1 << 20
CHUNK = 1 << 20
# The longest line a restore reads, so that memory stays bounded whatever the file
# holds. The longest row of a real backup is a few kilobytes (a section's body, a
# revision of one); a line this long is no row of ours.
LINE_LIMIT = 8 << 20
MB = 1 << 20
# Keeps the key derived for backups apart from every other use of the same key. The
# module's old name: a new salt would refuse every backup signed before.
SIGNING_SALT = "factsheets.backups"


class BackupError(Exception):
    """The file cannot be restored here; nothing was changed."""


def kept_models():
    return [apps.get_model(label) for label in KEPT]


def is_left_out(model):
    return model._meta.label_lower in LEFT_OUT or model._meta.app_label in LEFT_OUT


def default_filename(now=None):
    now = now or timezone.now()
    return f"factsheets-{now:%Y%m%dT%H%M%SZ}.jsonl.gz"


def _signer():
    return signing.Signer(
        key=settings.BACKUP_SIGNING_KEY,
        fallback_keys=settings.BACKUP_SIGNING_KEY_FALLBACKS,
        salt=SIGNING_SALT,
        algorithm="sha256",
    )


def _signed_text(header):
    """What the signature covers: the whole header but the signature itself. It
    names the payload by its SHA-256, which a restore checks line by line."""
    unsigned = {key: value for key, value in header.items() if key != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"))


def signed(header):
    """The header with its signature, by the current BACKUP_SIGNING_KEY."""
    return {**header, "signature": _signer().signature(_signed_text(header))}


def signature_problem(header):
    """Why the header's signature does not verify with this site's keys, or None."""
    signature = header.get("signature")
    if signature is None:
        return "it is not signed"
    signer = _signer()
    try:
        signer.unsign(f"{_signed_text(header)}{signer.sep}{signature}")
    except (signing.BadSignature, TypeError):
        return (
            "its signature does not match: it was altered, or signed with a key "
            "this site does not have (BACKUP_SIGNING_KEY, BACKUP_SIGNING_KEY_FALLBACKS)"
        )
    return None


def applied_migrations(using=DEFAULT_DB_ALIAS):
    """The migrations applied to the apps a backup holds rows of, by app."""
    labels = sorted({label.split(".")[0] for label in KEPT})
    applied = MigrationRecorder(connections[using]).applied_migrations()
    return {
        label: sorted(name for app, name in applied if app == label) for label in labels
    }


def check_fully_migrated(using=DEFAULT_DB_ALIAS):
    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise BackupError(
            f"The database is not fully migrated ({len(plan)} migration(s) to "
            "apply): run `manage.py migrate` first. Nothing was changed."
        )


def _serialized_fields(model):
    """Every field but those derived from others (the search vector), or None."""
    derived = [f.name for f in model._meta.fields if isinstance(f, SearchVectorField)]
    if not derived:
        return None
    return [
        f.name
        for f in [*model._meta.fields, *model._meta.many_to_many]
        if not f.primary_key and f.name not in derived
    ]


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (it cuts them to
    milliseconds), so a restored “last updated” is the very moment it was."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class _Payload(io.TextIOBase):
    """Where the serializer writes: bytes to a file, hashed on the way."""

    def __init__(self, file):
        self.file = file
        self.digest = hashlib.sha256()

    def writable(self):
        return True

    def write(self, text):
        data = text.encode()
        self.digest.update(data)
        self.file.write(data)
        return len(text)


def _counted(rows, counts, label):
    for row in rows:
        counts[label] += 1
        yield row


@contextmanager
def _snapshot(using):
    """One transaction that sees a single moment of the database."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            # Otherwise each query would see what had been committed when it ran.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                )
        without_statement_timeout(connection)
        yield


def write_backup(path, using=DEFAULT_DB_ALIAS):
    """Write a backup of the database to `path` (a new file); return its header."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists; nothing was written.")
    check_fully_migrated(using)
    with tempfile.SpooledTemporaryFile(max_size=64 << 20) as spool:
        payload = _Payload(spool)
        counts = Counter()
        with _snapshot(using):
            migrations = applied_migrations(using)
            for model in kept_models():
                label = model._meta.label_lower
                counts[label] = 0
                rows = model._default_manager.using(using).order_by("pk").iterator()
                serializers.serialize(
                    "jsonl",
                    _counted(rows, counts, label),
                    stream=payload,
                    fields=_serialized_fields(model),
                    use_natural_foreign_keys=True,
                    cls=ExactJSONEncoder,
                )
        header = signed(
            {
                "format": FORMAT,
                "version": VERSION,
                "created_at": timezone.now().isoformat(),
                "database": connections[using].vendor,
                "migrations": migrations,
                "counts": dict(counts),
                "sha256": payload.digest.hexdigest(),
            }
        )
        spool.seek(0)
        # Written beside the target, then renamed: a failed backup leaves no half
        # file under the backup's name. Only the owner may read it (password hashes).
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = path.with_name(f".{path.name}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with (
                os.fdopen(descriptor, "wb") as raw,
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out,
            ):
                out.write(json.dumps(header).encode() + b"\n")
                while chunk := spool.read(CHUNK):
                    out.write(chunk)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return header


# Reading a backup.


def _shown(value):
    """A value from the file as it may be printed: control and direction characters
    escaped, so that a name cannot rewrite the lines an operator reads."""
    text = value if isinstance(value, str) else repr(value)
    text = text if text.isprintable() else ascii(text)[1:-1]
    return text if len(text) <= 160 else f"{text[:157]}..."


@dataclasses.dataclass
class Account:
    username: str
    is_active: bool
    is_staff: bool
    is_superuser: bool
    groups: list = dataclasses.field(default_factory=list)
    permissions: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Group:
    name: str
    permissions: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class CheckedBackup:
    """A backup read through and found whole: what a restore of it would create."""

    path: Path
    header: dict
    max_bytes: int
    unsigned: str | None  # why its signature does not verify, or None
    accounts: list
    groups: list


class _Reader:
    """The file's header and payload, each read with its errors told plainly."""

    def __init__(self, path, max_bytes):
        self.path = Path(path)
        self.max_bytes = max_bytes

    def _open(self):
        try:
            return gzip.open(self.path, "rb")
        except OSError as error:
            raise BackupError(f"Cannot read {self.path}: {error.strerror}.") from None

    def _fail(self, error):
        name = self.path
        if isinstance(error, gzip.BadGzipFile) and "Not a gzipped" in str(error):
            return BackupError(f"{name} is not a fact sheets backup (not gzip data).")
        if isinstance(error, EOFError):
            return BackupError(f"{name} is damaged: it is cut short (truncated).")
        if isinstance(error, gzip.BadGzipFile | zlib.error):
            return BackupError(f"{name} is damaged: its compressed data is corrupt.")
        if isinstance(error, OSError):
            return BackupError(f"Cannot read {name}: {error.strerror or error}.")
        return BackupError(f"{name} is damaged: {error}.")

    def _damaged(self, number, what):
        return BackupError(
            f"{self.path} is damaged: line {number} {what}. Nothing was changed."
        )

    def header(self):
        try:
            with self._open() as file:
                line = file.readline(HEADER_LIMIT)
        except (OSError, EOFError, zlib.error) as error:
            raise self._fail(error) from None
        try:
            header = json.loads(line)
        except ValueError:
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise BackupError(
                f"{self.path} is not a fact sheets backup (no {FORMAT} header)."
            )
        if header.get("version") != VERSION:
            raise BackupError(
                f"{self.path} is a {FORMAT} of format version "
                f"{_shown(header.get('version'))}; this release reads version "
                f"{VERSION}."
            )
        expected = {
            "created_at": str,
            "migrations": dict,
            "counts": dict,
            "sha256": str,
        }
        if not all(isinstance(header.get(k), kind) for k, kind in expected.items()):
            raise BackupError(f"{self.path} is damaged: its header is incomplete.")
        return header

    def lines(self, header):
        """The payload's lines as bytes, numbered from 2, read as a stream: the file
        may expand to max_bytes and a line to LINE_LIMIT, and what was read must
        match the header's checksum (told once the last line is read)."""
        digest = hashlib.sha256()
        try:
            with self._open() as file:
                read = len(file.readline(HEADER_LIMIT))
                number = 1
                while line := file.readline(LINE_LIMIT + 1):
                    number += 1
                    read += len(line)
                    if read > self.max_bytes:
                        raise BackupError(
                            f"{self.path} expands to more than "
                            f"{self.max_bytes // MB:,} MB, the most a restore reads "
                            "(BACKUP_MAX_EXPANDED_MB, or restore --max-expanded-mb). "
                            "Nothing was changed."
                        )
                    if len(line) > LINE_LIMIT:
                        raise self._damaged(
                            number, f"is longer than {LINE_LIMIT // MB} MB, no row's"
                        )
                    digest.update(line)
                    yield number, line
        except (OSError, EOFError, zlib.error) as error:
            raise self._fail(error) from None
        if digest.hexdigest() != header["sha256"]:
            raise BackupError(
                f"{self.path} is damaged: its content does not match its checksum."
            )

    def texts(self, header):
        for number, line in self.lines(header):
            try:
                yield number, line.decode()
            except UnicodeDecodeError:
                raise self._damaged(number, "is not UTF-8 text") from None

    def rows(self, header):
        """The payload's lines, as text, for Django's JSON Lines deserializer."""
        for _, text in self.texts(header):
            yield text

    def check(self, header):
        """Read every row without writing: the accounts and groups it would create.

        Refuses rows of models backups never hold, revisions of rows revisions never
        keep, and counts that differ from the header's."""
        counts = Counter()
        accounts, groups = [], []
        for number, text in self.texts(header):
            if not text.strip():
                continue  # as Django's deserializer skips them
            try:
                row = json.loads(text)
            except ValueError:
                raise self._damaged(number, "is not JSON") from None
            if not isinstance(row, dict) or not isinstance(row.get("fields"), dict):
                raise self._damaged(number, "is not a row")
            label = row.get("model")
            if label not in KEPT:
                raise BackupError(
                    f"{self.path} is not a fact sheets backup: it holds rows of "
                    f"{_shown(label)}, which backups never hold. Nothing was changed."
                )
            counts[label] += 1
            if label == "auth.user":
                accounts.append(self._account(number, row["fields"]))
            elif label == "auth.group":
                groups.append(self._group(number, row["fields"]))
            elif label == "reversion.version":
                self._check_revision(number, row["fields"])
        if counts != Counter({k: v for k, v in header["counts"].items() if v}):
            raise BackupError(
                f"{self.path} is damaged: its rows do not match the counts in its "
                "header. Nothing was changed."
            )
        return accounts, groups

    def _names(self, number, values, size):
        """Natural keys of `size` strings, as backups name groups and permissions
        (a number would name whatever row has it in this database)."""
        if not isinstance(values, list) or not all(
            isinstance(key, list)
            and len(key) == size
            and all(isinstance(part, str) for part in key)
            for key in values
        ):
            raise self._damaged(number, "names groups or permissions by number")
        return values

    def _permissions(self, number, values):
        return sorted(
            f"{app_label}.{codename}"
            for codename, app_label, _ in self._names(number, values, 3)
        )

    def _value(self, number, model, fields, name):
        """A field as the deserializer would store it (“f” is false, “yes” true)."""
        model_field = model._meta.get_field(name)
        if name not in fields:
            return model_field.get_default()
        try:
            return model_field.to_python(fields[name])
        except ValidationError:
            raise self._damaged(number, f"has an invalid {name}") from None

    def _account(self, number, fields):
        user = apps.get_model("auth", "User")
        return Account(
            username=_shown(self._value(number, user, fields, "username")),
            is_active=self._value(number, user, fields, "is_active"),
            is_staff=self._value(number, user, fields, "is_staff"),
            is_superuser=self._value(number, user, fields, "is_superuser"),
            groups=sorted(
                _shown(name)
                for (name,) in self._names(number, fields.get("groups", []), 1)
            ),
            permissions=self._permissions(number, fields.get("user_permissions", [])),
        )

    def _group(self, number, fields):
        group = apps.get_model("auth", "Group")
        return Group(
            name=_shown(self._value(number, group, fields, "name")),
            permissions=self._permissions(number, fields.get("permissions", [])),
        )

    def _check_revision(self, number, fields):
        """A revision keeps a row of a model registered with django-reversion, and
        its stored data is that row: the admin's history reads it as such."""
        content_type = fields.get("content_type")
        if not (
            isinstance(content_type, list)
            and len(content_type) == 2
            and all(isinstance(part, str) for part in content_type)
        ):
            raise self._damaged(number, "names its content type by number")
        try:
            model = apps.get_model(*content_type)
        except LookupError:
            model = None
        label = ".".join(content_type)
        if (
            model is None
            or [model._meta.app_label, model._meta.model_name] != content_type
            or not reversion.is_registered(model)
        ):
            raise BackupError(
                f"{self.path} cannot be restored: line {number} is a revision of "
                f"{_shown(label)}, a model revisions never keep. Nothing was changed."
            )
        data_format, data = fields.get("format"), fields.get("serialized_data")
        try:
            # As django-reversion reads it when the admin shows the revision.
            kept = list(
                serializers.deserialize(data_format, data, ignorenonexistent=True)
            )
        except Exception:  # whatever the data holds: one that does not read is refused
            kept = []
        if (
            len(kept) != 1
            or type(kept[0].object) is not model
            or str(kept[0].object.pk) != str(fields.get("object_id"))
        ):
            raise BackupError(
                f"{self.path} cannot be restored: line {number} is a revision of "
                f"{_shown(label)} whose stored data is not that row "
                f"({_shown(fields.get('object_id'))}). Nothing was changed."
            )


def max_expanded_bytes(megabytes=None):
    return (megabytes or settings.BACKUP_MAX_EXPANDED_MB) * MB


def check_backup(path, accept_unsigned=False, max_expanded_mb=None):
    """Read the backup at `path` through, writing nothing; what a restore would do.

    A file whose signature does not verify with this site's keys is refused unless
    `accept_unsigned`; it is then read as any other, and its accounts told."""
    reader = _Reader(path, max_expanded_bytes(max_expanded_mb))
    header = reader.header()
    unsigned = signature_problem(header)
    if unsigned and not accept_unsigned:
        raise BackupError(
            f"{reader.path} cannot be trusted: {unsigned}. Restore it only if you "
            "know where it came from, with restore --accept-unsigned (it lists the "
            "accounts, groups and permissions it would create first). Nothing was "
            "changed."
        )
    accounts, groups = reader.check(header)
    return CheckedBackup(
        path=reader.path,
        header=header,
        max_bytes=reader.max_bytes,
        unsigned=unsigned,
        accounts=accounts,
        groups=groups,
    )


def read_header(path):
    """The header of a whole, undamaged backup at `path`, signed or not."""
    return check_backup(path, accept_unsigned=True).header


def seeded_permissions(using=DEFAULT_DB_ALIAS):
    """The permissions migrations give each group they make, by group name."""
    given = apps.get_model("auth", "Group").permissions.through._default_manager
    seeded = {}
    for row in given.using(using).select_related("group", "permission__content_type"):
        permission = row.permission
        seeded.setdefault(row.group.name, set()).add(
            f"{permission.content_type.app_label}.{permission.codename}"
        )
    return seeded


def check_migrations(header, using=DEFAULT_DB_ALIAS):
    ours = applied_migrations(using)
    theirs = header["migrations"]
    differences = [
        f"{label}: backup at {(theirs.get(label) or ['none'])[-1]}, "
        f"database at {(ours[label] or ['none'])[-1]}"
        for label in ours
        if theirs.get(label) != ours[label]
    ]
    if differences or set(theirs) != set(ours):
        detail = "; ".join(differences) or "other apps"
        raise BackupError(
            f"The backup was made at another migration state ({detail}): restore it "
            "with the release that made it, then run `manage.py migrate`. Nothing "
            "was changed."
        )


def _phrase(count, model):
    """“1 fact sheet”, “3 fact sheets”."""
    meta = model._meta
    return f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"


def contents(using=DEFAULT_DB_ALIAS):
    """What the database holds beyond what migrations write, as phrases."""
    held = []
    for model in kept_models():
        if model._meta.label_lower not in SEEDED:
            if count := model._default_manager.using(using).count():
                held.append(_phrase(count, model))
    return held


def summary(counts):
    """“12 fact sheets, 3 users, 40 revisions”: what a command says it wrote."""
    return ", ".join(
        _phrase(counts.get(label, 0), apps.get_model(label))
        for label in ("factsheets.factsheet", "auth.user", "reversion.revision")
    )


def check_target(header, using=DEFAULT_DB_ALIAS):
    """The database can take the backup: migrated as it was, and empty."""
    check_fully_migrated(using)
    check_migrations(header, using)
    if held := contents(using):
        raise BackupError(
            f"The database is not empty (it holds {', '.join(held)}): a backup is "
            "restored only into a new, migrated database. Nothing was changed."
        )


def restore_backup(backup, using=DEFAULT_DB_ALIAS):
    """Load a backup that check_backup() read into an empty database, all or nothing;
    how many rich-text values the sanitizer changed on the way in.

    The file is read again as it loads, and must match its checksum to the end: one
    changed since it was checked rolls back."""
    from factsheets import search

    reader = _Reader(backup.path, backup.max_bytes)
    header = backup.header
    connection = connections[using]
    with transaction.atomic(using=using), _derived_state_on_hold():
        without_statement_timeout(connection)
        check_target(header, using)
        for label in SEEDED:
            apps.get_model(label)._default_manager.using(using).all().delete()
        loaded, sanitized = _load(reader, header, using)
        if loaded != Counter({k: v for k, v in header["counts"].items() if v}):
            raise BackupError(
                f"{reader.path} is damaged: its rows do not match the counts in its "
                "header. Nothing was changed."
            )
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), kept_models()):
                cursor.execute(sql)
        if connection.vendor == "postgresql":
            factsheets = apps.get_model("factsheets", "FactSheet").objects.using(using)
            search.refresh_search_vectors(factsheets.all())
    # Pages kept from before (the lost database's) are stale from here on, and the
    # next publish or expiry time is worked out from the restored sheets.
    pagecache.invalidate(using)
    return sanitized


@contextmanager
def _derived_state_on_hold():
    """Leave search vectors and page cache generations alone while rows load.

    Their receivers would redo the work at each of thousands of saves, three
    quarters of a restore's time; restore_backup() does it once at the end. Only
    the command runs a restore, in a process of its own, so nothing else misses them.
    """
    from factsheets import search

    with pagecache.held(), search.held():
        yield


def _tables():
    """The tables of the rows a backup holds, with their many-to-many tables."""
    tables = []
    for model in kept_models():
        tables.append(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            tables.append(field.remote_field.through._meta.db_table)
    return tables


def _sanitized(row):
    """Put the row's rich text, or that of the row a revision keeps, through the
    sanitizer an editor's save goes through; how many values that changed.

    Raw saves sanitize a row's own rich text anyway (richtext.connect_signals());
    here it is counted. A revision's stored data is written again only if it changed,
    in its own format and with the fields revisions keep (all but the search vector),
    so that a clean revision stays as it was, byte for byte."""
    changed = sanitize_fields(row.object)
    if isinstance(row.object, Version):
        version = row.object
        kept = [
            stored.object
            for stored in serializers.deserialize(
                version.format, version.serialized_data, ignorenonexistent=True
            )
        ]
        if in_revision := sum(sanitize_fields(stored) for stored in kept):
            version.serialized_data = serializers.serialize(
                version.format, kept, fields=_serialized_fields(type(kept[0]))
            )
            changed += in_revision
    return changed


def _load(reader, header, using):
    """Save every row of the payload, as `loaddata` does; the counts by model, and
    how many rich-text values the sanitizer changed."""
    connection = connections[using]
    loaded = Counter()
    sanitized = 0
    deferred = []
    try:
        with connection.constraint_checks_disabled():
            for row in serializers.deserialize(
                "jsonl",
                reader.rows(header),
                using=using,
                handle_forward_references=True,
            ):
                label = row.object._meta.label_lower
                sanitized += _sanitized(row)
                row.save(using=using, force_insert=True)
                loaded[label] += 1
                if row.deferred_fields:
                    deferred.append(row)
            for row in deferred:
                row.save_deferred_fields(using=using)
        connection.check_constraints(table_names=_tables())
    except BackupError:
        raise
    except (
        DeserializationError,
        DatabaseError,
        ObjectDoesNotExist,
        LookupError,
        TypeError,
        ValueError,
    ) as error:
        cause = error.__cause__ or error
        detail = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
        raise BackupError(
            f"{reader.path} could not be restored ({type(cause).__name__}"
            f"{': ' + detail if detail else ''}). Nothing was changed."
        ) from error
    return loaded, sanitized

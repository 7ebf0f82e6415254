"""The registry of citizen groups: validation, duplicate detection, ownership, CSV in and out.

Every way a group enters the system (a LINE conversation, a staff command, a CSV import) goes
through :func:`validate_group` and :func:`add_group`, so the rules live in one place:

* the kind comes from the guideline's list of 市民活動団体等 (fuzzy input accepted: "NPO",
  "町内会", "大学", "株式会社" ...);
* fields are NPO-law field numbers, resolved from words by :func:`matching.resolve_field`;
* a group whose name is, after removing legal-form words (NPO法人, 一般社団法人, （任意団体）...)
  and folding (knowledge.normalize.fold), the same or nearly the same as a registered group's is
  *flagged* with ``duplicate_of_id`` and reported. It is never silently added twice and never
  silently merged: a person decides.
* only the owner of a record (or staff, ``admin=True``) may change or delete it.

Functions take a Session and never commit: callers own the transaction (bot.storage.db.transaction).
The matching library is imported by the functions that resolve fields, purely for the start-up
of `kyodo groups list|export|delete` (~0.3 s); it imports nothing of bot/.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.registry import messages as msg
from bot.storage.models import Group
from knowledge.normalize import fold, normalize

NAME_MAX = 200
CONTACT_MAX = 300
DESCRIPTION_MAX = 4000
# fuzz.ratio of two name keys at or above which the names are flagged as the same group.
# 90 catches one changed character in a ten-character name (子ども/こども, 会/の会) and not
# different groups that share a long prefix (see tests/registry/test_duplicates.py).
DUPLICATE_THRESHOLD = 90.0
# Keys this short must be equal to count as duplicates: one character is too much of them.
SHORT_KEY = 4


# ---------------------------------------------------------------------------------------------
# Kinds of group: the guideline's list (第2章(4) 市民活動団体等の例), plus その他.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupKind:
    name: str  # canonical, stored in groups.kind
    note: str  # shown next to the name in lists ("社団・財団・..."), may be empty
    aliases: tuple[str, ...]  # words people type for it; matched after fold()


GROUP_KINDS: tuple[GroupKind, ...] = (
    GroupKind("NPO法人", "", ("NPO", "NPO法人", "特定非営利活動法人", "認定NPO法人", "特非", "エヌピーオー")),
    GroupKind(
        "任意団体・市民活動団体",
        "",
        ("任意団体", "市民活動団体", "市民団体", "市民活動", "サークル", "同好会", "実行委員会", "協議会"),
    ),
    GroupKind("ボランティア団体", "", ("ボランティア", "ボランティア団体", "ボランティアグループ")),
    GroupKind("自治会・町会", "", ("自治会", "町会", "町内会", "管理組合", "住民会", "商店会")),
    GroupKind(
        "公益法人等",
        "社団・財団・社会福祉法人・医療法人など",
        (
            "公益法人",
            "社団法人",
            "一般社団法人",
            "公益社団法人",
            "財団法人",
            "一般財団法人",
            "公益財団法人",
            "社会福祉法人",
            "社会福祉協議会",
            "医療法人",
            "学校法人",
            "社団",
            "財団",
        ),
    ),
    GroupKind(
        "教育・研究機関",
        "",
        (
            "教育機関",
            "研究機関",
            "大学",
            "短期大学",
            "高校",
            "高等学校",
            "中学校",
            "小学校",
            "学校",
            "研究所",
        ),
    ),
    GroupKind(
        "企業",
        "",
        ("企業", "会社", "株式会社", "有限会社", "合同会社", "事業者", "商店", "法人企業", "協同組合"),
    ),
    GroupKind("その他", "", ("その他", "そのほか", "他")),
)
KIND_NAMES: tuple[str, ...] = tuple(k.name for k in GROUP_KINDS)

_KIND_BY_ALIAS: dict[str, str] = {}
for _kind in GROUP_KINDS:
    for _word in (_kind.name, *_kind.aliases):
        _KIND_BY_ALIAS[fold(_word)] = _kind.name
_KIND_ALIASES_LONGEST_FIRST = sorted(_KIND_BY_ALIAS, key=len, reverse=True)


class InvalidGroup(ValueError):
    """A group profile that cannot be stored; ``problems`` are polite Japanese sentences."""

    def __init__(self, problems: Sequence[str]):
        super().__init__(" ".join(problems))
        self.problems = list(problems)


class GroupNotFound(LookupError):
    pass


class NotOwner(PermissionError):
    pass


def resolve_kind(text: str) -> str:
    """Map what a person typed to one of KIND_NAMES, or raise InvalidGroup.

    Exact alias first, then an alias contained in the input ("小金井市立第一小学校" -> 教育・研究
    機関, "（株）" style names are handled by the caller stripping legal forms), then a close typo.
    """
    key = fold(text or "")
    if not key:
        raise InvalidGroup([msg.KIND_MISSING.format(examples="、".join(KIND_NAMES[:4]))])
    if key in _KIND_BY_ALIAS:
        return _KIND_BY_ALIAS[key]
    for alias in _KIND_ALIASES_LONGEST_FIRST:
        if len(alias) >= 2 and alias in key:
            return _KIND_BY_ALIAS[alias]
    best = process.extractOne(key, _KIND_ALIASES_LONGEST_FIRST, scorer=fuzz.ratio, score_cutoff=75)
    if best is not None:
        return _KIND_BY_ALIAS[best[0]]
    raise InvalidGroup([msg.KIND_UNKNOWN.format(value=normalize(text), choices="、".join(KIND_NAMES))])


# ---------------------------------------------------------------------------------------------
# Names and duplicate keys
# ---------------------------------------------------------------------------------------------

# The keys and their comparison live in matching.names (pure): kana/kanji variants folded
# (子供 = 子ども, 守る = まもる), numbers and 丁目/第N/place marks telling groups apart (一丁目 is
# never 二丁目, テスト団体1号 never 2号). Stored keys are recomputed by a migration whenever
# matching.names.NAME_KEY_VERSION changes (see 0008_h12flows_groups).
# matching is imported on first use, for the start-up of `kyodo groups list|export|delete`.


def _names():
    from matching import names

    return names


def strip_legal_forms(name: str) -> str:
    return _names().strip_legal_forms(name)


def keys_match(a: str, b: str) -> bool:
    return _names().keys_match(a, b)


def name_key(name: str) -> str:
    """The duplicate-detection key of a group name (stored in groups.name_key)."""
    return _names().name_key(name)[:NAME_MAX]


class DuplicateIndex:
    """The name keys of registered groups, for fast duplicate checks (also within one import):
    a :class:`matching.names.NameIndex` of (group id, stored key)."""

    def __init__(self, pairs: Iterable[tuple[int, str]] = ()):
        self._index = _names().NameIndex(pairs)

    @classmethod
    def load(cls, session: Session, exclude_id: int | None = None) -> DuplicateIndex:
        rows = session.execute(select(Group.id, Group.name_key).order_by(Group.id))
        return cls((i, k) for i, k in rows if i != exclude_id)

    def add(self, group_id: int, key: str) -> None:
        self._index.add(group_id, key)

    def find(self, key: str) -> int | None:
        """Id of the oldest registered group whose key is probably the same group as ``key``."""
        found = self._index.first(key)
        return int(found) if found is not None else None


# ---------------------------------------------------------------------------------------------
# Fields (NPO-law field numbers 1..20), resolved by the matching library
# ---------------------------------------------------------------------------------------------

_FIELD_SPLIT_RE = re.compile(r"[;；、,，/／\n]+")


def split_field_words(text: str) -> list[str]:
    """Split a cell like "環境保全;子育て、まちづくり" into words.

    Official field names themselves contain "、" (保健、医療又は福祉の増進を図る活動), so they are
    replaced by their numbers before splitting.
    """
    from matching import Matcher

    text = normalize(text)
    for f in Matcher.load().fields:
        if f.name in text:
            text = text.replace(f.name, f";{f.number};")
    return [w.strip() for w in _FIELD_SPLIT_RE.split(text) if w.strip()]


def resolve_fields(words: Iterable[str | int]) -> tuple[list[int], list[str]]:
    """Field numbers for the given words (numbers 1..20 accepted as such), and problems."""
    from matching import resolve_field

    numbers: set[int] = set()
    problems: list[str] = []
    for word in words:
        if isinstance(word, int) or str(word).strip().isdigit():
            number = int(word)
            if 1 <= number <= 20:
                numbers.add(number)
                continue
            problems.append(msg.FIELD_UNKNOWN.format(value=word))
            continue
        found = _field_number(resolve_field(str(word)))
        if found is None:
            problems.append(_field_problem(str(word)))
        else:
            numbers.add(found)
    return sorted(numbers), problems


def _field_number(result: Any) -> int | None:
    """The number of the matching.Field that resolve_field returned (None: not a field)."""
    return None if result is None else int(result.number)


def _field_problem(word: str) -> str:
    from matching import suggest_fields

    candidates = [f.label for f in suggest_fields(word)][:3]
    if not candidates:
        return msg.FIELD_UNKNOWN.format(value=word)
    return msg.FIELD_UNKNOWN_HINT.format(value=word, candidates="、".join(candidates))


def field_labels() -> dict[int, str]:
    """Field number -> short label (環境保全, 子どもの健全育成, ...), as import reads them back."""
    from matching import Matcher

    return {f.number: f.label for f in Matcher.load().fields}


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


@dataclass
class GroupData:
    """A validated group profile, ready to store."""

    name: str
    kind: str
    fields: list[int] = field(default_factory=list)
    description: str = ""
    contact: str = ""

    @property
    def name_key(self) -> str:
        return name_key(self.name)


def validate_group(
    name: str,
    kind: str,
    fields: str | Iterable[str | int] = (),
    description: str = "",
    contact: str = "",
) -> GroupData:
    """Check and normalise a profile; raise InvalidGroup listing every problem at once."""
    problems: list[str] = []
    clean_name = normalize(name or "")
    if not clean_name:
        problems.append(msg.NAME_MISSING)
    elif len(clean_name) > NAME_MAX:
        problems.append(msg.NAME_TOO_LONG.format(limit=NAME_MAX))
    clean_kind = ""
    try:
        clean_kind = resolve_kind(kind)
    except InvalidGroup as exc:
        problems.extend(exc.problems)
    words = split_field_words(fields) if isinstance(fields, str) else list(fields)
    numbers, field_problems = resolve_fields(words)
    problems.extend(field_problems)
    clean_description = _clean_multiline(description or "")
    if len(clean_description) > DESCRIPTION_MAX:
        problems.append(msg.DESCRIPTION_TOO_LONG.format(limit=DESCRIPTION_MAX))
    clean_contact = normalize(contact or "")
    if len(clean_contact) > CONTACT_MAX:
        problems.append(msg.CONTACT_TOO_LONG.format(limit=CONTACT_MAX))
    if not clean_description and not numbers and not field_problems:
        problems.append(msg.PROFILE_EMPTY)
    if problems:
        raise InvalidGroup(problems)
    return GroupData(clean_name, clean_kind, numbers, clean_description, clean_contact)


def _clean_multiline(text: str) -> str:
    """normalize() each line, keeping line breaks: descriptions are read by people."""
    lines = [normalize(line) for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


# ---------------------------------------------------------------------------------------------
# CRUD
# ---------------------------------------------------------------------------------------------


@dataclass
class AddResult:
    group: Group
    duplicate_of: Group | None = None

    @property
    def duplicate_message(self) -> str | None:
        if self.duplicate_of is None:
            return None
        return msg.DUPLICATE_FOUND.format(
            name=self.group.name, other=self.duplicate_of.name, other_id=self.duplicate_of.id
        )


def add_group(
    session: Session, data: GroupData, owner: str, duplicates: DuplicateIndex | None = None
) -> AddResult:
    """Store a validated group; flag (never merge) a probable duplicate of a registered one.

    Pass ``duplicates`` when adding many groups in one go so the index is loaded once (and
    rows of the same batch are checked against each other).
    """
    key = data.name_key
    index = duplicates if duplicates is not None else DuplicateIndex.load(session)
    duplicate_id = index.find(key)
    group = Group(
        name=data.name,
        name_key=key,
        kind=data.kind,
        fields=list(data.fields),
        description=data.description,
        contact=data.contact,
        owner=owner,
        duplicate_of_id=duplicate_id,
    )
    session.add(group)
    session.flush()
    index.add(group.id, key)
    duplicate = session.get(Group, duplicate_id) if duplicate_id is not None else None
    return AddResult(group, duplicate)


def get_group(session: Session, group_id: int) -> Group:
    group = session.get(Group, group_id)
    if group is None:
        raise GroupNotFound(msg.NOT_FOUND.format(group_id=group_id))
    return group


def _check_owner(group: Group, actor: str, admin: bool) -> None:
    if not admin and group.owner != actor:
        raise NotOwner(msg.NOT_OWNER)


def update_group(
    session: Session, group_id: int, actor: str, data: GroupData, *, admin: bool = False
) -> AddResult:
    """Replace a group's profile. A changed name is checked for duplicates again."""
    group = get_group(session, group_id)
    _check_owner(group, actor, admin)
    duplicate = None
    if data.name_key != group.name_key:
        duplicate_id = DuplicateIndex.load(session, exclude_id=group.id).find(data.name_key)
        group.duplicate_of_id = duplicate_id
        duplicate = session.get(Group, duplicate_id) if duplicate_id is not None else None
    group.name = data.name
    group.name_key = data.name_key
    group.kind = data.kind
    group.fields = list(data.fields)
    group.description = data.description
    group.contact = data.contact
    session.flush()
    return AddResult(group, duplicate)


def clear_duplicate_flag(session: Session, group_id: int, actor: str, *, admin: bool = False) -> Group:
    """A person checked the flag and says the groups are distinct: match this one again."""
    group = get_group(session, group_id)
    _check_owner(group, actor, admin)
    group.duplicate_of_id = None
    session.flush()
    return group


def delete_group(session: Session, group_id: int, actor: str, *, admin: bool = False) -> None:
    """Delete a group and its suggestions (ON DELETE CASCADE)."""
    group = get_group(session, group_id)
    _check_owner(group, actor, admin)
    session.delete(group)
    session.flush()


def delete_groups_of_owner(session: Session, owner: str) -> int:
    """Delete everything one owner registered (a LINE user who asks for deletion or unfollows)."""
    result = session.execute(delete(Group).where(Group.owner == owner))
    return int(result.rowcount or 0)


def find_groups(
    session: Session, query: str, limit: int = 5, min_score: float = 60.0
) -> list[tuple[Group, float]]:
    """Groups whose name best matches ``query`` (typo-tolerant), best first."""
    key = name_key(query)
    if not key:
        return []
    rows = session.execute(select(Group.id, Group.name_key)).all()
    if not rows:
        return []
    hits = process.extract(key, [k for _, k in rows], scorer=fuzz.WRatio, score_cutoff=min_score, limit=limit)
    return [(session.get(Group, rows[index][0]), float(score)) for _, score, index in hits]


def list_groups(
    session: Session, field_word: str | None = None, kind: str | None = None, flagged: bool = False
) -> Iterator[Group]:
    """Groups in id order, optionally only those with a field (a word or number) or kind, or only
    those flagged as probable duplicates (for staff to resolve)."""
    number = None
    if field_word:
        numbers, problems = resolve_fields([field_word])
        if problems:
            raise InvalidGroup(problems)
        number = numbers[0]
    stmt = select(Group).order_by(Group.id).execution_options(yield_per=1000)
    if kind:
        stmt = stmt.where(Group.kind == resolve_kind(kind))
    if flagged:
        stmt = stmt.where(Group.duplicate_of_id.is_not(None))
    for group in session.scalars(stmt):
        if number is None or number in (group.fields or []):
            yield group


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------

CSV_COLUMNS = ("name", "kind", "fields", "description", "contact")
CSV_REQUIRED = ("name", "kind")


@dataclass
class CsvRow:
    line: int
    data: GroupData


@dataclass
class CsvReport:
    rows: list[CsvRow] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, Japanese reason)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_groups_csv(path: Path | str) -> CsvReport:
    """Parse and validate every row of a groups CSV (UTF-8, with or without BOM).

    Problems carry the physical line number in the file (header = line 1), so staff can find
    the row in a spreadsheet. Fields may be separated by ";" or "、".
    """
    report = CsvReport()
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        report.problems.append((1, msg.CSV_NOT_UTF8))
        return report
    reader = csv.reader(io.StringIO(text, newline=""))
    header_line = "、".join(CSV_COLUMNS)
    try:
        header = [normalize(h).lower() for h in next(reader)]
    except StopIteration:
        report.problems.append((1, msg.CSV_EMPTY.format(header=header_line)))
        return report
    missing = [c for c in CSV_REQUIRED if c not in header]
    unknown = [h for h in header if h and h not in CSV_COLUMNS]
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if missing:
        report.problems.append(
            (1, msg.CSV_HEADER_MISSING.format(columns="、".join(missing), header=header_line))
        )
    if unknown:
        report.problems.append(
            (1, msg.CSV_HEADER_UNKNOWN.format(columns="、".join(unknown), header=header_line))
        )
    if repeated:
        report.problems.append((1, msg.CSV_HEADER_REPEATED.format(columns="、".join(repeated))))
    if report.problems:
        return report
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank lines are harmless
        if len(cells) != len(header):
            report.problems.append((start, msg.CSV_ROW_SHAPE.format(expected=len(header), actual=len(cells))))
            continue
        values = dict(zip(header, cells, strict=True))
        try:
            data = validate_group(
                values.get("name", ""),
                values.get("kind", ""),
                values.get("fields", ""),
                values.get("description", ""),
                values.get("contact", ""),
            )
        except InvalidGroup as exc:
            report.problems.extend((start, p) for p in exc.problems)
            continue
        report.rows.append(CsvRow(start, data))
    return report


@dataclass
class ImportResult:
    report: CsvReport
    added: list[AddResult] = field(default_factory=list)
    imported: bool = False

    @property
    def duplicates(self) -> list[AddResult]:
        return [a for a in self.added if a.duplicate_of is not None]


def import_groups_csv(
    session: Session,
    path: Path | str,
    owner: str | None = None,
    skip_invalid: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Validate the whole file, then add its groups; nothing is added if any row is bad,
    unless ``skip_invalid``. Probable duplicates are added with their flag set and reported.
    ``progress(done, total)`` is called as rows are added (e.g. a progress line on a terminal)."""
    report = read_groups_csv(path)
    result = ImportResult(report)
    header_broken = any(line == 1 for line, _ in report.problems)
    if header_broken or (report.problems and not skip_invalid):
        return result
    owner = owner or f"import:{Path(path).name}"
    index = DuplicateIndex.load(session)
    total = len(report.rows)
    for n, row in enumerate(report.rows, start=1):
        result.added.append(add_group(session, row.data, owner, duplicates=index))
        if progress is not None and (n % 200 == 0 or n == total):
            progress(n, total)
    result.imported = True
    return result


def export_rows(session: Session) -> Iterator[dict[str, str]]:
    """Rows for :func:`write_groups_csv`; fields as short labels that import maps back."""
    labels = field_labels()
    for group in list_groups(session):
        yield {
            "name": group.name,
            "kind": group.kind,
            "fields": ";".join(labels.get(n, str(n)) for n in group.fields or []),
            "description": group.description,
            "contact": group.contact,
        }


def write_groups_csv(rows: Iterable[dict[str, str]], out: io.TextIOBase) -> int:
    """Write CSV that :func:`read_groups_csv` reads back identically; returns the row count."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count

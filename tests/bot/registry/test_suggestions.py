"""Suggestions: made once per pair, refreshed only on change, stale handling, concurrency."""

from __future__ import annotations

import threading

from sqlalchemy import func, select, update

from bot.registry import groups as registry
from bot.registry.suggestions import refresh_suggestions
from bot.storage.models import Group, Suggestion

ENV = ("湧水の会", "任意団体", "環境保全", "野川の湧水の水量と水質を調べ、公園の雑木林の手入れをしています。")
KIDS = ("子ども食堂ひだまり", "任意団体", "子どもの健全育成", "子どもたちに食事と学習の場を提供しています。")
ELDER = ("ふれあいサロン", "ボランティア団体", "保健・医療・福祉", "高齢者の見守りとサロンを開いています。")


def _add(factory, profile, owner="import:test.csv"):
    with factory() as s, s.begin():
        return registry.add_group(s, registry.validate_group(*profile), owner).group.id


def _rows(factory, group_id=None):
    with factory() as s:
        stmt = select(Suggestion).order_by(Suggestion.group_id, Suggestion.rank)
        if group_id is not None:
            stmt = stmt.where(Suggestion.group_id == group_id)
        return list(s.scalars(stmt))


def _count(factory) -> int:
    with factory() as s:
        return s.scalar(select(func.count()).select_from(Suggestion))


def test_first_run_creates_each_pair_once_and_second_run_does_nothing(engine, factory, matcher):
    ids = [_add(factory, p) for p in (ENV, KIDS, ELDER)]
    first = refresh_suggestions(engine, matcher, top=3)
    assert first.groups_total == 3 and first.groups_matched == 3
    assert first.new == _count(factory) > 0
    assert first.refreshed == first.stale == 0
    rows = _rows(factory)
    assert {r.group_id for r in rows} == set(ids)
    assert all(r.status == "new" and not r.stale and r.reasons for r in rows)
    assert len({(r.group_id, r.division_id) for r in rows}) == len(rows)
    # Ranks are 1..n per group, in the matcher's order.
    for gid in ids:
        assert [r.rank for r in _rows(factory, gid)] == list(range(1, len(_rows(factory, gid)) + 1))

    second = refresh_suggestions(engine, matcher, top=3)
    assert second.groups_matched == 0 and second.groups_unchanged == 3
    assert (second.new, second.refreshed, second.stale) == (0, 0, 0)
    assert [(r.id, r.updated_at) for r in _rows(factory)] == [(r.id, r.updated_at) for r in rows]


def test_first_ranked_division_matches_the_matcher(engine, factory, matcher):
    from matching import GroupProfile

    gid = _add(factory, ENV)
    refresh_suggestions(engine, matcher, top=3)
    expected = matcher.match_many([GroupProfile(name=ENV[0], description=ENV[3], fields=[7])], top=3)[0]
    assert [r.division_id for r in _rows(factory, gid)] == [m.division_id for m in expected.matches]


def test_group_change_refreshes_its_pairs_keeps_status_and_marks_dropped_pairs_stale(
    engine, factory, matcher
):
    gid = _add(factory, ENV)
    other = _add(factory, ELDER)
    refresh_suggestions(engine, matcher, top=3)
    before = {r.division_id: r for r in _rows(factory, gid)}
    other_before = [(r.id, r.updated_at) for r in _rows(factory, other)]
    taken = next(iter(before))
    with factory() as s, s.begin():
        s.execute(update(Suggestion).where(Suggestion.id == before[taken].id).values(status="taken"))

    # The group now does something entirely different.
    with factory() as s, s.begin():
        registry.update_group(s, gid, "import:test.csv", registry.validate_group(*KIDS))
    summary = refresh_suggestions(engine, matcher, top=3)
    assert summary.groups_matched == 1 and summary.groups_unchanged == 1

    after = {r.division_id: r for r in _rows(factory, gid)}
    ranked_now = {d for d, r in after.items() if not r.stale}
    dropped = set(before) - ranked_now
    assert dropped, "the new profile should rank other divisions"
    assert summary.stale == len(dropped)
    assert all(after[d].stale for d in dropped)
    assert after[taken].status == "taken"  # a decision is never undone by a refresh
    kept = set(before) & ranked_now
    assert summary.refreshed == len(kept)
    assert summary.new == len(ranked_now - set(before))
    assert len(after) == len(set(before) | ranked_now)  # still one row per pair
    # The other group was not touched.
    assert [(r.id, r.updated_at) for r in _rows(factory, other)] == other_before

    # Back to the first profile: stale pairs rank again, in place, with their status.
    with factory() as s, s.begin():
        registry.update_group(s, gid, "import:test.csv", registry.validate_group(*ENV))
    again = refresh_suggestions(engine, matcher, top=3)
    final = {r.division_id: r for r in _rows(factory, gid)}
    assert {d for d, r in final.items() if not r.stale} == set(before)
    assert {d: r.id for d, r in final.items() if d in before} == {d: r.id for d, r in before.items()}
    assert final[taken].status == "taken"
    assert again.new == 0


def test_contact_change_is_not_a_profile_change(engine, factory, matcher):
    gid = _add(factory, ENV)
    refresh_suggestions(engine, matcher)
    with factory() as s, s.begin():
        s.get(Group, gid).contact = "info@example.org"
    assert refresh_suggestions(engine, matcher).groups_matched == 0


def test_division_change_refreshes_only_that_divisions_pairs(engine, factory, matcher, changed_catalogue):
    ids = [_add(factory, p) for p in (ENV, KIDS, ELDER)]
    refresh_suggestions(engine, matcher, top=3)
    before = {(r.group_id, r.division_id): r for r in _rows(factory)}
    edited = _rows(factory, ids[0])[0].division_id
    affected = [k for k in before if k[1] == edited]

    summary = refresh_suggestions(engine, changed_catalogue(matcher, {edited}), top=3)
    assert summary.groups_matched == 3  # the catalogue changed, so every group is looked at
    assert summary.refreshed == len(affected)
    assert summary.unchanged == len(before) - len(affected)
    assert summary.new == summary.stale == 0
    after = {(r.group_id, r.division_id): r for r in _rows(factory)}
    for key, row in after.items():
        if key in affected:
            assert row.division_fingerprint != before[key].division_fingerprint
            assert row.updated_at != before[key].updated_at
        else:
            assert row.updated_at == before[key].updated_at
    # And nothing more to do afterwards.
    assert refresh_suggestions(engine, changed_catalogue(matcher, {edited})).groups_matched == 0


def test_flagged_duplicates_and_empty_profiles_are_not_matched(engine, factory, matcher):
    first = _add(factory, ENV)
    dup = _add(factory, ("NPO法人 湧水の会", "NPO法人", "環境保全", "湧水の調査"))
    with factory() as s, s.begin():
        # Profiles are validated on the way in; an empty one can still come from old data.
        s.add(
            Group(
                name="名前だけの会",
                name_key="なまえだけのかい",
                kind="その他",
                owner="x",
                fields=[],
                description="",
            )
        )
    summary = refresh_suggestions(engine, matcher)
    assert summary.groups_flagged == 1 and summary.groups_incomplete == 1 and summary.groups_matched == 1
    assert {r.group_id for r in _rows(factory)} == {first}

    with factory() as s, s.begin():
        registry.clear_duplicate_flag(s, dup, "cli", admin=True)
    summary = refresh_suggestions(engine, matcher)
    assert summary.groups_matched == 1 and summary.new > 0
    assert dup in {r.group_id for r in _rows(factory)}


def test_refresh_selected_groups_only(engine, factory, matcher):
    a = _add(factory, ENV)
    b = _add(factory, KIDS)
    summary = refresh_suggestions(engine, matcher, group_ids=[b, 10_000])
    assert summary.groups_total == 1
    assert {r.group_id for r in _rows(factory)} == {b}
    assert refresh_suggestions(engine, matcher, group_ids=[a]).groups_matched == 1


def test_small_chunks_and_worker_processes_give_the_same_result(engine, factory, matcher):
    profiles = [(f"まちの会{i}号", "任意団体", "", (ENV, KIDS, ELDER)[i % 3][3]) for i in range(9)]
    ids = [_add(factory, p) for p in profiles]
    summary = refresh_suggestions(engine, matcher, chunk=2, workers=2, min_parallel=1)
    assert summary.groups_total == summary.groups_matched == 9
    assert summary.new == _count(factory)
    from matching import GroupProfile

    expected = matcher.match_many([GroupProfile(name=p[0], description=p[3]) for p in profiles], top=3)
    for gid, result in zip(ids, expected, strict=True):
        rows = _rows(factory, gid)
        assert [(r.division_id, r.reasons) for r in rows] == [
            (m.division_id, m.reasons) for m in result.matches
        ]
    assert refresh_suggestions(engine, matcher, chunk=4, workers=2, min_parallel=1).groups_matched == 0


def test_concurrent_refreshes_never_duplicate_a_pair(db_url, engine, factory, matcher, changed_catalogue):
    """Two runs that both read "no suggestions yet" before either writes: the unique key and the
    upsert keep one row per pair, and neither run fails."""
    from bot.storage.db import make_engine

    for i in range(12):
        _add(factory, (f"まちの会{i:02d}", "任意団体", "", (ENV, KIDS, ELDER)[i % 3][3]))
    barrier = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []
    summaries = []

    def run():
        engine = make_engine(db_url)
        try:
            summaries.append(refresh_suggestions(engine, changed_catalogue(matcher, set(), barrier.wait)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    rows = _rows(factory)
    assert len(rows) == len({(r.group_id, r.division_id) for r in rows})
    assert summaries[0].new == summaries[1].new == len(rows)  # both planned every pair as new
    assert refresh_suggestions(engine, matcher).groups_matched == 0


def test_pending_suggestions_are_new_and_not_stale(engine, factory, matcher):
    from bot.registry.suggestions import pending_suggestions

    gid = _add(factory, ENV)
    refresh_suggestions(engine, matcher)
    rows = _rows(factory, gid)
    with factory() as s, s.begin():
        s.execute(update(Suggestion).where(Suggestion.id == rows[0].id).values(status="sent"))
        s.execute(update(Suggestion).where(Suggestion.id == rows[1].id).values(stale=True))
    with engine.connect() as conn:
        pending = pending_suggestions(conn)
        assert {p.id for p in pending} == {r.id for r in rows[2:]}
        assert pending_suggestions(conn, division_id=rows[0].division_id) == []


def test_matcher_data_change_rechecks_all_groups_but_writes_only_real_differences(
    engine, factory, matcher, changed_catalogue
):
    ids = [_add(factory, p) for p in (ENV, KIDS)]
    refresh_suggestions(engine, matcher)
    before = {r.id: r for r in _rows(factory)}
    with factory() as s, s.begin():
        s.execute(update(Suggestion).where(Suggestion.group_id == ids[0]).values(status="sent"))

    # New matcher data that yields different reasons: every pair is refreshed, status kept.
    edited = changed_catalogue(matcher, set(), extra_reason="テスト用の理由")
    summary = refresh_suggestions(engine, edited)
    assert summary.groups_matched == 2 and summary.refreshed == len(before) and summary.unchanged == 0
    after = _rows(factory)
    assert all(r.reasons[-1] == "テスト用の理由" for r in after)
    assert {r.status for r in after if r.group_id == ids[0]} == {"sent"}
    assert {r.id for r in after} == set(before)

    # Back to the shipped matcher: its fingerprint differs again, results are the old ones.
    summary = refresh_suggestions(engine, matcher)
    assert summary.refreshed == len(before)
    # And a matcher change that leaves every result as it was writes nothing.
    stamps = [(r.id, r.updated_at) for r in _rows(factory)]
    same_results = changed_catalogue(matcher, set())
    same_results.fingerprint = "another-version"
    summary = refresh_suggestions(engine, same_results)
    assert summary.groups_matched == 2 and summary.unchanged == len(before) and summary.refreshed == 0
    assert [(r.id, r.updated_at) for r in _rows(factory)] == stamps


def test_asking_for_fewer_divisions_stales_the_rest(engine, factory, matcher):
    gid = _add(factory, ENV)
    first = refresh_suggestions(engine, matcher, top=3)
    assert first.new == 3
    fewer = refresh_suggestions(engine, matcher, top=1)
    assert fewer.groups_matched == 1 and fewer.stale == 2 and fewer.unchanged == 1
    assert [r.stale for r in _rows(factory, gid)] == [False, True, True]

"""Benchmark of opportunities (協働の募集, issue 14 step 3): one opportunity to 5,000 groups.

Sets up a database with ``--groups`` groups that agreed to receive notices (field 環境保全, one
LINE user each), of which some unfollowed, some deleted their data, some stopped notices after the
list was made, some already had this month's cap of notices and some one less. Starts the real
app (``bot.app.create_app`` under uvicorn, in a process of its own) against the Slack and LINE
stand-ins, saves the `/kyodo 募集` modal (signed like Slack), clicks 「送信」, and measures:

- ranking: modal saved -> the list with 「送信」 posted in Slack;
- queued: 「送信」 clicked -> every multicast row committed in the outbox;
- delivered: 「送信」 clicked -> every user's notice accepted by the LINE stand-in (and every row
  recorded delivered), with ``--failure-rate`` of the multicast requests failing (429 with
  Retry-After, 500, timeout after delivery);

and checks that each user who should get it got it exactly once, in requests of at most 500
users, and that the monthly cap and the opt-outs held.

Usage: PYTHONPATH=. python scripts/bench_opportunity.py [--groups 5000] [--cap 4]
       [--failure-rate 0.3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SLACK_SECRET = "bench-signing-secret"
SLACK_TOKEN = "xoxb-bench"
LINE_SECRET = "bench-line-secret"
LINE_TOKEN = "bench-line-token"
STAFF_CHANNEL = "CSTAFF"
TITLE = "公園の一斉清掃に参加する団体の募集"


def wait(pred, timeout: float, what: str, interval: float = 0.005) -> float:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise SystemExit(f"benchmark: {what} not reached in {timeout:.0f} s")
        time.sleep(interval)
    return time.perf_counter()


def seed(db_url: str, n: int, cap: int) -> dict[str, set[str]]:
    """The groups, and who must not get the notice (and why)."""
    from bot.storage.db import make_engine, make_session_factory, transaction, utcnow
    from bot.storage.models import ChatUser, Group, Opportunity, OpportunityRecipient

    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    users = [f"U{i:032x}" for i in range(n)]
    now = utcnow()
    k = max(1, n // 100)
    kinds = {
        "unfollowed": set(users[0:k]),
        "deleted": set(users[k : 2 * k]),
        "capped": set(users[2 * k : 3 * k]),  # had `cap` notices this month already
        "one_left": set(users[3 * k : 4 * k]),  # had cap - 1: get this one, then are at the cap
        "stopped": set(users[4 * k : 5 * k]),  # 「お知らせを停止」 after the list was made
    }
    with transaction(factory) as s:
        s.execute(
            Group.__table__.insert(),
            [
                {
                    "name": f"みどりの会{i}",
                    "name_key": f"みどりの会{i}",
                    "kind": "任意団体",
                    "kind_note": "",
                    "fields": [7],
                    "description": "公園の清掃と花壇の手入れ",
                    "contact": "",
                    "listed": False,
                    "public_contact": "",
                    "notices_opt_in": True,
                    "owner": f"line:{u}",
                    "match_fingerprint": "bench",  # the scan leaves them alone
                    "created_at": now,
                    "updated_at": now,
                }
                for i, u in enumerate(users)
            ],
        )
        s.execute(
            ChatUser.__table__.insert(),
            [
                {
                    "channel": "line",
                    "user_id": u,
                    "followed": u not in kinds["unfollowed"],
                    "blocked": u in kinds["unfollowed"],
                    "deleted_at": now if u in kinds["deleted"] else None,
                    "first_seen": now,
                    "last_seen": now,
                    "created_at": now,
                }
                for u in users
            ],
        )
        earlier = [
            Opportunity(
                division_name="bench", title=f"earlier {j}", status="closed", created_at=now, updated_at=now
            )
            for j in range(max(1, cap))
        ]
        s.add_all(earlier)
        s.flush()
        ids = dict(s.execute(Group.__table__.select().with_only_columns(Group.owner, Group.id)).all())
        rows = []
        for who, count in (("capped", cap), ("one_left", cap - 1)):
            for u in kinds[who]:
                for j in range(count):
                    rows.append(
                        {
                            "opportunity_id": earlier[j].id,
                            "group_id": ids[f"line:{u}"],
                            "group_name": "",
                            "channel": "line",
                            "user_id": u,
                            "rank": j + 1,
                            "score": 1.0,
                            "reasons": [],
                            "status": "sent",
                            "sent_at": now - timedelta(minutes=j + 1),
                            "created_at": now,
                        }
                    )
        if rows:
            s.execute(OpportunityRecipient.__table__.insert(), rows)
    engine.dispose()
    return {"all": set(users), **kinds}


def post(http, body: dict) -> None:
    raw = urlencode({"payload": json.dumps(body)}).encode()
    from tests.support.slack_standin import sign

    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SLACK_SECRET, raw)}
    r = http.post("/slack/events", content=raw, headers=headers)
    assert r.status_code == 200, r.text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--groups", type=int, default=5000)
    ap.add_argument("--cap", type=int, default=4)
    ap.add_argument("--failure-rate", type=float, default=0.3)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args()

    import logging

    logging.basicConfig(level=logging.ERROR)
    import httpx
    from sqlalchemy import func, select

    from bot.storage import migrate
    from bot.storage.db import make_engine, make_session_factory
    from bot.storage.models import Group, Opportunity, OpportunityRecipient, OutboxMessage
    from tests.support.line_standin import LineStandin
    from tests.support.slack_standin import TEAM_ID, SlackStandin

    tmp = tempfile.mkdtemp(prefix="kyodo-bench-opp-")
    db_url = args.database_url or f"sqlite:///{tmp}/bench.db"
    migrate.upgrade(db_url)
    t = time.perf_counter()
    who = seed(db_url, args.groups, args.cap)
    print(f"seeded {args.groups} groups in {time.perf_counter() - t:.1f} s")

    slack_api = SlackStandin(token=SLACK_TOKEN).start()
    line_api = LineStandin(access_token=LINE_TOKEN).start()
    line_api.state.failure_rate = args.failure_rate
    line_api.state.timeout_delay = 1.5
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SLACK_SECRET,
        "SLACK_API_BASE_URL": slack_api.api_url,
        "KYODO_STAFF_CHANNEL": STAFF_CHANNEL,
        "SLACK_POLL_SECONDS": "0.2",
        "LINE_CHANNEL_SECRET": LINE_SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": LINE_TOKEN,
        "LINE_API_BASE_URL": line_api.url,
        "LINE_DATA_API_BASE_URL": line_api.url,
        "DELIVERY_TIMEOUT_SECONDS": "1",
        "DELIVERY_BACKOFF_BASE_SECONDS": "0.2",
        "DELIVERY_BACKOFF_MAX_SECONDS": "3",
        "DELIVERY_MAX_ATTEMPTS": "30",
        "OPPORTUNITY_MONTHLY_CAP": str(args.cap),
    }
    launcher = (
        "import logging, uvicorn; logging.basicConfig(level=logging.ERROR);"
        "from bot.app import create_app; from bot.settings import Settings;"
        f"uvicorn.run(create_app(Settings.from_env()), host='127.0.0.1', port={port}, log_level='error')"
    )
    proc = subprocess.Popen([sys.executable, "-c", launcher], env=env)
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    try:
        wait(lambda: _up(http), 60, "the app answering /healthz", interval=0.1)
        user = {"id": "UBENCH", "username": "bench", "name": "bench", "team_id": TEAM_ID}
        base = {
            "team": {"id": TEAM_ID},
            "user": user,
            "api_app_id": "AKYODO",
            "token": "t",
            "trigger_id": "1.2.3",
        }

        def sel(value: str) -> dict:
            return {"value": {"type": "static_select", "selected_option": {"value": value}}}

        values = {
            "title": {"value": {"type": "plain_text_input", "value": TITLE}},
            "division": sel("kankyo-seisaku"),
            "fields": {"value": {"type": "multi_static_select", "selected_options": [{"value": "7"}]}},
            "sought": {"value": {"type": "plain_text_input", "value": "公園の清掃に参加してくれる団体"}},
            "deadline": {"value": {"type": "datepicker", "selected_date": None}},
            "form": sel("kyoryoku"),
        }
        t0 = time.perf_counter()
        post(
            http,
            {
                **base,
                "type": "view_submission",
                "view": {
                    "id": "V1",
                    "type": "modal",
                    "callback_id": "kyodo_opp_modal",
                    "private_metadata": "",
                    "state": {"values": values},
                    "hash": "h",
                },
            },
        )

        def listed():
            return [m for m in slack_api.posted(STAFF_CHANNEL) if TITLE in m.text]

        t_listed = wait(listed, 300, "the list in Slack")
        msg = listed()[0]
        send = next(
            e for b in msg.blocks for e in (b.get("elements") or []) if e.get("action_id") == "kyodo_opp_send"
        )
        # The group that stops notices between the list and 「送信」.
        with factory.begin() as s:
            s.execute(
                Group.__table__.update()
                .where(Group.owner.in_([f"line:{u}" for u in who["stopped"]]))
                .values(notices_opt_in=False)
            )
        expected = who["all"] - who["unfollowed"] - who["deleted"] - who["capped"] - who["stopped"]
        batches = -(-len(expected) // 500)
        t1 = time.perf_counter()
        post(
            http,
            {
                **base,
                "type": "block_actions",
                "container": {"type": "message", "message_ts": msg.ts, "channel_id": STAFF_CHANNEL},
                "channel": {"id": STAFF_CHANNEL},
                "message": {"ts": msg.ts, "text": ""},
                "actions": [
                    {
                        "action_id": "kyodo_opp_send",
                        "block_id": "b",
                        "value": send["value"],
                        "type": "button",
                        "action_ts": str(time.time()),
                    }
                ],
            },
        )

        def rows(status: str | None = None) -> int:
            with factory() as s:
                q = select(func.count()).where(OutboxMessage.destination.like("multicast:%"))
                if status:
                    q = q.where(OutboxMessage.status == status)
                return s.scalar(q)

        t_queued = wait(lambda: rows() >= batches, 300, "the multicast rows queued")

        def delivered():
            return len([d for d in line_api.deliveries() if d.kind == "multicast"]) >= len(expected)

        t_sent = wait(delivered, 600, "every notice delivered")
        t_recorded = wait(lambda: rows("delivered") == rows(), 600, "every row recorded delivered")
        time.sleep(1.0)  # anything more would be a duplicate
        got = Counter(d.target for d in line_api.deliveries() if d.kind == "multicast")
        requests = line_api.requests("/v2/bot/message/multicast")
        sizes = [len(r.body["to"]) for r in requests if isinstance(r.body, dict)]
        statuses = Counter(r.status for r in requests)
        with factory() as s:
            new_id = s.scalar(select(func.max(Opportunity.id)))
            per_group = s.execute(
                select(OpportunityRecipient.group_id, func.count())
                .where(OpportunityRecipient.status == "sent")
                .group_by(OpportunityRecipient.group_id)
            ).all()
            outcome = dict(
                s.execute(
                    select(OpportunityRecipient.status, func.count())
                    .where(OpportunityRecipient.opportunity_id == new_id)
                    .group_by(OpportunityRecipient.status)
                ).all()
            )
        forbidden = (who["unfollowed"] | who["deleted"] | who["capped"] | who["stopped"]) & set(got)
        twice = [u for u, c in got.items() if c > 1]
        missing = expected - set(got)
        over_cap = [g for g, c in per_group if c > args.cap]

        print(
            f"opportunity to {args.groups} groups (cap {args.cap}/month, {args.failure_rate:.0%} multicast faults)"
        )
        print(f"  ranking  modal saved -> list posted in Slack:        {(t_listed - t0) * 1e3:8.0f} ms")
        print(f"  queued   送信 -> {rows()} multicast rows committed:      {(t_queued - t1) * 1e3:8.0f} ms")
        print(f"  sent     送信 -> {len(expected)} users accepted by LINE:  {(t_sent - t1) * 1e3:8.0f} ms")
        print(f"  recorded 送信 -> every row delivered in the outbox:  {(t_recorded - t1) * 1e3:8.0f} ms")
        print(
            f"  multicast requests: {len(requests)} ({dict(sorted(statuses.items()))}), max users per request {max(sizes)}"
        )
        print(f"  outcome: {dict(sorted(outcome.items()))}")
        print(
            f"  exactly once: {len(got)} users, {len(twice)} twice, {len(missing)} missing; "
            f"opted-out/unfollowed/deleted/capped who got it: {len(forbidden)}; "
            f"groups over the monthly cap: {len(over_cap)}"
        )
        ok = not twice and not missing and not forbidden and not over_cap and max(sizes) <= 500
        print("  OK" if ok else "  FAILED")
        return 0 if ok else 1
    finally:
        http.close()
        proc.terminate()
        proc.wait(timeout=30)
        engine.dispose()
        slack_api.stop()
        line_api.stop()


def _up(http) -> bool:
    try:
        return http.get("/healthz").status_code == 200
    except Exception:
        return False


if __name__ == "__main__":
    raise SystemExit(main())

"""The divisions the staff-side tests use: two with a Slack channel, one without."""

from __future__ import annotations

from bot.staff.directory import Directory, DivisionInfo

DIRECTORY = Directory(
    [
        DivisionInfo("kankyo-seisaku", "環境政策課", "CKANKYO"),
        DivisionInfo("community-bunka", "コミュニティ文化課", "CBUNKA"),
        DivisionInfo("jidou-seishonen", "児童青少年課", ""),  # no channel: goes to staff, unrouted
    ]
)

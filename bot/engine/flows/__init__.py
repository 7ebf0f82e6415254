"""The guided flows, one module each. ``FLOWS`` maps a flow's name to its declaration."""

from __future__ import annotations

from bot.engine.flow import Flow
from bot.engine.flows import (
    collaboration,
    data_deletion,
    eligibility,
    evaluation,
    group_deletion,
    proposal,
    registration,
)

FLOWS: dict[str, Flow] = {
    f.name: f
    for f in (
        eligibility.FLOW,
        registration.FLOW,
        registration.EDIT_FLOW,
        group_deletion.FLOW,
        proposal.FLOW,
        data_deletion.FLOW,
        collaboration.FLOW,
        evaluation.FLOW,
    )
}

"""Evidence entries in the JSON shape of DESIGN §7/§9, cut to what the viewer may see."""

from __future__ import annotations

from typing import Any

from flask import url_for

from ..auth.models import User
from ..domain import disclosure
from ..domain.media import capture_far_from_visit
from .access import SEES_ORIGINALS
from .models import Evidence
from .office import office_sees


def evidence_json(evidence: Evidence, viewer: User) -> dict[str, Any]:
    """An evidence entry; capture time, hash, size, type and flags for reviewers only.

    Everyone else (the volunteer who sent it, an office head) gets uuid, kind, item and the
    derivative URLs: the rest can date a visit or name a phone (issue 12).
    """
    files = {
        variant: url_for("evidence.file", uuid=evidence.uuid, variant=variant)
        for variant in ("display", "thumb")
    }
    entry: dict[str, Any] = {
        "uuid": evidence.uuid,
        "kind": evidence.kind,
        "item": evidence.item_code,
        "files": files,
    }
    if viewer.role not in SEES_ORIGINALS:
        return disclosure.restrict(entry, disclosure.EVIDENCE)
    flags = list(evidence.flags or [])
    if capture_far_from_visit(evidence.captured_on, evidence.visit.visited_on):
        flags.insert(0, "capture_far_from_visit")
    files["original"] = url_for("evidence.file", uuid=evidence.uuid, variant="original")
    entry.update(
        sha256=evidence.sha256,
        size=evidence.size,
        content_type=evidence.content_type,
        captured_at=evidence.captured_at,
        flags=flags,
        shown_to_office=office_sees(evidence),
    )
    return entry

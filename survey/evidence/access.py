"""Who may fetch which file: the role check that every evidence download passes."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from ..auth.models import User
from ..errors import Forbidden, NotFound
from ..extensions import db
from ..visits.models import Visit
from ..visits.services import visible_visits
from .models import Evidence
from .office import office_evidence_ids

SEES_ORIGINALS = ("auditor", "project_group")
VARIANTS = ("display", "thumb", "original")


@dataclass(frozen=True)
class Served:
    key: str
    content_type: str
    filename: str


def visible_evidence(viewer: User) -> Select[Evidence]:
    if viewer.role == "office_head":
        return select(Evidence).where(Evidence.id.in_(office_evidence_ids(viewer)))
    visible = visible_visits(viewer).with_only_columns(Visit.id)
    return select(Evidence).where(Evidence.visit_id.in_(visible))


def file_for(viewer: User, evidence_uuid: str, variant: str) -> Served:
    if variant not in VARIANTS:
        raise NotFound(_l("Not found."))
    evidence = db.session.scalar(visible_evidence(viewer).where(Evidence.uuid == evidence_uuid))
    if evidence is None:
        raise NotFound(_l("Not found."))
    if variant == "original":
        if viewer.role not in SEES_ORIGINALS:
            raise Forbidden(_l("Original files are for auditors and the project group only."))
        ext = evidence.original_key.rsplit(".", 1)[-1]
        return Served(
            evidence.original_key, evidence.content_type, f"evidence-{evidence.uuid}.{ext}"
        )
    if variant == "display":
        ext = evidence.display_key.rsplit(".", 1)[-1]
        return Served(
            evidence.display_key, evidence.display_type, f"evidence-{evidence.uuid}-display.{ext}"
        )
    return Served(evidence.thumb_key, "image/jpeg", f"evidence-{evidence.uuid}-thumb.jpg")

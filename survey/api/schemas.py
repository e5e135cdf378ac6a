"""marshmallow schemas of the API's answers, from which the OpenAPI document is built."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..visits.schemas import ChecklistRefSchema, ReviewInputSchema, VisitInputSchema


class LocalizedSchema(Schema):
    kk = fields.String()
    ru = fields.String()
    en = fields.String()


class ErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(metadata={"description": "Messages per field; answers by item code."})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class OfficeSchema(Schema):
    code = fields.String(required=True)
    kind = fields.String(metadata={"enum": ["embassy", "consulate_general", "consulate", "other"]})
    country = fields.String(metadata={"description": "ISO 3166 alpha-2"})
    city = fields.String()
    name = fields.Nested(LocalizedSchema)
    timezone = fields.String()
    active = fields.Boolean()


class ChecklistSummarySchema(Schema):
    slug = fields.String(required=True)
    version = fields.Integer(required=True)
    title = fields.Nested(LocalizedSchema)
    sha256 = fields.String()


class AnswerSchema(Schema):
    value = fields.Raw(
        allow_none=True, metadata={"description": "yes|no|na, int, number, option code or text"}
    )
    comment = fields.String(allow_none=True)


class VisitSummarySchema(Schema):
    uuid = fields.UUID(required=True)
    office = fields.String(required=True)
    checklist = fields.Nested(ChecklistRefSchema)
    status = fields.String(
        metadata={"enum": ["draft", "submitted", "approved", "returned", "rejected"]}
    )
    visited_at = fields.DateTime()


class VisitSchema(VisitSummarySchema):
    answers = fields.Dict(keys=fields.String(), values=fields.Nested(AnswerSchema))
    score = fields.Float(allow_none=True)
    sections = fields.Dict(
        keys=fields.String(), values=fields.Float(allow_none=True), allow_none=True
    )
    critical = fields.Boolean()
    evidence = fields.List(fields.Dict())
    volunteer = fields.String(
        metadata={"description": "Pseudonym; auditors and project group only"}
    )


class SectionFigureSchema(Schema):
    score = fields.Float(allow_none=True)
    n = fields.Integer()


class ItemFigureSchema(Schema):
    pass_ = fields.Integer(data_key="pass")
    fail = fields.Integer()
    partial = fields.Integer()
    na = fields.Integer()
    rate = fields.Float(allow_none=True)
    rate_ci = fields.List(fields.Float(), allow_none=True)


class FindingCountsSchema(Schema):
    open = fields.Integer()
    in_progress = fields.Integer()
    implemented = fields.Integer()
    verified = fields.Integer()
    overdue = fields.Integer()


class RankingRowSchema(Schema):
    office = fields.String(required=True)
    n = fields.Integer()
    score = fields.Float(allow_none=True)
    score_ci = fields.List(fields.Float(), allow_none=True)
    critical = fields.Integer()


class OfficeScoresSchema(RankingRowSchema):
    period = fields.String(
        metadata={"description": "An office head's answer only: the quarter, as YYYY-Qn"}
    )
    sections = fields.Dict(keys=fields.String(), values=fields.Nested(SectionFigureSchema))
    items = fields.Dict(keys=fields.String(), values=fields.Nested(ItemFigureSchema))
    findings = fields.Nested(FindingCountsSchema)


class KpiFiguresSchema(Schema):
    """The recommendation KPIs of a period (docs/scoring.md, DESIGN §9). Shares are fractions
    of opened (null when nothing was opened); days have a fraction."""

    opened = fields.Integer(metadata={"description": "Findings opened in the period"})
    implemented = fields.Integer(
        metadata={"description": "Of those, implemented or verified at the period's end"}
    )
    verified = fields.Integer(metadata={"description": "Of those, verified at the period's end"})
    reopened = fields.Integer(metadata={"description": "Findings reopened during the period"})
    overdue = fields.Integer(
        metadata={"description": "Open or in progress at the period's end, past their due date"}
    )
    share_implemented = fields.Float(allow_none=True)
    share_verified = fields.Float(allow_none=True)
    median_days_to_fix = fields.Float(allow_none=True)
    recurrence_rate = fields.Float(allow_none=True)


class KpisSchema(KpiFiguresSchema):
    period = fields.String(
        metadata={"description": "YYYY-MM, YYYY-Qn, YYYY, or from/to as YYYY-MM-DD/YYYY-MM-DD"}
    )
    office = fields.String(allow_none=True, metadata={"description": "null: every office"})
    all_time = fields.Nested(
        KpiFiguresSchema, metadata={"description": "Only with all_time=1: first finding to today"}
    )


class EvidenceFilesSchema(Schema):
    display = fields.String()
    thumb = fields.String()
    original = fields.String(metadata={"description": "Auditors and the project group only"})


class EvidenceSchema(Schema):
    """An evidence entry. Anyone but auditors and the project group (the sender too) gets
    only uuid, kind, item and files (issue 12)."""

    uuid = fields.UUID(required=True)
    kind = fields.String(metadata={"enum": ["photo", "video"]})
    item = fields.String(allow_none=True)
    shown_to_office = fields.Boolean(
        metadata={"description": "Reviewers only: whether the office head is shown it"}
    )
    sha256 = fields.String()
    size = fields.Integer()
    content_type = fields.String()
    captured_at = fields.String(allow_none=True)
    flags = fields.List(fields.String(), metadata={"description": "capture_far_from_visit, reused"})
    files = fields.Nested(EvidenceFilesSchema)


class FindingEventSchema(Schema):
    at = fields.DateTime(metadata={"description": "Reviewers only"})
    on = fields.Date()
    action = fields.String()
    from_ = fields.String(allow_none=True, data_key="from")
    to = fields.String(allow_none=True)
    text = fields.String(allow_none=True)
    by = fields.String(allow_none=True, metadata={"description": "the actor's role"})


class ObservationSchema(Schema):
    month = fields.String(metadata={"description": "YYYY-MM"})
    result = fields.String(metadata={"enum": ["fail", "partial", "pass"]})
    visit = fields.UUID(metadata={"description": "Reviewers only"})
    visited_on = fields.Date(metadata={"description": "Reviewers only"})


class FindingSchema(Schema):
    """A finding. An office head gets only id, office, item, item_text, section, severity,
    status, recommendation, due_date, observations (month and result), evidence, responses and
    history (dates, no times): DESIGN §9, survey/domain/disclosure.py."""

    id = fields.Integer(required=True)
    office = fields.String()
    visit = fields.UUID(metadata={"description": "Reviewers only"})
    item = fields.String()
    item_text = fields.String(metadata={"description": "The item's question, caller's language"})
    section = fields.String()
    observations = fields.List(fields.Nested(ObservationSchema))
    severity = fields.String(metadata={"enum": ["critical", "major", "minor"]})
    status = fields.String(metadata={"enum": ["open", "in_progress", "implemented", "verified"]})
    recommendation = fields.String(metadata={"description": "In the caller's language"})
    recommendations = fields.Nested(LocalizedSchema)
    due_date = fields.Date()
    overdue = fields.Boolean()
    disputed = fields.Boolean()
    responses = fields.List(fields.Nested(FindingEventSchema))
    history = fields.List(fields.Nested(FindingEventSchema))
    evidence = fields.List(fields.Nested(EvidenceSchema))


class FindingResponseInputSchema(Schema):
    text = fields.String(required=True)
    status = fields.String(metadata={"enum": ["in_progress", "implemented"]})


class FindingVerifyInputSchema(Schema):
    decision = fields.String(required=True, metadata={"enum": ["verified", "reopened"]})
    note = fields.String(metadata={"description": "Required to reopen"})


class FindingBulkInputSchema(Schema):
    """Several findings at once (issue 13). verify: the project group, implemented findings
    only; due_date and note: auditors and the project group."""

    ids = fields.List(fields.Integer(), required=True, metadata={"description": "1 to 200 ids"})
    action = fields.String(required=True, metadata={"enum": ["verify", "due_date", "note"]})
    due_date = fields.Date(metadata={"description": "For due_date: today or later"})
    note = fields.String(metadata={"description": "Required for note; optional otherwise"})


class FindingBulkRefusalSchema(Schema):
    id = fields.Integer(required=True)
    message = fields.String(
        required=True, metadata={"description": "Why, in the caller's language"}
    )


class FindingBulkResultSchema(Schema):
    """Each finding is taken on its own: those changed, and those refused with a reason."""

    action = fields.String(required=True)
    done = fields.List(fields.Integer(), required=True)
    refused = fields.List(fields.Nested(FindingBulkRefusalSchema), required=True)


ALL = {
    "Error": ErrorSchema,
    "Office": OfficeSchema,
    "ChecklistSummary": ChecklistSummarySchema,
    "VisitInput": VisitInputSchema,
    "VisitSummary": VisitSummarySchema,
    "Visit": VisitSchema,
    "ReviewInput": ReviewInputSchema,
    "RankingRow": RankingRowSchema,
    "OfficeScores": OfficeScoresSchema,
    "Kpis": KpisSchema,
    "Evidence": EvidenceSchema,
    "Finding": FindingSchema,
    "FindingResponseInput": FindingResponseInputSchema,
    "FindingVerifyInput": FindingVerifyInputSchema,
    "FindingBulkInput": FindingBulkInputSchema,
    "FindingBulkResult": FindingBulkResultSchema,
}

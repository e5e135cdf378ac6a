"""The API's contract in marshmallow: every answer is dumped by one of these schemas
(contract.py), and the OpenAPI document is generated from them (openapi.py).

An answer schema reads the object given (a model, or a service's or shared presenter's dict);
a field that is not an attribute is computed by `compute_<field>`. Auditors and the project
group get every field; anyone else only the allow-list of domain/disclosure.py (`for_viewer`).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any, ClassVar

from marshmallow import EXCLUDE, Schema, fields, validate

from ..auth.models import User
from ..config import LOCALES
from ..domain import disclosure
from ..domain.answer_kinds import answer_value_field
from ..evidence.presenters import evidence_json
from ..evidence.services import evidence_of
from ..findings.models import FINDING_STATUSES, SEVERITIES
from ..findings.services import FINDING_SORTING
from ..offices.models import OFFICE_KINDS
from ..offices.services import office_sorting
from ..visits.models import STATUSES, Visit
from ..visits.schemas import ChecklistRefSchema
from ..visits.services import VISIT_SORTING, visited_at_local

REVIEWERS = ("auditor", "project_group")
SCORED_STATUSES = ("submitted", "approved", "rejected")


def allowed(schema: type[Schema], shape: dict[str, Any], prefix: str = "") -> list[str]:
    """`only` for an allow-list of domain/disclosure.py: the dotted names of what it allows
    (`"*"` stands for the keys of a Dict field). Raises ValueError for a key the schema lacks,
    so that the schema and the allow-list cannot drift apart."""
    by_key = {f.data_key or name: (name, f) for name, f in schema._declared_fields.items()}
    if unknown := set(shape) - set(by_key):
        raise ValueError(f"{schema.__name__} has no {sorted(unknown)}")
    names = []
    for key, inner in shape.items():
        name, field = by_key[key]
        inner = inner[0] if isinstance(inner, list) else inner
        inner = inner["*"] if isinstance(inner, dict) and "*" in inner else inner
        # A Nested, or a List or Dict of Nested: the schema the allow-list goes on into.
        held = getattr(field, "inner", None) or getattr(field, "value_field", None) or field
        if inner is None:
            names.append(prefix + name)
        elif not isinstance(held, fields.Nested):
            raise ValueError(f"{schema.__name__}.{name} is not an object")
        else:
            names += allowed(held.nested, inner, f"{prefix}{name}.")  # type: ignore[arg-type]
    return names


class ApiSchema(Schema):
    """An answer. `allow_list`: what anyone but auditors and the project group may see."""

    allow_list: ClassVar[disclosure.Shape] = None

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        compute = getattr(self, f"compute_{attr}", None)
        return compute(obj) if compute else super().get_attribute(obj, attr, default)

    @classmethod
    def for_viewer(cls, viewer: User) -> ApiSchema:
        """The schema for this reader: every field, or only the allow-list's."""
        if not isinstance(cls.allow_list, dict) or viewer.role in REVIEWERS:
            return cls()
        return cls(only=allowed(cls, cls.allow_list))


def _text(description: str, **kwargs: Any) -> fields.String:
    return fields.String(metadata={"description": description}, **kwargs)


def _choice(values: Any, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(list(values)), **kwargs)


def _day(description: str = "YYYY-MM-DD", **kwargs: Any) -> fields.String:
    return fields.String(metadata={"format": "date", "description": description}, **kwargs)


class LocalizedSchema(ApiSchema):
    kk = fields.String()
    ru = fields.String()
    en = fields.String()


class ErrorBodySchema(ApiSchema):
    code = fields.String(required=True)
    message = _text("In the caller's language", required=True)
    fields_ = fields.Dict(data_key="fields", required=True, metadata={"description": "By field"})


class ErrorSchema(ApiSchema):
    """Every refusal: {"error": {"code", "message", "fields"}} (DESIGN §7)."""

    error = fields.Nested(ErrorBodySchema, required=True)


class OfficeSchema(ApiSchema):
    code = fields.String(required=True)
    kind = _choice(OFFICE_KINDS, required=True)
    country = _text("ISO 3166 alpha-2", required=True)
    city = fields.String(required=True)
    name = fields.Nested(LocalizedSchema, required=True)
    timezone = fields.String(required=True)
    active = fields.Boolean(required=True)

    def compute_name(self, office: Any) -> dict[str, str]:
        return {lang: getattr(office, f"name_{lang}") for lang in LOCALES}


class ChecklistSummarySchema(ApiSchema):
    slug = fields.String(required=True)
    version = fields.Integer(required=True)
    title = fields.Nested(LocalizedSchema, attribute="spec_data.title", required=True)
    sha256 = fields.String(attribute="source_sha256", required=True)


class ChecklistSchema(ChecklistSummarySchema):
    """A checklist definition as loaded, in the checklist format (DESIGN §3, docs/checklists.md),
    with the SHA-256 of its source."""

    scoring = fields.Dict(attribute="spec_data.scoring", allow_none=True)
    sections = fields.List(fields.Dict(), attribute="spec_data.sections", required=True)


class AnswerSchema(ApiSchema):
    value = answer_value_field()  # one schema per answer kind (domain/answer_kinds.py)
    comment = fields.String(allow_none=True)


class EvidenceFilesSchema(ApiSchema):
    display = fields.String(required=True)
    thumb = fields.String(required=True)
    original = _text("Auditors and the project group only")


class EvidenceSchema(ApiSchema):
    """An evidence entry (evidence/presenters.py). Anyone but auditors and the project group
    (the sender too) gets only uuid, kind, item and files (issue 12)."""

    allow_list = disclosure.EVIDENCE
    uuid = fields.UUID(required=True)
    kind = _choice(("photo", "video"), required=True)
    item = fields.String(allow_none=True, required=True)
    files = fields.Nested(EvidenceFilesSchema, required=True)
    shown_to_office = fields.Boolean(metadata={"description": "Whether the office is shown it"})
    sha256 = _text("Of the bytes received")
    size = fields.Integer()
    content_type = fields.String()
    captured_at = _text("ISO 8601, with the camera's offset where known", allow_none=True)
    flags = fields.List(fields.String(), metadata={"description": "capture_far_from_visit, reused"})


class ReviewSchema(ApiSchema):
    note = fields.String(required=True)
    reviewed_at = fields.DateTime(allow_none=True)


class VisitSummarySchema(ApiSchema):
    uuid = fields.UUID(required=True)
    office = fields.String(attribute="office.code", required=True)
    checklist = fields.Nested(ChecklistRefSchema, required=True)
    status = _choice(STATUSES, required=True)
    visited_at = fields.DateTime(required=True, metadata={"description": "In its own offset"})

    def compute_visited_at(self, visit: Visit) -> Any:
        return visited_at_local(visit)


class VisitSchema(VisitSummarySchema):
    """A whole visit. Until it is submitted, score and sections are null, critical false.
    `volunteer` (the pseudonym) for auditors and the project group only."""

    answers = fields.Dict(keys=fields.String(), values=fields.Nested(AnswerSchema), required=True)
    score = fields.Float(allow_none=True, required=True)
    sections = fields.Dict(
        keys=fields.String(), values=fields.Float(allow_none=True), allow_none=True, required=True
    )
    critical = fields.Boolean(required=True)
    evidence = fields.List(fields.Nested(EvidenceSchema), required=True)
    volunteer = _text("The pseudonym; auditors and the project group only")
    review = fields.Nested(ReviewSchema, allow_none=True, metadata={"description": "Last note"})

    def __init__(self, viewer: User | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.viewer = viewer  # who reads the evidence entries (None: documentation only)

    @classmethod
    def for_viewer(cls, viewer: User) -> ApiSchema:
        if viewer.role in REVIEWERS:
            return cls(viewer=viewer)
        shape: dict[str, Any] = {key: None for key in cls._declared_fields if key != "volunteer"}
        shape["evidence"] = [disclosure.EVIDENCE]
        if viewer.role == "office_head":  # never shown a visit (404); were one to slip through
            shape.pop("review")
            shape["answers"] = {"*": {"value": None}}
        return cls(viewer=viewer, only=allowed(cls, shape))

    def compute_answers(self, visit: Visit) -> dict[str, Any]:
        return {answer.item_code: answer for answer in visit.answers}

    def compute_score(self, visit: Visit) -> float | None:
        return visit.score if visit.status in SCORED_STATUSES else None

    def compute_sections(self, visit: Visit) -> dict[str, float | None] | None:
        scored = visit.status in SCORED_STATUSES
        return {s.section_code: s.score for s in visit.section_scores} if scored else None

    def compute_critical(self, visit: Visit) -> bool:
        return bool(visit.critical) and visit.status in SCORED_STATUSES

    def compute_evidence(self, visit: Visit) -> list[dict[str, Any]]:
        return [evidence_json(e, self.viewer) for e in evidence_of(visit)]  # type: ignore[arg-type]

    def compute_volunteer(self, visit: Visit) -> str:
        return visit.volunteer.pseudonym or f"U-{visit.volunteer_id}"

    def compute_review(self, visit: Visit) -> dict[str, Any] | None:
        if not visit.review_note:
            return None
        reviewed = visit.reviewed_at.replace(tzinfo=UTC) if visit.reviewed_at else None
        return {"note": visit.review_note, "reviewed_at": reviewed}


class SectionFigureSchema(ApiSchema):
    score = fields.Float(allow_none=True, required=True)
    n = fields.Integer(required=True)


class ItemFigureSchema(ApiSchema):
    """Counts and rate of an item's answers; all null for an office head below 3 answers."""

    pass_ = fields.Integer(data_key="pass", attribute="pass", allow_none=True)
    fail = fields.Integer(allow_none=True)
    partial_ = fields.Integer(data_key="partial", attribute="partial", allow_none=True)
    na = fields.Integer(allow_none=True)
    rate = fields.Float(allow_none=True)
    rate_ci = fields.List(fields.Float(), allow_none=True)


class FindingCountsSchema(ApiSchema):
    open = fields.Integer()
    in_progress = fields.Integer()
    implemented = fields.Integer()
    verified = fields.Integer()
    overdue = fields.Integer()


class RankingRowSchema(ApiSchema):
    """An office's figures; an office head's are of one ended quarter (`period`), each
    withheld (null) below 3 approved visits."""

    allow_list = disclosure.RANKED
    office = fields.String(required=True)
    period = _text("An office head's answer only: the quarter, YYYY-Qn")
    n = fields.Integer(required=True)
    score = fields.Float(allow_none=True)
    score_ci = fields.List(fields.Float(), allow_none=True)
    critical = fields.Integer(allow_none=True)


class OfficeScoresSchema(RankingRowSchema):
    allow_list = disclosure.FIGURES
    sections = fields.Dict(keys=fields.String(), values=fields.Nested(SectionFigureSchema))
    items = fields.Dict(keys=fields.String(), values=fields.Nested(ItemFigureSchema))
    findings = fields.Nested(FindingCountsSchema)


class KpiFiguresSchema(ApiSchema):
    """The recommendation KPIs of a period (docs/scoring.md, DESIGN §9). Shares are fractions
    of opened (null when nothing was opened); days have a fraction."""

    opened = fields.Integer(metadata={"description": "Findings opened in the period"})
    implemented = fields.Integer(metadata={"description": "Of those, implemented or verified"})
    verified = fields.Integer(metadata={"description": "Of those, verified at the period's end"})
    reopened = fields.Integer(metadata={"description": "Findings reopened during the period"})
    overdue = fields.Integer(metadata={"description": "Open or in progress past their due date"})
    share_implemented = fields.Float(allow_none=True)
    share_verified = fields.Float(allow_none=True)
    median_days_to_fix = fields.Float(allow_none=True)
    recurrence_rate = fields.Float(allow_none=True)


class KpisSchema(KpiFiguresSchema):
    allow_list = disclosure.KPIS
    period = _text("YYYY-MM, YYYY-Qn, YYYY, or YYYY-MM-DD/YYYY-MM-DD")
    office = _text("null: every office", allow_none=True)
    all_time = fields.Nested(
        KpiFiguresSchema, metadata={"description": "Only with all_time=1: first finding to today"}
    )


class FindingEventSchema(ApiSchema):
    at = _text("UTC, ISO 8601 without offset; auditors and the project group only")
    on = _day()
    action = fields.String(required=True)
    from_ = fields.String(data_key="from", attribute="from", allow_none=True)
    to = fields.String(allow_none=True)
    text = fields.String(allow_none=True)
    by = _text("The actor's role", allow_none=True)


class ObservationSchema(ApiSchema):
    month = _text("YYYY-MM", required=True)
    result = _choice(("fail", "partial", "pass"), required=True)
    visit = fields.UUID(metadata={"description": "Auditors and the project group only"})
    visited_on = _day("Auditors and the project group only")


class FindingSchema(ApiSchema):
    """A finding (findings/presenters.py). An office head gets only the allow-list of DESIGN
    §9 (domain/disclosure.FINDING): observations by month, no visit, no day or time."""

    allow_list = disclosure.FINDING
    id = fields.Integer(required=True)
    office = fields.String(required=True)
    visit = fields.UUID(metadata={"description": "The first visit that failed the item"})
    item = fields.String(required=True)
    item_text = _text("The item's question, in the caller's language", allow_none=True)
    section = fields.String(allow_none=True)
    severity = _choice(SEVERITIES, required=True)
    status = _choice(FINDING_STATUSES, required=True)
    recommendation = _text("In the caller's language", required=True)
    recommendations = fields.Nested(LocalizedSchema)
    due_date = _day(required=True)
    overdue = fields.Boolean()
    disputed = fields.Boolean()
    recurrence_of = fields.Integer(allow_none=True, metadata={"description": "A finding's id"})
    recheck_required = fields.Boolean()
    observations = fields.List(fields.Nested(ObservationSchema), required=True)
    evidence = fields.List(fields.Nested(EvidenceSchema), required=True)
    responses = fields.List(fields.Nested(FindingEventSchema), required=True)
    history = fields.List(fields.Nested(FindingEventSchema), required=True)


class FindingBulkRefusalSchema(ApiSchema):
    id = fields.Integer(required=True)
    message = _text("Why, in the caller's language", required=True)


class FindingBulkResultSchema(ApiSchema):
    """Each finding is taken on its own: those changed, and those refused with a reason."""

    action = fields.String(required=True)
    done = fields.List(fields.Integer(), required=True)
    refused = fields.List(fields.Nested(FindingBulkRefusalSchema), required=True)


BINARY = {"type": "string", "format": "binary"}


class InputSchema(Schema):
    """A request body or query; keys it does not name are ignored, not refused."""

    class Meta:
        unknown = EXCLUDE


def _input(name: str, **declared: fields.Field) -> type[Schema]:
    return InputSchema.from_dict(declared, name=name)


def _sort(keys: tuple[str, ...]) -> fields.String:
    return _choice([*keys, *(f"-{k}" for k in keys)], metadata={"description": "-: descending"})


FindingResponseInputSchema = _input(
    "FindingResponseInput",
    text=fields.String(required=True),
    status=_choice(("in_progress", "implemented")),
)
FindingDisputeInputSchema = _input(
    "FindingDisputeInput", text=_text("Why the office disagrees", required=True)
)
FindingVerifyInputSchema = _input(
    "FindingVerifyInput",
    decision=_choice(("verified", "reopened"), required=True),
    note=_text("Required to reopen"),
)
FindingEditInputSchema = _input(
    "FindingEditInput", recommendations=fields.Nested(LocalizedSchema, required=True)
)
FindingMergeInputSchema = _input("FindingMergeInput", into=fields.Integer(required=True))
FindingBulkInputSchema = _input(
    "FindingBulkInput",
    ids=fields.List(fields.Integer(), required=True, metadata={"description": "1 to 200 ids"}),
    action=_choice(("verify", "due_date", "note"), required=True),
    due_date=_day("For due_date (auditors, the project group): today or later"),
    note=_text("Required for note; optional otherwise"),
)
FileFormSchema = _input("FileForm", file=fields.Raw(required=True, metadata=BINARY))
ATTACHED = {
    "item": _text("The item it shows; none: the whole visit"),
    "uuid": fields.UUID(metadata={"description": "Made by the client: a repeat is safe"}),
}
EvidenceUploadSchema = _input(
    "EvidenceUpload", upload=_text("A finished resumable upload's id", required=True), **ATTACHED
)
EvidenceFormSchema = _input(
    "EvidenceForm",
    file=fields.Raw(metadata=BINARY),
    upload=_text("A finished resumable upload's id, in place of file"),
    **ATTACHED,
)
PAGING = {
    "limit": fields.Integer(validate=validate.Range(0, 200), metadata={"description": "Rows"}),
    "offset": fields.Integer(validate=validate.Range(0, 999_999_999)),
}
PERIOD = {
    "from": _day("From this day; alone: to today"),
    "to": _day("To this day; alone: from the first"),
    "period": fields.String(
        validate=validate.Regexp(r"^\d{4}(-\d{2}|-Q[1-4])?$"),
        metadata={"description": "YYYY-MM, YYYY-Qn or YYYY, instead of from/to"},
    ),
}
LISTED = {
    **PAGING,
    "q": _text("Words of the office's name in kk, ru or en, or of its code"),
    "country": _text("ISO 3166 alpha-2 of the office's country"),
}
PagingQuerySchema = _input("PagingQuery", **PAGING)
PeriodQuerySchema = _input("PeriodQuery", **PERIOD)
ScoresQuerySchema = _input("ScoresQuery", **PERIOD, **PAGING)
OfficeQuerySchema = _input(
    "OfficeQuery",
    **LISTED,
    kind=_choice(OFFICE_KINDS),
    active=_choice(("1", "0")),
    sort=_sort(office_sorting().keys),
)
VisitQuerySchema = _input(
    "VisitQuery",
    **LISTED,
    office=_text("An office code"),
    status=_choice(STATUSES),
    checklist=_text("A checklist slug"),
    period=_text("YYYY-MM, YYYY-Qn or YYYY: the visit's own date in it"),
    sort=_sort(VISIT_SORTING.keys),
)
FindingQuerySchema = _input(
    "FindingQuery",
    **LISTED,
    office=_text("An office code"),
    section=_text("A section code"),
    item=_text("An item code"),
    status=_choice(FINDING_STATUSES),
    severity=_choice(SEVERITIES),
    overdue=_choice(("1", "0"), metadata={"description": "1: past the due date"}),
    period=_text("YYYY-MM, YYYY-Qn or YYYY: opened in it"),
    sort=_sort(FINDING_SORTING.keys),
)
KpiQuerySchema = _input(
    "KpiQuery",
    **PERIOD,
    office=_text("An office code; absent: every office (an office head: their own)"),
    all_time=_choice(("0", "1"), metadata={"description": "1: add first finding to today"}),
)
ExportQuerySchema = _input(
    "ExportQuery", **PERIOD, lang=_choice(LOCALES, metadata={"description": "Default: yours"})
)

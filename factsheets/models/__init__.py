from factsheets.models.addresses import FormerSlug, LegacyAddress
from factsheets.models.imports import ImportRecord
from factsheets.models.reference import Bureau, Country, NaturalKeyManager
from factsheets.models.rows import (
    AssistanceLine,
    Official,
    OrderedChild,
    RelatedLink,
    Section,
)
from factsheets.models.sheets import (
    DISPLAYED_ROWS,
    PUBLIC_UPDATED_AT,
    EditConflict,
    FactSheet,
    FactSheetQuerySet,
    Incomplete,
)
from factsheets.models.workflow import (
    ChangeNote,
    EditingSession,
    PreviewLink,
    ReviewStep,
)

__all__ = [
    "ChangeNote",
    "DISPLAYED_ROWS",
    "EditConflict",
    "EditingSession",
    "FormerSlug",
    "Incomplete",
    "LegacyAddress",
    "PreviewLink",
    "ReviewStep",
    "PUBLIC_UPDATED_AT",
    "AssistanceLine",
    "Bureau",
    "Country",
    "FactSheet",
    "FactSheetQuerySet",
    "ImportRecord",
    "NaturalKeyManager",
    "Official",
    "OrderedChild",
    "RelatedLink",
    "Section",
]

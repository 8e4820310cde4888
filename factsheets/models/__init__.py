from factsheets.models.imports import ImportRecord
from factsheets.models.reference import Bureau, Country, NaturalKeyManager
from factsheets.models.rows import (
    AssistanceLine,
    Official,
    OrderedChild,
    RelatedLink,
    Section,
)
from factsheets.models.sheets import FactSheet, FactSheetQuerySet

__all__ = [
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

from django import template

from factsheets.charts import sheet_chart

register = template.Library()


@register.simple_tag
def assistance_chart(layout):
    """The bar chart of a sheet's assistance lines, or None with fewer than two."""
    return sheet_chart(layout.assistance_lines, layout.assistance_caption)

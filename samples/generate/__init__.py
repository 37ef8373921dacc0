"""Sample generator: logical layout of a form (layout), synthetic forms (synth), text/HTML renderers (text).

    python -m samples.generate variants --out samples/variants
"""

from samples.generate.layout import LCell, Style, Table, check_table, expected_form, expected_result, layout

__all__ = ["LCell", "Style", "Table", "check_table", "expected_form", "expected_result", "layout"]

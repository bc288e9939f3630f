"""Excel in and out for the key-work ledger: the county's decomposition sheet (任务分解表) layout.

`columns` defines the layout both ways, `reader` reads a county's sheet, `matching` finds the units and
leaders it names, `export` writes the ledger; `duban.ledger.importing` plans and applies an import.
"""

from duban.ledger.excel.export import export_ledger, export_queryset, ledger_title

__all__ = ["export_ledger", "export_queryset", "ledger_title"]

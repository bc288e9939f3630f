"""Excel in and out for the hazard ledger (隐患排查整改台账), in the county's columns: `columns` defines the layout
both ways, `sheet` reads a county's sheet, `plan` checks and writes an import through the services, `export`
writes the ledger through the list page's FilterSet. The safe reading, cell parsing, streaming writer and
staging they stand on are `duban.core.excel`'s.
"""

"""The county's project sheet (重点项目推进表) in and out: `columns` defines the layout both ways (the month pairs
"N月计划投资/N月完成投资" included), `sheet` reads a county's sheet (title rows, a one- or two-row header, 万元 or
亿元), `plan` checks and writes an import through the services, `export` writes the ledger through the list's
FilterSet, `cli` is `duban import projects` / `duban export projects`. The safe reading, cell parsing,
streaming writer and staging they stand on are `duban.core.excel`'s.
"""

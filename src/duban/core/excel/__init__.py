"""Excel in and out, shared by every ledger that has a sheet: `archive` reads an upload safely (caps against
zip bombs, merged cells filled in) and finds its header, `cells` reads dates and amounts as counties write them,
`xlsx` streams a large export (formula-like text kept text), `staging` keeps a read upload signed between preview
and confirm, `plan` is what an import's plan, problems and all-or-nothing write share, `upload` the upload form
and the pages (export; upload → preview → confirm), `commands` the `duban import/export KIND` runs.
Each app lays its own columns, row checks and writes on top (duban.ledger.excel, duban.projects.excel,
duban.safety.excel)."""

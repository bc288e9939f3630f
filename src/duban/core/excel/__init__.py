"""Excel in and out, shared by every ledger that has a sheet: `archive` reads an upload safely (caps against
zip bombs, merged cells filled in), `cells` reads dates and amounts as counties write them, `xlsx` streams a
large export (formula-like text kept text), `staging` keeps a read upload signed between preview and confirm.
Each app lays its own columns on top (duban.ledger.excel, duban.safety.excel)."""

"""Data generators and benchmarks of SPEC §9 (`make bench` = `python -m bench`).

- `bench.generate`: load generation — 100k tasks and 1M progress reports written straight into the tables in
  one transaction (not through the services: this is volume, not behaviour), then ANALYZE.
- `bench.ledger_list`: the ledger list page's server time for the four shapes of issue 3, against its floor
  (the same query in raw SQL plus an empty Django page), measured in the same run.
- `bench/excel_bench.py`: Excel import and export (a script of its own).
"""

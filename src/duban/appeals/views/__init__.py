"""The appeals desk's pages: `public` (the enterprise's, no account), `desk` (the business office's queues and
entry), `pages` (list, appeal page, one action page per transition), `metrics` (the rates)."""

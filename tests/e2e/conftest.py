"""Browser tests: Debian's Chromium driven by Playwright; the fixtures live in tests/browser.py."""

#!/usr/bin/env bash
# Re-extract every translatable string (templates and Python; there is no JavaScript with gettext, so no
# djangojs domain) into the English catalogue and compile it: `make messages`.
#
# New msgids come out with an empty msgstr, changed ones as "#, fuzzy" with the previous msgid beside them:
# translate those in src/duban/locale/en/LC_MESSAGES/django.po (drop the fuzzy flag), run this again, and
# commit django.po and django.mo (a deploy machine may have no msgfmt). tests/core/test_i18n.py fails and
# lists every msgid still untranslated or fuzzy. Needs GNU gettext (xgettext, msgmerge, msgfmt).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
export PYTHONPATH="$root/src${PYTHONPATH:+:$PYTHONPATH}"
if [ -z "${DUBAN_DATA_DIR:-}" ]; then  # settings create the data dir; nothing of it is needed here
  DUBAN_DATA_DIR="$(mktemp -d)"; export DUBAN_DATA_DIR; trap 'rm -rf "$DUBAN_DATA_DIR"' EXIT
fi
cd "$root/src/duban"  # makemessages walks the current directory; LOCALE_PATHS is src/duban/locale
# --add-location file: no line numbers, so moving code does not rewrite the catalogue (fewer merge conflicts)
"$python" -m duban manage makemessages --locale en --domain django --ignore 'static/*' --ignore 'var/*' \
  --no-wrap --no-obsolete --add-location file --verbosity 0
"$python" -m duban manage compilemessages --locale en --verbosity 0
msgfmt --statistics --output-file /dev/null locale/en/LC_MESSAGES/django.po

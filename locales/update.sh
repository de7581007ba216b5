#!/usr/bin/env sh
# Refresh the gettext templates and catalogs after changing user-facing strings, then translate the new entries
# (fr, ee; en = msgid) and check with:  pybabel compile -d locales --statistics   (then delete the .mo files:
# the bot compiles the .po files in memory at start).
# Keywords: _ and N_ mark messages; Translator.html/nhtml translate Telegram-HTML messages.
set -eu
cd "$(dirname "$0")/.."
pybabel extract -F babel.cfg -k N_ -k html -k nhtml:1,2 --no-wrap --sort-by-file \
    -o locales/messages.pot --project=Passerelle --copyright-holder="Passerelle contributors" .
pybabel update -D messages -i locales/messages.pot -d locales --no-wrap --ignore-obsolete
pybabel extract -F babel-prompts.cfg -k N_ --no-wrap --sort-by-file \
    -o locales/prompts.pot --project=Passerelle --copyright-holder="Passerelle contributors" .
pybabel update -D prompts -i locales/prompts.pot -d locales --no-wrap --ignore-obsolete

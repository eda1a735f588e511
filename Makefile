# The two commands of the README. Both work on a fresh Debian machine with Python >= 3.11.
# `make run` serves with gunicorn (`yipanqi serve`); `python app.py` is the development server.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test install install-spark translations

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

# The optional Spark engine (PySpark, ~460 MB, built once into pip's wheel cache); Java 17 comes
# from Debian (scripts/test.sh installs it for the tests).
$(VENV)/.spark-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test,spark]"
	touch $@

install-spark: $(VENV)/.spark-installed

run: install
	$(VENV)/bin/yipanqi serve $(ARGS)

test:
	bash scripts/test.sh

# The gettext catalogues (dashboard/locale): collect the msgids, merge them into each catalogue,
# compile. Fill in the new msgstr of dashboard/locale/zh/LC_MESSAGES/messages.po before compiling;
# tests/dashboard/test_translations.py fails while one is missing or the .mo is stale.
translations: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
		--width 100 --project=Yipanqi -o dashboard/locale/messages.pot .
	$(VENV)/bin/pybabel update -i dashboard/locale/messages.pot -d dashboard/locale \
		--width 100 --ignore-obsolete --no-fuzzy-matching
	$(VENV)/bin/pybabel compile -d dashboard/locale --statistics

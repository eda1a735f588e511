# The two commands of the README. Both work on a fresh Debian machine with Python >= 3.11.
# `make run` serves with gunicorn (`yipanqi serve`); `python app.py` is the development server.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test install

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(VENV)/bin/yipanqi serve $(ARGS)

test:
	bash scripts/test.sh

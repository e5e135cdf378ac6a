# Two commands matter: `make run` and `make test` (see README.md).
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install install-test translations run serve test lint extract-messages system-deps bench clean

install: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e .
	touch $@

install-test: $(VENV)/.installed-test

$(VENV)/.installed-test: $(VENV)/.installed setup.cfg
	$(PIP) install -e '.[test]'
	touch $@

translations: install
	$(VENV)/bin/pybabel compile -d survey/translations >/dev/null

run: install translations
	$(VENV)/bin/survey db upgrade
	$(VENV)/bin/survey checklists load
	$(VENV)/bin/survey demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C stops)"
	$(VENV)/bin/gunicorn --workers 2 --worker-class gthread --threads 4 --timeout 300 \
	  --bind $(HOST):$(PORT) --access-logfile - --log-level warning 'survey:create_app()'

system-deps:
	./scripts/system-deps.sh

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check survey tests bench
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

test: install-test system-deps translations lint
	SURVEY_REQUIRE_POSTGRES=1 $(PY) -m pytest --cov=survey --cov-report=term:skip-covered $(PYTEST_ARGS)

# Rebuild the catalogue template and merge it into kk, ru and en (then translate the new lines).
# Locations and "Translators:" comments stay in the catalogues: they are the translator's context.
extract-messages: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_pgettext:1c,2 \
	  --add-comments=Translators: --sort-by-file \
	  -o survey/translations/messages.pot survey
	$(VENV)/bin/pybabel update -i survey/translations/messages.pot -d survey/translations \
	  --no-fuzzy-matching --ignore-obsolete

bench: install
	$(PY) bench/office_figures.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .mypy_cache .coverage

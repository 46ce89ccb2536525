# Region Portal: `make run` serves the portal on its embedded default, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export PORTAL_DATA_DIR ?= $(CURDIR)/data

.PHONY: run test lint venv migrate clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.installed

# A secret key is made once per install and kept in data/, never printed.
$(PORTAL_DATA_DIR)/secret_key:
	mkdir -p $(PORTAL_DATA_DIR)
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

run: venv $(PORTAL_DATA_DIR)/secret_key
	SECRET_KEY="$${SECRET_KEY:-$$(cat $(PORTAL_DATA_DIR)/secret_key)}" $(PY) manage.py migrate --noinput
	SECRET_KEY="$${SECRET_KEY:-$$(cat $(PORTAL_DATA_DIR)/secret_key)}" $(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Region Portal: http://$(HOST):$(PORT)/"
	SECRET_KEY="$${SECRET_KEY:-$$(cat $(PORTAL_DATA_DIR)/secret_key)}" $(VENV)/bin/gunicorn portal.wsgi \
		--bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-2} --access-logfile -

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

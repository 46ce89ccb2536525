# Region Portal: `make run` serves the portal on its embedded default, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export PORTAL_DATA_DIR ?= $(CURDIR)/data

.PHONY: run test lint venv libvirt chromium cloud clean

$(VENV)/.installed: pyproject.toml | libvirt
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
		--bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-2} --threads 4 --access-logfile -

# libvirt-python (the KVM hosts' driver) builds against libvirt's headers, found through
# pkg-config; on a Debian machine run as root they are installed here.
libvirt:
	@pkg-config --exists libvirt 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libvirt-dev pkg-config >/dev/null; \
	  else \
	    echo "libvirt-python builds against libvirt: install Debian's libvirt-dev and pkg-config"; \
	    echo "packages (apt-get install libvirt-dev pkg-config), then run make again."; exit 1; \
	  fi; }

# Browser tests drive Debian's Chromium; on a Debian machine run as root it is installed here.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Browser tests need Chromium: install Debian's chromium package, or run"; \
	    echo "  make test PYTEST_ARGS=\"-m 'not browser'\""; exit 1; \
	  fi; }

test: venv chromium
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# Three regions on this machine, joined: http://127.0.0.1:8101, :8102, :8103 (PostgreSQL and
# Redis must be running). Admin: `admin` with $PORTAL_ADMIN_PASSWORD (default Region-Portal-2026).
cloud: venv
	$(PY) -m tools.localcloud

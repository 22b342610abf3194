# The two commands of the README: `make run` and `make test`. Both set everything up themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
DEMO_PASSWORD ?= demo-password
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test check messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

# Runs the app on http://$(HOST):$(PORT)/ with the demo data; on the embedded PostgreSQL under
# ./var/ unless DATABASE_URL is set. No autoreloader: its parent would SIGKILL the server process
# on Ctrl-C before that process could stop the embedded database.
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --password "$(DEMO_PASSWORD)"
	$(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

# Runs the whole test suite, browser tests included (they need Debian's chromium).
test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

# Lint, format, migrations, deploy settings and the translation catalogue.
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	DJANGO_SETTINGS_MODULE=config.settings.production \
	DJANGO_SECRET_KEY="ci-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=')" \
	DJANGO_ALLOWED_HOSTS=example.org \
	DATABASE_URL=$${DATABASE_URL:-postgres://unused@127.0.0.1:1/unused} \
	$(BIN)/python manage.py check --deploy --fail-level WARNING
	.ci/check-messages

# Refreshes the zh-hans catalogue after changing translatable text; then translate and compile.
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans --no-location --no-wrap --no-obsolete \
		--ignore=.venv --ignore=var --ignore=tests
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv --ignore=var

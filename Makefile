# `make test` and `make report` work on a fresh machine with only python3.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: test lint typecheck pytest report bench clean lab notebooks crosscheck

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,notebooks,xlsx,spss]"
	touch $(STAMP)

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools data notebooks docs
	$(BIN)/ruff format --check src tests benchmarks tools data notebooks docs

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	MPLBACKEND=Agg $(BIN)/pytest

# JupyterLab on the numbered notebooks (the .ipynb open as notebooks; jupytext pairs the .py)
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

# execute every numbered notebook and write its .ipynb with outputs (charts inline)
notebooks: $(STAMP)
	env -u MPLBACKEND $(BIN)/python notebooks/build_notebooks.py

report: $(STAMP)
	MPLBACKEND=Agg $(BIN)/gpcollab reproduce --out report/

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_domains.py
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_bootstrap.py
	$(BIN)/python benchmarks/bench_report.py
	$(BIN)/python benchmarks/bench_widget.py
	$(BIN)/python benchmarks/bench_analyses.py

# the engine against an installed R (Rscript with survey and jsonlite) on random designs
crosscheck: $(STAMP)
	$(BIN)/python tools/r_crosscheck.py

clean:
	rm -rf $(VENV) report build dist .mypy_cache .pytest_cache .ruff_cache

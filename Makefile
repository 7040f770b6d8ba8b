# `make test` and `make report` work on a fresh machine with only python3.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: test lint typecheck pytest report bench clean lab notebooks crosscheck docs

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

# JupyterLab on the numbered notebooks (the .ipynb open as notebooks; jupytext pairs the .py).
# `make lab PORT=8899 LAB_ARGS="--no-browser --ip=0.0.0.0"`; as root (uid 0) --allow-root is added.
PORT     ?= 8888
LAB_ARGS ?=
ROOT_ARG := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(STAMP)
	$(BIN)/python -m jupyter lab notebooks/ --port=$(PORT) $(ROOT_ARG) $(LAB_ARGS)

# execute every numbered notebook and write its .ipynb with outputs (charts inline)
notebooks: $(STAMP)
	env -u MPLBACKEND $(BIN)/python notebooks/build_notebooks.py

# the documentation site (Sphinx, warnings are errors) into build/docs/html; offline
DOCS_STAMP := $(VENV)/.docs-installed
$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	MPLBACKEND=Agg $(BIN)/python -m sphinx -W --keep-going -q -b html docs/site build/docs/html
	@echo "open build/docs/html/index.html"

report: $(STAMP)
	MPLBACKEND=Agg $(BIN)/gpcollab reproduce --out report/

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_domains.py
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_bootstrap.py
	$(BIN)/python benchmarks/bench_report.py
	$(BIN)/python benchmarks/bench_widget.py
	$(BIN)/python benchmarks/bench_analyses.py
	$(BIN)/python benchmarks/bench_replicate.py --quick --no-r

# the engine against an installed R (Rscript with survey and jsonlite) on random designs
crosscheck: $(STAMP)
	$(BIN)/python tools/r_crosscheck.py

clean:
	rm -rf $(VENV) report build dist .mypy_cache .pytest_cache .ruff_cache

# Two commands for a new user: `make diagrams` and `make test`. Each sets up what it needs.
# `make diagrams` installs only what rendering needs: Graphviz `dot` and fonts from apt, and the
# package with its runtime dependencies in .venv. `make test` adds the `test` extra (linters,
# Sphinx, MkDocs, the frameworks), Chromium and Firefox.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
SYSTEM_STAMP := $(VENV)/.system
BROWSERS_STAMP := $(VENV)/.browsers
APT_PACKAGES := graphviz fontconfig fonts-nanum fonts-dejavu-core
BROWSER_PACKAGES := chromium chromium-driver firefox-esr
# LaTeX for the TikZ backend's tests (lualatex, TikZ, fontspec; pdftotext reads the PDFs back)
TEX_PACKAGES := texlive-latex-base texlive-pictures texlive-luatex poppler-utils
TEX_STAMP := $(VENV)/.tex

.PHONY: setup setup-test system browsers tex diagrams gallery slides test lint bench bench-watch fuzz measure determinism schema golden clean

SPECS := $(wildcard specs/*.yaml)
PACKAGE_FILES := $(shell find rnndiagrams -name '*.py' -o -name '*.json' | sort)
NPROC := $(shell nproc 2>/dev/null || echo 1)

setup: system $(STAMP) $(VENV)/.compiled
setup-test: setup browsers tex $(TEST_STAMP)

# System packages: installed with apt-get when root; otherwise the exact command is printed.
# Each rule's checks collect what is missing in $$missing; $(call apt_install,PACKAGES) installs.
apt_install = if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(1) >/dev/null; \
	  else \
	    echo "missing system packages:$$missing; run: sudo apt-get install -y $(1)" >&2; exit 1; \
	  fi; \
	fi

system: $(SYSTEM_STAMP)
$(SYSTEM_STAMP):
	@missing=""; \
	command -v dot >/dev/null 2>&1 || missing="graphviz"; \
	command -v fc-list >/dev/null 2>&1 || missing="$$missing fontconfig"; \
	fc-list 2>/dev/null | grep -qi nanum || missing="$$missing fonts-nanum"; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu-core"; \
	$(call apt_install,$(APT_PACKAGES))
	@mkdir -p $(VENV) && touch $@

# The browsers are test instruments only.
browsers: $(BROWSERS_STAMP)
$(BROWSERS_STAMP):
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="chromium"; \
	command -v chromedriver >/dev/null 2>&1 || missing="$$missing chromium-driver"; \
	command -v firefox-esr >/dev/null 2>&1 || missing="$$missing firefox-esr"; \
	$(call apt_install,$(BROWSER_PACKAGES))
	@mkdir -p $(VENV) && touch $@

# TeX is a test instrument too: `--backend tikz` writes .tex without it, PDF with lualatex.
tex: $(TEX_STAMP)
$(TEX_STAMP):
	@missing=""; \
	command -v lualatex >/dev/null 2>&1 || missing="texlive-luatex"; \
	kpsewhich tikz.sty >/dev/null 2>&1 || missing="$$missing texlive-pictures"; \
	kpsewhich article.cls >/dev/null 2>&1 || missing="$$missing texlive-latex-base"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	$(call apt_install,$(TEX_PACKAGES))
	@mkdir -p $(VENV) && touch $@

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

# Bytecode, as a regular install has it (editable installs otherwise recompile on every run
# where PYTHONDONTWRITEBYTECODE is set).
$(VENV)/.compiled: $(PACKAGE_FILES) $(STAMP)
	@$(BIN)/python -m compileall -q rnndiagrams && touch $@

diagrams: setup output/index.html

# One self-contained page with every spec, its tables and figures (linked from the README).
gallery: output/index.html
# One `render` of every spec, one pool of workers (one a core) for the column figures and the
# same figures laid out for a 16:9 slide (beside them as <view>.slide.<backend>.svg), that also
# writes the page from the column figures it drew: a spec whose file and the package's code did
# not change is answered by the figure cache, and an unchanged figure or page is not rewritten.
output/index.html: $(SPECS) $(PACKAGE_FILES) $(STAMP)
	$(BIN)/rnndiagrams render -j $(NPROC) --target column --target slide -o output --gallery $@ $(sort $(SPECS))
	@touch $@  # its time says the page, and so every figure, is up to date

# The gallery's story as one Beamer deck with builds; it needs TeX (the `tex` rule's packages).
slides: setup tex output/slides.pdf
output/slides.pdf: $(SPECS) $(PACKAGE_FILES) $(STAMP)
	$(BIN)/rnndiagrams slides specs -o $@

# Lint, format check and type check first: CI and a new user get the same verdict.
lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/bench.py

# Save-to-page time of `rnndiagrams watch` in headless Chromium (median of 10 saves).
bench-watch: setup-test
	$(BIN)/python bench/watch_latency.py

# `check` on 10,000 mutated specs, and `import` on 10,000 each of mutated .keras zips, to_json()
# files and print(model) texts: one table per kind counts tracebacks, misplaced or multi-line
# errors, hangs and memory over 1 GB (all must be 0). FUZZ_N=... FUZZ_SEED=... to explore further.
FUZZ_N ?= 10000
FUZZ_SEED ?= 0
fuzz: setup
	OPENBLAS_NUM_THREADS=1 $(BIN)/python fuzz/run.py -n $(FUZZ_N) --seed $(FUZZ_SEED)

# Every committed SVG measured in headless Chromium at a 720 px column (text px, aspect, overlaps, ids).
measure: setup-test
	$(BIN)/python bench/measure_figures.py

# 1,000 Graphviz renders of one figure must give one SVG (issue 7).
determinism: setup
	$(BIN)/python bench/determinism.py 1000


# Regenerate the shipped JSON Schema and the golden DOT files after an intended change.
schema: setup
	$(BIN)/rnndiagrams schema > rnndiagrams/data/spec.schema.json

golden: setup-test
	$(BIN)/python -m pytest -q tests/test_golden.py --update-golden

clean:
	rm -rf $(VENV) .pytest_cache

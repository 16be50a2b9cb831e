# Entry points of the harness. Everything real lives in scripts/; this
# file only dispatches. Generated files go to build/ (git-ignored).
#
#   KERNEL_TREE=/path  build "patched" from your own kernel git tree as
#                      checked out (nothing is downloaded or applied)
#   JOBS=N             parallel make jobs for the kernel build

JOBS ?= $(shell nproc)
KERNEL_TREE ?=
export JOBS KERNEL_TREE

.DEFAULT_GOAL := help

help: ## list the targets
	@echo "targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		sed 's/:.*## /\t/' | awk -F'\t' '{printf "  %-18s %s\n", $$1, $$2}'
	@echo "variables: KERNEL_TREE=/path/to/linux  JOBS=N  BENCH_ARGS=...  SERIES_ARGS=..."

demo: ## fetch, build, boot the hardened UML in SECCOMP mode, summarize
	scripts/run-tests demo

test: ## every test (what CI runs); last line: N passed, N failed
	scripts/run-tests test

kunit: ## the series' KUnit suites (kunit.py --arch=um, build/kunit)
	$(if $(KERNEL_TREE),,scripts/fetch-kernel && scripts/prepare-tree)
	scripts/run-kunit

test-base: ## the guest workload on the unpatched base kernel
	scripts/run-tests base

test-attacks-base: ## the attack programs on the base kernel (must succeed)
	scripts/run-tests attacks-base

check-series: ## is the series ready to mail? checkpatch, mails, sparse/W=1, i386, 7.2, bisect
	scripts/check-series --check-args $(SERIES_ARGS)
	$(if $(KERNEL_TREE),,scripts/fetch-kernel && scripts/prepare-tree)
	scripts/check-series $(SERIES_ARGS)

fetch: ## download linux-source-7.3 and apply patches/ (build/linux)
	scripts/fetch-kernel
	scripts/prepare-tree

build: ## build the patched UML kernel (up) and the guest programs
	$(if $(KERNEL_TREE),,scripts/fetch-kernel && scripts/prepare-tree)
	$(MAKE) -C guest OUT=$(CURDIR)/build/guest
	scripts/build-uml --flavour patched --config up --jobs $(JOBS)

bench-handoff: ## hand-off cost, base vs patched, pinned and unpinned
	bench/run-handoff

bench: ## benchmark suite: ptrace/seccomp, base vs patched, ablations (BENCH_ARGS=--quick)
	bench/run --check-args $(BENCH_ARGS)
	$(if $(KERNEL_TREE),,scripts/fetch-kernel && scripts/prepare-tree)
	scripts/build-uml --flavour base --config up --jobs $(JOBS)
	scripts/build-uml --flavour patched --config up --jobs $(JOBS)
	$(if $(findstring --no-ablation,$(BENCH_ARGS)),,bench/build-ablation --jobs $(JOBS))
	bench/run $(BENCH_ARGS)

export-patches: ## write base..HEAD of the kernel tree to patches/
	scripts/export-patches

clean: ## remove build outputs, keep the downloaded and patched sources
	rm -rf build/obj-* build/guest build/logs build/results build/kunit \
		build/bisect/obj-* build/mail build/bench build/host-tools \
		build/linux-ablation-* build/linux-pre-bounds

distclean: ## remove all of build/
	rm -rf build

# Directories of this repository, not targets: say so instead of
# "Nothing to be done".
NOT_TARGETS := guest patches scripts config tests
$(NOT_TARGETS):
	@echo "error: '$@' is a directory here, not a target; run: make help" >&2
	@exit 2

.PHONY: $(NOT_TARGETS) help demo test kunit check-series test-base test-attacks-base bench-handoff bench fetch build export-patches clean distclean

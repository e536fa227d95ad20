#!/usr/bin/env bash
# Mutation testing: how many deliberate faults in the reference server's authorization engine,
# principal and auth code does the conformance suite catch?
#
# cargo-mutants (crates.io `cargo-mutants`) changes one function or operator at a time in the
# files below, rebuilds, and runs only `every_fixture_passes_on_sqlite` of plystra-conformance's
# `live` test: every fixture, twice, against the server started in process on SQLite. A mutant is
# "caught" when that run fails (the recording checks of the same binary are left out: they
# compare bytes, not the contract).
#
#   cargo install cargo-mutants --locked
#   conformance/mutation.sh                       # everything (~500 mutants: hours on 2 cores)
#   conformance/mutation.sh --shard 0/10          # a tenth, chosen by cargo-mutants
#   conformance/mutation.sh --list                # what would be mutated
#
# Extra arguments go to `cargo mutants`. Results land in target/mutants/mutants.out
# (caught.txt, missed.txt, unviable.txt, timeout.txt). Not part of .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

files=(
  src/domain/authz/engine.rs
  src/domain/authz/scope.rs
  src/domain/authz/code.rs
  src/domain/authz/model.rs
  'src/domain/authz/inline/*.rs'
  src/domain/principal.rs
  src/service/principal.rs
  src/service/auth.rs
  src/service/authz/access.rs
  src/http/auth.rs
)
args=()
for f in "${files[@]}"; do
  args+=(--file "server/plystra-server/$f")
done

# The PostgreSQL half of the live test would double every run; SQLite alone decides.
unset PLYSTRA_TEST_POSTGRES_URL
# cargo-mutants 27 runs its unmutated baseline with the mutated package's tests only (not
# --test-package), which has no `live` target; so the baseline is skipped and the timeouts are set
# here. `cargo test -p plystra-conformance --test live` is the baseline: it passes in .ci/run.
exec cargo mutants --test-package plystra-conformance --baseline skip \
  --timeout "${MUTANTS_TEST_TIMEOUT:-300}" --build-timeout "${MUTANTS_BUILD_TIMEOUT:-900}" \
  "${args[@]}" --output "${MUTANTS_OUTPUT:-target/mutants}" "$@" \
  -- --test live every_fixture_passes_on_sqlite

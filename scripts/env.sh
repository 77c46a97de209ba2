# Sourced by scripts/run and scripts/test: the environment every build step shares.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Trunk's version check calls the network; the tools are pinned in Trunk.toml.
export TRUNK_SKIP_VERSION_CHECK=true
export CARGO_TERM_QUIET=${CARGO_TERM_QUIET:-false}

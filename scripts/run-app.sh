#!/usr/bin/env bash
# One command: install dependencies, build, and start the AttnScope app.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/gui/attnscope "$@"

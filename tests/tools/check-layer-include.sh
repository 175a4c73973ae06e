#!/bin/sh
# The layers hold (cmake/layers.cmake): with the include directories a library compiles with, a header of a
# layer below it is found and a header of a layer above it is not.
#   check-layer-include.sh COMPILER INCLUDES_FILE ALLOWED_HEADER FORBIDDEN_HEADER
set -eu
compiler=$1 includes=$2 allowed=$3 forbidden=$4
flags=$(sed 's/^/-I/' "$includes" | tr '\n' ' ')
cd / # quoted includes are also looked up beside the including file: here, the working directory
try() { printf '#include "%s"\n' "$1" | $compiler -std=c++20 -fopenmp -fPIC -E -x c++ $flags -o /dev/null - 2>&1; }
if ! out=$(try "$allowed"); then
    echo "FAIL: $allowed should be visible: $out"
    exit 1
fi
if out=$(try "$forbidden"); then
    echo "FAIL: $forbidden is visible from below; an upward include compiles"
    exit 1
fi
# GCC: "…: No such file or directory"; clang: "'…' file not found".
echo "$out" | grep -qE "$forbidden(: No such file|' file not found)" || { echo "FAIL: unexpected error: $out"; exit 1; }
echo "ok: $allowed visible, $forbidden not"

#!/bin/sh
# Regenerates the autotools files (configure, Makefile.in, ...). They are
# build outputs and are never committed.
set -e
cd "$(dirname "$0")"
autoreconf -fi

#!/bin/sh
# layers.sh: the runtime's layers stay layered: no file under rt/ includes
# the header of a layer above its own (scripts/check-layers).  TAP output.
echo "1..1"
if out=$(sh "$top_srcdir/scripts/check-layers" "$top_srcdir" 2>&1); then
    echo "ok 1 - no runtime file includes a higher layer's header"
else
    echo "not ok 1 - a runtime file includes a higher layer's header"
    echo "$out" | sed 's/^/# /'
fi

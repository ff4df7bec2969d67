#!/usr/bin/env bash
# Stands in for an older Temporal CLI that refuses to start when asked to
# register search attributes the db file already has: it fails if given any
# --search-attribute, else runs the real CLI ($REAL_TEMPORAL_CLI).
for a in "$@"; do
	if [[ $a == --search-attribute ]]; then
		echo "Error: failed registering search attributes: search attribute BookingStatus already exists" >&2
		exit 1
	fi
done
exec "$REAL_TEMPORAL_CLI" "$@"

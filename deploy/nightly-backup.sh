#!/bin/sh
# Runs `dryneedling backup` every night at BACKUP_AT (default 02:00, the container's TZ) into
# /backups, keeping BACKUP_KEEP_DAYS days (default 14). Each file is written to a temporary name
# and renamed when complete, so a file in /backups is always a whole backup.
set -eu
at=${BACKUP_AT:-02:00}
keep=${BACKUP_KEEP_DAYS:-14}
while true; do
  now=$(date +%s)
  next=$(date -d "$at" +%s)
  [ "$next" -gt "$now" ] || next=$(date -d "tomorrow $at" +%s)
  sleep $((next - now))
  if dryneedling backup --out "/backups/dryneedling-$(date +%Y-%m-%dT%H%M).backup"; then
    find /backups -name 'dryneedling-*.backup' -mtime +"$keep" -delete
  else
    echo "nightly-backup: backup FAILED; older backups kept" >&2
  fi
done

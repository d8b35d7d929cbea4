#!/usr/bin/env bash
# Crawl the timetable and publish the site, from cron: one run at a time, the log appended
# to a file, and the crawl's exit status passed on.
#
#   17 5 * * *  /srv/timetable_spider/scripts/cron-crawl.sh
#   17 5 * * *  /srv/timetable_spider/scripts/cron-crawl.sh -a semester=2025-2 -s SITE_DIR=/var/www/orar
#
# Arguments are passed to `scrapy crawl schedules`. The crawl runs in the project root (the
# directory above this script), so relative paths such as the default SITE_DIR=site are under it.
#
# Environment (all optional; cron's environment is nearly empty, and that is fine):
#   CRAWL_PYTHON  the Python with the project installed   (default: <project>/.venv/bin/python)
#   LOG_FILE      the crawl's log is appended here          (default: <project>/logs/crawl.log)
#   LOCK_FILE     held with flock while a crawl runs        (default: <project>/.scrapy/cron-crawl.lock)
#
# Exit status:
#   0   the site was published in full (status.json outcome "published"), or the new semester is
#       not published yet ("waiting"); then `scrapy notify` sent the push alerts of its changes
#   1   the crawl ran but did not publish in full: outcome "failed" (nothing published) or
#       "partial" (some pages kept from the last run; `scrapy notify` still tells what it did
#       publish); see SITE_DIR/data/status.json and the log; or it published, but `scrapy
#       notify` could not send the push alerts
#   75  another run holds the lock; nothing was done
#   78  misconfigured: no such Python, or flock missing
#   other: the crawl's own status (e.g. 2 for bad arguments, 128+N if killed by signal N)
# Output: nothing on success (cron mails nothing); a line on stderr otherwise.
set -u

EX_LOCKED=75
EX_CONFIG=78

export PATH=/usr/local/bin:/usr/bin:/bin
export LANG=C.UTF-8 LC_ALL=C.UTF-8
umask 022

project=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P) || exit $EX_CONFIG
python=${CRAWL_PYTHON:-$project/.venv/bin/python}
log_file=${LOG_FILE:-$project/logs/crawl.log}
lock_file=${LOCK_FILE:-$project/.scrapy/cron-crawl.lock}

cd "$project" || exit $EX_CONFIG
exec </dev/null

say() {  # a line in the log, and on stderr when it is bad news
    printf '%s cron-crawl[%d]: %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S')" $$ "$1" >>"$log_file"
}

if ! mkdir -p "$(dirname "$log_file")" || ! : >>"$log_file"; then
    echo "cron-crawl: cannot write the log file $log_file" >&2
    exit $EX_CONFIG
fi
if [ ! -x "$python" ]; then
    say "no Python at $python (set CRAWL_PYTHON or create the venv)"
    echo "cron-crawl: no Python at $python (set CRAWL_PYTHON or create the venv)" >&2
    exit $EX_CONFIG
fi
if ! command -v flock >/dev/null; then
    say "flock not found (util-linux)"
    echo "cron-crawl: flock not found (util-linux)" >&2
    exit $EX_CONFIG
fi

mkdir -p "$(dirname "$lock_file")" || exit $EX_CONFIG
# fd 9 stays open in the crawl too, so the lock is held for as long as the crawl lives.
exec 9>>"$lock_file" || exit $EX_CONFIG
if ! flock -n 9; then
    say "another crawl is already running (lock $lock_file held); not starting"
    echo "cron-crawl: another crawl is already running (lock $lock_file held); exiting with $EX_LOCKED" >&2
    exit $EX_LOCKED
fi

say "start: scrapy crawl schedules $*"
# In the background so that a TERM/INT sent to this script reaches the crawl, which then stops
# cleanly (and publishes nothing).
"$python" -m scrapy crawl schedules "$@" >>"$log_file" 2>&1 &
crawl=$!
trap 'kill -TERM "$crawl" 2>/dev/null' TERM INT HUP
status=0
while :; do
    wait "$crawl"
    status=$?
    kill -0 "$crawl" 2>/dev/null || break  # wait was only interrupted by a trapped signal
done

notified=0
if [ "$status" -eq 0 ] || [ "$status" -eq 1 ]; then
    # Push alerts of what this crawl published, even in part (a partial crawl publishes the
    # pages it got): notify tells each browser only what it was not told yet, so after a crawl
    # that published nothing it sends nothing. The crawl's -s settings (SITE_DIR,
    # SUBSCRIPTIONS_DB, ...) apply to it too.
    settings=()
    while [ $# -gt 0 ]; do
        case "$1" in
            -s) [ $# -gt 1 ] && settings+=(-s "$2"); shift ;;
            -s*) settings+=("$1") ;;
        esac
        shift
    done
    "$python" -m scrapy notify "${settings[@]}" >>"$log_file" 2>&1 || notified=$?
fi

if [ "$status" -eq 0 ] && [ "$notified" -eq 0 ]; then
    say "done: published (exit 0)"
elif [ "$status" -eq 0 ]; then
    status=1
    say "done: published, but the push alerts failed (exit 1)"
    echo "cron-crawl: the site was published, but the push alerts failed; see $log_file" >&2
else
    say "done: NOT published in full (exit $status)"
    echo "cron-crawl: the crawl did not publish in full (exit $status); see $log_file and SITE_DIR/data/status.json" >&2
fi
exit "$status"

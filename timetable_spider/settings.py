# Scrapy settings for timetable_spider. Each line that differs from Scrapy's defaults says why.
# https://docs.scrapy.org/en/latest/topics/settings.html
from scrapy.settings import default_settings as scrapy_defaults

BOT_NAME = "timetable_spider"

SPIDER_MODULES = ["timetable_spider.spiders"]
NEWSPIDER_MODULE = "timetable_spider.spiders"

# Our `crawl` command: exits non-zero when the run did not publish, so cron notices.
COMMANDS_MODULE = "timetable_spider.commands"

# What is crawled. Override with -s for a mirror or the simulated site.
TIMETABLE_ROOT = "https://www.cs.ubbcluj.ro/files/orar"
ACADEMIC_CALENDAR_URL = "https://www.ubbcluj.ro/ro/studenti/invatamant/structura_anului_universitar"
# Where the site is published; built beside it and swapped in whole.
SITE_DIR = "site"
# Where `scrapy serve` answers for personal feeds, e.g. "https://orar.example.org" (its /feeds/
# are then offered on the students' page); empty: the page offers the published calendars only.
FEEDS_URL = ""
# How many published crawls with changes data/changes.json and the Atom feeds keep, newest first.
CHANGES_KEEP = 20
# Refuse to publish when spec pages, groups, calendars or events fall by more than this share since
# the last published run (a changed page layout looks like that); PUBLISH_ALLOW_SHRINK=1 overrides.
PUBLISH_MAX_SHRINK = 0.2
PUBLISH_ALLOW_SHRINK = False
# A new semester's index answering 404 while the site holds the semester before is "waiting"
# (exit 0: the faculty publishes late), until this many days after the semester's first teaching
# day; then it fails, so that a changed URL layout is not hidden for a whole semester.
SEMESTER_WAIT_DAYS = 21
# Worker processes that write the spec pages' calendars while the crawl downloads (0: in-process).
PUBLISH_WORKERS = 2
# When the academic calendar offers final years two variants ("Varianta 1/2"), the faculty's choice.
FINAL_YEAR_VARIANT = 1
# How many years a programme lasts. Its last year is a final year, which follows its own
# academic-calendar table in semester II. By degree, unless one of the degree's name patterns
# (case and diacritics ignored) is in the specialization's name: "Ingineria Informatiei" is a
# 240-credit, 4-year bachelor although its name does not say "4 ani". A new pattern needs no
# code: -s 'PROGRAMME_YEARS_BY_NAME={"bachelor": {"4 ani": 4, "ingineri": 4, "another": 4}}'.
PROGRAMME_YEARS = {"bachelor": 3, "master": 2}
PROGRAMME_YEARS_BY_NAME = {"bachelor": {"4 ani": 4, "ingineri": 4}}

USER_AGENT = "timetable_spider (UBB Cluj FMI timetable to calendar; +https://www.cs.ubbcluj.ro/)"

# Obey the sites' robots.txt, as Scrapy's project template does: a crawler the faculty runs asks
# what it may fetch. It costs one round trip per host before its first page (the timetable site
# and the academic calendar's are fetched in parallel), revalidated through the HTTP cache like
# the pages. A page the crawl needs that robots.txt disallows is a failed page.
ROBOTSTXT_OBEY = True

# Politeness: at most 8 requests in flight per server (Scrapy's template says 1 with a 1 s
# delay, which makes the ~73 pages take over a minute), paced by AutoThrottle.
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = True
# The default 5 s start delay would dominate a crawl this small. 0.02 s is where the delay
# settles at 0.3 s latency, so the first spec pages go out together, not 40-100 ms apart.
AUTOTHROTTLE_START_DELAY = 0.02
AUTOTHROTTLE_MAX_DELAY = 10
# The delay becomes latency/32, a quarter of the gap at which 8 requests would be in flight, so
# the cap above sets the pace, not the delay: each answer's free slot is refilled at once rather
# than after the delay since the last request. The delay still follows the server (9 ms at 0.3 s
# latency, 62 ms at 2 s) and doubles on 429/503. Measured, 6-8 alternating crawls at 0.3 s: the
# first request to the last answer took 3.98 s at latency/16 with a 0.1 s start, 3.75 s now
# (3.39 s with no gap at all).
AUTOTHROTTLE_TARGET_CONCURRENCY = 32
EXTENSIONS = {
    # ...with 304 read as a normal answer and 429/503 as a request to slow down.
    "scrapy.extensions.throttle.AutoThrottle": None,
    "timetable_spider.throttle.PoliteAutoThrottle": 0,
}

# Transient faults (5xx, timeouts, dropped connections) are retried 5 times, pausing
# 0.5 s, 1 s, 2 s... before each retry rather than retrying at once.
RETRY_TIMES = 5
RETRY_BACKOFF_BASE = 0.5
RETRY_BACKOFF_MAX = 8
# A page that fails after its retries is a failed page, which the run's one ERROR line names
# (run_outcome): Scrapy's own ERROR for it would be a second alert for the same failure.
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "timetable_spider.middlewares.BackoffRetryMiddleware": 550,
    # robots.txt that cannot be downloaded is a warning: the pages it guards fail on their own
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "timetable_spider.middlewares.RobotsTxtMiddleware": 100,
}

# No session state to keep, and no telnet console on a cron-run crawler.
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Nor Scrapy's remote-control HTTP server, which runs Python code posted to it and leaves a job
# file in the home directory of whoever runs the crawl.
REMOTE_CONTROL_ENABLED = False
# Scrapy imports each component of these lists before it hears it is disabled, and imports one
# named in EXTENSIONS or DOWNLOADER_MIDDLEWARES to recognise it, even set to None. So these three
# are left out of the base lists themselves: the remote control brought in aiohttp and the
# cookies middleware tldextract and requests, 10 MB of memory in every crawl (the settings above
# still say they are off, for whoever puts them back).
unused_components = {  # lower case: not a setting itself
    "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.extensions.telnet.TelnetConsole",
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
}
EXTENSIONS_BASE = {path: order for path, order in scrapy_defaults.EXTENSIONS_BASE.items()
                   if path not in unused_components}
DOWNLOADER_MIDDLEWARES_BASE = {path: order for path, order in scrapy_defaults.DOWNLOADER_MIDDLEWARES_BASE.items()
                               if path not in unused_components}

# A timetable page is ~50 kB; anything near these sizes is not one.
DOWNLOAD_MAXSIZE = 4 * 1024 * 1024
DOWNLOAD_WARNSIZE = 1024 * 1024
DOWNLOAD_TIMEOUT = 30

# A callback that raises is a failed page (its last version kept, the run exits 1), not a
# logged error that drops the page from the site. Nearest the spider, so it sees the error first.
SPIDER_MIDDLEWARES = {
    "timetable_spider.middlewares.CallbackErrorsAsFailedPages": 990,
}

ITEM_PIPELINES = {
    "timetable_spider.pipelines.DedupeSpecializationsPipeline": 100,
    "timetable_spider.pipelines.PublishSitePipeline": 800,
}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# Conditional requests (If-None-Match / If-Modified-Since): an unchanged page costs a 304.
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "timetable_spider.httpcache.RevalidatingPolicy"
# Empty: ".<site>-httpcache" beside SITE_DIR (the spider sets it), so it works under Scrapyd,
# whose jobs run where no scrapy.cfg is to anchor Scrapy's default ".scrapy/httpcache".
HTTPCACHE_DIR = ""

# `scrapy serve`: SITE_DIR as a web server would serve it, and personal feeds under /feeds/.
# How often the crawl publishes, in seconds: answers are fresh (Cache-Control max-age) until the
# next crawl is due, so no cache keeps serving yesterday's timetable after a crawl.
SERVE_CRAWL_INTERVAL = 24 * 60 * 60
# Longer request URLs get a 414. Each of a student's choices takes about 15 bytes.
SERVE_MAX_URL_LENGTH = 2048
# Feeds kept ready, by site, calendar and normalized choices; one is about 8 kB.
SERVE_FEED_CACHE_SIZE = 4096
# A file for the access log (Combined Log Format); empty: none, as behind a reverse proxy, which logs.
SERVE_ACCESS_LOG = ""
# The proxies (addresses or networks) whose X-Forwarded-For names the client, for the rate
# limits: nginx on this host. Anyone else's X-Forwarded-For is the client's own word, never read.
SERVE_TRUSTED_PROXIES = ["127.0.0.1", "::1"]
# Seconds a client has to send a request whole, headers and body, from its first byte: a
# browser or nginx takes milliseconds; a client dripping a header line every few seconds would
# otherwise hold a connection (and a descriptor) for ever.
SERVE_REQUEST_DEADLINE = 10
# Seconds an idle keep-alive connection is kept: longer than nginx's upstream keepalive_timeout
# (60 s), so nginx, not the replica, closes it, and never sends on a connection being closed.
SERVE_IDLE_TIMEOUT = 75
# Threads the subscriptions' database is used from; SQLite writes one at a time anyway, and a
# few threads let reads go on while a write waits for the lock.
SERVE_DATABASE_THREADS = 4
# Seconds a replica answers a stable feed from the subscription it read last, rather than asking
# the database again: a calendar app refreshes every few hours, so an edit made through another
# replica showing this much later costs nothing, while a trip to the database's threads for every
# refresh halved the feeds a replica answers. The replica that takes an edit shows it at once.
SERVE_SUBSCRIPTION_CACHE_SECONDS = 5.0
# Stable subscriptions (/feeds/s/<id>.ics, /subscriptions): their SQLite file; empty:
# ".<site>-subscriptions.sqlite3" beside SITE_DIR. Replicas on one host share it.
SUBSCRIPTIONS_DB = ""
# A request body is one calendar URL; more than this is not one.
SUBSCRIPTIONS_MAX_BODY = 4096
# Subscriptions one address may make in a minute: a student makes one, a script many. Counted
# in the database, so every replica shares the limit (429 with Retry-After beyond it).
SUBSCRIPTIONS_CREATE_PER_MINUTE = 30
# Changes one address may make in a minute (PUT, DELETE, attaching and detaching a browser): a
# student changing choices makes a few.
SUBSCRIPTIONS_CHANGE_PER_MINUTE = 60
# Seconds a request waits for SQLite's write lock before it is answered 503 with Retry-After:
# a write takes milliseconds, so a longer wait means trouble, not a queue.
SUBSCRIPTIONS_BUSY_TIMEOUT = 1.0
# A subscription no calendar app has read for this long (a semester and a bit) is removed.
SUBSCRIPTIONS_KEEP_UNUSED_DAYS = 200
# Push alerts (`scrapy notify`, /push/): the VAPID private key, made on first use with mode 600;
# empty: ".<site>-vapid.pem" beside SITE_DIR.
PUSH_VAPID_KEY_FILE = ""
# Who push services may write to about these messages (RFC 8292's "sub"); set your own.
PUSH_CONTACT = "mailto:timetable-spider@localhost"
# How long a push service keeps an alert for a browser that is offline: a day, as a timetable
# change matters until the class.
PUSH_TTL = 24 * 60 * 60
# Push endpoints must be https, of a known push service; on for tests with a push service on
# loopback (http, 127.0.0.1): it allows http on loopback addresses and nothing else.
PUSH_ALLOW_HTTP_ENDPOINTS = False
# The push services endpoints may be of, by host suffix (a.b matches a.b and x.a.b, not xa.b):
# the ones browsers use, Google FCM (Chrome, Edge, Opera), Mozilla autopush (Firefox), Apple
# (Safari), Microsoft WNS. An endpoint is a URL a stranger gives and notify POSTs to, so any
# other host is refused.
PUSH_SERVICE_HOSTS = ["fcm.googleapis.com", "android.googleapis.com", "push.services.mozilla.com",
                      "push.apple.com", "notify.windows.com"]
# More push services an administrator trusts (a browser with its own), added to the above.
PUSH_EXTRA_SERVICE_HOSTS = []
# Browsers one subscription may alert (409 beyond): a student's phone, laptop and a few more.
PUSH_MAX_BROWSERS = 5
# Messages in flight at once: push services answer in about 100 ms, so one at a time is 10
# alerts a second; 64 keep a push service that hangs (up to PUSH_TIMEOUT) from holding up the rest.
PUSH_CONCURRENCY = 64
# Seconds one message may take in all, connecting to reading the answer; push services answer
# in well under a second, and a hanging one holds a slot no longer than this.
PUSH_TIMEOUT = 5
# Seconds one `scrapy notify` may take: the rest is counted "timed out" and told by the next
# run. Below the 25 minutes the units allow it (the crawl unit's TimeoutStopSec, for its
# ExecStopPost; the notify unit's TimeoutStartSec).
PUSH_RUN_DEADLINE = 20 * 60
# An endpoint that failed on every run for this many days is removed: the browser is gone for
# good (a week spans a week-end and a holiday of a push service's outage).
PUSH_REMOVE_FAILING_DAYS = 7

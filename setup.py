# For scrapyd-deploy, which builds the egg it uploads to Scrapyd with `python setup.py bdist_egg`
# (and writes a setup.py of its own, without the templates, if there is none).
# Name, version and dependencies are in pyproject.toml.
from setuptools import find_packages, setup

setup(
    packages=find_packages(exclude=["tests", "tests.*"]),
    package_data={"timetable_spider": ["templates/*.html", "web/**/*", "feed_server/openapi.yaml", "schema/*.json"]},
    entry_points={"scrapy": ["settings = timetable_spider.settings"]},
)

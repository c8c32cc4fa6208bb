#!/usr/bin/python3
"""Checks Prometheus scrapes against docs/metrics.md.

usage: check_metrics.py DOCS SECTION SCRAPE [SCRAPE...]
  SECTION  agent | central: which tables of DOCS name the metrics
Every scrape must parse with prometheus_client's parser (an implementation
independent of Vigil's), and every metric named in the first column of the
section's tables must have a sample in every scrape. Prints the number of
families and samples; exits 1 with the reasons otherwise.
"""
import re
import sys

from prometheus_client.parser import text_string_to_metric_families


def documented(docs, section):
    text = open(docs).read()
    agent, _, central = text.partition("\n## Central node")
    part = agent if section == "agent" else central
    names = []
    for line in part.splitlines():
        if not line.startswith("| `"):
            continue
        first_cell = line.split("|")[1]
        names += re.findall(r"`([a-z_:][a-z0-9_:]*)`", first_cell)
    return names


def samples_of(text):
    names = set()
    families = 0
    count = 0
    for fam in text_string_to_metric_families(text):
        families += 1
        for s in fam.samples:
            names.add(s.name)
            count += 1
    return names, families, count


def main():
    docs, section, scrapes = sys.argv[1], sys.argv[2], sys.argv[3:]
    wanted = documented(docs, section)
    if len(wanted) < 5:
        print(f"only {len(wanted)} metrics found in the {section} tables of {docs}")
        return 1
    failed = False
    for path in scrapes:
        text = open(path).read()
        try:
            names, families, count = samples_of(text)
        except Exception as e:  # the parser raises on malformed exposition
            print(f"{path}: does not parse: {e}")
            failed = True
            continue
        missing = [n for n in wanted
                   if not ({n, n + "_bucket", n + "_count", n + "_sum"} & names)]
        if missing:
            print(f"{path}: documented but absent: {', '.join(missing)}")
            failed = True
        print(f"{path}: {families} families, {count} samples, {len(wanted)} documented metrics present"
              if not missing else "")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

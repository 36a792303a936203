#!/usr/bin/env python3
"""Zones for bench/spf-overlap.sh: a synthetic hosting provider and N customer domains.

    bench/spf-overlap-zone.py --customers N --seed S --out DIR

writes into DIR:
  example.zone    the provider hoster.example (SPF with an include chain, ip4/ip6 ranges, an a: term,
                  MX and web hosts, _dmarc) and a third-party sender esp.example
  test.zone       the customers, cNNNNNN.test, each one of the shapes below
  customers.txt   the customer list for --customers (with a comment, a blank line and duplicates,
                  which the command skips, and names that do not exist)
  expected.tsv    customer <TAB> shape <TAB> expected verdict (full, partial, none, or "any" where the
                  verdict depends on how a broken record is read)

Addresses: the provider sends from 198.18.0.0/16 pieces (RFC 2544 benchmarking space) and
2001:db8::/32 pieces; customers' own and the third party's networks are in 198.19.0.0/16 and other
parts of 2001:db8::/32, so "none" and "partial" are unambiguous.
"""
import argparse
import os
import random

PROVIDER = "hoster.example"

# shape, weight per 1000 customers, expected verdict
SHAPES = [
    ("include-provider-spf", 350, "full"),      # v=spf1 include:_spf.hoster.example -all (what the provider tells customers)
    ("include-provider-domain", 50, "full"),    # v=spf1 include:hoster.example ~all
    ("mx-a-on-provider", 60, "full"),           # v=spf1 mx a -all, web site and MX on the provider's hosts
    ("redirect-provider", 40, "full"),          # v=spf1 redirect=_spf.hoster.example
    ("exists-macro", 5, "full"),                # a provider block plus exists:%{i}..., listed as not expanded
    ("include-provider-and-esp", 80, "partial"),  # the provider plus a newsletter service
    ("own-ranges-straddling", 60, "partial"),   # own /28 inside the provider's range plus one outside
    ("mx-provider-plus-own", 40, "partial"),    # MX at the provider plus an own outbound host
    ("pass-all", 5, "partial"),                 # v=spf1 +all: every address, the provider's among them
    ("own-ranges", 170, "none"),                # ip4 + ip6 of its own
    ("redirect-esp", 30, "none"),               # everything through the third party
    ("mx-own", 40, "none"),                     # own mail server via mx
    ("no-spf", 30, "none"),                     # TXT records, none of them SPF
    ("broken", 30, "any"),                      # syntax error, two records, include of nothing, loop
    ("does-not-exist", 10, "any"),              # in the customer file, not in DNS
]


def soa(origin):
    return (f"$ORIGIN {origin}.\n$TTL 3600\n"
            f"@ IN SOA ns.{origin}. hostmaster.{origin}. 2026120201 3600 900 604800 300\n"
            f"@ IN NS ns.{origin}.\nns IN A 127.0.0.1\n")


def txt(value):
    # One character-string per 255 octets (RFC 7208 3.3); the records here are shorter.
    return '"' + value.replace('"', '\\"') + '"'


def provider_zone():
    lines = [soa("example")]
    add = lines.append
    add(f'hoster IN TXT {txt("v=spf1 include:_spf.hoster.example ip4:198.18.96.0/22 ip6:2001:db8:300::/48 -all")}')
    add(f'_spf.hoster IN TXT {txt("v=spf1 include:_spf1.hoster.example include:_spf2.hoster.example -all")}')
    add(f'_spf1.hoster IN TXT {txt("v=spf1 ip4:198.18.0.0/20 ip4:198.18.16.0/21 ip6:2001:db8:100::/48 -all")}')
    add(f'_spf2.hoster IN TXT {txt("v=spf1 a:smtp.hoster.example include:_spf3.hoster.example -all")}')
    add(f'_spf3.hoster IN TXT {txt("v=spf1 ip4:198.18.128.0/18 ip6:2001:db8:200::/40 -all")}')
    add(f'_dmarc.hoster IN TXT {txt("v=DMARC1; p=quarantine; sp=quarantine; pct=100; rua=mailto:dmarc-reports@hoster.example")}')
    add("hoster IN MX 10 mx1.hoster.example.")
    add("hoster IN MX 20 mx2.hoster.example.")
    add("hoster IN A 198.18.96.80")
    add("smtp.hoster IN A 198.18.64.10")
    add("smtp.hoster IN AAAA 2001:db8:1:2::10")
    add("mx1.hoster IN A 198.18.0.25")
    add("mx1.hoster IN AAAA 2001:db8:100::25")
    add("mx2.hoster IN A 198.18.16.25")
    for k in range(1, 65):  # shared web servers, inside _spf3's 198.18.128.0/18
        add(f"web{k}.hoster IN A 198.18.130.{k}")
    # A third-party sender (newsletters) outside the provider's space.
    add(f'_spf.esp IN TXT {txt("v=spf1 ip4:198.19.0.0/20 ip4:198.19.32.0/22 ip6:2001:db8:e5::/48 -all")}')
    add(f'esp IN TXT {txt("v=spf1 include:_spf.esp.example -all")}')
    add("esp IN A 198.19.0.80")
    return "\n".join(lines) + "\n"


def own_v4(i, prefix=28):
    # 198.19.64.0 - 198.19.255.255: outside both the provider and the third party.
    n = (64 << 8) + (i * 16) % ((256 - 64) << 8)
    return f"198.19.{n >> 8}.{n & 0xF0}/{prefix}"


def own_v6(i):
    return f"2001:db8:f{(i >> 16) & 0xfff:03x}:{i & 0xffff:x}::/64"


def customer_records(rng, name, i, shape):
    """Zone lines for one customer (relative to test.)."""
    web = f"web{1 + i % 64}.hoster.example."
    lines = []
    add = lines.append
    allq = rng.choice(["-all", "-all", "~all"])
    if shape == "include-provider-spf":
        add(f"{name} IN TXT {txt('v=spf1 include:_spf.hoster.example ' + allq)}")
        add(f"{name} IN MX 10 mx1.hoster.example.")
        add(f"www.{name} IN CNAME {web}")
    elif shape == "include-provider-domain":
        add(f"{name} IN TXT {txt('v=spf1 include:hoster.example ~all')}")
        add(f"{name} IN MX 10 mx1.hoster.example.")
    elif shape == "mx-a-on-provider":
        add(f"{name} IN TXT {txt('v=spf1 mx a ' + allq)}")
        add(f"{name} IN A 198.18.130.{1 + i % 64}")
        add(f"{name} IN MX 10 mx1.hoster.example.")
        add(f"{name} IN MX 20 mx2.hoster.example.")
    elif shape == "redirect-provider":
        add(f"{name} IN TXT {txt('v=spf1 redirect=_spf.hoster.example')}")
        add(f"{name} IN MX 10 mx1.hoster.example.")
    elif shape == "exists-macro":
        add(f"{name} IN TXT {txt('v=spf1 ip4:198.18.1.0/28 exists:%{i}._spf.' + name + '.test -all')}")
    elif shape == "include-provider-and-esp":
        add(f"{name} IN TXT {txt('v=spf1 include:_spf.hoster.example include:_spf.esp.example ' + allq)}")
        add(f"{name} IN MX 10 mx1.hoster.example.")
    elif shape == "own-ranges-straddling":
        inside = f"198.18.{rng.randrange(0, 24)}.{rng.randrange(0, 16) * 16}/28"
        add(f"{name} IN TXT {txt(f'v=spf1 ip4:{inside} ip4:{own_v4(i)} {allq}')}")
    elif shape == "mx-provider-plus-own":
        add(f"{name} IN TXT {txt(f'v=spf1 mx ip4:{own_v4(i, 32)[:-3]} {allq}')}")
        add(f"{name} IN MX 10 mx2.hoster.example.")
    elif shape == "pass-all":
        add(f"{name} IN TXT {txt('v=spf1 +all')}")
    elif shape == "own-ranges":
        add(f"{name} IN TXT {txt(f'v=spf1 ip4:{own_v4(i, 29)} ip6:{own_v6(i)} {allq}')}")
        add(f"{name} IN MX 10 mail.{name}")
        add(f"mail.{name} IN A {own_v4(i, 32)[:-3]}")
    elif shape == "redirect-esp":
        add(f"{name} IN TXT {txt('v=spf1 redirect=_spf.esp.example')}")
    elif shape == "mx-own":
        add(f"{name} IN TXT {txt('v=spf1 mx ' + allq)}")
        add(f"{name} IN MX 10 mail.{name}")
        add(f"mail.{name} IN A {own_v4(i, 32)[:-3]}")
        add(f"mail.{name} IN AAAA {own_v6(i)[:-3]}1")
    elif shape == "no-spf":
        add(f"{name} IN TXT {txt('google-site-verification=' + format(rng.getrandbits(96), '024x'))}")
        add(f"{name} IN A 198.18.130.{1 + i % 64}")
    elif shape == "broken":
        kind = i % 4
        if kind == 0:
            add(f"{name} IN TXT {txt('v=spf1 ip4:198.18.1.300 -all')}")  # syntax error
        elif kind == 1:
            add(f"{name} IN TXT {txt('v=spf1 include:_spf.hoster.example -all')}")  # two SPF records
            add(f"{name} IN TXT {txt('v=spf1 ip4:' + own_v4(i) + ' -all')}")
        elif kind == 2:
            add(f"{name} IN TXT {txt('v=spf1 include:nothing-' + name + '.test -all')}")  # include of nothing
        else:
            add(f"{name} IN TXT {txt('v=spf1 include:' + name + '.test -all')}")  # loop
    elif shape == "does-not-exist":
        pass
    else:
        raise ValueError(shape)
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    weights = [w for _, w, _ in SHAPES]
    with open(os.path.join(args.out, "example.zone"), "w") as f:
        f.write(provider_zone())
    names = []
    with open(os.path.join(args.out, "test.zone"), "w") as zone, \
            open(os.path.join(args.out, "expected.tsv"), "w") as expected:
        zone.write(soa("test"))
        for i in range(args.customers):
            shape, _, verdict = rng.choices(SHAPES, weights)[0]
            name = (f"gone{i:06d}" if shape == "does-not-exist" else f"c{i:06d}")
            zone.write("\n".join(customer_records(rng, name, i, shape)))
            zone.write("\n")
            expected.write(f"{name}.test\t{shape}\t{verdict}\n")
            names.append(f"{name}.test")
    with open(os.path.join(args.out, "customers.txt"), "w") as f:
        f.write(f"# {args.customers} customers of {PROVIDER}, seed {args.seed}\n\n")
        for k, name in enumerate(names):
            f.write(name + "\n")
            if k % 20000 == 0:
                f.write(name.upper() + "\n")  # a duplicate (names are case-insensitive) the command skips


if __name__ == "__main__":
    main()

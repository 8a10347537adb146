#!/usr/bin/env python3
"""Extracts plain prose from free documentation installed by Debian packages.

Output: one text file per source under OUTDIR, documents separated by a line holding only
"\\f" (form feed), so later steps can split them. Every source here is DFSG-free; the list
and the licences are repeated in resources/models/<name>/MODEL_CARD.md.

Install the sources first (Debian 12):
  apt-get install bash-doc coreutils grep sed findutils diffutils gzip gnu-standards ed \
      wget gettext debian-reference-en debian-handbook
Usage: prepare_docs.py OUTDIR
"""
import glob
import gzip
import html.parser
import os
import re
import sys

# (name, package, licence, info files). GFDL manuals are all "no Invariant Sections, no
# Front-Cover Texts, no Back-Cover Texts" (checked in each file's header).
INFO_SOURCES = [
    ("bash", "bash-doc", "GFDL-1.3+ (no invariant sections)", ["bash"]),
    ("coreutils", "coreutils", "GFDL-1.3+ (no invariant sections)", ["coreutils"]),
    ("grep", "grep", "GFDL-1.3+ (no invariant sections)", ["grep"]),
    ("sed", "sed", "GFDL-1.3+ (no invariant sections)", ["sed"]),
    ("find", "findutils", "GFDL-1.3+ (no invariant sections)", ["find"]),
    ("diffutils", "diffutils", "GFDL-1.3+ (no invariant sections)", ["diffutils"]),
    ("gzip", "gzip", "GFDL-1.3+ (no invariant sections)", ["gzip"]),
    ("gnu-standards", "gnu-standards", "GFDL-1.3+ (no invariant sections)", ["standards", "maintain"]),
    ("ed", "ed", "GFDL-1.3+ (no invariant sections)", ["ed"]),
    ("wget", "wget", "GFDL-1.3+ (no invariant sections)", ["wget"]),
    ("gettext", "gettext", "GFDL-1.2+ (no invariant sections)", ["gettext"]),
]

# Index and licence nodes are lists and legal text, not prose worth learning from.
SKIP_NODE = re.compile(r"index|copying|license|licence|gnu free documentation", re.I)


def read_info(base):
    parts = sorted(glob.glob(f"/usr/share/info/{base}.info*.gz"))
    # "find.info.gz" holds only the tag table when "find.info-1.gz" etc. exist.
    text = []
    for p in parts:
        with gzip.open(p, "rt", encoding="utf-8", errors="replace") as f:
            text.append(f.read())
    return "\n".join(text)


def info_docs(base):
    raw = read_info(base)
    docs = []
    for node in raw.split("\x1f"):
        lines = node.strip("\n").split("\n")
        if not lines or not lines[0].startswith("File:"):
            continue
        m = re.search(r"Node: ([^,]*)", lines[0])
        if not m or SKIP_NODE.search(m.group(1)) or m.group(1) == "Top":
            continue
        out = []
        in_menu = False
        for ln in lines[1:]:
            if ln.startswith("* Menu:"):
                in_menu = True
                continue
            if in_menu:
                if ln.strip() == "" or ln.startswith("*") or ln.startswith(" "):
                    continue
                in_menu = False
            if ln.startswith("Tag Table:") or ln.startswith("End Tag Table"):
                break
            out.append(ln.rstrip())
        doc = clean("\n".join(out))
        if len(doc) > 200:
            docs.append(doc)
    return docs


def clean(text):
    text = text.replace("\u2018", "'").replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"\*[Nn]ote ([^:]*)::", r"\1", text)
    text = re.sub(r"\*[Nn]ote [^:]*: ([^.,]*)[.,]", r"\1", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = text.replace("\f", "")
    return text.strip()


class HtmlText(html.parser.HTMLParser):
    """Collects visible text of a DocBook HTML page, one paragraph per block element."""

    BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "li", "tr", "pre", "dt", "dd", "br", "table", "title"}

    def __init__(self):
        super().__init__()
        self.buf = []
        self.skip = 0
        self.pre = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self.skip += 1
        if tag == "pre":
            self.pre += 1
        if tag in self.BLOCKS:
            self.buf.append("\n\n" if tag != "br" else "\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in self.BLOCKS:
            self.buf.append("\n\n")

    def handle_data(self, data):
        if self.skip:
            return
        self.buf.append(data if self.pre else re.sub(r"\s+", " ", data))

    def text(self):
        t = "".join(self.buf)
        t = "\n".join(ln.strip() if not ln.startswith("    ") else ln.rstrip() for ln in t.split("\n"))
        # Page navigation of the DocBook HTML output.
        nav = {"Prev", "Next", "Home", "Up", "Download the ebook", "The Debian Administrator's Handbook"}
        t = "\n".join(ln for ln in t.split("\n") if ln.strip() not in nav)
        return clean(t)


def handbook_docs():
    docs = []
    for p in sorted(glob.glob("/usr/share/doc/debian-handbook/html/en-US/*.html")):
        name = os.path.basename(p)
        if name in ("index.html", "ix01.html") or name.startswith("ix"):
            continue
        with open(p, encoding="utf-8", errors="replace") as f:
            h = HtmlText()
            h.feed(f.read())
        doc = h.text()
        if len(doc) > 200:
            docs.append(doc)
    return docs


def reference_docs():
    with gzip.open("/usr/share/debian-reference/debian-reference.en.txt.gz", "rt", encoding="utf-8") as f:
        raw = f.read()
    # Split at numbered section headings ("1.2.3. Title" at column 0), drop the table of contents.
    # Headings start at column 0 ("Chapter 3. ...", "3.1.2. ..."); body text is indented by 4.
    chunks = re.split(r"\n(?=(?:Chapter \d+|\d+(?:\.\d+)*)\. )", raw)
    docs = []
    for c in chunks[1:]:
        c = clean("\n".join(ln[4:] if ln.startswith("    ") else ln for ln in c.split("\n")))
        # The table of contents is indented numbered lines; prose has sentences.
        if len(c) > 300 and c.count(". ") > 3:
            docs.append(c)
    return docs


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    sources = []
    for name, pkg, lic, bases in INFO_SOURCES:
        docs = [d for b in bases for d in info_docs(b)]
        sources.append((name, pkg, lic, docs))
    sources.append(("debian-reference", "debian-reference-en", "GPL-2+", reference_docs()))
    sources.append(("debian-handbook", "debian-handbook", "GPL-2+ or CC-BY-SA-3.0", handbook_docs()))
    with open(os.path.join(outdir, "SOURCES.tsv"), "w") as man:
        man.write("source\tdebian_package\tlicence\tdocuments\tcharacters\n")
        for name, pkg, lic, docs in sources:
            with open(os.path.join(outdir, name + ".txt"), "w", encoding="utf-8") as f:
                f.write("\n\f\n".join(docs))
            chars = sum(len(d) for d in docs)
            man.write(f"{name}\t{pkg}\t{lic}\t{len(docs)}\t{chars}\n")
            print(f"{name:18s} {pkg:20s} {len(docs):5d} docs {chars:9d} chars")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The benchmark blog page (bench/run P9, bench/readers R1): a 70-paragraph, 4,300-word
translation inside a header, a nav, 20 comments and a footer, with its plain text and an original.
Deterministic (a fixed seed). With COLOPHON, also a ledger in DIR (colophon.jsonl) where Tina
records the original and the translation and releases them, Olga's key (olga.pub) its root.
Usage: bench/page.py DIR [COLOPHON]"""
import html, random, subprocess, sys
d = sys.argv[1]
rng = random.Random(1947)
words = ("the bridge river morning grandmother market stone winter voice rain newspaper town "
         "square bell tower baker window street light evening harbour boat fisher net salt wind "
         "hill olive garden wall letter train station clock summer field church road").split()
def sentence():
    s = " ".join(rng.choice(words) for _ in range(rng.randint(8, 16)))
    return s[0].upper() + s[1:] + rng.choice([".", ".", ".", ";", ","])[0]
paras = [" ".join(sentence() for _ in range(rng.randint(4, 6))) for _ in range(70)]
article = "The Stone Bridge of Cortà\n\n" + "\n\n".join(paras) + "\n"
open(f"{d}/article.txt", "w").write(article)
body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paras)
comments = "\n".join(f"<div class=comment><p>{sentence()}</p><p class=meta>reader {i}</p></div>" for i in range(20))
page = f"""<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>The Stone Bridge</title>
<style>body {{ font-family: serif }}</style><script>window.a = 1;</script></head><body>
<header><a href=/>A Translator&rsquo;s Blog</a><p>Notes from the desk</p></header>
<nav><ul><li><a href=/>Home</a><li><a href=/archive>Archive</a><li><a href=/about>About</a></ul></nav>
<main><article><h1>The Stone Bridge of Cort&agrave;</h1>
{body}
</article><section><h2>20 comments</h2>
{comments}
</section></main><footer><p>&copy; 2026 A Translator&rsquo;s Blog</p></footer></body></html>
"""
open(f"{d}/page.html", "w").write(page)
open(f"{d}/original.txt", "w").write("Il ponte di pietra di Cortà\n\n" + "\n\n".join(p.upper() for p in paras) + "\n")

if len(sys.argv) > 2:
    c = sys.argv[2]
    for args in (
        ["keygen", "--name", "Olga Bianchi", "--out", "olga", "--unencrypted"],
        ["keygen", "--name", "Tina Rossi", "--out", "tina", "--unencrypted"],
        ["init", "--origin", "example.org/translations", "--key", "olga.key"],
        ["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"],
        ["record", "original.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"],
        ["record", "article.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it", "--key", "tina.key"],
        ["release", "--work", "ponte", "--tag", "v1", "--key", "tina.key"],
    ):
        subprocess.run([c, *args], cwd=d, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

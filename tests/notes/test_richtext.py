"""The sanitizer: what a note or journal entry keeps of the HTML it was sent. Known XSS payloads
(OWASP's filter evasion cheat sheet and mutation XSS) must leave nothing that runs; formatting stays."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coachos.notes.richtext import from_plain, is_blank, preview, sanitize, to_text

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<IMG SRC="javascript:alert(\'XSS\');">',
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert('XSS')>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="jAvAsCrIpT:alert(1)">click</a>',
    '<a href="java&#x09;script:alert(1)">click</a>',
    '<a href="java\tscript:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">click</a>',
    '<a href="javascript&colon;alert(1)">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<a href="https://ok.example" onclick="alert(1)" onmouseover="alert(2)">ok</a>',
    "<iframe src=\"javascript:alert('XSS');\"></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<div style="background-image: url(javascript:alert(1))">x</div>',
    '<p style="x:expression(alert(1))">x</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<form><button formaction="javascript:alert(1)">go</button></form>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<template><img src=x onerror=alert(1)></template>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<details open ontoggle=alert(1)>',
    '<video><source onerror="alert(1)"></video>',
    '<textarea><script>alert(1)</script></textarea>',
    '<title><img src=x onerror=alert(1)></title>',
    '<xmp><img src=x onerror=alert(1)></xmp>',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<scr<script>ipt>alert(1)</script>',
    '<a href="http://ok.example" target="_self" rel="opener">ok</a>',
    '<p data-x="1" class="evil" id="main">x</p>',
    '<li data-action="javascript:alert(1)">x</li>',
    '"><script>alert(document.cookie)</script>',
]
# Anything that could run or load: a tag that executes, an event handler, a scripting URL, styles.
DANGER = re.compile(
    r"<\s*(script|style|iframe|object|embed|svg|math|img|form|button|input|meta|base|link|video|source|details|"
    r"template|textarea|title|xmp|body|div)\b|\son\w+\s*=|javascript:|vbscript:|data:|style\s*=|srcdoc|"
    r"formaction|expression\(",
    re.IGNORECASE,
)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_known_xss_payload_survives(payload: str) -> None:
    cleaned = sanitize(payload)
    assert not DANGER.search(cleaned), cleaned
    # And again: what is stored is already clean (nothing new appears on a second pass).
    assert sanitize(cleaned) == cleaned


def test_script_and_style_go_with_their_content_and_event_handlers_go() -> None:
    assert sanitize("<p>Hi</p><script>steal()</script><style>p{}</style>") == "<p>Hi</p>"
    assert sanitize('<p onclick="x()">Hi</p>') == "<p>Hi</p>"


def test_formatting_is_kept() -> None:
    html = ("<h2>Plan</h2><p><strong>Bold</strong> <b>b</b> <em>em</em> <i>i</i> <u>u</u> <s>s</s><br>next</p>"
            "<ul><li>one</li></ul><ol><li>two</li></ol><h3>t</h3><h4>f</h4><blockquote>q</blockquote>"
            "<pre><code>x = 1</code></pre>")
    assert sanitize(html) == html


def test_links_keep_safe_urls_and_open_in_a_new_tab_without_the_opener() -> None:
    cleaned = sanitize('<a href="https://example.com/plan?a=1&amp;b=2" target="_self">plan</a>')
    assert cleaned == ('<a href="https://example.com/plan?a=1&amp;b=2" target="_blank" '
                       'rel="noopener noreferrer nofollow">plan</a>')
    assert 'href="mailto:coach@example.com"' in sanitize('<a href="mailto:coach@example.com">mail</a>')
    assert "href" not in sanitize('<a href="/relative/path">rel</a>')
    assert "href" not in sanitize('<a href="ftp://example.com/">ftp</a>')


def test_action_markers_survive_only_with_known_values() -> None:
    assert sanitize('<ul><li data-action="client">Walk</li></ul>') == '<ul><li data-action="client">Walk</li></ul>'
    assert sanitize('<ul><li data-action="coach">Call</li></ul>') == '<ul><li data-action="coach">Call</li></ul>'
    assert sanitize('<ul><li data-action="other">x</li></ul>') == "<ul><li>x</li></ul>"


def test_text_blank_and_preview() -> None:
    html = "<h3>Plan</h3><p>Squats &amp; lunges<br>twice</p><ul><li>one</li></ul><script>x()</script>"
    assert to_text(html) == "Plan\nSquats & lunges\ntwice\none"
    assert is_blank("<p> </p><p><br></p><script>alert(1)</script>")
    assert not is_blank("<p>x</p>")
    assert preview("<p>" + "word " * 50 + "</p>", 20) == "word word word word…"


def test_plain_text_becomes_escaped_paragraphs() -> None:
    assert from_plain("Knee <sore>\nrest\n\nNext week: 5k") == "<p>Knee &lt;sore&gt;<br>rest</p><p>Next week: 5k</p>"
    assert sanitize(from_plain("a & b")) == from_plain("a & b")


HTMLISH = st.lists(st.one_of(
    st.sampled_from(["<p>", "</p>", "<b>", "</b>", "<li>", "</li>", "<ul>", "</ul>", "<a href='https://x.y'>",
                     "</a>", "<script>", "</script>", "<br>", "<h2>", "</h2>", "<img src=x onerror=y>", "&amp;",
                     "&lt;", "<!--", "-->", "<style>", "<noscript>", "<pre>", "</pre>", "\"", "'", "<", ">",
                     "<li data-action=client>", "javascript:", "<table>", "<td>", "<math>", "<svg>"]),
    st.text(max_size=8)), max_size=30).map("".join)


@given(HTMLISH)
def test_sanitize_is_idempotent(raw: str) -> None:
    once = sanitize(raw)
    assert sanitize(once) == once


@given(HTMLISH)
def test_sanitized_html_never_carries_a_handler_or_a_script(raw: str) -> None:
    cleaned = sanitize(raw)
    assert not re.search(r"<\s*(script|style|img|svg|math|noscript)\b|\son\w+\s*=", cleaned, re.IGNORECASE)

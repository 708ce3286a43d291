"""Rich text is reduced to a few harmless tags; links open safely; code blocks vanish."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from advocacy.sanitize import html_to_text, sanitize_html

REL = 'rel="noopener noreferrer nofollow"'


class TestSanitizeHtml:
    def test_script_and_style_blocks_go_with_their_content(self):
        cleaned = sanitize_html(
            "<p>Before</p><script>alert('owned')</script>"
            "<STYLE type='text/css'>body { display: none }</STYLE >"
            "<script src='https://evil.example/x.js'></script><p>After</p>")
        assert cleaned == "<p>Before</p><p>After</p>"

    def test_multi_line_script_is_removed_entirely(self):
        cleaned = sanitize_html("<p>a</p><script>\nvar x = 1;\nsteal(document.cookie);\n"
                                "</script><p>b</p>")
        assert cleaned == "<p>a</p><p>b</p>"
        assert "steal" not in cleaned and "cookie" not in cleaned

    def test_event_handler_attributes_are_removed(self):
        cleaned = sanitize_html('<p onclick="steal()">Hi <strong onmouseover="x()">you</strong>'
                                '</p>')
        assert cleaned == "<p>Hi <strong>you</strong></p>"

    def test_style_and_class_attributes_are_removed(self):
        cleaned = sanitize_html('<p style="color:red" class="big">Text</p>')
        assert cleaned == "<p>Text</p>"

    @pytest.mark.parametrize("href", [
        "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
        "data:text/html,<b>x</b>", "vbscript:msgbox(1)",
    ])
    def test_dangerous_link_targets_are_dropped(self, href):
        cleaned = sanitize_html(f'<a href="{href}">click</a>')
        assert cleaned == "<a>click</a>"
        assert "href" not in cleaned

    def test_allowed_tags_are_kept(self):
        html = ("<p>Plain <strong>strong</strong> <em>em</em></p>"
                "<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>"
                "<h2>Head</h2><blockquote>quote</blockquote>")
        assert sanitize_html(html) == html

    def test_https_link_is_kept_and_made_safe(self):
        cleaned = sanitize_html('<a href="https://example.com/page?a=1" target="_blank" '
                                'onclick="x()">Read</a>')
        assert cleaned == f'<a href="https://example.com/page?a=1" {REL}>Read</a>'

    def test_link_rel_is_overwritten_not_trusted(self):
        cleaned = sanitize_html('<a href="https://example.com" rel="opener">x</a>')
        assert cleaned == f'<a href="https://example.com" {REL}>x</a>'

    def test_mailto_and_title_are_allowed(self):
        cleaned = sanitize_html('<a href="mailto:press@example.org" title="Press">mail</a>')
        assert cleaned == (f'<a href="mailto:press@example.org" title="Press" {REL}>mail</a>')

    def test_bare_addresses_become_safe_links(self):
        cleaned = sanitize_html("<p>see https://example.org now</p>")
        assert cleaned == (f'<p>see <a href="https://example.org" {REL}>https://example.org</a>'
                           " now</p>")

    def test_images_and_iframes_are_stripped(self):
        cleaned = sanitize_html('<p>x<img src="https://t.example/p.gif" onerror="alert(1)">'
                                '<iframe src="https://evil.example">fallback</iframe></p>')
        assert "<img" not in cleaned and "<iframe" not in cleaned
        assert "onerror" not in cleaned and "evil.example" not in cleaned
        assert cleaned == "<p>xfallback</p>"

    def test_unknown_tags_are_stripped_but_their_text_kept(self):
        assert sanitize_html("<div><span>kept</span></div>") == "kept"

    def test_comments_are_removed(self):
        assert sanitize_html("<!-- secret --><p>x</p>") == "<p>x</p>"

    def test_plain_text_is_escaped(self):
        assert sanitize_html("1 < 2 & 3 > 2") == "1 &lt; 2 &amp; 3 &gt; 2"

    @pytest.mark.parametrize("empty", [None, ""])
    def test_nothing_gives_empty_string(self, empty):
        assert sanitize_html(empty) == ""

    def test_cleaning_twice_changes_nothing(self):
        once = sanitize_html('<p>Go to <a href="https://example.com">here</a> '
                             "<script>x</script></p>")
        assert sanitize_html(once) == once


class TestHtmlToText:
    def test_tags_removed_and_whitespace_collapsed(self):
        assert html_to_text("<p>Hello <b>world</b></p>\n\n<ul><li>one</li>  <li>two</li></ul>") \
            == "Hello world one two"

    @pytest.mark.parametrize("empty", [None, ""])
    def test_nothing_gives_empty_string(self, empty):
        assert html_to_text(empty) == ""

    def test_entities_become_plain_characters(self):
        assert html_to_text("<p>Tom &amp; Jerry: 1 &lt; 2</p>") == "Tom & Jerry: 1 < 2"


class TestRichTextFilter:
    def test_filter_returns_sanitized_markup(self, app):
        with app.test_request_context():
            template = app.jinja_env.from_string("{{ x|rich_text }}")
            raw = ('<p onclick="x()">Hi <strong>you</strong></p><script>alert(1)</script>'
                   '<a href="https://example.com">go</a>')
            rendered = template.render(x=raw)
            filtered = app.jinja_env.filters["rich_text"](raw)
        expected = f'<p>Hi <strong>you</strong></p><a href="https://example.com" {REL}>go</a>'
        assert rendered == expected  # not escaped a second time
        assert isinstance(filtered, Markup)
        assert str(filtered) == expected

    def test_filter_on_none_renders_nothing(self, app):
        with app.test_request_context():
            assert app.jinja_env.from_string("[{{ x|rich_text }}]").render(x=None) == "[]"

    def test_filter_cleans_even_stored_markup(self, app):
        with app.test_request_context():
            rendered = app.jinja_env.from_string("{{ x|rich_text }}").render(
                x=Markup('<img src="x" onerror="alert(1)"><em>ok</em>'))
        assert rendered == "<em>ok</em>"

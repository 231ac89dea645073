package io.wsgate.inspect;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.wsgate.config.RouteConfig.SanitizeMode.BASIC_HTML;
import static io.wsgate.config.RouteConfig.SanitizeMode.TEXT;
import static org.assertj.core.api.Assertions.assertThat;

class SanitizerTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
            "Tom & Jerry's|Tom & Jerry's",
            "a < b and c > d|a  b and c  d",
            "<b>bold</b> text|bold text",
            "<script>alert(1)</script>hi|hi",
            "<style>body{}</style>x|x",
            "<img src=x onerror=alert(1)>pic|pic",
            "<svg><script>alert(1)</script></svg>ok|ok",
            "&lt;script&gt;alert(1)&lt;/script&gt;|scriptalert(1)/script",
            "Fish &amp; chips &copy; 2024|Fish & chips © 2024",
            "<a href=\"javascript:alert(1)\">click</a>|click",
            "<iframe src=//evil></iframe>after|after",
            "1 &lt; 2|1  2",
            "<<b>>nested|nested",
            "Tom &amp Jerry|Tom & Jerry"})
    void textMode(String in, String out) {
        assertThat(Sanitizer.sanitize(TEXT, in)).isEqualTo(out);
    }

    @Test
    void plainValuesAreReturnedAsIs() {
        String s = new String("no markup here, just 'quotes' and \"more\"");
        assertThat(Sanitizer.sanitize(TEXT, s)).isSameAs(s);
        assertThat(Sanitizer.sanitize(BASIC_HTML, s)).isSameAs(s);
    }

    @Test
    void basicHtmlKeepsFormattingAndSafeLinks() {
        assertThat(Sanitizer.sanitize(BASIC_HTML, "<b>hi</b> <i>there</i><script>x</script>"))
                .isEqualTo("<b>hi</b> <i>there</i>");
        assertThat(Sanitizer.sanitize(BASIC_HTML, "<a href=\"https://e.x/p\" onclick=\"x()\">l</a>"))
                .isEqualTo("<a href=\"https://e.x/p\" rel=\"nofollow noopener\">l</a>");
        assertThat(Sanitizer.sanitize(BASIC_HTML, "<a href=\"javascript:alert(1)\">l</a>")).isEqualTo("l");
        assertThat(Sanitizer.sanitize(BASIC_HTML, "<a href=\"/x\" rel=\"opener\" target=\"_blank\">l</a>"))
                .isEqualTo("<a href=\"/x\" rel=\"nofollow noopener\">l</a>");
        assertThat(Sanitizer.sanitize(BASIC_HTML, "<img src=x onerror=alert(1)>")).isEmpty();
        assertThat(Sanitizer.sanitize(BASIC_HTML, "Tom & Jerry")).isEqualTo("Tom &amp; Jerry");
    }
}

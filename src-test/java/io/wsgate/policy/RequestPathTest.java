package io.wsgate.policy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class RequestPathTest {
    @ParameterizedTest
    @ValueSource(strings = {"/", "/chat", "/pre/", "/pre/a", "/pre/a/", "/pre/a/b/c", "/socket.io/", "/a.b/c..d/...",
            "/.well-known/x", "/a-b_c~d", "/%20", "/caf%C3%A9", "/%25", "/%3F", "/%23", "/a:b@c", "/!$&'()*+,=",
            "/%7B%7D", "/..a", "/a.", "/%2B"})
    void cleanPathsPass(String path) {
        assertThat(RequestPath.pathProblem(path)).as(path).isNull();
        assertThat(RequestPath.parse(path).ok()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", value = {
            "/pre//admin/x => empty path segment",
            "//admin => empty path segment",
            "/pre// => empty path segment",
            "/pre/./admin => dot segment",
            "/pre/../admin => dot segment",
            "/pre/.. => dot segment",
            "/pre/. => dot segment",
            "/pre/%2e%2e/admin => unreserved",
            "/pre/%2E/admin => unreserved",
            "/pre/.%2e/admin => unreserved",
            "/pre/%61dmin/x => unreserved character (%61)",
            "/pre/%41 => unreserved",
            "/pre/%30 => unreserved",
            "/pre/%7e => unreserved",
            "/pre/%5F => unreserved",
            "/pre/%2d => unreserved",
            "/pre/a%2fb => encoded /",
            "/pre/a%2Fb => encoded /",
            "/pre/%5cadmin => encoded /",
            "/pre/%5Cadmin => encoded /",
            "/pre/a\\b => \\ in the path",
            "/pre/%u002e => malformed percent escape",
            "/pre/%zz => malformed percent escape",
            "/pre/%4 => malformed percent escape",
            "/pre/% => malformed percent escape",
            "/pre/%%41 => malformed percent escape",
            "/pre/%g0 => malformed percent escape",
            "/pre/%00 => control character",
            "/pre/%0a => control character",
            "/pre/%7F => control character",
            "/pre/admin;x/y => path parameters",
            "/pre/..;/admin => path parameters",
            "/pre/a b => character not allowed",
            "/pre/a#b => character not allowed",
            "/pre/a\"b => character not allowed",
            "/pre/<script> => character not allowed",
            "/pre/a{b => character not allowed",
            "/pre/a|b => character not allowed",
            "/pre/a^b => character not allowed",
            "/pre/a`b => character not allowed",
            "/pre/a[b => character not allowed",
            "/pre/é => character not allowed",
            "pre/a => must start with /",
            "* => must start with /",
            "http://h/pre/a => must start with /",
    })
    void eachBadFormIsRefusedWithItsReason(String path, String reason) {
        assertThat(RequestPath.pathProblem(path)).as(path).contains(reason);
        assertThat(RequestPath.parse(path + "?a=1").ok()).isFalse();
    }

    @Test
    void controlCharactersAndEmptyTargetsAreRefused() {
        assertThat(RequestPath.pathProblem("/a\tb")).isNotNull();
        assertThat(RequestPath.pathProblem("/a\u0000b")).isNotNull();
        assertThat(RequestPath.pathProblem("/\uff05\uff10\uff10")).isNotNull();
        assertThat(RequestPath.pathProblem(null)).isNotNull();
        assertThat(RequestPath.parse("").ok()).isFalse();
        assertThat(RequestPath.parse(null).ok()).isFalse();
        // fullwidth digits are digits to Character.digit, never hex digits of an escape
        assertThat(RequestPath.pathProblem("/a%\uff14\uff11")).contains("malformed");
    }

    @Test
    void theQueryIsSplitOffAtTheFirstQuestionMarkAndKeptAsSpelled() {
        RequestPath p = RequestPath.parse("/pre/a/?EIO=4&transport=websocket&t=%61?x=/y");
        assertThat(p.ok()).isTrue();
        assertThat(p.path()).isEqualTo("/pre/a/");
        assertThat(p.query()).isEqualTo("EIO=4&transport=websocket&t=%61?x=/y");
        assertThat(RequestPath.parse("/pre/a?").query()).isEmpty();
        assertThat(RequestPath.parse("/pre/a").query()).isNull();
        // the path rule applies only to the path: an encoded slash in the query is a value
        assertThat(RequestPath.parse("/pre/a?next=%2Fadmin&a[]=1").ok()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=%zz", "a=%4", "a=%", "a=b c", "a=b#c", "a=\"", "a={}", "a=|", "a=^", "a=`", "a=<>",
            "a=\\", "a=é", "a=\u0001"})
    void aMalformedQueryIsRefused(String query) {
        assertThat(RequestPath.queryProblem(query)).as(query).isNotNull();
        assertThat(RequestPath.parse("/pre/a?" + query).ok()).isFalse();
    }

    @Test
    void everyAcceptedTargetIsAValidUri() {
        // what passes must never make java.net.URI throw later (that was a 502 or a 500)
        for (char c = 0; c < 0x100; c++) {
            for (String target : new String[] {"/a" + c + "b", "/a?q=" + c, "/a/" + c, "/a?" + c + "=1"}) {
                RequestPath p = RequestPath.parse(target);
                if (p.ok()) {
                    assertThatCode(() -> URI.create("ws://h:1" + target)).as(target).doesNotThrowAnyException();
                    assertThat(URI.create("ws://h:1" + target).getRawPath()).isEqualTo(p.path());
                }
            }
        }
    }

    @Test
    void suffixIsTheClientPathAfterAPrefixRoute() {
        assertThat(RequestPath.suffix("/pre/a/b", "/pre/")).isEqualTo("a/b");
        assertThat(RequestPath.suffix("/pre/a/", "/pre/")).isEqualTo("a/");
        assertThat(RequestPath.suffix("/pre/", "/pre/")).isEmpty();
        assertThat(RequestPath.suffix("/chat", "/chat")).isEmpty();
        assertThat(RequestPath.suffix("/other", "/pre/")).isEmpty();
    }
}

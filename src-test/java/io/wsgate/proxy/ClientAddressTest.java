package io.wsgate.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-IP key: one spelling per address, and X-Forwarded-For believed only as far as trusted_proxies go. */
class ClientAddressTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "10.1.2.3                  | 10.1.2.3",
            "::ffff:10.1.2.3           | 10.1.2.3",
            "[::ffff:10.1.2.3]         | 10.1.2.3",
            "0:0:0:0:0:ffff:a01:203    | 10.1.2.3",
            "0:0:0:0:0:0:0:1           | ::1",
            "[::1]                     | ::1",
            "2001:0DB8:0000:0000:0000:0000:0000:0001 | 2001:db8::1",
            "2001:db8:0:0:1:0:0:1      | 2001:db8::1:0:0:1",
    })
    void canonicalSpelling(String in, String out) {
        assertThat(ClientAddress.canonical(in)).isEqualTo(out);
    }

    @Test
    void notAnAddress() {
        for (String s : List.of("", "example.com", "10.1.2", "1.2.3.4:80", "::g", "unknown", "_hidden")) {
            assertThat(ClientAddress.canonical(s)).as(s).isNull();
        }
    }

    @Test
    void socketAddressesAreCanonicalToo() throws Exception {
        assertThat(ClientAddress.canonical(InetAddress.getByName("::1"))).isEqualTo("::1");
        assertThat(ClientAddress.canonical(InetAddress.getByName("127.0.0.1"))).isEqualTo("127.0.0.1");
    }

    /** headers: X-Forwarded-For values separated by ';' (each may hold a comma list); peer 127.0.0.1. */
    @ParameterizedTest(name = "trusted {0}, XFF {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            // the peer is not a trusted proxy: its header is ignored
            "10.0.0.0/8              | 203.0.113.5                     | 127.0.0.1",
            // trusted peer, one hop
            "127.0.0.1/32            | 203.0.113.5                     | 203.0.113.5",
            // a client-supplied hop in front is not believed: the right-most untrusted hop wins
            "127.0.0.1/32            | 6.6.6.6, 203.0.113.5            | 203.0.113.5",
            // our own proxies are skipped from the right
            "127.0.0.1/32;10.0.0.0/8 | 203.0.113.5, 10.0.0.2, 10.0.0.3 | 203.0.113.5",
            // several header lines read as one list, in order
            "127.0.0.1/32            | 6.6.6.6;203.0.113.5             | 203.0.113.5",
            // every hop trusted: the left-most
            "127.0.0.1/32;10.0.0.0/8 | 10.0.0.9, 10.0.0.2              | 10.0.0.9",
            // a hop that is not an address makes the header untrustworthy: the peer
            "127.0.0.1/32            | 203.0.113.5, unknown            | 127.0.0.1",
            "127.0.0.1/32            | 1.2.3.4:5678                    | 127.0.0.1",
            // IPv6 and IPv4-mapped spellings come out canonical
            "127.0.0.1/32            | 2001:0db8::0001                 | 2001:db8::1",
            "127.0.0.1/32            | [2001:db8::1]                   | 2001:db8::1",
            "127.0.0.1/32            | ::ffff:203.0.113.5              | 203.0.113.5",
            // a trusted proxy written as IPv4-mapped IPv6 is still skipped
            "127.0.0.1/32;10.0.0.0/8 | 203.0.113.5, ::ffff:10.0.0.2    | 203.0.113.5",
            // empty entries are ignored
            "127.0.0.1/32            | ' , 203.0.113.5 ,'              | 203.0.113.5",
    })
    void forwardedFor(String trusted, String headers, String expected) {
        Cidrs cidrs = Cidrs.parse(Arrays.asList(trusted.split(";")));
        assertThat(ClientAddress.fromForwardedFor(Arrays.asList(headers.split(";")), cidrs, "127.0.0.1"))
                .isEqualTo(expected);
    }

    @Test
    void noHeaderOrNoTrustedProxies() {
        assertThat(ClientAddress.fromForwardedFor(List.of(), Cidrs.parse(List.of("127.0.0.1")), "127.0.0.1"))
                .isEqualTo("127.0.0.1");
        assertThat(ClientAddress.fromForwardedFor(List.of("1.2.3.4"), Cidrs.parse(List.of()), "127.0.0.1"))
                .isEqualTo("127.0.0.1");
    }
}

package io.wsgate.proxy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every trusted_proxies rule and per-IP key depends on these answers: IPv4, IPv6, IPv4-mapped IPv6. */
class CidrsTest {
    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "10.0.0.0/8        | 10.1.2.3                 | true",
            "10.0.0.0/8        | 11.0.0.1                 | false",
            "10.0.0.0/8        | ::ffff:10.1.2.3          | true",
            "10.0.0.0/8        | [::ffff:10.1.2.3]        | true",
            "10.0.0.0/8        | ::ffff:a01:203           | true",
            "192.168.1.0/25    | 192.168.1.127            | true",
            "192.168.1.0/25    | 192.168.1.128            | false",
            "192.168.1.7       | 192.168.1.7              | true",
            "192.168.1.7       | 192.168.1.8              | false",
            "0.0.0.0/0         | 203.0.113.9              | true",
            "0.0.0.0/0         | 2001:db8::1              | false",
            "::/0              | 2001:db8::1              | true",
            "::/0              | 203.0.113.9              | false",
            "2001:db8::/32     | 2001:db8:ffff::1         | true",
            "2001:db8::/32     | 2001:0db8:0000::1        | true",
            "2001:db8::/32     | 2001:db9::1              | false",
            "2001:db8::/33     | 2001:db8:7fff::1         | true",
            "2001:db8::/33     | 2001:db8:8000::1         | false",
            "::1               | ::1                      | true",
            "::1               | 0:0:0:0:0:0:0:1          | true",
            "::1               | [::1]                    | true",
            "::1               | 127.0.0.1                | false",
            "127.0.0.0/8       | ::1                      | false",
            "::ffff:10.0.0.1   | 10.0.0.1                 | true",
            "fe80::/10         | fe80::1%eth0             | true",
            "10.0.0.0/8        | 10.0.0.08                | false",
            "10.0.0.0/8        | 10.1.2                   | false",
            "10.0.0.0/8        | 010.1.2.3                | false",
            "10.0.0.0/8        | 10.1.2.3.4               | false",
            "10.0.0.0/8        | example.com              | false",
            "10.0.0.0/8        | ''                       | false",
    })
    void containsLiteral(String cidr, String ip, boolean expected) {
        assertThat(Cidrs.parse(List.of(cidr)).contains(ip)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} contains InetAddress {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1/32 | 127.0.0.1 | true",
            "::1/128      | ::1       | true",
            "10.0.0.0/8   | 10.9.9.9  | true",
            "10.0.0.0/8   | 9.9.9.9   | false",
    })
    void containsAddress(String cidr, String ip, boolean expected) throws Exception {
        assertThat(Cidrs.parse(List.of(cidr)).contains(InetAddress.getByName(ip))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "refused: {0}")
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/x", "::/129", "example.com", "10.0.0/8", "", "1.2.3.4/"})
    void refusesBadBlocks(String cidr) {
        assertThatThrownBy(() -> Cidrs.parse(List.of(cidr))).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3.4", "2001:db8::1"})
    void emptyListContainsNothing(String ip) {
        assertThat(Cidrs.parse(List.of()).contains(ip)).isFalse();
        assertThat(Cidrs.parse(null).isEmpty()).isTrue();
    }
}

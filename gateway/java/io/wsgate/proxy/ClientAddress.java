package io.wsgate.proxy;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The client address every per-IP rule keys on, in one spelling: IPv4 dotted quad, IPv6 as RFC 5952 text,
 * an IPv4-mapped IPv6 address as its IPv4 address. Two spellings of one address must never be two buckets.
 */
final class ClientAddress {
    private ClientAddress() {
    }

    /** The canonical text of an IP literal (brackets allowed around IPv6), or null when it is not one. */
    static String canonical(String literal) {
        byte[] a = Cidrs.literal(literal);
        return a == null ? null : text(a);
    }

    static String canonical(InetAddress address) {
        byte[] a = Cidrs.literal(address.getHostAddress());
        return a == null ? address.getHostAddress() : text(a);
    }

    private static String text(byte[] a) {
        return NetUtil.bytesToIpAddress(a);
    }

    /**
     * The client named by X-Forwarded-For when the peer is a trusted proxy: the right-most hop that is not itself
     * trusted (or the left-most when all are); the peer when a hop is not an IP literal or no header is present.
     */
    static String fromForwardedFor(List<String> headerValues, Cidrs trusted, String peerIp) {
        if (trusted.isEmpty() || !trusted.contains(peerIp) || headerValues.isEmpty()) {
            return peerIp;
        }
        List<String> hops = new ArrayList<>();
        for (String v : headerValues) {
            for (String h : v.split(",")) {
                String s = h.trim();
                if (!s.isEmpty()) {
                    hops.add(s);
                }
            }
        }
        for (int i = hops.size() - 1; i >= 0; i--) {
            String h = canonical(hops.get(i));
            if (h == null) {
                return peerIp;
            }
            if (!trusted.contains(h) || i == 0) {
                return h;
            }
        }
        return peerIp;
    }
}

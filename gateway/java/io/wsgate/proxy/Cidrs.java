package io.wsgate.proxy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** A list of CIDR blocks (IPv4 and IPv6; a bare address is a /32 or /128). */
public final class Cidrs {
    private record Block(byte[] net, int bits) {
        boolean contains(byte[] a) {
            if (a.length != net.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != net[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (net[full] & mask);
        }
    }

    private final List<Block> blocks;

    private Cidrs(List<Block> blocks) {
        this.blocks = blocks;
    }

    public static Cidrs parse(List<String> cidrs) {
        List<Block> out = new ArrayList<>();
        if (cidrs != null) {
            for (String c : cidrs) {
                String s = c.trim();
                int slash = s.indexOf('/');
                byte[] addr = literal(slash < 0 ? s : s.substring(0, slash));
                if (addr == null) {
                    throw new IllegalArgumentException("not an IP address or CIDR: " + c);
                }
                int bits = slash < 0 ? addr.length * 8 : Integer.parseInt(s.substring(slash + 1));
                if (bits < 0 || bits > addr.length * 8) {
                    throw new IllegalArgumentException("bad prefix length: " + c);
                }
                out.add(new Block(addr, bits));
            }
        }
        return new Cidrs(List.copyOf(out));
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    public boolean contains(InetAddress address) {
        if (address == null) {
            return false;
        }
        byte[] a = address.getAddress();
        for (Block b : blocks) {
            if (b.contains(a)) {
                return true;
            }
        }
        return false;
    }

    public boolean contains(String ip) {
        byte[] a = literal(ip);
        if (a == null) {
            return false;
        }
        for (Block b : blocks) {
            if (b.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** Parses an IP literal without DNS; null when it is not one. */
    static byte[] literal(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        boolean v6 = s.indexOf(':') >= 0;
        if (!v6) {
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch != '.' && (ch < '0' || ch > '9')) {
                    return null;
                }
                // 010.1.2.3 is 8.1.2.3 to some parsers and 10.1.2.3 to others: not an address here
                if (ch == '0' && (i == 0 || s.charAt(i - 1) == '.') && i + 1 < s.length() && s.charAt(i + 1) != '.') {
                    return null;
                }
            }
        } else if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        byte[] b = io.netty.util.NetUtil.createByteArrayFromIpAddressString(s);
        if (b == null) {
            return null;
        }
        try {
            // normalises IPv4-mapped IPv6 to 4 bytes
            return InetAddress.getByAddress(b).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}

package io.wsgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The TCP sockets this JVM holds open, from {@code /proc/self/fd} and {@code /proc/net/tcp{,6}} (Linux): a
 * test can see that a gateway freed both legs of its connections without reaching into it. Only sockets with a
 * file descriptor of this process count (TIME_WAIT leftovers belong to the kernel), and listeners are ignored.
 */
public final class ProcSockets {
    private static final String LISTEN = "0A";

    private ProcSockets() {
    }

    public static boolean available() {
        return Files.isReadable(Path.of("/proc/self/fd")) && Files.isReadable(Path.of("/proc/net/tcp"));
    }

    /**
     * Connections (not listeners) held open by this process whose local or remote port is {@code port}, as
     * {@code "local -> remote STATE"} lines (hex, as the kernel prints them).
     */
    public static List<String> connectedOn(int port) {
        Set<String> inodes = ownInodes();
        List<String> out = new ArrayList<>();
        for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(file);
            if (!Files.isReadable(p)) {
                continue;
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || f[3].equals(LISTEN) || !inodes.contains(f[9])) {
                    continue;
                }
                if (port(f[1]) == port || port(f[2]) == port) {
                    out.add(f[1] + " -> " + f[2] + " " + f[3]);
                }
            }
        }
        return out;
    }

    private static int port(String hexAddress) {
        return Integer.parseInt(hexAddress.substring(hexAddress.lastIndexOf(':') + 1), 16);
    }

    private static Set<String> ownInodes() {
        Set<String> out = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        out.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}

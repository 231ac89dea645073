package io.wsgate.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Memory of a set of processes (e.g. an nginx master and its workers), from /proc/PID/status,
 * plus, for a JVM, heap used after a forced GC and NMT committed memory, via jcmd.
 */
final class ProcessProbe {
    private static final Pattern GEN_USED = Pattern.compile("total \\d+K, used (\\d+)K");
    private static final Pattern ZHEAP_USED = Pattern.compile("ZHeap\\s+used (\\d+)M");
    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB");

    /** Sums over the processes; -1 where a value could not be read. */
    record Sample(long rssKb, long rssAnonKb, long openFiles, long heapUsedKb, long nmtCommittedKb) {}

    private final List<Long> pids;
    private final boolean jvm;

    ProcessProbe(List<Long> pids, boolean jvmProbe) {
        this.pids = List.copyOf(pids);
        this.jvm = jvmProbe;
    }

    static boolean isJava(long pid) {
        try {
            byte[] cmd = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            String first = new String(cmd, StandardCharsets.UTF_8).split("\0", 2)[0];
            return first.endsWith("java");
        } catch (IOException e) {
            return false;
        }
    }

    Sample sample() {
        long rss = 0;
        long anon = 0;
        long files = 0;
        long heap = jvm ? 0 : -1;
        long nmt = jvm ? 0 : -1;
        for (long pid : pids) {
            rss = add(rss, statusKb(pid, "VmRSS:"));
            anon = add(anon, statusKb(pid, "RssAnon:"));
            files = add(files, openFiles(pid));
            if (jvm && isJava(pid)) {
                jcmd(pid, "GC.run");
                heap = add(heap, heapUsedKb(jcmd(pid, "GC.heap_info")));
                nmt = add(nmt, match(NMT_TOTAL, jcmd(pid, "VM.native_memory", "summary")));
            }
        }
        return new Sample(rss, anon, files, heap, nmt);
    }

    private static long add(long sum, long v) {
        return sum < 0 || v < 0 ? -1 : sum + v;
    }

    static long statusKb(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    static long openFiles(long pid) {
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return s.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Sum of "used" over the top-level generations (G1, Parallel, Serial), or ZGC's heap line. */
    static long heapUsedKb(String heapInfo) {
        Matcher m = GEN_USED.matcher(heapInfo);
        long sum = 0;
        boolean any = false;
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
            any = true;
        }
        if (any) {
            return sum;
        }
        long z = match(ZHEAP_USED, heapInfo);
        return z < 0 ? -1 : z * 1024;
    }

    private static long match(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String jcmd(long pid, String... command) {
        List<String> cmd = new ArrayList<>(List.of("jcmd", Long.toString(pid)));
        cmd.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "";
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}

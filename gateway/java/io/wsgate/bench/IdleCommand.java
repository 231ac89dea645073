package io.wsgate.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "idle", mixinStandardHelpOptions = true,
        description = {"Hold idle connections through a relay and report its memory per connection.",
                "Memory: VmRSS from /proc/PID/status summed over --pid (for nginx give the master and its workers).",
                "A JVM's RSS also counts heap pages it touched earlier and keeps: --jvm adds heap used after a "
                        + "forced GC (jcmd GC.run, GC.heap_info) and NMT committed memory (when the JVM runs with "
                        + "-XX:NativeMemoryTracking=summary). Netty direct buffers show in RSS and NMT, not in heap."})
public final class IdleCommand implements Callable<Integer> {
    @Option(names = "--url", required = true, description = "ws://host:port/path")
    String url;

    @Option(names = "--connections", defaultValue = "1000", description = "connections (default ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--hold", defaultValue = "30s", converter = DurationConverter.class,
            description = "how long to hold them before sampling again (default ${DEFAULT-VALUE})")
    Duration hold;

    @Option(names = "--connect-limit", defaultValue = "60s", converter = DurationConverter.class,
            description = "time allowed to open them all (default ${DEFAULT-VALUE})")
    Duration connectLimit;

    @Option(names = "--pid", split = ",", description = "process id(s) to sample, comma separated or repeated")
    List<Long> pids = new ArrayList<>();

    @Option(names = "--jvm", description = "also read heap used after GC and NMT via jcmd (JVM pids only)")
    boolean jvm;

    @Option(names = "--header", description = "extra handshake header 'Name: value' (repeatable)")
    List<String> headers = new ArrayList<>();

    @Option(names = "--warmup", defaultValue = "200",
            description = "connections opened, checked and closed before the first sample, so one-time costs "
                    + "(JIT, first pool growth) are not charged to the held ones (default ${DEFAULT-VALUE}, at most --connections)")
    int warmup;

    @Option(names = "--payload-template",
            description = "shape of the one check message sent at the end, one %%s (a json route needs a message its policy allows)")
    String template;

    @Option(names = "--threads", defaultValue = "1", description = "client event loop threads (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--connect-concurrency", defaultValue = "100", description = "handshakes in flight while connecting (default ${DEFAULT-VALUE})")
    int connectConcurrency;

    @Mixin
    ResultOutput output = new ResultOutput();

    @Override
    public Integer call() throws InterruptedException {
        IdleOptions o;
        try {
            o = new IdleOptions(url, connections, hold, connectLimit, headers, pids, jvm, threads, connectConcurrency,
                    Math.min(warmup, connections), template);
            Payload.of(32, template == null ? "%s" : template);
            ClientBootstrap.parse(url);
            ClientBootstrap.headers(headers);
        } catch (IllegalArgumentException e) {
            System.err.println("wsgate bench idle: " + e.getMessage());
            return 2;
        }
        for (long pid : pids) {
            if (ProcessProbe.statusKb(pid, "VmRSS:") < 0) {
                System.err.println("wsgate bench idle: cannot read /proc/" + pid + "/status");
                return 2;
            }
        }
        IdleResult r = IdleBench.run(o);
        output.emit(url, r.toText(), r.toMap(), IdleResult.MARKDOWN_HEADER, r::markdownRow);
        return r.errorCount() == 0 && r.established() == connections ? 0 : 1;
    }
}

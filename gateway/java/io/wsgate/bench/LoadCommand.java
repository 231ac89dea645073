package io.wsgate.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "load", mixinStandardHelpOptions = true,
        description = {"Send messages through a WebSocket echo path and measure round-trip latency.",
                "Exit 0 when every message came back intact, 1 otherwise."})
public final class LoadCommand implements Callable<Integer> {
    @Option(names = "--url", required = true, description = "ws://host:port/path")
    String url;

    @Option(names = "--connections", defaultValue = "100", description = "connections (default ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--messages", defaultValue = "1000", description = "messages per connection (default ${DEFAULT-VALUE})")
    long messages;

    @Option(names = "--size", defaultValue = "128", description = "message bytes (default ${DEFAULT-VALUE}; at least 16 + template)")
    int size;

    @Option(names = "--rate", defaultValue = "0",
            description = "total msgs/s over all connections, open loop, latency from the intended send time; 0 = closed loop (default)")
    double rate;

    @Option(names = "--in-flight", defaultValue = "1",
            description = "closed loop: outstanding messages per connection (default ${DEFAULT-VALUE}); open loop: cap on pending per connection (default 1024)")
    int inFlight;

    @Option(names = "--duration-limit", defaultValue = "60s", converter = DurationConverter.class,
            description = "hard stop for the whole run, connect phase included (default ${DEFAULT-VALUE})")
    Duration durationLimit;

    @Option(names = "--header", description = "extra handshake header 'Name: value' (repeatable)")
    List<String> headers = new ArrayList<>();

    @Option(names = "--payload-template", description = "text with one %%s, replaced by the message id and filler, e.g. '{\"type\":\"send-message\",\"room\":\"r\",\"message\":\"%%s\"}'")
    String template;

    @Option(names = "--binary", description = "send binary frames instead of text")
    boolean binary;

    @Option(names = "--threads", defaultValue = "1", description = "client event loop threads (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--connect-concurrency", defaultValue = "200", description = "handshakes in flight while connecting (default ${DEFAULT-VALUE})")
    int connectConcurrency;

    @Mixin
    ResultOutput output = new ResultOutput();

    @Override
    public Integer call() throws InterruptedException {
        int window = rate > 0 && inFlight == 1 ? 1024 : inFlight;
        LoadOptions o;
        try {
            o = new LoadOptions(url, connections, messages, size, rate, window, durationLimit, headers, template,
                    binary, threads, connectConcurrency);
            ClientBootstrap.parse(url);
            ClientBootstrap.headers(headers);
        } catch (IllegalArgumentException e) {
            System.err.println("wsgate bench load: " + e.getMessage());
            return 2;
        }
        LoadResult r = LoadGenerator.run(o);
        output.emit(url, r.toText(), r.toMap(), LoadResult.MARKDOWN_HEADER, r::markdownRow);
        long expected = (long) connections * messages;
        return r.errorCount() == 0 && r.completed() == expected ? 0 : 1;
    }
}

package io.wsgate.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "bench", description = "not implemented yet")
public final class BenchCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("wsgate bench: not implemented yet");
        return 2;
    }
}

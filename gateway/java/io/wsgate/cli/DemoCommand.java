package io.wsgate.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "demo", description = "not implemented yet")
public final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("wsgate demo: not implemented yet");
        return 2;
    }
}

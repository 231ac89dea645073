package io.wsgate.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "check", description = "not implemented yet")
public final class CheckCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("wsgate check: not implemented yet");
        return 2;
    }
}

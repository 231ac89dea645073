package io.wsgate.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "run", description = "not implemented yet")
public final class RunCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("wsgate run: not implemented yet");
        return 2;
    }
}

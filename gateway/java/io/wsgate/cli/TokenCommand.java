package io.wsgate.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "token", description = "not implemented yet")
public final class TokenCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("wsgate token: not implemented yet");
        return 2;
    }
}

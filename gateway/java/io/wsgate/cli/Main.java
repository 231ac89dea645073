package io.wsgate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "wsgate", mixinStandardHelpOptions = true, version = "wsgate 0.1.0",
        description = "Security gateway for WebSocket backends.",
        subcommands = {RunCommand.class, CheckCommand.class, DemoCommand.class, TokenCommand.class, BenchCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}

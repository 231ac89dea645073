package io.wsgate.cli;

import io.wsgate.bench.EchoServerCommand;
import io.wsgate.bench.IdleCommand;
import io.wsgate.bench.LoadCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Load generator and echo upstream for measuring wsgate and other relays.",
        subcommands = {EchoServerCommand.class, LoadCommand.class, IdleCommand.class})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "choose a mode: echo-server, load or idle");
    }
}

package io.wsgate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "wsgate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Security gateway for WebSocket backends.",
        subcommands = {RunCommand.class, CheckCommand.class, DemoCommand.class, TokenCommand.class, BenchCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    /** {@code wsgate --version}: the Maven version, build time and the running Java. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {io.wsgate.metrics.BuildInfo.current().describe()};
        }
    }
}

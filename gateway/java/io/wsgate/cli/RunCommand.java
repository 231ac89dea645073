package io.wsgate.cli;

import io.wsgate.server.Gateway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Serve the policies in DIR until SIGTERM/SIGINT; SIGHUP reloads.")
public final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", defaultValue = "policies", paramLabel = "DIR",
            description = "policy directory (default: ${DEFAULT-VALUE})")
    Path dir;

    @Override
    public Integer call() throws Exception {
        Gateway gateway;
        try {
            gateway = Gateway.startOrReport(dir, System::getenv);
        } catch (java.net.BindException e) {
            System.err.println("wsgate run: cannot bind " + e.getMessage() + " (is another process using that port?)");
            return 1;
        }
        if (gateway == null) {
            return 1;
        }
        System.err.println("wsgate serving " + dir + " on port " + gateway.port()
                + (gateway.adminPort() > 0 ? ", admin on port " + gateway.adminPort() : ""));
        gateway.serveUntilSignal();
        return 0;
    }
}

package io.wsgate.cli;

import io.wsgate.config.ConfigProblem;
import io.wsgate.config.PolicyException;
import io.wsgate.config.PolicyLoader;
import io.wsgate.policy.Policy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Function;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate every file of a policy directory: exit 0, or exit 1 printing file:line: key: problem per error.")
public final class CheckCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", defaultValue = "policies", paramLabel = "DIR",
            description = "the policy directory (gateway.yaml and one *.yaml per route; default: ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--offline", description = "do not fetch auth.jwt.jwks_url (by default each is fetched once, "
            + "with a 5s timeout, and must answer a JWK set)")
    boolean offline;

    @Spec
    CommandSpec spec;

    private final Function<String, String> env;

    public CheckCommand() {
        this(System::getenv);
    }

    /** For tests: the environment used for ${VAR} substitution. */
    public CheckCommand(Function<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PolicyLoader loader = PolicyLoader.forCheck(env, offline);
        try {
            Policy policy = loader.load(dir, 0);
            for (ConfigProblem w : loader.warnings()) {
                out.println(w.asWarning());
            }
            int warnings = loader.warnings().size();
            out.println(dir + ": ok, " + policy.routes().size() + " route" + (policy.routes().size() == 1 ? "" : "s")
                    + ", " + warnings + " warning" + (warnings == 1 ? "" : "s"));
            out.flush();
            return 0;
        } catch (PolicyException e) {
            for (ConfigProblem p : e.problems()) {
                err.println(p);
            }
            err.println(dir + ": " + e.problems().size() + " problem" + (e.problems().size() == 1 ? "" : "s"));
            err.flush();
            return 1;
        }
    }
}

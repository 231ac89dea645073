package io.wsgate.reload;

import io.wsgate.config.ConfigProblem;
import io.wsgate.config.PolicyException;
import io.wsgate.config.PolicyLoader;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.policy.Policy;
import io.wsgate.policy.PolicyHolder;
import io.wsgate.policy.RoutePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Builds a whole new {@link Policy} from the policy directory and swaps the {@link PolicyHolder} on success;
 * on failure the old policy keeps serving. Reloads are serialized. Triggers: {@link #reload()} (admin API),
 * {@link #installSighup()}, and {@link #startWatching()} (file changes, debounced).
 */
public final class ReloadManager implements AutoCloseable {
    /** What builds a snapshot; {@code PolicyLoader::load} in production. */
    @FunctionalInterface
    public interface Loader {
        Policy load(Path dir, long version) throws PolicyException;
    }

    /**
     * Something outside the policy snapshot that must follow it (the listener): {@link #prepare} readies
     * {@code next} without disturbing what serves now and throws {@link PolicyException} to refuse the reload;
     * the returned change is committed right after the swap, or aborted when another stage refused.
     */
    @FunctionalInterface
    public interface Stage {
        Change prepare(Policy current, Policy next) throws PolicyException;
    }

    public interface Change {
        void commit();

        void abort();
    }

    public static final Duration DEBOUNCE = Duration.ofMillis(200);
    private static final Logger log = LoggerFactory.getLogger(ReloadManager.class);

    private final Path dir;
    private final Loader loader;
    private final PolicyHolder holder;
    private final GatewayMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Stage> stages = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile WatchService watcher;
    private Thread watchThread;

    public ReloadManager(Path dir, PolicyLoader loader, PolicyHolder holder, GatewayMetrics metrics) {
        this(dir, loader::load, holder, metrics);
    }

    public ReloadManager(Path dir, Loader loader, PolicyHolder holder, GatewayMetrics metrics) {
        this.dir = dir;
        this.loader = loader;
        this.holder = holder;
        this.metrics = metrics;
        if (metrics != null && holder.get() != null) {
            metrics.policyVersion(holder.get().version());
        }
    }

    public void addStage(Stage stage) {
        stages.add(stage);
    }

    /** The last reload's outcome (any trigger) and when it finished; null before the first reload. */
    public record LastReload(long epochMillis, ReloadResult result) {}

    private volatile LastReload last;

    public LastReload lastReload() {
        return last;
    }

    /** Loads and swaps; never throws for a bad policy (the problems are in the result and the log). */
    public ReloadResult reload() {
        lock.lock(); // held across the swap and the record, so lastReload follows the order of the reloads (reentrant)
        try {
            ReloadResult r = swap();
            last = new LastReload(System.currentTimeMillis(), r);
            return r;
        } finally {
            lock.unlock();
        }
    }

    private ReloadResult swap() {
        lock.lock();
        try {
            Policy current = holder.get();
            long next = (current == null ? 0 : current.version()) + 1;
            Policy loaded;
            List<Change> changes = new ArrayList<>();
            try {
                loaded = loader.load(dir, next);
                for (Stage stage : stages) {
                    changes.add(stage.prepare(current, loaded));
                }
            } catch (PolicyException e) {
                changes.forEach(Change::abort);
                List<String> errors = new ArrayList<>();
                for (ConfigProblem p : e.problems()) {
                    errors.add(p.toString());
                    log.warn("reload refused: {}", p);
                }
                if (errors.isEmpty()) {
                    errors.add(dir + ":0: : " + e.getMessage());
                }
                failed();
                return ReloadResult.failure(errors);
            } catch (RuntimeException e) {
                changes.forEach(Change::abort);
                log.error("reload failed", e);
                failed();
                return ReloadResult.failure(List.of(dir + ":0: : " + e));
            }
            holder.set(loaded);
            changes.forEach(Change::commit);
            List<String> routes = loaded.routes().stream().map(RoutePolicy::path).sorted().toList();
            if (metrics != null) {
                metrics.reloaded(loaded.version());
            }
            log.info("policy version {} serving routes {}", loaded.version(), routes);
            return ReloadResult.success(loaded.version(), routes);
        } finally {
            lock.unlock();
        }
    }

    private void failed() {
        if (metrics != null) {
            metrics.reloadFailed();
        }
    }

    /** SIGHUP reloads (the run command calls this once). Returns false where the JVM offers no such signal. */
    @SuppressWarnings("restriction")
    public boolean installSighup() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                Thread t = new Thread(this::reload, "wsgate-sighup-reload");
                t.setDaemon(true);
                t.start();
            });
            return true;
        } catch (IllegalArgumentException e) {
            log.warn("SIGHUP reload unavailable: {}", e.getMessage());
            return false;
        }
    }

    /**
     * Watches the policy directory and its subfolders as they are now (schemas/, keys/); a burst of changes
     * reloads once, {@link #DEBOUNCE} after the last one. Folders created later are not watched.
     */
    public synchronized void startWatching() throws IOException {
        if (watcher != null) {
            return;
        }
        WatchService ws = FileSystems.getDefault().newWatchService();
        try (java.util.stream.Stream<Path> dirs = java.nio.file.Files.walk(dir, 3)) {
            for (Path d : (Iterable<Path>) dirs.filter(java.nio.file.Files::isDirectory)::iterator) {
                d.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            }
        }
        watcher = ws;
        watchThread = new Thread(() -> watch(ws), "wsgate-policy-watch");
        watchThread.setDaemon(true);
        watchThread.start();
    }

    private void watch(WatchService ws) {
        try {
            while (true) {
                WatchKey key = ws.take();
                boolean relevant = drain(key);
                // debounce: keep absorbing events until the directory is quiet
                WatchKey more;
                while ((more = ws.poll(DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    relevant |= drain(more);
                }
                if (relevant) {
                    reload();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ClosedWatchServiceException e) {
            // closed: stop
        }
    }

    /** True when one of the events concerns a file a policy can read (a log file written here must not reload). */
    private static boolean drain(WatchKey key) {
        boolean relevant = false;
        for (java.nio.file.WatchEvent<?> e : key.pollEvents()) {
            relevant |= e.kind() == StandardWatchEventKinds.OVERFLOW
                    || (e.context() instanceof Path p && policyFile(p.getFileName().toString()));
        }
        key.reset();
        return relevant;
    }

    /** Route and gateway files, schemas, key sets, certificates; not editor swap files, logs or env files. */
    static boolean policyFile(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        if (n.startsWith(".") || n.endsWith("~")) {
            return false;
        }
        for (String ext : POLICY_EXTENSIONS) {
            if (n.endsWith(ext)) {
                return true;
            }
        }
        return false;
    }

    private static final List<String> POLICY_EXTENSIONS = List.of(".yaml", ".yml", ".json", ".pem", ".crt", ".key");

    @Override
    public synchronized void close() {
        WatchService ws = watcher;
        watcher = null;
        if (ws != null) {
            try {
                ws.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
